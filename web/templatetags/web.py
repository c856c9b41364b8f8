"""How the pages word a result: reach, opening hours, free places, contacts."""

from datetime import datetime

from django import template
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from referrals.choices import PhoneType

register = template.Library()

# Phone types a tap dials.
DIALLED = frozenset({PhoneType.VOICE, PhoneType.HOTLINE, PhoneType.CELL})


@register.filter
def getlist(query, name):
    """All values of a query parameter (the checked boxes of one group)."""
    return query.getlist(name) if hasattr(query, "getlist") else []


@register.filter
def web_address(url):
    """A listing's website, if it is an http(s) address (never a javascript: or data: one)."""
    return url if isinstance(url, str) and url.lower().startswith(("https://", "http://")) else ""


@register.simple_tag
def page_query(query, number):
    """The search's query string for another page of its results."""
    copy = query.copy()
    copy["page"] = number
    return copy.urlencode()


def _distance(km) -> str:
    if km is None:
        return ""
    if km < 1:
        return _("%(metres)s m") % {"metres": int(round(km * 1000, -1)) or 10}
    return _("%(km)s km") % {"km": f"{km:.1f}" if km < 10 else f"{km:.0f}"}


@register.simple_tag
def reach_text(service) -> str:
    """How the service reaches the point, and how far away it is."""
    reach, km = service.get("reach"), service.get("distance_km")
    if reach == "place":
        return _("%(distance)s away") % {"distance": _distance(km)}
    if reach == "outreach":
        if not km:
            return _("Comes to you: this place is in its outreach area")
        return _("Comes to you: outreach area %(distance)s away") % {"distance": _distance(km)}
    if reach == "remote":
        return _("By phone or online: it covers this whole area")
    return ""


def _local_time(value: str | None):
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@register.simple_tag
def opening_text(location) -> str:
    """Open now and until when, or when it next opens, in the place's own time."""
    if location.get("open_24_7"):
        return _("Open 24 hours")
    if location.get("open_now"):
        until = _local_time(location.get("open_until"))
        if until is None:
            return _("Open now")
        return _("Open now, until %(time)s") % {"time": until.strftime("%H:%M")}
    if location.get("open_now") is False:
        opens = _local_time(location.get("next_opens"))
        if opens is None:
            return _("Closed now")
        day = WEEKDAYS_ABBR[opens.weekday()]
        return _("Closed now, opens %(day)s %(time)s") % {"day": day, "time": opens.strftime("%H:%M")}
    return ""


@register.simple_tag
def capacity_text(capacity, service) -> str:
    """Free places of one unit, for whom, with the service's age range."""
    labels = (service.get("labels") or {}).get("capacity_units") or {}
    unit = labels.get(capacity["unit"], capacity["unit"].replace("_", " "))
    text = ngettext("%(count)s free place: %(unit)s", "%(count)s free places: %(unit)s", capacity["available"]) % {
        "count": capacity["available"],
        "unit": unit,
    }
    low, high = service.get("minimum_age"), service.get("maximum_age")
    if low is not None and high is not None:
        text += " " + _("(ages %(low)s to %(high)s)") % {"low": low, "high": high}
    elif low is not None:
        text += " " + _("(age %(low)s and over)") % {"low": low}
    elif high is not None:
        text += " " + _("(up to age %(high)s)") % {"high": high}
    return text


@register.simple_tag
def language_list(codes, names) -> str:
    """Language names for codes."""
    return ", ".join(names.get(code, code) for code in codes)


@register.simple_tag
def phone_link(phone):
    """One-tap contact: a tel: link that calls, or the messaging app's link."""
    kind = phone.get("type")
    link = phone.get("link")
    if not link:
        return format_html("<span>{}</span>", phone["number"])
    if kind in DIALLED:
        name = _("Call %(number)s") % {"number": phone["number"]}
    elif kind == PhoneType.TEXT:
        name = _("Text %(number)s") % {"number": phone["number"]}
    else:
        label = PhoneType(kind).label if kind in PhoneType.values else kind
        name = _("%(app)s: %(account)s") % {"app": label, "account": phone["number"]}
    return format_html('<a class="contact-link {}" href="{}">{}</a>', kind, link, name)


@register.simple_tag
def map_link(location):
    """A link that opens a public location in the phone's map app (never for a confidential one)."""
    if location.get("confidential") or location.get("approximate") or location.get("latitude") is None:
        return ""
    lat, lng = location["latitude"], location["longitude"]
    return format_html('<a class="map" href="geo:{},{}?q={},{}">{}</a>', lat, lng, lat, lng, _("Open in the map app"))


@register.filter
def get_item(mapping, key):
    """A dictionary's value (hours by location, weekday names by number)."""
    return (mapping or {}).get(key)
