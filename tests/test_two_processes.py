"""Stateless app processes: two gunicorn servers on one database; an edit through one is seen through the other."""

import json
import urllib.request

import pytest

from tests.helpers import make_member, make_organization, make_service
from tests.servers import gunicorn

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _call(port, path, *, method="GET", body=None, token=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (loopback only)
        return json.loads(response.read() or b"null")


def test_an_edit_through_one_process_is_seen_through_the_other():
    from knox.models import AuthToken

    organization = make_organization(name="Two-process Trust")
    service = make_service(organization, name="Before the edit", at=(13.7, 100.5))
    _, token = AuthToken.objects.create(make_member(organization, "editor-two"))
    with gunicorn() as first, gunicorn() as second:
        sync = _call(second, "/api/v1/sync/")
        assert [record["name"] for record in sync["results"]] == ["Before the edit"]
        edited = _call(first, f"/api/v1/services/{service.pk}/", method="PATCH", body={"name": "After"}, token=token)
        assert edited["name"] == "After"
        assert _call(second, f"/api/v1/services/{service.pk}/")["name"] == "After"
        assert [item["name"] for item in _call(second, "/api/v1/services/")["results"]] == ["After"]
        changes = _call(second, f"/api/v1/sync/?cursor={sync['next_cursor']}")
        assert [record["name"] for record in changes["results"]] == ["After"]
