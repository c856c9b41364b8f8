"""Plain builders for test data: each makes one valid record, with overrides for what a test cares about."""

from datetime import time

from django.utils import timezone

from referrals.models import (
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
)

BANGKOK = (13.7563, 100.5018)


def make_organization(**overrides) -> Organization:
    """A vetted organisation."""
    fields = {"name": "Test Harbour Foundation", "vetted": True, "email": "org@example.org"}
    fields.update(overrides)
    return Organization.objects.create(**fields)


def make_location(organization=None, **overrides) -> Location:
    """A physical, non-confidential location in Bangkok."""
    fields = {
        "organization": organization or make_organization(),
        "name": "Test office",
        "latitude": BANGKOK[0],
        "longitude": BANGKOK[1],
        "address_1": "1 Example Road",
        "city": "Bangkok",
        "state_province": "Bangkok",
        "postal_code": "10100",
        "country": "TH",
        "time_zone": "Asia/Bangkok",
    }
    fields.update(overrides)
    return Location.objects.create(**fields)


def make_service(
    organization=None,
    *,
    categories=("housing",),
    populations=("women",),
    contexts=("urban",),
    languages=("en",),
    at=None,
    **overrides,
) -> Service:
    """An active service with its vocabularies, delivered at the given point (lat, lng) or location."""
    organization = organization or (at.organization if isinstance(at, Location) else make_organization())
    fields = {"organization": organization, "name": "Test service", "status": "active"}
    fields.update(overrides)
    service = Service.objects.create(**fields)
    service.categories.set(categories)
    service.populations.set(populations)
    service.contexts.set(contexts)
    service.languages.set(languages)
    if at is not None:
        location = at if isinstance(at, Location) else make_location(organization, latitude=at[0], longitude=at[1])
        ServiceAtLocation.objects.create(service=service, location=location)
    return service


def add_phone(*, number="+66 555 0100", **owner) -> Phone:
    """A phone of an organisation, service or location."""
    return Phone.objects.create(number=number, **owner)


def add_hours(service, location=None, *, weekday=None, opens=None, closes=None, all_day=False, **extra) -> Schedule:
    """Opening hours; `opens`/`closes` as (hour, minute)."""
    return Schedule.objects.create(
        service=service,
        location=location,
        weekday=weekday,
        all_day=all_day,
        opens_at=time(*opens) if opens else None,
        closes_at=time(*closes) if closes else None,
        **extra,
    )


def add_capacity(service, *, available=3, unit="beds_women", updated=None) -> ServiceCapacity:
    """A capacity count, reported now unless said otherwise."""
    return ServiceCapacity.objects.create(
        service=service, unit=unit, available=available, maximum=20, updated=updated or timezone.now()
    )


def make_user(username, *, password="a-long-test-password", **extra):
    """A user with a usable password."""
    from django.contrib.auth import get_user_model

    email = f"{username}@example.org"
    return get_user_model().objects.create_user(username=username, password=password, email=email, **extra)


def make_member(organization, username, role="editor"):
    """A provider: a user who keeps the organisation's listings."""
    from referrals.models import Membership

    user = make_user(username)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def make_caseworker(username, *, vetted=True):
    """A caseworker, vetted unless said otherwise."""
    from referrals.models import Caseworker

    user = make_user(username)
    Caseworker.objects.create(user=user, agency="Test anti-trafficking unit", vetted=vetted)
    return user


def make_moderator(username="moderator"):
    """A member of the moderators group (with admin access)."""
    from django.contrib.auth.models import Group

    from referrals.services.roles import MODERATORS_GROUP

    user = make_user(username, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


def make_partner_key(name="Partner hotline app", *, confidential_access=False):
    """A partner API key; returns (key record, the secret key)."""
    from referrals.models import PartnerKey

    return PartnerKey.objects.create_key(name=name, confidential_access=confidential_access)


def random_directory(rng, count=70):
    """Services around Bangkok of every kind of reach, some unlisted, inactive or confidential (seeded)."""
    orgs = [make_organization(name=f"Org {i}", vetted=i != 0) for i in range(5)]
    categories, populations = ["housing", "medical", "counselling", "legal"], ["women", "children", "men"]
    for index in range(count):
        org = orgs[index % len(orgs)]
        point = (BANGKOK[0] + rng.uniform(-0.3, 0.3), BANGKOK[1] + rng.uniform(-0.3, 0.3))
        service = make_service(
            org,
            name=f"s{index:02d}",
            categories=rng.sample(categories, rng.randint(1, 2)),
            populations=rng.sample(populations, rng.randint(1, 2)),
            status="active" if rng.random() < 0.9 else "inactive",
            free=rng.random() < 0.7,
            minimum_age=rng.choice([None, 12, 18]),
        )
        for _ in range(rng.choice([0, 1, 1, 2])):
            location = make_location(
                org,
                latitude=point[0] + rng.uniform(-0.05, 0.05),
                longitude=point[1] + rng.uniform(-0.05, 0.05),
                confidential=rng.random() < 0.3,
            )
            ServiceAtLocation.objects.create(service=service, location=location)
        kind = rng.random()
        if kind < 0.2:
            ServiceArea.objects.create(service=service, kind="country", country="TH")
        elif kind < 0.3:
            ServiceArea.objects.create(service=service, kind="province", country="TH", state_province="Bangkok")
        elif kind < 0.45:
            ServiceArea.objects.create(
                service=service, kind="radius", country="TH", latitude=point[0], longitude=point[1], radius_km=8
            )


def enrich_directory(rng):
    """Give every service phones (some with languages, some tied in order), counts, hours and Thai texts (seeded)."""
    from referrals.models import ServiceTranslation

    for service in Service.objects.all():
        for _ in range(rng.randint(0, 3)):  # ties of type and number, and numbers that sort by collation
            phone = add_phone(service=service, number=rng.choice(["+66 2 555 0100", "+662 555 0100", "1300", "1300"]))
            phone.languages.set(rng.sample(["th", "en", "my"], rng.randint(0, 2)))
        for unit in rng.sample(["beds_women", "beds_children", "places"], rng.randint(0, 2)):
            if not service.capacities.filter(unit=unit).exists():
                add_capacity(service, unit=unit, available=rng.randint(0, 5))
        for _ in range(rng.randint(0, 3)):
            if rng.random() < 0.3:
                add_hours(service, weekday=rng.choice([None, 1]), all_day=True)
            else:
                add_hours(service, weekday=rng.randint(0, 6), opens=(rng.randint(6, 11), 0), closes=(17, 0))
        if rng.random() < 0.5:
            ServiceTranslation.objects.update_or_create(
                service=service, language="th", defaults={"name": f"บริการ {service.name}"}
            )
    Location.objects.filter(confidential=True).update(translations={"th": {"name": "ที่พัก"}})


def enrich_records(rng):
    """What a whole record shows beyond a listing (seeded): areas that tie in kind and name, the organisations' and
    the places' phones with languages and translated descriptions, and texts in more than one other language."""
    from referrals.models import ServiceTranslation

    def phones(**owner):
        for _ in range(rng.randint(0, 2)):
            phone = add_phone(number=rng.choice(["+66 2 555 0100", "1300"]), description="Front desk", **owner)
            if rng.random() < 0.5:
                phone.translations = {"th": {"description": "แผนกต้อนรับ"}}
                phone.save(update_fields=["translations"])
            phone.languages.set(rng.sample(["th", "en", "my"], rng.randint(0, 2)))

    for organization in Organization.objects.all():
        phones(organization=organization)
    for location in Location.objects.all():
        phones(location=location)
    for service in Service.objects.all():
        for _ in range(rng.randint(0, 2)):
            ServiceArea.objects.create(service=service, kind="province", country="TH", state_province="Chiang Mai")
        if rng.random() < 0.4:
            ServiceTranslation.objects.update_or_create(
                service=service, language="my", defaults={"name": f"ဝန်ဆောင်မှု {service.name}", "description": "…"}
            )
