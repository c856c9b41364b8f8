"""Rewrite the point-search index from the listings (after a gazetteer rebuild, or writes made outside Django)."""

import time

from django.core.management.base import BaseCommand

from referrals.services import search_index


class Command(BaseCommand):
    """Rebuild every SearchEntry."""

    help = (
        "Rewrite the search index (SearchEntry) from the listings. Saves keep it in step; run this after "
        "rebuilding the gazetteer (province keys) or after changing listings with SQL outside Django."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = search_index.rebuild()
        self.stdout.write(f"Search index rebuilt: {count:,} entries in {time.perf_counter() - started:.1f} s.")
