"""Vetting: moderators decide organisations' and caseworkers' applications; each decision is kept and told.

An organisation's listings are public only once it is vetted; a caseworker sees safe houses' full faces only
once vetted. A refusal (or a caseworker's vetting revoked) takes the applicant out of the queue, with the
reason kept in the record and sent to them. The API's vet actions and the moderators' desk both call these.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from referrals.models import Caseworker, Decision, MemberRole, ModerationDecision, Organization

logger = logging.getLogger(__name__)


def _refused(**applicant):
    return Exists(ModerationDecision.objects.filter(decision=Decision.REFUSED, **applicant))


def organizations_awaiting():
    """Organisations not vetted and not refused, oldest first."""
    refused = _refused(organization=OuterRef("pk"))
    return Organization.objects.filter(vetted=False).exclude(refused).order_by("created", "name")


def caseworkers_awaiting():
    """Caseworkers not vetted and not refused, oldest first."""
    refused = _refused(caseworker=OuterRef("pk"))
    return Caseworker.objects.filter(vetted=False).exclude(refused).select_related("user").order_by("created")


@transaction.atomic
def vet_organization(organization, moderator) -> ModerationDecision:
    """Make the organisation's listings public; recorded, and its admins told."""
    organization.vetted = True
    organization.save(update_fields=["vetted", "last_modified"])
    decision = ModerationDecision.objects.create(
        organization=organization, decision=Decision.VETTED, moderator=moderator
    )
    _tell(
        _organization_addresses(organization),
        "Your organisation is vetted",
        f"{organization.name} is vetted: its listings are now public in the referral directory.",
    )
    return decision


@transaction.atomic
def refuse_organization(organization, moderator, reason: str) -> ModerationDecision:
    """Refuse (or withdraw) an organisation's vetting: its listings stay, or become, private."""
    if organization.vetted:
        organization.vetted = False
        organization.save(update_fields=["vetted", "last_modified"])
    decision = ModerationDecision.objects.create(
        organization=organization, decision=Decision.REFUSED, reason=reason, moderator=moderator
    )
    _tell(
        _organization_addresses(organization),
        "Your organisation was not vetted",
        f"A moderator did not vet {organization.name}, so its listings are not public.\n\nReason: {reason}",
    )
    return decision


@transaction.atomic
def vet_caseworker(caseworker, moderator) -> ModerationDecision:
    """Let the caseworker see safe houses' full faces (each one shown is logged)."""
    caseworker.vetted, caseworker.vetted_by, caseworker.vetted_at = True, moderator, timezone.now()
    caseworker.save(update_fields=["vetted", "vetted_by", "vetted_at"])
    decision = ModerationDecision.objects.create(caseworker=caseworker, decision=Decision.VETTED, moderator=moderator)
    _tell(
        [caseworker.user.email],
        "Your caseworker account is vetted",
        "Your caseworker account in the referral directory is vetted: signed in, you now see the addresses of "
        "safe houses. Each one shown to you is recorded. Never share them.",
    )
    return decision


@transaction.atomic
def refuse_caseworker(caseworker, moderator, reason: str = "") -> ModerationDecision:
    """Refuse a caseworker's application, or revoke a vetted caseworker's access to full faces."""
    caseworker.vetted, caseworker.vetted_by, caseworker.vetted_at = False, None, None
    caseworker.save(update_fields=["vetted", "vetted_by", "vetted_at"])
    decision = ModerationDecision.objects.create(
        caseworker=caseworker, decision=Decision.REFUSED, reason=reason, moderator=moderator
    )
    _tell(
        [caseworker.user.email],
        "Your caseworker account is not vetted",
        "A moderator did not vet your caseworker account (or withdrew its vetting): you see the public "
        f"face of safe houses only.\n\nReason: {reason or 'not given'}",
    )
    return decision


def _organization_addresses(organization) -> list[str]:
    admins = organization.memberships.filter(role=MemberRole.ADMIN).values_list("user__email", flat=True)
    return [*admins, organization.email]


def _tell(addresses, subject: str, body: str) -> None:
    """Email the applicant; a mail outage is logged, and never undoes the decision."""
    recipients = sorted({address for address in addresses if address})
    if not recipients:
        return
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        logger.exception("Could not email a moderation decision.")
