"""The workspace's forms for editing a listing: every rule is the model's (a ModelForm runs `full_clean()`), told
beside the field in the page's language; the labels are the app's, translated."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from referrals.choices import LocationType, PhoneType, ServiceAreaKind, ServiceStatus
from referrals.models import Category, Context, Language, Location, Phone, Population, Service, ServiceArea
from referrals.models.services import TRANSLATED_FIELDS, ServiceTranslation
from referrals.services.geocoding import local_time_zone
from referrals.services.vocabularies import labels_in
from web.context_processors import LOCAL_NAMES

# The fields of a listing's "Details" form, which its version covers.
SERVICE_FIELDS = [
    "name",
    "alternate_name",
    "description",
    "categories",
    "populations",
    "contexts",
    "minimum_age",
    "maximum_age",
    "eligibility_description",
    "free",
    "fees_description",
    "intake_walk_in",
    "intake_referral",
    "intake_hotline",
    "application_process",
    "languages",
    "interpretation_services",
    "url",
    "email",
    "alert",
    "status",
    "text_language",
]


def listing_language_choices():
    """The ten listing languages, each named in itself."""
    return [
        (code, LOCAL_NAMES.get(settings.MESSAGE_LANGUAGES.get(code, code), name))
        for code, name in settings.LISTING_LANGUAGES.items()
    ]


def _named_terms(field, labels: dict[str, str]):
    """Checkboxes of vocabulary terms, by code, labelled in the page's language."""
    field.to_field_name = "code"
    field.widget = forms.CheckboxSelectMultiple()
    field.label_from_instance = lambda term: labels.get(term.code, term.name)
    field.widget.choices = field.choices


class VersionedForm:
    """A form that carries the version of what the editor saw (a hidden field), to detect a change made meanwhile.

    The models' help texts are the API's documentation, in English: a form shows only its own (translated) ones.
    """

    def own_help_texts(self):
        """Drop the help texts the form did not write itself."""
        own = getattr(getattr(self, "Meta", None), "help_texts", {})
        for name, field in self.fields.items():
            if name not in own:
                field.help_text = ""

    def add_version(self, version: str):
        """The form's own help texts only, and the hidden `version`: the version of the record as it is now."""
        self.own_help_texts()
        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False, initial=version)

    def saw_version(self) -> str:
        """The version the editor saw (what the page carried)."""
        return self.data.get("version", "")


class ServiceForm(VersionedForm, forms.ModelForm):
    """A listing's details: what it offers, to whom, how to get in, in which language its texts are."""

    class Meta:
        model = Service
        fields = SERVICE_FIELDS
        labels = {
            "name": _("Name of the service"),
            "alternate_name": _("Other name or acronym"),
            "description": _("What it offers"),
            "categories": _("Kinds of help"),
            "populations": _("Who it is for"),
            "contexts": _("Where or how it works"),
            "minimum_age": _("Youngest age served"),
            "maximum_age": _("Oldest age served"),
            "eligibility_description": _("Who may use it, in words"),
            "free": _("Free of charge"),
            "fees_description": _("What it costs, in words"),
            "intake_walk_in": _("People may walk in"),
            "intake_referral": _("People come referred by a caseworker or agency"),
            "intake_hotline": _("People come through a hotline"),
            "application_process": _("How to get the service"),
            "languages": _("Languages it is given in"),
            "interpretation_services": _("Interpretation on request"),
            "url": _("Web page"),
            "email": _("Intake email"),
            "alert": _("Notice for now (e.g. closed for flooding)"),
            "status": _("State"),
            "text_language": _("Language these texts are written in"),
        }
        help_texts = {
            "minimum_age": _("In years; empty: no lower limit."),
            "maximum_age": _("In years; empty: no upper limit."),
            "categories": _("At least one."),
            "text_language": _("Translations into the other languages are kept on their own page."),
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "description",
                "eligibility_description",
                "fees_description",
                "application_process",
                "interpretation_services",
                "alert",
            )
        }

    def __init__(self, *args, lang: str, version: str = "", organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = labels_in(lang)
        for name, vocabulary, model in (
            ("categories", "categories", Category),
            ("populations", "populations", Population),
            ("contexts", "contexts", Context),
        ):
            self.fields[name].queryset = model.objects.order_by("position", "code")
            _named_terms(self.fields[name], labels[vocabulary])
        self.fields["categories"].error_messages["required"] = _("Choose at least one kind of help.")
        self.fields["languages"].queryset = Language.objects.order_by("name")
        self.fields["languages"].to_field_name = "code"
        self.fields["languages"].widget = forms.CheckboxSelectMultiple(choices=self.fields["languages"].choices)
        self.fields["text_language"] = forms.ChoiceField(
            label=self.Meta.labels["text_language"],
            help_text=self.Meta.help_texts["text_language"],
            choices=listing_language_choices(),
            initial=lang if lang in settings.LISTING_LANGUAGES else "en",
        )
        states = [
            (ServiceStatus.ACTIVE, _("Open")),
            (ServiceStatus.TEMPORARILY_CLOSED, _("Temporarily closed")),
            (ServiceStatus.INACTIVE, _("Not offered for now")),
        ]
        if self.instance.status == ServiceStatus.DEFUNCT:  # retired: it stays so unless someone chooses otherwise
            states.append((ServiceStatus.DEFUNCT, _("Retired: not in the directory")))
        self.fields["status"].choices = [(state.value, label) for state, label in states]
        self.fields["url"].assume_scheme = "https"
        if organizations is not None:  # a new listing: whose it is
            self.fields = {
                "organization": forms.ModelChoiceField(
                    label=_("Organisation"), queryset=organizations, empty_label=None
                ),
                **self.fields,
            }
        self.add_version(version)

    def clean_text_language(self):
        """The listing's own language cannot be one it has a translation into (move that translation first)."""
        language = self.cleaned_data["text_language"]
        if self.instance.pk and language != self.instance.text_language:
            if self.instance.translations.filter(language=language).exists():
                raise forms.ValidationError(
                    _("The listing has a translation into this language: move its texts here and delete it first.")
                )
        return language

    def _post_clean(self):
        if "organization" in self.fields and self.cleaned_data.get("organization"):
            self.instance.organization = self.cleaned_data["organization"]
        super()._post_clean()


# A location's fields in its form, in the order a person fills them in.
LOCATION_FIELDS = [
    "name",
    "location_type",
    "confidential",
    "address_1",
    "address_2",
    "city",
    "state_province",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "time_zone",
    "transportation",
    "accessibility",
    "description",
]


class LocationForm(VersionedForm, forms.ModelForm):
    """A place where the listing's help is given; a confidential one shows the public only its town."""

    class Meta:
        model = Location
        fields = LOCATION_FIELDS
        labels = {
            "name": _("Name of the place"),
            "location_type": _("Kind of place"),
            "confidential": _("Confidential: a safe house whose address must not be public"),
            "address_1": _("Street address"),
            "address_2": _("Address, second line"),
            "city": _("City or town"),
            "state_province": _("Province or state"),
            "postal_code": _("Postal code"),
            "country": _("Country"),
            "latitude": _("Latitude"),
            "longitude": _("Longitude"),
            "time_zone": _("Time zone"),
            "transportation": _("How to get there"),
            "accessibility": _("Access for people with disabilities"),
            "description": _("What the place is like"),
        }
        help_texts = {
            "confidential": _(
                "The public and partner apps then see only the town, the province and a point rounded to a few "
                "kilometres; vetted caseworkers see the address. It needs an intake phone first."
            ),
            "latitude": _("Decimal degrees, e.g. 13.7563. Empty: found from the address or the town."),
            "longitude": _("Decimal degrees, e.g. 100.5018."),
            "time_zone": _("E.g. Asia/Bangkok. Empty: the place's own, from its town or country."),
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 2}) for name in ("transportation", "accessibility", "description")
        }

    def __init__(self, *args, version: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location_type"].choices = [
            (LocationType.PHYSICAL.value, _("A place people come to")),
            (LocationType.POSTAL.value, _("A postal address only")),
            (LocationType.VIRTUAL.value, _("Online or by phone only")),
        ]
        self.fields["country"].choices = [("", "—"), *countries]
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update(inputmode="decimal", step="any")
        self.fields["time_zone"].required = False
        if self.instance._state.adding:
            self.initial["time_zone"] = ""  # found from the place, not the model's default
        self.add_version(version)

    def clean(self):
        """An empty time zone is the place's own (from the gazetteer), so "open now" is right wherever it is."""
        cleaned = super().clean()
        if not cleaned.get("time_zone"):
            zone = local_time_zone(
                cleaned.get("latitude"), cleaned.get("longitude"), cleaned.get("city", ""), cleaned.get("country", "")
            )
            if zone is None:
                self.add_error("time_zone", _("Give the time zone: the place's town and country are not known."))
            else:
                cleaned["time_zone"] = zone
        return cleaned


class PhoneForm(forms.ModelForm):
    """One phone number or messaging account of the listing."""

    class Meta:
        model = Phone
        fields = ["type", "number", "extension", "description"]
        labels = {
            "type": _("Kind"),
            "number": _("Number or account"),
            "extension": _("Extension"),
            "description": _("What it is for (e.g. 24-hour intake line)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Kinds of line in words; messaging apps by their own names.
        words = {
            PhoneType.VOICE: _("Phone"),
            PhoneType.HOTLINE: _("Hotline"),
            PhoneType.TEXT: _("Text / SMS"),
            PhoneType.CELL: _("Mobile"),
            PhoneType.FAX: _("Fax"),
            PhoneType.VIDEO: _("Video call"),
        }
        self.fields["type"].choices = [(kind.value, words.get(kind, kind.label)) for kind in PhoneType]


class AreaForm(forms.ModelForm):
    """One area the listing serves: a country, a province, or a circle around a point."""

    class Meta:
        model = ServiceArea
        fields = ["kind", "country", "state_province", "latitude", "longitude", "radius_km", "name"]
        labels = {
            "kind": _("Kind of area"),
            "country": _("Country"),
            "state_province": _("Province or state"),
            "latitude": _("Centre: latitude"),
            "longitude": _("Centre: longitude"),
            "radius_km": _("Radius in kilometres"),
            "name": _("Name (e.g. Mae La camp and surroundings)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (ServiceAreaKind.COUNTRY.value, _("A whole country")),
            (ServiceAreaKind.PROVINCE.value, _("A province or state")),
            (ServiceAreaKind.RADIUS.value, _("A circle around a point")),
        ]
        self.fields["country"].choices = [("", "—"), *countries]


class TranslationForm(VersionedForm, forms.ModelForm):
    """The listing's texts in one other language; each field shows the original beside it."""

    class Meta:
        model = ServiceTranslation
        fields = list(TRANSLATED_FIELDS)
        labels = {name: ServiceForm.Meta.labels.get(name, name) for name in TRANSLATED_FIELDS}
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("description", "eligibility_description", "fees_description", "application_process")
        }

    def __init__(self, *args, service, version: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.add_version(version)

    def pairs(self):
        """Each translated field with the listing's own text of it."""
        return [(self[name], getattr(self.service, name)) for name in TRANSLATED_FIELDS]
