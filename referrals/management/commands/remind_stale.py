"""List listings overdue for verification per organisation, and email each organisation a reminder."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand

from referrals.models import MemberRole, Membership, Service


class Command(BaseCommand):
    """Run daily (cron, a scheduled container) to keep listings fresh."""

    help = "List stale listings per organisation and email each organisation (and its admins) a reminder."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List only; send no email.")

    def handle(self, *args, dry_run, **options):
        stale = Service.objects.overdue().select_related("organization").order_by("name")
        by_organization = defaultdict(list)
        for service in stale:
            by_organization[service.organization].append(service)
        admins = defaultdict(set)
        memberships = Membership.objects.filter(organization__in=by_organization, role=MemberRole.ADMIN)
        for organization_id, email in memberships.values_list("organization_id", "user__email"):
            if email:
                admins[organization_id].add(email)
        sent = 0
        for organization, services in sorted(by_organization.items(), key=lambda item: item[0].name):
            self.stdout.write(f"{organization.name}: {len(services)} stale listing(s)")
            for service in services:
                verified = service.assured_date.isoformat() if service.assured_date else "never"
                self.stdout.write(f"  - {service.name} (last verified: {verified})")
            recipients = sorted({organization.email, *admins[organization.pk]} - {""})
            if dry_run or not recipients:
                continue
            lines = "\n".join(
                f"- {service.name} (last verified: {service.assured_date or 'never'})" for service in services
            )
            send_mail(
                subject=f"{len(services)} listing(s) of {organization.name} need checking",
                message=(
                    f"These listings of {organization.name} have not been verified for {settings.STALE_AFTER_DAYS} "
                    f"days or more. Caseworkers rely on them: please check each one and confirm it "
                    f"(POST /api/v1/services/<id>/verify/, or the admin).\n\n{lines}\n"
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
            sent += 1
        self.stdout.write(f"{len(by_organization)} organisation(s) with stale listings; {sent} reminder(s) sent.")
