"""Messaging-app contacts (LINE, Viber, WhatsApp, Messenger, Zalo, Signal, Telegram, WeChat): one-tap links."""

import pytest

from referrals.models import Phone
from referrals.models.locations import contact_link
from tests.helpers import add_phone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "number", "link"),
    [
        ("line", "@harbourhelp", "https://line.me/R/ti/p/@harbourhelp"),
        ("line", "harbour.help", "https://line.me/R/ti/p/~harbour.help"),
        ("viber", "+95 9 555 0142", "viber://chat?number=%2B9595550142"),
        ("whatsapp", "+66 81 555 0142", "https://wa.me/66815550142"),
        ("messenger", "harbourhelp", "https://m.me/harbourhelp"),
        ("zalo", "+84 91 555 0142", "https://zalo.me/84915550142"),
        ("signal", "+66 81 555 0142", "https://signal.me/#p/+66815550142"),
        ("telegram", "@harbourhelp", "https://t.me/harbourhelp"),
        ("wechat", "harbourhelp", None),
        ("hotline", "1300", "tel:1300"),
        ("voice", "+66 2 555 0142", "tel:+6625550142"),
        ("text", "+66 81 555 0142", "sms:+66815550142"),
        ("fax", "+66 2 555 0143", None),
    ],
)
def test_each_kind_of_contact_opens_with_its_own_link(kind, number, link):
    assert contact_link(kind, number) == link


def test_a_provider_adds_a_line_account_and_search_results_and_details_link_to_it(world):
    owner = world.client_for("provider_a")
    response = owner.post(
        "/api/v1/phones/",
        {"service": str(world.service_a.pk), "type": "line", "number": "@ahouse", "description": "Intake"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    anonymous = world.client_for("anonymous")
    detail = anonymous.get(f"/api/v1/services/{world.service_a.pk}/").json()
    line = [phone for phone in detail["phones"] if phone["type"] == "line"]
    assert line == [{**line[0], "number": "@ahouse", "link": "https://line.me/R/ti/p/@ahouse"}]
    listed = anonymous.get("/api/v1/services/", {"q": "A shelter"}).json()["results"][0]
    assert "https://line.me/R/ti/p/@ahouse" in [phone["link"] for phone in listed["phones"]]
    sync = anonymous.get("/api/v1/sync/").json()["results"]
    record = next(item for item in sync if item["id"] == str(world.service_a.pk))
    assert "https://line.me/R/ti/p/@ahouse" in [phone["link"] for phone in record["phones"]]


def test_a_safe_houses_own_messaging_account_is_part_of_its_hidden_face(world):
    add_phone(number="+66 81 555 0177", location=world.house, type="whatsapp")
    public = world.client_for("anonymous").get(f"/api/v1/locations/{world.house.pk}/").json()
    assert "phones" not in public
    full = world.client_for("caseworker").get(f"/api/v1/locations/{world.house.pk}/").json()
    assert "https://wa.me/66815550177" in [phone["link"] for phone in full["phones"]]


@pytest.mark.parametrize(
    ("kind", "number"),
    [("whatsapp", "harbourhelp"), ("viber", "0812345678"), ("line", "harbour help!"), ("telegram", "@")],
)
def test_a_malformed_messaging_account_is_a_400_naming_the_number(world, kind, number):
    owner = world.client_for("provider_a")
    response = owner.post(
        "/api/v1/phones/", {"service": str(world.service_a.pk), "type": kind, "number": number}, format="json"
    )
    assert response.status_code == 400
    assert "number" in response.json()
    assert not Phone.objects.filter(number=number).exists()
