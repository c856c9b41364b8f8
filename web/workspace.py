"""The NGO workspace and the moderators' desk: keep listings right, and decide applications, without JSON.

Views parse a form, call the domain (referrals.services.listings, .moderation) and send the person back to
the page (post/redirect/get, so a reload never repeats a tap). What a person may not reach is a 404.
"""

import uuid
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from referrals.models import Caseworker, Organization, Report, ReportStatus, Service
from referrals.services import listings, moderation, reports
from referrals.services.history import confidential_location_changes, listing_history
from referrals.services.sync import as_one_write
from referrals.services.vocabularies import labels_in
from web.views import listing_language, viewer_of


def one_write(view):
    """A POST runs as one write: all of it or nothing (any 4xx rolls back), queued behind the API's and the
    admin's writes (the change sequence's lock first, so no two writers ever wait on each other's rows)."""
    writing = as_one_write(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return (writing if request.method == "POST" else view)(request, *args, **kwargs)

    return wrapper


def _own_service(request, pk, *, administer=False):
    """The service if this person may edit it (or administer it), else a 404."""
    viewer = viewer_of(request)
    services = Service.objects.administrable_by(viewer) if administer else Service.objects.editable_by(viewer)
    service = services.select_related("organization").filter(pk=pk).first()
    if service is None:
        raise Http404(_("No such service among yours."))
    return service


def _attention(service, now) -> list[str]:
    """What needs doing on a listing, most urgent first."""
    needs = []
    if service.open_reports:
        needs.append(_("%(count)s open report(s) from caseworkers") % {"count": service.open_reports})
    capacities = list(service.capacities.all())
    if capacities and not all(listings.capacity_is_fresh(capacity, now) for capacity in capacities):
        needs.append(_("Free places not reported for 48 hours"))
    if listings.is_stale(service):
        needs.append(_("Not confirmed for 180 days"))
    if lacking := listings.untranslated(service):
        needs.append(_("Translations lack texts the listing has: %(languages)s") % {"languages": ", ".join(lacking)})
    return needs


@login_required(login_url="web:sign-in")
@require_safe
def my_listings(request):
    """The organisation's listings, those that need attention first."""
    viewer = viewer_of(request)
    # The person's own organisations' (a moderator reaches any listing from the desk, not from here).
    services = (
        Service.objects.filter(organization_id__in=viewer.member_org_ids)
        .exclude(status="defunct")
        .select_related("organization")
        .prefetch_related("capacities", "translations")  # _attention: freshness of counts, gaps in translations
        .annotate(open_reports=Count("reports", filter=Q(reports__status=ReportStatus.OPEN)))
        .order_by("organization__name", "name")
    )
    now = timezone.now()
    rows = [{"service": service, "needs": _attention(service, now)} for service in services]
    rows.sort(key=lambda row: not row["needs"])  # stable: those needing attention first, then by name
    return render(request, "web/my_listings.html", {"rows": rows, "may_add": bool(viewer.member_org_ids)})


@login_required(login_url="web:sign-in")
@require_safe
def listing(request, pk):
    """One listing: free places per unit, one tap each; confirming it is right."""
    service = _own_service(request, pk)
    viewer = viewer_of(request)
    labels = labels_in(listing_language())["capacity_units"]
    units = []
    for capacity in service.capacities.order_by("unit"):
        last = capacity.history.select_related("history_user").first()
        units.append(
            {
                "capacity": capacity,
                "label": labels.get(capacity.unit, capacity.unit),
                "changed_by": last.history_user.get_username() if last and last.history_user else "",
                "fresh": listings.capacity_is_fresh(capacity),
            }
        )
    counted = {row["capacity"].unit for row in units}
    context = {
        "service": service,
        "units": units,
        "other_units": [(code, label) for code, label in labels.items() if code not in counted],
        "may_confirm": viewer.can_administer_organization(service.organization_id),
        "stale": listings.is_stale(service),
        "open_reports": service.reports.filter(status=ReportStatus.OPEN).order_by("-created"),
    }
    return render(request, "web/listing.html", context)


@login_required(login_url="web:sign-in")
@require_POST
@one_write
def change_capacity(request, pk):
    """One tap on a unit's plus or minus, or a typed count, saved at once (row-locked).

    From the page's script (`Accept: application/json`) with an idempotency key, so a tap sent again after a
    dropped connection counts once; the answer is JSON. A typed count carries the count it replaces: if
    someone changed it meanwhile, the answer is a conflict showing the new count, never an overwrite.
    """
    service = _own_service(request, pk)
    wants_json = "application/json" in request.headers.get("Accept", "")
    unit = request.POST.get("unit", "")
    try:
        if unit not in labels_in("en")["capacity_units"]:
            raise ValidationError(_("Choose a kind of place."))
        key = _uuid(request.POST.get("key"))
        if "change" in request.POST:
            change = {"1": 1, "-1": -1}.get(request.POST["change"])
            if change is None:
                raise ValidationError(_("A tap adds or removes one place."))
            capacity = listings.report_capacity(service, unit, change=change, key=key)
        else:
            expected = _count(request.POST["expected"]) if request.POST.get("expected") else None
            available = _count(request.POST.get("available"))
            capacity = listings.report_capacity(service, unit, available=available, key=key, expected=expected)
    except LookupError:
        return _answer(request, wants_json, service, unit, 400, _("Give this unit's number of free places first."))
    except listings.CountChanged as changed:
        message = _("Someone changed this count meanwhile: it is now %(count)s. Check it and save again.") % {
            "count": changed.capacity.available if changed.capacity else 0
        }
        return _answer(request, wants_json, service, unit, 409, message, changed.capacity)
    except ValidationError as error:
        return _answer(request, wants_json, service, unit, 400, " ".join(error.messages))
    return _answer(request, wants_json, service, unit, 200, _("Saved."), capacity)


def _answer(request, wants_json, service, unit, status, message, capacity=None):
    """JSON for the page's script; for a plain form, the message on the listing page it goes back to."""
    if wants_json:
        body = {"detail": message, "unit": unit}
        if capacity is not None:
            body.update(available=capacity.available, updated=capacity.updated.isoformat())
        return JsonResponse(body, status=status)
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect(f"{reverse('web:listing', args=[service.pk])}#unit-{unit}")


def _uuid(raw):
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValidationError(_("The tap's key is not a UUID.")) from None


def _count(raw) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError(_("Free places: a whole number, 0 or more.")) from None
    if value < 0:
        raise ValidationError(_("Free places: a whole number, 0 or more."))
    return value


@login_required(login_url="web:sign-in")
@require_POST
@one_write
def confirm_listing(request, pk):
    """An organisation admin (or a moderator) confirms the listing is still right."""
    service = _own_service(request, pk, administer=True)
    listings.verify(service, request.user)
    messages.success(request, _("Confirmed: the listing shows it was checked today."))
    return redirect("web:listing", pk=service.pk)


@login_required(login_url="web:sign-in")
@require_POST
@one_write
def close_report(request, pk, report_id):
    """The organisation marks a caseworker's report resolved (or dismisses it), saying what was done."""
    service = _own_service(request, pk)
    report = service.reports.filter(pk=report_id, status=ReportStatus.OPEN).first()
    status = request.POST.get("status")
    if report is None:
        raise Http404(_("No such open report on this listing."))
    if status not in reports.CLOSED:
        messages.error(request, _("Choose resolved or dismissed."))
    else:
        reports.close_report(report, request.user, status, (request.POST.get("note") or "").strip()[:2000])
        messages.success(request, _("The report is closed."))
    if request.POST.get("from") == "desk" and viewer_of(request).is_moderator:
        return redirect(f"{reverse('web:desk')}#reports")
    return redirect("web:listing", pk=service.pk)


@login_required(login_url="web:sign-in")
@require_safe
def history(request, pk):
    """Who changed what on the listing, and when (newest first)."""
    service = _own_service(request, pk)
    entries = listing_history(service)[:100]
    return render(request, "web/history.html", {"service": service, "entries": entries})


@login_required(login_url="web:sign-in")
@require_safe
def account(request):
    """The signed-in person's account: where their applications stand, and the moderators' reasons."""
    user = request.user
    caseworker = Caseworker.objects.filter(user=user).first()
    memberships = user.memberships.select_related("organization").order_by("organization__name")
    organizations = []
    for membership in memberships:
        decision = membership.organization.decisions.order_by("-decided_at").first()
        organizations.append({"membership": membership, "decision": decision})
    context = {
        "caseworker": caseworker,
        "caseworker_decision": caseworker.decisions.order_by("-decided_at").first() if caseworker else None,
        "organizations": organizations,
    }
    return render(request, "web/account.html", context)


def _moderator_only(request):
    if not viewer_of(request).is_moderator:
        raise Http404(_("There is no such page."))


@login_required(login_url="web:sign-in")
@require_safe
def desk(request):
    """The moderators' desk: applications to vet, open reports, stale listings."""
    _moderator_only(request)
    return _desk_page(request)


def _desk_page(request, errors=None, status=200):
    """The desk, with `errors` beside the applicants they concern."""
    stale = (
        Service.objects.filter(status="active")
        .stale()
        .values("organization__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "organization__name")[:20]
    )
    context = {
        "organizations": moderation.organizations_awaiting().prefetch_related("memberships__user"),  # the members
        "caseworkers": moderation.caseworkers_awaiting(),
        "open_reports": _open_reports(),
        "stale": stale,
        "confidential_changes": confidential_location_changes(timezone.now() - timedelta(days=30), limit=20),
        "errors": errors or {},
        "vetted_query": (request.GET.get("caseworker") or "").strip()[:100],
    }
    context["vetted"] = _vetted_caseworkers(context["vetted_query"])
    return render(request, "web/desk.html", context, status=status)


def _vetted_caseworkers(query: str):
    """Vetted caseworkers matching a username, email or agency (the latest vetted first), to revoke one."""
    caseworkers = Caseworker.objects.filter(vetted=True).select_related("user").order_by("-vetted_at")
    if query:
        caseworkers = caseworkers.filter(
            Q(user__username__icontains=query) | Q(user__email__icontains=query) | Q(agency__icontains=query)
        )
    return caseworkers[:20]


def _open_reports():
    reports = Report.objects.filter(status=ReportStatus.OPEN).select_related("service", "reporter")
    return reports.order_by("created")[:50]


@login_required(login_url="web:sign-in")
@require_POST
@one_write
def decide(request, kind, pk, decision):
    """Vet or refuse an organisation or a caseworker; a refusal needs a reason, told to the applicant."""
    _moderator_only(request)
    model = {"organizations": Organization, "caseworkers": Caseworker}[kind]
    try:
        applicant = model.objects.filter(pk=pk).first()
    except (ValidationError, ValueError):  # not an id of that kind
        applicant = None
    if applicant is None:
        raise Http404(_("No such application."))
    reason = (request.POST.get("reason") or "").strip()[:2000]
    if decision == "revoke" and not (kind == "caseworkers" and applicant.vetted):
        raise Http404(_("No such vetted caseworker."))
    if decision in ("refuse", "revoke") and not reason:
        error = {f"{kind}-{pk}": _("Give the reason: it is sent to the applicant.")}
        return _desk_page(request, errors=error, status=400)
    vet, refuse = {
        "organizations": (moderation.vet_organization, moderation.refuse_organization),
        "caseworkers": (moderation.vet_caseworker, moderation.refuse_caseworker),
    }[kind]
    if decision == "vet":
        vet(applicant, request.user)
    else:
        refuse(applicant, request.user, reason)
    name = applicant.name if kind == "organizations" else applicant.user.get_username()
    message = {
        "vet": _("%(name)s is vetted."),
        "refuse": _("%(name)s is refused; the reason was sent."),
        "revoke": _("%(name)s no longer sees safe houses' addresses; the reason was sent."),
    }[decision]
    messages.success(request, message % {"name": name})
    return redirect("web:desk")
