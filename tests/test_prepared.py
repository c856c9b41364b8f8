"""The hot paths' queries (a search's page, a signed-in reader's token look-up) planned once per connection
(`referrals.services.prepared`)."""

import re

import pytest
from django.db import connection, transaction
from django.db.utils import DataError
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from referrals.services import prepared
from tests.helpers import make_caseworker, make_organization, make_service

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's")

NEAR_BANGKOK = {"lat": 13.75, "lng": 100.5, "radius_km": 25}


def _standing() -> set[str]:
    """The names of the statements this connection's session holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def _page_statements(queries) -> list[str]:
    return [query["sql"] for query in queries if "EXECUTE page_" in query["sql"]]


@postgresql_only
@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # sessions closed and opened: no test transaction around them
def test_a_search_page_is_prepared_once_then_executed_by_name():
    organization = make_organization()
    for name in ("Alpha house", "Beta clinic"):
        make_service(organization, name=name, at=(13.75, 100.5))
    connection.close()  # a session of its own, as a worker's first request has
    client = APIClient()
    with CaptureQueriesContext(connection) as first:
        first_body = client.get("/api/v1/services/", NEAR_BANGKOK).json()
    with CaptureQueriesContext(connection) as second:
        second_body = client.get("/api/v1/services/", NEAR_BANGKOK).json()
    (prepare,), (execute,) = _page_statements(first), _page_statements(second)
    name = prepare.split()[1]
    # The SQL's digest, then the session's count of statements prepared (the page is the only one here).
    assert re.fullmatch(r"page_[0-9a-f]{16}_[0-9]+", name)
    assert int(name.rsplit("_", 1)[1]) == len(_standing())
    assert prepare.startswith(f"PREPARE {name} AS SELECT") and "page_organization" in prepare
    assert execute.startswith(f"EXECUTE {name}(")
    assert len(first) == len(second)  # PREPARE and its first EXECUTE in one round trip
    assert sorted(result["name"] for result in second_body["results"]) == ["Alpha house", "Beta clinic"]
    assert second_body == first_body
    assert name in _standing()


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # autocommit, as a request runs
def test_a_signed_in_point_search_looks_up_its_token_and_loads_its_page_by_name_after_its_first_time():
    """The token's look-up and the page: each PREPAREd once per session, then executed by name. (The count and the
    first round of places are not: PostgreSQL keeps a custom plan for each of their executions, so preparing them
    saved nothing.)"""
    from knox.models import AuthToken

    from referrals.models import Location

    organization = make_organization()
    for index in range(3):
        make_service(organization, name=f"House {index}", at=(13.75 + index / 100, 100.5))
    Location.objects.update(confidential=True)  # a caseworker's page of safe houses: logged as disclosed
    _, token = AuthToken.objects.create(make_caseworker("caseworker"))
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    connection.close()
    bodies, reads = [], []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            bodies.append(client.get("/api/v1/services/", {**NEAR_BANGKOK, "page_size": 2}).json())
        reads.append([query["sql"] for query in queries])
    assert bodies[0] == bodies[1] == bodies[2] and bodies[0]["count"] == 3
    first, later = reads[0], reads[2]
    prepared_first = [name for sql in first for name in re.findall(r"PREPARE (\w+) AS", sql)]
    assert [name.split("_")[0] for name in prepared_first] == ["token", "page"]
    assert not any("PREPARE" in sql for sql in later)
    executed = [re.search(r"EXECUTE (\w+)", sql).group(1) for sql in later if "EXECUTE" in sql]
    assert executed == prepared_first  # the same statements, by name, in the same order
    # Besides them, the count and the first round (one UNION ALL), then the disclosure log's INSERT.
    others = [sql for sql in later if "EXECUTE" not in sql]
    assert [sql.split()[0] for sql in others] == ["SET", "SET", "INSERT"]
    assert others[-1].startswith('INSERT INTO "referrals_disclosure"')


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_connection_prepares_again():
    make_service(make_organization(), name="Alpha house", at=(13.75, 100.5))
    client = APIClient()
    client.get("/api/v1/services/", NEAR_BANGKOK)
    connection.close()  # CONN_MAX_AGE passed, or a failed health check: a new session holds no statements
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/services/", NEAR_BANGKOK).json()
    assert re.match(r"PREPARE page_[0-9a-f]{16}_[0-9]+ AS", _page_statements(queries)[0])
    assert _standing() == {name for query in queries for name in re.findall(r"PREPARE (\w+) AS", query["sql"])}
    assert [result["name"] for result in body["results"]] == ["Alpha house"]


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_session_that_died_is_replaced_before_a_statement_is_executed_by_name():
    """A request's first query finds its session gone (a restart, a failover): the health check opens another,
    where the statement is prepared again, not executed by a name the new session never had."""
    import psycopg2

    service = make_service(make_organization(), name="Alpha house", at=(13.75, 100.5))
    client, detail = APIClient(), f"/api/v1/services/{service.pk}/"  # whose first query is the record's
    client.get(detail)  # prepared in this session
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    with psycopg2.connect(**connection.get_connection_params()) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.get_backend_pid()])
    connection.health_check_done = False  # as every request starts (Django's request_started)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(detail)
    assert response.status_code == 200 and response.json()["name"] == "Alpha house"
    assert _page_statements(queries)[0].startswith("PREPARE page_")


@postgresql_only
def test_a_statement_prepared_in_a_rolled_back_transaction_stays_usable():
    sql = "SELECT %s::int + 1"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert prepared.fetchall("default", sql, [1], "sum") == [(2,)]
        raise RuntimeError("rolled back")
    with CaptureQueriesContext(connection) as queries:
        assert prepared.fetchall("default", sql, [41], "sum") == [(42,)]
    assert queries[0]["sql"].startswith("EXECUTE sum_")


@postgresql_only
def test_a_failed_round_trip_never_leaves_a_name_behind():
    """A statement that may or may not stand after an error is never executed by name, nor prepared again."""
    sql = "SELECT 1 / %s::int"
    with CaptureQueriesContext(connection) as failed, pytest.raises(DataError), transaction.atomic():
        prepared.fetchall("default", sql, [0], "quotient")  # PREPARE worked, its EXECUTE divided by zero
    # (Statements a long session let go may come first in a PREPARE's round trip: DEALLOCATE ...; PREPARE ...)
    (failed_name,) = [match for query in failed for match in re.findall(r"PREPARE (quotient_\w+) AS", query["sql"])]
    assert failed_name in _standing()
    with CaptureQueriesContext(connection) as queries:
        assert prepared.fetchall("default", sql, [1], "quotient") == [(1,)]
    (retried,) = queries
    (retried_name,) = re.findall(r"PREPARE (quotient_\w+) AS", retried["sql"])
    assert retried_name != failed_name


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_least_recently_used_statement_is_let_go(monkeypatch):
    monkeypatch.setattr(prepared, "KEPT", 2)
    connection.close()
    names = {}
    for number in (1, 2, 3, 4):
        names[number] = f"product_{prepared._digest(f'SELECT %s::int * {number}')}_{number}"
    for number in (1, 2, 3):  # three shapes, two kept
        assert prepared.fetchall("default", f"SELECT %s::int * {number}", [2], "product") == [(2 * number,)]
    assert {names[1], names[2], names[3]} <= _standing()  # let go with the next PREPARE's round trip
    prepared.fetchall("default", "SELECT %s::int * 2", [5], "product")  # a kept one: executed, nothing let go
    prepared.fetchall("default", "SELECT %s::int * 4", [5], "product")
    assert {names[2], names[3], names[4]} <= _standing()
    assert names[1] not in _standing()
    assert len(prepared._SESSIONS[connection.connection].names) == 2


@postgresql_only
def test_a_literal_percent_sign_and_no_values():
    assert prepared.fetchall("default", "SELECT '100%%' || %s", ["!"], "text") == [("100%!",)]
    assert prepared.fetchall("default", "SELECT '100%%'", [], "text") == [("100%",)]
    assert prepared.fetchall("default", "SELECT '100%%'", [], "text") == [("100%",)]


def test_switched_off_or_on_sqlite_the_sql_runs_as_it_is(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    make_service(make_organization(), name="Alpha house", at=(13.75, 100.5))
    with CaptureQueriesContext(connection) as queries:
        body = APIClient().get("/api/v1/services/", NEAR_BANGKOK).json()
    assert [result["name"] for result in body["results"]] == ["Alpha house"]
    assert not any(query["sql"].startswith(("PREPARE", "EXECUTE")) for query in queries)
    assert any("page_organization" in query["sql"] for query in queries)
