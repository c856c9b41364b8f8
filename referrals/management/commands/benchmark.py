"""Measure the read API in-process: latency, SQL queries and bytes per request, for a fixed mix."""

import gzip
import statistics
import time
from urllib.parse import urlencode

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from referrals.models import Location, Service

# (label, path, query) run against whatever data the database holds; the demo data by default.
MIX = [
    ("near Bangkok 30 km, 2 filters", "/api/v1/services/",
     {"lat": 13.7563, "lng": 100.5018, "radius_km": 30, "serves": "women,children", "category": "housing,counselling"}),
    ("near Mae Sot 50 km, 1 filter", "/api/v1/services/",
     {"lat": 16.7131, "lng": 98.5747, "radius_km": 50, "context": "refugee_camp"}),
    ("near Suva 500 km (across 180°)", "/api/v1/services/", {"lat": -18.1416, "lng": 178.4419, "radius_km": 500}),
    ("list, page of 3", "/api/v1/services/", {"page_size": 3}),
    ("list, page of 20", "/api/v1/services/", {"page_size": 20}),
    ("list, page of 50", "/api/v1/services/", {"page_size": 50}),
    ("keyword q=shelter", "/api/v1/services/", {"q": "shelter"}),
    ("bbox Fiji (across 180°)", "/api/v1/services/", {"bbox": "177,-20,-178,-15"}),
    ("open now + capacity", "/api/v1/services/", {"open_now": "true", "has_capacity": "true"}),
    ("organizations", "/api/v1/organizations/", {"page_size": 20}),
    ("near=เชียงใหม่, lang=th, page of 20", "/api/v1/services/", {"near": "เชียงใหม่", "lang": "th", "page_size": 20}),
    ("keyword q=ปลอดภัย (Thai)", "/api/v1/services/", {"q": "ปลอดภัย"}),
    ("sync TH, first page of 100", "/api/v1/sync/", {"country": "TH"}),
]  # fmt: skip


class Command(BaseCommand):
    """Print a table of p50/p95 latency, queries and payload size per request kind."""

    help = "Benchmark the read API in-process against the current database (load data first)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30, help="Timed runs per request kind (after 3 warm-ups).")

    def handle(self, *args, runs, **options):
        # Measure the endpoints, not the rate limits: lift every tier's throttle for this process.
        from api import throttling

        for throttle in (throttling.AnonymousThrottle, throttling.PartnerKeyThrottle, throttling.UserThrottle):
            throttle.THROTTLE_RATES = {**throttle.THROTTLE_RATES, throttle.scope: None}
        if not Service.objects.exists():
            self.stderr.write("No services in the database: run `manage.py load_demo` first.")
            return
        client = Client()
        detail = Service.objects.filter(status="active", organization__vetted=True).first()
        location = Location.objects.filter(organization__vetted=True).first()
        mix = [
            *MIX,
            ("service detail", f"/api/v1/services/{detail.pk}/", ""),
            ("location detail", f"/api/v1/locations/{location.pk}/", ""),
        ]
        self.stdout.write(
            f"{Service.objects.count()} services on {connection.vendor}; {runs} runs each after 3 warm-ups\n"
        )
        header = f"{'request':34} {'results':>7} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7} {'bytes':>8} {'gzip':>7}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for label, path, query in mix:
            url = f"{path}?{urlencode(query)}" if query else path
            for _ in range(3):
                client.get(url)
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:200])
            body = response.content
            payload = response.json()
            results = payload["count"] if "count" in payload else len(payload.get("results", [])) or 1
            p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
            self.stdout.write(
                f"{label:34} {results:>7} {statistics.median(timings):>8.1f} {p95:>8.1f} {len(queries):>7} "
                f"{len(body):>8} {len(gzip.compress(body)):>7}"
            )
