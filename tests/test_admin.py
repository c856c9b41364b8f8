"""A moderator can work in the admin: every list, search and edit page opens; the home shows what waits, the
service list where each service is and whether it is stale, there is one API-key screen, and services are retired,
never deleted."""

import pytest
from django.contrib.auth import get_user_model

from referrals.models import ServiceAtLocation
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
        "/admin/referrals/service/?stale=yes&country=TH",
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


# One API-key screen: the partner keys the API authenticates


def _admin_models(response) -> set[str]:
    return {model["object_name"] for app in response.context["app_list"] for model in app["models"]}


def test_admin_has_one_api_key_screen_and_not_the_librarys(moderator_client):
    models = _admin_models(moderator_client.get("/admin/"))
    assert "PartnerKey" in models and "APIKey" not in models
    assert moderator_client.get("/admin/rest_framework_api_key/apikey/").status_code == 404
    assert moderator_client.get("/admin/rest_framework_api_key/apikey/add/").status_code == 404


def test_partner_key_made_in_the_admin_authenticates_against_the_api(moderator_client, api):
    import re

    from django.contrib.messages import get_messages

    response = moderator_client.post(
        "/admin/referrals/partnerkey/add/", {"name": "Hotline app", "contact_email": "it@example.org"}, follow=True
    )
    assert response.status_code == 200
    shown = " ".join(str(message) for message in get_messages(response.wsgi_request))
    key = re.search(r"is: ([A-Za-z0-9]+\.[A-Za-z0-9]+)\.", shown).group(1)
    assert api.get("/api/v1/services/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 200
    assert api.get("/api/v1/services/", HTTP_AUTHORIZATION=f"Api-Key {key}x").status_code == 401


# The moderation queue on the admin's home


def _queue_world():
    """Organisations and a caseworker awaiting vetting, an open report, overdue, retired and fresh listings."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from referrals.models import Caseworker, Report
    from tests.helpers import make_caseworker, make_organization

    today = timezone.localdate()
    world = {
        "organizations": [
            make_organization(name="Unvetted One", vetted=False),
            make_organization(name="Unvetted Two", vetted=False),
        ],
        "fresh": make_service(name="Fresh listing", assured_date=today),
        "stale": [
            make_service(name="Never verified"),
            make_service(name="Long ago", assured_date=today - timedelta(days=settings.STALE_AFTER_DAYS + 1)),
        ],
    }
    make_service(name="Retired, never verified", status="defunct")  # stale, but nobody need verify it
    make_caseworker("vetted-caseworker", vetted=True)
    world["caseworkers"] = [Caseworker.objects.get(user=make_caseworker("new-caseworker", vetted=False))]
    world["reports"] = [Report.objects.create(service=world["fresh"], reason="closed")]
    Report.objects.create(service=world["fresh"], reason="wrong_hours", status="resolved")
    return world


def test_admin_home_shows_the_moderation_queue_and_each_link_shows_exactly_those_rows(moderator_client):
    world = _queue_world()
    response = moderator_client.get("/admin/")
    html = response.content.decode()
    queue = {line.label: line for line in response.context["moderation_queue"]}
    expected = {
        "Organisations awaiting vetting": {organization.pk for organization in world["organizations"]},
        "Caseworkers awaiting vetting": {caseworker.pk for caseworker in world["caseworkers"]},
        "Open reports": {report.pk for report in world["reports"]},
        "Listings overdue for verification": {service.pk for service in world["stale"]},
    }
    assert set(queue) == set(expected)
    assert 'id="moderation-queue"' in html
    for label, pks in expected.items():
        line = queue[label]
        assert line.count == len(pks), label
        assert f'href="{line.url}"' in html and label in html
        listed = moderator_client.get(line.url)
        assert listed.status_code == 200, line.url
        assert {row.pk for row in listed.context["cl"].result_list} == pks, label


def test_moderation_queue_shows_only_what_the_staff_member_may_see(client):
    from django.contrib.auth.models import Permission

    from tests.helpers import make_user

    _queue_world()
    staff = make_user("reports-clerk", is_staff=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.context["moderation_queue"] == [] and 'id="moderation-queue"' not in response.content.decode()
    staff.user_permissions.add(Permission.objects.get(codename="view_report"))
    lines = client.get("/admin/").context["moderation_queue"]
    assert [(line.label, line.count) for line in lines] == [("Open reports", 1)]


# The service list: where, stale, and filters


def _service_in(city, country, *, at=(13.75, 100.5), **overrides):
    from tests.helpers import make_location

    service = make_service(**overrides)
    location = make_location(
        service.organization, city=city, state_province="", country=country, latitude=at[0], longitude=at[1]
    )
    ServiceAtLocation.objects.create(service=service, location=location)
    return service


def test_service_list_shows_cities_countries_and_stale(moderator_client):
    from django.utils import timezone

    from tests.helpers import make_location

    service = _service_in("Bangkok", "TH", name="Two-country shelter", assured_date=timezone.localdate())
    phnom_penh = make_location(
        service.organization, city="Phnom Penh", state_province="", country="KH", latitude=11.56, longitude=104.92
    )
    ServiceAtLocation.objects.create(service=service, location=phnom_penh)
    _service_in("Vientiane", "LA", name="Unverified line")
    html = moderator_client.get("/admin/referrals/service/").content.decode()
    assert '<td class="field-cities">Bangkok, Phnom Penh</td>' in html
    assert '<td class="field-location_countries">TH, KH</td>' in html
    assert '<td class="field-cities">Vientiane</td>' in html
    assert html.count('<td class="field-stale"><img src="/static/admin/img/icon-yes.svg" alt="True">') == 1
    assert html.count('<td class="field-stale"><img src="/static/admin/img/icon-no.svg" alt="False">') == 1


def test_service_list_queries_stay_constant_for_3_or_30_services(moderator_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cities = [("Bangkok", "TH"), ("Phnom Penh", "KH"), ("Yangon", "MM")]
    for number in range(3):
        _service_in(*cities[number % 3], name=f"Service {number}")
    moderator_client.get("/admin/referrals/service/")  # session, content types and caches warmed
    with CaptureQueriesContext(connection) as few:
        assert moderator_client.get("/admin/referrals/service/").status_code == 200
    for number in range(3, 30):
        _service_in(*cities[number % 3], name=f"Service {number}")
    with CaptureQueriesContext(connection) as many:
        response = moderator_client.get("/admin/referrals/service/")
    assert response.context["cl"].result_count == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_service_list_filters_by_country_and_staleness(moderator_client):
    from django.utils import timezone

    from referrals.models import ServiceArea

    thai = _service_in("Bangkok", "TH", name="Thai shelter", assured_date=timezone.localdate())
    khmer = _service_in("Phnom Penh", "KH", at=(11.56, 104.92), name="Khmer shelter")
    hotline = make_service(name="Regional hotline")  # no location: reaches Cambodia by a service area
    ServiceArea.objects.create(service=hotline, kind="country", country="KH")

    def listed(query):
        response = moderator_client.get("/admin/referrals/service/", query)
        assert response.status_code == 200 and "?e=1" not in response.get("Location", "")
        return {service.name for service in response.context["cl"].result_list}

    response = moderator_client.get("/admin/referrals/service/")
    assert "Cambodia" in response.content.decode() and "Thailand" in response.content.decode()
    assert listed({"country": "KH"}) == {khmer.name, hotline.name}
    assert listed({"country": "TH"}) == {thai.name}
    assert listed({"stale": "yes"}) == {khmer.name, hotline.name}
    assert listed({"stale": "no"}) == {thai.name}
    assert listed({"stale": "yes", "country": "KH"}) == {khmer.name, hotline.name}


# Services are retired, never deleted


def test_retire_selected_keeps_the_rows_retires_them_and_takes_them_out_of_public_search(
    moderator_client, api, monkeypatch
):
    from referrals.models import Service, SyncTombstone
    from referrals.services import listings, sync

    first = _service_in("Bangkok", "TH", name="First shelter")
    second = _service_in("Bangkok", "TH", name="Second shelter")
    kept = _service_in("Bangkok", "TH", name="Kept shelter")
    near = {"lat": 13.75, "lng": 100.5, "radius_km": 10}
    assert api.get("/api/v1/services/").json()["count"] == 3
    assert api.get("/api/v1/services/", near).json()["count"] == 3
    events = []
    real_lock, real_retire = sync.lock_sequence, listings.retire
    monkeypatch.setattr(sync, "lock_sequence", lambda: (events.append("lock"), real_lock())[1])
    monkeypatch.setattr(listings, "retire", lambda service: (events.append("retire"), real_retire(service))[1])

    response = moderator_client.post(
        "/admin/referrals/service/",
        {"action": "retire_selected", "_selected_action": [str(first.pk), str(second.pk)]},
    )

    assert response.status_code == 302
    assert events[0] == "lock" and events.count("retire") == 2  # inside the write lock, as the API's writes
    for service in (first, second):
        service = Service.objects.get(pk=service.pk)  # still there
        assert service.status == "defunct"
        latest = service.history.latest()
        assert latest.status == "defunct" and latest.history_user.username == "moderator"
        assert SyncTombstone.objects.filter(record_type="service", record_id=service.pk).exists()
    assert Service.objects.get(pk=kept.pk).status == "active"
    assert [row["name"] for row in api.get("/api/v1/services/").json()["results"]] == [kept.name]
    assert [row["name"] for row in api.get("/api/v1/services/", near).json()["results"]] == [kept.name]
    history_size = first.history.count()
    again = moderator_client.post(
        "/admin/referrals/service/", {"action": "retire_selected", "_selected_action": [str(first.pk)]}, follow=True
    )
    assert "0 service(s) retired (1 already were)." in again.content.decode()
    assert first.history.count() == history_size  # retiring twice changes nothing


def test_services_cannot_be_deleted_in_the_admin(moderator_client):
    from referrals.models import Service

    service = make_service()
    actions = dict(moderator_client.get("/admin/referrals/service/").context["action_form"].fields["action"].choices)
    assert "retire_selected" in actions and "delete_selected" not in actions
    change_page = moderator_client.get(f"/admin/referrals/service/{service.pk}/change/").content.decode()
    assert f"/admin/referrals/service/{service.pk}/delete/" not in change_page
    assert moderator_client.post(f"/admin/referrals/service/{service.pk}/delete/", {"post": "yes"}).status_code == 403
    response = moderator_client.post(
        "/admin/referrals/service/", {"action": "delete_selected", "_selected_action": [str(service.pk)], "post": "yes"}
    )
    assert Service.objects.filter(pk=service.pk).exists()
    assert response.status_code in (200, 302)
