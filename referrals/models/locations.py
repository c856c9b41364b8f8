"""Places where services are delivered, their phones and opening hours."""

import json
import re
import uuid
import zoneinfo
from functools import cache
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from referrals.choices import MESSAGING_BY_HANDLE, MESSAGING_BY_NUMBER, LocationType, PhoneType, Weekday
from referrals.geo import snap_to_grid
from referrals.managers import LocationQuerySet, owned_queryset
from referrals.models.validators import LATITUDE_VALIDATORS, LONGITUDE_VALIDATORS


@cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str):
    """Accept only IANA time zone names."""
    if value not in _time_zone_names():
        message = _("%(value)s is not an IANA time zone name (e.g. Asia/Bangkok).")
        raise ValidationError(message % {"value": repr(value)})


def translation_errors(translations, lengths: dict[str, int]) -> list[str]:
    """What is wrong with a record's `translations` ({language: {text name: text}}): listing languages only, and
    only the texts the record translates (`lengths`: their names and longest lengths). Empty: nothing."""
    example = json.dumps({"th": {next(iter(lengths)): "..."}})
    if not isinstance(translations, dict):
        return [f"Give an object of translations by language code, e.g. {example}."]
    errors = []
    for language, texts in translations.items():
        shown = repr(str(language)[:10])
        if language not in settings.LISTING_LANGUAGES:
            errors.append(f"Unsupported language {shown}; use one of: {', '.join(settings.LISTING_LANGUAGES)}.")
        elif not isinstance(texts, dict):
            errors.append(f"{shown}: give an object of texts, e.g. {example}.")
        else:
            for name, text in texts.items():
                if name not in lengths:
                    errors.append(
                        f"{shown}: {str(name)[:40]!r} is not translated here; translatable: {', '.join(lengths)}."
                    )
                elif not isinstance(text, str):
                    errors.append(f"{shown}: {name} must be text.")
                elif len(text) > lengths[name]:
                    errors.append(f"{shown}: {name} has more than {lengths[name]} characters.")
    return errors[:20]


def translated_text(record, name: str, language: str | None) -> str:
    """The record's text `name` in the language, where it has a translation there; else empty."""
    if not language:
        return ""
    texts = (record.translations or {}).get(language)
    text = texts.get(name) if isinstance(texts, dict) else None
    return text if isinstance(text, str) else ""


class Location(models.Model):
    """A place (HSDS location). A confidential one is a safe house whose address must not leak."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Stable identifier (UUID).")
    organization = models.ForeignKey(
        "referrals.Organization",
        on_delete=models.PROTECT,
        related_name="locations",
        help_text="Organisation that runs this place.",
    )
    location_type = models.CharField(
        max_length=10,
        choices=LocationType.choices,
        default=LocationType.PHYSICAL,
        help_text="physical, postal or virtual.",
    )
    name = models.CharField(
        max_length=200, help_text="Name of the place (never shown to the public for a confidential location)."
    )
    description = models.TextField(blank=True, help_text="What the place is like (hidden for a confidential location).")
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=LATITUDE_VALIDATORS,
        help_text="Exact WGS84 latitude (hidden for a confidential location).",
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=LONGITUDE_VALIDATORS,
        help_text="Exact WGS84 longitude (hidden for a confidential location).",
    )
    address_1 = models.CharField(
        "address",
        max_length=200,
        blank=True,
        help_text="Street address, first line (hidden for a confidential location).",
    )
    address_2 = models.CharField(
        max_length=200, blank=True, help_text="Street address, second line (hidden for a confidential location)."
    )
    city = models.CharField(max_length=100, blank=True, help_text="City or town.")
    region = models.CharField(max_length=100, blank=True, help_text="A region within the country, if any.")
    state_province = models.CharField(
        "state / province", max_length=100, blank=True, help_text="State, province or division."
    )
    postal_code = models.CharField(
        max_length=20, blank=True, help_text="Postal code (hidden for a confidential location)."
    )
    country = CountryField(help_text="ISO 3166-1 alpha-2.")
    time_zone = models.CharField(
        max_length=50,
        default="Asia/Bangkok",
        validators=[validate_time_zone],
        help_text="IANA time zone of the place, e.g. Asia/Bangkok; opening hours are in it.",
    )
    transportation = models.TextField(blank=True, help_text="How to get there.")
    accessibility = models.TextField(
        blank=True, help_text="Physical access: ramps, lifts, accessible toilets (hidden for a confidential location)."
    )
    coordinates_source = models.CharField(
        max_length=10,
        choices=[("given", "Given"), ("address", "Geocoded address"), ("town", "Town centre"), ("none", "None")],
        default="given",
        help_text="Where latitude/longitude came from: given, geocoded from the address, the town's centre, or none.",
    )
    confidential = models.BooleanField(
        default=False,
        help_text="A safe house: the public sees only the city and a grid-snapped approximate point.",
    )
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text='The name in other languages, by ISO 639-1 code: {"th": {"name": "..."}} (hidden for a '
        "confidential location, as the name is).",
    )
    # The point that public readers see and search by: the exact point for ordinary locations,
    # the centre of the grid cell for confidential ones. Derived on save; never edited by hand.
    public_latitude = models.FloatField(null=True, blank=True, editable=False)
    public_longitude = models.FloatField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    last_modified = models.DateTimeField(auto_now=True, db_index=True, help_text="When the record last changed.")

    objects = LocationQuerySet.as_manager()

    history = HistoricalRecords()

    # Texts with translations in `translations`, and their longest lengths.
    TRANSLATED_TEXTS = {"name": 200}

    # What public readers see of a confidential location (with its public point); every other field is its
    # hidden face (the name and its `translations` too). api.serializers.LocationSerializer.Meta.public_fields
    # shows the same, by API names.
    PUBLIC_FACE_FIELDS = (
        "organization_id",
        "location_type",
        "confidential",
        "city",
        "region",
        "state_province",
        "country",
        "time_zone",
        "public_latitude",
        "public_longitude",
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["public_latitude", "public_longitude"], name="location_public_point"),
            models.Index(fields=["latitude", "longitude"], name="location_exact_point"),
            models.Index(fields=["country"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="location_point_in_range_or_empty",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.city})" if self.city else self.name

    def save(self, *args, **kwargs):
        """Save (the public point is derived in a pre_save receiver), then align its hours' time zone."""
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "public_latitude", "public_longitude"}
        super().save(*args, **kwargs)
        # Opening hours at this place follow its time zone.
        self.schedules.exclude(time_zone=self.time_zone).update(time_zone=self.time_zone)

    def clean(self):
        """A point needs both coordinates; a physical place needs a point or an address; translations name
        listing languages and the name only."""
        if self.translations is None:  # a form's emptied field: no translations
            self.translations = {}
        if errors := translation_errors(self.translations, self.TRANSLATED_TEXTS):
            raise ValidationError({"translations": errors})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})
        if self.location_type == LocationType.PHYSICAL and self.latitude is None and not self.city:
            raise ValidationError({"latitude": _("A physical location needs a point or at least a city.")})
        if self.confidential and self.organization_id and not self.has_front_door():
            raise ValidationError(
                {"confidential": _("A confidential location needs a front-door contact first: add an intake phone to "
                 "the organisation or to one of its services, so that people can be referred without the address.")}
            )  # fmt: skip

    def has_front_door(self) -> bool:
        """Whether the organisation has a phone the public may call instead of coming to the door."""
        return Phone.objects.filter(
            models.Q(organization_id=self.organization_id) | models.Q(service__organization_id=self.organization_id)
        ).exists()

    def public_face(self) -> tuple:
        """The values of the public face's fields, to tell whether a change shows to public readers."""
        return tuple(str(getattr(self, name)) for name in self.PUBLIC_FACE_FIELDS)

    def refresh_public_point(self):
        """Set the public point from the exact point and the confidential flag."""
        self.public_latitude, self.public_longitude = self.compute_public_point()

    def compute_public_point(self) -> tuple[float | None, float | None]:
        """The point public readers may see: exact, or grid-snapped when confidential."""
        if self.latitude is None or self.longitude is None:
            return None, None
        if not self.confidential:
            return self.latitude, self.longitude
        cell = settings.CONFIDENTIAL_GRID_DEGREES
        return snap_to_grid(self.latitude, cell), snap_to_grid(self.longitude, cell)


class ServiceAtLocation(models.Model):
    """That a service is delivered at a location (HSDS service_at_location)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Stable identifier (UUID).")
    service = models.ForeignKey(
        "referrals.Service", on_delete=models.CASCADE, related_name="service_at_locations", help_text="The service."
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations", help_text="Where it is delivered."
    )
    description = models.TextField(blank=True, help_text="Anything particular to the service at this place.")

    objects = owned_queryset("service__organization_id").as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "service at location"
        verbose_name_plural = "services at locations"
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="unique_service_at_location")]

    def __str__(self):
        return f"{self.service} at {self.location}"

    def clean(self):
        """A service is delivered only at its own organisation's locations."""
        if self.service_id and self.location_id and self.service.organization_id != self.location.organization_id:
            raise ValidationError({"location": _("The location belongs to another organisation.")})


class Phone(models.Model):
    """A phone number of an organisation, a service (its front door) or a location (HSDS phone)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Stable identifier (UUID).")
    organization = models.ForeignKey(
        "referrals.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        "referrals.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="phones",
        help_text="Location this number belongs to (hidden for a confidential location).",
    )
    number = models.CharField(
        max_length=64,
        help_text="In international format, e.g. +66 2 555 0142; for LINE, Messenger, Telegram and WeChat the "
        "account's ID or username (e.g. @harbourhelp).",
    )
    extension = models.CharField(max_length=10, blank=True, help_text="Extension, if any.")
    type = models.CharField(
        max_length=10,
        choices=PhoneType.choices,
        default=PhoneType.VOICE,
        help_text="voice, hotline, text, cell, fax, video, or a messaging app: line, viber, whatsapp, messenger, "
        "zalo, signal, telegram, wechat.",
    )
    description = models.CharField(max_length=200, blank=True, help_text="E.g. '24-hour intake line'.")
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text='The description in other languages, by ISO 639-1 code: {"th": {"description": "..."}}.',
    )
    languages = models.ManyToManyField(
        "referrals.Language", blank=True, related_name="phones", help_text="Languages spoken on this line."
    )

    objects = owned_queryset("organization_id", "service__organization_id", "location__organization_id").as_manager()
    history = HistoricalRecords()

    # Texts with translations in `translations`, and their longest lengths.
    TRANSLATED_TEXTS = {"description": 200}

    class Meta:
        ordering = ["type", "number", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(organization__isnull=False, service__isnull=True, location__isnull=True)
                    | models.Q(organization__isnull=True, service__isnull=False, location__isnull=True)
                    | models.Q(organization__isnull=True, service__isnull=True, location__isnull=False)
                ),
                name="phone_has_exactly_one_owner",
            ),
        ]

    def __str__(self):
        return self.number

    def clean(self):
        """A phone belongs to exactly one of organisation, service or location; a messaging account is well formed;
        translations name listing languages and the description only."""
        owners = [self.organization_id, self.service_id, self.location_id]
        if sum(owner is not None for owner in owners) != 1:
            raise ValidationError(_("A phone belongs to exactly one organisation, service or location."))
        if self.translations is None:  # a form's emptied field: no translations
            self.translations = {}
        if errors := translation_errors(self.translations, self.TRANSLATED_TEXTS):
            raise ValidationError({"translations": errors})
        if self.type in MESSAGING_BY_NUMBER and not INTERNATIONAL_NUMBER.fullmatch(self.number or ""):
            raise ValidationError(
                {"number": _("%(app)s reaches a phone number: give it in international format, "
                 "e.g. +66 81 555 0142.") % {"app": self.get_type_display()}}
            )  # fmt: skip
        if self.type in MESSAGING_BY_HANDLE and not MESSAGING_HANDLE.fullmatch(self.number or ""):
            raise ValidationError(
                {"number": _("Give the %(app)s account's ID or username: letters, digits, dots, dashes and "
                 "underscores (LINE official accounts start with @).") % {"app": self.get_type_display()}}
            )  # fmt: skip

    @property
    def link(self) -> str | None:
        """A link that opens the contact in one tap: tel:/sms: for numbers, the app's own link for messaging."""
        return contact_link(self.type, self.number, self.extension)


INTERNATIONAL_NUMBER = re.compile(r"\+[1-9][0-9 ().-]{5,24}")
MESSAGING_HANDLE = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


def contact_link(kind: str, number: str, extension: str = "") -> str | None:
    """The deep link of a contact, or None where there is none (fax; WeChat has no public link to an ID)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    # A national short code (a 4-digit hotline such as 1300) is dialled as it is; anything else with its +.
    dialled = ("+" if number.strip().startswith("+") else "") + digits
    handle = quote(number.removeprefix("@"), safe="._-")
    if not digits and kind not in MESSAGING_BY_HANDLE:
        return None
    if kind in (PhoneType.VOICE, PhoneType.HOTLINE, PhoneType.CELL, PhoneType.VIDEO):
        return f"tel:{dialled}" + (f";ext={extension}" if extension else "")
    return {
        PhoneType.TEXT: f"sms:{dialled}",
        # LINE: official accounts are @ids, personal ones are added with ~id.
        PhoneType.LINE: f"https://line.me/R/ti/p/{'@' if number.startswith('@') else '~'}{handle}",
        PhoneType.VIBER: f"viber://chat?number=%2B{digits}",
        PhoneType.WHATSAPP: f"https://wa.me/{digits}",
        PhoneType.MESSENGER: f"https://m.me/{handle}",
        PhoneType.ZALO: f"https://zalo.me/{digits}",
        PhoneType.SIGNAL: f"https://signal.me/#p/+{digits}",
        PhoneType.TELEGRAM: f"https://t.me/{handle}",
    }.get(kind)


class Schedule(models.Model):
    """Weekly opening hours of a service (at one location), in that place's time zone (HSDS schedule)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Stable identifier (UUID).")
    service = models.ForeignKey(
        "referrals.Service",
        on_delete=models.CASCADE,
        related_name="schedules",
        help_text="The service these hours belong to.",
    )
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedules",
        help_text="Location these hours apply at; empty when they apply wherever the service is.",
    )
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, null=True, blank=True, help_text="Empty means every day."
    )
    all_day = models.BooleanField(default=False, help_text="Open the whole day (with an empty weekday: 24/7).")
    opens_at = models.TimeField(null=True, blank=True, help_text="Opening time, local (HH:MM).")
    closes_at = models.TimeField(
        null=True, blank=True, help_text="A closing time at or before the opening time means the next morning."
    )
    time_zone = models.CharField(
        max_length=50,
        blank=True,
        validators=[validate_time_zone],
        help_text="Only for hours without a location; otherwise the location's time zone.",
    )
    description = models.CharField(max_length=200, blank=True, help_text="Notes, e.g. 'Closed on public holidays'.")

    objects = owned_queryset("service__organization_id").as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["weekday", "opens_at", "id"]
        indexes = [models.Index(fields=["time_zone", "weekday"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(all_day=True, opens_at__isnull=True, closes_at__isnull=True)
                | models.Q(all_day=False, opens_at__isnull=False, closes_at__isnull=False),
                name="schedule_all_day_or_hours",
            ),
        ]

    def __str__(self):
        day = self.get_weekday_display() if self.weekday else "Every day"
        hours = "24 hours" if self.all_day else f"{self.opens_at:%H:%M}-{self.closes_at:%H:%M}"
        return f"{day} {hours}"

    def save(self, *args, **kwargs):
        """Take the location's time zone, so that `open_now` can be decided without a join."""
        if self.location_id:
            self.time_zone = self.location.time_zone
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "time_zone"}
        super().save(*args, **kwargs)

    def clean(self):
        """Either all day, or both an opening and a closing time."""
        if self.all_day and (self.opens_at or self.closes_at):
            raise ValidationError({"all_day": _("An all-day schedule has no opening or closing time.")})
        if not self.all_day and (self.opens_at is None or self.closes_at is None):
            raise ValidationError({"opens_at": _("Give opening and closing times, or mark it all day.")})
        if not self.time_zone and not self.location_id:
            raise ValidationError({"time_zone": _("Give a time zone or a location.")})
        if self.location_id and self.service_id and self.location.organization_id != self.service.organization_id:
            raise ValidationError({"location": _("The location belongs to another organisation.")})
