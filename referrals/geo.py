"""Geodesy for search: ellipsoidal distance, radius bounding boxes (antimeridian-aware), grid snapping."""

import math
from dataclasses import dataclass

# WGS84
_A = 6378.137  # equatorial radius, km
_F = 1 / 298.257223563
_MEAN_RADIUS_KM = 6371.0088
_KM_PER_DEGREE_LAT_MIN = 110.574  # at the equator, the shortest degree of latitude


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Geodesic distance on the WGS84 ellipsoid (Andoyer-Lambert; within 0.01 % of geopy's geodesic)."""
    if lat1 == lat2 and lng1 == lng2:
        return 0.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlng = math.radians(lng2 - lng1)
    # Reduced latitudes
    b1 = math.atan((1 - _F) * math.tan(phi1))
    b2 = math.atan((1 - _F) * math.tan(phi2))
    sin_b1, cos_b1, sin_b2, cos_b2 = math.sin(b1), math.cos(b1), math.sin(b2), math.cos(b2)
    cos_sigma = sin_b1 * sin_b2 + cos_b1 * cos_b2 * math.cos(dlng)
    cos_sigma = max(-1.0, min(1.0, cos_sigma))
    sigma = math.acos(cos_sigma)
    sin_sigma = math.sin(sigma)
    if sin_sigma == 0:
        return _A * sigma
    p = (b1 + b2) / 2
    q = (b2 - b1) / 2
    x = (sigma - sin_sigma) * (math.sin(p) * math.cos(q)) ** 2 / math.cos(sigma / 2) ** 2
    y = (sigma + sin_sigma) * (math.cos(p) * math.sin(q)) ** 2 / math.sin(sigma / 2) ** 2
    return _A * (sigma - _F / 2 * (x + y))


def normalize_longitude(lng: float) -> float:
    """Fold a longitude into [-180, 180)."""
    return ((lng + 180.0) % 360.0) - 180.0


@dataclass(frozen=True)
class BoundingBox:
    """A latitude band and a longitude range; ``min_lng > max_lng`` means the box crosses 180°."""

    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float

    @property
    def crosses_antimeridian(self) -> bool:
        """True when the box wraps from east of 180° round to west of it."""
        return self.min_lng > self.max_lng

    def contains(self, lat: float, lng: float) -> bool:
        """Whether a point lies in the box."""
        if not self.min_lat <= lat <= self.max_lat:
            return False
        if self.crosses_antimeridian:
            return lng >= self.min_lng or lng <= self.max_lng
        return self.min_lng <= lng <= self.max_lng


def radius_bounding_box(lat: float, lng: float, radius_km: float) -> BoundingBox:
    """A box that surely contains every point within ``radius_km`` of (lat, lng), generously rounded out."""
    # Pad by 1 % so that the ellipsoid's shape can never push a true match outside the box.
    padded = radius_km * 1.01
    dlat = padded / _KM_PER_DEGREE_LAT_MIN
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90 or max_lat >= 90:
        # A cap around a pole: every longitude.
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)
    # The widest parallel inside the band decides the longitude span.
    widest = max(abs(min_lat), abs(max_lat))
    km_per_degree_lng = math.cos(math.radians(widest)) * math.pi * _A / 180
    dlng = padded / km_per_degree_lng
    if dlng >= 180:
        return BoundingBox(min_lat, max_lat, -180.0, 180.0)
    return BoundingBox(min_lat, max_lat, normalize_longitude(lng - dlng), normalize_longitude(lng + dlng))


def snap_to_grid(value: float, cell_degrees: float) -> float:
    """The centre of the grid cell that ``value`` falls in: deterministic, the same for every query."""
    cell_index = math.floor(value / cell_degrees)
    return round((cell_index + 0.5) * cell_degrees, 6)
