"""`Service.countries`: the countries of a service's locations and areas, so `country=` is tested on the row.

Filled from the locations and areas here, then kept by `referrals.services.search_index`. On
PostgreSQL a trigram GIN index (pg_trgm, created by 0008) serves `country=` for a small country.
"""

from django.db import migrations, models

BATCH = 5000


def fill(apps, schema_editor):
    """Each service's countries from its locations and areas (as referrals.services.search_index keeps them).

    Written out here rather than called from the app's code, which moves on while a migration must not.
    """
    Service = apps.get_model("referrals", "Service")
    ServiceAtLocation = apps.get_model("referrals", "ServiceAtLocation")
    ServiceArea = apps.get_model("referrals", "ServiceArea")
    everyone = Service.objects.order_by("pk").values_list("pk", flat=True)
    batch = list(everyone[:BATCH])
    while batch:
        found = {pk: set() for pk in batch}
        at_locations = ServiceAtLocation.objects.filter(service_id__in=batch)
        for pk, country in at_locations.values_list("service_id", "location__country"):
            found[pk].add(country)
        for pk, country in ServiceArea.objects.filter(service_id__in=batch).values_list("service_id", "country"):
            found[pk].add(country)
        by_value = {}
        for pk, codes in found.items():
            codes.discard("")
            by_value.setdefault("|" + "|".join(sorted(codes)) + "|" if codes else "", []).append(pk)
        for value, pks in by_value.items():
            Service.objects.filter(pk__in=pks).update(countries=value)
        batch = list(everyone.filter(pk__gt=batch[-1])[:BATCH])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS service_countries_trigram ON referrals_service "
            "USING gin (countries gin_trgm_ops)"
        )
        # Statistics for the new column now: without them the planner takes Thailand (a fifth of the
        # services) for a rare country and walks its index (six times slower for `q=shelter&country=TH`).
        schema_editor.execute("ANALYZE referrals_service")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS service_countries_trigram")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0012_search_entry_circles"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="countries",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
