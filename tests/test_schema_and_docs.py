"""The OpenAPI schema validates, describes every parameter, and the docs need no CDN."""

import re

import pytest
import yaml
from django.core.management import call_command

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


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_their_assets_from_this_server(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    external = [src for src in re.findall(r'(?:src|href)="([^"]+)"', html) if src.startswith(("http:", "https:", "//"))]
    assert external == []
    for asset in re.findall(r'src="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
