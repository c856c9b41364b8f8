"""The change sequence behind delta sync, and the tombstones of records that left some reader's view."""

from django.db import models


class SyncCounter(models.Model):
    """The directory's change sequence: one row whose value only grows.

    A write takes the next value with an UPDATE, which row-locks the counter until the write's
    transaction commits. So versions become visible in the order they were handed out: once a
    reader sees version N, every version below N is committed (or rolled back). That is what lets
    a sync cursor say "everything up to N" without ever skipping a slow writer's change.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0, help_text="The last version handed out.")
    tombstones_from = models.BigIntegerField(
        default=0, help_text="Tombstones below this version were pruned; older cursors start again."
    )

    class Meta:
        verbose_name = "sync counter"

    def __str__(self):
        return f"sync version {self.value}"


class TombstoneReason(models.TextChoices):
    """Why a record's earlier copy must go."""

    CHANGED = "changed", "region, status or publication changed"
    DELETED = "deleted", "deleted"
    CONFIDENTIAL = "confidential", "made confidential"


class SyncTombstone(models.Model):
    """The state a record was in before a change that may have taken it out of some reader's view.

    Service tombstones keep where the service was (countries, the box of its public points) and who
    could see it (organisation, vetted, status); a sync hands the id to readers whose region and
    view held the service then and no longer hold it now. Location tombstones tell readers who saw
    a location's full face that it was deleted or made confidential, so that no copy of the old
    address outlives the change on a phone.
    """

    version = models.BigIntegerField(help_text="The change's version in the sync sequence.")
    record_type = models.CharField(max_length=10, help_text="service or location.")
    record_id = models.UUIDField(help_text="The record's id.")
    reason = models.CharField(max_length=12, choices=TombstoneReason.choices)
    organization_id = models.UUIDField(null=True, help_text="Its organisation before the change.")
    vetted = models.BooleanField(help_text="Whether that organisation was vetted before the change.")
    status = models.CharField(max_length=20, blank=True, help_text="The service's status before the change.")
    # ",KH,TH,": delimited so that a country matches with one LIKE.
    countries = models.TextField(blank=True)
    min_latitude = models.FloatField(null=True)
    max_latitude = models.FloatField(null=True)
    min_longitude = models.FloatField(null=True)
    max_longitude = models.FloatField(null=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["version", "record_id"]
        indexes = [models.Index(fields=["version", "record_id"])]

    def __str__(self):
        return f"{self.record_type} {self.record_id} {self.reason} at {self.version}"
