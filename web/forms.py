"""The search form as a person fills it in, turned into the directory's search parameters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.models import Language
from referrals.services.vocabularies import labels_in

# The search form's fields that carry a list of codes (checkboxes), joined by commas for the filter set.
CODE_LISTS = ("category", "serves")
# The search parameters the pages offer; anything else in a URL is ignored by the form, never passed on.
PARAMETERS = ("near", "lat", "lng", "category", "serves", "language", "age", "open_now", "has_capacity")


class SearchForm(forms.Form):
    """Where, what and who, and a few refinements; the filter set validates and decides what they mean."""

    near = forms.CharField(label=_("Where"), required=False, max_length=100)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lng = forms.CharField(required=False, widget=forms.HiddenInput)
    category = forms.MultipleChoiceField(label=_("What"), required=False, widget=forms.CheckboxSelectMultiple)
    serves = forms.MultipleChoiceField(label=_("Who"), required=False, widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("They speak"), required=False)
    age = forms.IntegerField(label=_("Age of the person"), required=False, min_value=0, max_value=120)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    has_capacity = forms.BooleanField(label=_("Has a free place"), required=False)

    def __init__(self, *args, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        labels = labels_in(lang)
        self.fields["category"].choices = sorted(labels["categories"].items(), key=lambda item: item[1])
        self.fields["serves"].choices = list(labels["populations"].items())
        spoken = Language.objects.order_by("name").values_list("code", "name")
        self.fields["language"].choices = [("", _("Any")), *spoken]

    @property
    def asked(self) -> bool:
        """Whether the person searched (a bare visit to the page shows the empty form)."""
        return any(name in self.data for name in PARAMETERS)

    def search_parameters(self) -> dict:
        """The filter set's parameters for what was sent: lists joined by commas, unchecked boxes left out."""
        params = {}
        for name in PARAMETERS:
            if name in CODE_LISTS:
                values = [value for value in self.data.getlist(name) if value]
                if values:
                    params[name] = ",".join(values)
            elif name in ("open_now", "has_capacity"):
                if self.data.get(name):
                    params[name] = "true"
            elif (self.data.get(name) or "").strip():
                params[name] = self.data[name].strip()
        return params


class SignInForm(forms.Form):
    """A caseworker's (or an NGO member's) username and password."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), max_length=200, strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")
