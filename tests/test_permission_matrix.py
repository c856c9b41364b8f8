"""Every endpoint and method for every actor: the status code, and which face of a confidential location."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world_once, db):
    """The cast, built once for the module (each test's writes roll back): these tests only ask and compare."""
    return world_once


ACTORS = [
    "anonymous",
    "partner",
    "granted_partner",
    "caseworker",
    "unvetted_caseworker",
    "provider_a",
    "admin_a",
    "provider_b",
    "moderator",
]


def expect(default, **overrides):
    """Expected status per actor: `default`, except where named."""
    return {actor: overrides.get(actor, default) for actor in ACTORS}


# Shorthands for the usual patterns.
READ_ALL = expect(200)
SIGNED_IN = expect(200, anonymous=401, partner=403, granted_partner=403)
MODERATORS = expect(403, anonymous=401, moderator=200)
OWNERS = expect(404, anonymous=401, partner=403, granted_partner=403, provider_a=200, admin_a=200, moderator=200)


def new_service(w):
    return {"organization": str(w.org_a.pk), "name": "New", "categories": ["housing"]}


def new_phone(w):
    return {"service": str(w.service_a.pk), "number": "+66 555 0123"}


def capacity(w):
    return {"units": [{"unit": "beds_women", "available": 2}]}


MATRIX = [
    # method, path (formatted with the world), body factory, expected statuses
    ("get", "/api/v1/services/", None, READ_ALL),
    ("get", "/api/v1/services/{w.service_a.pk}/", None, READ_ALL),
    ("get", "/api/v1/locations/{w.house.pk}/", None, READ_ALL),
    ("get", "/api/v1/organizations/", None, READ_ALL),
    ("get", "/api/v1/categories/", None, READ_ALL),
    # Reads of what one may not see answer 404, whoever asks.
    (
        "get",
        "/api/v1/services/{w.service_a.pk}/history/",
        None,
        {**OWNERS, "anonymous": 404, "partner": 404, "granted_partner": 404},
    ),
    ("get", "/api/v1/disclosures/", None, MODERATORS),
    ("get", "/api/v1/caseworkers/", None, MODERATORS),
    ("get", "/api/v1/reports/", None, SIGNED_IN),
    ("get", "/api/v1/phones/", None, SIGNED_IN),
    ("get", "/api/v1/auth/me/", None, SIGNED_IN),
    (
        "get",
        "/api/v1/organizations/{w.org_a.pk}/members/",
        None,
        {**OWNERS, "anonymous": 404, "partner": 404, "granted_partner": 404},
    ),
    (
        "post",
        "/api/v1/services/",
        new_service,
        expect(400, anonymous=401, partner=403, granted_partner=403, provider_a=201, admin_a=201, moderator=201),
    ),
    ("patch", "/api/v1/services/{w.service_a.pk}/", lambda w: {"name": "Renamed"}, OWNERS),
    (
        "delete",
        "/api/v1/services/{w.service_a.pk}/",
        None,
        {**OWNERS, "provider_a": 204, "admin_a": 204, "moderator": 204},
    ),
    ("patch", "/api/v1/locations/{w.house.pk}/", lambda w: {"name": "Renamed house"}, OWNERS),
    ("post", "/api/v1/services/{w.service_a.pk}/capacity/", capacity, OWNERS),
    ("post", "/api/v1/services/{w.service_a.pk}/verify/", None, {**OWNERS, "provider_a": 404}),
    (
        "post",
        "/api/v1/services/{w.service_a.pk}/report/",
        lambda w: {"reason": "wrong_hours"},
        expect(403, anonymous=401, caseworker=201, moderator=201),
    ),
    ("post", "/api/v1/organizations/{w.org_a.pk}/vet/", None, MODERATORS),
    (
        "patch",
        "/api/v1/organizations/{w.org_a.pk}/",
        lambda w: {"description": "New text"},
        {**OWNERS, "provider_a": 404},
    ),
    (
        "post",
        "/api/v1/phones/",
        new_phone,
        expect(400, anonymous=401, partner=403, granted_partner=403, provider_a=201, admin_a=201, moderator=201),
    ),
    (
        "post",
        "/api/v1/auth/revoke/",
        lambda w: {"username": "caseworker"},
        MODERATORS,
    ),
    ("put", "/api/v1/services/{w.service_a.pk}/", lambda w: {**new_service(w), "name": "Replaced"}, OWNERS),
    (
        "post",
        "/api/v1/locations/",
        lambda w: {"organization": str(w.org_a.pk), "name": "Office", "city": "Bangkok", "country": "TH"},
        expect(400, anonymous=401, partner=403, granted_partner=403, provider_a=201, admin_a=201, moderator=201),
    ),
    (
        "delete",
        "/api/v1/locations/{w.house.pk}/",
        None,
        {**OWNERS, "provider_a": 204, "admin_a": 204, "moderator": 204},
    ),
    ("get", "/api/v1/schedules/{w.schedule_a.pk}/", None, {**OWNERS, "partner": 403, "granted_partner": 403}),
    ("patch", "/api/v1/schedules/{w.schedule_a.pk}/", lambda w: {"description": "Holidays closed"}, OWNERS),
    (
        "post",
        "/api/v1/service-areas/",
        lambda w: {"service": str(w.service_a.pk), "kind": "country", "country": "TH"},
        expect(400, anonymous=401, partner=403, granted_partner=403, provider_a=201, admin_a=201, moderator=201),
    ),
    (
        "post",
        "/api/v1/service-at-locations/",
        lambda w: {"service": str(w.service_b.pk), "location": str(w.house.pk)},
        expect(400, anonymous=401, partner=403, granted_partner=403),
    ),
    ("post", "/api/v1/caseworkers/{w.caseworker_profile.pk}/vet/", lambda w: {"vetted": True}, MODERATORS),
    (
        "get",
        "/api/v1/reports/{w.report.pk}/",
        None,
        {**OWNERS, "partner": 403, "granted_partner": 403, "caseworker": 200},
    ),
    (
        "patch",
        "/api/v1/reports/{w.report.pk}/",
        lambda w: {"status": "resolved"},
        {**OWNERS, "caseworker": 404},
    ),
    ("get", "/api/v1/disclosures/", None, MODERATORS),
    (
        "post",
        "/api/v1/auth/logout/",
        None,
        expect(204, anonymous=401, partner=401, granted_partner=401),
    ),
    (
        "post",
        "/api/v1/auth/signup/caseworker/",
        lambda w: {
            "username": "x-new",
            "password": "correct horse battery staple",
            "email": "n@example.org",
            "agency": "Unit",
        },
        expect(202),
    ),
]

FULL_FACE = {"granted_partner", "caseworker", "provider_a", "admin_a", "moderator"}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_permission_matrix(world, actor, method, path, body, expected):
    client = world.client_for(actor)
    url = path.format(w=world)
    response = getattr(client, method)(url, body(world) if body else None, format="json")
    assert response.status_code == expected[actor], (actor, method, url, response.content[:300])


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/locations/{w.house.pk}/",
        "/api/v1/services/{w.service_a.pk}/",
        "/api/v1/services/?lat=13.74&lng=100.53&radius_km=5",
    ],
)
def test_confidential_face_per_actor(world, actor, path):
    body = world.client_for(actor).get(path.format(w=world)).json()
    text = str(body)
    if actor in FULL_FACE:
        assert str(world.HOUSE[0]) in text and str(world.HOUSE[1]) in text, actor
        if "lat=" not in path:  # the compact search result carries the point; the records carry everything
            assert "9 Secret Soi" in text and "+66 555 0199" in text, actor
    else:
        for secret in ("9 Secret Soi", "10110", "+66 555 0199", "Secret Soi", str(world.HOUSE[0]), str(world.HOUSE[1])):
            assert secret not in text, (actor, secret)
