"""The area entries' index holds the filters: a point search counts and reads the country- and province-wide
services holding its point in the index alone (an index-only scan on PostgreSQL; elsewhere a smaller index).

Only those kinds use it, so it is partial: a tenth of the entries at most.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0024_service_vocabulary_codes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="searchentry",
            name="search_entry_area",
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(
                condition=models.Q(("kind__in", ["country", "province"])),
                fields=["kind", "country", "service"],
                include=(
                    "province",
                    "organization_id",
                    "free",
                    "minimum_age",
                    "maximum_age",
                    "categories",
                    "populations",
                    "contexts",
                    "languages",
                    "countries",
                ),
                name="search_entry_area_filters",
            ),
        ),
    ]
