"""List listings overdue for verification per organisation, and email each organisation a reminder."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from referrals.models import ListingReminder, MemberRole, Membership, Service
from referrals.services import mail


class Command(BaseCommand):
    """Run daily (cron, a scheduled container): each organisation hears at most once in `--every-days`."""

    help = "List stale listings per organisation and email each organisation (and its admins) a reminder."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List only; send no email.")
        parser.add_argument(
            "--every-days", type=int, default=7, help="Remind an organisation at most once in this many days."
        )

    def handle(self, *args, dry_run, every_days, **options):
        stale = Service.objects.overdue().select_related("organization").order_by("name")
        by_organization = defaultdict(list)
        for service in stale:
            by_organization[service.organization].append(service)
        admins = defaultdict(list)
        memberships = Membership.objects.filter(organization__in=by_organization, role=MemberRole.ADMIN)
        for membership in memberships.select_related("user"):
            admins[membership.organization_id].append(membership.user)
        recently = set(
            ListingReminder.objects.filter(sent_at__gte=timezone.now() - timedelta(days=every_days)).values_list(
                "organization_id", flat=True
            )
        )
        sent = 0
        for organization, services in sorted(by_organization.items(), key=lambda item: item[0].name):
            self.stdout.write(f"{organization.name}: {len(services)} stale listing(s)")
            for service in services:
                verified = service.assured_date.isoformat() if service.assured_date else "never"
                self.stdout.write(f"  - {service.name} (last verified: {verified})")
            recipients = mail.users(admins[organization.pk])
            language = recipients[0][1] if recipients else None
            recipients.append((organization.email, language))
            if dry_run or organization.pk in recently or not any(address for address, _language in recipients):
                continue
            compose = lambda organization=organization, services=services: _compose(organization, services)  # noqa: E731
            if mail.tell(recipients, compose, at_once=True):  # a failed send is tried again next run
                ListingReminder.objects.create(organization=organization, listings=len(services))
                sent += 1
        self.stdout.write(f"{len(by_organization)} organisation(s) with stale listings; {sent} reminder(s) sent.")


def _compose(organization, services) -> tuple[str, str]:
    """The reminder, in the language active now (the recipient's)."""

    def line(service):
        if service.assured_date:
            verified = _("last confirmed %(date)s") % {"date": service.assured_date.isoformat()}
        else:
            verified = _("never confirmed")
        return f"- {service.name} ({verified}): {mail.app_link('web:listing', service.pk)}"

    lines = "\n".join(line(service) for service in services)
    subject = _("%(count)s listing(s) of %(organization)s need checking") % {
        "count": len(services),
        "organization": organization.name,
    }
    body = _(
        "These listings of %(organization)s have not been confirmed for %(days)s days or more. Caseworkers rely on "
        'them: open each one, check it, and tap "%(button)s".\n\n%(lines)s\n'
    ) % {
        "organization": organization.name,
        "days": settings.STALE_AFTER_DAYS,
        "lines": lines,
        "button": _("Confirm this listing is correct"),  # the workspace's button, as the person sees it
    }
    return subject, body
