"""Keeping the point-search index (`SearchEntry`) in step with the listings.

A service has entries only while it is listed (active, of a vetted organisation): one per location it
is given at and one per service area, each carrying the service's filter codes. `refresh()` rewrites
the entries of some services and runs inside the transaction of the change that called for it (the
sync sequence's receivers call it), so a search never reads an entry older than the listing.
`rebuild()` rewrites them all after a bulk load that bypassed those receivers.

With the entries it keeps two columns of every service, listed or not: `countries` (what `country=`
tests) and `vocabulary_codes` (what a page of results shows, in each vocabulary's order; a term that
moves rewrites those of its services).
"""

import json
from collections import defaultdict

from django.db import transaction
from django.db.models.signals import post_save, pre_save

from referrals.managers import SERVICE_VOCABULARIES as VOCABULARIES
from referrals.models.services import public_area_center

BATCH = 5000  # services read and written at a time by a rebuild, or when a term moves


def _models(registry):
    names = ("Service", "ServiceAtLocation", "ServiceArea", "SearchEntry")
    if registry is None:
        from referrals import models

        return tuple(getattr(models, name) for name in names)
    return tuple(registry.get_model("referrals", name) for name in names)


def _codes(values) -> str:
    return "|" + "|".join(sorted(values)) + "|" if values else ""


def entries_of(service_ids, registry=None) -> list[dict]:
    """The entries these services should have now, as field values (none for a service that is not listed)."""
    return _derive(service_ids, registry)[0]


def codes_of(service_ids, registry=None) -> dict:
    """Service id -> {vocabulary: [code, ...]} of these services, every vocabulary (empty: none), each list in the
    vocabulary's order (position, then code, as the terms' Meta orders them; a vocabulary without positions by code)."""
    Service = _models(registry)[0]
    codes = {Service._meta.pk.to_python(pk): {name: [] for name in VOCABULARIES} for pk in service_ids}
    for name in VOCABULARIES:
        field = getattr(Service, name).field
        target = field.m2m_reverse_field_name()
        positioned = any(term_field.name == "position" for term_field in field.related_model._meta.fields)
        links = field.remote_field.through.objects.filter(service_id__in=codes)
        order = [f"{target}__position"] if positioned else []
        for service_id, code in links.order_by(*order, f"{target}_id").values_list("service_id", f"{target}_id"):
            codes[service_id][name].append(code)
    return codes


def store_codes(service_ids, registry=None) -> None:
    """Write `Service.vocabulary_codes` of these services (a term moved, or the generator wrote their links)."""
    Service = _models(registry)[0]
    codes = codes_of(list(service_ids), registry)
    _write(Service, {service_id: {"vocabulary_codes": value} for service_id, value in codes.items()})


def store_columns(service_ids, registry=None, countries=None, codes=None) -> None:
    """Write `Service.countries` and `Service.vocabulary_codes` of these services.

    `countries`, `codes`: as `countries_of()` and `codes_of()` give them, if the caller has them already.
    """
    Service = _models(registry)[0]
    service_ids = list(service_ids)
    countries = countries_of(service_ids, registry) if countries is None else countries
    codes = codes_of(service_ids, registry) if codes is None else codes
    _write(Service, {pk: {"countries": countries[pk], "vocabulary_codes": value} for pk, value in codes.items()})


def _write(Service, columns: dict) -> None:
    """Service id -> {column: value}: one UPDATE per distinct set of values, touching nothing else."""
    by_value = defaultdict(list)
    for service_id, values in columns.items():
        by_value[json.dumps(values, sort_keys=True)].append(service_id)
    for ids in by_value.values():
        Service.objects.filter(pk__in=ids).update(**columns[ids[0]])


def _derive(service_ids, registry=None) -> tuple[list[dict], dict, dict]:
    """The entries of those of these services that are listed, and the countries and codes of every one of them."""
    from referrals.gazetteer import province_key

    Service, ServiceAtLocation, ServiceArea, _ = _models(registry)
    locations = list(
        ServiceAtLocation.objects.filter(service_id__in=service_ids).values_list(
            "service_id",
            "location_id",
            "location__public_latitude",
            "location__public_longitude",
            "location__latitude",
            "location__longitude",
            "location__country",
            "location__confidential",
        )
    )
    areas = list(
        ServiceArea.objects.filter(service_id__in=service_ids).values_list(
            "service_id", "kind", "country", "state_province", "latitude", "longitude", "radius_km"
        )
    )
    countries = countries_from([(row[0], row[6]) for row in locations] + [(row[0], row[2]) for row in areas])
    codes = codes_of(service_ids, registry)
    listed = {
        row[0]: row
        for row in Service.objects.filter(pk__in=service_ids, status="active", organization__vetted=True).values_list(
            "pk", "name", "organization_id", "free", "minimum_age", "maximum_age"
        )
    }
    if not listed:
        return [], countries, codes
    locations = [row for row in locations if row[0] in listed]
    areas = [row for row in areas if row[0] in listed]
    hiding_a_house = {service_id for service_id, *_, confidential in locations if confidential}

    def entry(service_id, **place):
        _, name, organization_id, free, minimum_age, maximum_age = listed[service_id]
        return {
            "service_id": service_id,
            "name": name,
            "organization_id": organization_id,
            "free": free,
            "minimum_age": minimum_age,
            "maximum_age": maximum_age,
            **{name: _codes(codes[service_id][name]) for name in VOCABULARIES},
            "countries": countries[service_id],
            "province": "",
            "radius_km": None,
            "location_id": None,
            **place,
        }

    entries = []
    for service_id, location_id, public_lat, public_lng, lat, lng, country, _ in locations:
        entries.append(
            entry(
                service_id,
                kind="location",
                location_id=location_id,
                public_latitude=public_lat,
                public_longitude=public_lng,
                latitude=lat,
                longitude=lng,
                country=country,
            )
        )
    for service_id, kind, country, province, lat, lng, radius in areas:
        place = {"kind": kind, "country": country, "public_latitude": None, "public_longitude": None}
        place.update(latitude=None, longitude=None)
        if kind == "radius":
            public = public_area_center(lat, lng, service_id in hiding_a_house)
            place.update(public_latitude=public[0], public_longitude=public[1], latitude=lat, longitude=lng)
            place["radius_km"] = radius
        elif kind == "province":
            place["province"] = province_key(province)
        entries.append(entry(service_id, **place))
    return entries, countries, codes


def countries_of(service_ids, registry=None) -> dict:
    """Service id -> the countries of its locations and service areas, as "|KH|TH|" ("" for none)."""
    _, ServiceAtLocation, ServiceArea, _ = _models(registry)
    at_locations = ServiceAtLocation.objects.filter(service_id__in=service_ids)
    areas = ServiceArea.objects.filter(service_id__in=service_ids)
    return countries_from(
        [*at_locations.values_list("service_id", "location__country"), *areas.values_list("service_id", "country")]
    )


def countries_from(pairs) -> dict:
    """(service id, country) pairs -> service id -> "|KH|TH|" (any other service: "")."""
    found = defaultdict(set)
    for service_id, country in pairs:
        if country:
            found[service_id].add(country)
    return defaultdict(str, {service_id: _codes(codes) for service_id, codes in found.items()})


def refresh(service_ids, registry=None) -> None:
    """Rewrite these services' entries, their `countries` and their `vocabulary_codes` (inside the caller's
    transaction)."""
    *_, SearchEntry = _models(registry)
    service_ids = list(service_ids)
    with transaction.atomic():
        entries, countries, codes = _derive(service_ids, registry)
        store_columns(service_ids, registry, countries, codes)
        SearchEntry.objects.filter(service_id__in=service_ids).delete()
        SearchEntry.objects.bulk_create([SearchEntry(**values) for values in entries])


def rebuild(batch_size: int = BATCH, registry=None, service_countries: bool = True) -> int:
    """Rewrite every entry and every service's `countries` and `vocabulary_codes` (after fixtures or generated data).

    Returns how many entries there are. `service_countries=False` leaves those two columns of the services alone
    (migration 0011 runs before they exist).
    """
    from referrals.services.bulk import RawTable

    Service, *_, SearchEntry = _models(registry)
    table = RawTable(SearchEntry)
    count = 0
    listed = Service.objects.filter(status="active", organization__vetted=True).order_by("pk")
    everyone = Service.objects.order_by("pk")
    with transaction.atomic():
        batch = list(everyone.values_list("pk", flat=True)[:batch_size]) if service_countries else []
        while batch:
            store_columns(batch, registry)
            batch = list(everyone.filter(pk__gt=batch[-1]).values_list("pk", flat=True)[:batch_size])
        SearchEntry.objects.all().delete()
        batch = list(listed.values_list("pk", flat=True)[:batch_size])
        while batch:
            for values in entries_of(batch, registry):
                if registry is not None:  # a migration's models: only the columns the entries have by then
                    values = {name: value for name, value in values.items() if name in table.index}
                table.add(**values)
            count += table.flush()
            batch = list(listed.filter(pk__gt=batch[-1]).values_list("pk", flat=True)[:batch_size])
    return count


def _on_term_pre_save(sender, instance, raw=False, **kwargs):
    """Remember where a term stood: a term that moves reorders the codes of every service that has it."""
    instance._indexed_position = None if raw else sender.objects.filter(pk=instance.pk).values_list("position").first()


def _on_term_save(sender, instance, raw=False, **kwargs):
    earlier = getattr(instance, "_indexed_position", None)
    if raw or earlier is None or earlier[0] == instance.position:
        return
    service_ids = list(instance.services.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        for start in range(0, len(service_ids), BATCH):
            store_codes(service_ids[start : start + BATCH])


def connect_signals() -> None:
    """Wire the receivers that keep `vocabulary_codes` in each vocabulary's order (called once from the app config).

    Adding, removing or deleting a term reaches the services through the sync sequence's receivers (`refresh()`).
    """
    Service = _models(None)[0]
    for name in VOCABULARIES:
        term = getattr(Service, name).field.related_model
        if any(field.name == "position" for field in term._meta.fields):
            pre_save.connect(_on_term_pre_save, sender=term, dispatch_uid=f"search-index-pre-save-{term.__name__}")
            post_save.connect(_on_term_save, sender=term, dispatch_uid=f"search-index-save-{term.__name__}")
