"""Listings in many languages: `lang=` / Accept-Language with fallback, translated labels, search in every script."""

import pytest

from referrals.models import Service, ServiceTranslation
from tests.helpers import make_member, make_organization, make_service

pytestmark = pytest.mark.django_db

THAI_DESCRIPTION = "บ้านพักพิงที่ปลอดภัยสำหรับผู้หญิงและเด็กที่หนีการค้ามนุษย์"


@pytest.fixture
def shelter():
    """An English listing with a Thai translation of its name and description (not of its eligibility)."""
    service = make_service(
        make_organization(),
        name="Lotus Women's Shelter",
        description="A safe shelter for women and children.",
        eligibility_description="Women and their children.",
        at=(18.79, 98.98),
    )
    ServiceTranslation.objects.create(
        service=service, language="th", name="บ้านพักพิงสตรีโลตัส", description=THAI_DESCRIPTION
    )
    return service


def detail(api, service, **kwargs):
    response = api.get(f"/api/v1/services/{service.pk}/", **kwargs)
    assert response.status_code == 200, response.content
    return response


def test_lang_returns_thai_where_it_exists_english_where_not_and_says_which(api, shelter):
    response = detail(api, shelter, data={"lang": "th"})
    body = response.json()
    assert body["name"] == "บ้านพักพิงสตรีโลตัส" and body["description"] == THAI_DESCRIPTION
    assert body["eligibility_description"] == "Women and their children."
    assert body["text_languages"]["name"] == "th" and body["text_languages"]["description"] == "th"
    assert body["text_languages"]["eligibility_description"] == "en"
    assert body["text_language"] == "en"
    assert response["Content-Language"] == "th"
    assert [t["language"] for t in body["translations"]] == ["th"]


def test_without_a_language_the_listing_speaks_its_own(api, shelter):
    body = detail(api, shelter).json()
    assert body["name"] == "Lotus Women's Shelter" and set(body["text_languages"].values()) == {"en"}


def test_accept_language_chooses_and_lang_overrides_it(api, shelter):
    assert detail(api, shelter, HTTP_ACCEPT_LANGUAGE="th-TH,th;q=0.9,en;q=0.5").json()["name"] == "บ้านพักพิงสตรีโลตัส"
    assert detail(api, shelter, HTTP_ACCEPT_LANGUAGE="de-DE,th;q=0.4").json()["text_languages"]["name"] == "th"
    english = detail(api, shelter, data={"lang": "en"}, HTTP_ACCEPT_LANGUAGE="th")
    assert english.json()["name"] == "Lotus Women's Shelter" and english["Content-Language"] == "en"
    unsupported = detail(api, shelter, HTTP_ACCEPT_LANGUAGE="de, fr;q=0.5")
    assert unsupported.json()["name"] == "Lotus Women's Shelter" and not unsupported.has_header("Content-Language")


def test_a_listing_written_in_thai_falls_back_to_thai(api):
    service = make_service(make_organization(), name="ศูนย์ช่วยเหลือแม่สอด", text_language="th", at=(16.71, 98.57))
    body = detail(api, service, data={"lang": "vi"}).json()
    assert body["name"] == "ศูนย์ช่วยเหลือแม่สอด" and body["text_languages"]["name"] == "th"


def test_search_results_follow_the_language_too(api, shelter):
    english_only = make_service(make_organization(name="Other"), name="Harbour Clinic", at=(18.80, 98.99))
    results = api.get("/api/v1/services/", {"lang": "th", "near": "Chiang Mai"}).json()["results"]
    by_id = {item["id"]: item for item in results}
    assert by_id[str(shelter.pk)]["name"] == "บ้านพักพิงสตรีโลตัส"
    assert by_id[str(shelter.pk)]["text_languages"]["name"] == "th"
    assert by_id[str(english_only.pk)]["name"] == "Harbour Clinic"
    assert by_id[str(english_only.pk)]["text_languages"]["name"] == "en"
    posted = api.post("/api/v1/services/search/", {"near": "Chiang Mai", "lang": "th"}, format="json").json()
    assert {item["name"] for item in posted["results"]} == {"บ้านพักพิงสตรีโลตัส", "Harbour Clinic"}


@pytest.mark.parametrize("word", ["ปลอดภัย", "ผู้หญิง", "การค้ามนุษย์", "โลตัส"])
def test_q_finds_a_thai_word_inside_thai_text(api, shelter, word):
    make_service(make_organization(name="Unrelated"), name="Harbour Clinic", at=(18.80, 98.99))
    results = api.get("/api/v1/services/", {"q": word}).json()["results"]
    assert [item["id"] for item in results] == [str(shelter.pk)]


@pytest.mark.parametrize(
    ("language", "text", "word"),
    [
        ("km", "ផ្ទះសុវត្ថិភាពសម្រាប់កុមារដែលរងគ្រោះពីការជួញដូរមនុស្ស", "កុមារ"),
        ("lo", "ເຮືອນປອດໄພສຳລັບເດັກທີ່ຖືກຄ້າມະນຸດ", "ປອດໄພ"),
        ("my", "လူကုန်ကူးခံရသူများအတွက်လုံခြုံရေးအိမ်", "လုံခြုံရေး"),
        ("zh", "为人口贩运受害妇女提供安全住所", "安全住所"),
        ("vi", "Nhà tạm lánh an toàn cho phụ nữ", "tạm lánh"),
    ],
)
def test_q_finds_words_in_every_script(api, language, text, word):
    service = make_service(make_organization(), name="Listing", at=(13.7, 100.5))
    ServiceTranslation.objects.create(service=service, language=language, description=text)
    assert [item["id"] for item in api.get("/api/v1/services/", {"q": word}).json()["results"]] == [str(service.pk)]


def test_a_deleted_translation_is_no_longer_searched(api, shelter):
    shelter.translations.get().delete()
    assert api.get("/api/v1/services/", {"q": "ปลอดภัย"}).json()["results"] == []


def test_renaming_the_organisation_keeps_translations_searchable(api, shelter):
    shelter.organization.name = "Renamed Trust"
    shelter.organization.save()
    assert len(api.get("/api/v1/services/", {"q": "ปลอดภัย"}).json()["results"]) == 1


def test_taxonomy_labels_are_translated(api):
    thai = api.get("/api/v1/categories/housing/", {"lang": "th"}).json()
    assert thai["name"] == "ที่พักพิง" and thai["language"] == "th"
    khmer = api.get("/api/v1/populations/children/", HTTP_ACCEPT_LANGUAGE="km").json()
    assert khmer["name"] == "កុមារ" and khmer["language"] == "km"
    english = api.get("/api/v1/contexts/refugee_camp/").json()
    assert english["name"] == "Refugee camp" and english["language"] == "en"
    labels = api.get("/api/v1/categories/housing/").json()["translations"]
    assert {"th", "vi", "km", "my", "lo", "id", "ms", "tl", "zh"} <= set(labels)


@pytest.mark.parametrize("url", ["/api/v1/services/", "/api/v1/categories/", "/api/v1/sync/"])
def test_an_unsupported_or_empty_lang_is_a_400(api, url):
    for value in ("xx", ""):
        response = api.get(url, {"lang": value})
        assert response.status_code == 400 and "lang" in response.json()


def test_sync_carries_translations_and_a_translation_change(api, shelter):
    first = api.get("/api/v1/sync/", {"lang": "th"}).json()
    record = first["results"][0]
    assert record["name"] == "บ้านพักพิงสตรีโลตัส" and record["translations"][0]["description"] == THAI_DESCRIPTION
    ServiceTranslation.objects.create(service=shelter, language="vi", name="Nhà tạm lánh Lotus")
    again = api.get("/api/v1/sync/", {"cursor": first["next_cursor"]}).json()
    assert [r["id"] for r in again["results"]] == [str(shelter.pk)]
    assert {t["language"] for t in again["results"][0]["translations"]} == {"th", "vi"}


class TestProviderTranslations:
    URL = "/api/v1/service-translations/"

    @pytest.fixture
    def provider(self, shelter):
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(make_member(shelter.organization, "provider"))
        return client

    def test_a_provider_adds_and_edits_a_translation(self, api, provider, shelter):
        created = provider.post(
            self.URL, {"service": str(shelter.pk), "language": "my", "name": "လိုတပ် အမျိုးသမီးဂေဟာ"}, format="json"
        )
        assert created.status_code == 201, created.content
        assert detail(api, shelter, data={"lang": "my"}).json()["name"] == "လိုတပ် အမျိုးသမီးဂေဟာ"
        changed = provider.patch(f"{self.URL}{created.json()['id']}/", {"description": "ဂေဟာ"}, format="json")
        assert changed.status_code == 200
        assert api.get("/api/v1/services/", {"q": "ဂေဟာ"}).json()["count"] == 1

    @pytest.mark.parametrize(
        ("body", "bad"),
        [
            ({"language": "th", "name": "ซ้ำ"}, "language"),  # already translated into Thai
            ({"language": "en", "name": "Own language"}, "language"),  # the listing is written in English
            ({"language": "xx", "name": "?"}, "language"),
            ({"language": "vi", "name": 5}, "name"),
        ],
    )
    def test_bad_translations_are_400s_naming_the_field(self, provider, shelter, body, bad):
        response = provider.post(self.URL, {"service": str(shelter.pk), **body}, format="json")
        assert response.status_code == 400 and bad in response.json(), response.content

    def test_nobody_translates_someone_elses_listing(self, api, shelter):
        from rest_framework.test import APIClient

        other = APIClient()
        other.force_authenticate(make_member(make_organization(name="Other"), "outsider"))
        body = {"service": str(shelter.pk), "language": "vi", "name": "x"}
        assert other.post(self.URL, body, format="json").status_code == 400
        assert api.post(self.URL, body, format="json").status_code in (401, 403)
        assert not Service.objects.get(pk=shelter.pk).translations.filter(language="vi").exists()

    def test_the_listings_language_cannot_collide_with_a_translation(self, provider, shelter):
        response = provider.patch(f"/api/v1/services/{shelter.pk}/", {"text_language": "th"}, format="json")
        assert response.status_code == 400 and "text_language" in response.json()


def test_overlong_texts_are_a_400_naming_the_field(shelter):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(make_member(shelter.organization, "long-writer"))
    body = {"service": str(shelter.pk), "language": "vi", "description": "x" * 10001}
    response = client.post("/api/v1/service-translations/", body, format="json")
    assert response.status_code == 400 and "description" in response.json()
    patched = client.patch(f"/api/v1/services/{shelter.pk}/", {"eligibility_description": "y" * 10001}, format="json")
    assert patched.status_code == 400 and "eligibility_description" in patched.json()
