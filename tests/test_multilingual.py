"""Listings in many languages: `lang=` / Accept-Language with fallback, translated labels, search in every script."""

import pytest

from referrals.models import Service, ServiceTranslation
from tests.helpers import add_phone, make_location, make_member, make_organization, make_service

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


# Phones, locations and vocabulary labels in the reader's language; Django's and DRF's messages too.

THAI_PLACE = "สำนักงานเชียงใหม่"
THAI_INTAKE = "สายรับเรื่อง 24 ชั่วโมง"


@pytest.fixture
def office(shelter):
    """The shelter's office and intake line, each with a Thai translation."""
    location = shelter.service_at_locations.get().location
    location.name = "Chiang Mai office"
    location.translations = {"th": {"name": THAI_PLACE}}
    location.save()
    phone = add_phone(
        service=shelter,
        type="hotline",
        description="24-hour intake line",
        translations={"th": {"description": THAI_INTAKE}},
    )
    return location, phone


def signed_in(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def test_phone_descriptions_and_location_names_follow_lang_and_say_so(api, office):
    location, _ = office
    body = detail(api, location.service_at_locations.get().service, data={"lang": "th"}).json()
    assert body["locations"][0]["name"] == THAI_PLACE and body["locations"][0]["text_languages"] == {"name": "th"}
    assert body["phones"][0]["description"] == THAI_INTAKE
    assert body["phones"][0]["text_languages"] == {"description": "th"}
    # The detail carries every language, for switching offline; so does the location's own record.
    assert body["locations"][0]["translations"] == {"th": {"name": THAI_PLACE}}
    assert body["phones"][0]["translations"] == {"th": {"description": THAI_INTAKE}}
    assert api.get(f"/api/v1/locations/{location.pk}/").json()["translations"] == {"th": {"name": THAI_PLACE}}


def test_search_results_carry_translated_phones_and_places_with_accept_language(api, office):
    item = api.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="th-TH,th;q=0.9").json()["results"][0]
    assert item["locations"][0]["name"] == THAI_PLACE and item["locations"][0]["text_languages"] == {"name": "th"}
    assert item["phones"][0]["description"] == THAI_INTAKE
    # A result is compact: the text in the reader's language, not every language's.
    assert "translations" not in item["phones"][0] and "translations" not in item["locations"][0]


@pytest.mark.parametrize(
    "asked", [{"data": {"lang": "vi"}}, {}, {"HTTP_ACCEPT_LANGUAGE": "th", "data": {"lang": "en"}}]
)
def test_untranslated_phones_and_places_fall_back_to_their_own_texts(api, office, asked):
    item = api.get("/api/v1/services/", **asked).json()["results"][0]
    assert item["locations"][0]["name"] == "Chiang Mai office" and item["locations"][0]["text_languages"] == {}
    assert item["phones"][0]["description"] == "24-hour intake line" and item["phones"][0]["text_languages"] == {}


def test_a_confidential_locations_name_translations_never_reach_the_public_face(api):
    from tests.helpers import make_caseworker

    organization = make_organization()
    add_phone(organization=organization, type="hotline")  # its front door
    house = make_location(organization, name="Safe house on Soi 9", confidential=True)
    house.translations = {"th": {"name": "บ้านพักซอย 9"}}
    house.full_clean()
    house.save()
    service = make_service(organization, name="Safe house", at=house)
    public = [
        api.get("/api/v1/services/", {"lang": "th"}),
        api.get(f"/api/v1/services/{service.pk}/", {"lang": "th"}),
        api.get(f"/api/v1/locations/{house.pk}/", HTTP_ACCEPT_LANGUAGE="th"),
        api.get("/api/v1/sync/", {"lang": "th"}),
    ]
    for response in public:
        assert response.status_code == 200, response.content
        text = response.content.decode()
        assert "บ้านพักซอย 9" not in text and "Soi 9" not in text and '"translations":{"th":{"name"' not in text
    face = api.get(f"/api/v1/services/{service.pk}/", {"lang": "th"}).json()["locations"][0]
    assert not {"name", "translations", "text_languages"} & set(face)
    # A vetted caseworker sees the full face, translated.
    caseworker = signed_in(make_caseworker("cw"))
    full = caseworker.get(f"/api/v1/services/{service.pk}/", {"lang": "th"}).json()["locations"][0]
    assert full["name"] == "บ้านพักซอย 9" and full["text_languages"] == {"name": "th"}
    assert caseworker.get(f"/api/v1/locations/{house.pk}/").json()["translations"] == {"th": {"name": "บ้านพักซอย 9"}}


def test_a_safe_houses_new_translation_is_not_resent_to_the_public_sync(api):
    organization = make_organization()
    add_phone(organization=organization, type="hotline")
    house = make_location(organization, name="Safe house", confidential=True)
    make_service(organization, name="Safe house", at=house)
    cursor = api.get("/api/v1/sync/").json()["next_cursor"]
    house.translations = {"th": {"name": "บ้านพัก"}}
    house.save()
    assert api.get("/api/v1/sync/", {"cursor": cursor}).json()["results"] == []


def test_sync_carries_phone_and_location_translations_and_their_changes(api, office):
    _, phone = office
    first = api.get("/api/v1/sync/", {"lang": "th"}).json()
    record = first["results"][0]
    assert record["locations"][0]["translations"] == {"th": {"name": THAI_PLACE}}
    assert record["locations"][0]["name"] == THAI_PLACE
    assert record["phones"][0]["translations"] == {"th": {"description": THAI_INTAKE}}
    phone.translations = {**phone.translations, "my": {"description": "ဖုန်းလိုင်း"}}
    phone.save()
    again = api.get("/api/v1/sync/", {"cursor": first["next_cursor"]}).json()
    assert [r["id"] for r in again["results"]] == [record["id"]]
    assert set(again["results"][0]["phones"][0]["translations"]) == {"th", "my"}


class TestWritingTranslations:
    """Providers write the translations of their phones and locations; the models say what is wrong."""

    @pytest.fixture
    def provider(self, office):
        return signed_in(make_member(office[0].organization, "translator"))

    def test_a_provider_writes_a_location_and_a_phone_translation(self, api, provider, office):
        location, phone = office
        names = {"th": {"name": THAI_PLACE}, "vi": {"name": "Văn phòng Chiang Mai"}}
        changed = provider.patch(f"/api/v1/locations/{location.pk}/", {"translations": names}, format="json")
        assert changed.status_code == 200, changed.content
        assert changed.json()["translations"] == names
        created = provider.post(
            "/api/v1/phones/",
            {"service": str(phone.service_id), "number": "+66 555 0177", "description": "Text line",
             "translations": {"vi": {"description": "Đường dây nhắn tin"}}},
            format="json",
        )  # fmt: skip
        assert created.status_code == 201, created.content
        body = detail(api, phone.service, data={"lang": "vi"}).json()
        assert body["locations"][0]["name"] == "Văn phòng Chiang Mai"
        assert "Đường dây nhắn tin" in {item["description"] for item in body["phones"]}

    @pytest.mark.parametrize(
        ("translations", "says"),
        [
            ({"xx": {"name": "?"}}, "Unsupported language 'xx'"),
            ({"th": {"address_1": "1 ถนน"}}, "'address_1' is not translated here"),
            ({"th": {"name": "ก" * 201}}, "more than 200 characters"),
            ({"th": "ชื่อ"}, None),
            ({"th": {"name": 5}}, None),
            (["th"], None),
        ],
    )
    def test_bad_location_translations_are_400s_naming_the_field(self, provider, office, translations, says):
        location, _ = office
        response = provider.patch(f"/api/v1/locations/{location.pk}/", {"translations": translations}, format="json")
        assert response.status_code == 400 and "translations" in response.json(), response.content
        if says:
            assert says in str(response.json()["translations"])

    def test_a_phone_translates_its_description_only(self, provider, office):
        _, phone = office
        response = provider.patch(
            f"/api/v1/phones/{phone.pk}/", {"translations": {"th": {"name": "ชื่อ"}}}, format="json"
        )
        assert response.status_code == 400 and "'name' is not translated here" in str(response.json())


def test_results_carry_the_labels_of_their_codes_in_the_language_asked_for(api, shelter):
    from tests.helpers import add_capacity

    add_capacity(shelter, unit="beds_women")
    item = api.get("/api/v1/services/", {"lang": "th"}).json()["results"][0]
    assert item["categories"] == ["housing"] and item["populations"] == ["women"]  # codes, as ever
    assert item["labels"] == {
        "categories": {"housing": "ที่พักพิง"},
        "populations": {"women": "ผู้หญิง"},
        "contexts": {"urban": item["labels"]["contexts"]["urban"]},
        "capacity_units": {"beds_women": "เตียงสำหรับผู้หญิง"},
    }
    assert detail(api, shelter, HTTP_ACCEPT_LANGUAGE="th").json()["labels"]["categories"] == {"housing": "ที่พักพิง"}
    # Without a language the vocabularies' endpoints have the labels: the result stays small.
    assert api.get("/api/v1/services/").json()["results"][0]["labels"] is None
    # A sparse result labels only the codes it shows.
    sparse = api.get("/api/v1/services/", {"lang": "th", "fields": "id,categories,labels"}).json()["results"][0]
    assert sparse["labels"] == {"categories": {"housing": "ที่พักพิง"}}


def test_a_label_changed_by_a_moderator_shows_at_once(api, shelter):
    from referrals.models import Category

    api.get("/api/v1/services/", {"lang": "th"})  # the labels are cached now
    housing = Category.objects.get(code="housing")
    housing.translations = {**housing.translations, "th": "ที่พัก"}
    housing.save()
    assert api.get("/api/v1/services/", {"lang": "th"}).json()["results"][0]["labels"]["categories"] == {
        "housing": "ที่พัก"
    }


def test_a_page_of_twenty_in_thai_stays_within_the_budget(api):
    import gzip
    import json

    from tests.helpers import add_capacity

    organization = make_organization()
    for index in range(20):
        service = make_service(
            organization, name=f"Shelter {index:02d}", at=(13.70 + index * 0.002, 100.50), description="x" * 200
        )
        ServiceTranslation.objects.create(service=service, language="th", name=f"บ้านพักพิง {index:02d}")
        location = service.service_at_locations.get().location
        location.translations = {"th": {"name": f"สำนักงาน {index:02d}"}, "vi": {"name": f"Văn phòng {index:02d}"}}
        location.save()
        add_phone(service=service, description="Intake line", translations={"th": {"description": "สายรับเรื่อง"}})
        add_capacity(service)
    response = api.get("/api/v1/services/", {"page_size": 20, "lang": "th"}, HTTP_ACCEPT_ENCODING="gzip")
    results = json.loads(gzip.decompress(response.content))["results"]
    assert len(results) == 20 and results[0]["labels"]["categories"] == {"housing": "ที่พักพิง"}
    assert len(response.content) < 8 * 1024, len(response.content)


class TestMessagesInTheReadersLanguage:
    """Django's and DRF's own messages come in the language asked for, where their catalogs translate them."""

    def test_a_bad_parameter_is_explained_in_thai_when_thai_is_asked_for(self, api):
        thai = api.get("/api/v1/services/", {"lat": "abc", "lng": "100"}, HTTP_ACCEPT_LANGUAGE="th")
        assert thai.status_code == 400 and thai.json()["lat"] == ["กรอกหมายเลข"]  # Django's "Enter a number."
        english = api.get("/api/v1/services/", {"lat": "abc", "lng": "100"})
        assert english.json()["lat"] == ["Enter a number."]

    def test_lang_wins_over_accept_language_for_messages_too(self, api):
        params = {"lat": "abc", "lng": "100"}
        assert api.get("/api/v1/services/", {**params, "lang": "th"}).json()["lat"] == ["กรอกหมายเลข"]
        assert api.get("/api/v1/services/", {**params, "lang": "zh"}).json()["lat"] == ["输入一个数字。"]
        english = api.get("/api/v1/services/", {**params, "lang": "en"}, HTTP_ACCEPT_LANGUAGE="th")
        assert english.json()["lat"] == ["Enter a number."]

    def test_drf_messages_come_from_its_thai_catalog(self, api):
        posted = api.post("/api/v1/services/search/", {"lat": "abc"}, format="json", HTTP_ACCEPT_LANGUAGE="th")
        assert posted.status_code == 400 and posted.json()["lat"] == ["ต้องการตัวเลขที่ถูกต้อง"]
        unsigned = api.get("/api/v1/phones/", HTTP_ACCEPT_LANGUAGE="th")
        assert unsigned.status_code == 401 and unsigned.json()["detail"] == "ไม่พบข้อมูลการเข้าสู่ระบบ"
        assert api.get("/api/v1/phones/").json()["detail"] == "Authentication credentials were not provided."

    def test_the_projects_own_messages_stay_english(self, api):
        response = api.get("/api/v1/services/", {"lang": "xx"}, HTTP_ACCEPT_LANGUAGE="th")
        assert response.status_code == 400 and response.json()["lang"][0].startswith("Unsupported language.")
