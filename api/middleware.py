"""HTTP caching headers for the API: who may cache a response, and for how long."""

from django.conf import settings
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
