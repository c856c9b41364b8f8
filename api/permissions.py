"""Permission classes. Which records a user may touch is decided by querysets (404 otherwise), not here."""

from rest_framework import permissions

from referrals.models import PartnerKey
from referrals.services.roles import Viewer, reader_of


def get_viewer(request) -> Viewer:
    """The request's Viewer, looked up once and kept on the request."""
    auth = getattr(request, "auth", None)
    return reader_of(request, auth if isinstance(auth, PartnerKey) else None)


class ReadOrEditOwn(permissions.BasePermission):
    """Anyone may read; writing needs a signed-in person (a partner key alone cannot write)."""

    message = "Sign in to change listings."

    def has_permission(self, request, view):
        """Reads for all; writes for signed-in users, whose querysets then limit what they reach."""
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        """Changing a record needs the right to edit its organisation's listings.

        Querysets already answer 404 for others' records; this also matters where DRF checks an
        object without a write, e.g. the browsable API deciding whether to render an edit form
        (pre-filled with a confidential location's full face) for the reader.
        """
        if request.method in permissions.SAFE_METHODS:
            return True
        organization_id = owning_organization_id(obj)
        return organization_id is not None and get_viewer(request).can_edit_organization(organization_id)


def owning_organization_id(obj):
    """The organisation a directory record belongs to (None if it belongs to none)."""
    from referrals.models import Organization

    if isinstance(obj, Organization):
        return obj.pk
    for path in ("organization_id", "service.organization_id", "location.organization_id"):
        value = obj
        for attribute in path.split("."):
            value = getattr(value, attribute, None)
            if value is None:
                break
        if value is not None:
            return value
    return None


class IsModerator(permissions.BasePermission):
    """Moderators only."""

    message = "Only moderators may do this."

    def has_permission(self, request, view):
        """The viewer is a moderator."""
        return get_viewer(request).is_moderator


class IsVettedCaseworkerOrModerator(permissions.BasePermission):
    """Vetted caseworkers (and moderators)."""

    message = "Only vetted caseworkers may do this."

    def has_permission(self, request, view):
        """The viewer is a vetted caseworker or a moderator."""
        viewer = get_viewer(request)
        return viewer.is_vetted_caseworker or viewer.is_moderator


class IsSignedIn(permissions.BasePermission):
    """A signed-in person."""

    message = "Sign in first."

    def has_permission(self, request, view):
        """The user is authenticated."""
        return bool(request.user and request.user.is_authenticated)
