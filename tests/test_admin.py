"""A moderator can work in the admin: every list, search and edit page opens."""

import pytest
from django.contrib.auth import get_user_model

from tests.helpers import add_hours, add_phone, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client):
    user = get_user_model().objects.create_superuser("moderator", "moderator@example.org", "a-long-test-password")
    client.force_login(user)
    return client


def test_admin_pages_open(moderator_client):
    service = make_service(at=(13.75, 100.5))
    location = service.service_at_locations.get().location
    add_phone(service=service)
    add_hours(service, location, weekday=1, opens=(9, 0), closes=(17, 0))
    organization = service.organization
    pages = [
        "/admin/",
        "/admin/referrals/service/",
        "/admin/referrals/service/?q=test&status__exact=active",
        f"/admin/referrals/service/{service.pk}/change/",
        "/admin/referrals/location/?confidential__exact=1",
        f"/admin/referrals/location/{location.pk}/change/",
        "/admin/referrals/organization/?vetted__exact=1",
        f"/admin/referrals/organization/{organization.pk}/change/",
        "/admin/referrals/category/",
        "/admin/referrals/language/?q=km",
        "/admin/referrals/service/add/",
        f"/admin/referrals/service/{service.pk}/history/",
        "/admin/referrals/caseworker/",
        "/admin/referrals/membership/",
        "/admin/referrals/partnerkey/",
        "/admin/referrals/partnerkey/add/",
        "/admin/referrals/disclosure/",
        "/admin/referrals/report/",
        "/admin/auth/user/",
        "/admin/knox/authtoken/",
    ]
    for page in pages:
        assert moderator_client.get(page).status_code == 200, page


def test_moderator_can_vet_an_organisation_from_the_list(moderator_client):
    service = make_service()
    organization = service.organization
    organization.vetted = False
    organization.save()
    response = moderator_client.post(
        "/admin/referrals/organization/", {"action": "mark_vetted", "_selected_action": [str(organization.pk)]}
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.vetted


def test_moderator_vets_caseworkers_and_revokes_tokens_in_the_admin(moderator_client):
    from knox.models import AuthToken

    from referrals.models import Caseworker
    from tests.helpers import make_caseworker

    user = make_caseworker("new-caseworker", vetted=False)
    AuthToken.objects.create(user)
    caseworker = Caseworker.objects.get(user=user)
    moderator_client.post("/admin/referrals/caseworker/", {"action": "vet", "_selected_action": [caseworker.pk]})
    caseworker.refresh_from_db()
    assert caseworker.vetted and caseworker.vetted_at is not None
    moderator_client.post("/admin/auth/user/", {"action": "revoke_tokens", "_selected_action": [user.pk]})
    assert not AuthToken.objects.filter(user=user).exists()


def test_admin_requires_login(client):
    response = client.get("/admin/referrals/location/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
