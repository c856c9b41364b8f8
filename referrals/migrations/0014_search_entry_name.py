"""`SearchEntry.name`: the service's name on each of its entries, so a box search is ordered in the index.

Filled from the services here, then kept by `referrals.services.search_index` (every change to a
service rewrites its entries).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    """Each entry takes its service's name (one UPDATE; written out here, as migrations must not move on)."""
    Service = apps.get_model("referrals", "Service")
    SearchEntry = apps.get_model("referrals", "SearchEntry")
    SearchEntry.objects.update(name=Subquery(Service.objects.filter(pk=OuterRef("service_id")).values("name")[:1]))


def analyze(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE referrals_searchentry")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0013_service_countries"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="name",
            field=models.CharField(
                blank=True, default="", help_text="The service's name: a box search's order.", max_length=200
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
