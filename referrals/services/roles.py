"""Who is asking: one object per request that answers every "may they?" question of the directory.

A signed-in reader's roles (moderator, vetted caseworker, memberships and their roles) come from one query, read
fresh on every request: a token's look-up carries them (`api.authentication`), and a session's user costs one more.
Nothing is cached, so a withdrawn vetting, membership or grant counts from the next request, in every worker.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import Exists, F, OuterRef

MODERATORS_GROUP = "moderators"


ROLE_FIELDS = ("_org", "_role", "_moderator", "_vetted")
# Where a request keeps its reader, and where a token's look-up leaves the user's role rows for it.
VIEWER = "_directory_viewer"
ROLE_ROWS = "_directory_role_rows"


def role_columns(user_path: str = "") -> dict:
    """Annotations that give a query's rows the roles of the user at `user_path` ("" on users, "user__" on tokens).

    One row per membership (a LEFT JOIN; one row with NULLs for none): `_org`, `_role`, `_moderator`, `_vetted`.
    """
    from referrals.models import Caseworker

    user_id = OuterRef(f"{user_path}pk")
    return {
        "_org": F(f"{user_path}memberships__organization_id"),
        "_role": F(f"{user_path}memberships__role"),
        "_moderator": Exists(Group.objects.filter(user=user_id, name=MODERATORS_GROUP)),
        "_vetted": Exists(Caseworker.objects.filter(user=user_id, vetted=True)),
    }


def reader_of(request, partner_key=None) -> "Viewer":
    """The request's reader, looked up once and kept on the request (the API's and the pages' alike)."""
    viewer = getattr(request, VIEWER, None)
    if viewer is None:
        user = getattr(request, "user", None)
        viewer = Viewer.for_request(user, partner_key) if (user is not None or partner_key is not None) else PUBLIC
        setattr(request, VIEWER, viewer)
    return viewer


def read_roles_afresh(request) -> None:
    """Forget the request's reader and any role rows read with its token, so the next question reads them again
    (a write does, once it holds the change sequence's lock)."""
    vars(request).pop(VIEWER, None)
    user = getattr(request, "user", None)
    if hasattr(user, "__dict__"):
        vars(user).pop(ROLE_ROWS, None)


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
        """The reader's roles: those a token's look-up brought along, or one query; none for the public."""
        if not getattr(user, "is_authenticated", False):
            return cls(user=user or AnonymousUser(), partner_key=partner_key)
        # Rows a token's look-up brought serve once, for this request's reader; then they are gone.
        rows = vars(user).pop(ROLE_ROWS, None) if hasattr(user, "__dict__") else None
        if rows is None:
            rows = get_user_model().objects.filter(pk=user.pk).annotate(**role_columns()).values(*ROLE_FIELDS)
        return cls.from_role_rows(user, list(rows), partner_key)

    @classmethod
    def from_role_rows(cls, user, rows, partner_key=None) -> "Viewer":
        """Build the reader from the rows of `role_columns()` (as dicts); no rows means no roles at all."""
        from referrals.models import MemberRole

        roles = {row["_org"]: row["_role"] for row in rows if row["_org"] is not None}
        return cls(
            user=user,
            partner_key=partner_key,
            is_moderator=bool(user.is_superuser or any(row["_moderator"] for row in rows)),
            is_vetted_caseworker=any(row["_vetted"] for row in rows),
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
