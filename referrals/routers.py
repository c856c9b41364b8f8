"""Reads to a replica, writes and a writer's next reads to the primary (when DATABASE_REPLICA_URL is set)."""

import hashlib
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections

# True while the current request must read from the primary.
_pinned: ContextVar[bool] = ContextVar("read_from_primary", default=False)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class PrimaryReplicaRouter:
    """Every write to `default`; reads to `replica` unless the request is pinned to the primary.

    A request is pinned when it writes (POST, PUT, PATCH, DELETE: its own reads see its writes) and,
    for REPLICA_PIN_SECONDS after, every request with the same credentials: a provider who saves a
    listing and reloads it sees the change, however far the replica lags. Log-ins and tokens are
    always read from the primary, so a token works on the very next request.
    """

    PRIMARY_ONLY_APPS = frozenset({"knox", "auth", "axes", "sessions", "rest_framework_api_key", "contenttypes"})

    def db_for_read(self, model, **hints):
        """The replica, unless pinned or an account table."""
        if _pinned.get() or model._meta.app_label in self.PRIMARY_ONLY_APPS:
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
        writes = request.method not in SAFE_METHODS
        pinned = writes or (client is not None and cache.get(client) is not None)
        token = _pinned.set(pinned)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if writes and client is not None and response.status_code < 400:
            cache.set(client, 1, settings.REPLICA_PIN_SECONDS)
        return response


def read_from_primary():
    """Pin the rest of this context to the primary (for code that must not read a lagging replica)."""
    return _pinned.set(True)
