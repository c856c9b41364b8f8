"""Writes lose nothing: concurrent editors keep both changes, If-Match detects conflicts, a write is all or nothing."""

import threading

import pytest
from django.db import OperationalError, connection, connections
from knox.models import AuthToken
from rest_framework.test import APIClient

from referrals.models import Service, ServiceCapacity
from tests.helpers import add_capacity, add_phone, make_location, make_member, make_organization, make_service

pytestmark = pytest.mark.django_db


def _editor_client(organization, username="editor-w"):
    client = APIClient()
    _, token = AuthToken.objects.create(make_member(organization, username))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def listing():
    organization = make_organization(name="Integrity Trust")
    service = make_service(organization, name="Before", description="old", at=(13.75, 100.5))
    add_phone(number="+66 555 0101", service=service, type="hotline")
    return organization, service


def test_a_patch_writes_only_the_fields_it_was_sent(listing):
    from api.serializers import ServiceWriteSerializer

    organization, service = listing
    stale = Service.objects.get(pk=service.pk)  # a second editor's copy, loaded before the first one's change
    response = _editor_client(organization).patch(f"/api/v1/services/{service.pk}/", {"name": "After"}, format="json")
    assert response.status_code == 200, response.json()
    second = ServiceWriteSerializer(stale, data={"description": "edited elsewhere"}, partial=True)
    assert second.is_valid(), second.errors
    second.save()
    service.refresh_from_db()
    assert (service.name, service.description) == ("After", "edited elsewhere")


def test_get_and_writes_carry_an_etag_and_a_stale_if_match_gets_412_and_changes_nothing(listing):
    organization, service = listing
    client = _editor_client(organization)
    url = f"/api/v1/services/{service.pk}/"
    first = client.get(url)
    etag = first["ETag"]
    assert etag
    changed = client.patch(url, {"name": "First edit"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.json()
    new_etag = changed["ETag"]
    assert new_etag and new_etag.removeprefix("W/") != etag.removeprefix("W/")
    # The ETag a write answers with is the one a GET now gives.
    assert client.get(url)["ETag"].removeprefix("W/") == new_etag.removeprefix("W/")

    conflict = client.patch(url, {"name": "Second editor"}, format="json", HTTP_IF_MATCH=etag)
    assert conflict.status_code == 412
    body = conflict.json()
    assert body["current"]["name"] == "First edit" and "detail" in body
    assert conflict["ETag"].removeprefix("W/") == new_etag.removeprefix("W/")
    service.refresh_from_db()
    assert service.name == "First edit"
    # A weak form of the current tag (as gzip makes it) and `*` both match.
    weak = "W/" + new_etag.removeprefix("W/")
    assert client.patch(url, {"name": "Third"}, format="json", HTTP_IF_MATCH=weak).status_code == 200
    assert client.patch(url, {"name": "Fourth"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    stale_delete = client.delete(url, HTTP_IF_MATCH=etag)
    assert stale_delete.status_code == 412
    service.refresh_from_db()
    assert service.status == "active"


@pytest.mark.parametrize("kind", ["location", "phone", "organization"])
def test_every_writable_record_honours_if_match(listing, kind):
    organization, service = listing
    client = _editor_client(organization)
    make_member(organization, "admin-w", role="admin")
    if kind == "location":
        url, change = f"/api/v1/locations/{service.service_at_locations.get().location_id}/", {"city": "Nonthaburi"}
    elif kind == "phone":
        url, change = f"/api/v1/phones/{service.phones.get().pk}/", {"description": "Intake"}
    else:
        client = _editor_client(organization, "admin-w2")
        organization.memberships.filter(user__username="admin-w2").update(role="admin")
        url, change = f"/api/v1/organizations/{organization.pk}/", {"description": "New words"}
    etag = client.get(url)["ETag"]
    assert client.patch(url, change, format="json", HTTP_IF_MATCH='"not-the-current-version"').status_code == 412
    response = client.patch(url, change, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response["ETag"] and client.patch(url, change, format="json", HTTP_IF_MATCH=etag).status_code == 412


def test_the_public_etag_of_a_safe_house_depends_only_on_its_public_face():
    organization = make_organization(name="Shelter Trust")
    service = make_service(organization, name="Shelter")
    add_phone(number="+66 555 0102", service=service, type="hotline")
    house = make_location(organization, confidential=True, latitude=13.73217, longitude=100.53391, address_1="9 Soi")
    client = APIClient()
    before = client.get(f"/api/v1/locations/{house.pk}/")["ETag"]
    owner = _editor_client(organization)
    assert owner.patch(f"/api/v1/locations/{house.pk}/", {"address_1": "10 Soi"}, format="json").status_code == 200
    assert client.get(f"/api/v1/locations/{house.pk}/")["ETag"] == before


def test_a_capacity_report_with_one_bad_unit_changes_no_unit(listing):
    organization, service = listing
    add_capacity(service, unit="beds_men", available=4)
    client = _editor_client(organization)
    report = {"units": [{"unit": "beds_men", "change": -1}, {"unit": "appointments", "change": -1}]}
    response = client.post(f"/api/v1/services/{service.pk}/capacity/", report, format="json")
    assert response.status_code == 400
    assert "appointments" in response.json()["units"]
    assert ServiceCapacity.objects.get(service=service, unit="beds_men").available == 4
    # The whole report is refused, so retrying it (fixed) takes one bed, not two.
    report["units"][1] = {"unit": "appointments", "available": 2}
    assert client.post(f"/api/v1/services/{service.pk}/capacity/", report, format="json").status_code == 200
    assert ServiceCapacity.objects.get(service=service, unit="beds_men").available == 3


def test_a_write_that_fails_half_way_leaves_nothing_behind(listing, monkeypatch):
    organization, service = listing
    client = _editor_client(organization)
    client.raise_request_exception = False
    before = Service.objects.get(pk=service.pk)
    history_before = service.history.count()

    from referrals.services import search_index

    def cut(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(search_index, "refresh", cut)
    response = client.patch(
        f"/api/v1/services/{service.pk}/", {"name": "Half made", "categories": ["medical"]}, format="json"
    )
    assert response.status_code >= 500
    after = Service.objects.get(pk=service.pk)
    assert (after.name, after.sync_version) == (before.name, before.sync_version)
    assert list(after.categories.values_list("code", flat=True)) == ["housing"]
    assert service.history.count() == history_before


postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="real concurrent connections and backend kills: PostgreSQL"
)


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_cut_after_the_row_update_commits_nothing():
    import psycopg2

    organization = make_organization(name="Cut Trust")
    service = make_service(organization, name="Before the cut", at=(13.75, 100.5))
    version_before = Service.objects.get(pk=service.pk).sync_version
    history_before = service.history.count()
    client = _editor_client(organization, "editor-cut")
    client.raise_request_exception = False
    settings_dict = connection.settings_dict
    killer = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
    )
    killer.autocommit = True

    def cut_after_the_update(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('UPDATE "referrals_service" SET "name"'):
            pid = context["connection"].connection.get_backend_pid()
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        return result

    try:
        with connection.execute_wrapper(cut_after_the_update):
            response = client.patch(
                f"/api/v1/services/{service.pk}/", {"name": "After the cut", "categories": ["medical"]}, format="json"
            )
        assert response.status_code >= 500
    finally:
        killer.close()
        connection.close()
    after = Service.objects.get(pk=service.pk)
    assert (after.name, after.sync_version) == ("Before the cut", version_before)
    assert list(after.categories.values_list("code", flat=True)) == ["housing"]
    assert service.history.count() == history_before


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_editors_patching_different_fields_at_once_keep_both(monkeypatch):
    organization = make_organization(name="Concurrent Trust")
    service = make_service(organization, name="Original", description="original", at=(13.75, 100.5))
    clients = [_editor_client(organization, "editor-one"), _editor_client(organization, "editor-two")]
    from api.serializers import writes

    # Both requests load the service before either saves, the way the outside probe caught them; once writes
    # queue behind each other the second cannot arrive here before the first has committed (the wait times out).
    arrived = threading.Barrier(2)
    validate = writes.ServiceWriteSerializer.validate

    def validate_together(self, attrs):
        try:
            arrived.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return validate(self, attrs)

    monkeypatch.setattr(writes.ServiceWriteSerializer, "validate", validate_together)
    changes = [{"name": "Renamed"}, {"description": "Described"}]
    statuses = []

    def edit(client, change):
        try:
            statuses.append(client.patch(f"/api/v1/services/{service.pk}/", change, format="json").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=pair) for pair in zip(clients, changes, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200, 200]
    service.refresh_from_db()
    assert (service.name, service.description) == ("Renamed", "Described")


def test_bad_input_is_a_400_even_with_a_stale_if_match_and_an_empty_if_match_is_none(listing):
    organization, service = listing
    client = _editor_client(organization)
    url = f"/api/v1/services/{service.pk}/"
    bad = client.patch(url, {"minimum_age": "ten"}, format="json", HTTP_IF_MATCH='"stale"')
    assert bad.status_code == 400 and "minimum_age" in bad.json()
    bad_report = {"units": [{"unit": "beds_women"}]}
    response = client.post(f"{url}capacity/", bad_report, format="json", HTTP_IF_MATCH='"stale"')
    assert response.status_code == 400
    assert client.patch(url, {"name": "Fine"}, format="json", HTTP_IF_MATCH='"stale"').status_code == 412
    assert client.patch(url, {"name": "Fine"}, format="json", HTTP_IF_MATCH="").status_code == 200
