"""Production settings pass Django's deployment check; rate limits per tier; CORS for partner web apps."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.cache import cache
from rest_framework.settings import api_settings

from api.throttling import AnonymousThrottle, PartnerKeyThrottle, UserThrottle

PRODUCTION_ENV = {
    "DEVELOPMENT": "false",
    "DEBUG": "false",
    "SECRET_KEY": "x9!k2-production-like-secret-key-of-enough-length-0123456789abcdef",
    "ALLOWED_HOSTS": "directory.example.org",
    "BEHIND_TLS_PROXY": "true",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def run_manage(*args, env_overrides):
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True, check=False
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DEBUG": "true"}, "DEBUG"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is shorter than 40 characters"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "change-me-to-at-least-40-random-characters-please-0123456789"}, "SECRET_KEY is a placeholder"),
        ({"SECRET_KEY": f"CHANGEME{secrets.token_urlsafe(40)}"}, "SECRET_KEY is a placeholder"),
        ({"SECRET_KEY": f"an-example-key-{secrets.token_urlsafe(40)}"}, "SECRET_KEY is a placeholder"),
        ({"SECRET_KEY": f"django-insecure-{secrets.token_urlsafe(40)}"}, "SECRET_KEY starts with 'django-insecure-'"),
        ({"SECRET_KEY": "abcd" * 20}, "SECRET_KEY has fewer than 5 distinct characters"),
    ],
)
def test_production_refuses_debug_and_weak_secret_keys(override, message):
    result = run_manage("check", env_overrides={**PRODUCTION_ENV, **override})
    assert result.returncode != 0
    assert message in result.stderr


def _env_example() -> dict[str, str]:
    """The committed .env.example's settings, as `docker compose` passes an env_file to the containers."""
    lines = Path(".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.lstrip().startswith("#"))


def test_a_copy_of_env_example_is_refused_until_it_has_a_secret_key_of_its_own():
    copied = {**_env_example(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    assert copied["DEVELOPMENT"] == "false"
    refused = run_manage("check", "--deploy", env_overrides=copied)
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr and "secrets.token_urlsafe(50)" in refused.stderr
    generated = run_manage("check", "--deploy", env_overrides={**copied, "SECRET_KEY": secrets.token_urlsafe(50)})
    assert generated.returncode == 0, generated.stdout + generated.stderr


def _started(services: dict, profiles: set[str]) -> set[str]:
    """What `docker compose up` starts with these profiles active: services without profiles or with one of them."""
    return {
        name for name, service in services.items() if not service.get("profiles") or profiles & set(service["profiles"])
    }


def test_compose_starts_one_stack_by_default_and_only_the_scaled_one_with_its_profile():
    services = yaml.safe_load(Path("docker-compose.yml").read_text())["services"]
    # `docker compose up` takes COMPOSE_PROFILES from .env (the copy of .env.example); `--profile` replaces it.
    default = _started(services, set(_env_example()["COMPOSE_PROFILES"].split(",")))
    scaled = _started(services, {"scaled"})
    assert default == {"db", "migrate", "app", "proxy"}
    assert scaled == {"db", "migrate", "redis", "web", "web-proxy"}
    for started in (default, scaled):
        for name in started:  # compose refuses a service that depends on one the profiles leave out
            assert set(services[name].get("depends_on", {})) <= started, name


def test_compose_needs_a_postgres_password_and_every_app_container_uses_it():
    compose = yaml.safe_load(Path("docker-compose.yml").read_text())
    services = compose["services"]
    required = "${POSTGRES_PASSWORD:?"  # compose stops when it is unset or empty: no published default password
    assert services["db"]["environment"]["POSTGRES_PASSWORD"].startswith(required)
    built = [name for name, service in services.items() if service.get("build")]
    assert built and all(required in services[name]["environment"]["DATABASE_URL"] for name in built)
    assert "POSTGRES_PASSWORD" in _env_example()


@pytest.fixture
def tight_rates(monkeypatch):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anonymous": "3/min", "partner": "5/min", "user": "4/min"}
    for throttle in (AnonymousThrottle, PartnerKeyThrottle, UserThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)
    cache.clear()


@pytest.mark.django_db
def test_rate_limits_per_tier_answer_429_with_retry_after(world, tight_rates):
    def statuses(client, count):
        return [client.get("/api/v1/categories/").status_code for _ in range(count)]

    anonymous = statuses(world.client_for("anonymous"), 4)
    assert anonymous == [200, 200, 200, 429]
    # A partner key and a signed-in user have their own, higher allowances.
    assert statuses(world.client_for("partner"), 6) == [200] * 5 + [429]
    assert statuses(world.client_for("caseworker"), 5) == [200] * 4 + [429]
    response = world.client_for("anonymous").get("/api/v1/categories/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "detail" in response.json()


@pytest.mark.django_db
def test_cors_allows_configured_partner_origins_only(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example.org"]
    allowed = client.get("/api/v1/categories/", HTTP_ORIGIN="https://partner.example.org")
    assert allowed["Access-Control-Allow-Origin"] == "https://partner.example.org"
    other = client.get("/api/v1/categories/", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other


def test_manage_py_in_a_checkout_without_a_key_runs_in_development_but_the_web_server_refuses():
    bare = {key: value for key, value in os.environ.items() if key not in {*PRODUCTION_ENV, "SECRET_KEY_FILE"}}
    command = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"], env=bare, capture_output=True, text=True, check=False
    )
    assert command.returncode == 0, command.stderr
    server = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import config.wsgi"],
        env={**bare, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert server.returncode != 0 and "SECRET_KEY" in server.stderr


def test_the_wsgi_app_tunes_the_garbage_collector_for_request_garbage():
    import gc
    import importlib

    from config import runtime

    before = gc.get_threshold()
    try:
        gc.set_threshold(1, 1, 1)  # whatever ran before, the app sets its own
        importlib.reload(importlib.import_module("config.wsgi"))
        assert gc.get_threshold() == runtime.GC_THRESHOLDS
        # Near CPython's defaults: thresholds far above them kept a streaming worker's cyclic garbage at 250+ MB.
        assert runtime.GC_THRESHOLDS[0] <= 2_000 and max(runtime.GC_THRESHOLDS[1:]) <= 10
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_wsgi_app_reads_the_gazetteer_before_it_freezes_start_up():
    """Left to the first search, the gazetteer's 60,000 objects were walked by every full collection (28-44 ms)."""
    import gc
    import importlib

    from referrals import gazetteer

    before = gc.get_threshold()
    caches = (gazetteer._index, gazetteer._by_latitude, gazetteer._admin1_names)
    for cached in caches:
        cached.cache_clear()
    try:
        importlib.reload(importlib.import_module("config.wsgi"))
        assert [cached.cache_info().currsize for cached in caches] == [1, 1, 1]  # read at start-up
        assert not any(isinstance(thing, gazetteer.Place) for thing in gc.get_objects())  # and frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_collectstatic_with_production_settings_keeps_the_app_shell_whole(tmp_path):
    # The image runs it so (Dockerfile); the service worker keeps the hashed files offline, so a module
    # must import its neighbour by the hashed name too, or the app would not start without a network.
    result = run_manage(
        "collectstatic", "--noinput", "-v0", env_overrides={**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    app_js, offline_js = paths["web/app.js"], paths["web/offline.js"]
    assert app_js != "web/app.js" and offline_js != "web/offline.js"
    source = (tmp_path / app_js).read_text()
    assert f'from "./{offline_js.removeprefix("web/")}"' in source
    assert (tmp_path / f"{app_js}.gz").exists()  # compressed copies for WhiteNoise
