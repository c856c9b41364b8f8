"""The shipped benchmark runs its whole mix (every request answering 200) for both readers and prints the table."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from referrals.management.commands.benchmark import DATABASE_REFERENCE, machine_reference

pytestmark = pytest.mark.django_db


def test_the_benchmark_prints_every_kind_for_both_readers():
    call_command("generate_directory", services=1000, seed=2, verbosity=0)
    out = io.StringIO()
    call_command("benchmark", runs=2, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("1,000 services on ")
    assert re.fullmatch(r"machine reference \(best of 5; lower is faster\): Python \d+ ms, database \d+ ms", lines[1])
    header = next(line for line in lines if line.startswith("request"))
    rows = lines[lines.index("-" * len(header)) + 1 :]
    kinds = {line[:28].strip() for line in rows if line.strip()}
    assert {"near point, 2 filters", "Chiang Mai 10 km, 1 filter", "Mae Sot 50 km, 1 filter", "keyword q=shelter",
            "bbox Mae Sot", "sync KH, page of 100", "service detail"} <= kinds  # fmt: skip
    assert sum("caseworker" in line for line in rows) == sum("anonymous" in line for line in rows) == len(kinds)
    # Every search has the plain reference's p50, its queries and the two ratios; sync and detail have none.
    for line in rows:
        compared = line.split()[-4:]
        if line.startswith(("sync", "service detail")):
            assert compared == ["—"] * 4, line
        else:
            assert float(compared[0]) > 0 and int(compared[1]) >= 1 and float(compared[2]) > 0, line


def test_without_the_reference_only_this_directorys_requests_are_timed():
    call_command("generate_directory", services=1000, seed=3, verbosity=0)
    out = io.StringIO()
    call_command("benchmark", runs=1, without_reference=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("; without the reference")
    header = next(line for line in lines if line.startswith("request"))
    rows = [line for line in lines[lines.index("-" * len(header)) + 1 :] if line.strip()]
    assert rows and all(line.split()[-4:] == ["—"] * 4 for line in rows)


def test_the_reference_search_is_a_plain_nearest_first_search_of_public_faces(directory):
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import clear_url_caches

    from referrals.management.commands import _reference_search as reference

    with override_settings(ROOT_URLCONF=reference.__name__):
        clear_url_caches()
        page = Client().get(reference.PATH, {"lat": 18.79, "lng": 98.99, "radius_km": 10}).json()
    clear_url_caches()
    distances = [result["distance_km"] for result in page["results"]]
    assert page["count"] >= 1 and distances == sorted(distances) and all(d <= 10 for d in distances)
    # Public faces only: a confidential place's point is the snapped one, its street never shown.
    assert all("address_1" not in result["location"] for result in page["results"])


def test_the_benchmark_needs_data():
    with pytest.raises(CommandError, match="No services"):
        call_command("benchmark", runs=2, stdout=io.StringIO())


def test_the_machine_reference_runs_its_fixed_workloads():
    """Both references do real work on this database (a million rows counted), and report it in milliseconds."""
    with connection.cursor() as cursor:
        cursor.execute(DATABASE_REFERENCE[connection.vendor])
        assert cursor.fetchone() == (1_000_000,)
    python_ms, database_ms = machine_reference()
    assert 0 < python_ms < 60_000
    assert 0 < database_ms < 60_000
