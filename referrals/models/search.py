"""The point-search index: each way a listed service reaches a place, with its filter codes beside it."""

from django.db import models


class SearchEntryKind(models.TextChoices):
    """How the service reaches places: at a location, or through a service area."""

    LOCATION = "location", "at a location"
    RADIUS = "radius", "within a radius area"
    COUNTRY = "country", "throughout a country"
    PROVINCE = "province", "throughout a province"


# The columns a point search's filters test on an entry (`EntryFilters`), and a province area's key.
FILTERED = [
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
]


class SearchEntry(models.Model):
    """A listed service (active, of a vetted organisation) at one location or through one service area.

    Derived data, never edited: a point search reads these rows in distance order (a GiST index on
    PostgreSQL) and tests the common filters on the row itself, where the normalised tables would cost
    five index look-ups per candidate. `referrals.services.search_index` rewrites a service's entries in
    the transaction that changes it (from the sync sequence's receivers) and rebuilds them after bulk loads.
    Codes are stored as `|a|b|` so that "has code x" is `LIKE '%|x|%'` on any database.
    """

    id = models.BigAutoField(primary_key=True)
    service = models.ForeignKey("referrals.Service", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=SearchEntryKind.choices)
    location = models.ForeignKey(
        "referrals.Location", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The point public readers are searched by (grid-snapped where the place is confidential) and the
    # exact one (readers who see every full face); a radius area's centre for radius entries.
    public_latitude = models.FloatField(null=True)
    public_longitude = models.FloatField(null=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    radius_km = models.FloatField(null=True)
    country = models.CharField(max_length=2, blank=True)
    province = models.CharField(max_length=100, blank=True, help_text="The gazetteer's key of a province area.")
    # Copied from the service
    name = models.CharField(max_length=200, blank=True, help_text="The service's name: a box search's order.")
    organization_id = models.UUIDField()
    free = models.BooleanField()
    minimum_age = models.PositiveSmallIntegerField(null=True)
    maximum_age = models.PositiveSmallIntegerField(null=True)
    categories = models.TextField()
    populations = models.TextField()
    contexts = models.TextField()
    languages = models.TextField()
    countries = models.TextField(help_text="Of the service's locations and areas: what `country=` matches.")

    class Meta:
        verbose_name = "search entry"
        verbose_name_plural = "search entries"
        indexes = [
            # The country- and province-wide areas holding a point, in service order, their filters in the index: a
            # point search counts and reads them there without a visit to each row (Thailand's country-wide
            # services are a tenth of the directory's; at 1M, 12,700 rows read twice to find no medical one).
            models.Index(
                fields=["kind", "country", "service"],
                include=FILTERED,
                condition=models.Q(kind__in=[SearchEntryKind.COUNTRY, SearchEntryKind.PROVINCE]),
                name="search_entry_area_filters",
            ),
            models.Index(fields=["public_latitude", "public_longitude"], name="search_entry_public_point"),
            models.Index(fields=["latitude", "longitude"], name="search_entry_exact_point"),
        ]

    def __str__(self):
        return f"{self.service_id} {self.kind}"
