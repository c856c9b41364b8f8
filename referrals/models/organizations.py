"""Organisations that run services."""

import uuid

from django.db import models, transaction
from simple_history.models import HistoricalRecords

from referrals.managers import OrganizationQuerySet


class Organization(models.Model):
    """An NGO, agency or unit that provides services (HSDS organization)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="Stable identifier (UUID).")
    name = models.CharField(max_length=200, db_index=True, help_text="Name of the organisation.")
    alternate_name = models.CharField(max_length=200, blank=True, help_text="Other name or acronym.")
    description = models.TextField(blank=True, help_text="What the organisation does.")
    email = models.EmailField(blank=True, help_text="General contact email.")
    website = models.URLField(blank=True, help_text="Website.")
    vetted = models.BooleanField(
        default=False,
        help_text="Set by a moderator once the organisation is known to the network. "
        "Listings of organisations that are not vetted are not public.",
    )
    created = models.DateTimeField(auto_now_add=True, help_text="When the record was created.")
    last_modified = models.DateTimeField(auto_now=True, db_index=True, help_text="When the record last changed.")

    objects = OrganizationQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Save, then refresh the search text of its services, which includes the organisation's names.

        One transaction, so that no reader sees the services' new sync version with their old search text.
        """
        with transaction.atomic():
            super().save(*args, **kwargs)
            services = list(self.services.prefetch_related("translations"))
            for service in services:
                service.search_text = service.build_search_text(organization=self)
            # One statement per 500 services, not one per service (search_text is not audited history).
            self.services.model.objects.bulk_update(services, ["search_text"], batch_size=500)
