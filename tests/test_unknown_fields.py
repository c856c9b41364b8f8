"""A JSON body's keys the endpoint does not know are a 400 naming them; what a GET gave can be sent back."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from knox.models import AuthToken

from referrals.models import ServiceTranslation
from tests.helpers import make_location

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_USER = {"username": "new-person", "password": PASSWORD, "email": "new@example.org"}

# actor, method, path (formatted with the world), a valid body (built from the world)
WRITES = [
    ("provider_a", "post", "/api/v1/services/", lambda w: {**_service(w), "name": "New"}),
    ("provider_a", "put", "/api/v1/services/{w.service_a.pk}/", lambda w: {**_service(w), "name": "Replaced"}),
    ("provider_a", "patch", "/api/v1/services/{w.service_a.pk}/", lambda w: {"name": "Renamed"}),
    ("provider_a", "post", "/api/v1/locations/", lambda w: {**_location(w), "name": "Office"}),
    ("provider_a", "put", "/api/v1/locations/{w.house.pk}/", lambda w: {**_location(w), "name": "Renamed house"}),
    ("provider_a", "patch", "/api/v1/locations/{w.house.pk}/", lambda w: {"name": "Renamed house"}),
    ("admin_a", "put", "/api/v1/organizations/{w.org_a.pk}/", lambda w: {"name": "Org A renamed"}),
    ("admin_a", "patch", "/api/v1/organizations/{w.org_a.pk}/", lambda w: {"description": "New text"}),
    ("provider_a", "post", "/api/v1/phones/", lambda w: {"service": str(w.service_a.pk), "number": "+66 555 0123"}),
    ("provider_a", "put", "/api/v1/phones/{w.phone_a.pk}/", lambda w: {"service": str(w.service_a.pk), "number": "1"}),
    ("provider_a", "patch", "/api/v1/phones/{w.phone_a.pk}/", lambda w: {"number": "+66 555 0124"}),
    (
        "provider_a",
        "post",
        "/api/v1/schedules/",
        lambda w: {"service": str(w.service_a.pk), "weekday": 2, "all_day": True},
    ),
    ("provider_a", "patch", "/api/v1/schedules/{w.schedule_a.pk}/", lambda w: {"description": "Holidays closed"}),
    (
        "provider_a",
        "post",
        "/api/v1/service-areas/",
        lambda w: {"service": str(w.service_a.pk), "kind": "country", "country": "TH"},
    ),
    (
        "provider_a",
        "post",
        "/api/v1/service-at-locations/",
        lambda w: {"service": str(w.service_a.pk), "location": str(w.office.pk)},
    ),
    (
        "provider_a",
        "post",
        "/api/v1/service-translations/",
        lambda w: {"service": str(w.service_a.pk), "language": "vi", "name": "Nhà"},
    ),
    ("provider_a", "patch", "/api/v1/service-translations/{w.translation.pk}/", lambda w: {"name": "บ้าน"}),
    (
        "provider_a",
        "post",
        "/api/v1/services/{w.service_a.pk}/capacity/",
        lambda w: {"units": [{"unit": "beds_women", "available": 2}]},
    ),
    ("caseworker", "post", "/api/v1/services/{w.service_a.pk}/report/", lambda w: {"reason": "wrong_hours"}),
    ("admin_a", "patch", "/api/v1/reports/{w.report.pk}/", lambda w: {"status": "resolved"}),
    (
        "admin_a",
        "post",
        "/api/v1/organizations/{w.org_a.pk}/members/",
        lambda w: {"username": "caseworker", "role": "editor"},
    ),
    ("admin_a", "patch", "/api/v1/organizations/{w.org_a.pk}/members/{w.editor_id}/", lambda w: {"role": "admin"}),
    ("moderator", "post", "/api/v1/caseworkers/{w.caseworker_profile.pk}/vet/", lambda w: {"vetted": True}),
    ("moderator", "post", "/api/v1/auth/revoke/", lambda w: {"username": "caseworker"}),
    (
        "anonymous",
        "post",
        "/api/v1/auth/login/",
        lambda w: {"username": "caseworker", "password": "a-long-test-password"},
    ),
    ("anonymous", "post", "/api/v1/auth/signup/provider/", lambda w: {**NEW_USER, "organization_name": "New NGO"}),
    ("anonymous", "post", "/api/v1/auth/signup/caseworker/", lambda w: {**NEW_USER, "agency": "Unit"}),
    ("anonymous", "post", "/api/v1/services/search/", lambda w: {"lat": 13.74, "lng": 100.53}),
    # Actions that read no body: any key sent to them is named too.
    ("admin_a", "post", "/api/v1/services/{w.service_a.pk}/verify/", lambda w: {}),
    ("moderator", "post", "/api/v1/organizations/{w.org_b.pk}/vet/", lambda w: {}),
    ("caseworker", "post", "/api/v1/auth/logout/", lambda w: {}),
    ("caseworker", "post", "/api/v1/auth/logout-all/", lambda w: {}),
]


def _service(w):
    return {"organization": str(w.org_a.pk), "categories": ["housing"]}


def _location(w):
    return {"organization": str(w.org_a.pk), "city": "Bangkok", "country": "TH"}


@pytest.fixture
def cast(world):
    """The shared world, with the records the writes above name and every actor's client made beforehand."""
    world.phone_a = world.service_a.phones.get()
    world.office = make_location(world.org_a, name="Second office")
    world.translation = ServiceTranslation.objects.create(service=world.service_a, language="th", name="ที่พัก")
    world.editor_id = world.users["provider_a"].pk
    world.clients = {actor: world.client_for(actor) for actor in {actor for actor, *_ in WRITES}}
    return world


def _stored():
    """Everything a write could change: the listings and their history, accounts, tokens, mail."""
    rows = {
        model._meta.label: sorted(map(repr, model.objects.values()))
        for model in apps.get_app_config("referrals").get_models()
    }
    rows["users"] = sorted(get_user_model().objects.values_list("username", "password", "is_active"))
    rows["tokens"] = sorted(AuthToken.objects.values_list("digest", flat=True))
    rows["mail"] = len(mail.outbox)
    return rows


@pytest.mark.parametrize(("actor", "method", "path", "body"), WRITES, ids=[f"{m} {p}" for _, m, p, _ in WRITES])
def test_an_unknown_key_in_a_write_is_a_400_naming_it_and_changes_nothing(cast, actor, method, path, body):
    before = _stored()
    response = getattr(cast.clients[actor], method)(path.format(w=cast), {**body(cast), "colour": "red"}, format="json")
    assert response.status_code == 400, response.content
    # The body is otherwise valid: the unknown key is the one thing named.
    assert list(response.json()) == ["colour"], response.json()
    assert response.json()["colour"][0].startswith("Unknown")
    assert _stored() == before


def test_an_unknown_key_inside_a_nested_object_is_named_under_its_parent(cast):
    units = [{"unit": "beds_women", "available": 2}, {"unit": "beds_children", "available": 1, "colour": "red"}]
    response = cast.clients["provider_a"].post(
        f"/api/v1/services/{cast.service_a.pk}/capacity/", {"units": units}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["units"]
    first, second = response.json()["units"]
    assert first == {} and list(second) == ["colour"]
    assert not cast.service_a.capacities.exists()


def test_unknown_keys_are_named_beside_the_other_errors(cast):
    change = {"name": 5, "colour": "red", "size": 2}
    response = cast.clients["provider_a"].patch(f"/api/v1/services/{cast.service_a.pk}/", change, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == ["colour", "name", "size"]
    assert "name" in response.json()["colour"][0]  # the message lists the fields one may write


def test_the_post_search_names_an_unknown_key_as_the_get_search_names_an_unknown_parameter(api):
    posted = api.post("/api/v1/services/search/", {"colour": "red"}, format="json")
    got = api.get("/api/v1/services/", {"colour": "red"})
    assert posted.status_code == got.status_code == 400
    assert list(posted.json()) == list(got.json()) == ["colour"]
    assert posted.json()["colour"][0].startswith("Unknown search parameter. Known here: ")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/phones/{w.phone_a.pk}/",
        "/api/v1/service-translations/{w.translation.pk}/",
        "/api/v1/organizations/{w.org_a.pk}/",
    ],
)
def test_what_a_get_gave_can_be_put_back_unchanged(cast, path):
    client = cast.clients["admin_a"]
    url = path.format(w=cast)
    read = client.get(url)
    assert read.status_code == 200
    written = client.put(url, read.json(), format="json")
    assert written.status_code == 200, written.content
    assert {name: value for name, value in written.json().items() if name != "last_modified"} == {
        name: value for name, value in read.json().items() if name != "last_modified"
    }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/services/{w.service_a.pk}/", {"capacity": [{"unit": "beds_women", "available": 3}]}),
        ("/api/v1/services/{w.service_a.pk}/", {"translations": [{"language": "vi", "name": "Nhà"}], "name": "X"}),
        ("/api/v1/services/{w.service_a.pk}/", {"labels": 7}),
        ("/api/v1/locations/{w.house.pk}/", {"phones": [{"number": "+66 555 0199"}]}),
        ("/api/v1/organizations/{w.org_a.pk}/", {"service_count": 99}),
    ],
)
def test_a_read_only_field_sent_with_another_value_is_a_400_not_dropped(cast, path, body):
    before = _stored()
    response = cast.clients["admin_a"].patch(path.format(w=cast), body, format="json")
    assert response.status_code == 400, response.content
    named = next(name for name in body if name != "name")
    assert response.json()[named][0].startswith("Read-only"), response.json()
    assert _stored() == before


def test_a_read_only_field_sent_with_the_value_it_has_is_accepted(cast):
    url = f"/api/v1/organizations/{cast.org_a.pk}/"
    client = cast.clients["admin_a"]
    shown = client.get(url).json()
    response = client.patch(url, {"service_count": shown["service_count"], "description": "New"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "New"


def test_a_body_to_an_action_that_reads_none_must_be_empty(cast):
    url = f"/api/v1/services/{cast.service_a.pk}/verify/"
    client = cast.clients["admin_a"]
    for body in ([], None, 0, ""):
        response = (
            client.post(url, body, format="json")
            if body is not None
            else client.post(url, "null", content_type="application/json")
        )
        assert response.status_code == 400, (body, response.content)
    assert client.post(url, {}, format="json").status_code == 200
    assert client.post(url).status_code == 200


def test_the_records_bookkeeping_sent_in_a_write_is_ignored(cast):
    url = f"/api/v1/phones/{cast.phone_a.pk}/"
    response = cast.clients["provider_a"].patch(
        url, {"id": str(cast.house.pk), "number": "+66 555 0177"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(cast.phone_a.pk)


def test_a_form_body_is_refused_so_no_key_of_it_can_go_unread(cast):
    response = cast.clients["anonymous"].post(
        "/api/v1/auth/signup/caseworker/", {**NEW_USER, "agency": "Unit", "colour": "red"}, format="multipart"
    )
    assert response.status_code == 415
    assert not get_user_model().objects.filter(username=NEW_USER["username"]).exists()
