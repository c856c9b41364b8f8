"""Which places the directory has help near: the grid cells around every listed service's public point."""

import math

from django.core.cache import cache
from django.db.models import FloatField
from django.db.models.functions import Cast, Floor

from referrals.models import SearchEntry, SearchEntryKind

# Cells of a quarter degree (about 28 km): a place in one, or next to one, has help within about an hour.
CELL_DEGREES = 0.25
# Columns of cells around the globe: column numbers wrap at 180°, so Fiji's cells on both sides are neighbours.
COLUMNS = round(360 / CELL_DEGREES)
CACHE_KEY = "places:listed-cells"
# Ranking place suggestions may lag new listings by this long; reading every entry's cell costs a scan.
CACHE_SECONDS = 600


def _cell(latitude: float, longitude: float) -> tuple[int, int]:
    return math.floor(latitude / CELL_DEGREES), math.floor(longitude / CELL_DEGREES) % COLUMNS


def listed_cells() -> frozenset[tuple[int, int]]:
    """The cells holding a place a person can reach help at: a listed service's location or outreach centre.

    Public points only (a safe house counts by its grid cell's centre), and whole-country or province
    coverage does not count: a hotline reaches everywhere, which would make every place of a country "near".
    """
    cells = cache.get(CACHE_KEY)
    if cells is None:
        size = CELL_DEGREES
        rows = (
            SearchEntry.objects.filter(
                kind__in=[SearchEntryKind.LOCATION, SearchEntryKind.RADIUS], public_latitude__isnull=False
            )
            .annotate(
                cell_lat=Floor(Cast("public_latitude", FloatField()) / size),
                cell_lng=Floor(Cast("public_longitude", FloatField()) / size),
            )
            .values_list("cell_lat", "cell_lng")
            .distinct()
        )
        cells = frozenset((int(lat), int(lng) % COLUMNS) for lat, lng in rows)
        cache.set(CACHE_KEY, cells, CACHE_SECONDS)
    return cells


def help_nearness(place, cells=None) -> int:
    """2: the directory has help in the place's own cell; 1: in one of the eight around it; 0: neither."""
    cells = listed_cells() if cells is None else cells
    row, column = _cell(place.latitude, place.longitude)
    if (row, column) in cells:
        return 2
    around = ((row + d_row, (column + d_column) % COLUMNS) for d_row in (-1, 0, 1) for d_column in (-1, 0, 1))
    return 1 if any(cell in cells for cell in around) else 0
