"""Error pages: HTML for a person's browser on the app's pages, the API's JSON for everything else."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from api.views import directory as api_errors
from api.views.accounts import lockout_response as api_errors_lockout
from web.forms import SignInForm


def _wants_page(request) -> bool:
    """A browser asking for a page of the app (not the API, not a script that takes JSON)."""
    return not request.path.startswith(("/api/", "/healthz")) and "text/html" in request.headers.get("Accept", "")


def _page(request, status, title, message):
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def not_found(request, exception=None):
    """404: the page, or the API's JSON."""
    if not _wants_page(request):
        return api_errors.not_found(request, exception)
    # The pages' own 404s say what is missing; the URL resolver's carry only its internals.
    detail = exception.args[0] if exception is not None and exception.args else None
    message = detail if isinstance(detail, str) else _("There is no such page. Search again from the start.")
    return _page(request, 404, _("Not found"), message)


def server_error(request):
    """500 (or 503 while the database is away): the page, or the API's JSON."""
    response = api_errors.server_error(request)
    if not _wants_page(request):
        return response
    if response.status_code == 503:
        page = _page(request, 503, _("Unavailable"), _("The directory is unavailable for a moment. Try again shortly."))
        page["Retry-After"] = response.get("Retry-After", "30")
        return page
    return _page(request, 500, _("Something went wrong"), _("The directory could not show this page. Try again."))


def bad_request(request, exception=None):
    """400 before any view ran: the page, or the API's JSON."""
    if not _wants_page(request):
        return api_errors.bad_request(request, exception)
    return _page(request, 400, _("Bad request"), _("This address is not one the directory understands."))


def permission_denied(request, exception=None):
    """403: the page, or the API's JSON."""
    if not _wants_page(request):
        return api_errors.permission_denied(request, exception)
    return _page(request, 403, _("Not allowed"), _("You may not open this page."))


def csrf_failure(request, reason=""):
    """A form sent without its security token (an old page, cookies cleared): ask to send it again."""
    if not _wants_page(request):
        return api_errors.csrf_failure(request, reason)
    message = _("This form was too old to send. Go back, reload the page and send it again.")
    return _page(request, 403, _("Please try again"), message)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out username: on the app's sign-in page, the page saying so (429)."""
    response = api_errors_lockout(request, original_response, credentials)
    if request.path != reverse("web:sign-in"):
        return response
    form = SignInForm(request.POST or None)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds()) // 60
    message = _("Too many failed sign-ins for this username. Try again in %(minutes)s minutes.")
    form.add_error(None, message % {"minutes": minutes})
    page = render(request, "web/sign_in.html", {"form": form, "next": ""}, status=429)
    page["Retry-After"] = response["Retry-After"]
    return page
