"""The OpenAPI schema validates, describes every parameter, keeps the rules outside linters check (Redocly's
recommended: CI runs it, these tests catch its findings without Node), and the docs need no CDN."""

import re

import pytest
import yaml
from django.core.management import call_command

from api.schema import postprocess_nullable_types

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        from rest_framework.test import APIClient

        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_every_search_parameter_is_documented(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/services/"]["get"]["parameters"]}
    contract = set(
        "lat lng radius_km bbox category serves context language age country free open_now has_capacity q status "
        "organization ordering page page_size fields".split()
    )
    assert contract <= set(parameters)
    for name, parameter in parameters.items():
        assert parameter.get("description"), name


def test_every_operation_and_component_field_is_described(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{method} {path} {parameter['name']}"
    assert "ServiceList" in schema["components"]["schemas"]


def test_every_response_field_is_described(schema):
    undescribed = [
        f"{component}.{name}"
        for component, definition in schema["components"]["schemas"].items()
        for name, field in definition.get("properties", {}).items()
        if not field.get("description")
    ]
    assert undescribed == []


def _mappings(node, pointer="#", names_properties=False):
    """Every mapping in a schema document with its JSON pointer; examples and enums are data, not schema."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            if names_properties or key not in ("example", "examples", "default", "enum"):
                yield from _mappings(value, f"{pointer}/{key}", key == "properties" and not names_properties)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _mappings(item, f"{pointer}/{index}")


def test_every_nullable_schema_names_its_type(schema):
    # OpenAPI 3.0.3 ignores `nullable` without a `type` beside it (Redocly: nullable-type-sibling).
    untyped = [pointer for pointer, node in _mappings(schema) if node.get("nullable") is True and "type" not in node]
    assert untyped == []


def test_a_nullable_choice_keeps_its_type_and_its_null(schema):
    components = schema["components"]["schemas"]
    weekday = components["Schedule"]["properties"]["weekday"]
    assert (weekday["type"], weekday["nullable"]) == ("integer", True)
    assert {"$ref": "#/components/schemas/NullEnum"} in weekday["oneOf"]
    matched_by = components["ServiceList"]["properties"]["matched_by"]
    assert (matched_by["type"], matched_by["nullable"]) == ("string", True)


def test_nullable_without_type_gets_the_one_its_branches_share_or_loses_a_no_op():
    document = {
        "components": {
            "schemas": {
                "Child": {"type": "object", "properties": {}},
                "NullEnum": {"enum": [None]},
                "Parent": {
                    "type": "object",
                    "properties": {
                        "child": {"nullable": True, "allOf": [{"$ref": "#/components/schemas/Child"}]},
                        "anything": {"nullable": True, "description": "Any JSON value, null too."},
                        "mixed": {"nullable": True, "oneOf": [{"type": "string"}, {"type": "integer"}]},
                        "default": {"nullable": True, "oneOf": [{"$ref": "#/components/schemas/Child"}]},
                        "noted": {"type": "string", "example": {"nullable": True}},
                    },
                },
            }
        }
    }
    postprocess_nullable_types(document, generator=None, request=None, public=True)
    properties = document["components"]["schemas"]["Parent"]["properties"]
    assert properties["child"]["type"] == "object"
    assert properties["anything"] == {"description": "Any JSON value, null too."}
    assert "type" not in properties["mixed"]  # no one type: left for the test above and Redocly to report
    assert properties["default"]["type"] == "object"  # a field's name, not the keyword
    assert properties["noted"]["example"] == {"nullable": True}


def test_servers_are_relative_to_where_the_schema_is_read(schema):
    # A partner app reading https://<host>/api/schema/ calls https://<host>/api/v1/..., whatever the host.
    assert [server["url"] for server in schema["servers"]] == ["/"]


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_their_assets_from_this_server(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    external = [src for src in re.findall(r'(?:src|href)="([^"]+)"', html) if src.startswith(("http:", "https:", "//"))]
    assert external == []
    for asset in re.findall(r'src="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset


def test_the_schema_names_the_projects_licence(schema):
    from pathlib import Path

    assert schema["info"]["license"]["name"] == "Apache-2.0"
    assert "Apache License" in (Path(__file__).resolve().parent.parent / "LICENSE").read_text()[:200]
