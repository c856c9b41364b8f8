"""Public delta sync re-sends a service only when its public face changed: hidden edits of a safe house stay unseen."""

import pytest

from referrals.models import Phone

pytestmark = pytest.mark.django_db

READERS = ("anonymous", "partner", "provider_b", "caseworker", "granted_partner", "provider_a")
# Who sees the house's full face (and so must get its hidden changes): the caseworker, the granted key, its owners.
FULL_FACE_READERS = {"caseworker", "granted_partner", "provider_a"}


def _cursors(world):
    cursors = {}
    for reader in READERS:
        page = world.client_for(reader).get("/api/v1/sync/?country=TH").json()
        assert not page["has_more"]
        cursors[reader] = page["next_cursor"]
    return cursors


def _resent(world, cursors):
    """Which readers' next sync re-sends the shelter."""
    resent = set()
    for reader, cursor in cursors.items():
        page = world.client_for(reader).get(f"/api/v1/sync/?cursor={cursor}").json()
        if any(record["id"] == str(world.service_a.pk) for record in page["results"]):
            resent.add(reader)
    return resent


@pytest.mark.parametrize(
    "hidden_change",
    [
        {"address_1": "10 Secret Soi"},
        {"postal_code": "10120", "description": "Moved the door"},
        # Within its grid cell: the public point stays where it was.
        {"latitude": 13.73301, "longitude": 100.53402},
    ],
    ids=["address", "postal code", "exact point within its cell"],
)
def test_a_safe_houses_hidden_edit_is_re_sent_only_to_readers_of_its_full_face(world, hidden_change):
    cursors = _cursors(world)
    owner = world.client_for("provider_a")
    response = owner.patch(f"/api/v1/locations/{world.house.pk}/", hidden_change, format="json")
    assert response.status_code == 200, response.json()
    assert _resent(world, cursors) == FULL_FACE_READERS


def test_a_safe_houses_own_phone_is_its_hidden_face(world):
    cursors = _cursors(world)
    phone = Phone.objects.get(location=world.house)
    owner = world.client_for("provider_a")
    assert owner.patch(f"/api/v1/phones/{phone.pk}/", {"number": "+66 555 0198"}, format="json").status_code == 200
    assert _resent(world, cursors) == FULL_FACE_READERS


def test_a_change_to_the_public_face_reaches_every_reader(world):
    cursors = _cursors(world)
    owner = world.client_for("provider_a")
    response = owner.patch(f"/api/v1/locations/{world.house.pk}/", {"city": "Nonthaburi"}, format="json")
    assert response.status_code == 200, response.json()
    assert _resent(world, cursors) == set(READERS)


def test_moving_a_house_to_another_grid_cell_reaches_every_reader(world):
    cursors = _cursors(world)
    owner = world.client_for("provider_a")
    moved = {"latitude": 13.81, "longitude": 100.61}
    assert owner.patch(f"/api/v1/locations/{world.house.pk}/", moved, format="json").status_code == 200
    assert _resent(world, cursors) == set(READERS)


def test_the_models_public_face_is_the_one_the_api_shows():
    from api.serializers.directory import LocationSerializer
    from referrals.models import Location

    # The API's names for the model's fields, and the fields the API computes for a public reader.
    by_api_name = {"organization_id": "organization", "public_latitude": "latitude", "public_longitude": "longitude"}
    computed = {"id", "approximate", "distance_km"}
    model_face = {by_api_name.get(name, name) for name in Location.PUBLIC_FACE_FIELDS}
    assert model_face | computed == set(LocationSerializer.Meta.public_fields)
