"""Forget sync tombstones older than N days; phones whose cursor is older start their download again."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from referrals.models import SyncTombstone
from referrals.services import sync


class Command(BaseCommand):
    """Run daily (cron, a systemd timer or a scheduled container)."""

    help = "Delete sync tombstones older than --days (default 180); older cursors then answer reset=true."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=180, help="Keep this many days of tombstones (30+).")

    def handle(self, *args, days, **options):
        if days < 30:
            raise CommandError("Keep at least 30 days: phones offline longer would have to download everything.")
        cutoff = timezone.now() - timedelta(days=days)
        newest_old = SyncTombstone.objects.filter(created__lt=cutoff).order_by("-version").first()
        if newest_old is None:
            self.stdout.write("No tombstones to prune.")
            return
        pruned = sync.prune_tombstones(newest_old.version + 1)
        self.stdout.write(f"Pruned {pruned} tombstones up to version {newest_old.version}.")
