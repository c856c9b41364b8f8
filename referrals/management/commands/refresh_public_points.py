"""Re-derive every location's public point, e.g. after CONFIDENTIAL_GRID_DEGREES changed."""

from django.core.management.base import BaseCommand

from referrals.models import Location


class Command(BaseCommand):
    """Recompute public points in bulk."""

    help = "Recompute the public (grid-snapped) point of every location from its exact point and flag."

    def handle(self, *args, **options):
        count = Location.objects.all().refresh_public_points()
        self.stdout.write(f"Public points refreshed for {count} locations.")
