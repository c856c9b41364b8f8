"""Load the fictional demo directory and stamp its capacity counts as freshly reported."""

import random
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from referrals.models import Organization, ServiceCapacity
from referrals.services import search_index, sync


class Command(BaseCommand):
    """`loaddata fixtures/demo.json`, then make the demo's capacity look reported this morning."""

    help = "Load the demo data (idempotent) and mark its capacity counts as reported within the last day."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if organisations already exist.")

    def handle(self, *args, if_empty, **options):
        if if_empty and Organization.objects.exists():
            self.stdout.write("Directory already has data; demo not loaded.")
            return
        # Demo records need no audit trail; recording it would triple the load time.
        with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", "demo", verbosity=options["verbosity"])
            # A shelter's count is only trusted for CAPACITY_FRESH_HOURS; demo counts would otherwise
            # go stale two days after the fixture was built and `has_capacity=true` would find nothing.
            rng = random.Random(7)
            now = timezone.now()
            capacities = list(ServiceCapacity.objects.order_by("pk"))
            for capacity in capacities:
                capacity.updated = now - timedelta(minutes=rng.randint(5, 20 * 60))
            ServiceCapacity.objects.bulk_update(capacities, ["updated"])
            # loaddata's raw saves skip the receivers that keep the sync sequence and the search index.
            sync.rebuild()
            search_index.rebuild()
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner guesses one row per table and picks nested loops.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Demo directory loaded ({Organization.objects.count()} organisations).")
