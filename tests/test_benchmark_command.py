"""The shipped benchmark runs its whole mix (every request answering 200) for both readers and prints the table."""

import io

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_the_benchmark_prints_every_kind_for_both_readers():
    call_command("generate_directory", services=1000, seed=2, verbosity=0)
    out = io.StringIO()
    call_command("benchmark", runs=2, stdout=out)
    lines = out.getvalue().splitlines()
    rows = [line for line in lines if line.split() and line.split()[0] not in ("request", "1,000")][1:]
    kinds = {line[:28].strip() for line in rows if line.strip()}
    assert {"near point, 2 filters", "keyword q=shelter", "sync KH, page of 100", "service detail"} <= kinds
    assert sum("caseworker" in line for line in rows) == sum("anonymous" in line for line in rows) == len(kinds)


def test_the_benchmark_needs_data():
    with pytest.raises(CommandError, match="No services"):
        call_command("benchmark", runs=2, stdout=io.StringIO())
