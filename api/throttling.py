"""Rate limits per tier: anonymous readers, partner keys and signed-in users each have their own."""

import math

from rest_framework.throttling import SimpleRateThrottle

from referrals.models import PartnerKey


class AnonymousThrottle(SimpleRateThrottle):
    """Anonymous readers, per client IP (the lowest limit)."""

    scope = "anonymous"

    def get_cache_key(self, request, view):
        """Only requests with neither a user nor a key."""
        if (request.user and request.user.is_authenticated) or isinstance(request.auth, PartnerKey):
            return None
        return self.anonymous_key(request)

    def anonymous_key(self, request) -> str:
        """The per-IP key every anonymous request counts under, whether DRF or the page cache answers it."""
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _AnonymousPageThrottle(AnonymousThrottle):
    """The anonymous rule for a request the page cache answers: no DRF request, and no credentials by then."""

    def get_cache_key(self, request, view):
        """Always the per-IP key: the page cache only serves requests without credentials."""
        return self.anonymous_key(request)


def anonymous_wait(request) -> int | None:
    """Count an anonymous request that no DRF view sees (a page-cache hit) against THROTTLE_ANONYMOUS.

    None if it may be answered, else the whole seconds to wait (Retry-After). Shares the key and history of
    AnonymousThrottle, so hits and misses draw on one allowance; only call it for requests no view throttles.
    """
    throttle = _AnonymousPageThrottle()
    if throttle.allow_request(request, None):
        return None
    # DRF's wait() gives up (None) once a client is further over than one request: then the oldest counted
    # request's expiry says when the window has room again.
    wait = throttle.wait()
    if wait is None:
        wait = throttle.duration - (throttle.now - throttle.history[-1])
    return max(1, math.ceil(wait))


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
