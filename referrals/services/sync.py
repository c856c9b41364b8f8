"""Delta sync: a change sequence, tombstones, and the pages a phone downloads to stay current offline.

Every change to a service, or to anything a service shows (its organisation, locations, phones,
hours, areas, capacity, translations), gives the service the next version of one sequence
(`SyncCounter`). A change that may take a service out of some reader's view (its region, status
or organisation's vetting changed, or it was deleted) also leaves a `SyncTombstone` with where the
service was and who could see it before. A location deleted or made confidential leaves a
tombstone too, so that readers who held its full face drop it.

A sync cycle reads every record with a version in (watermark, horizon], in (version, kind, id)
order, a page at a time. The horizon is fixed when the cycle starts: a record changed while the
cycle runs moves past the horizon and comes in the next cycle, so nothing is lost or skipped, and
a version is only ever visible once every lower version has committed (the counter is row-locked
by each writer until it commits).
"""

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, When

from referrals.geo import BoundingBox
from referrals.managers import locations_hiding, locations_moved
from referrals.models import (
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
    ServiceTranslation,
    SyncCounter,
    SyncTombstone,
    TombstoneReason,
)
from referrals.services import search_index
from referrals.services.roles import read_roles_afresh

SERVICE, LOCATION = "service", "location"
# Within one version, tombstones come before records, so that a client applying a page in order
# drops an old copy before it stores the new one.
TOMBSTONE_RANK, RECORD_RANK = 0, 1


# Writing: the sequence and the tombstones


def next_version(registry=None) -> int:
    """Hand out the next version; the counter stays row-locked until the caller's transaction commits."""
    (SyncCounter,) = _models(registry, "SyncCounter")
    with transaction.atomic():
        if not SyncCounter.objects.filter(pk=1).update(value=F("value") + 1):
            SyncCounter.objects.get_or_create(pk=1)
            SyncCounter.objects.filter(pk=1).update(value=F("value") + 1)
        # On the primary, whatever the router: the replica cannot see the increment just made.
        return SyncCounter.objects.using("default").values_list("value", flat=True).get(pk=1)


def lock_sequence() -> None:
    """Take the change sequence's row lock now, inside the caller's transaction, until it commits.

    Every write made through `write_transaction()` takes it first, before it reads or changes any
    row: writers then queue in one order (no deadlock between a service's row and the counter, which
    a later change would otherwise lock the other way round), and each reads what the last one
    committed, so none writes back a stale copy of another's change.
    """
    counter = SyncCounter.objects.using("default").select_for_update().filter(pk=1)
    if not list(counter.values_list("pk", flat=True)):
        SyncCounter.objects.using("default").get_or_create(pk=1)
        list(counter.values_list("pk", flat=True))


@contextmanager
def write_transaction():
    """One transaction for a write and everything it keeps in step (history, versions, tombstones, the
    search index), holding the change sequence's lock from the start; all of it commits, or none."""
    with transaction.atomic(using="default"):
        lock_sequence()
        yield


def as_one_write(handler):
    """`handler` (a view: request in, response out) run as one write: all of it commits, or nothing does when it
    raises or answers 4xx/5xx. The API's writes and the pages' share it. The writer's roles are read inside the
    lock, so a membership removed or a vetting withdrawn by a write queued ahead counts for this one."""

    @wraps(handler)
    def write(request, *args, **kwargs):
        with write_transaction():
            read_roles_afresh(request)
            response = handler(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True, using="default")
        return response

    return write


def current_version() -> int:
    """The last version handed out and committed."""
    return SyncCounter.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def sequence_state() -> tuple[int, int]:
    """`current_version()`, and the lowest version whose tombstones are still kept (older cursors must start
    again), in one read."""
    return SyncCounter.objects.filter(pk=1).values_list("value", "tombstones_from").first() or (0, 0)


def _states(service_ids, registry=None) -> tuple[dict, dict]:
    """Where each service is now (countries, box of public points) and who may see it (org, vetting, status),
    and the state each had before.

    `registry` is a migration's app registry, when a migration builds the first states.
    """
    Service, ServiceAtLocation, ServiceArea = _models(registry, "Service", "ServiceAtLocation", "ServiceArea")
    states, earlier = {}, {}
    rows = Service.objects.filter(pk__in=service_ids).values_list(
        "pk", "organization_id", "organization__vetted", "status", "sync_state"
    )
    for pk, org, vetted, status, sync_state in rows:
        states[pk] = {"organization": str(org), "vetted": vetted, "status": status, "countries": set(), "points": []}
        earlier[pk] = sync_state
    links = ServiceAtLocation.objects.filter(service_id__in=states).values_list(
        "service_id", "location__country", "location__public_latitude", "location__public_longitude"
    )
    for service_id, country, lat, lng in links:
        states[service_id]["countries"].add(str(country))
        if lat is not None and lng is not None:
            states[service_id]["points"].append((lat, lng))
    for service_id, country in ServiceArea.objects.filter(service_id__in=states).values_list("service_id", "country"):
        states[service_id]["countries"].add(str(country))
    for state in states.values():
        points = state.pop("points")
        state["countries"] = sorted(state["countries"])
        state["box"] = (
            [min(p[0] for p in points), max(p[0] for p in points), min(p[1] for p in points), max(p[1] for p in points)]
            if points
            else None
        )
    return states, earlier


def _tombstone(version, record_type, record_id, reason, state) -> SyncTombstone:
    box = state.get("box") or [None, None, None, None]
    countries = state.get("countries") or []
    return SyncTombstone(
        version=version,
        record_type=record_type,
        record_id=record_id,
        reason=reason,
        organization_id=state.get("organization"),
        vetted=bool(state.get("vetted")),
        status=state.get("status", ""),
        countries="," + ",".join(countries) + "," if countries else "",
        min_latitude=box[0],
        max_latitude=box[1],
        min_longitude=box[2],
        max_longitude=box[3],
    )


def touch_services(
    service_ids, *, state_may_change: bool = True, searched_may_change: bool | None = None, public: bool = True
) -> None:
    """Give the services the next version; leave tombstones where their region or visibility changed.

    A change that cannot move a service or change who sees it (its phones, hours, capacity,
    vocabularies) passes `state_may_change=False` and costs one UPDATE besides the counter.
    `searched_may_change` (default: as `state_may_change`): whether the point-search index's copy of
    the services may change (their vocabularies do; their phones and hours do not).
    `public=False`: the change is to a safe house's hidden face only, which public readers never see: their
    sync must not re-send the service (it would tell them which house changed), so only the full-face
    version moves.
    """
    service_ids = {pk for pk in service_ids if pk is not None}
    if not service_ids:
        return
    with transaction.atomic():
        version = next_version()
        versions = {"sync_version": version, **({"public_sync_version": version} if public else {})}
        if state_may_change if searched_may_change is None else searched_may_change:
            search_index.refresh(service_ids)
        if not state_may_change:
            Service.objects.filter(pk__in=service_ids).update(**versions)
            return
        states, earlier = _states(service_ids)
        tombstones, services = [], []
        for pk, state in states.items():
            if earlier[pk] and earlier[pk] != state:
                tombstones.append(_tombstone(version, SERVICE, pk, TombstoneReason.CHANGED, earlier[pk]))
            services.append(Service(pk=pk, sync_state=state, **versions))
        SyncTombstone.objects.bulk_create(tombstones, batch_size=500)
        Service.objects.bulk_update(services, [*versions, "sync_state"], batch_size=500)


def touch_locations(location_ids, *, public: bool = True) -> None:
    """A change to locations reaches every service given there."""
    services = ServiceAtLocation.objects.filter(location_id__in=location_ids).values_list("service_id", flat=True)
    touch_services(services, public=public)


def touch_organizations(organization_ids) -> None:
    """A change to organisations (name, vetting, phones) reaches all their services."""
    touch_services(Service.objects.filter(organization_id__in=organization_ids).values_list("pk", flat=True))


def bury_service(service_id, state: dict) -> None:
    """A deleted service: readers who held it (in the state it was last synced in) drop it."""
    if state:
        with transaction.atomic():  # the tombstone commits with its version, under the counter's lock
            version = next_version()
            tombstone = _tombstone(version, SERVICE, service_id, TombstoneReason.DELETED, state)
            tombstone.save()


def location_state(location, organization_vetted: bool) -> dict:
    """What a location tombstone keeps: its organisation, vetting, country and (public) point."""
    point = (location.public_latitude, location.public_longitude)
    return {
        "organization": str(location.organization_id),
        "vetted": organization_vetted,
        "countries": [str(location.country)] if location.country else [],
        "box": [point[0], point[0], point[1], point[1]] if None not in point else None,
    }


def bury_location(location_id, reason: str, state: dict) -> None:
    """A location deleted or made confidential: readers who saw its full face drop their copy."""
    with transaction.atomic():  # the tombstone commits with its version, under the counter's lock
        version = next_version()
        _tombstone(version, LOCATION, location_id, reason, state).save()


def _models(registry, *names):
    if registry is None:
        return tuple(globals()[name] for name in names)
    return tuple(registry.get_model("referrals", name) for name in names)


def rebuild(batch_size: int = 2000, registry=None) -> int:
    """Give every service a version and its state after a bulk load (fixtures, generated data); returns the count.

    Bulk loads bypass the signals that keep these up to date. Existing cursors then see every
    service once more, which is correct if wasteful.
    """
    (Service,) = _models(registry, "Service")
    count = 0
    with transaction.atomic():
        version = next_version(registry)
        ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            states, _ = _states(chunk, registry)
            services = [
                Service(pk=pk, sync_version=version, public_sync_version=version, sync_state=states[pk])
                for pk in chunk
                if pk in states
            ]
            Service.objects.bulk_update(services, ["sync_version", "public_sync_version", "sync_state"], batch_size=500)
            count += len(services)
    return count


def prune_tombstones(before_version: int) -> int:
    """Forget tombstones below a version; cursors from before it will start again. Returns how many went."""
    with transaction.atomic():
        deleted, _ = SyncTombstone.objects.filter(version__lt=before_version).delete()
        SyncCounter.objects.get_or_create(pk=1)
        SyncCounter.objects.filter(pk=1, tombstones_from__lt=before_version).update(tombstones_from=before_version)
    return deleted


# Reading: the reader's set, pages and cursors


def scope_of(viewer) -> str:
    """A fingerprint of what the viewer may see; a cursor issued under another scope starts again.

    A caseworker whose vetting was withdrawn, or a member who left an organisation, must not keep
    topping up a copy that holds full faces they may no longer see.
    """
    if viewer.is_moderator:
        parts = ["moderator"]
    else:
        parts = ["full" if viewer.sees_every_full_face else "public", *sorted(str(pk) for pk in viewer.member_org_ids)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Region:
    """What a sync covers: countries and/or a box (both empty: the whole directory), and statuses."""

    countries: tuple[str, ...] = ()
    box: BoundingBox | None = None
    statuses: tuple[str, ...] = ("active",)

    def as_data(self) -> dict:
        """A compact, JSON-friendly form for the cursor."""
        box = self.box
        return {
            "c": list(self.countries),
            "b": [box.min_lng, box.min_lat, box.max_lng, box.max_lat] if box else None,
            "s": list(self.statuses),
        }

    @classmethod
    def from_data(cls, data: dict) -> "Region":
        """The region a cursor carries."""
        box = data.get("b")
        return cls(
            countries=tuple(data.get("c") or ()),
            box=BoundingBox(min_lng=box[0], min_lat=box[1], max_lng=box[2], max_lat=box[3]) if box else None,
            statuses=tuple(data.get("s") or ("active",)),
        )


@dataclass
class Position:
    """Where a reader is in the sequence: past `watermark`, and inside the cycle up to `horizon`, after `after`."""

    watermark: int = -1
    horizon: int | None = None
    after: tuple | None = None  # (version, rank, id) of the last item handed out in this cycle
    initial: bool = True  # the first cycle: the client holds nothing yet, so there is nothing to delete

    def as_data(self) -> dict:
        """A compact form for the cursor."""
        after = list(self.after) if self.after else None
        return {"w": self.watermark, "h": self.horizon, "a": after, "i": self.initial}

    @classmethod
    def from_data(cls, data: dict) -> "Position":
        """The position a cursor carries."""
        after = data.get("a")
        return cls(
            watermark=int(data["w"]),
            horizon=None if data.get("h") is None else int(data["h"]),
            after=tuple(after) if after else None,
            initial=bool(data.get("i")),
        )


@dataclass
class SyncPage:
    """One page of a sync cycle."""

    services: list = field(default_factory=list)
    deleted: list = field(default_factory=list)
    position: Position = field(default_factory=Position)
    has_more: bool = False
    # Read on the primary because the replica was behind the cursor: the records must be loaded there too, or a
    # replica still holding a house's old, public face would send it after the page told the reader to drop it.
    on_primary: bool = False


def reader_set(viewer, region: Region):
    """The services the reader's copy of the region should hold now."""
    from referrals.services.search import within_box

    services = Service.objects.visible_to(viewer).filter(status__in=region.statuses)
    if region.countries:
        services = services.in_countries(region.countries)
    if region.box is not None:
        services = within_box(services, region.box, viewer)
    return services


def _after(after, rank: int, id_field: str, version_field: str) -> Q:
    """Items past the (version, rank, id) key, for items of the given rank."""
    if after is None:
        return Q()
    version, after_rank, after_id = after
    later = Q(**{f"{version_field}__gt": version})
    if rank > after_rank:
        return later | Q(**{version_field: version})
    if rank == after_rank:
        return later | Q(**{version_field: version, f"{id_field}__gt": after_id})
    return later


def _region_condition(region: Region) -> Q:
    """Tombstones whose earlier place lies in the region (boxes widened by a grid cell: exact vs public point)."""
    condition = Q()
    if region.countries:
        in_any = Q(pk__in=[])
        for country in region.countries:
            in_any |= Q(countries__contains=f",{country},")
        condition &= in_any
    box = region.box
    if box is not None:
        pad = settings.CONFIDENTIAL_GRID_DEGREES
        condition &= Q(max_latitude__gte=box.min_lat - pad, min_latitude__lte=box.max_lat + pad)
        min_lng, max_lng = box.min_lng - pad, box.max_lng + pad
        if box.crosses_antimeridian:
            condition &= Q(max_longitude__gte=min_lng) | Q(min_longitude__lte=max_lng)
        elif min_lng > -180 and max_lng < 180:
            condition &= Q(min_longitude__lte=max_lng, max_longitude__gte=min_lng)
        else:
            condition &= Q(min_longitude__isnull=False)
    return condition


def _tombstones_for(viewer, region: Region, services):
    """Tombstones this reader must apply: of records it could have held that it no longer may."""
    tombstones = SyncTombstone.objects.filter(_region_condition(region))
    if not viewer.is_moderator:
        tombstones = tombstones.filter(Q(vetted=True) | Q(organization_id__in=viewer.member_org_ids))
    still_held = Q(record_type=SERVICE, record_id__in=services.values("pk"))
    tombstones = tombstones.filter(Q(record_type=LOCATION) | Q(status__in=region.statuses)).exclude(still_held)
    # A location made confidential changes nothing for a reader who sees its full face anyway.
    if viewer.is_moderator or viewer.sees_every_full_face:
        tombstones = tombstones.exclude(reason=TombstoneReason.CONFIDENTIAL)
    elif viewer.member_org_ids:
        tombstones = tombstones.exclude(reason=TombstoneReason.CONFIDENTIAL, organization_id__in=viewer.member_org_ids)
    return tombstones


def read_page(viewer, region: Region, position: Position, page_size: int, current: int | None = None) -> SyncPage:
    """The next page of the reader's cycle (a new cycle when `position.horizon` is None); `current`: the
    `current_version()` the caller has just read, if it has."""
    current = current_version() if current is None else current
    if current < max(position.horizon or 0, position.watermark):
        # This database (a replica) is behind the cursor: read the page where the cursor came from.
        from referrals.routers import reading_from_primary

        with reading_from_primary():
            page = _read_page(viewer, region, position, page_size, current_version())
        page.on_primary = True
        return page
    return _read_page(viewer, region, position, page_size, current)


def _versioned_for(viewer, services):
    """The services with the version this reader's copy follows, and its name.

    Public readers follow the public version, so a change to a safe house's hidden face alone never reaches
    (or points out the house to) them; readers of every full face follow every change; a member follows every
    change to its own organisation's listings and the public version of the others'.
    """
    if viewer.is_moderator or viewer.sees_every_full_face:
        return services, "sync_version"
    if not viewer.member_org_ids:
        return services, "public_sync_version"
    own = When(organization_id__in=viewer.member_org_ids, then=F("sync_version"))
    return services.annotate(reader_version=Case(own, default=F("public_sync_version"))), "reader_version"


def _read_page(viewer, region: Region, position: Position, page_size: int, current: int) -> SyncPage:
    horizon = position.horizon if position.horizon is not None else current
    services = reader_set(viewer, region)
    versioned, version = _versioned_for(viewer, services)
    records = list(
        versioned.filter(
            _after(position.after, RECORD_RANK, "id", version),
            **{f"{version}__gt": position.watermark, f"{version}__lte": horizon},
        )
        .order_by(version, "id")
        .values_list(version, "id")[: page_size + 1]
    )
    keys = [(version, RECORD_RANK, str(pk)) for version, pk in records]
    if not position.initial:
        tombstones = (
            _tombstones_for(viewer, region, services)
            .filter(
                _after(position.after, TOMBSTONE_RANK, "record_id", "version"),
                version__gt=position.watermark,
                version__lte=horizon,
            )
            .order_by("version", "record_id")
            .values_list("version", "record_id")[: page_size + 1]
        )
        keys += [(version, TOMBSTONE_RANK, str(pk)) for version, pk in tombstones]
    keys.sort()
    has_more = len(keys) > page_size
    keys = keys[:page_size]
    record_ids = [key[2] for key in keys if key[1] == RECORD_RANK]
    deleted = list(dict.fromkeys(key[2] for key in keys if key[1] == TOMBSTONE_RANK and key[2] not in record_ids))
    if has_more:
        next_position = Position(position.watermark, horizon, keys[-1], position.initial)
    else:
        next_position = Position(watermark=horizon, initial=False)
    return SyncPage(services=record_ids, deleted=deleted, position=next_position, has_more=has_more)


# Keeping the sequence: signal receivers for every write that changes what a service shows


def _service_of(instance):
    return [instance.service_id]


def _services_of_location(location_id):
    return ServiceAtLocation.objects.filter(location_id=location_id).values_list("service_id", flat=True)


def _phone_services(phone):
    if phone.service_id:
        return [phone.service_id]
    if phone.location_id:
        return list(_services_of_location(phone.location_id))
    if phone.organization_id:
        return list(Service.objects.filter(organization_id=phone.organization_id).values_list("pk", flat=True))
    return []


def _schedule_services(schedule):
    return [schedule.service_id] if schedule.service_id else list(_services_of_location(schedule.location_id))


# model -> (the services one of its records shows up in, whether it can move them or change who sees them)
_AFFECTS = {
    ServiceAtLocation: (_service_of, True),
    ServiceArea: (_service_of, True),
    ServiceCapacity: (_service_of, False),
    ServiceTranslation: (_service_of, False),
    Phone: (_phone_services, False),
    Schedule: (_schedule_services, False),
}


def _hidden_from_public(record) -> bool:
    """A phone of a safe house belongs to its hidden face: public readers never see it."""
    return bool(
        isinstance(record, Phone)
        and record.location_id
        and Location.objects.filter(pk=record.location_id, confidential=True).exists()
    )


def _on_record_change(sender, instance, raw=False, **kwargs):
    if not raw:
        services_of, state_may_change = _AFFECTS[sender]
        touch_services(
            services_of(instance), state_may_change=state_may_change, public=not _hidden_from_public(instance)
        )


def _on_service_save(sender, instance, raw=False, **kwargs):
    if not raw:
        touch_services([instance.pk])


def _on_service_pre_delete(sender, instance, **kwargs):
    # The stored state, not the instance's copy, which may predate the last change.
    instance._sync_state = Service.objects.filter(pk=instance.pk).values_list("sync_state", flat=True).first()


def _on_service_delete(sender, instance, **kwargs):
    bury_service(instance.pk, getattr(instance, "_sync_state", None) or instance.sync_state)


def _on_service_m2m(sender, instance, action, reverse, pk_set, **kwargs):
    """Categories, populations, contexts and languages: from either side of the relation."""
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:
        if action != "pre_clear":
            touch_services([instance.pk], state_may_change=False, searched_may_change=True)
    elif action == "pre_clear":
        # Before the rows go, remember whose they were; their entries are rewritten after the clear.
        instance._cleared_services = list(instance.services.values_list("pk", flat=True))
    elif action == "post_clear":
        touch_services(getattr(instance, "_cleared_services", ()), state_may_change=False, searched_may_change=True)
    else:
        touch_services(pk_set or (), state_may_change=False, searched_may_change=True)


def _on_term_pre_delete(sender, instance, **kwargs):
    """A vocabulary term about to go: its links go by cascade, which sends no m2m_changed."""
    instance._linked_services = list(instance.services.values_list("pk", flat=True))


def _on_term_delete(sender, instance, **kwargs):
    touch_services(getattr(instance, "_linked_services", ()), state_may_change=False, searched_may_change=True)


def _on_phone_languages(sender, instance, action, reverse, pk_set, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and not reverse:
        touch_services(_phone_services(instance), state_may_change=False, public=not _hidden_from_public(instance))


def _on_organization_save(sender, instance, raw=False, **kwargs):
    if not raw:
        touch_organizations([instance.pk])


def _on_location_pre_save(sender, instance, raw=False, **kwargs):
    """Remember a location's earlier face: to bury it if the location is now made confidential, and to tell
    whether public readers see the change at all."""
    instance._sync_earlier = instance._sync_earlier_face = None
    if raw or instance._state.adding:
        return
    earlier = (
        Location.objects.filter(pk=instance.pk)
        .select_related("organization")
        .only(*(name.removesuffix("_id") for name in Location.PUBLIC_FACE_FIELDS), "organization__vetted")
        .first()
    )
    if earlier is None:
        return
    instance._sync_earlier_face = earlier.public_face()
    if not earlier.confidential:
        instance._sync_earlier = location_state(earlier, earlier.organization.vetted)


def _on_location_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    earlier = getattr(instance, "_sync_earlier", None)
    if earlier is not None and instance.confidential:
        bury_location(instance.pk, TombstoneReason.CONFIDENTIAL, earlier)
    # A safe house whose public face (fields and grid-cell point) stayed as it was changed only where the
    # public cannot see.
    hidden_only = instance.confidential and getattr(instance, "_sync_earlier_face", None) == instance.public_face()
    touch_locations([instance.pk], public=not hidden_only)


def _on_location_delete(sender, instance, **kwargs):
    vetted = Organization.objects.filter(pk=instance.organization_id, vetted=True).exists()
    bury_location(instance.pk, TombstoneReason.DELETED, location_state(instance, vetted))


def _on_locations_hiding(sender, locations, **kwargs):
    """Before a bulk update makes these public locations confidential: retire the copies of their full faces."""
    earlier = [
        (location.pk, location_state(location, location.organization.vetted))
        for location in locations.select_related("organization")
    ]

    def bury_them():
        for pk, state in earlier:
            bury_location(pk, TombstoneReason.CONFIDENTIAL, state)

    return bury_them


def _on_locations_moved(sender, location_ids, **kwargs):
    touch_locations(location_ids)


def connect_signals() -> None:
    """Wire the receivers (called once from the app config)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

    for model in _AFFECTS:
        post_save.connect(_on_record_change, sender=model, dispatch_uid=f"sync-save-{model.__name__}")
        post_delete.connect(_on_record_change, sender=model, dispatch_uid=f"sync-delete-{model.__name__}")
    post_save.connect(_on_service_save, sender=Service, dispatch_uid="sync-save-service")
    pre_delete.connect(_on_service_pre_delete, sender=Service, dispatch_uid="sync-pre-delete-service")
    post_delete.connect(_on_service_delete, sender=Service, dispatch_uid="sync-delete-service")
    for relation in (Service.categories, Service.populations, Service.contexts, Service.languages):
        m2m_changed.connect(_on_service_m2m, sender=relation.through, dispatch_uid=f"sync-m2m-{relation.field.name}")
        term = relation.field.related_model
        pre_delete.connect(_on_term_pre_delete, sender=term, dispatch_uid=f"sync-pre-delete-{term.__name__}")
        post_delete.connect(_on_term_delete, sender=term, dispatch_uid=f"sync-delete-{term.__name__}")
    m2m_changed.connect(_on_phone_languages, sender=Phone.languages.through, dispatch_uid="sync-m2m-phone-languages")
    post_save.connect(_on_organization_save, sender=Organization, dispatch_uid="sync-save-organization")
    pre_save.connect(_on_location_pre_save, sender=Location, dispatch_uid="sync-pre-save-location")
    post_save.connect(_on_location_save, sender=Location, dispatch_uid="sync-save-location")
    post_delete.connect(_on_location_delete, sender=Location, dispatch_uid="sync-delete-location")
    locations_hiding.connect(_on_locations_hiding, sender=Location, dispatch_uid="sync-locations-hiding")
    locations_moved.connect(_on_locations_moved, sender=Location, dispatch_uid="sync-locations-moved")
