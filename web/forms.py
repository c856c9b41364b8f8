"""The pages' forms: the search as a person fills it in (turned into the search's parameters), sign-in, sign-up."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

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


class _SignUpForm(forms.Form):
    """A new account: the API's rules for usernames and passwords (Django's validators)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"), help_text=_("For password resets and the moderator's answer."))
    password = forms.CharField(
        label=_("Password"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not a common one."),
    )

    def clean_username(self):
        """The characters Django allows in a username."""
        username = self.cleaned_data["username"]
        get_user_model().username_validator(username)
        return username

    def clean(self):
        """Django's password validators, knowing the username and email."""
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("username"):
            user = get_user_model()(username=cleaned["username"], email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(cleaned["password"], user)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class NewAccountForm(_SignUpForm):
    """An account made from an invitation: its email is the invited one."""

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["email"]
        self.invited_email = email

    def clean(self):
        """The password validators know the invited email too."""
        self.cleaned_data.setdefault("email", self.invited_email)
        return super().clean()


class OrganizationSignUpForm(_SignUpForm):
    """An organisation that offers help, and its first admin."""

    organization_name = forms.CharField(label=_("Organisation's name"), max_length=200)
    description = forms.CharField(label=_("What it does"), required=False, max_length=5000, widget=forms.Textarea)
    org_email = forms.EmailField(label=_("Organisation's email"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class CaseworkerSignUpForm(_SignUpForm):
    """A caseworker: police, NGO outreach, embassy or hotline staff."""

    agency = forms.CharField(label=_("Unit, NGO, embassy or hotline you work for"), max_length=200)
    country = LazyTypedChoiceField(label=_("Country you work in"), choices=[("", "—"), *countries], required=False)
