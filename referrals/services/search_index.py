"""Keeping the point-search index (`SearchEntry`) in step with the listings.

A service has entries only while it is listed (active, of a vetted organisation): one per location it
is given at and one per service area, each carrying the service's filter codes. `refresh()` rewrites
the entries of some services and runs inside the transaction of the change that called for it (the
sync sequence's receivers call it), so a search never reads an entry older than the listing.
`rebuild()` rewrites them all after a bulk load that bypassed those receivers.
"""

from collections import defaultdict

from django.db import transaction

from referrals.models.services import public_area_center

VOCABULARIES = ("categories", "populations", "contexts", "languages")


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
    from referrals.services.gazetteer import province_key

    Service, ServiceAtLocation, ServiceArea, _ = _models(registry)
    listed = {
        row[0]: row
        for row in Service.objects.filter(pk__in=service_ids, status="active", organization__vetted=True).values_list(
            "pk", "organization_id", "free", "minimum_age", "maximum_age"
        )
    }
    if not listed:
        return []
    codes = {name: defaultdict(set) for name in VOCABULARIES}
    for name in VOCABULARIES:
        relation = getattr(Service, name)
        target = relation.field.m2m_reverse_field_name()
        pairs = relation.through.objects.filter(service_id__in=listed).values_list("service_id", f"{target}_id")
        for service_id, code in pairs:
            codes[name][service_id].add(code)
    locations = list(
        ServiceAtLocation.objects.filter(service_id__in=listed).values_list(
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
        ServiceArea.objects.filter(service_id__in=listed).values_list(
            "service_id", "kind", "country", "state_province", "latitude", "longitude", "radius_km"
        )
    )
    countries, hiding_a_house = defaultdict(set), set()
    for service_id, *_, country, confidential in locations:
        countries[service_id].add(country)
        if confidential:
            hiding_a_house.add(service_id)
    for service_id, _, country, *_ in areas:
        countries[service_id].add(country)

    def entry(service_id, **place):
        _, organization_id, free, minimum_age, maximum_age = listed[service_id]
        return {
            "service_id": service_id,
            "organization_id": organization_id,
            "free": free,
            "minimum_age": minimum_age,
            "maximum_age": maximum_age,
            **{name: _codes(codes[name][service_id]) for name in VOCABULARIES},
            "countries": _codes(countries[service_id] - {""}),
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
    return entries


def refresh(service_ids, registry=None) -> None:
    """Rewrite these services' entries (inside the caller's transaction)."""
    *_, SearchEntry = _models(registry)
    service_ids = list(service_ids)
    with transaction.atomic():
        SearchEntry.objects.filter(service_id__in=service_ids).delete()
        SearchEntry.objects.bulk_create([SearchEntry(**values) for values in entries_of(service_ids, registry)])


def rebuild(batch_size: int = 5000, registry=None) -> int:
    """Rewrite every entry (after fixtures or generated data); returns how many there are."""
    from referrals.services.bulk import RawTable

    Service, *_, SearchEntry = _models(registry)
    table = RawTable(SearchEntry)
    count = 0
    listed = Service.objects.filter(status="active", organization__vetted=True).order_by("pk")
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        batch = list(listed.values_list("pk", flat=True)[:batch_size])
        while batch:
            for values in entries_of(batch, registry):
                table.add(**values)
            count += table.flush()
            batch = list(listed.filter(pk__gt=batch[-1]).values_list("pk", flat=True)[:batch_size])
    return count
