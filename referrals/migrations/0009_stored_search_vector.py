"""PostgreSQL: keep the full-text vector in a stored generated column instead of an expression index.

Keyword search ORs full text with a substring match (trigram index). The trigram index is lossy, so
PostgreSQL rechecks every candidate row against the whole condition; with an expression index that
meant computing to_tsvector() again per row (0.7 s for a common word in 100,000 listings). A stored
column makes the recheck a lookup. SQLite is untouched (it has no full text here).
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE referrals_service ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(search_text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS service_search_vector ON referrals_service USING gin (search_vector)",
    "DROP INDEX IF EXISTS service_search_document",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS service_search_document ON referrals_service "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_text, '')))",
    "DROP INDEX IF EXISTS service_search_vector",
    "ALTER TABLE referrals_service DROP COLUMN IF EXISTS search_vector",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0008_translations")]

    operations = [migrations.RunPython(forward, backward)]
