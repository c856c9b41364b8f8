"""Migrations that fill derived data work on a directory that already has listings (as an upgrade meets it)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from referrals.models import SearchEntry, Service

# serialized_rollback: the flush after it then leaves the initial data for the next transactional test to restore.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Before the search index (0011), its circles (0012), Service.countries (0013), the entries' names (0014) and
# Service.vocabulary_codes (0024).
BEFORE = [("referrals", "0010_text_limits")]


def test_an_existing_directory_upgrades_with_its_search_index_countries_and_codes():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        organization = old.get_model("referrals", "Organization").objects.create(name="Harbour", vetted=True)
        place = {"latitude": 13.75, "longitude": 100.5, "public_latitude": 13.75, "public_longitude": 100.5}
        location = old.get_model("referrals", "Location").objects.create(
            organization=organization, name="Drop-in centre", country="TH", **place
        )
        service = old.get_model("referrals", "Service").objects.create(
            organization=organization, name="Shelter", status="active"
        )
        old.get_model("referrals", "ServiceAtLocation").objects.create(service=service, location=location)
        old.get_model("referrals", "ServiceArea").objects.create(service=service, kind="country", country="LA")
        draft = old.get_model("referrals", "Service").objects.create(
            organization=organization, name="Draft", status="inactive"
        )
        old.get_model("referrals", "ServiceArea").objects.create(service=draft, kind="country", country="KH")
        old.get_model("referrals", "Category").objects.filter(pk="medical").update(position=1)  # before housing
        service.categories.set(["housing", "medical", "legal"])
        draft.languages.set(["th", "en"])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert Service.objects.get(pk=service.pk).countries == "|LA|TH|"
    assert Service.objects.get(pk=draft.pk).countries == "|KH|"  # unlisted services too: members search them
    assert sorted(SearchEntry.objects.filter(service_id=service.pk).values_list("kind", "name")) == [
        ("country", "Shelter"),
        ("location", "Shelter"),
    ]
    assert not SearchEntry.objects.filter(service_id=draft.pk).exists()
    codes = Service.objects.with_codes().in_bulk([service.pk, draft.pk])
    assert Service.objects.get(pk=service.pk).vocabulary_codes == codes[service.pk].codes
    assert codes[service.pk].codes["categories"][0] == "medical"
    assert Service.objects.get(pk=draft.pk).vocabulary_codes == {
        "categories": [], "populations": [], "contexts": [], "languages": ["en", "th"]
    }  # fmt: skip
