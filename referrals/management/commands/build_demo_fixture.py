"""Build fixtures/demo.json: fictional organisations and services at real places, deterministic per seed."""

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from referrals.choices import (
    MESSAGING_BY_HANDLE,
    CapacityUnitCode,
    LocationType,
    PhoneType,
    ServiceAreaKind,
    ServiceStatus,
)
from referrals.management.demo_places import PLACES
from referrals.management.demo_translations import translation_for
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
)

BUILD_DATE = date(2026, 11, 1)

COUNTRY_LANGUAGES = {
    "TH": ["th", "en", "my", "km", "lo", "ksw", "shn"],
    "MM": ["my", "en", "kac", "shn", "rhg"],
    "KH": ["km", "en", "vi"],
    "LA": ["lo", "en", "hmn"],
    "VN": ["vi", "en"],
    "PH": ["tl", "en", "ceb"],
    "ID": ["id", "en", "jv"],
    "MY": ["ms", "en", "my", "id", "rhg"],
    "FJ": ["en", "fj", "hif"],
    "TO": ["to", "en"],
    "WS": ["sm", "en"],
    "PG": ["tpi", "en"],
    "SB": ["pis", "en"],
    "VU": ["bi", "en", "fr"],
    "TL": ["tet", "en", "id"],
    "KI": ["gil", "en"],
    "CN": ["zh", "my", "kac"],
}
CALLING_CODES = {
    "TH": "66", "MM": "95", "KH": "855", "LA": "856", "VN": "84", "PH": "63", "ID": "62", "MY": "60",
    "FJ": "679", "TO": "676", "WS": "685", "PG": "675", "SB": "677", "VU": "678", "TL": "670", "KI": "686",
    "CN": "86",
}  # fmt: skip

# The messaging app most caseworkers reach services on, by country (the rest: WhatsApp).
MESSAGING_APPS = {
    "TH": PhoneType.LINE, "MM": PhoneType.VIBER, "KH": PhoneType.TELEGRAM, "VN": PhoneType.ZALO,
    "PH": PhoneType.MESSENGER, "CN": PhoneType.WECHAT, "LA": PhoneType.WHATSAPP,
}  # fmt: skip

ORG_FIRST = [
    "Lotus", "Bamboo", "Monsoon", "Coral", "Harbour", "Frangipani", "Mekong", "Tamarind", "Kapok", "Banyan",
    "Lantern", "Rattan", "Saltwater", "Hibiscus", "Mangrove", "Jasmine", "Orchid", "Teak", "Reef", "Lagoon",
    "Cloudforest", "Riverstone", "Dawnlight", "Ricefield", "Seagrass",
]  # fmt: skip
ORG_SECOND = [
    "Bridge", "Haven", "Circle", "Path", "Light", "Shelter", "Hands", "Compass", "Roots", "Harbour", "Sails",
    "Lantern", "Gate", "Well", "Garden",
]  # fmt: skip
ORG_KIND = ["Foundation", "Collective", "Network", "Trust", "Association", "Alliance", "Society", "Project"]

# name, categories, populations, extra contexts, confidential, hours, capacity units, ages, intake
SERVICE_KINDS = [
    ("Women's Shelter", ["housing", "counselling"], ["women", "children", "families"], [], True, "24/7",
     [CapacityUnitCode.BEDS_WOMEN, CapacityUnitCode.BEDS_CHILDREN], (None, None), ("referral", "hotline")),
    ("Children's Safe Home", ["housing", "psychological", "education"], ["children", "girls", "unaccompanied_minors"],
     [], True, "24/7", [CapacityUnitCode.BEDS_CHILDREN], (0, 17), ("referral",)),
    ("Transit Shelter", ["housing", "material", "repatriation"], ["migrants", "men", "women", "families"], [], False,
     "24/7", [CapacityUnitCode.BEDS_ANY, CapacityUnitCode.BEDS_FAMILIES], (None, None), ("walk_in", "referral")),
    ("Counselling Centre", ["counselling", "psychological"], ["women", "men", "lgbtqi"], [], False, "office",
     [], (None, None), ("walk_in", "referral")),
    ("Trauma Recovery Clinic", ["psychological", "medical"], ["women", "girls", "children"], [], False, "office",
     [CapacityUnitCode.APPOINTMENTS], (None, None), ("referral",)),
    ("Health Clinic", ["medical"], ["women", "men", "children", "migrants"], [], False, "office", [], (None, None),
     ("walk_in",)),
    ("Legal Aid Desk", ["legal", "interpretation"], ["women", "men", "migrants", "refugees"], [], False, "office", [],
     (16, None), ("walk_in", "referral")),
    ("24-hour Helpline", ["hotline", "counselling", "interpretation"], ["women", "men", "children", "migrants"],
     ["remote"], False, "24/7", [], (None, None), ("hotline",)),
    ("Mobile Clinic", ["medical", "psychological"], ["refugees", "idps", "women", "children"], ["mobile_outreach"],
     False, "office", [], (None, None), ("walk_in",)),
    ("Livelihood Programme", ["livelihood", "education"], ["women", "men", "persons_with_disabilities"], [], False,
     "office", [], (16, None), ("referral",)),
    ("Repatriation and Family Tracing", ["repatriation", "legal"], ["migrants", "unaccompanied_minors", "families"],
     ["border_area"], False, "office", [], (None, None), ("referral", "hotline")),
    ("Emergency Relief Point", ["material", "medical"], ["idps", "refugees", "families"], [], False, "office", [],
     (None, None), ("walk_in",)),
    ("Night Drop-in Centre", ["material", "counselling"], ["boys", "girls", "children", "lgbtqi"], [], False,
     "night", [CapacityUnitCode.BEDS_CHILDREN], (10, 24), ("walk_in",)),
    ("Youth Safe House", ["housing", "counselling", "livelihood"], ["boys", "children", "unaccompanied_minors"], [],
     True, "24/7", [CapacityUnitCode.BEDS_CHILDREN], (12, 17), ("referral",)),
]  # fmt: skip

# Cities where caseworkers look most often get more organisations than one per place.
HUBS = ("bangkok", "chiang_mai", "mae_sot", "phnom_penh", "yangon", "manila", "suva")

STREETS = ["Example Road", "Sample Lane", "Demo Street", "Placeholder Avenue", "Fiction Soi", "Test Way"]


class Command(BaseCommand):
    """Regenerate the demo fixture (maintainers only; `load_demo` is what users run)."""

    help = "Build fixtures/demo.json with fictional organisations and services at real places of the region."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--organizations", type=int, default=len(PLACES) + 3 * len(HUBS))
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "fixtures" / "demo.json"))

    def handle(self, *args, seed, organizations, output, **options):
        if Organization.objects.exists():
            raise CommandError("Run this on an empty, migrated database (e.g. DATABASE_URL=sqlite:////tmp/x.db).")
        rng = random.Random(seed)
        with transaction.atomic():
            self._build(rng, organizations)
            records = []
            for model in (Organization, Location, Service, ServiceAtLocation, Phone, Schedule, ServiceArea,
                          ServiceCapacity, ServiceTranslation):  # fmt: skip
                records.extend(model.objects.order_by("pk"))
            Path(output).write_text(serializers.serialize("json", records, indent=1, ensure_ascii=False) + "\n")
            counts = {model.__name__: model.objects.count() for model in (Organization, Service, Location)}
            transaction.set_rollback(True)
        self.stdout.write(f"wrote {output}: {counts}")

    def _build(self, rng, count):
        names = set()
        places = list(PLACES)
        # Every place gets an organisation; the hubs get more.
        by_key = {place.key: place for place in places}
        extra = [by_key[HUBS[index % len(HUBS)]] for index in range(max(0, count - len(places)))]
        homes = (places + extra) if count >= len(places) else rng.sample(places, k=count)
        for index, home in enumerate(homes):
            while True:
                name = f"{rng.choice(ORG_FIRST)} {rng.choice(ORG_SECOND)} {rng.choice(ORG_KIND)}"
                if name not in names:
                    names.add(name)
                    break
            slug = name.lower().replace(" ", "-")
            organization = Organization.objects.create(
                name=name,
                description=f"Fictional demo organisation based in {home.name}. Not a real organisation.",
                email=f"contact@{slug}.example.org",
                website=f"https://{slug}.example.org",
                vetted=index % 22 != 21,  # a couple stay unvetted, to show they are hidden
            )
            Phone.objects.create(organization=organization, number=self._phone(rng, home.country), type=PhoneType.VOICE)
            neighbours = [place for place in places if place.country == home.country and place != home]
            for _ in range(rng.choice([3, 3, 4, 4, 5])):
                place = home if not neighbours or rng.random() < 0.7 else rng.choice(neighbours)
                self._service(rng, organization, place, slug)

    def _service(self, rng, organization, place, slug):
        kind = rng.choice(SERVICE_KINDS)
        (label, categories, populations, extra_contexts, confidential, hours, units, ages, intake) = kind
        if "refugee_camp" in place.contexts and label in ("Counselling Centre", "Health Clinic"):
            populations = [*populations, "refugees"]
        status = rng.choices(
            [ServiceStatus.ACTIVE, ServiceStatus.INACTIVE, ServiceStatus.TEMPORARILY_CLOSED, ServiceStatus.DEFUNCT],
            weights=[90, 4, 4, 2],
        )[0]
        languages = COUNTRY_LANGUAGES[place.country]
        page = label.lower().replace(" ", "-").replace("'", "")
        service = Service.objects.create(
            organization=organization,
            name=f"{place.name} {label}",
            description=f"Fictional demo listing: {label.lower()} run by {organization.name} in {place.name}.",
            email=f"intake@{slug}.example.org",
            url=f"https://{slug}.example.org/{page}",
            status=status,
            eligibility_description="Survivors of trafficking and people at risk, referred or self-referred.",
            minimum_age=ages[0],
            maximum_age=ages[1],
            free=rng.random() < 0.9,
            intake_walk_in="walk_in" in intake,
            intake_referral="referral" in intake,
            intake_hotline="hotline" in intake,
            application_process="Call the intake line first; a caseworker arranges the visit."
            if confidential
            else "Come during opening hours or call ahead.",
            interpretation_services="Interpreters on request." if rng.random() < 0.5 else "",
            assured_date=BUILD_DATE - timedelta(days=rng.randint(0, 300)),
            assurer="Demo moderator",
        )
        if not service.free:
            service.fees_description = "Small fee; waived for survivors referred by a caseworker."
            service.save(update_fields=["fees_description"])
        translation = translation_for(label, place, organization.name, confidential)
        if translation is not None:
            ServiceTranslation.objects.create(service=service, **translation)
        service.categories.set(categories)
        # The first two populations define the kind of service; the others vary.
        others = populations[2:]
        service.populations.set(populations[:2] + rng.sample(others, k=rng.randint(0, len(others))))
        contexts = set(extra_contexts) | set(place.contexts)
        service.contexts.set(sorted(contexts))
        service.languages.set(rng.sample(languages, k=min(len(languages), rng.randint(1, 3))))
        number = self._phone(rng, place.country)
        Phone.objects.create(
            service=service,
            number=number,
            type=PhoneType.HOTLINE if hours == "24/7" else PhoneType.VOICE,
            description="24-hour intake line" if hours == "24/7" else "Intake line",
        )
        self._messaging(service, organization, place.country, number)
        location = self._location(rng, organization, place, label, confidential)
        ServiceAtLocation.objects.create(service=service, location=location)
        self._schedule(service, location, hours)
        for unit in units:
            maximum = rng.randint(6, 40)
            ServiceCapacity.objects.create(
                service=service,
                unit=unit,
                maximum=maximum,
                available=rng.randint(0, min(maximum, 8)),
                updated=datetime.combine(BUILD_DATE, time(8), tzinfo=UTC),
            )
        if "mobile_outreach" in extra_contexts:
            ServiceArea.objects.create(
                service=service,
                kind=ServiceAreaKind.RADIUS,
                name=f"{place.name} and surroundings",
                country=place.country,
                latitude=place.latitude,
                longitude=place.longitude,
                radius_km=60,
            )
        if "remote" in extra_contexts:
            ServiceArea.objects.create(service=service, kind=ServiceAreaKind.COUNTRY, country=place.country)

    def _location(self, rng, organization, place, label, confidential):
        # Stay within a couple of kilometres of the town centre.
        latitude = round(place.latitude + rng.uniform(-0.02, 0.02), 5)
        longitude = round(place.longitude + rng.uniform(-0.02, 0.02), 5)
        longitude = longitude - 360 if longitude >= 180 else longitude + 360 if longitude < -180 else longitude
        location = Location.objects.create(
            organization=organization,
            location_type=LocationType.PHYSICAL,
            name=f"{organization.name}, {place.name} {'house' if confidential else 'office'}",
            latitude=latitude,
            longitude=longitude,
            address_1=f"{rng.randint(1, 199)} {rng.choice(STREETS)}",
            city=place.name,
            state_province=place.state_province,
            postal_code=f"{rng.randint(10000, 99999)}",
            country=place.country,
            time_zone=place.time_zone,
            transportation="Ask the intake line for directions." if confidential else "Near the main market.",
            confidential=confidential,
        )
        if confidential:
            Phone.objects.create(location=location, number=self._phone(rng, place.country), description="House line")
        return location

    def _schedule(self, service, location, hours):
        if hours == "24/7":
            Schedule.objects.create(service=service, location=location, all_day=True, description="Open 24/7")
        elif hours == "night":
            Schedule.objects.create(
                service=service, location=location, opens_at=time(20), closes_at=time(6), description="Overnight"
            )
        else:
            for weekday in range(1, 6):
                Schedule.objects.create(
                    service=service, location=location, weekday=weekday, opens_at=time(8, 30), closes_at=time(17)
                )
            Schedule.objects.create(service=service, location=location, weekday=6, opens_at=time(9), closes_at=time(12))

    @staticmethod
    def _messaging(service, organization, country, number):
        """The intake's account on the country's usual messaging app: the intake mobile, or a fictional ID."""
        app = MESSAGING_APPS.get(country, PhoneType.WHATSAPP)
        if app in MESSAGING_BY_HANDLE:
            slug = "".join(ch for ch in organization.name.lower() if ch.isalnum())[:24]
            handle = f"@{slug}" if app == PhoneType.LINE else slug
        else:
            handle = number
        Phone.objects.create(service=service, number=handle, type=app, description="Intake, by message")

    @staticmethod
    def _phone(rng, country):
        # 555-01xx is the range reserved for fiction; these numbers reach no one.
        return f"+{CALLING_CODES[country]} 555 01{rng.randint(0, 99):02d}"
