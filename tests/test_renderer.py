"""The API's renderer writes with orjson what DRF's would write, and never fails on what a client sent."""

import json
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from api.renderers import DirectoryJSONRenderer

DATA = {
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "at": datetime(2026, 12, 2, 3, 4, 5, 678901, tzinfo=UTC),
    "day": date(2026, 12, 2),
    "opens": time(8, 30),
    "share": Decimal("1.50"),
    "label": gettext_lazy("Not found."),
    "by_number": {1: "one", 2: ["two", 2.5, None, True]},
    "tags": ("a", "b"),
    "codes": frozenset(["x"]),
    "text": "ปลอดภัย line\u2028separated\u2029",
}


def test_orjson_writes_what_drf_writes():
    ours, drf = DirectoryJSONRenderer().render(DATA), JSONRenderer().render(DATA)
    assert json.loads(ours) == json.loads(drf)
    assert "\u2028".encode() not in ours and b"\\u2028" in ours and b"\\u2029" in ours
    assert "ปลอดภัย".encode() in ours  # UTF-8, not escapes
    assert b'"at":"2026-12-02T03:04:05.678901Z"' in ours  # DRF's own form of a datetime


def test_a_lone_surrogate_is_escaped_not_a_failure():
    rendered = DirectoryJSONRenderer().render({"detail": "bad \ud800 text"})
    assert json.loads(rendered) == {"detail": "bad \ud800 text"}


def test_indented_output_is_drfs():
    rendered = DirectoryJSONRenderer().render({"a": [1]}, "application/json; indent=2", {})
    assert rendered == JSONRenderer().render({"a": [1]}, "application/json; indent=2", {})
    assert b"\n" in rendered
    assert DirectoryJSONRenderer().render(None) == b""
