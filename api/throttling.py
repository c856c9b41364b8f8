"""Rate limits per tier: anonymous readers, partner keys and signed-in users each have their own."""

from rest_framework.throttling import SimpleRateThrottle

from referrals.models import PartnerKey


class AnonymousThrottle(SimpleRateThrottle):
    """Anonymous readers, per client IP (the lowest limit)."""

    scope = "anonymous"

    def get_cache_key(self, request, view):
        """Only requests with neither a user nor a key."""
        if (request.user and request.user.is_authenticated) or isinstance(request.auth, PartnerKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PartnerKeyThrottle(SimpleRateThrottle):
    """Per partner key."""

    scope = "partner"

    def get_cache_key(self, request, view):
        """Only requests with a partner key."""
        if not isinstance(request.auth, PartnerKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class UserThrottle(SimpleRateThrottle):
    """Per signed-in user."""

    scope = "user"

    def get_cache_key(self, request, view):
        """Only requests of a signed-in user."""
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class LoginThrottle(SimpleRateThrottle):
    """Login attempts per client IP, on top of django-axes' per-username lockout."""

    scope = "login"

    def get_cache_key(self, request, view):
        """Every login attempt counts."""
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
