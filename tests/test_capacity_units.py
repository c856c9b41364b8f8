"""Capacity units say whom their places take: `has_capacity=true` with `serves=` counts only places that fit."""

import pytest

from referrals.models import CapacityUnit
from tests.helpers import add_capacity, make_service

pytestmark = pytest.mark.django_db

URL = "/api/v1/services/"


def _names(api, **params):
    response = api.get(URL, {"has_capacity": "true", **params})
    assert response.status_code == 200, response.json()
    return sorted(item["name"] for item in response.json()["results"])


@pytest.fixture
def shelters():
    children_only = make_service(name="Children's beds only", populations=["women", "children"], at=(13.75, 100.5))
    add_capacity(children_only, unit="beds_women", available=0)
    add_capacity(children_only, unit="beds_children", available=7)
    family = make_service(name="Family house", populations=["women", "children", "families"], at=(13.76, 100.5))
    add_capacity(family, unit="beds_families", available=2)
    anyone = make_service(name="Open beds", populations=["women", "refugees"], at=(13.77, 100.5))
    add_capacity(anyone, unit="beds_any", available=1)


def test_a_shelter_with_beds_only_for_children_is_not_offered_for_a_woman(api, shelters):
    assert _names(api, serves="women") == ["Family house", "Open beds"]
    assert _names(api, serves="children") == ["Children's beds only", "Family house"]
    # A woman and her child: the family place fits both; beds for children alone do not.
    assert _names(api, serves="women,children") == ["Family house"]
    # Without `serves`, any free place counts, as before.
    assert _names(api) == ["Children's beds only", "Family house", "Open beds"]


def test_a_population_no_unit_speaks_of_asks_nothing_of_the_bed(api, shelters):
    # Refugees are a matter of whom the service serves, not of which bed fits.
    assert _names(api, serves="women,refugees") == ["Open beds"]


def test_the_point_search_applies_the_same_rule(api, shelters):
    assert _names(api, serves="women", lat=13.75, lng=100.5, radius_km=10) == ["Family house", "Open beds"]


def test_results_say_whom_each_unit_takes(api, shelters):
    results = api.get(URL, {"q": "Children's beds"}).json()["results"]
    takes = {capacity["unit"]: capacity["takes"] for capacity in results[0]["capacity"]}
    assert takes == {
        "beds_children": ["boys", "children", "girls", "unaccompanied_minors"],
        "beds_women": ["girls", "women"],
    }


def test_moderators_add_a_unit_and_providers_report_it(api, world):
    unit = CapacityUnit.objects.create(code="beds_lgbtqi", name="Beds for LGBTQI+ people")
    unit.populations.set(["lgbtqi"])
    listed = api.get("/api/v1/capacity-units/").json()
    codes = [term["code"] for term in listed["results"]]
    assert codes[:6] == ["beds_women", "beds_children", "beds_families", "beds_men", "beds_any", "appointments"]
    assert "beds_lgbtqi" in codes
    owner = world.client_for("provider_a")
    report = {"units": [{"unit": "beds_lgbtqi", "available": 2}]}
    assert owner.post(f"/api/v1/services/{world.service_a.pk}/capacity/", report, format="json").status_code == 200
    unknown = {"units": [{"unit": "beds_unicorns", "available": 2}]}
    response = owner.post(f"/api/v1/services/{world.service_a.pk}/capacity/", unknown, format="json")
    assert response.status_code == 400 and "units" in response.json()


def test_unit_labels_follow_the_language(api):
    women = api.get("/api/v1/capacity-units/beds_women/", {"lang": "th"}).json()
    assert women["name"] == "เตียงสำหรับผู้หญิง" and women["language"] == "th"
    assert set(women["populations"]) == {"girls", "women"}


def test_a_page_reads_the_units_once_whatever_its_counts(api, shelters):
    """The units come from the shared cache (Redis in production): one read per page, not one per count."""
    from unittest import mock

    from api.serializers import directory

    for params in ({}, {"fields": "id,capacity"}):  # plain rendering, and DRF's for a selection of fields
        with mock.patch.object(directory, "capacity_units", wraps=directory.capacity_units) as units:
            results = api.get(URL, params).json()["results"]
        assert sum(len(result["capacity"]) for result in results) == 4
        assert units.call_count == 1, params
