"""What every page's template and script need: the listing language and the script's texts."""

from django.conf import settings
from django.utils.translation import gettext as _

from referrals.choices import PhoneType
from referrals.models import Language
from referrals.services.vocabularies import capacity_units

# The "Language" control's choices, each named in itself (Django knows no local name for Lao or Tagalog).
LOCAL_NAMES = {
    "en": "English",
    "th": "ไทย",
    "vi": "Tiếng Việt",
    "km": "ខ្មែរ",
    "my": "မြန်မာ",
    "lo": "ລາວ",
    "id": "Bahasa Indonesia",
    "ms": "Bahasa Melayu",
    "tl": "Tagalog",
    "zh-hans": "简体中文",
}


def page(request):
    """`listing_language`, and `page_texts`: the strings the script shows (offline above all), translated."""
    from web.views import listing_language, viewer_of

    if request.path.startswith(("/api/", "/admin/")):
        return {}
    texts = {
        "savedJustNow": _("just now"),
        "savedHoursAgo": _("%(hours)s hours ago"),
        "savedDaysAgo": _("%(days)s days ago"),
        "saving": _("Saving the listings of %(country)s for offline use…"),
        "saved": _("Saved for offline: %(count)s services of %(country)s, %(age)s."),
        "saveFirst": _("Search for a place first: the listings of its country are saved."),
        "saveFailed": _("Could not save: there is no connection. Try again when online."),
        "offlineCopy": _("Offline: this page shows the copy saved on this phone %(age)s."),
        "offlineNothing": _(
            "Offline, and nothing is saved on this phone. Use “Save for offline” when you have a connection."
        ),
        "locating": _("Finding your location…"),
        "locateFailed": _("Could not get your location. Type a place instead."),
        "noPlace": _("Say where: a place name, or use your location."),
        "unknownPlace": _("Unknown place."),
        "didYouMean": _("Did you mean: %(names)s?"),
        "results": _("Results"),
        "resultsNear": _("Results near %(place)s: %(count)s"),
        "resultsNearYou": _("Results near you: %(count)s"),
        "nothing": _("Nothing matches. Try fewer choices, or a larger town nearby."),
        "metres": _("%(metres)s m"),
        "km": _("%(km)s km"),
        "away": _("%(distance)s away"),
        "outreachAway": _("Comes to you: outreach area %(distance)s away"),
        "outreachHere": _("Comes to you: this place is in its outreach area"),
        "remote": _("By phone or online: it covers this whole area"),
        "open247": _("Open 24 hours"),
        "openNow": _("Open now"),
        "closedNow": _("Closed now"),
        "speaks": _("Speaks:"),
        "call": _("Call %(number)s"),
        "text": _("Text %(number)s"),
        "app": _("%(app)s: %(account)s"),
        "freePlace": _("%(count)s free place: %(unit)s"),
        "freePlaces": _("%(count)s free places: %(unit)s"),
        "back": _("Back to the search"),
        "notSaved": _("This service is not in the copy saved on this phone."),
        "contact": _("Contact"),
        "whoFor": _("Who it is for"),
        "help": _("Help"),
        "for": _("For"),
        "eligibility": _("Eligibility"),
        "intake": _("How to be taken in"),
        "fees": _("Fees"),
        "free": _("Free"),
        "fee": _("There is a fee"),
        "whereItIs": _("Where it is"),
        "safeHouse": _(
            "A safe house: its address is given only to the people it takes in. Call to arrange a referral."
        ),
        "badAge": _("Age: a whole number of years, 0 to 120."),
        "tapSaving": _("Saving…"),
        "tapQueued": _("No connection: %(count)s change(s) wait here and are sent when you are back online."),
        "placeOrLocation": _("Give a place name or use your location, not both."),
        "apps": {kind.value: kind.label for kind in PhoneType},
        # The search rules the offline copy applies as the server does.
        "rules": {
            "capacityFreshHours": settings.CAPACITY_FRESH_HOURS,
            "capacityUnits": {
                code: None if takes is None else sorted(takes) for code, takes in capacity_units().items()
            },
        },
        "languages": dict(Language.objects.values_list("code", "name")),
    }
    languages = [(code, LOCAL_NAMES.get(code, name)) for code, name in settings.LANGUAGES]
    viewer = viewer_of(request)
    return {
        "listing_language": listing_language(),
        "page_texts": texts,
        "page_languages": languages,
        # The workspace's and the desk's links in the header.
        "keeps_listings": bool(viewer.member_org_ids),
        "moderates": viewer.is_moderator,
    }
