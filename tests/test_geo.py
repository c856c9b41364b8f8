"""Geodesy: distances agree with geopy's geodesic, boxes hold every match, also across 180°."""

import random

import pytest
from geopy.distance import geodesic

from referrals.geo import distance_km, radius_bounding_box, snap_to_grid


def test_distance_matches_geopy_geodesic_within_a_hundredth_of_a_percent():
    rng = random.Random(42)
    for _ in range(2000):
        a = (rng.uniform(-50, 50), rng.uniform(-180, 180))
        b = (a[0] + rng.uniform(-5, 5), ((a[1] + rng.uniform(-5, 5) + 180) % 360) - 180)
        expected = geodesic(a, b).km
        if expected > 0.001:
            assert abs(distance_km(*a, *b) - expected) / expected < 1e-4


def test_distance_across_the_antimeridian_is_short():
    # Waiyevo (Taveuni, west of 180 in longitude numbers) to a point just east of the line.
    assert distance_km(-16.79, -179.98, -16.79, 179.99) == pytest.approx(
        geodesic((-16.79, -179.98), (-16.79, 179.99)).km
    )
    assert distance_km(-16.79, -179.98, -16.79, 179.99) < 4


def test_radius_box_contains_every_point_within_the_radius():
    rng = random.Random(7)
    for _ in range(300):
        centre = (rng.uniform(-60, 60), rng.uniform(-180, 180))
        radius = rng.uniform(0.5, 500)
        box = radius_bounding_box(*centre, radius)
        for _ in range(20):
            point = geodesic(kilometers=radius * rng.random()).destination(centre, rng.uniform(0, 360))
            assert box.contains(point.latitude, point.longitude), (centre, radius, point)


def test_radius_box_splits_at_the_antimeridian():
    box = radius_bounding_box(-16.8, 179.9, 50)
    assert box.crosses_antimeridian
    assert box.contains(-16.8, -179.8)
    assert not box.contains(-16.8, 170.0)


def test_grid_snapping_is_deterministic_and_stays_in_the_cell():
    assert snap_to_grid(13.7563, 0.05) == snap_to_grid(13.7563, 0.05) == 13.775
    assert snap_to_grid(13.7001, 0.05) == 13.725
    assert snap_to_grid(-179.98, 0.05) == -179.975
