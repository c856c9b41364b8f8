"""Input shapes for providers' writes. Validation lives in the models: every write runs full_clean()."""

import functools
import json
import math
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from api.permissions import get_viewer
from api.serializers.directory import (
    LocalTimeField,
    LocationSerializer,
    OrganizationSerializer,
    ServiceDetailSerializer,
)
from referrals.choices import IntakeMethod
from referrals.models import (
    CapacityUnit,
    Category,
    Context,
    Language,
    Location,
    Organization,
    Phone,
    Population,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTranslation,
)
from referrals.models.services import TRANSLATED_FIELDS
from referrals.services.geocoding import geocode_location
from referrals.services.vocabularies import codes_of

__all__ = [
    "CapacityReportSerializer",
    "CapacityUpdateSerializer",
    "EmptyBodySerializer",
    "LocationWriteSerializer",
    "OrganizationWriteSerializer",
    "PhoneWriteSerializer",
    "ScheduleWriteSerializer",
    "ServiceAreaWriteSerializer",
    "ServiceAtLocationSerializer",
    "ServiceTranslationWriteSerializer",
    "ServiceWriteSerializer",
    "refuse_any_body",
]


class OwnedRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to a record the writer may edit; anything else reads as 'does not exist' (no leak)."""

    def get_queryset(self):
        """Only the writer's own records."""
        return super().get_queryset().editable_by(get_viewer(self.context["request"]))


class StrictCharField(serializers.CharField):
    """Text only: a number or a boolean is refused rather than turned into a string."""

    def to_internal_value(self, data):
        """Refuse anything but a string."""
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def translations_input(text: str):
    """A record's `translations` as written: its texts by language (the model checks the languages, the texts'
    names and their lengths)."""
    return serializers.DictField(
        child=serializers.DictField(child=StrictCharField(allow_blank=True)),
        required=False,
        help_text=f'The {text} in other languages by ISO 639-1 code, e.g. {{"th": {{"{text}": "..."}}}}; readers '
        f"asking for a language get it there, the record's own {text} elsewhere. Send the whole set: it replaces "
        "the one before.",
    )


class StrictFloatField(serializers.FloatField):
    """A finite JSON number: strings ("NaN", "1"), booleans and infinities are refused."""

    def to_internal_value(self, data):
        """Refuse anything but a finite number."""
        if isinstance(data, bool) or not isinstance(data, int | float) or not math.isfinite(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A whole number: `true`/`false` are refused rather than read as 1 and 0."""

    def to_internal_value(self, data):
        """Refuse booleans."""
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """`true` or `false` only (DRF would also take "yes", 1, "on", ...)."""

    def to_internal_value(self, data):
        """Refuse anything but a JSON boolean."""
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


@functools.cache
def _field_names(serializer_class) -> frozenset[str]:
    return frozenset(serializer_class().fields)


class KnownFieldsMixin:
    """A 400 naming each body key the write would not take: unknown names, and read-only ones sent to change them."""

    unknown_field_message = "Unknown field."
    read_only_message = "Read-only: this write cannot change it (send the value the record has, or leave it out)."
    # Nothing a client sends may be silently ignored, but partner apps PUT back what they GET. So a read-only name
    # (of this serializer, or of the record's read shape where writes take another) is accepted when its value is
    # the one the record shows now, and a 400 otherwise; the record's own bookkeeping (its id and timestamps) is
    # accepted whatever its value, since nobody can mean to set it. Nested keys are named under their parent.
    read_serializer_class: type[serializers.Serializer] | None = None
    BOOKKEEPING = frozenset({"id", "last_modified", "created"})

    def to_internal_value(self, data):
        """The values, or every error: unknown keys named beside the known fields' errors."""
        unknown = self._unknown_field_errors(data)
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, Mapping):
                raise serializers.ValidationError({**unknown, **exc.detail}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return values

    def _unknown_field_errors(self, data) -> dict[str, list[str]]:
        if not isinstance(data, Mapping):
            return {}  # DRF answers that it wants an object
        writable = {name for name, field in self.fields.items() if not field.read_only}
        read_shape = _field_names(self.read_serializer_class) if self.read_serializer_class is not None else set()
        read_only = (set(self.fields) | read_shape) - writable - self.BOOKKEEPING
        unknown = sorted(str(name) for name in data if name not in writable | read_only | self.BOOKKEEPING)
        changed = sorted(name for name in data if name in read_only and not self._shows(name, data[name]))
        errors: dict[str, list[str]] = {}
        if unknown:
            message = f"{self.unknown_field_message} Known here: {', '.join(sorted(writable))}."
            # Every key is checked; the answer names at most 20, as the query parameters' check does.
            errors.update({name[:60]: [message] for name in unknown[:20]})
        errors.update({name: [self.read_only_message] for name in changed[:20]})
        return errors

    def _shows(self, name: str, value) -> bool:
        """Whether `value` is what the record being written shows under `name` now (never, for a new record)."""
        if self.instance is None or isinstance(self.instance, list | tuple):
            return False
        if not hasattr(self, "_current"):
            shown = dict(self.to_representation(self.instance))
            view = self.context.get("view")
            if hasattr(view, "representation"):  # what a GET of the record gives this reader
                shown.update(view.representation(self.instance))
            elif self.read_serializer_class is not None:
                shown.update(self.read_serializer_class(self.instance, context=self.context).data)
            self._current = _as_json(shown)
        return name in self._current and self._current[name] == _as_json(value)


def _as_json(value):
    """The value as JSON gives it back, so that what a client echoes compares equal to what it was given."""
    return json.loads(json.dumps(value, cls=JSONEncoder))


class EmptyBodySerializer(KnownFieldsMixin, serializers.Serializer):
    """The body of an action that takes none (verify, vet, log out): nothing or `{}`; any key is a 400 naming it."""


def refuse_any_body(request) -> None:
    """A 400 naming each key of a body sent to an action that reads none, so that nothing sent goes unread."""
    if request.data != {}:  # no body, or `{}`; anything else must be an object with no keys
        EmptyBodySerializer(data=request.data).is_valid(raise_exception=True)


class ValidatedModelSerializer(KnownFieldsMixin, serializers.ModelSerializer):
    """Runs the model's full_clean() on the would-be instance, so each rule lives in the model once.

    Input types are strict: JSON types must match the schema (no "1" for 1, no 0 for "0").
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.FloatField: StrictFloatField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.BooleanField: StrictBooleanField,
    }

    # Parents a record cannot move between (delete it and create another): a move would leave the old
    # parent's offline copies (delta sync) and search text holding what is no longer its own.
    immovable_fields: tuple[str, ...] = ()

    def validate(self, attrs):
        """Apply the plain fields to a copy of the instance and let the model judge it."""
        attrs = super().validate(attrs)
        if self.instance is not None:
            moved = {
                name: ["Cannot be changed; delete this record and create a new one instead."]
                for name in self.immovable_fields
                if name in attrs and getattr(attrs[name], "pk", attrs[name]) != getattr(self.instance, f"{name}_id")
            }
            if moved:
                raise serializers.ValidationError(moved)
        plain = {name: value for name, value in attrs.items() if not self._is_many(name)}
        values = self._current_values()
        for name in plain:
            values.pop(self.Meta.model._meta.get_field(name).attname, None)
        instance = self.Meta.model(**{**values, **plain})
        if self.instance is not None:
            instance._state.adding = False  # an update: uniqueness checks must not count the record itself
            instance._state.db = self.instance._state.db
        try:
            instance.full_clean(exclude=self._many_fields())
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs

    def update(self, instance, validated_data):
        """Write only the fields that were sent (and what the model derives from them), never a stale copy of
        the others: two editors changing different fields of one record at once both keep their change."""
        many = {name: value for name, value in validated_data.items() if self._is_many(name)}
        sent = [name for name in validated_data if name not in many]
        for name in sent:
            setattr(instance, name, validated_data[name])
        # Fields that take the time of every save (last_modified) are written with the change.
        touched = [field.name for field in instance._meta.concrete_fields if getattr(field, "auto_now", False)]
        instance.save(update_fields=[*sent, *touched])
        for name, value in many.items():
            getattr(instance, name).set(value)
        return instance

    def _current_values(self):
        if self.instance is None:
            return {}
        return {field.attname: getattr(self.instance, field.attname) for field in self.Meta.model._meta.concrete_fields}

    def _many_fields(self):
        return [field.name for field in self.Meta.model._meta.many_to_many]

    def _is_many(self, name):
        return name in self._many_fields()


class ServiceWriteSerializer(ValidatedModelSerializer):
    """Create or change a service of one's own organisation."""

    read_serializer_class = ServiceDetailSerializer

    organization = OwnedRelatedField(
        queryset=Organization.objects.all(), help_text="UUID of your organisation (it cannot change later)."
    )
    categories = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), many=True, help_text="Category codes (at least one)."
    )
    populations = serializers.SlugRelatedField(
        slug_field="code", queryset=Population.objects.all(), many=True, required=False, help_text="Population codes."
    )
    contexts = serializers.SlugRelatedField(
        slug_field="code", queryset=Context.objects.all(), many=True, required=False, help_text="Context codes."
    )
    languages = serializers.SlugRelatedField(
        slug_field="code", queryset=Language.objects.all(), many=True, required=False, help_text="ISO 639 codes."
    )
    intake = serializers.MultipleChoiceField(
        choices=IntakeMethod.choices, required=False, help_text="How people get in: walk_in, referral, hotline."
    )

    class Meta:
        model = Service
        fields = [
            "organization",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "categories",
            "populations",
            "contexts",
            "languages",
            "interpretation_services",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "free",
            "fees_description",
            "application_process",
            "intake",
            "alert",
            "text_language",
        ]

    def validate_text_language(self, value):
        """The listing's own language cannot be one it also has a translation into."""
        if self.instance is not None and self.instance.translations.filter(language=value).exists():
            raise serializers.ValidationError(
                f"The listing has a translation into {value!r}: delete it (or move its texts here) first."
            )
        return value

    def validate_categories(self, value):
        """A service offers at least one kind of help."""
        if not value:
            raise serializers.ValidationError("Give at least one category.")
        return value

    def validate_organization(self, value):
        """A service stays with the organisation that created it."""
        if self.instance is not None and value.pk != self.instance.organization_id:
            raise serializers.ValidationError("A service cannot move to another organisation.")
        return value

    def validate(self, attrs):
        """Translate `intake` to the model's flags, then let the model validate."""
        intake = attrs.pop("intake", None)
        if intake is not None:
            attrs["intake_walk_in"] = IntakeMethod.WALK_IN in intake
            attrs["intake_referral"] = IntakeMethod.REFERRAL in intake
            attrs["intake_hotline"] = IntakeMethod.HOTLINE in intake
        return super().validate(attrs)


class LocationWriteSerializer(ValidatedModelSerializer):
    """Create or change a location of one's own organisation."""

    read_serializer_class = LocationSerializer

    organization = OwnedRelatedField(queryset=Organization.objects.all(), help_text="UUID of your organisation.")
    translations = translations_input("name")

    class Meta:
        model = Location
        fields = [
            "organization",
            "location_type",
            "name",
            "description",
            "latitude",
            "longitude",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "time_zone",
            "transportation",
            "accessibility",
            "confidential",
            "translations",
        ]

    def validate_organization(self, value):
        """A location stays with its organisation."""
        if self.instance is not None and value.pk != self.instance.organization_id:
            raise serializers.ValidationError("A location cannot move to another organisation.")
        return value

    def save(self, **kwargs):
        """Geocode an address given without coordinates (never blocking the save)."""
        location = super().save(**kwargs)
        if location.latitude is None and location.location_type == "physical":
            geocode_location(location)
            location.save(update_fields=["latitude", "longitude", "coordinates_source", "last_modified"])
        elif "latitude" in self.validated_data:
            Location.objects.filter(pk=location.pk).update(coordinates_source="given")
        return location


class ServiceAtLocationSerializer(ValidatedModelSerializer):
    """That one of your services is given at one of your locations."""

    immovable_fields = ("service", "location")

    service = OwnedRelatedField(queryset=Service.objects.all(), help_text="UUID of your service.")
    location = OwnedRelatedField(queryset=Location.objects.all(), help_text="UUID of your location.")

    class Meta:
        model = ServiceAtLocation
        fields = ["id", "service", "location", "description"]
        read_only_fields = ["id"]
        validators = []  # the model's full_clean() checks uniqueness and ownership, naming the field


class PhoneWriteSerializer(ValidatedModelSerializer):
    """A phone number of your organisation, one of its services (front door) or one of its locations."""

    immovable_fields = ("organization", "service", "location")

    organization = OwnedRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, help_text="Owner: your organisation."
    )
    service = OwnedRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True, help_text="Owner: your service."
    )
    location = OwnedRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True, help_text="Owner: your location."
    )
    languages = serializers.SlugRelatedField(
        slug_field="code", queryset=Language.objects.all(), many=True, required=False, help_text="ISO 639 codes."
    )
    translations = translations_input("description")

    class Meta:
        model = Phone
        fields = [
            "id",
            "organization",
            "service",
            "location",
            "number",
            "extension",
            "type",
            "description",
            "translations",
            "languages",
        ]
        read_only_fields = ["id"]


class ScheduleWriteSerializer(ValidatedModelSerializer):
    """Opening hours of your service (at one of your locations, or wherever it is)."""

    immovable_fields = ("service",)

    service = OwnedRelatedField(queryset=Service.objects.all(), help_text="UUID of your service.")
    location = OwnedRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True, help_text="UUID of your location."
    )
    opens_at = LocalTimeField(required=False, allow_null=True, help_text="Opening time, local (HH:MM).")
    closes_at = LocalTimeField(
        required=False, allow_null=True, help_text="Closing time, local; at or before opens_at means the next day."
    )

    class Meta:
        model = Schedule
        fields = [
            "id",
            "service",
            "location",
            "weekday",
            "all_day",
            "opens_at",
            "closes_at",
            "time_zone",
            "description",
        ]
        read_only_fields = ["id"]

    def validate(self, attrs):
        """Hours at a location take its time zone (the model checks the location is the service's own)."""
        location = attrs.get("location")
        if location is not None:
            attrs["time_zone"] = location.time_zone
        return super().validate(attrs)


DUPLICATE_TRANSLATION = "This service already has a translation into it."


class ServiceTranslationWriteSerializer(ValidatedModelSerializer):
    """Your service's texts in another language; a text left empty falls back to the listing's own."""

    immovable_fields = ("service",)

    service = OwnedRelatedField(queryset=Service.objects.all(), help_text="UUID of your service.")
    language = serializers.ChoiceField(
        choices=list(settings.LISTING_LANGUAGES), help_text="ISO 639-1 code of the translation."
    )

    class Meta:
        model = ServiceTranslation
        fields = ["id", "service", "language", *TRANSLATED_FIELDS, "last_modified"]
        read_only_fields = ["id", "last_modified"]
        # The (service, language) pair is checked in validate(), with a message that names the field.
        validators = []

    def validate(self, attrs):
        """One translation per language; the listing's own language needs none."""
        service = attrs.get("service", getattr(self.instance, "service", None))
        language = attrs.get("language", getattr(self.instance, "language", None))
        others = ServiceTranslation.objects.filter(service=service, language=language)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError({"language": [DUPLICATE_TRANSLATION]})
        return super().validate(attrs)

    def save(self, **kwargs):
        """Two writers adding the same language at once: the second gets the same 400 as a later one would."""
        try:
            return super().save(**kwargs)
        except IntegrityError:
            raise serializers.ValidationError({"language": [DUPLICATE_TRANSLATION]}) from None


class ServiceAreaWriteSerializer(ValidatedModelSerializer):
    """An area your service reaches."""

    immovable_fields = ("service",)

    service = OwnedRelatedField(queryset=Service.objects.all(), help_text="UUID of your service.")

    class Meta:
        model = ServiceArea
        fields = ["id", "service", "kind", "name", "country", "state_province", "latitude", "longitude", "radius_km"]
        read_only_fields = ["id"]


class OrganizationWriteSerializer(ValidatedModelSerializer):
    """Change your organisation's own details (vetting is for moderators)."""

    read_serializer_class = OrganizationSerializer

    class Meta:
        model = Organization
        fields = ["name", "alternate_name", "description", "email", "website"]


class CapacityUpdateSerializer(KnownFieldsMixin, serializers.Serializer):
    """One unit's count: set `available`, or `change` it (e.g. -1 when a bed is taken)."""

    unit = StrictCharField(
        max_length=40, help_text="What is counted: a capacity unit's code, e.g. beds_women (/api/v1/capacity-units/)."
    )
    available = serializers.IntegerField(min_value=0, max_value=100_000, required=False, help_text="Free places now.")
    change = serializers.IntegerField(
        min_value=-1000, max_value=1000, required=False, help_text="Add to (or, negative, take from) the free places."
    )
    maximum = serializers.IntegerField(min_value=0, max_value=100_000, required=False, help_text="Places in all.")

    def validate_unit(self, value):
        """One of the capacity units' codes."""
        if value not in codes_of(CapacityUnit):
            raise serializers.ValidationError("Unknown unit: see /api/v1/capacity-units/ for the codes.")
        return value

    def validate(self, attrs):
        """Exactly one of `available` and `change`."""
        if ("available" in attrs) == ("change" in attrs):
            raise serializers.ValidationError({"available": "Give either available or change (not both)."})
        return attrs


class CapacityReportSerializer(KnownFieldsMixin, serializers.Serializer):
    """Counts for one or more units, reported now."""

    units = CapacityUpdateSerializer(many=True, help_text="One entry per unit.")

    def validate_units(self, value):
        """At least one unit, each at most once."""
        if not value:
            raise serializers.ValidationError("Give at least one unit.")
        units = [entry["unit"] for entry in value]
        if len(units) != len(set(units)):
            raise serializers.ValidationError("Give each unit once.")
        return value
