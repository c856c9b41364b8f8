"""Who keeps an organisation's listings: invitations by email (signed, expiring, used once), roles, and the rule
that an organisation keeps at least one admin. The API's member endpoints and the workspace both call these."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from referrals.models import Invitation, MemberRole, Membership
from referrals.services import mail
from referrals.services.roles import Viewer

INVITATION_SALT = "referrals.invitation"


def may_add_members(organization, viewer) -> None:
    """Raise ValidationError unless the organisation may take members (vetted, or the viewer is a moderator):
    anyone can register an organisation, and until a moderator vets it, it cannot pull people in."""
    if not organization.vetted and not viewer.is_moderator:
        raise ValidationError({"organization": _("A moderator vets the organisation before it adds members.")})


def _keeps_an_admin(membership, new_role=None) -> None:
    if membership.role == MemberRole.ADMIN and new_role != MemberRole.ADMIN:
        others = membership.organization.memberships.filter(role=MemberRole.ADMIN).exclude(pk=membership.pk)
        if not others.exists():
            raise ValidationError({"role": _("An organisation keeps at least one admin: name another admin first.")})


def change_role(membership, role: str) -> Membership:
    """Make a member an editor or an admin (the last admin stays one)."""
    if role not in MemberRole.values:
        raise ValidationError({"role": _("Choose editor or admin.")})
    _keeps_an_admin(membership, role)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def remove(membership) -> None:
    """Take a person out of the organisation (never its last admin)."""
    _keeps_an_admin(membership)
    membership.delete()


def invite(organization, email: str, role: str, inviter) -> Invitation:
    """Invite a person by email to join as `role`, with a signed link that works once (sent in the language
    active now: the inviter's)."""
    if role not in MemberRole.values:
        raise ValidationError({"role": _("Choose editor or admin.")})
    email = email.strip()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("A member of the organisation already has this email.")})
    invitation = Invitation.objects.create(organization=organization, email=email, role=role, invited_by=inviter)
    token = signing.TimestampSigner(salt=INVITATION_SALT).sign(str(invitation.pk))

    def compose():
        body = _(
            "%(inviter)s invites you to keep the listings of %(organization)s in the victim-support directory, as "
            "%(role)s.\n\nAccept within %(days)s days: %(link)s\n\nIf you did not expect this, ignore this email."
        )
        values = {
            "inviter": inviter.get_full_name() or inviter.get_username(),
            "organization": organization.name,
            "role": role_name(role),
            "days": settings.INVITATION_DAYS,
            "link": mail.app_link("web:invitation", token),
        }
        subject = _("You are invited to keep %(organization)s's listings") % {"organization": organization.name}
        return subject, body % values

    mail.tell([(email, get_language())], compose)
    return invitation


def role_name(role: str) -> str:
    """The role as a person reads it, in the active language."""
    return {MemberRole.EDITOR: _("editor"), MemberRole.ADMIN: _("admin")}.get(role, role)


class InvitationUnusable(Exception):
    """The link is forged, expired, withdrawn or used; `reason` says which, for the person."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def invitation_of(token: str) -> Invitation:
    """The pending invitation a link names, or InvitationUnusable."""
    try:
        pk = signing.TimestampSigner(salt=INVITATION_SALT).unsign(token, max_age=settings.INVITATION_DAYS * 86400)
    except signing.SignatureExpired:
        raise InvitationUnusable(_("This invitation has expired: ask the organisation for a new one.")) from None
    except signing.BadSignature:
        raise InvitationUnusable(_("This is not a valid invitation link.")) from None
    invitation = Invitation.objects.select_related("organization").filter(pk=pk).first()
    if invitation is None or invitation.withdrawn_at is not None:
        raise InvitationUnusable(_("This invitation was withdrawn."))
    if invitation.accepted_at is not None:
        raise InvitationUnusable(_("This invitation has been used already."))
    return invitation


@transaction.atomic
def accept(invitation, user) -> Membership:
    """The invited person joins with the invited role; the account must have the invited email."""
    invitations = Invitation.objects.select_for_update(of=("self",)).select_related("organization", "invited_by")
    invitation = invitations.get(pk=invitation.pk)
    if not invitation.is_pending:
        raise InvitationUnusable(_("This invitation has been used already."))
    # It speaks for whoever sent it: not once they no longer administer the organisation, nor once the
    # organisation may no longer take members.
    inviter = Viewer.for_request(invitation.invited_by) if invitation.invited_by else None
    if inviter is None or not inviter.can_administer_organization(invitation.organization_id):
        raise InvitationUnusable(_("The person who sent this invitation no longer manages the organisation's members."))
    try:
        may_add_members(invitation.organization, inviter)
    except ValidationError:
        raise InvitationUnusable(_("A moderator vets the organisation before it adds members.")) from None
    if (user.email or "").strip().lower() != invitation.email.strip().lower():
        raise InvitationUnusable(
            _("This invitation was sent to another email address: sign in with the account that has it.")
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    if not created and invitation.role == MemberRole.ADMIN and membership.role != MemberRole.ADMIN:
        membership.role = MemberRole.ADMIN
        membership.save(update_fields=["role"])
    invitation.accepted_by, invitation.accepted_at = user, timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    return membership


def withdraw(invitation) -> None:
    """An admin takes back an invitation not yet accepted."""
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
