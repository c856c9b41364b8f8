"""The Redis cache backend with short timeouts and a circuit breaker in front of a per-process fallback."""

import logging
import threading
import time

import redis.exceptions
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)

# What a down, hung, restarting, read-only (after a failover) or full Redis raises: django-redis re-raises the
# cause once IGNORE_EXCEPTIONS is off. Any of them sends the call to this process's memory, as a down Redis would.
OUTAGE_ERRORS = (ConnectionInterrupted, redis.exceptions.RedisError, OSError)

# The Django cache API the directory (and DRF's throttles, Django's get_or_set) calls. get_or_set is
# BaseCache's, built on get and add, so it follows them to the fallback without a wrapper of its own.
WRAPPED = ("get", "set", "add", "delete", "get_many", "set_many", "delete_many", "incr", "decr", "has_key", "touch")


class _Breaker:
    """Whether Redis at one address is failing, shared by every thread of this process."""

    def __init__(self):
        self.open_until = 0.0
        self.failing = False
        self.lock = threading.Lock()


# Django makes a cache backend per thread (gthread workers run several); one breaker per address and process
# means one timeout per outage period for the whole worker, not one per thread.
_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(server: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(server, _Breaker())


class ResilientRedisCache(RedisCache):
    """django-redis, but a hung or unreachable Redis costs one short timeout, not one per call.

    After a failure the breaker opens for BREAKER_SECONDS (an OPTIONS key): calls go to this process's
    memory (a LocMemCache) without touching Redis; the first call after that tries Redis again. The
    fallback is safe for what the directory keeps in the cache: anonymous pages are keyed on the
    directory's change version, so a local entry is never an outdated page; vocabulary codes and place
    look-ups are recomputed per process; rate limits keep counting, per process instead of across all
    (so a client may get up to one allowance per worker: loose, but never open).

    The breaker's state is per process (module state, shared by the threads' backend instances): gunicorn
    forks its workers, and each one finds out about an outage for itself. The fallback is per process too
    (LocMemCache keeps its entries per name in module state).
    """

    def __init__(self, server, params):
        """Read BREAKER_SECONDS, turn django-redis's own error swallowing off, and make the fallback."""
        options = dict(params.get("OPTIONS", {}))
        self._breaker_seconds = float(options.pop("BREAKER_SECONDS", 10))
        # Errors must reach us: swallowed, a get would just miss and every call would wait its timeout again.
        options["IGNORE_EXCEPTIONS"] = False
        params = {**params, "OPTIONS": options}
        super().__init__(server, params)
        self._fallback = LocMemCache(f"resilient-redis-fallback:{server}", {**params, "OPTIONS": {}})
        self._breaker = _breaker_for(server)

    @property
    def breaker_open(self) -> bool:
        """True while calls skip Redis and go to this process's memory."""
        return time.monotonic() < self._breaker.open_until

    def _call(self, name, *args, **kwargs):
        if self.breaker_open:
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._trip(exc)
            return getattr(self._fallback, name)(*args, **kwargs)
        if self._breaker.failing:
            with self._breaker.lock:
                recovered, self._breaker.failing = self._breaker.failing, False
            if recovered:
                logger.warning("Redis answers again; the shared cache is back in use.")
        return result

    def _trip(self, exc):
        with self._breaker.lock:
            self._breaker.open_until = time.monotonic() + self._breaker_seconds
            first, self._breaker.failing = not self._breaker.failing, True
        if first:  # warn once per outage, not once per retry while it lasts
            logger.warning(
                "Redis failed (%s: %s); using this process's memory for %.1f s at a time until it answers.",
                type(exc).__name__,
                exc,
                self._breaker_seconds,
            )

    def clear(self):
        """Empty both Redis (when it answers) and this process's fallback."""
        self._fallback.clear()
        return self._call("clear")


def _wrapper(name):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"Redis's {name}, or this process's memory while Redis is failing."
    return method


for _name in WRAPPED:
    setattr(ResilientRedisCache, _name, _wrapper(_name))
