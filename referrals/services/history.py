"""A listing's audit trail: every change to the service and the records beneath it, field by field."""

from itertools import groupby

from referrals.models import Location, Phone, Schedule, Service, ServiceArea, ServiceAtLocation, ServiceCapacity

_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
# Bookkeeping columns that say nothing a reader needs.
_SKIP = {"search_text", "public_latitude", "public_longitude", "last_modified", "created"}


def _plain(value):
    """A JSON-friendly form of a field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _entries(history_queryset, record_name):
    """Entries for one model's history: each version compared with the version before it."""
    records = history_queryset.select_related("history_user").order_by("id", "history_date", "history_id")
    kept = {field.name for field in history_queryset.model._meta.concrete_fields}  # excluded_fields are not
    fields = [
        field
        for field in history_queryset.model.instance_type._meta.concrete_fields
        if field.name not in _SKIP and field.name in kept
    ]
    entries = []
    for _, versions in groupby(records, key=lambda record: record.id):
        previous = None
        for record in versions:
            changes = []
            for field in fields:
                new = _plain(getattr(record, field.attname))
                old = _plain(getattr(previous, field.attname)) if previous is not None else None
                if record.history_type == "-":
                    old, new = new, None
                if old != new:
                    changes.append({"field": field.name, "old": old, "new": new})
            if record.history_type != "~" or changes:
                entries.append(
                    {
                        "at": record.history_date,
                        "user": record.history_user.get_username() if record.history_user else None,
                        "record": record_name,
                        "record_id": str(record.id),
                        "action": _ACTIONS[record.history_type],
                        "changes": changes,
                    }
                )
            previous = record
    return entries


def _vocabulary_entries(service):
    """Changes to the service's categories, populations, contexts and languages (kept by simple-history)."""
    entries = []
    versions = list(service.history.select_related("history_user").order_by("history_date", "history_id"))
    previous_sets = None
    for version in versions:
        current = {
            name: sorted(str(row) for row in getattr(version, name).values_list(f"{target}_id", flat=True))
            for name, target in (
                ("categories", "category"),
                ("populations", "population"),
                ("contexts", "context"),
                ("languages", "language"),
            )
        }
        if previous_sets is not None:
            changes = [
                {"field": name, "old": previous_sets[name], "new": codes}
                for name, codes in current.items()
                if codes != previous_sets[name]
            ]
            if changes:
                entries.append(
                    {
                        "at": version.history_date,
                        "user": version.history_user.get_username() if version.history_user else None,
                        "record": "service",
                        "record_id": str(service.pk),
                        "action": "changed",
                        "changes": changes,
                    }
                )
        previous_sets = current
    return entries


def listing_history(service) -> list[dict]:
    """Every recorded change to the service, its locations, links, phones, hours, areas and capacity, newest first."""
    location_ids = list(ServiceAtLocation.history.filter(service_id=service.pk).values_list("location_id", flat=True))
    entries = [
        *_entries(Service.history.filter(id=service.pk), "service"),
        *_vocabulary_entries(service),
        *_entries(ServiceAtLocation.history.filter(service_id=service.pk), "service_at_location"),
        *_entries(Location.history.filter(id__in=location_ids), "location"),
        *_entries(Phone.history.filter(service_id=service.pk), "phone"),
        *_entries(Phone.history.filter(location_id__in=location_ids), "phone"),
        *_entries(Schedule.history.filter(service_id=service.pk), "schedule"),
        *_entries(ServiceArea.history.filter(service_id=service.pk), "service_area"),
        *_entries(ServiceCapacity.history.filter(service_id=service.pk), "capacity"),
    ]
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries


def confidential_location_changes(since, limit: int = 30) -> list[dict]:
    """Recent changes to confidential locations (a safe house's address or point changed, or one made
    confidential), newest first, with the location's and its organisation's names: for the moderators' desk."""
    from referrals.models import Location as CurrentLocation

    versions = Location.history.filter(history_date__gte=since)
    ids = set(versions.filter(confidential=True).values_list("id", flat=True).distinct()[:500])
    entries = [entry for entry in _entries(Location.history.filter(id__in=ids), "location") if entry["at"] >= since]
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    entries = entries[:limit]
    names = {
        str(pk): (name, organization)
        for pk, name, organization in CurrentLocation.objects.filter(pk__in=ids).values_list(
            "pk", "name", "organization__name"
        )
    }
    for entry in entries:
        entry["name"], entry["organization"] = names.get(entry["record_id"], ("", ""))
    return entries
