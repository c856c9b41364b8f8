"""The search's parameters, parsed strictly: every bad value is an error naming its parameter.

The API's list endpoints and the web pages read their input through these filter sets, so that a
parameter means the same everywhere; each filter's help text is also its OpenAPI description.
"""

import copy

import django_filters
from django import forms
from django.conf import settings
from django_countries import countries
from drf_spectacular.drainage import get_override, set_override
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes

from referrals.choices import Reach, ServiceStatus
from referrals.fields import BoundingBoxField, CodeListField, StrictBooleanField
from referrals.gazetteer import suggest
from referrals.geo import BoundingBox
from referrals.models import Category, Context, Language, Organization, Population, Service
from referrals.services import nearest_first
from referrals.services.geocoding import resolve_place
from referrals.services.nearest_first import EntryFilters
from referrals.services.search import NearQuery, within_box
from referrals.services.vocabularies import codes_of, units_taking

DEFAULT_RADIUS_KM = 25
MAX_RADIUS_KM = 500


class _DocumentedFilter(django_filters.Filter):
    """A custom filter that tells drf-spectacular its OpenAPI type and keeps its help text as description."""

    openapi_type = OpenApiTypes.STR

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schema = {**build_basic_type(self.openapi_type), "description": self.extra.get("help_text", "")}
        for bound, keyword in (("min_value", "minimum"), ("max_value", "maximum")):
            if self.extra.get(bound) is not None:
                schema[keyword] = self.extra[bound]
        set_override(self, "field", schema)


class StrictBooleanFilter(_DocumentedFilter):
    """A true/false parameter that refuses anything else."""

    field_class = StrictBooleanField
    openapi_type = OpenApiTypes.BOOL


class CodeListFilter(_DocumentedFilter):
    """A comma-separated list of vocabulary codes; the FilterSet method decides any-of or all-of."""

    field_class = CodeListField

    def __init__(self, *args, pattern=r"^([A-Za-z0-9_ ]+(,[A-Za-z0-9_ ]+)*)?$", **kwargs):
        super().__init__(*args, **kwargs)
        get_override(self, "field")["pattern"] = pattern


class BoundingBoxFilter(_DocumentedFilter):
    """A map view's box."""

    field_class = BoundingBoxField


class IntegerFilter(_DocumentedFilter):
    """A whole number (django-filter's NumberFilter would accept 15.5)."""

    field_class = forms.IntegerField
    openapi_type = OpenApiTypes.INT


class UUIDFilter(_DocumentedFilter):
    """A UUID; empty means no filter, like every other parameter."""

    field_class = forms.UUIDField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        uuid_pattern = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
        get_override(self, "field")["pattern"] = f"^({uuid_pattern})?$"


class FloatFilter(_DocumentedFilter):
    """A finite number within documented bounds."""

    field_class = forms.FloatField
    openapi_type = OpenApiTypes.DOUBLE


class OrderingChoiceFilter(django_filters.ChoiceFilter):
    """One of the listed orderings; empty means the default, as an empty value means "no filter" everywhere."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = [value for value, _ in self.extra["choices"]]
        schema = {"type": "string", "enum": [*values, ""], "description": self.extra.get("help_text", "")}
        set_override(self, "field", schema)


def _codes(model):
    return lambda: codes_of(model)


def _upper(text: str) -> str:
    return text.upper()


class ServiceSearchForm(forms.Form):
    """Checks the parameters that only make sense together."""

    def clean(self):
        """`lat` and `lng` come as a pair; `radius_km` and `ordering=distance` need them."""
        cleaned = super().clean()
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        has_lat = "lat" not in self.errors and lat is not None
        has_lng = "lng" not in self.errors and lng is not None
        if has_lat and not has_lng and "lng" not in self.errors:
            self.add_error("lng", "Required when lat is given.")
        if has_lng and not has_lat and "lat" not in self.errors:
            self.add_error("lat", "Required when lng is given.")
        near = (cleaned.get("near") or "").strip()
        if near:
            if self.data.get("lat") or self.data.get("lng"):
                self.add_error("near", "Give either near or lat/lng, not both.")
            else:
                self._resolve_near(near, cleaned)
        no_point = not self.data.get("lat") and not self.data.get("lng") and not near
        if cleaned.get("radius_km") is not None and no_point:
            self.add_error("radius_km", "Needs lat and lng.")
        if cleaned.get("reach") and no_point:
            self.add_error("reach", "Needs lat and lng, or near.")
        if cleaned.get("ordering") == "distance" and no_point:
            self.add_error("ordering", "Ordering by distance needs lat and lng.")
        return cleaned

    # The filter set's choice: whether a name the gazetteer lacks may go to the geocoder.
    geocode = True

    def _resolve_near(self, near: str, cleaned):
        country = cleaned.get("country") or []
        place = resolve_place(near, country[0] if len(country) == 1 else None, geocode=self.geocode)
        if place is None:
            hints = suggest(near, country[0] if len(country) == 1 else None)
            hint = f" Did you mean: {', '.join(hints)}?" if hints else ""
            self.add_error("near", f"Unknown place.{hint}")
            return
        cleaned["lat"], cleaned["lng"] = place.latitude, place.longitude
        self.resolved_place = place


class _FiltersOfAClass(dict):
    """A filter set class's filters. django-filter deep-copies them for every filter set it makes (the help texts,
    choices and arguments of a score of filters: 4 ms of a 35 ms search); each filter set needs only filters of its
    own to carry its `parent` and `model`, so copy each filter, not what it holds (nothing a filter holds changes
    after its class is made: a filter whose field changes its `extra` per request, as django-filter's ModelChoice
    and AllValues filters do, would need a deep copy)."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, filter_ in self.items():
            copied = copies[name] = copy.copy(filter_)
            if filter_._method is not None:
                copied.method = filter_._method  # a `method=` filter's caller of its own, bound to the copy's parent
        return copies


class _FieldsOfAForm(dict):
    """A filter form class's fields. Django deep-copies them for every form (each field's widget, its attributes and
    choices: a fifth of a filter set's cost); a search form's fields are only read once its class is made (nothing
    renders them or changes their widgets, choices or messages per request), so each form gets copies of the fields
    that share what they hold."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(field) for name, field in self.items()}


class _FilterSetMetaclass(django_filters.filterset.FilterSetMetaclass):
    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_filters = _FiltersOfAClass(new_class.base_filters)
        return new_class


class _BuiltOnce(django_filters.FilterSet, metaclass=_FilterSetMetaclass):
    """A filter set whose form class (a new type and a score of form fields in django-filter) is made once per class,
    and whose filters and form fields are copied one by one (`_FiltersOfAClass`, `_FieldsOfAForm`), not deep-copied,
    for each filter set. Each request still gets a form, form fields and filters of its own."""

    def get_form_class(self):
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            form_class = super().get_form_class()
            form_class.base_fields = _FieldsOfAForm(form_class.base_fields)
            cls._form_class = form_class
        return cls._form_class


class ServiceFilterSet(_BuiltOnce):
    """Search parameters of `GET /api/v1/services/`."""

    lat = FloatFilter(
        method="filter_point",
        min_value=-90,
        max_value=90,
        help_text="Latitude of the search point (WGS84 decimal degrees, -90 to 90). Needs `lng`. "
        "Results are limited to `radius_km`, carry `distance_km` and are ordered nearest first.",
    )
    lng = FloatFilter(
        method="filter_point",
        min_value=-180,
        max_value=180,
        help_text="Longitude of the search point (WGS84 decimal degrees, -180 to 180). Needs `lat`.",
    )
    radius_km = FloatFilter(
        method="filter_point",
        min_value=0.1,
        max_value=MAX_RADIUS_KM,
        help_text=f"Search radius in km around `lat`/`lng` (0.1-{MAX_RADIUS_KM}, default {DEFAULT_RADIUS_KM}).",
    )
    near = django_filters.CharFilter(
        method="filter_point",
        max_length=100,
        help_text="A place name instead of `lat`/`lng`, in any script (`Chiang Mai`, `เชียงใหม่`, `Rangoon`), "
        "resolved by the offline GeoNames gazetteer (the most populous match, within `country` if given). "
        "The response's `resolved_place` says which place it took; an unknown name is a 400 with suggestions.",
    )
    reach = CodeListFilter(
        codes=lambda: Reach.values,
        method="filter_point",
        help_text="With a point: only services that reach it in ANY of these ways, comma-separated: `place` (a "
        "location within the radius), `outreach` (a radius area that comes within it), `remote` (a whole country "
        "or province: hotlines, remote services). Each result's `reach` is its best way among them. A point "
        "search ranks `place` and `outreach` first, nearest first, then `remote`, nearest office first, then by "
        "name. Default: all three.",
    )
    bbox = BoundingBoxFilter(
        method="filter_bbox",
        help_text="Map box `min_lng,min_lat,max_lng,max_lat`. A box with min_lng > max_lng crosses the "
        "180° meridian (e.g. `178,-20,-178,-15` around Fiji).",
    )
    category = CodeListFilter(
        codes=_codes(Category),
        method="filter_category",
        help_text="Category codes, comma-separated; matches services in ANY of them (see /api/v1/categories/).",
    )
    serves = CodeListFilter(
        codes=_codes(Population),
        method="filter_serves",
        help_text="Population codes, comma-separated; matches services that serve ALL of them "
        "(see /api/v1/populations/).",
    )
    context = CodeListFilter(
        codes=_codes(Context),
        method="filter_context",
        help_text="Operating-context codes, comma-separated; matches ANY of them (see /api/v1/contexts/).",
    )
    language = CodeListFilter(
        codes=_codes(Language),
        method="filter_language",
        help_text="ISO 639 codes of languages the service is delivered in, comma-separated; ANY of them "
        "(see /api/v1/languages/).",
    )
    age = IntegerFilter(
        method="filter_age",
        min_value=0,
        max_value=120,
        help_text="Age of the person in years (0-120): services whose age range includes it.",
    )
    country = CodeListFilter(
        codes=lambda: countries.countries.keys(),
        normalize=_upper,
        method="filter_country",
        help_text="ISO 3166-1 alpha-2 country codes, comma-separated: services with a location in, or a "
        "service area covering, ANY of them.",
    )
    free = StrictBooleanFilter(
        method="filter_free",
        help_text="`true`: only services free of charge; `false`: only services that charge a fee.",
    )
    open_now = StrictBooleanFilter(
        method="filter_open_now",
        help_text="`true`: only services open right now, judged in each location's own time zone "
        "(overnight hours and 24/7 included). `false` applies no restriction.",
    )
    has_capacity = StrictBooleanFilter(
        method="filter_has_capacity",
        help_text="`true`: only services that reported a free place within the last "
        f"{settings.CAPACITY_FRESH_HOURS} hours; with `serves`, a free place of a unit that takes those people "
        "(beds for women take women and girls; see /api/v1/capacity-units/). `false` applies no restriction.",
    )
    stale = StrictBooleanFilter(
        method="filter_stale",
        help_text=f"`false`: only listings a person verified within the last {settings.STALE_AFTER_DAYS} days; "
        "`true`: only those overdue for verification.",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=settings.SEARCH_QUERY_MAX_LENGTH,
        help_text=f"Keywords (at most {settings.SEARCH_QUERY_MAX_LENGTH} characters) searched in the names and "
        "descriptions of services (in every language they are translated into) and their organisations. Each "
        "word matches inside longer words too, so a word finds Thai, Khmer, Lao or Burmese text, which is "
        "written without spaces between words.",
    )
    status = CodeListFilter(
        codes=lambda: ServiceStatus.values,
        method="filter_status",
        help_text="Service statuses, comma-separated (`active`, `inactive`, `defunct`, `temporarily closed`); "
        "ANY of them. Default: `active` only.",
    )
    organization = UUIDFilter(
        field_name="organization_id",
        help_text="UUID of an organisation: only its services (none when no such organisation is visible).",
    )
    ordering = OrderingChoiceFilter(
        method="filter_ordering",
        choices=[
            ("distance", "distance"),
            ("name", "name"),
            ("-name", "-name"),
            ("last_modified", "last_modified"),
            ("-last_modified", "-last_modified"),
            ("assured_date", "assured_date"),
            ("-assured_date", "-assured_date"),
        ],
        empty_label=None,
        help_text="Sort order. Default: `distance` (nearest first) with `lat`/`lng`, else `name`.",
    )

    class Meta:
        model = Service
        fields = []
        form = ServiceSearchForm

    def __init__(self, data=None, queryset=None, *, viewer=None, geocode=True, **kwargs):
        """`viewer`: whose search this is (the box filter takes the points this reader may see); `geocode`:
        whether a place name the offline gazetteer lacks may be looked up by the geocoder (a third party)."""
        super().__init__(data, queryset, **kwargs)
        self.viewer = viewer
        self.form.geocode = geocode

    def filter_queryset(self, queryset):
        """Apply the filters; `status` defaults to active services only."""
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=ServiceStatus.ACTIVE)
        return super().filter_queryset(queryset)

    def resolved_place(self):
        """The place `near=` resolved to, if any."""
        return getattr(self.form, "resolved_place", None)

    def near_query(self) -> NearQuery | None:
        """The circle to search, when the request gave a point."""
        data = self.form.cleaned_data
        if data.get("lat") is None or data.get("lng") is None:
            return None
        radius = data.get("radius_km")
        return NearQuery(
            float(data["lat"]),
            float(data["lng"]),
            float(radius if radius is not None else DEFAULT_RADIUS_KM),
            reaches=frozenset(data.get("reach") or Reach.values),
        )

    # Parameters that shape the search without filtering, and those a search entry answers by itself.
    _NOT_FILTERS = frozenset({"lat", "lng", "radius_km", "near", "reach", "ordering", "status"})
    _ENTRY_FILTERS = frozenset({"category", "serves", "context", "language", "country", "organization", "free", "age"})

    def entry_filters(self, held: frozenset = frozenset()) -> EntryFilters | None:
        """The filters as the point-search index takes them, or None when it cannot serve this search.

        The index holds active services only; any filter it does not hold makes it check its matches
        against the full query (`complete=False`). `held`: parameters the caller applies to the entries
        itself (the box of a box search).
        """
        if not self._index_holds_status():
            return None
        data = self.form.cleaned_data
        others = [name for name in data if name not in self._NOT_FILTERS | self._ENTRY_FILTERS | held]
        complete = not any(self._applies(name, data[name]) for name in others)
        return EntryFilters(
            categories=tuple(data.get("category") or ()),
            populations=tuple(data.get("serves") or ()),
            contexts=tuple(data.get("context") or ()),
            languages=tuple(data.get("language") or ()),
            countries=tuple(data.get("country") or ()),
            organization=data.get("organization"),
            free=data.get("free"),
            age=data.get("age"),
            complete=complete,
        )

    def indexed_box(self) -> tuple[BoundingBox, EntryFilters] | None:
        """The box and the other filters of a box search that the search index answers alone, else None.

        It does when the search has no point and the index holds every other filter.
        """
        box = self.form.cleaned_data.get("bbox")
        if box is None or self.near_query() is not None:
            return None
        filters = self.entry_filters(held=frozenset({"bbox"}))
        return (box, filters) if filters is not None and filters.complete else None

    def _index_holds_status(self) -> bool:
        """The search index holds active services: it serves the default status and `status=active`."""
        status = self.form.cleaned_data.get("status")
        return not status or set(status) == {ServiceStatus.ACTIVE}

    @staticmethod
    def _applies(name, value) -> bool:
        """Whether a cleaned parameter restricts the results (`open_now=false` does not; `stale=false` does)."""
        if value is None or value == "" or value == []:
            return False
        if isinstance(value, str) and not value.strip():
            return False
        return not (name in ("open_now", "has_capacity") and value is False)

    def order_fields(self) -> list[str] | None:
        """The database ordering asked for, or None for the default (distance or name)."""
        ordering = self.form.cleaned_data.get("ordering")
        if not ordering or ordering == "distance":
            return None
        return [ordering, "id"]

    # The point and the ordering are applied by the view, which ranks the matches by distance (or orders them).
    def filter_point(self, queryset, name, value):
        """Handled by `near_query()`."""
        return queryset

    def filter_ordering(self, queryset, name, value):
        """Handled by `order_fields()`."""
        return queryset

    def filter_bbox(self, queryset, name, value):
        """Services with a location inside the box (by the point this reader may see).

        Readers of listed services only (and searches for active ones) take the box from the search
        index, one small row per location, instead of joining locations to their services.
        """
        viewer = self.viewer
        if nearest_first.serves(viewer) and self._index_holds_status():
            return queryset.filter(pk__in=nearest_first.services_in_box(value, viewer))
        return within_box(queryset, value, viewer)

    def filter_category(self, queryset, name, value):
        """Services in any of the categories."""
        return queryset.in_categories(value)

    def filter_serves(self, queryset, name, value):
        """Services serving all of the populations."""
        return queryset.serving_all(value)

    def filter_context(self, queryset, name, value):
        """Services in any of the contexts."""
        return queryset.in_contexts(value)

    def filter_language(self, queryset, name, value):
        """Services delivered in any of the languages."""
        return queryset.in_languages(value)

    def filter_age(self, queryset, name, value):
        """Services for this age."""
        return queryset.for_age(value)

    def filter_country(self, queryset, name, value):
        """Services in any of the countries."""
        return queryset.in_countries(value)

    def filter_free(self, queryset, name, value):
        """Free (or fee-charging) services."""
        return queryset.filter(free=value)

    def filter_open_now(self, queryset, name, value):
        """Services open now."""
        return queryset.open_at() if value else queryset

    def filter_has_capacity(self, queryset, name, value):
        """Services with fresh free capacity; with `serves`, in a unit whose places fit those people."""
        if not value:
            return queryset
        serving = self.form.cleaned_data.get("serves")
        return queryset.with_fresh_capacity(units=units_taking(serving) if serving else None)

    def filter_stale(self, queryset, name, value):
        """Stale or fresh listings."""
        return queryset.stale() if value else queryset.fresh()

    def filter_q(self, queryset, name, value):
        """Keyword search."""
        text = value.strip()
        return queryset.matching_text(text) if text else queryset

    def filter_status(self, queryset, name, value):
        """Services in any of the statuses."""
        return queryset.filter(status__in=value)


class OrganizationFilterSet(_BuiltOnce):
    """Filters of `GET /api/v1/organizations/`."""

    q = django_filters.CharFilter(
        field_name="name",
        lookup_expr="icontains",
        max_length=settings.SEARCH_QUERY_MAX_LENGTH,
        help_text="Part of the organisation's name.",
    )
    country = CodeListFilter(
        codes=lambda: countries.countries.keys(),
        normalize=_upper,
        method="filter_country",
        help_text="ISO 3166-1 alpha-2 codes, comma-separated: organisations with a location in ANY of them.",
    )

    class Meta:
        model = Organization
        fields = []

    def filter_country(self, queryset, name, value):
        """Organisations with a location in any of the countries."""
        return queryset.filter(locations__country__in=value).distinct()
