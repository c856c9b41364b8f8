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
    rows = lines[lines.index("-" * len(lines[3])) + 1 :]
    kinds = {line[:28].strip() for line in rows if line.strip()}
    assert {"near point, 2 filters", "keyword q=shelter", "sync KH, page of 100", "service detail"} <= kinds
    assert sum("caseworker" in line for line in rows) == sum("anonymous" in line for line in rows) == len(kinds)


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
