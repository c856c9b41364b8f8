"""Services, what they reach and how much room they have."""

import difflib
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from referrals.choices import IntakeMethod, ServiceAreaKind, ServiceStatus
from referrals.geo import snap_to_grid
from referrals.managers import ServiceQuerySet, owned_queryset
from referrals.models.validators import (
    AGE_VALIDATORS,
    LATITUDE_VALIDATORS,
    LONGITUDE_VALIDATORS,
    validate_finite,
    validate_listing_language,
)

# Longest text of a listing, in characters: room for a full description, and a bound on what search indexes.
TEXT_LIMIT = 10000
# Kept by referrals.services.sync alone.
SYNC_FIELDS = frozenset({"sync_version", "public_sync_version", "sync_state"})


class Service(models.Model):
    """Help that an organisation offers (HSDS service)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Stable identifier (UUID).")
    organization = models.ForeignKey(
        "referrals.Organization",
        on_delete=models.PROTECT,
        related_name="services",
        help_text="Organisation that offers the service.",
    )
    name = models.CharField(max_length=200, help_text="Name of the service.")
    alternate_name = models.CharField(max_length=200, blank=True, help_text="Other name or acronym.")
    description = models.TextField(max_length=TEXT_LIMIT, blank=True, help_text="What the service offers.")
    url = models.URLField(blank=True, help_text="Web page of the service.")
    email = models.EmailField(blank=True, help_text="Intake email of the service.")
    status = models.CharField(
        max_length=20,
        choices=ServiceStatus.choices,
        default=ServiceStatus.ACTIVE,
        help_text="active, inactive, defunct or temporarily closed.",
    )
    categories = models.ManyToManyField(
        "referrals.Category", related_name="services", help_text="Kinds of help (category codes)."
    )
    populations = models.ManyToManyField(
        "referrals.Population",
        related_name="services",
        blank=True,
        help_text="Groups of people served (population codes).",
    )
    contexts = models.ManyToManyField(
        "referrals.Context", related_name="services", blank=True, help_text="Where or how it operates (context codes)."
    )
    languages = models.ManyToManyField(
        "referrals.Language", related_name="services", blank=True, help_text="Languages the service is delivered in."
    )
    interpretation_services = models.TextField(
        max_length=TEXT_LIMIT, blank=True, help_text="Interpretation available on request."
    )
    eligibility_description = models.TextField(max_length=TEXT_LIMIT, blank=True, help_text="Who may use it, in words.")
    minimum_age = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=AGE_VALIDATORS,
        help_text="Youngest age served, in years (empty: no lower limit).",
    )
    maximum_age = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=AGE_VALIDATORS,
        help_text="Oldest age served, in years (empty: no upper limit).",
    )
    free = models.BooleanField(default=True, help_text="The service costs the person nothing.")
    fees_description = models.TextField(max_length=TEXT_LIMIT, blank=True, help_text="What it costs, in words.")
    application_process = models.TextField(
        max_length=TEXT_LIMIT, blank=True, help_text="How to get the service, in words."
    )
    intake_walk_in = models.BooleanField("walk-in", default=False, help_text="People may walk in.")
    intake_referral = models.BooleanField(
        "by referral", default=True, help_text="People come referred by a caseworker or agency."
    )
    intake_hotline = models.BooleanField("by hotline", default=False, help_text="People come through a hotline.")
    alert = models.TextField(
        max_length=TEXT_LIMIT, blank=True, help_text="Short-term notice, e.g. closed for flooding."
    )
    text_language = models.CharField(
        max_length=3,
        default="en",
        validators=[validate_listing_language],
        help_text="Language the listing's own texts (name, description, ...) are written in (ISO 639-1).",
    )
    assured_date = models.DateField(null=True, blank=True, help_text="When a person last verified the listing.")
    assurer = models.CharField(max_length=200, blank=True, help_text="Who verified it.")
    created = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    last_modified = models.DateTimeField(auto_now=True, db_index=True, help_text="When the record last changed.")
    # Names and descriptions of the service and its organisation, lower-cased, for keyword search.
    search_text = models.TextField(blank=True, editable=False)
    # The countries of its locations and service areas, as "|KH|TH|": what `country=` matches, tested on
    # the row (kept by referrals.services.search_index with the search entries).
    countries = models.TextField(blank=True, default="", editable=False)
    # Its codes in each vocabulary, each list in the vocabulary's order ({"categories": ["housing", ...], ...}), as a
    # page of results or of sync records shows them, read from the row rather than from four link tables (kept by
    # referrals.services.search_index with the search entries, and when a term moves).
    vocabulary_codes = models.JSONField(default=dict, blank=True, editable=False)
    # Delta sync (referrals.services.sync): the version of the last change to the service or anything
    # it shows, and where it was and who could see it then (to know whom a later change takes it from).
    sync_version = models.BigIntegerField(default=0, editable=False)
    # The version of the last change that public readers can see: a change to nothing but a safe house's
    # hidden face (its address, its exact point within its cell, its own phones) leaves it, so that the
    # public sync does not re-send, and so point out, the one house that changed.
    public_sync_version = models.BigIntegerField(default=0, db_default=0, editable=False)
    sync_state = models.JSONField(default=dict, blank=True, editable=False)

    objects = ServiceQuerySet.as_manager()

    history = HistoricalRecords(
        m2m_fields=[categories, populations, contexts, languages],
        excluded_fields=["sync_version", "public_sync_version", "sync_state", "countries", "vocabulary_codes"],
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["sync_version", "id"]),
            models.Index(fields=["public_sync_version", "id"], name="service_public_sync_idx"),
            models.Index(fields=["status", "name"]),
            models.Index(fields=["minimum_age", "maximum_age"]),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Keep the search text in step with the names and descriptions."""
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        elif not self._state.adding and not kwargs.get("force_insert"):
            # The sync fields belong to referrals.services.sync, which sets them with queries of its own
            # after every change; an instance loaded before that must not write its stale copy back.
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in SYNC_FIELDS
            ]
        super().save(*args, **kwargs)

    def clean(self):
        """Ages must make a range."""
        if self.minimum_age is not None and self.maximum_age is not None and self.minimum_age > self.maximum_age:
            raise ValidationError({"maximum_age": _("Must not be below minimum_age.")})

    def refresh_search_text(self) -> None:
        """Recompute the keyword-search text after a translation changed (no history entry, no sync state)."""
        Service.objects.filter(pk=self.pk).update(search_text=self.build_search_text())

    @property
    def intake(self) -> list[str]:
        """The intake methods as codes (walk_in, referral, hotline)."""
        flags = {
            IntakeMethod.WALK_IN: self.intake_walk_in,
            IntakeMethod.REFERRAL: self.intake_referral,
            IntakeMethod.HOTLINE: self.intake_hotline,
        }
        return [str(code) for code, on in flags.items() if on]

    def build_search_text(self, organization=None) -> str:
        """The text that keyword search looks in: the listing's texts in every language, and its organisation's."""
        organization = organization or self.organization
        parts = [
            self.name,
            self.alternate_name,
            self.description,
            self.eligibility_description,
            organization.name,
            organization.alternate_name,
        ]
        if not self._state.adding:
            for translation in self.translations.all():
                parts.extend(getattr(translation, name) for name in SEARCHED_TRANSLATION_FIELDS)
        return normalize_search_text(" ".join(part for part in parts if part))


# Translated texts that keyword search looks in (fees and the application process are not searched).
SEARCHED_TRANSLATION_FIELDS = ("name", "alternate_name", "description", "eligibility_description")
TRANSLATED_FIELDS = (*SEARCHED_TRANSLATION_FIELDS, "fees_description", "application_process")


def normalize_search_text(text: str) -> str:
    """One form for stored text and typed queries: Unicode NFC (Thai, Khmer, Burmese, Vietnamese marks
    typed in another order still match), lower case."""
    return unicodedata.normalize("NFC", text).lower()


class ServiceTranslation(models.Model):
    """A listing's texts in another language; what is left empty falls back to the listing's own text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Stable identifier (UUID).")
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="translations", help_text="The service translated."
    )
    language = models.CharField(
        max_length=3, validators=[validate_listing_language], help_text="ISO 639-1 code of the translation."
    )
    name = models.CharField(max_length=200, blank=True, help_text="Name of the service.")
    alternate_name = models.CharField(max_length=200, blank=True, help_text="Other name or acronym.")
    description = models.TextField(max_length=TEXT_LIMIT, blank=True, help_text="What the service offers.")
    eligibility_description = models.TextField(max_length=TEXT_LIMIT, blank=True, help_text="Who may use it, in words.")
    fees_description = models.TextField(max_length=TEXT_LIMIT, blank=True, help_text="What it costs, in words.")
    application_process = models.TextField(
        max_length=TEXT_LIMIT, blank=True, help_text="How to get the service, in words."
    )
    last_modified = models.DateTimeField(auto_now=True, help_text="When the translation last changed.")

    objects = owned_queryset("service__organization_id").as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["service", "language"], name="one_translation_per_language"),
        ]

    def __str__(self):
        return f"{self.service_id} [{self.language}]"

    def save(self, *args, **kwargs):
        """Save, then let keyword search find the service by these words (one transaction: no reader sees the
        new version with the old search text)."""
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.service.refresh_search_text()

    def delete(self, *args, **kwargs):
        """Delete, then forget these words in keyword search (one transaction)."""
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            self.service.refresh_search_text()
        return result

    def clean(self):
        """A translation into the listing's own language says nothing new."""
        if self.service_id and self.language == self.service.text_language:
            raise ValidationError({"language": _("The listing's own texts are in this language; edit them instead.")})


def public_area_center(latitude, longitude, confidential_service: bool) -> tuple[float | None, float | None]:
    """An area's centre as public readers may see it: grid-snapped when the service runs a confidential location.

    An outreach area drawn around a safe house would otherwise publish the house's point. One rule for
    the API, the general search and the search index.
    """
    if latitude is None or longitude is None or not confidential_service:
        return latitude, longitude
    cell = settings.CONFIDENTIAL_GRID_DEGREES
    return snap_to_grid(latitude, cell), snap_to_grid(longitude, cell)


class ServiceArea(models.Model):
    """Where a service reaches beyond its own locations: a country, a province or a circle."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Stable identifier (UUID).")
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_areas", help_text="The service that reaches the area."
    )
    kind = models.CharField(max_length=10, choices=ServiceAreaKind.choices, help_text="country, province or radius.")
    name = models.CharField(max_length=200, blank=True, help_text="E.g. 'Mae La camp and surroundings'.")
    country = CountryField(help_text="ISO 3166-1 alpha-2 country code.")
    state_province = models.CharField(max_length=100, blank=True, help_text="Province or state (for a province area).")
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=LATITUDE_VALIDATORS,
        help_text="Centre latitude (for a radius area).",
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=LONGITUDE_VALIDATORS,
        help_text="Centre longitude (for a radius area).",
    )
    radius_km = models.FloatField(
        null=True,
        blank=True,
        validators=[validate_finite, MinValueValidator(0.1), MaxValueValidator(500)],
        help_text="Radius in km (for a radius area).",
    )

    objects = owned_queryset("service__organization_id").as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name", "id"]

    def __str__(self):
        return self.name or f"{self.get_kind_display()} {self.country}"

    def public_center(self, confidential_service: bool) -> tuple[float | None, float | None]:
        """The centre public readers may see (see `public_area_center`)."""
        return public_area_center(self.latitude, self.longitude, confidential_service)

    def _province_errors(self) -> dict:
        """A province area names a province the gazetteer knows, so that searches can find it."""
        from referrals.gazetteer import province_key, provinces_of

        if not self.state_province:
            return {"state_province": _("A province area needs the province's name.")}
        known = provinces_of(str(self.country))
        if known and province_key(self.state_province) not in known:
            close = difflib.get_close_matches(province_key(self.state_province), list(known), n=3, cutoff=0.6)
            message = _("Not a province of %(country)s that the gazetteer knows.") % {"country": self.country}
            if close:
                hint = _("Did you mean: %(names)s?") % {"names": ", ".join(known[key] for key in close)}
                message = f"{message} {hint}"
            return {"state_province": message}
        return {}

    def clean(self):
        """Each kind needs its own fields."""
        errors = {}
        if self.kind == ServiceAreaKind.PROVINCE:
            errors.update(self._province_errors())
        if self.kind == ServiceAreaKind.RADIUS:
            for field in ("latitude", "longitude", "radius_km"):
                if getattr(self, field) is None:
                    errors[field] = _("A radius area needs a centre and a radius.")
        if errors:
            raise ValidationError(errors)


class ServiceCapacity(models.Model):
    """How many places a service has free, per unit, as last reported by a person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Stable identifier (UUID).")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="capacities", help_text="The service.")
    unit = models.CharField(
        max_length=40, help_text="What is counted: a capacity unit's code, e.g. beds_women (/api/v1/capacity-units/)."
    )
    available = models.PositiveIntegerField(help_text="Places free now.")
    maximum = models.PositiveIntegerField(null=True, blank=True, help_text="Places in all.")
    updated = models.DateTimeField(db_index=True, help_text="When a person last reported the count.")

    objects = owned_queryset("service__organization_id").as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "service capacities"
        ordering = ["unit"]
        constraints = [models.UniqueConstraint(fields=["service", "unit"], name="unique_capacity_unit_per_service")]
        indexes = [models.Index(fields=["service", "available", "updated"])]

    def __str__(self):
        return f"{self.unit}: {self.available}"

    def clean(self):
        """A known unit; available places cannot exceed the maximum."""
        from referrals.models.taxonomies import CapacityUnit

        if self.unit and not CapacityUnit.objects.filter(code=self.unit).exists():
            raise ValidationError({"unit": f"Unknown capacity unit {self.unit[:40]!r}: see /api/v1/capacity-units/."})
        if self.maximum is not None and self.available is not None and self.available > self.maximum:
            raise ValidationError({"available": _("Must not exceed maximum.")})


class AppliedCapacityChange(models.Model):
    """A change of free places sent with an idempotency key: a phone that sends it again is not counted twice."""

    key = models.UUIDField(primary_key=True, help_text="The sender's idempotency key.")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    unit = models.CharField(max_length=40)
    applied_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.unit} ({self.key})"
