"""HTTP caching headers for the API: who may cache a response, and for how long."""

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.exceptions import APIException, Throttled
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.settings import api_settings

from api.languages import message_language, requested_language
from api.throttling import anonymous_wait


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


class ApiLanguageMiddleware:
    """Django's and DRF's own messages (errors above all) in the language the listings come in.

    The language is the one `requested_language` picks for the listings (`lang=`, else Accept-Language, else
    English), so a page and its errors never disagree, and the anonymous page cache, which keys on that choice,
    stays right. Not Django's LocaleMiddleware: it knows no `lang=`, and it would put a Content-Language on
    every response, which the API sends only when a listing language was chosen. The POST search's `lang`
    travels in its body, which is read later: its messages follow Accept-Language (or a `lang` in the URL).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        try:
            language = requested_language(request, request.GET.get("lang"))
        except APIException:  # an unsupported `lang`: the view refuses it, in English
            language = None
        with translation.override(message_language(language)):
            return self.get_response(request)


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
    # A record's own ETag (api.views.base.etag_of) comes back with it; lists get theirs from ConditionalGetMiddleware.
    KEPT_HEADERS = ("Content-Type", "Content-Language", "ETag")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.ANONYMOUS_PAGE_CACHE_SECONDS
        if timeout <= 0 or not self._cacheable(request):
            return self.get_response(request)
        key = self._key(request)
        if key is None:  # an unsupported `lang`, format or Accept: the view answers (and refuses) it
            return self.get_response(request)
        hit = cache.get(key)
        if hit is not None:
            # No view throttles a hit, so count it here; a miss is counted by the view's AnonymousThrottle.
            wait = anonymous_wait(request)
            if wait is not None:
                return self._throttled(wait)
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
    def _throttled(wait: int) -> JsonResponse:
        """The 429 DRF's throttles answer, for a hit over the anonymous limit."""
        exc = Throttled(wait)
        response = JsonResponse({"detail": str(exc.detail)}, status=exc.status_code)
        response["Retry-After"] = str(exc.wait)
        return response

    @staticmethod
    def _negotiated(request) -> tuple[str, str] | None:
        """The language and JSON media type the view will answer in, or None if the page must not be cached.

        The key holds what the headers negotiate, never the headers themselves: raw headers cut short let
        two different requests share an entry (a long Accept-Language ending in `vi` got the Thai page).
        Only JSON is cached: the browsable API's HTML is for people trying the API, not for load.
        """
        try:
            language = requested_language(request, request.GET.get("lang"))
            renderers = [renderer() for renderer in api_settings.DEFAULT_RENDERER_CLASSES]
            renderer, media_type = DefaultContentNegotiation().select_renderer(Request(request), renderers)
        except APIException:  # a bad `lang` or `format`, or an Accept nothing matches
            return None
        if renderer.format != "json":
            return None
        return str(language), media_type

    @classmethod
    def _key(cls, request) -> str | None:
        from referrals.services.sync import current_version

        negotiated = cls._negotiated(request)
        if negotiated is None:
            return None
        query = sorted(request.GET.lists())
        parts = [
            str(current_version()),
            # Pages carry absolute `next`/`previous` links: one entry per host and scheme the server is reached by.
            request.META.get("HTTP_HOST", ""),
            "https" if request.is_secure() else "http",
            request.path,
            repr(query),
            *negotiated,
        ]
        return "anonymous-page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
