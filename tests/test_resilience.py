"""When Redis hangs or the database is slow or gone: answers in milliseconds or a quick 503, limits still hold,
and the anonymous page cache never hands one reader's page to another."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from api.throttling import AnonymousThrottle, LoginThrottle
from config.cache import ResilientRedisCache
from tests.servers import free_port, gunicorn

ROOT = Path(__file__).resolve().parent.parent
URL = "/api/v1/services/"


@contextlib.contextmanager
def own_redis(*options):
    """A redis-server of this test's own (the shared one on 6379 must never be frozen)."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += options
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        probe = redis.Redis(port=port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                probe.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield process, port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)


def _cache_settings(port: int, *, breaker_seconds: float = 30.0) -> dict:
    """CACHES as config/settings.py writes them for REDIS_URL, pointed at a port of the test's choosing."""
    return {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "referrals-resilience",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25, "BREAKER_SECONDS": breaker_seconds},
        }
    }


@pytest.fixture(autouse=True)
def _closed_breakers(monkeypatch):
    """Each test starts with no Redis known to be failing (the breakers are per process, kept per address)."""
    monkeypatch.setattr("config.cache._breakers", {})


@pytest.fixture
def tight_rates(monkeypatch):
    """Small allowances, so a handful of requests reach the limits."""
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anonymous": "3/min", "login": "3/min"}
    for throttle in (AnonymousThrottle, LoginThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)


@pytest.fixture
def redis_down(settings):
    """The cache is Redis on a port where nothing answers (a stopped server)."""
    settings.CACHES = _cache_settings(free_port())


# --- A. A hung Redis ------------------------------------------------------------------------------


def test_a_frozen_redis_costs_milliseconds_and_the_process_keeps_its_values():
    with own_redis() as (process, port):
        params = _cache_settings(port, breaker_seconds=0.3)["default"]
        cache = ResilientRedisCache(params["LOCATION"], params)
        cache.set("before", "shared")
        assert cache.get("before") == "shared"
        os.kill(process.pid, signal.SIGSTOP)
        started = time.monotonic()
        for index in range(10):
            cache.set(f"during-{index}", index)
            assert cache.get(f"during-{index}") == index  # this process's memory stands in
        # 20 calls: today each one would wait redis-py's default timeout (seconds, or forever).
        assert time.monotonic() - started < 2
        assert cache.breaker_open
        os.kill(process.pid, signal.SIGCONT)
        time.sleep(0.5)  # the breaker's 0.3 s pass
        cache.set("after", "shared again")
        assert not cache.breaker_open
        assert redis.Redis(port=port).get("referrals-resilience:1:after") is not None
        assert cache.get("before") == "shared"


def test_a_redis_that_refuses_writes_sends_them_to_this_process_not_to_a_500():
    # Full, with nothing it may evict: every write is an error reply (as from a read-only replica after a failover).
    with own_redis("--maxmemory", "1", "--maxmemory-policy", "noeviction") as (_, port):
        params = _cache_settings(port)["default"]
        cache = ResilientRedisCache(params["LOCATION"], params)
        cache.set("page", "kept here")
        assert cache.get("page") == "kept here"
        assert cache.breaker_open


def test_a_cache_call_during_a_redis_outage_logs_one_warning(caplog):
    params = _cache_settings(free_port(), breaker_seconds=0)["default"]
    cache = ResilientRedisCache(params["LOCATION"], params)
    with caplog.at_level("WARNING", logger="config.cache"):
        for _ in range(5):
            assert cache.get("anything") is None  # each call retries Redis (no breaker time), warns once
    assert len([record for record in caplog.records if record.name == "config.cache"]) == 1


def _settings_of_a_process(code: str, **env) -> dict:
    environment = {key: value for key, value in os.environ.items() if key != "DIRECTORY_PROCESS"}
    environment.update(
        DEVELOPMENT="true",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="postgres://directory@127.0.0.1:5432/directory",
        REDIS_URL="redis://127.0.0.1:6379/0",
        **env,
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed snippet)
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


SHOW = (
    "import json; from django.conf import settings; "
    "print(json.dumps({'cache': settings.CACHES['default'], 'db': settings.DATABASES['default']['OPTIONS']}))"
)


def test_web_processes_get_short_cache_and_database_timeouts_and_commands_keep_theirs():
    web = _settings_of_a_process(f"import config.wsgi; {SHOW}")
    assert web["cache"]["BACKEND"] == "config.cache.ResilientRedisCache"
    assert web["cache"]["OPTIONS"]["SOCKET_TIMEOUT"] == web["cache"]["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] == 0.25
    assert web["db"]["connect_timeout"] == 3 and web["db"]["keepalives"] == 1 and web["db"]["tcp_user_timeout"] > 0
    assert "statement_timeout=15000" in web["db"]["options"] and "lock_timeout=" in web["db"]["options"]
    command = _settings_of_a_process(SHOW)
    assert "statement_timeout" not in command["db"]["options"] and command["db"]["connect_timeout"] == 3
    limited = _settings_of_a_process(SHOW, MANAGEMENT_STATEMENT_TIMEOUT_MS="600000")
    assert "statement_timeout=600000" in limited["db"]["options"]


# --- C. Rate limits hold while Redis is down ------------------------------------------------------


@pytest.mark.django_db
def test_failed_logins_are_still_limited_per_ip_when_redis_is_down(redis_down, tight_rates):
    client = APIClient()
    statuses = [
        # A new username each time: django-axes' per-username lockout is not what this measures.
        client.post("/api/v1/auth/login/", {"username": f"nobody-{i}", "password": "wrong"}, format="json").status_code
        for i in range(5)
    ]
    assert statuses == [400, 400, 400, 429, 429]


@pytest.mark.django_db
def test_anonymous_searches_are_still_limited_when_redis_is_down(redis_down, tight_rates):
    client = APIClient()
    assert [client.get(URL).status_code for _ in range(5)] == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_page_cache_hits_count_against_the_anonymous_limit_and_a_miss_counts_once(settings, tight_rates, world):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 300
    client = APIClient()
    responses = [client.get(URL) for _ in range(5)]
    # The miss (counted by the view) and two hits make three: the allowance; then 429s.
    assert [response.status_code for response in responses] == [200, 200, 200, 429, 429]
    assert [response.get("X-Cache") for response in responses[:3]] == ["miss", "hit", "hit"]
    refused = responses[3]
    assert int(refused["Retry-After"]) > 0 and "throttled" in refused.json()["detail"]
    assert refused["Content-Type"] == "application/json"


# --- D. What the page cache keys on ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_long_accept_language_gets_its_own_language_not_a_cached_one(settings, world):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 300
    client = APIClient()
    thai_header = "th;q=0.5" + ",de;q=0.1" * 21 + ",da"
    vietnamese_header = thai_header + ",ko;q=0,vi"
    assert len(thai_header) == 200 and len(vietnamese_header) == 210
    assert client.get(URL, HTTP_ACCEPT_LANGUAGE=thai_header)["Content-Language"] == "th"
    # The old key kept the first 200 characters: the same for both headers.
    assert client.get(URL, HTTP_ACCEPT_LANGUAGE=vietnamese_header)["Content-Language"] == "vi"
    # Headers that negotiate the same language share one entry.
    assert client.get(URL, HTTP_ACCEPT_LANGUAGE="vi-VN,vi;q=0.9")["X-Cache"] == "hit"


@pytest.mark.django_db
def test_an_unsupported_lang_is_refused_and_not_cached(settings, world):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 300
    client = APIClient()
    for _ in range(2):
        response = client.get(URL, {"lang": "xx"})
        assert response.status_code == 400 and not response.has_header("X-Cache")


@pytest.mark.django_db
def test_the_browsable_api_and_json_never_get_each_others_cached_page(settings, world):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 300
    client = APIClient()
    assert client.get(URL, HTTP_ACCEPT="application/json")["Content-Type"] == "application/json"
    html = client.get(URL, HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html") and not html.has_header("X-Cache")
    assert client.get(URL, HTTP_ACCEPT="text/html")["Content-Type"].startswith("text/html")
    json_again = client.get(URL, HTTP_ACCEPT="application/json")
    assert json_again["Content-Type"] == "application/json" and json_again["X-Cache"] == "hit"
    # Past 200 characters of Accept: the old key cut the header there, and served HTML the JSON page.
    padding = ",".join(["image/png"] * 25)
    long_json = f"application/json,{padding}"[:200]
    assert client.get(URL, HTTP_ACCEPT=long_json)["Content-Type"] == "application/json"
    long_html = client.get(URL, HTTP_ACCEPT=f"{long_json},text/html;charset=utf-8")
    assert long_html["Content-Type"].startswith("text/html")


# --- B. A slow or unreachable database ------------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="statement and lock timeouts are PostgreSQL's (run with DATABASE_URL=postgres://...)",
)


@pytest.mark.django_db
def test_a_database_outage_in_middleware_answers_503_through_the_error_handler(settings, monkeypatch):
    from django.db import OperationalError

    def unreachable():
        raise OperationalError("could not connect to server")

    # The page cache reads the change version before any view runs.
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 300
    monkeypatch.setattr("referrals.services.sync.current_version", unreachable)
    response = APIClient(raise_request_exception=False).get(URL)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "unreachable" in response.json()["detail"]


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_statement_held_up_by_a_lock_answers_503_well_before_the_lock_goes():
    import psycopg2

    db = connection.settings_dict
    locker = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    try:
        with locker.cursor() as cursor:  # psycopg2 opens a transaction: the lock lasts until the rollback
            cursor.execute("LOCK TABLE referrals_service IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:  # what a web process gets from its connection options
            cursor.execute("SET statement_timeout = 500")
        started = time.monotonic()
        response = APIClient().get(URL)
        elapsed = time.monotonic() - started
    finally:
        locker.rollback()
        locker.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    assert response.status_code == 503 and response["Retry-After"] == "5", response.content
    assert "too slow" in response.json()["detail"]
    assert elapsed < 5


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_healthz_limits_its_own_statement_and_leaves_the_connection_as_it_was():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
    response = APIClient().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before


def _get(port: int, path: str):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_an_unreachable_database_answers_503_quickly_healthz_included():
    # Nothing listens there: the database is gone.
    with gunicorn(database=f"postgres://postgres@127.0.0.1:{free_port()}/directory") as port:
        for path in ("/healthz", URL):
            started = time.monotonic()
            status, headers, body = _get(port, path)
            assert status == 503, (path, body[:500])
            assert time.monotonic() - started < 15
            assert headers["Content-Type"] == "application/json"
            assert json.loads(body)
        _, headers, body = _get(port, URL)
        assert headers["Retry-After"] == "5" and "unreachable" in json.loads(body)["detail"]
