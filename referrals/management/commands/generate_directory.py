"""Generate a region-sized synthetic directory (for benchmarks and load tests), fast and deterministic per seed."""

import bisect
import itertools
import math
import random
import time as clock
import uuid
from datetime import date, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from referrals import gazetteer
from referrals.choices import LocationType, PhoneType, ServiceAreaKind, ServiceStatus
from referrals.geo import snap_to_grid
from referrals.management.commands.build_demo_fixture import (
    CALLING_CODES,
    COUNTRY_LANGUAGES,
    ORG_FIRST,
    ORG_KIND,
    ORG_SECOND,
    SERVICE_KINDS,
    STREETS,
)
from referrals.management.demo_translations import translation_for
from referrals.models import (
    Location,
    Organization,
    Phone,
    Schedule,
    SearchEntry,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
    ServiceTranslation,
)
from referrals.models.services import SEARCHED_TRANSLATION_FIELDS, normalize_search_text
from referrals.services import search_index, sync
from referrals.services.bulk import RawTable

# Where the generated services are, roughly as the field's work is spread over the region.
COUNTRY_WEIGHTS = {
    "TH": 20, "VN": 12, "PH": 12, "ID": 12, "MM": 10, "KH": 8, "MY": 7, "LA": 5, "CN": 4, "FJ": 2, "PG": 2,
    "TL": 1, "SB": 1, "VU": 1, "TO": 0.5, "WS": 0.5, "KI": 0.5,
}  # fmt: skip
SERVICES_PER_ORGANIZATION = 5
BATCH = 5000
BUILD_DAY = date(2026, 11, 1)


class _Town:
    __slots__ = ("country", "latitude", "longitude", "name", "population", "province", "time_zone")

    def __init__(self, place, province):
        self.name, self.country, self.province, self.population = place.name, place.country, province, place.population
        self.latitude, self.longitude, self.time_zone = place.latitude, place.longitude, place.time_zone


class Towns:
    """The gazetteer's towns per country, drawn by the square root of their population (cities, not only capitals)."""

    def __init__(self):
        admin1 = gazetteer._admin1_names()
        by_country: dict[str, list] = {}
        for place in gazetteer._index().places:
            if place.country in COUNTRY_WEIGHTS:
                by_country.setdefault(place.country, []).append(
                    _Town(place, admin1.get((place.country, place.admin1), ""))
                )
        self.countries = sorted(by_country)
        self.country_cumulative = list(itertools.accumulate(COUNTRY_WEIGHTS[c] for c in self.countries))
        self.towns = {country: by_country[country] for country in self.countries}
        self.cumulative = {
            country: list(itertools.accumulate(math.sqrt(max(town.population, 1)) for town in towns))
            for country, towns in self.towns.items()
        }

    def draw(self, rng) -> _Town:
        """A town: first its country by the field's weights, then within it by population."""
        country = self.countries[bisect.bisect(self.country_cumulative, rng.random() * self.country_cumulative[-1])]
        weights = self.cumulative[country]
        return self.towns[country][min(bisect.bisect(weights, rng.random() * weights[-1]), len(weights) - 1)]


class Command(BaseCommand):
    """Bulk-insert N services with their organisations, locations, hours, phones, areas, capacity and translations."""

    help = "Generate a synthetic directory of --services N (1,000 to 1,000,000), deterministic per --seed."

    def add_arguments(self, parser):
        parser.add_argument("--services", type=int, required=True, help="How many services (1,000-1,000,000).")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same directory.")
        parser.add_argument(
            "--flush", action="store_true", help="Delete the directory's existing listings first (not users)."
        )

    def handle(self, *args, services, seed, flush, **options):
        if not 1000 <= services <= 1_000_000:
            raise CommandError("--services must be between 1,000 and 1,000,000.")
        if flush:
            self._flush()
        elif Service.objects.exists():
            raise CommandError("The directory already has listings: pass --flush to replace them.")
        started = clock.perf_counter()
        rng = random.Random(seed)
        towns = Towns()
        self.version = sync.next_version()
        self.cell = settings.CONFIDENTIAL_GRID_DEGREES
        self.now = timezone.now()
        self.links = [
            relation.through
            for relation in (Service.categories, Service.populations, Service.contexts, Service.languages)
        ]
        # In insertion order: parents before the rows that point at them.
        models = [Organization, Location, Service, ServiceAtLocation, Phone, Schedule, ServiceArea, ServiceCapacity]
        self.tables = {model: RawTable(model) for model in [*models, ServiceTranslation, *self.links]}
        self.entries = RawTable(SearchEntry)
        made = 0
        organization_count = max(1, services // SERVICES_PER_ORGANIZATION)
        for first in range(0, organization_count, BATCH // SERVICES_PER_ORGANIZATION):
            last = min(organization_count, first + BATCH // SERVICES_PER_ORGANIZATION)
            remaining = services - made
            per_org = [SERVICES_PER_ORGANIZATION] * (last - first)
            if last == organization_count:  # the last batch takes the remainder
                per_org[-1] += remaining - sum(per_org)
            with transaction.atomic():
                made += self._batch(rng, towns, first, per_org)
            if options["verbosity"] >= 1:
                self.stdout.write(f"  {made:>9,} services ({clock.perf_counter() - started:.0f} s)")
        if connection.vendor == "postgresql":
            # Fresh statistics; after --flush also the dead rows out of the way (a bloated full-text
            # index made q=shelter twice as slow). VACUUM cannot run inside a transaction (tests).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(f"Generated {made:,} services in {clock.perf_counter() - started:.1f} s (seed {seed}).")

    def _flush(self):
        with transaction.atomic():
            for model in (
                SearchEntry,
                ServiceTranslation,
                ServiceCapacity,
                ServiceArea,
                Schedule,
                Phone,
                ServiceAtLocation,
            ):
                model.objects.all()._raw_delete(model.objects.db)
            for relation in (Service.categories, Service.populations, Service.contexts, Service.languages):
                relation.through.objects.all()._raw_delete(relation.through.objects.db)
            for model in (Service, Location):
                model.objects.all()._raw_delete(model.objects.db)
            from referrals.models import Membership

            Membership.objects.all().delete()
            Organization.objects.all()._raw_delete(Organization.objects.db)

    @staticmethod
    def _uuid(rng) -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    def _batch(self, rng, towns, first_index, per_org) -> int:
        tables = self.tables
        for offset, count in enumerate(per_org):
            index = first_index + offset
            home = towns.draw(rng)
            name = f"{rng.choice(ORG_FIRST)} {rng.choice(ORG_SECOND)} {rng.choice(ORG_KIND)} {index + 1}"
            slug = name.lower().replace(" ", "-")
            organization = _Organization(self._uuid(rng), name, vetted=rng.random() < 0.97)
            tables[Organization].add(
                id=organization.id,
                name=name,
                description=f"Synthetic organisation based in {home.name}. Not a real organisation.",
                email=f"contact@{slug}.example.org",
                website=f"https://{slug}.example.org",
                vetted=organization.vetted,
            )
            tables[Phone].add(id=self._uuid(rng), organization_id=organization.id, number=self._phone(rng, home))
            for _ in range(count):
                town = home if rng.random() < 0.7 else towns.draw(rng)
                self._service(rng, organization, town, slug)
        id_column = tables[Service].index["id"]
        service_ids = [row[id_column] for row in tables[Service].rows]
        self._fill_countries()
        for table in tables.values():  # parents before children
            table.flush()
        search_index.store_codes(service_ids)
        for values in search_index.entries_of(service_ids):  # the point-search index, from what was written
            self.entries.add(**values)
        self.entries.flush()
        return len(service_ids)

    def _fill_countries(self):
        """Set the queued services' `countries` from the batch's locations and areas (as the search index would)."""
        tables = self.tables
        location, link, area, service = (tables[m].index for m in (Location, ServiceAtLocation, ServiceArea, Service))
        country_of = {row[location["id"]]: row[location["country"]] for row in tables[Location].rows}
        pairs = [
            (row[link["service_id"]], country_of[row[link["location_id"]]]) for row in tables[ServiceAtLocation].rows
        ]
        pairs += [(row[area["service_id"]], row[area["country"]]) for row in tables[ServiceArea].rows]
        countries = search_index.countries_from(pairs)
        for row in tables[Service].rows:
            row[service["countries"]] = countries[row[service["id"]]]

    def _service(self, rng, organization, town, slug):
        tables = self.tables
        (label, categories, populations, extra_contexts, confidential, hours, units, ages, intake) = rng.choice(
            SERVICE_KINDS
        )
        confidential = confidential and rng.random() < 0.8
        languages = COUNTRY_LANGUAGES.get(town.country, ["en"])
        status = rng.choices(
            [ServiceStatus.ACTIVE, ServiceStatus.INACTIVE, ServiceStatus.TEMPORARILY_CLOSED, ServiceStatus.DEFUNCT],
            weights=[92, 3, 3, 2],
        )[0]
        service_id = self._uuid(rng)
        # Around the town: most within a few km, some in its hinterland.
        spread = 0.03 if rng.random() < 0.8 else 0.15
        latitude = round(max(-89.9, min(89.9, rng.gauss(town.latitude, spread))), 5)
        longitude = round(rng.gauss(town.longitude, spread), 5)
        longitude = longitude - 360 if longitude >= 180 else longitude + 360 if longitude < -180 else longitude
        location_id = self._uuid(rng)
        point = (
            (snap_to_grid(latitude, self.cell), snap_to_grid(longitude, self.cell))
            if confidential
            else (latitude, longitude)
        )
        tables[Location].add(
            id=location_id,
            organization_id=organization.id,
            location_type=LocationType.PHYSICAL,
            name=f"{organization.name}, {town.name} {'house' if confidential else 'office'}",
            latitude=latitude,
            longitude=longitude,
            public_latitude=point[0],
            public_longitude=point[1],
            address_1=f"{rng.randint(1, 199)} {rng.choice(STREETS)}",
            city=town.name,
            state_province=town.province,
            postal_code=f"{rng.randint(10000, 99999)}",
            country=town.country,
            time_zone=town.time_zone,
            confidential=confidential,
        )
        tables[ServiceAtLocation].add(id=self._uuid(rng), service_id=service_id, location_id=location_id)
        description = f"Synthetic listing: {label.lower()} run by {organization.name} in {town.name}."
        eligibility = "Survivors of trafficking and people at risk, referred or self-referred."
        translation = translation_for(label, _Named(town), organization.name, confidential)
        texts = [f"{town.name} {label}", description, eligibility, organization.name]
        if translation is not None and rng.random() < 0.6:
            tables[ServiceTranslation].add(id=self._uuid(rng), service_id=service_id, **translation)
            texts += [translation.get(name, "") for name in SEARCHED_TRANSLATION_FIELDS]
        countries = {town.country}
        if "mobile_outreach" in extra_contexts:
            tables[ServiceArea].add(
                id=self._uuid(rng),
                service_id=service_id,
                kind=ServiceAreaKind.RADIUS,
                name=f"{town.name} and surroundings",
                country=town.country,
                latitude=town.latitude,
                longitude=town.longitude,
                radius_km=rng.choice([30, 60, 90]),
            )
        if "remote" in extra_contexts:
            tables[ServiceArea].add(
                id=self._uuid(rng), service_id=service_id, kind=ServiceAreaKind.COUNTRY, country=town.country
            )
        tables[Service].add(
            id=service_id,
            organization_id=organization.id,
            name=f"{town.name} {label}",
            description=description,
            email=f"intake@{slug}.example.org",
            status=status,
            eligibility_description=eligibility,
            minimum_age=ages[0],
            maximum_age=ages[1],
            free=rng.random() < 0.9,
            intake_walk_in="walk_in" in intake,
            intake_referral="referral" in intake,
            intake_hotline="hotline" in intake,
            application_process="Call the intake line first." if confidential else "Come during opening hours.",
            assured_date=BUILD_DAY - timedelta(days=rng.randint(0, 400)),
            assurer="Synthetic data",
            search_text=normalize_search_text(" ".join(texts)),
            sync_version=self.version,
            public_sync_version=self.version,
            sync_state={
                "organization": str(organization.id),
                "vetted": organization.vetted,
                "status": str(status),
                "countries": sorted(countries),
                "box": [point[0], point[0], point[1], point[1]],
            },
        )
        others = populations[2:]
        chosen = {
            "category_id": categories,
            "population_id": populations[:2] + rng.sample(others, k=rng.randint(0, len(others))),
            "context_id": sorted(set(extra_contexts) | {"urban"}),
            "language_id": rng.sample(languages, k=min(len(languages), rng.randint(1, 3))),
        }
        for relation, codes in zip(self.links, chosen.values(), strict=True):
            column = next(name for name in chosen if name in tables[relation].index)
            for code in codes:
                tables[relation].add(service_id=service_id, **{column: code})
        tables[Phone].add(
            id=self._uuid(rng),
            service_id=service_id,
            number=self._phone(rng, town),
            type=PhoneType.HOTLINE if hours == "24/7" else PhoneType.VOICE,
        )
        self._hours(rng, service_id, location_id, town.time_zone, hours)
        for unit in units:
            maximum = rng.randint(6, 40)
            tables[ServiceCapacity].add(
                id=self._uuid(rng),
                service_id=service_id,
                unit=unit,
                maximum=maximum,
                available=rng.randint(0, min(maximum, 8)),
                updated=self.now - timedelta(hours=rng.randint(0, 96)),
            )

    def _hours(self, rng, service_id, location_id, time_zone, hours):
        def add(**fields):
            self.tables[Schedule].add(
                id=self._uuid(rng), service_id=service_id, location_id=location_id, time_zone=time_zone, **fields
            )

        if hours == "24/7":
            add(all_day=True)
        elif hours == "night":
            add(opens_at=time(20), closes_at=time(6))
        else:
            for weekday in range(1, 6):
                add(weekday=weekday, opens_at=time(8, 30), closes_at=time(17))

    @staticmethod
    def _phone(rng, town):
        code = CALLING_CODES.get(town.country, "1")
        return f"+{code} 555 01{rng.randint(0, 99):02d}"


class _Organization:
    """What a generated service needs to know of its organisation."""

    __slots__ = ("id", "name", "vetted")

    def __init__(self, id, name, vetted):
        self.id, self.name, self.vetted = id, name, vetted


class _Named:
    """The two things translation_for reads of a place."""

    def __init__(self, town):
        self.country, self.name, self.local_name = town.country, town.name, ""
