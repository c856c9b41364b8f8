"""Who is asking: one object per request that answers every "may they?" question of the directory."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

MODERATORS_GROUP = "moderators"


def is_moderator(user) -> bool:
    """Moderators vet organisations and caseworkers and may change any listing."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=MODERATORS_GROUP).exists()


@dataclass(frozen=True)
class Viewer:
    """The reader of a request: a user (maybe anonymous) and maybe a partner key."""

    user: object = field(default_factory=AnonymousUser)
    partner_key: object = None
    is_moderator: bool = False
    is_vetted_caseworker: bool = False
    member_org_ids: frozenset = frozenset()
    admin_org_ids: frozenset = frozenset()

    @classmethod
    def for_request(cls, user, partner_key=None) -> "Viewer":
        """Look the roles up once (two small queries for a signed-in user, none for others)."""
        if not getattr(user, "is_authenticated", False):
            return cls(user=user or AnonymousUser(), partner_key=partner_key)
        from referrals.models import Caseworker, MemberRole, Membership

        roles = dict(Membership.objects.filter(user=user).values_list("organization_id", "role"))
        return cls(
            user=user,
            partner_key=partner_key,
            is_moderator=is_moderator(user),
            is_vetted_caseworker=Caseworker.objects.filter(user=user, vetted=True).exists(),
            member_org_ids=frozenset(roles),
            admin_org_ids=frozenset(org for org, role in roles.items() if role == MemberRole.ADMIN),
        )

    @property
    def is_authenticated(self) -> bool:
        """A signed-in user (a partner key alone is not a user)."""
        return bool(getattr(self.user, "is_authenticated", False))

    @property
    def has_confidential_grant(self) -> bool:
        """A partner key that a moderator granted the full faces of confidential locations."""
        return bool(self.partner_key is not None and self.partner_key.confidential_access)

    @property
    def sees_every_full_face(self) -> bool:
        """Moderators, vetted caseworkers and granted partner keys see every confidential location in full."""
        return self.is_moderator or self.is_vetted_caseworker or self.has_confidential_grant

    def sees_full_face(self, location) -> bool:
        """Whether this reader may see the location's address, exact point and phones."""
        return not location.confidential or self.sees_every_full_face or location.organization_id in self.member_org_ids

    def logs_disclosure(self, location) -> bool:
        """Full faces shown to caseworkers and partner keys are logged; the owners' and moderators' are not."""
        return (
            location.confidential
            and (self.is_vetted_caseworker or self.has_confidential_grant)
            and not self.is_moderator
            and location.organization_id not in self.member_org_ids
        )

    def can_edit_organization(self, organization_id) -> bool:
        """Editors and admins of the organisation, and moderators."""
        return self.is_moderator or organization_id in self.member_org_ids

    def can_administer_organization(self, organization_id) -> bool:
        """Organisation admins (members, verification) and moderators."""
        return self.is_moderator or organization_id in self.admin_org_ids


PUBLIC = Viewer()
