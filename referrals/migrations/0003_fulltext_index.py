"""A GIN index for keyword search on PostgreSQL (SQLite uses a simpler substring match)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(SearchVector("search_text", config="english"), name="service_search_document")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("referrals", "Service"), INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("referrals", "Service"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_vocabularies")]

    operations = [migrations.RunPython(create_index, drop_index)]
