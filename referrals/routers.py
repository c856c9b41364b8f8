"""Reads to a replica, writes and a writer's next reads to the primary (when DATABASE_REPLICA_URL is set)."""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections

# True unless a read-only web request allowed the replica: management commands, scripts, shells,
# migrations and writing requests all read the primary.
_pinned: ContextVar[bool] = ContextVar("read_from_primary", default=True)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# POSTs that only read (the private search takes its parameters in a body).
READ_ONLY_POSTS = ("/api/v1/services/search/",)


class PrimaryReplicaRouter:
    """Every write to `default`; reads to `replica` unless the request is pinned to the primary.

    A request is pinned when it writes (POST, PUT, PATCH, DELETE: its own reads see its writes) and,
    for REPLICA_PIN_SECONDS after, every request with the same credentials: a provider who saves a
    listing and reloads it sees the change, however far the replica lags. Anything outside a read-only
    web request (commands, scripts, migrations) and any read inside a transaction use the primary.
    Accounts, tokens, keys and roles are always read from the primary: a new token works on the very
    next request, and a withdrawn grant or vetting takes effect at once, not after the replica's lag.
    """

    PRIMARY_ONLY_APPS = frozenset({"knox", "auth", "axes", "sessions", "rest_framework_api_key", "contenttypes"})
    PRIMARY_ONLY_MODELS = frozenset({"referrals.caseworker", "referrals.membership", "referrals.partnerkey"})

    def db_for_read(self, model, **hints):
        """The replica, unless pinned, in a transaction, or an account or role table."""
        if (
            _pinned.get()
            or model._meta.app_label in self.PRIMARY_ONLY_APPS
            or model._meta.label_lower in self.PRIMARY_ONLY_MODELS
            or connections["default"].in_atomic_block
        ):
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        """Always the primary."""
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        """Both aliases hold the same data."""
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        """Migrations run on the primary; the replica follows by replication."""
        return db == "default"


def _client_key(request) -> str | None:
    credentials = request.META.get("HTTP_AUTHORIZATION") or request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not credentials:
        return None
    return "primary-pin:" + hashlib.sha256(credentials.encode()).hexdigest()


class PrimaryPinMiddleware:
    """Pins writing requests, and a writer's requests for a few seconds after, to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "replica" not in connections.settings:
            return self.get_response(request)
        client = _client_key(request)
        writes = request.method not in SAFE_METHODS and request.path not in READ_ONLY_POSTS
        pinned = writes or (client is not None and cache.get(client) is not None)
        token = _pinned.set(pinned)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if writes and client is not None and response.status_code < 400:
            cache.set(client, 1, settings.REPLICA_PIN_SECONDS)
        return response


@contextmanager
def reading_from_primary():
    """Read from the primary within the block (for code that must not see a lagging replica)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)
