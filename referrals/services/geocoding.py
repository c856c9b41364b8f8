"""Place names to points: the offline gazetteer first, then (if configured) a geopy geocoder.

The field often has no network, and a search must never wait long: the geocoder is off unless
GEOCODER is set, has a short timeout, and any failure simply means "not found".
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from referrals import gazetteer

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


class _RateLimitedGeocoder:
    """The configured geopy geocoder behind geopy's RateLimiter (one call per GEOCODER_MIN_DELAY seconds)."""

    def __init__(self, geocoder):
        from geopy.extra.rate_limiter import RateLimiter

        self.geocode = RateLimiter(geocoder.geocode, min_delay_seconds=settings.GEOCODER_MIN_DELAY, max_retries=0)


def _geocoder():
    """The configured geopy geocoder, or None."""
    if settings.GEOCODER != "nominatim":
        return None
    from geopy.geocoders import Nominatim

    return _RateLimitedGeocoder(
        Nominatim(
            user_agent=settings.GEOCODER_USER_AGENT, timeout=settings.GEOCODER_TIMEOUT, domain=settings.GEOCODER_DOMAIN
        )
    )


def _geocode(query: str, country: str | None):
    """geopy's answer for the query, or None on any failure (which never blocks anything)."""
    geocoder = _geocoder()
    if geocoder is None:
        return None
    from geopy.exc import GeopyError

    try:
        return geocoder.geocode(query, exactly_one=True, country_codes=country.lower() if country else None)
    except (GeopyError, OSError, ValueError) as exc:
        logger.warning("Geocoder failed: %s", type(exc).__name__)
        return None


def geocode_location(location) -> None:
    """Fill in a point for a location saved with an address but no coordinates, and say where it came from.

    A confidential location's street address goes to no third party: it is placed at its town's centre
    (which its public face shows anyway), unless GEOCODER_TRUSTED_FOR_CONFIDENTIAL names a self-hosted geocoder.
    """
    if location.latitude is not None and location.longitude is not None:
        return
    country = str(location.country or "") or None
    address = ", ".join(part for part in (location.address_1, location.city, location.state_province) if part)
    may_send_address = not location.confidential or settings.GEOCODER_TRUSTED_FOR_CONFIDENTIAL
    if location.address_1 and may_send_address:
        found = _geocode(address, country)
        if found is not None:
            location.latitude, location.longitude = found.latitude, found.longitude
            location.coordinates_source = "address"
            return
    town = gazetteer.resolve(location.city, country) if location.city else None
    if town is not None:
        location.latitude, location.longitude = town.latitude, town.longitude
        location.coordinates_source = "town"
        return
    location.coordinates_source = "none"


PLACE_CACHE_SECONDS = 24 * 3600


def resolve_place(name: str, country: str | None = None, *, geocode: bool = True) -> ResolvedPlace | None:
    """The place a caseworker means by `name`, or None; a place found is remembered a day in the shared cache.

    The gazetteer answers in microseconds, but a name it lacks goes to the geocoder (a network call,
    one a second on the public Nominatim): every app process shares what it found. Misses are not
    kept: the geocoder may have failed for a moment, or be configured later. `geocode=False`: the
    gazetteer only, so that nothing typed leaves the server (the caseworker app's pages).
    """
    key = "place:" + hashlib.sha256(f"{gazetteer.normalize(name)}|{(country or '').upper()}".encode()).hexdigest()
    place = cache.get(key)
    if place is None:
        place = _resolve_place(name, country, geocode)
        if place is not None:
            cache.set(key, place, PLACE_CACHE_SECONDS)
    return place


def _resolve_place(name: str, country: str | None, geocode: bool = True) -> ResolvedPlace | None:
    place = gazetteer.resolve(name, country)
    if place is not None:
        return ResolvedPlace(place.name, place.country, place.latitude, place.longitude, "gazetteer", place.geonameid)
    if not geocode:
        return None
    found = _geocode(name, country)
    if found is None:
        return None
    return ResolvedPlace(found.address[:200], (country or "").upper(), found.latitude, found.longitude, "geocoder")


def local_time_zone(latitude=None, longitude=None, city: str = "", country: str = "") -> str | None:
    """A place's IANA time zone from the gazetteer: its nearest town's (by its point), else its town's (by
    name), else its country's most populous place's; None when nothing is known."""
    country = str(country or "").upper()
    town = None
    if latitude is not None and longitude is not None:
        town = gazetteer.nearest_town(latitude, longitude, within_km=200)
    if town is None and city:
        town = gazetteer.resolve(city, country or None)
    if town is None and country:
        places = gazetteer.places_of(country)
        town = places[0][0] if places else None
    return town.time_zone if town is not None else None
