"""Vetting: moderators decide organisations' and caseworkers' applications; each decision is kept and told.

An organisation's listings are public only once it is vetted; a caseworker sees safe houses' full faces only
once vetted. A refusal (or a caseworker's vetting revoked) takes the applicant out of the queue, with the
reason kept in the record and sent to them. The API's vet actions and the moderators' desk both call these.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from referrals.models import Caseworker, Decision, MemberRole, ModerationDecision, Organization
from referrals.services import mail


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
    mail.tell(
        _organization_recipients(organization),
        lambda: (
            _("Your organisation is vetted"),
            _("%(name)s is vetted: its listings are now public in the referral directory.\n\nYour listings: %(link)s")
            % {"name": organization.name, "link": mail.app_link("web:my-listings")},
        ),
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
    mail.tell(
        _organization_recipients(organization),
        lambda: (
            _("Your organisation was not vetted"),
            _(
                "A moderator did not vet %(name)s, so its listings are not public.\n\nReason: %(reason)s\n\n"
                "Your account: %(link)s"
            )
            % {"name": organization.name, "reason": reason, "link": mail.app_link("web:account")},
        ),
    )
    return decision


@transaction.atomic
def vet_caseworker(caseworker, moderator) -> ModerationDecision:
    """Let the caseworker see safe houses' full faces (each one shown is logged)."""
    caseworker.vetted, caseworker.vetted_by, caseworker.vetted_at = True, moderator, timezone.now()
    caseworker.save(update_fields=["vetted", "vetted_by", "vetted_at"])
    decision = ModerationDecision.objects.create(caseworker=caseworker, decision=Decision.VETTED, moderator=moderator)
    mail.tell(
        mail.users([caseworker.user]),
        lambda: (
            _("Your caseworker account is vetted"),
            _(
                "Your caseworker account in the referral directory is vetted: signed in, you now see the addresses "
                "of safe houses. Each one shown to you is recorded. Never share them.\n\nSign in: %(link)s"
            )
            % {"link": mail.app_link("web:sign-in")},
        ),
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
    mail.tell(
        mail.users([caseworker.user]),
        lambda: (
            _("Your caseworker account is not vetted"),
            _(
                "A moderator did not vet your caseworker account (or withdrew its vetting): you see the public face "
                "of safe houses only.\n\nReason: %(reason)s\n\nYour account: %(link)s"
            )
            % {"reason": reason or _("not given"), "link": mail.app_link("web:account")},
        ),
    )
    return decision


def _organization_recipients(organization) -> list[tuple[str, str]]:
    """The organisation's admins (each in their language) and its own address (in the first admin's)."""
    admins = [
        membership.user for membership in organization.memberships.filter(role=MemberRole.ADMIN).select_related("user")
    ]
    recipients = mail.users(admins)
    language = recipients[0][1] if recipients else None
    return [*recipients, (organization.email, language)]
