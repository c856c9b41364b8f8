"""Closed vocabularies that are part of the API contract (HSDS 3.x values where HSDS has them)."""

from django.db import models


class ServiceStatus(models.TextChoices):
    """HSDS service.status."""

    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class LocationType(models.TextChoices):
    """HSDS location.location_type."""

    PHYSICAL = "physical", "Physical"
    POSTAL = "postal", "Postal"
    VIRTUAL = "virtual", "Virtual"


class PhoneType(models.TextChoices):
    """HSDS phone.type, plus hotline for the field's 24/7 lines, plus the messaging apps caseworkers in the
    region reach services on (more than by voice)."""

    VOICE = "voice", "Voice"
    HOTLINE = "hotline", "Hotline"
    TEXT = "text", "Text / SMS"
    CELL = "cell", "Mobile"
    FAX = "fax", "Fax"
    VIDEO = "video", "Video"
    LINE = "line", "LINE"
    VIBER = "viber", "Viber"
    WHATSAPP = "whatsapp", "WhatsApp"
    MESSENGER = "messenger", "Messenger"
    ZALO = "zalo", "Zalo"
    SIGNAL = "signal", "Signal"
    TELEGRAM = "telegram", "Telegram"
    WECHAT = "wechat", "WeChat"


# Messaging apps whose account is a phone number (`number` holds it in international format), and those whose
# account is an ID or username (`number` holds the handle).
MESSAGING_BY_NUMBER = frozenset({PhoneType.VIBER, PhoneType.WHATSAPP, PhoneType.ZALO, PhoneType.SIGNAL})
MESSAGING_BY_HANDLE = frozenset({PhoneType.LINE, PhoneType.MESSENGER, PhoneType.TELEGRAM, PhoneType.WECHAT})


class Weekday(models.IntegerChoices):
    """ISO 8601 weekday numbers (Monday is 1)."""

    MONDAY = 1, "Monday"
    TUESDAY = 2, "Tuesday"
    WEDNESDAY = 3, "Wednesday"
    THURSDAY = 4, "Thursday"
    FRIDAY = 5, "Friday"
    SATURDAY = 6, "Saturday"
    SUNDAY = 7, "Sunday"


class IntakeMethod(models.TextChoices):
    """How a person reaches the service (application process)."""

    WALK_IN = "walk_in", "Walk-in"
    REFERRAL = "referral", "By referral"
    HOTLINE = "hotline", "By hotline"


class CapacityUnitCode(models.TextChoices):
    """The capacity units the directory starts with (the vocabulary is referrals.models.CapacityUnit)."""

    BEDS_WOMEN = "beds_women", "Beds for women"
    BEDS_CHILDREN = "beds_children", "Beds for children"
    BEDS_FAMILIES = "beds_families", "Places for families"
    BEDS_MEN = "beds_men", "Beds for men"
    BEDS_ANY = "beds_any", "Beds (any)"
    APPOINTMENTS = "appointments", "Appointments this week"


class ServiceAreaKind(models.TextChoices):
    """How a service area is described."""

    COUNTRY = "country", "Whole country"
    PROVINCE = "province", "Province / state"
    RADIUS = "radius", "Centre and radius"


class Reach(models.TextChoices):
    """How a service reaches the point of a search; point searches rank `place` and `outreach` before `remote`."""

    PLACE = "place", "A location in the radius, to walk into"
    OUTREACH = "outreach", "An outreach area (centre and radius) that comes to the point"
    REMOTE = "remote", "Only through a whole country or province (hotlines, remote services)"
