"""Editing a listing in the workspace, without JSON: details, places (with both faces shown), opening hours as a
weekly grid, phones, areas served and translations.

Each form carries the version of what the editor saw; a save that finds the record changed meanwhile answers
409 with what is saved now and the editor's entries kept, never an overwrite in silence. Each save is one write
(the change sequence's lock first, as the API's and the admin's), and writes only what the editor changed.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.forms import modelformset_factory
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from referrals.models import Location, Organization, Phone, Schedule, Service, ServiceArea, ServiceAtLocation
from referrals.models.services import TRANSLATED_FIELDS, ServiceTranslation
from referrals.services.editing import record_values, save_changed, version_of
from referrals.services.geocoding import geocode_location
from referrals.services.vocabularies import labels_in
from web import listing_forms
from web.hours_form import HoursForm, schedules_in_scope
from web.views import listing_language, viewer_of
from web.workspace import _own_service, one_write


def _locked_service(request, pk):
    """The editor's service, its row locked until the write commits (a POST), so two saves queue."""
    service = _own_service(request, pk)
    if request.method == "POST":
        service = Service.objects.select_for_update(of=("self",)).select_related("organization").get(pk=service.pk)
    return service


def _conflict(request, template, context):
    messages.error(
        request,
        _(
            "Someone else saved a change to this since you opened it. What is saved now is shown; your entries are "
            "kept in the form. Check them and save again."
        ),
    )
    return render(request, template, context, status=409)


def _with_version(data, version):
    """The submitted data with the version of what is saved now (the next save is made knowing it)."""
    data = data.copy()
    data["version"] = version
    return data


# -- Details ---------------------------------------------------------------------------------------------------


@login_required(login_url="web:sign-in")
@require_http_methods(["GET", "POST"])
@one_write
def new_listing(request):
    """A new listing of one of the person's organisations (it shows to the public once the organisation is vetted)."""
    viewer = viewer_of(request)
    organizations = Organization.objects.filter(pk__in=viewer.member_org_ids).order_by("name")
    if not viewer.member_org_ids:
        raise Http404(_("You are not a member of an organisation."))
    lang = listing_language()
    form = listing_forms.ServiceForm(
        request.POST or None, lang=lang, organizations=organizations, initial={"text_language": lang}
    )
    if request.method == "POST":
        if form.is_valid():
            service = form.save()
            messages.success(request, _("The listing is saved. Next: where it is given, its hours and its phones."))
            return redirect("web:listing", pk=service.pk)
        return render(request, "web/edit_details.html", {"form": form, "service": None}, status=400)
    return render(request, "web/edit_details.html", {"form": form, "service": None})


@login_required(login_url="web:sign-in")
@require_http_methods(["GET", "POST"])
@one_write
def edit_details(request, pk):
    """A listing's details; a change saved meanwhile by someone else is a conflict, not an overwrite."""
    service = _locked_service(request, pk)
    current = version_of(record_values(service, listing_forms.SERVICE_FIELDS))
    lang = listing_language()
    if request.method != "POST":
        form = listing_forms.ServiceForm(instance=service, lang=lang, version=current)
        return render(request, "web/edit_details.html", {"form": form, "service": service})
    form = listing_forms.ServiceForm(request.POST, instance=service, lang=lang, version=current)
    if form.saw_version() != current:
        form = listing_forms.ServiceForm(_with_version(request.POST, current), instance=service, lang=lang)
        saved_now = _saved_values(service, [name for name in form.changed_data if name != "version"], lang)
        return _conflict(request, "web/edit_details.html", {"form": form, "service": service, "saved_now": saved_now})
    if not form.is_valid():
        return render(request, "web/edit_details.html", {"form": form, "service": service}, status=400)
    changed = [name for name in form.changed_data if name != "version"]
    plain = [name for name in changed if not service._meta.get_field(name).many_to_many]
    if changed and not save_changed(service, plain):
        service.save(update_fields=["last_modified"])  # only the many-to-many fields changed: still a change
    for name in changed:
        if service._meta.get_field(name).many_to_many:
            getattr(service, name).set(form.cleaned_data[name])
    messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
    return redirect("web:listing", pk=service.pk)


def _saved_values(service, names, lang) -> list[tuple[str, str]]:
    """The saved values of the named fields, as a person reads them (for the conflict's "saved now")."""
    labels = labels_in(lang)
    vocabularies = {"categories": "categories", "populations": "populations", "contexts": "contexts"}
    form_labels = listing_forms.ServiceForm.Meta.labels
    shown = []
    for name in names:
        field = service._meta.get_field(name)
        if name in vocabularies:
            terms = labels[vocabularies[name]]
            value = ", ".join(terms.get(code, code) for code in getattr(service, name).values_list("code", flat=True))
        elif field.many_to_many:
            value = ", ".join(getattr(service, name).values_list("name", flat=True))
        elif field.get_internal_type() == "BooleanField":
            value = _("Yes") if getattr(service, name) else _("No")
        else:
            value = getattr(service, name)
            value = "" if value is None else str(value)
        shown.append((form_labels.get(name, name), value or "—"))
    return shown


# -- Places ----------------------------------------------------------------------------------------------------


def _faces(location) -> dict:
    """What the public sees of a place, and what vetted caseworkers see (the preview of both faces)."""
    public_latitude, public_longitude = location.compute_public_point()
    town = ", ".join(str(part) for part in (location.city, location.state_province, location.country.name) if part)
    full_address = ", ".join(
        str(part) for part in (location.address_1, location.address_2, location.postal_code) if part
    )
    point = f"{location.latitude:.5f}, {location.longitude:.5f}" if location.latitude is not None else ""
    return {
        "confidential": location.confidential,
        "public": {
            "name": "" if location.confidential else location.name,
            "address": town if location.confidential else ", ".join(p for p in (full_address, town) if p),
            "point": f"{public_latitude:.5f}, {public_longitude:.5f}" if public_latitude is not None else "",
        },
        "caseworkers": {
            "name": location.name,
            "address": ", ".join(part for part in (full_address, town) if part),
            "point": point,
        },
    }


def _service_location(service, location_id):
    """One of the listing's places, else a 404."""
    link = ServiceAtLocation.objects.filter(service=service, location_id=location_id).select_related("location")
    link = link.first()
    if link is None:
        raise Http404(_("No such place on this listing."))
    return link.location


@login_required(login_url="web:sign-in")
@require_http_methods(["GET", "POST"])
@one_write
def places(request, pk):
    """The listing's places with both faces shown; link another of the organisation's places, or unlink one."""
    service = _locked_service(request, pk)
    if request.method == "POST":
        location = Location.objects.filter(organization=service.organization, pk=_id(request.POST.get("location")))
        location = location.first()
        if location is None:
            messages.error(request, _("Choose one of the organisation's places."))
            return _places_page(request, service, status=400)
        if request.POST.get("action") == "unlink":
            ServiceAtLocation.objects.filter(service=service, location=location).delete()
            for row in Schedule.objects.filter(service=service, location=location):  # its hours there go too
                row.delete()
            messages.success(request, _("The listing is no longer given at %(place)s.") % {"place": location.name})
        else:
            ServiceAtLocation.objects.get_or_create(service=service, location=location)
            messages.success(request, _("The listing is now given at %(place)s.") % {"place": location.name})
        return redirect("web:places", pk=service.pk)
    return _places_page(request, service)


def _places_page(request, service, status=200):
    linked = list(Location.objects.filter(service_at_locations__service=service).order_by("name"))
    others = Location.objects.filter(organization=service.organization).exclude(pk__in=[loc.pk for loc in linked])
    rows = [{"location": location, "faces": _faces(location)} for location in linked]
    context = {"service": service, "rows": rows, "others": others.order_by("name")}
    return render(request, "web/places.html", context, status=status)


def _id(raw):
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


@login_required(login_url="web:sign-in")
@require_http_methods(["GET", "POST"])
@one_write
def edit_place(request, pk, location_id=None):
    """A place of the listing (new, or changed): the point typed, or found from the address or the town."""
    service = _locked_service(request, pk)
    is_new = location_id is None
    if is_new:
        location = Location(organization=service.organization, location_type="physical")
    else:
        location = _service_location(service, location_id)
        if request.method == "POST":
            location = Location.objects.select_for_update().get(pk=location.pk)
    current = "" if is_new else version_of(record_values(location, listing_forms.LOCATION_FIELDS))
    shared = 0 if is_new else location.service_at_locations.exclude(service=service).count()
    context = {"service": service, "location": location, "shared": shared, "is_new": is_new}
    if request.method != "POST":
        context["form"] = listing_forms.LocationForm(instance=location, version=current)
        context["faces"] = None if is_new else _faces(location)
        return render(request, "web/edit_place.html", context)
    form = listing_forms.LocationForm(request.POST, instance=location, version=current)
    context["form"] = form
    if not is_new and form.saw_version() != current:
        context["form"] = listing_forms.LocationForm(_with_version(request.POST, current), instance=location)
        context["faces"] = _faces(location)
        return _conflict(request, "web/edit_place.html", context)
    if not form.is_valid():
        return render(request, "web/edit_place.html", context, status=400)
    if "preview" in request.POST:  # both faces of what would be saved; nothing is (the write rolls back)
        preview = form.instance
        if preview.latitude is None and preview.location_type == "physical":
            geocode_location(preview)
        context["faces"] = _faces(preview)
        context["previewing"] = True
        messages.info(request, _("A preview: nothing is saved yet."))
        response = render(request, "web/edit_place.html", context)
        transaction.set_rollback(True, using="default")
        return response
    changed = [name for name in form.changed_data if name != "version"]
    moved = set(changed) & {"address_1", "city", "state_province", "postal_code", "country"}
    if moved and not {"latitude", "longitude"} & set(changed) and location.coordinates_source != "given":
        # The point came from the old address or town: find it again from the new one.
        location.latitude = location.longitude = None
        changed += ["latitude", "longitude"]
    if is_new:
        location = form.save()
        ServiceAtLocation.objects.create(service=service, location=location)
    else:
        save_changed(location, changed)
    if location.latitude is None and location.location_type == "physical":
        geocode_location(location)
        location.save(update_fields=["latitude", "longitude", "coordinates_source", "last_modified"])
    elif {"latitude", "longitude"} & set(form.changed_data):
        location.coordinates_source = "given"
        location.save(update_fields=["coordinates_source", "last_modified"])
    messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
    return redirect("web:places", pk=service.pk)


# -- Opening hours ---------------------------------------------------------------------------------------------


@login_required(login_url="web:sign-in")
@require_http_methods(["GET", "POST"])
@one_write
def hours(request, pk):
    """The listing's weekly hours at one of its places (or wherever it is given), as a grid of days."""
    service = _locked_service(request, pk)
    locations = list(Location.objects.filter(service_at_locations__service=service).order_by("name"))
    source = request.POST if request.method == "POST" else request.GET
    at = source.get("at")  # a place's id; empty: wherever it is given; absent: the usual page
    location = next((loc for loc in locations if str(loc.pk) == at), None)
    if at and location is None:
        raise Http404(_("No such place on this listing."))
    if at is None and locations and not schedules_in_scope(service, None).exists():
        location = locations[0]  # the usual case: hours at the (first) place
    existing = list(schedules_in_scope(service, location))
    current = version_of([record_values(row, HoursForm.SCHEDULE_FIELDS) for row in existing])
    context = {"service": service, "locations": locations, "location": location}
    if request.method != "POST":
        context["form"] = HoursForm(service=service, schedules=existing, location=location, version=current)
        return render(request, "web/hours.html", context)
    form = HoursForm(request.POST, service=service, schedules=existing, location=location, version=current)
    context["form"] = form
    if form.saw_version() != current:
        data = _with_version(request.POST, current)
        context["form"] = HoursForm(data, service=service, schedules=existing, location=location)
        context["saved_now"] = [HoursForm.describe(row) for row in existing]
        return _conflict(request, "web/hours.html", context)
    if not form.is_valid():
        return render(request, "web/hours.html", context, status=400)
    wanted = form.schedules()
    if form.same_week():
        messages.success(request, _("Nothing was changed."))
    else:
        for row in existing:
            row.delete()
        for row in wanted:
            row.save()
        messages.success(request, _("Saved."))
    return redirect(f"{request.path}?at={location.pk if location else ''}")


# -- Phones and areas ------------------------------------------------------------------------------------------


def _rows_page(request, service, *, form_class, queryset, template):
    """A list of the listing's small records (phones, areas) edited together: change, add one, delete."""
    formset_class = modelformset_factory(form_class._meta.model, form=form_class, extra=1, can_delete=True)
    rows = list(queryset)
    current = version_of([record_values(row, form_class._meta.fields) for row in rows])
    prefix = "rows"
    if request.method != "POST":
        formset = formset_class(queryset=queryset, prefix=prefix)
        return render(request, template, {"service": service, "formset": formset, "version": current})
    formset = formset_class(request.POST, queryset=queryset, prefix=prefix)
    for form in formset.forms:
        if form.instance._state.adding:
            form.instance.service = service
    context = {"service": service, "formset": formset, "version": current}
    if request.POST.get("version") != current:
        context["saved_now"] = [str(row) for row in rows]
        return _conflict(request, template, context)
    if not formset.is_valid():
        return render(request, template, context, status=400)
    for form in formset.forms:
        if form in formset.deleted_forms:
            if not form.instance._state.adding:
                form.instance.delete()
        elif form.instance._state.adding:
            if form.has_changed():
                form.save()
        else:
            save_changed(form.instance, form.changed_data)
    messages.success(request, _("Saved.") if formset.has_changed() else _("Nothing was changed."))
    return redirect(request.path)


@login_required(login_url="web:sign-in")
@require_http_methods(["GET", "POST"])
@one_write
def contacts(request, pk):
    """The listing's phones and messaging accounts (the intake line a confidential place needs)."""
    service = _locked_service(request, pk)
    return _rows_page(
        request,
        service,
        form_class=listing_forms.PhoneForm,
        queryset=Phone.objects.filter(service=service).order_by("type", "number", "id"),
        template="web/contacts.html",
    )


@login_required(login_url="web:sign-in")
@require_http_methods(["GET", "POST"])
@one_write
def areas(request, pk):
    """The areas the listing serves beyond its places: countries, provinces, circles."""
    service = _locked_service(request, pk)
    return _rows_page(
        request,
        service,
        form_class=listing_forms.AreaForm,
        queryset=ServiceArea.objects.filter(service=service).order_by("kind", "country", "id"),
        template="web/areas.html",
    )


# -- Translations ----------------------------------------------------------------------------------------------


@login_required(login_url="web:sign-in")
@require_http_methods(["GET", "POST"])
@one_write
def translations(request, pk):
    """The listing's texts in one other language, each beside the original."""
    service = _locked_service(request, pk)
    choices = [(code, name) for code, name in listing_forms.listing_language_choices() if code != service.text_language]
    language = request.POST.get("language") or request.GET.get("language") or choices[0][0]
    if language not in dict(choices):
        raise Http404(_("Not a language this listing translates into."))
    translation = service.translations.filter(language=language).first()
    if translation is not None and request.method == "POST":
        translation = ServiceTranslation.objects.select_for_update().get(pk=translation.pk)
    current = version_of(record_values(translation, TRANSLATED_FIELDS) if translation else None)
    existing = dict(service.translations.values_list("language", "last_modified"))
    form = listing_forms.TranslationForm(
        request.POST or None, instance=translation or ServiceTranslation(service=service, language=language),
        service=service, version=current,
    )  # fmt: skip
    context = {"service": service, "form": form, "language": language, "choices": choices, "existing": existing}
    if request.method != "POST":
        return render(request, "web/translations.html", context)
    if form.saw_version() != current:
        context["form"] = listing_forms.TranslationForm(
            _with_version(request.POST, current), instance=translation, service=service
        )
        return _conflict(request, "web/translations.html", context)
    if not form.is_valid():
        return render(request, "web/translations.html", context, status=400)
    changed = [name for name in form.changed_data if name != "version"]
    # The model keeps keyword search in step with every save and delete of a translation.
    if not any(form.cleaned_data.get(name) for name in TRANSLATED_FIELDS):
        if translation is not None:
            translation.delete()
    elif translation is None:
        form.save()
    else:
        save_changed(form.instance, changed)
    messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
    return redirect(f"{request.path}?language={language}")
