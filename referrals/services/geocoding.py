"""Place names to points: the offline gazetteer first, then (if configured) a geopy geocoder.

The field often has no network, and a search must never wait long: the geocoder is off unless
GEOCODER is set, has a short timeout, and any failure simply means "not found".
"""

import logging
from dataclasses import dataclass

from django.conf import settings

from referrals.services import gazetteer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResolvedPlace:
    """Where a place name points, and who said so."""

    name: str
    country: str
    latitude: float
    longitude: float
    source: str  # "gazetteer" or "geocoder"
    geonameid: int | None = None


def _geocoder():
    """The configured geopy geocoder, or None."""
    if settings.GEOCODER != "nominatim":
        return None
    from geopy.geocoders import Nominatim

    return Nominatim(
        user_agent=settings.GEOCODER_USER_AGENT, timeout=settings.GEOCODER_TIMEOUT, domain=settings.GEOCODER_DOMAIN
    )


def resolve_place(name: str, country: str | None = None) -> ResolvedPlace | None:
    """The place a caseworker means by `name`, or None."""
    place = gazetteer.resolve(name, country)
    if place is not None:
        return ResolvedPlace(place.name, place.country, place.latitude, place.longitude, "gazetteer", place.geonameid)
    geocoder = _geocoder()
    if geocoder is None:
        return None
    from geopy.exc import GeopyError

    try:
        found = geocoder.geocode(name, exactly_one=True, country_codes=country.lower() if country else None)
    except (GeopyError, OSError, ValueError) as exc:
        logger.warning("Geocoder failed for a place name: %s", type(exc).__name__)
        return None
    if found is None:
        return None
    return ResolvedPlace(found.address[:200], (country or "").upper(), found.latitude, found.longitude, "geocoder")
