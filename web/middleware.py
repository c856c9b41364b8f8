"""The pages' language and caching."""

from django.middleware.locale import LocaleMiddleware
from django.utils.cache import patch_cache_control


class PageLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for the pages only: the API chooses its language itself (`lang=`, see
    api.middleware.ApiLanguageMiddleware) and says it in Content-Language only when one was asked for."""

    def process_request(self, request):
        """Activate the page's language, except for the API."""
        if not request.path.startswith("/api/"):
            super().process_request(request)

    def process_response(self, request, response):
        """Say the page's language (Content-Language, Vary), except for the API."""
        if request.path.startswith("/api/"):
            return response
        return super().process_response(request, response)


class PageCacheHeadersMiddleware:
    """The pages' caching: never stored for a signed-in person, revalidated for everyone else.

    A signed-in caseworker's pages may hold a safe house's address, which must not stay on the phone (the
    browser's disk cache included) or in any cache between; the public's pages are revalidated (ETag) so
    that a listing's change shows at once. The API and static files set their own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(("/api/", "/static/")) or response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        else:
            patch_cache_control(response, no_cache=True, private=True)  # they carry a CSRF token
        return response
