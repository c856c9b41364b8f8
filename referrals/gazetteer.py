"""The offline gazetteer: the region's towns and their names in every script, from GeoNames (CC BY 4.0).

`resolve("เชียงใหม่")`, `resolve("Rangoon")` and `resolve("Chiang Mai", country="TH")` give a Place; several
towns of one name are told apart by population and, when given, the country. Loaded once per process.
"""

import bisect
import difflib
import gzip
import math
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

GAZETTEER_PATH = Path(__file__).resolve().parent / "data" / "gazetteer.tsv.gz"
# (country, GeoNames admin1 code) -> the province's (state's, region's) name.
ADMIN1_PATH = Path(__file__).resolve().parent / "data" / "admin1.tsv.gz"
# Words that name the kind of division rather than the division: "Changwat Tak", "Tak Province", "Kayin State".
_DIVISION_WORDS = frozenset(
    "changwat province provinsi state region division tinh thanhpho municipality city khet wilayah "
    "negeri daerah rajon special administrative autonomous".split()
)
ATTRIBUTION = "Place names: GeoNames (geonames.org), CC BY 4.0."


@dataclass(frozen=True)
class Place:
    """A town or city."""

    geonameid: int
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int
    time_zone: str


def normalize(text: str) -> str:
    """A matching key: case, accents, spaces, dashes and apostrophes don't matter ("Chiang Mai" = "chiangmai")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Drop Latin combining accents only; Thai, Burmese, Khmer and Lao marks carry meaning.
    kept = "".join(ch for ch in decomposed if not ("\u0300" <= ch <= "\u036f"))
    kept = unicodedata.normalize("NFC", kept)
    return "".join(ch for ch in kept if ch.isalnum() or unicodedata.category(ch).startswith("M"))


@dataclass(frozen=True)
class _Index:
    places: tuple[Place, ...]
    by_key: dict[str, tuple[int, ...]]  # name key -> indexes into places
    sorted_keys: tuple[str, ...]
    primary_keys: dict[str, tuple[str, ...]]  # country -> keys of primary names, for suggestions


@cache
def _index() -> _Index:
    places, by_key, primary = [], {}, {}
    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as rows:
        for row in rows:
            if row.startswith("#"):
                continue
            geonameid, name, country, admin1, lat, lng, population, time_zone, alternates = row.rstrip("\n").split("\t")
            place = Place(int(geonameid), name, country, admin1, float(lat), float(lng), int(population), time_zone)
            index = len(places)
            places.append(place)
            keys = {normalize(name), *(normalize(alt) for alt in alternates.split("|") if alt)}
            for key in keys - {""}:
                by_key.setdefault(key, []).append(index)
            primary.setdefault(country, []).append(normalize(name))
            primary.setdefault("", []).append(normalize(name))
    return _Index(
        places=tuple(places),
        by_key={key: tuple(indexes) for key, indexes in by_key.items()},
        sorted_keys=tuple(sorted(by_key)),
        primary_keys={country: tuple(sorted(set(keys))) for country, keys in primary.items()},
    )


def load() -> None:
    """Read the gazetteer now rather than at the first search that needs it: a served process does, before it
    freezes what start-up made out of the garbage collector's walks (config.runtime)."""
    _index()
    _by_latitude()
    _admin1_names()


def countries() -> frozenset[str]:
    """The countries the gazetteer has towns of (ISO 3166-1 alpha-2)."""
    return frozenset(code for code in _index().primary_keys if code)


@lru_cache(maxsize=16)
def places_of(country: str) -> tuple[tuple[Place, tuple[str, ...]], ...]:
    """The country's places with their other names (every script), most populous first: for offline copies."""
    found = []
    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as rows:
        for row in rows:
            if row.startswith("#") or f"\t{country}\t" not in row:
                continue
            geonameid, name, code, admin1, lat, lng, population, time_zone, alternates = row.rstrip("\n").split("\t")
            if code != country:
                continue
            place = Place(int(geonameid), name, code, admin1, float(lat), float(lng), int(population), time_zone)
            own = normalize(name)
            others = {}
            for alternate in alternates.split("|"):
                key = normalize(alternate)
                # All-lowercase ASCII names are machine transliterations ("dxnsak"): nobody types them.
                if key and key != own and not (alternate.isascii() and alternate == alternate.lower()):
                    others.setdefault(key, alternate)
            found.append((place, tuple(others.values())))
    return tuple(sorted(found, key=lambda item: -item[0].population))


def resolve(name: str, country: str | None = None) -> Place | None:
    """The most populous place called `name` (in `country`, if given), or None."""
    index = _index()
    candidates = [index.places[i] for i in index.by_key.get(normalize(name), ())]
    if country:
        candidates = [place for place in candidates if place.country == country.upper()]
    return max(candidates, key=lambda place: place.population, default=None)


def suggest(name: str, country: str | None = None, limit: int = 5) -> list[str]:
    """Names close to an unknown one, most populous first ("Chang Mai" -> "Chiang Mai")."""
    index = _index()
    keys = index.primary_keys.get((country or "").upper(), index.primary_keys.get("", ()))
    wanted = normalize(name)
    close = difflib.get_close_matches(wanted, keys, n=limit * 3, cutoff=0.7)
    scored = {}
    for key in close:
        similarity = difflib.SequenceMatcher(None, wanted, key).ratio()
        for i in index.by_key.get(key, ()):
            place = index.places[i]
            if not country or place.country == country.upper():
                scored[place.geonameid] = (round(similarity, 2), place.population, place)
    ranked = [place for _, _, place in sorted(scored.values(), key=lambda item: (-item[0], -item[1]))]
    return list(dict.fromkeys(f"{place.name} ({place.country})" for place in ranked))[:limit]


def autocomplete(prefix: str, country: str | None = None, limit: int = 10, *, nearness=None) -> list[tuple[Place, str]]:
    """Places whose name (in any script) starts with `prefix`, with the name matched.

    Places with the highest `nearness(place)` (how close the directory's help is) come first; then places whose
    own name matches before those matched by an alternate name; then the most populous.
    """
    index = _index()
    key = normalize(prefix)
    if not key:
        return []
    start = bisect.bisect_left(index.sorted_keys, key)
    found: dict[int, tuple[Place, str]] = {}
    for position in range(start, min(start + 2000, len(index.sorted_keys))):
        candidate = index.sorted_keys[position]
        if not candidate.startswith(key):
            break
        for i in index.by_key[candidate]:
            place = index.places[i]
            if (not country or place.country == country.upper()) and place.geonameid not in found:
                found[place.geonameid] = (place, candidate)

    def rank(item):
        place, _ = item
        near = nearness(place) if nearness is not None else 0
        return (-near, not normalize(place.name).startswith(key), -place.population)

    return sorted(found.values(), key=rank)[:limit]


@cache
def _by_latitude() -> tuple[tuple[float, ...], tuple[Place, ...]]:
    places = sorted(_index().places, key=lambda place: place.latitude)
    return tuple(place.latitude for place in places), tuple(places)


@cache
def _admin1_names() -> dict[tuple[str, str], str]:
    names = {}
    with gzip.open(ADMIN1_PATH, "rt", encoding="utf-8") as rows:
        for row in rows:
            if not row.startswith("#"):
                country, code, name = row.rstrip("\n").split("\t")
                names[(country, code)] = name
    return names


def provinces_by_code(country: str) -> dict[str, str]:
    """The country's provinces: GeoNames admin1 code -> name."""
    return {code: name for (each, code), name in _admin1_names().items() if each == country}


def province_key(name: str) -> str:
    """A matching key for a province's name: "Changwat Tak", "Tak Province" and "tak" are one province."""
    words = [word for word in unicodedata.normalize("NFKD", name.casefold()).replace("-", " ").split()]
    kept = [word for word in words if normalize(word) not in _DIVISION_WORDS]
    return normalize(" ".join(kept or words))


def provinces_of(country: str) -> dict[str, str]:
    """The country's provinces known to the gazetteer: matching key -> name."""
    return {province_key(name): name for (code, _), name in _admin1_names().items() if code == country}


@lru_cache(maxsize=4096)  # the gazetteer never changes while the process runs; searches repeat their points
def region_at(latitude: float, longitude: float, within_km: float = 60) -> tuple[str, str | None] | None:
    """(country, province key or None) of the nearest known town within `within_km` (offline reverse geocoding).

    Taken from the nearest town, so a point near a border can fall on the wrong side of it; a
    country- or province-wide service area is a coarse tool by nature (a radius area draws a precise one).
    """
    place = nearest_town(latitude, longitude, within_km)
    if place is None:
        return None
    name = _admin1_names().get((place.country, place.admin1))
    return place.country, province_key(name) if name else None


def nearest_town(latitude: float, longitude: float, within_km: float = 60) -> Place | None:
    """The nearest town of the gazetteer, if one lies within `within_km`."""
    from referrals.geo import distance_km

    latitudes, places = _by_latitude()
    band = within_km / 110.0
    start, stop = bisect.bisect_left(latitudes, latitude - band), bisect.bisect_right(latitudes, latitude + band)
    # The latitude band circles the globe: skip towns too far east or west before measuring (a degree of
    # longitude is shortest at the band's edge nearer the pole; padded as the search boxes are).
    widest = math.cos(math.radians(min(89.9, abs(latitude) + band)))
    lng_band = within_km * 1.02 / (111.32 * widest)
    best, best_distance = None, within_km
    for place in places[start:stop]:
        apart = abs(place.longitude - longitude) % 360
        if min(apart, 360 - apart) > lng_band:
            continue
        distance = distance_km(latitude, longitude, place.latitude, place.longitude)
        if distance <= best_distance:
            best, best_distance = place, distance
    return best
