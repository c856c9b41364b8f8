"""Taking access away from a person: every API token and every browser session; sweeping expired tokens."""

from django.contrib.sessions.models import Session
from django.utils import timezone
from knox.models import AuthToken


def revoke_access(user) -> tuple[int, int]:
    """Revoke the user's API tokens and end their browser sessions; returns (tokens, sessions)."""
    tokens, _ = AuthToken.objects.filter(user=user).delete()
    sessions = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            sessions += 1
    return tokens, sessions


def sweep_expired_tokens(user) -> int:
    """Delete the user's expired tokens (at each login: the per-request check no longer sweeps them, as knox's did)."""
    deleted, _ = AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return deleted
