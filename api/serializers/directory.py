"""Read shapes of the directory. Confidential locations fail closed: only declared public fields leave."""

from functools import cache

from django.utils import timezone, translation
from django.utils.functional import cached_property
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from referrals.choices import IntakeMethod, Reach
from referrals.geo import distance_km
from referrals.managers import loaded, loaded_list
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
    ServiceCapacity,
    ServiceTranslation,
)
from referrals.models.locations import translated_text
from referrals.models.services import TRANSLATED_FIELDS
from referrals.services.disclosure import shows_full_face
from referrals.services.hours import opening_at
from referrals.services.listings import capacity_is_fresh, is_stale
from referrals.services.search import MATCHED_BY
from referrals.services.vocabularies import capacity_units, labels_in


class SparseFieldsMixin:
    """Drops the fields that `fields=` did not ask for (the view validates the names)."""

    def get_fields(self):
        """The declared fields, trimmed to the requested ones."""
        fields = super().get_fields()
        wanted = self.context.get("sparse_fields")
        if wanted:
            return {name: field for name, field in fields.items() if name in wanted}
        return fields


class _TaxonomySerializer(serializers.ModelSerializer):
    """A term of a code-keyed vocabulary, labelled in the reader's language where a label exists."""

    language = serializers.SerializerMethodField(help_text="Language of `name` (ISO 639-1).")
    translations = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text='Labels in other languages by ISO 639-1 code, e.g. {"th": "ที่พักพิง"}.',
    )

    class Meta:
        fields = ["code", "name", "language", "description", "translations"]

    def get_language(self, term) -> str:
        """Filled in by to_representation."""
        return "en"

    def to_representation(self, term):
        """The label in the reader's language, else English."""
        data = super().to_representation(term)
        data["name"], data["language"] = term.label(self.context.get("lang"))
        return data


class CategorySerializer(_TaxonomySerializer):
    """A category of help."""

    class Meta(_TaxonomySerializer.Meta):
        model = Category


class PopulationSerializer(_TaxonomySerializer):
    """A population served."""

    class Meta(_TaxonomySerializer.Meta):
        model = Population


class ContextSerializer(_TaxonomySerializer):
    """An operating context."""

    class Meta(_TaxonomySerializer.Meta):
        model = Context


class CapacityUnitSerializer(_TaxonomySerializer):
    """A capacity unit: what a count counts, and whom its places take."""

    populations = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Population codes a free place of this unit takes (see `everyone`)."
    )

    class Meta(_TaxonomySerializer.Meta):
        model = CapacityUnit
        fields = [*_TaxonomySerializer.Meta.fields, "populations", "everyone"]


class LanguageSerializer(serializers.ModelSerializer):
    """A language, by ISO 639 code."""

    class Meta:
        model = Language
        fields = ["code", "name", "native_name"]


class BriefOrganizationSerializer(serializers.ModelSerializer):
    """An organisation inside another record."""

    class Meta:
        model = Organization
        fields = ["id", "name"]


class CodesField(serializers.ListField):
    """The codes of a record's terms in one vocabulary (a many-to-many of code-keyed terms), read-only.

    Read from the record's `codes` where the query set attached them in one go (`Service.objects.with_codes()`),
    else from the relation (prefetch it).
    """

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), read_only=True, **kwargs)

    def get_attribute(self, instance):
        """The codes, in the vocabulary's order."""
        return codes_of(instance, self.source)


def codes_of(instance, vocabulary: str) -> list:
    """A record's codes in one vocabulary: those attached at loading, else read from the relation."""
    codes = getattr(instance, "codes", None)
    if codes is not None:
        return list(codes[vocabulary])
    return [term.pk for term in getattr(instance, vocabulary).all()]


class LoadedListSerializer(serializers.ListSerializer):
    """Records of a relation, from the list `with_*_relations()` loaded (`referrals.managers.loaded`) if any."""

    def get_attribute(self, instance):
        """The loaded list, else the relation."""
        records = loaded_list(instance, self.source) if self.source != "*" else None
        return records if records is not None else super().get_attribute(instance)


def translations_field(texts: str):
    """The read shape of a record's `translations`: its texts by language, e.g. {"th": {"name": "..."}}."""
    return serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        read_only=True,
        help_text=f"The {texts} in other languages by ISO 639-1 code (for offline language switching); the "
        "text shown already follows `lang`/Accept-Language where it has a translation.",
    )


def item_text_languages_field(text: str):
    """Which of a phone's or location's texts came translated."""
    return serializers.SerializerMethodField(
        help_text=f"The texts that came translated into the language asked for with `lang`/Accept-Language, e.g. "
        f'{{"{text}": "th"}}; a text not named (always, without a language) is the record\'s own, in a language '
        "the record does not state."
    )


def in_reader_language(data: dict, record, language: str | None) -> dict:
    """The record's translatable texts in the reader's language where it has them, falling back to its own;
    `text_languages` names those that came translated (only texts the data shows: a hidden face stays hidden)."""
    languages = {}
    for name in record.TRANSLATED_TEXTS:
        text = translated_text(record, name, language) if name in data else ""
        if text:
            data[name] = text
            languages[name] = language
    if "text_languages" in data:
        data["text_languages"] = languages
    return data


TEXT_LANGUAGES_SCHEMA = {"type": "object", "additionalProperties": {"type": "string"}}


class PhoneSerializer(serializers.ModelSerializer):
    """A phone number or a messaging-app account, with the link that opens it in one tap."""

    languages = CodesField(help_text="Languages spoken on this line (ISO 639).")
    link = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Opens the contact in one tap: `tel:` / `sms:` for numbers, the app's link for LINE, Viber, "
        "WhatsApp, Messenger, Zalo, Signal and Telegram; null for fax and WeChat (search the ID in the app).",
    )
    text_languages = item_text_languages_field("description")
    translations = translations_field("description")

    class Meta:
        list_serializer_class = LoadedListSerializer
        model = Phone
        fields = [
            "id",
            "number",
            "extension",
            "type",
            "link",
            "description",
            "languages",
            "text_languages",
            "translations",
        ]

    @extend_schema_field({**TEXT_LANGUAGES_SCHEMA, "example": {"description": "th"}})
    def get_text_languages(self, phone):
        """Filled in by to_representation."""
        return {}

    def to_representation(self, phone):
        """The description in the reader's language where the phone has it."""
        return in_reader_language(super().to_representation(phone), phone, self.context.get("lang"))


class BriefPhoneSerializer(PhoneSerializer):
    """A phone in a search result: its texts in the reader's language, without the other languages'."""

    class Meta(PhoneSerializer.Meta):
        fields = [name for name in PhoneSerializer.Meta.fields if name != "translations"]


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "08:30", "nullable": True}
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time `HH:MM` in the schedule's time zone (no offset: it is local by definition)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class ScheduleSerializer(serializers.ModelSerializer):
    """Opening hours on one weekday (or every day) in the place's time zone."""

    opens_at = LocalTimeField(read_only=True, allow_null=True, help_text="Opening time, local.")
    closes_at = LocalTimeField(
        read_only=True, allow_null=True, help_text="Closing time, local; at or before opens_at means the next day."
    )

    location = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Location these hours apply at; empty when they apply wherever the service is."
    )

    class Meta:
        list_serializer_class = LoadedListSerializer
        model = Schedule
        fields = ["id", "location", "weekday", "all_day", "opens_at", "closes_at", "time_zone", "description"]


class ServiceCapacitySerializer(serializers.ModelSerializer):
    """Free places per unit, with when a person last reported them."""

    fresh = serializers.SerializerMethodField(
        help_text="True when reported within the freshness window (CAPACITY_FRESH_HOURS, 48 h by default); "
        "only fresh counts match has_capacity=true."
    )

    takes = serializers.SerializerMethodField(
        help_text="Populations a free place of this unit can take (see /api/v1/capacity-units/); null: anyone."
    )

    class Meta:
        list_serializer_class = LoadedListSerializer
        model = ServiceCapacity
        fields = ["unit", "takes", "available", "maximum", "updated", "fresh"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_takes(self, capacity) -> list[str] | None:
        """From the cached vocabulary: no query per count."""
        return populations_taken(capacity, self._units)

    @cached_property
    def _units(self):
        """The units, read from the cache once for a page (the cache is Redis in production: a round trip)."""
        return capacity_units()

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_fresh(self, capacity) -> bool:
        """Whether the count is recent enough to trust."""
        return capacity_is_fresh(capacity)


def populations_taken(capacity, units: dict) -> list[str] | None:
    """The populations a free place of the count's unit takes (None: anyone), from `capacity_units()`."""
    taken = units.get(capacity.unit, frozenset())
    return None if taken is None else sorted(taken)


class _CountryChoices:
    """The countries as choices, named in English once per process: a read-only field needs them only for the
    schema's enum, and the model field's own choices translate and sort some 250 names each time a serializer
    is made (half of a whole record's time)."""

    def __iter__(self):
        return iter(_country_choices())


@cache
def _country_choices() -> list[tuple[str, str]]:
    with translation.override("en"):
        return [(code, str(name)) for code, name in countries]


class ServiceAreaSerializer(serializers.ModelSerializer):
    """An area a service reaches. Its centre is grid-snapped when the service runs a confidential location."""

    country = serializers.ChoiceField(
        choices=_CountryChoices(), read_only=True, help_text=ServiceArea._meta.get_field("country").help_text
    )
    latitude = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Centre latitude of a radius area (grid-snapped near a safe house)."
    )
    longitude = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Centre longitude of a radius area (grid-snapped near a safe house)."
    )

    class Meta:
        list_serializer_class = LoadedListSerializer
        model = ServiceArea
        fields = ["id", "kind", "name", "country", "state_province", "latitude", "longitude", "radius_km"]

    def to_representation(self, area):
        """Show the centre the reader may see."""
        return self.faced_for(area, hides_a_house(area.service, self.context.get("viewer")))

    def faced_for(self, area, hiding: bool) -> dict:
        """The area as a reader from whom its service is `hiding` a house (or not) may see it."""
        return self.faced(super().to_representation(area), area, hiding)

    @staticmethod
    def faced(data: dict, area, hiding: bool) -> dict:
        """The area with the centre this reader may see: grid-snapped when its service is `hiding` a house from them."""
        data["latitude"], data["longitude"] = area.public_center(hiding)
        return data


def hides_a_house(service, viewer) -> bool:
    """Whether the service runs a place whose full face this reader may not see (its areas' centres then snap)."""
    return any(not shows_full_face(viewer, link.location) for link in loaded(service, "service_at_locations"))


class LocationSerializer(serializers.ModelSerializer):
    """A location. For a confidential location a public reader gets only `Meta.public_fields`."""

    latitude = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="WGS84 latitude; for a confidential location, its grid cell's centre.",
    )
    longitude = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="WGS84 longitude; for a confidential location, its grid cell's centre.",
    )
    approximate = serializers.SerializerMethodField(
        help_text="True when latitude/longitude are the grid-snapped public point of a confidential location."
    )
    distance_km = serializers.SerializerMethodField(
        help_text="Geodesic distance in km from the search point (only when searching with a point)."
    )
    organization = BriefOrganizationSerializer(read_only=True, help_text="The organisation that runs the place.")
    phones = PhoneSerializer(
        many=True, read_only=True, help_text="Numbers of the place itself (hidden for a confidential location)."
    )
    country = serializers.CharField(read_only=True, help_text="ISO 3166-1 alpha-2 country code.")
    text_languages = item_text_languages_field("name")
    translations = translations_field("name (hidden for a confidential location, as the name is)")

    class Meta:
        model = Location
        fields = [
            "id",
            "organization",
            "location_type",
            "name",
            "description",
            "confidential",
            "approximate",
            "latitude",
            "longitude",
            "distance_km",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "time_zone",
            "coordinates_source",
            "transportation",
            "accessibility",
            "phones",
            "text_languages",
            "translations",
            "last_modified",
        ]
        # The public face of a confidential location. A field not listed here never reaches a
        # public reader, so new fields are private until someone decides otherwise.
        public_fields = frozenset(
            {
                "id",
                "organization",
                "location_type",
                "confidential",
                "approximate",
                "latitude",
                "longitude",
                "distance_km",
                "city",
                "region",
                "state_province",
                "country",
                "time_zone",
            }
        )

    def to_representation(self, instance):
        """The full face where the reader may see it, else only the public fields and the public point; its texts
        in the reader's language where it has them."""
        return self.faced(super().to_representation(instance), instance)

    def faced(self, data: dict, instance) -> dict:
        """The face of the location this reader may see, from every field's value (`data`)."""
        full_face = shows_full_face(self.context.get("viewer"), instance)
        if full_face:
            data["latitude"], data["longitude"] = instance.latitude, instance.longitude
            point = (instance.latitude, instance.longitude)
        else:
            data = {name: value for name, value in data.items() if name in self.Meta.public_fields}
            data["latitude"], data["longitude"] = instance.public_latitude, instance.public_longitude
            point = (instance.public_latitude, instance.public_longitude)
        if "distance_km" in data:
            data["distance_km"] = self._distance_from_search_point(*point)
        if "approximate" in data:
            data["approximate"] = not full_face and instance.latitude is not None
        return in_reader_language(data, instance, self.context.get("lang"))

    def _distance_from_search_point(self, latitude, longitude):
        near = self.context.get("near")
        if near is None or latitude is None:
            return None
        return round(distance_km(near.latitude, near.longitude, latitude, longitude), 2)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_approximate(self, instance) -> bool:
        """Filled in by to_representation."""
        return False

    @extend_schema_field({**TEXT_LANGUAGES_SCHEMA, "example": {"name": "th"}})
    def get_text_languages(self, instance):
        """Filled in by to_representation."""
        return {}

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_km(self, instance):
        """Filled in by to_representation."""
        return None


OPENING_FIELDS = ("open_now", "open_until", "next_opens", "open_24_7")


class BriefLocationSerializer(LocationSerializer):
    """The part of a location a search result shows: enough to go there, or to call first."""

    # A result list is what a caseworker may show or read out next to the person being helped: a safe house's
    # street address stays on its detail page, for those who may see it, whoever reads the list.
    ADDRESS_FIELDS = ("address_1", "address_2", "postal_code")

    # Filled in by the search result from the service's hours at this place (referrals.services.hours).
    open_now = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="Open at this moment in the place's own time; null: no hours given."
    )
    open_until = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="While open: until when, local time (ISO 8601 without offset, e.g. 2026-12-01T17:00).",
    )
    next_opens = serializers.CharField(
        read_only=True, allow_null=True, help_text="While closed: when it next opens, local time (ISO 8601)."
    )
    open_24_7 = serializers.BooleanField(read_only=True, allow_null=True, help_text="Open all day, every day.")

    class Meta(LocationSerializer.Meta):
        fields = [
            "id",
            "location_type",
            "name",
            "confidential",
            "approximate",
            "latitude",
            "longitude",
            "distance_km",
            "address_1",
            "address_2",
            "postal_code",
            "city",
            "state_province",
            "country",
            "open_now",
            "open_until",
            "next_opens",
            "open_24_7",
            "text_languages",
        ]
        public_fields = LocationSerializer.Meta.public_fields | {"open_now", "open_until", "next_opens", "open_24_7"}

    def faced(self, data: dict, instance) -> dict:
        """As a location, without the street address of a confidential one."""
        data = super().faced(data, instance)
        if instance.confidential:
            for name in self.ADDRESS_FIELDS:
                data.pop(name, None)
        return data


class ServiceTranslationSerializer(serializers.ModelSerializer):
    """A listing's texts in one other language (empty: not translated, the listing's own text applies)."""

    class Meta:
        list_serializer_class = LoadedListSerializer
        model = ServiceTranslation
        fields = ["language", *TRANSLATED_FIELDS]


class _ServiceBaseSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    """Fields shared by the list and detail shapes of a service."""

    organization = BriefOrganizationSerializer(read_only=True, help_text="The organisation that offers the service.")
    categories = CodesField(help_text="Category codes (see /api/v1/categories/).")
    populations = CodesField(help_text="Population codes (see /api/v1/populations/).")
    contexts = CodesField(help_text="Operating-context codes (see /api/v1/contexts/).")
    languages = CodesField(help_text="ISO 639 codes of languages the service is given in.")
    phones = PhoneSerializer(many=True, read_only=True, help_text="Front-door contacts of the service.")
    intake = serializers.ListField(
        child=serializers.ChoiceField(choices=IntakeMethod.choices),
        read_only=True,
        help_text="How to get in: walk_in, referral, hotline.",
    )
    capacity = ServiceCapacitySerializer(
        source="capacities", many=True, read_only=True, help_text="Free places per unit, with when they were reported."
    )
    distance_km = serializers.SerializerMethodField(
        help_text="Geodesic distance in km from the search point to the nearest location, or to the edge of a "
        "service area that reaches it (0 inside; see matched_by). Only with lat/lng or near."
    )
    stale = serializers.SerializerMethodField(
        help_text="True when no person has verified the listing within STALE_AFTER_DAYS (180 by default)."
    )
    matched_by = serializers.SerializerMethodField(
        help_text="With a point search: `location` (distance_km is to the nearest location) or `coverage` (a "
        "service area, e.g. an outreach team's circle or a hotline's country, reaches the point; distance_km is "
        "to the area's edge, 0 inside it). Null without a point. `reach` says more."
    )
    reach = serializers.SerializerMethodField(
        help_text="With a point search, how the service reaches the point, which decides its rank: `place` (a "
        "location within the radius, to walk into) and `outreach` (a radius area, such as an outreach team's or a "
        "mobile clinic's, that comes within the radius) come first, nearest first; then `remote` (only through a "
        "whole country or province: hotlines, remote counselling; distance_km 0), nearest office first, then by "
        "name. Null without a point."
    )

    text_languages = serializers.SerializerMethodField(
        help_text="The language (ISO 639-1) each translatable text of this record is in: the one asked for with "
        "`lang`/Accept-Language where the listing has a translation, else the listing's own `text_language`."
    )
    labels = serializers.SerializerMethodField(
        help_text="With `lang`/Accept-Language: the labels, in that language (English where a term has none in it), "
        "of the codes this record shows in `categories`, `populations`, `contexts` and (as `capacity_units`) "
        "`capacity`. Null without a language: the vocabularies' endpoints give every label, in every language."
    )

    location_serializer_class = BriefLocationSerializer

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "string"}, "example": {"name": "th", "description": "en"}}
    )
    def get_text_languages(self, service):
        """Filled in by to_representation."""
        return {}

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                name: {"type": "object", "additionalProperties": {"type": "string"}}
                for name in ("categories", "populations", "contexts", "capacity_units")
            },
            "example": {"categories": {"housing": "ที่พักพิง"}, "populations": {"women": "ผู้หญิง"}},
        }
    )
    def get_labels(self, service):
        """Filled in by to_representation."""
        return None

    @cached_property
    def _labels_in_reader_language(self):
        """Every vocabulary's labels in the reader's language, read once for a page (from the cache)."""
        return labels_in(self.context["lang"])

    def _labels(self, data) -> dict | None:
        """The labels of the codes the result shows, in the reader's language; None without one."""
        if not self.context.get("lang"):
            return None
        labels = self._labels_in_reader_language
        shown = {name: data[name] for name in ("categories", "populations", "contexts") if data.get(name)}
        units = [entry["unit"] for entry in data.get("capacity") or ()]
        if units:
            shown["capacity_units"] = units
        return {
            vocabulary: {code: labels[vocabulary].get(code, code) for code in codes}
            for vocabulary, codes in shown.items()
        }

    def to_representation(self, service):
        """Translatable texts in the reader's language where the listing has them, each labelled with its language;
        the codes' labels in it beside them."""
        return self.in_reader_language(super().to_representation(service), service)

    def in_reader_language(self, data: dict, service) -> dict:
        """The record's fields (`data`) with its texts in the reader's language, and the codes' labels."""
        if "labels" in data:
            data["labels"] = self._labels(data)
        own, wanted = service.text_language, self.context.get("lang")
        translation = None
        if wanted and wanted != own:
            translation = next((t for t in loaded(service, "translations") if t.language == wanted), None)
        languages = {}
        for name in TRANSLATED_FIELDS:
            if name not in data:
                continue
            text = getattr(translation, name, "") if translation is not None else ""
            if text:
                data[name] = text
            languages[name] = wanted if text else own
        if "text_languages" in data:
            data["text_languages"] = languages
        return data

    @extend_schema_field(serializers.ChoiceField(choices=["location", "coverage"], allow_null=True))
    def get_matched_by(self, service):
        """How the point search found the service, in the two words it had before `reach`."""
        reach = (self.context.get("reaches") or {}).get(service.pk)
        return None if reach is None else MATCHED_BY[reach]

    @extend_schema_field(serializers.ChoiceField(choices=Reach.values, allow_null=True))
    def get_reach(self, service):
        """How the service reaches the point of the search."""
        return (self.context.get("reaches") or {}).get(service.pk)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_stale(self, service) -> bool:
        """Whether the listing is overdue for verification."""
        return is_stale(service)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_km(self, service):
        """The distance the search computed, rounded to 10 m."""
        distances = self.context.get("distances") or {}
        distance = distances.get(service.pk)
        return None if distance is None else round(distance, 2)

    @cached_property
    def _location_serializer(self):
        """One location serializer for every service of the page: DRF builds a serializer's fields on first use."""
        return self.location_serializer_class(context=self.context)

    def _locations(self, service, represent=None):
        """The service's locations as a result shows them: `represent(location)` gives each one's face."""
        represent = represent or self._location_serializer.to_representation
        links = loaded(service, "service_at_locations")
        data = [represent(link.location) for link in links]
        if self.location_serializer_class is BriefLocationSerializer:
            now = timezone.now()
            schedules = loaded(service, "schedules")
            for item, link in zip(data, links, strict=True):
                location = link.location
                hours = [schedule for schedule in schedules if schedule.location_id in (location.pk, None)]
                opening = opening_at(hours, location.time_zone, now)
                item.update(opening.as_data() if opening else dict.fromkeys(OPENING_FIELDS))
        if self.context.get("near") is not None:
            data = sorted(data, key=lambda item: (item["distance_km"] is None, item["distance_km"] or 0))
        return data


class ListingListSerializer(serializers.ListSerializer):
    """A page of search results, each record's fields read by plain code (`_Listing`), its faces and languages decided
    by the child serializer's own methods.

    DRF's nested serializers walk every field of every record, phone and place through `get_attribute` and
    `to_representation`: on a page of 20 that cost more than the search itself. The output is the child's
    (tests/test_listing_output.py compares the two); a `fields=` selection takes DRF's path.
    """

    def to_representation(self, data):
        if self.child.context.get("sparse_fields"):
            return super().to_representation(data)
        listing = _Listing(self.child)
        return [listing.service(service) for service in data]


_DATETIME, _DATE = serializers.DateTimeField(), serializers.DateField()
_LOCAL_TIME, _TEXTS = LocalTimeField(), translations_field("texts")


class _Listing:
    """Plain functions for the fields of `ServiceListSerializer` (in its fields' order), for one page."""

    def __init__(self, serializer):
        self.serializer = serializer
        self.location_serializer = serializer._location_serializer
        self.lang = serializer.context.get("lang")

    @cached_property
    def units(self):
        """The capacity units, read from the cache once for the page (a Redis round trip each cost more), and
        only by a page that shows a count."""
        return capacity_units()

    def service(self, service) -> dict:
        serializer, organization = self.serializer, service.organization
        data = {
            "id": str(service.pk),
            "name": service.name,
            "alternate_name": service.alternate_name,
            "organization": {"id": str(organization.pk), "name": organization.name},
            "status": service.status,
            "categories": codes_of(service, "categories"),
            "populations": codes_of(service, "populations"),
            "contexts": codes_of(service, "contexts"),
            "languages": codes_of(service, "languages"),
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "free": service.free,
            "intake": [str(method) for method in service.intake],
            "distance_km": serializer.get_distance_km(service),
            "matched_by": serializer.get_matched_by(service),
            "reach": serializer.get_reach(service),
            "locations": serializer._locations(service, self.location),
            "phones": [self.phone(phone) for phone in loaded(service, "phones")],
            "capacity": [self.capacity(capacity) for capacity in loaded(service, "capacities")],
            "alert": service.alert,
            "assured_date": None if service.assured_date is None else _DATE.to_representation(service.assured_date),
            "stale": is_stale(service),
            "text_language": service.text_language,
            "text_languages": {},
            "labels": None,
            "last_modified": _DATETIME.to_representation(service.last_modified),
        }
        return serializer.in_reader_language(data, service)

    def location(self, location) -> dict:
        data = {
            "id": str(location.pk),
            "location_type": location.location_type,
            "name": location.name,
            "confidential": location.confidential,
            "approximate": False,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "distance_km": None,
            "address_1": location.address_1,
            "address_2": location.address_2,
            "postal_code": location.postal_code,
            "city": location.city,
            "state_province": location.state_province,
            "country": str(location.country),
            **dict.fromkeys(OPENING_FIELDS),
            "text_languages": {},
        }
        return self.location_serializer.faced(data, location)

    def phone(self, phone) -> dict:
        data = {
            "id": str(phone.pk),
            "number": phone.number,
            "extension": phone.extension,
            "type": phone.type,
            "link": phone.link,
            "description": phone.description,
            "languages": codes_of(phone, "languages"),
            "text_languages": {},
        }
        return in_reader_language(data, phone, self.lang)

    def capacity(self, capacity) -> dict:
        return {
            "unit": capacity.unit,
            "takes": populations_taken(capacity, self.units),
            "available": capacity.available,
            "maximum": capacity.maximum,
            "updated": _DATETIME.to_representation(capacity.updated),
            "fresh": capacity_is_fresh(capacity),
        }


class RecordListSerializer(serializers.ListSerializer):
    """Whole records (the sync's), each record's fields read by plain code (`_Record`), its faces and languages decided
    by the child serializer's own methods, as `ListingListSerializer` does for results (tests/test_listing_output.py
    compares the two renderings)."""

    def to_representation(self, data):
        record = _Record(self.child)
        return [record.service(service) for service in data]


class _Record(_Listing):
    """Plain functions for the fields of `SyncServiceSerializer` (in its fields' order), for one page."""

    def __init__(self, serializer):
        super().__init__(serializer)
        self.viewer = serializer.context.get("viewer")

    def service(self, service) -> dict:
        serializer, organization = self.serializer, service.organization
        hiding = hides_a_house(service, self.viewer)
        data = {
            "id": str(service.pk),
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "organization": {
                "id": str(organization.pk),
                "name": organization.name,
                "alternate_name": organization.alternate_name,
                "description": organization.description,
                "email": organization.email,
                "website": organization.website,
                "phones": [self.phone(phone) for phone in loaded(organization, "phones")],
                "last_modified": _DATETIME.to_representation(organization.last_modified),
            },
            "status": service.status,
            "categories": codes_of(service, "categories"),
            "populations": codes_of(service, "populations"),
            "contexts": codes_of(service, "contexts"),
            "languages": codes_of(service, "languages"),
            "interpretation_services": service.interpretation_services,
            "eligibility_description": service.eligibility_description,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "free": service.free,
            "fees_description": service.fees_description,
            "application_process": service.application_process,
            "intake": [str(method) for method in service.intake],
            "distance_km": serializer.get_distance_km(service),
            "locations": serializer._locations(service, self.location),
            "phones": [self.phone(phone) for phone in loaded(service, "phones")],
            "schedules": [self.schedule(schedule) for schedule in loaded(service, "schedules")],
            "service_areas": [self.area(area, hiding) for area in loaded(service, "service_areas")],
            "capacity": [self.capacity(capacity) for capacity in loaded(service, "capacities")],
            "alert": service.alert,
            "assured_date": None if service.assured_date is None else _DATE.to_representation(service.assured_date),
            "assurer": service.assurer,
            "stale": is_stale(service),
            "text_language": service.text_language,
            "text_languages": {},
            "labels": None,
            "translations": [
                {"language": translation.language, **{name: getattr(translation, name) for name in TRANSLATED_FIELDS}}
                for translation in loaded(service, "translations")
            ],
            "last_modified": _DATETIME.to_representation(service.last_modified),
        }
        return serializer.in_reader_language(data, service)

    def location(self, location) -> dict:
        organization = location.organization
        data = {
            "id": str(location.pk),
            "organization": {"id": str(organization.pk), "name": organization.name},
            "location_type": location.location_type,
            "name": location.name,
            "description": location.description,
            "confidential": location.confidential,
            "approximate": False,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "distance_km": None,
            "address_1": location.address_1,
            "address_2": location.address_2,
            "city": location.city,
            "region": location.region,
            "state_province": location.state_province,
            "postal_code": location.postal_code,
            "country": str(location.country),
            "time_zone": location.time_zone,
            "coordinates_source": location.coordinates_source,
            "transportation": location.transportation,
            "accessibility": location.accessibility,
            "phones": [self.phone(phone) for phone in loaded(location, "phones")],
            "text_languages": {},
            "translations": _texts_by_language(location.translations),
            "last_modified": _DATETIME.to_representation(location.last_modified),
        }
        return self.location_serializer.faced(data, location)

    def phone(self, phone) -> dict:
        data = super().phone(phone)
        data["translations"] = _texts_by_language(phone.translations)
        return data

    @staticmethod
    def schedule(schedule) -> dict:
        return {
            "id": str(schedule.pk),
            "location": None if schedule.location_id is None else str(schedule.location_id),
            "weekday": schedule.weekday,
            "all_day": schedule.all_day,
            "opens_at": None if schedule.opens_at is None else _LOCAL_TIME.to_representation(schedule.opens_at),
            "closes_at": None if schedule.closes_at is None else _LOCAL_TIME.to_representation(schedule.closes_at),
            "time_zone": schedule.time_zone,
            "description": schedule.description,
        }

    @staticmethod
    def area(area, hiding: bool) -> dict:
        data = {
            "id": str(area.pk),
            "kind": area.kind,
            "name": area.name,
            "country": str(area.country),
            "state_province": area.state_province,
            "latitude": None,
            "longitude": None,
            "radius_km": area.radius_km,
        }
        return ServiceAreaSerializer.faced(data, area, hiding)


def _texts_by_language(translations) -> dict | None:
    """A record's `translations` column as its read shape (`translations_field`) gives it: {language: {text: str}}."""
    return None if translations is None else _TEXTS.to_representation(translations)


class ServiceListSerializer(_ServiceBaseSerializer):
    """A compact search result."""

    locations = serializers.SerializerMethodField(help_text="Where the service is given, nearest first.")
    phones = BriefPhoneSerializer(many=True, read_only=True, help_text="Front-door contacts of the service.")

    class Meta:
        list_serializer_class = ListingListSerializer  # the same output, by plain code
        model = Service
        fields = [
            "id",
            "name",
            "alternate_name",
            "organization",
            "status",
            "categories",
            "populations",
            "contexts",
            "languages",
            "minimum_age",
            "maximum_age",
            "free",
            "intake",
            "distance_km",
            "matched_by",
            "reach",
            "locations",
            "phones",
            "capacity",
            "alert",
            "assured_date",
            "stale",
            "text_language",
            "text_languages",
            "labels",
            "last_modified",
        ]

    @extend_schema_field(BriefLocationSerializer(many=True))
    def get_locations(self, service):
        """The service's locations (public faces where confidential)."""
        return self._locations(service)


class ServiceDetailSerializer(_ServiceBaseSerializer):
    """The whole record of a service."""

    locations = serializers.SerializerMethodField(help_text="Where the service is given.")
    schedules = ScheduleSerializer(many=True, read_only=True, help_text="Weekly opening hours, in local time.")
    service_areas = serializers.SerializerMethodField(help_text="Countries, provinces or circles the service reaches.")
    translations = ServiceTranslationSerializer(
        many=True, read_only=True, help_text="The listing's texts in other languages (for offline language switching)."
    )

    location_serializer_class = LocationSerializer

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "organization",
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
            "distance_km",
            "locations",
            "phones",
            "schedules",
            "service_areas",
            "capacity",
            "alert",
            "assured_date",
            "assurer",
            "stale",
            "text_language",
            "text_languages",
            "labels",
            "translations",
            "last_modified",
        ]

    @extend_schema_field(LocationSerializer(many=True))
    def get_locations(self, service):
        """The service's locations (public faces where confidential)."""
        return self._locations(service)

    @extend_schema_field(ServiceAreaSerializer(many=True))
    def get_service_areas(self, service):
        """The areas, their centres snapped while the service hides a house from this reader: decided here, from
        the service, so that its areas need not point back at it (a reference cycle per record)."""
        hiding = hides_a_house(service, self.context.get("viewer"))
        return [self._area_serializer.faced_for(area, hiding) for area in loaded(service, "service_areas")]

    @cached_property
    def _area_serializer(self):
        return ServiceAreaSerializer(context=self.context)


class OrganizationSerializer(serializers.ModelSerializer):
    """An organisation."""

    phones = PhoneSerializer(many=True, read_only=True, help_text="General numbers of the organisation.")
    service_count = serializers.IntegerField(read_only=True, help_text="Active, public services it lists.")

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "alternate_name",
            "description",
            "email",
            "website",
            "phones",
            "service_count",
            "last_modified",
        ]


class ResolvedPlaceSerializer(serializers.Serializer):
    """The place a `near=` name was taken to mean."""

    name = serializers.CharField(help_text="The place's name.")
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 country code.")
    latitude = serializers.FloatField(help_text="WGS84 latitude the search used.")
    longitude = serializers.FloatField(help_text="WGS84 longitude the search used.")
    source = serializers.CharField(help_text="gazetteer (GeoNames, offline) or geocoder.")
    geonameid = serializers.IntegerField(allow_null=True, help_text="GeoNames id, for gazetteer places.")


class PlaceSerializer(serializers.Serializer):
    """A town of the offline gazetteer."""

    geonameid = serializers.IntegerField(help_text="GeoNames id.")
    name = serializers.CharField(help_text="The place's name.")
    matched = serializers.CharField(help_text="The (normalised) name that matched what was typed.")
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 country code.")
    latitude = serializers.FloatField(help_text="WGS84 latitude.")
    longitude = serializers.FloatField(help_text="WGS84 longitude.")
    population = serializers.IntegerField(help_text="Population (GeoNames).")
    time_zone = serializers.CharField(help_text="IANA time zone.")
