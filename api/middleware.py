"""HTTP caching headers for the API: who may cache a response, and for how long."""

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


class ApiCacheHeadersMiddleware:
    """Anonymous reads may sit in shared caches briefly; anything personal is private; errors and writes aren't kept.

    Each response varies with who asks (Authorization, Cookie), the language and the format, so a shared
    cache never hands one reader's page to another. Revalidation is cheap: ETags (ConditionalGetMiddleware)
    turn an unchanged page into a 304.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            return response
        patch_vary_headers(response, ("Authorization", "Cookie", "Accept", "Accept-Language"))
        if request.method not in ("GET", "HEAD") or response.status_code >= 400:
            patch_cache_control(response, no_store=True)
        elif self._is_personal(request):
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=settings.API_PUBLIC_MAX_AGE)
        return response

    @staticmethod
    def _is_personal(request) -> bool:
        user = getattr(request, "user", None)
        return bool(request.META.get("HTTP_AUTHORIZATION")) or bool(user and user.is_authenticated)


class AnonymousPageCacheMiddleware:
    """Anonymous reads of search, detail and sync pages come from the shared cache (Redis in production).

    The key holds the directory's change version (referrals.services.sync): every change to a listing,
    or to anything a listing shows, takes a new version, so a change is visible at once and an old
    entry is never served again (it just expires). Only requests with no credentials at all are
    cached or served from the cache: a caseworker's, a member's or a partner's response is never
    stored, nor answered with another reader's entry. Time-dependent filters (`open_now`,
    `has_capacity`) are not cached.
    """

    PATHS = re.compile(r"^/api/v1/(services/|services/[0-9a-fA-F-]{32,36}/|sync/)$")
    TIME_DEPENDENT = ("open_now", "has_capacity")
    KEPT_HEADERS = ("Content-Type", "Content-Language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.ANONYMOUS_PAGE_CACHE_SECONDS
        if timeout <= 0 or not self._cacheable(request):
            return self.get_response(request)
        key = self._key(request)
        hit = cache.get(key)
        if hit is not None:
            content, headers = hit
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming:
            headers = [(name, response[name]) for name in self.KEPT_HEADERS if response.has_header(name)]
            cache.set(key, (response.content, headers), timeout)
            response["X-Cache"] = "miss"
        return response

    def _cacheable(self, request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and request.GET.get("format") != "ndjson"
            and not any(request.GET.get(name) for name in self.TIME_DEPENDENT)
            and bool(self.PATHS.match(request.path))
        )

    @staticmethod
    def _key(request) -> str:
        from referrals.services.sync import current_version

        query = sorted(request.GET.lists())
        parts = [
            str(current_version()),
            # Pages carry absolute `next`/`previous` links: one entry per host and scheme the server is reached by.
            request.META.get("HTTP_HOST", "")[:200],
            "https" if request.is_secure() else "http",
            request.path,
            repr(query),
            request.META.get("HTTP_ACCEPT", "")[:200],
            request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:200],
        ]
        return "anonymous-page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
