"""The caseworker's pages: parse the form, call the directory's search, render what a person may see.

Pages show the representations the API gives (the same serializers, so the same faces, languages and
labels), and every full face a page shows is logged as the API logs it.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import PasswordResetView
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from api.serializers import ServiceDetailSerializer, ServiceListSerializer
from api.throttling import LoginThrottle
from referrals import gazetteer
from referrals.filtersets import ServiceFilterSet
from referrals.managers import loaded
from referrals.models import Service
from referrals.services import mail, registration
from referrals.services.disclosure import record_disclosures
from referrals.services.page_loading import load_records
from referrals.services.paging import MAX_PAGE, PageNotFound
from referrals.services.roles import Viewer, reader_of
from referrals.services.service_search import search_services
from web.forms import CaseworkerSignUpForm, OrganizationSignUpForm, SearchForm, SignInForm

PAGE_SIZE = 10
# Django's catalog codes that differ from the listing languages' ISO 639-1 codes.
LISTING_LANGUAGE_OF = {catalog: listing for listing, catalog in settings.MESSAGE_LANGUAGES.items()}


def viewer_of(request) -> Viewer:
    """Who is reading: a signed-in person's roles, or the public."""
    return reader_of(request)


def listing_language() -> str:
    """The listing language of the page's language (the "Language" control's choice, else Accept-Language)."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    code = LISTING_LANGUAGE_OF.get(code, code)
    return code if code in settings.LISTING_LANGUAGES else "en"


def _endpoint(request) -> str:
    # The disclosure log names the page; the search terms stay out of it, as they stay out of URLs' logs.
    return f"{request.method} {request.path}"[:200]


def _page_number(request) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


@require_safe
def search(request):
    """The search form; with what a person asked, the results under it, ranked as the API ranks them."""
    lang = listing_language()
    form = SearchForm(request.GET, lang=lang)
    context = {
        "form": form,
        "searched": form.asked,
        "signed_out": "signed_out" in request.GET,
        # Where the language control and sign-in come back to: the search with its terms (only this page
        # echoes its query; a service's page, which may hold an address, echoes nothing sent to it).
        "here": request.get_full_path(),
        "country": settings.HOME_COUNTRY,
    }
    status = 200
    if form.asked:
        viewer = viewer_of(request)
        params = form.search_parameters()
        # The gazetteer alone resolves a place name: nothing a caseworker types goes to a third party.
        filterset = ServiceFilterSet(params, queryset=Service.objects.visible_to(viewer), viewer=viewer, geocode=False)
        if not filterset.is_valid():
            context["errors"] = {name: list(messages) for name, messages in filterset.errors.items()}
            status = 400
        elif filterset.near_query() is None:
            context["errors"] = {"near": [_("Say where: a place name, or use your location.")]}
            status = 400
        else:
            try:
                found = search_services(
                    filterset,
                    viewer,
                    lang=lang,
                    number=_page_number(request),
                    size=PAGE_SIZE,
                    endpoint=_endpoint(request),
                )
            except PageNotFound:
                raise Http404(_("There is no such page of results.")) from None
            serializer_context = {
                "viewer": viewer,
                "lang": lang,
                "near": found.near,
                "distances": found.distances,
                "reaches": found.reaches,
            }
            context.update(
                results=ServiceListSerializer(many=True, context=serializer_context).to_representation(found.services),
                page=found.page,
                place=found.place,
                country=_country_of(found),
                query=request.GET.copy(),
            )
    response = render(request, "web/search.html", context, status=status)
    return response


def _country_of(found) -> str:
    """The country a point search was in: its place's, or the one around the phone's position."""
    if found.place is not None:
        return found.place.country
    region = gazetteer.region_at(found.near.latitude, found.near.longitude)
    return region[0] if region else settings.HOME_COUNTRY


@require_safe
def service(request, pk):
    """Everything a referral needs about one service; confidential full faces are marked and logged."""
    viewer = viewer_of(request)
    lang = listing_language()
    found = next(iter(load_records(Service.objects.visible_to(viewer), [pk])), None)
    if found is None:
        raise Http404(_("No such service, or it is not listed."))
    data = ServiceDetailSerializer(found, context={"viewer": viewer, "lang": lang}).data
    record_disclosures(viewer, [link.location for link in loaded(found, "service_at_locations")], _endpoint(request))
    schedules = {}
    for schedule in data["schedules"]:
        schedules.setdefault(schedule["location"], []).append(schedule)
    context = {
        "service": data,
        "schedules": schedules,
        "weekdays": _weekday_names(),
    }
    return render(request, "web/service.html", context)


def _weekday_names() -> dict[int, str]:
    """HSDS weekdays (1 = Monday) named in the page's language."""
    from django.utils.dates import WEEKDAYS

    return {number + 1: name for number, name in WEEKDAYS.items()}


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Session sign-in with the API's accounts, lockout (django-axes) and per-address throttle."""
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if not LoginThrottle().allow_request(request, None):
            form.add_error(None, _("Too many sign-in attempts from here. Wait a minute and try again."))
            status = 429
        elif form.is_valid():
            user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
            if user is not None and user.is_active:
                login(request, user)
                mail.remember_language(user, translation.get_language())  # the emails they get follow it
                return redirect(_safe_next(request))
            form.add_error(
                None,
                _("Unable to sign in with these details. After repeated failures, this username pauses for a while."),
            )
    return render(request, "web/sign_in.html", {"form": form, "next": _safe_next(request)}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_up(request, kind=None):
    """Sign-up: an organisation (private until vetted) or a caseworker (public faces until vetted).

    The answer is the same whether the username was free or not (who uses the directory is nobody's
    business): the email says which happened. Attempts count against the login throttle.
    """
    if kind is None:
        return render(request, "web/sign_up.html", {})
    form_class = OrganizationSignUpForm if kind == "organisation" else CaseworkerSignUpForm
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        if not LoginThrottle().allow_request(request, None):
            form.add_error(None, _("Too many sign-in attempts from here. Wait a minute and try again."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            account = {
                "username": data["username"],
                "password": data["password"],
                "email": data["email"],
                "language": translation.get_language(),
            }
            if kind == "organisation":
                registration.register_provider(
                    **account,
                    organization_name=data["organization_name"],
                    description=data["description"],
                    org_email=data["org_email"],
                    website=data["website"],
                )
            else:
                registration.register_caseworker(**account, agency=data["agency"], country=data["country"])
            return render(request, "web/signed_up.html", {"kind": kind, "email": data["email"]})
        else:
            status = 400
    return render(request, "web/sign_up_form.html", {"form": form, "kind": kind}, status=status)


def password_reset(request):
    """Ask for a reset link by email (Django's PasswordResetView), behind the login throttle."""
    if request.method == "POST" and not LoginThrottle().allow_request(request, None):
        return render(
            request,
            "web/error.html",
            {
                "title": _("Please try again"),
                "message": _("Too many sign-in attempts from here. Wait a minute and try again."),
            },
            status=429,
        )
    return PasswordResetView.as_view(
        template_name="web/password_reset.html",
        email_template_name="web/password_reset_email.txt",
        subject_template_name="web/password_reset_subject.txt",
        success_url=reverse("web:password-reset-sent"),
    )(request)


def _safe_next(request) -> str:
    """Where to go after signing in: a page of this site only."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("web:search")


@require_POST
def sign_out(request):
    """End the session; the browser is told to drop everything this site stored (the page's script also clears it)."""
    logout(request)
    response = redirect(f"{reverse('web:search')}?signed_out=1")
    # Cookies, storage and caches of this origin: the offline copy and the app shell are fetched again.
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@require_safe
def service_worker(request):
    """The service worker, served from the site's root so that it may look after every page."""
    script = (settings.BASE_DIR / "web" / "static" / "web" / "sw.js").read_text(encoding="utf-8")
    shell = {
        "__APP_CSS__": static("web/app.css"),
        "__APP_JS__": static("web/app.js"),
        "__OFFLINE_JS__": static("web/offline.js"),
        "__VERSION__": _shell_version(),
    }
    for placeholder, value in shell.items():
        script = script.replace(placeholder, value)
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def _shell_version() -> str:
    """Changes whenever a file of the app shell changes, so that phones fetch the new shell."""
    app = settings.BASE_DIR / "web"
    digest = hashlib.sha256()
    shell = [*(app / "static" / "web").iterdir(), app / "templates" / "web" / "base.html"]
    shell += [app / "templates" / "web" / "search.html", app / "context_processors.py"]
    for path in sorted([*shell, *(app / "locale").glob("*/LC_MESSAGES/django.mo")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@require_safe
def offline_shell(request):
    """The search page as the service worker keeps it: the public's, in the page's language, empty.

    Offline, it answers every page and its script fills it in from the saved copy.
    """
    form = SearchForm(QueryDict(), lang=listing_language())
    context = {"form": form, "searched": False, "shell": True, "user": AnonymousUser()}
    response = render(request, "web/search.html", context)
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def country_places(request, country):
    """The gazetteer's places of one country, for place names and suggestions in an offline copy."""
    country = country.upper()
    if country not in gazetteer.countries():  # before reading the file: only the gazetteer's countries
        raise Http404(_("No places are known for this country."))
    places = gazetteer.places_of(country)
    provinces = gazetteer.provinces_by_code(country)
    response = JsonResponse(
        {
            "country": country,
            "attribution": gazetteer.ATTRIBUTION,
            # [name, latitude, longitude, population, other names, province]
            "places": [
                [
                    place.name,
                    place.latitude,
                    place.longitude,
                    place.population,
                    list(names),
                    provinces.get(place.admin1, ""),
                ]
                for place, names in places
            ],
        },
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
