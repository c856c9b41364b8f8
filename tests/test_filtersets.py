"""The filter sets' per-class parts (form class, filters copied per filter set) never carry one search into another."""

import threading

import pytest
from django.http import QueryDict

from referrals.filtersets import OrganizationFilterSet, ServiceFilterSet
from referrals.models import Service

pytestmark = pytest.mark.django_db


def _filterset(query: str) -> ServiceFilterSet:
    return ServiceFilterSet(QueryDict(query), queryset=Service.objects.all())


def test_each_filter_set_has_filters_of_its_own_bound_to_it():
    first, second = _filterset("category=housing"), _filterset("category=medical")
    for name, base in ServiceFilterSet.base_filters.items():
        assert first.filters[name] is not base and first.filters[name] is not second.filters[name]
        assert first.filters[name].parent is first and second.filters[name].parent is second
        assert first.filters[name].model is Service
        assert not hasattr(base, "parent")  # the class's own filters stay unbound
    # A `method=` filter calls the method of its own filter set, not of the first one made or of the class's.
    assert first.filters["category"].filter.method == first.filter_category
    assert second.filters["category"].filter.method == second.filter_category
    assert first.filters["lat"].filter.f is first.filters["lat"]


def test_filter_sets_made_side_by_side_filter_by_their_own_values(directory):
    housing = set(Service.objects.filter(categories__code="housing").values_list("pk", flat=True))
    counselling = set(Service.objects.filter(categories__code="counselling").values_list("pk", flat=True))
    assert housing and counselling - housing
    first, second = _filterset("category=housing&status=active"), _filterset("category=counselling&status=active")
    assert first.is_valid() and second.is_valid()
    active = set(Service.objects.filter(status="active").values_list("pk", flat=True))
    assert set(second.qs.values_list("pk", flat=True)) == counselling & active  # the second made, evaluated first
    assert set(first.qs.values_list("pk", flat=True)) == housing & active


def test_filter_sets_in_threads_keep_their_own_filters():
    made, errors = {}, []

    def make(code):
        try:
            for _ in range(50):
                filterset = _filterset(f"category={code}")
                assert filterset.is_valid(), filterset.errors
                assert filterset.form.cleaned_data["category"] == [code]
                assert all(filter_.parent is filterset for filter_ in filterset.filters.values())
            made[code] = filterset
        except AssertionError as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=make, args=(code,)) for code in ("housing", "medical", "legal")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(made) == 3


def test_every_filter_set_class_copies_its_filters_per_instance():
    organizations = OrganizationFilterSet(QueryDict("q=x"))
    assert organizations.filters["q"] is not OrganizationFilterSet.base_filters["q"]
    assert organizations.filters["q"].parent is organizations
