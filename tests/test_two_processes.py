"""Stateless app processes: two gunicorn servers on one database; an edit through one is seen through the other."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.helpers import make_member, make_organization, make_service

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEVELOPMENT": "true",
        "DATABASE_URL": _database_url(),
        "GEOCODER": "",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "gunicorn.conf.py"]
    # A fixed command of this interpreter; only the environment varies.
    return subprocess.Popen(  # noqa: S603
        [*command, "--log-level", "warning"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _call(port, path, *, method="GET", body=None, token=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (loopback only)
        return json.loads(response.read() or b"null")


def _wait_until_up(process, port):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if _call(port, "/healthz")["status"] == "ok":
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not come up in 60 s")


def test_an_edit_through_one_process_is_seen_through_the_other():
    from knox.models import AuthToken

    organization = make_organization(name="Two-process Trust")
    service = make_service(organization, name="Before the edit", at=(13.7, 100.5))
    _, token = AuthToken.objects.create(make_member(organization, "editor-two"))
    ports = _free_port(), _free_port()
    processes = [_serve(port) for port in ports]
    try:
        for process, port in zip(processes, ports, strict=True):
            _wait_until_up(process, port)
        first, second = ports
        sync = _call(second, "/api/v1/sync/")
        assert [record["name"] for record in sync["results"]] == ["Before the edit"]
        edited = _call(first, f"/api/v1/services/{service.pk}/", method="PATCH", body={"name": "After"}, token=token)
        assert edited["name"] == "After"
        assert _call(second, f"/api/v1/services/{service.pk}/")["name"] == "After"
        assert [item["name"] for item in _call(second, "/api/v1/services/")["results"]] == ["After"]
        changes = _call(second, f"/api/v1/sync/?cursor={sync['next_cursor']}")
        assert [record["name"] for record in changes["results"]] == ["After"]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
