"""Rules about a listing's freshness and life: verification, staleness, retirement and capacity counts."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from referrals.choices import ServiceStatus
from referrals.managers import stale_before
from referrals.models import AppliedCapacityChange, ServiceCapacity


def is_stale(service, today=None) -> bool:
    """No person has verified the listing within STALE_AFTER_DAYS."""
    return service.assured_date is None or service.assured_date < stale_before(today)


def capacity_is_fresh(capacity, now=None) -> bool:
    """The count was reported within CAPACITY_FRESH_HOURS."""
    now = now or timezone.now()
    return capacity.updated >= now - timedelta(hours=settings.CAPACITY_FRESH_HOURS)


def untranslated(service) -> list[str]:
    """The languages of the listing's translations that lack a text its own language has (empty: none lack)."""
    from referrals.models.services import TRANSLATED_FIELDS

    written = [name for name in TRANSLATED_FIELDS if getattr(service, name)]
    return sorted(
        translation.language
        for translation in service.translations.all()
        if any(not getattr(translation, name) for name in written)
    )


def verify(service, user, today=None):
    """A person confirms the listing is right: set assured_date and the assurer."""
    service.assured_date = today or timezone.localdate()
    service.assurer = user.get_full_name() or user.get_username()
    service.save(update_fields=["assured_date", "assurer", "last_modified"])
    return service


def retire(service) -> bool:
    """Take a listing out of the directory but keep its record (status `defunct`); False if it was retired already.

    A save, not a queryset update: the listing's history and the sync tombstones follow it, as for any edit.
    """
    if service.status == ServiceStatus.DEFUNCT:
        return False
    service.status = ServiceStatus.DEFUNCT
    service.save(update_fields=["status", "last_modified"])
    return True


class CountChanged(Exception):
    """The count was changed by someone else since the sender read it; `capacity` is the count now."""

    def __init__(self, capacity):
        super().__init__("The count changed meanwhile.")
        self.capacity = capacity


def _first_time(key, service, unit) -> bool:
    """Record the idempotency key; False if it was recorded before (the change was applied already)."""
    try:
        with transaction.atomic():
            AppliedCapacityChange.objects.create(key=key, service=service, unit=unit)
    except IntegrityError:
        return False
    return True


def report_capacity(
    service, unit: str, *, available=None, change=None, maximum=None, key=None, expected=None
) -> ServiceCapacity:
    """Set (`available`) or adjust (`change`, e.g. -1 when a bed is taken) one unit's free places, now.

    Row-locked, so two editors updating at once never overwrite each other: each change applies
    to the count the other left. Every update is kept in the capacity's history. `key`: an idempotency
    key; a change sent again with the same key is not applied again (the count is returned as it is).
    `expected`: the count the sender saw; if it is no longer so, `CountChanged` (a typed count would
    overwrite someone else's change).
    """
    for attempt in range(2):
        try:
            with transaction.atomic():
                capacity = ServiceCapacity.objects.select_for_update().filter(service=service, unit=unit).first()
                if key is not None and not _first_time(key, service, unit):
                    if capacity is None:
                        raise LookupError(unit)
                    return capacity
                if expected is not None and (capacity.available if capacity else None) != expected:
                    raise CountChanged(capacity)
                if capacity is None:
                    if available is None:
                        raise LookupError(unit)
                    capacity = ServiceCapacity(service=service, unit=unit, available=0)
                if available is not None:
                    capacity.available = available
                if change is not None:
                    capacity.available = max(0, capacity.available + change)
                if maximum is not None:
                    capacity.maximum = maximum
                capacity.updated = timezone.now()
                capacity.full_clean(exclude=["service"])
                capacity.save()
                return capacity
        except IntegrityError:
            # Another editor created this unit's row a moment ago; take the row lock and apply on top.
            if attempt:
                raise
    raise AssertionError("unreachable")
