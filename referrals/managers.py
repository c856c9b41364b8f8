"""Query sets that hold the directory's visibility and search rules."""

import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, connections, models
from django.db.models import Exists, F, Func, OuterRef, Q
from django.dispatch import Signal
from django.utils import timezone

from referrals.choices import ServiceStatus

# Bulk writes skip the per-record signals, so the location query set announces its own; the
# bookkeeping that follows (offline copies, the search index) connects to them in referrals.services.sync.
# Sent before a bulk update makes public locations confidential, with `locations` (a query set of them);
# a receiver may return a callable, called once the update is done (to retire copies of the full faces).
locations_hiding = Signal()
# Sent after a bulk write changed where locations are, their confidentiality or their country, with
# `location_ids`: every copy or index of those locations must follow.
locations_moved = Signal()


class OrganizationScopedQuerySet(models.QuerySet):
    """Records of one organisation (or organisations themselves): who may see, change and administer them."""

    # The path from a record to its organisation; "" for the organisation itself.
    organization_path = "organization"

    def _of(self, organization_ids) -> Q:
        path = f"{self.organization_path}_id" if self.organization_path else "pk"
        return Q(**{f"{path}__in": organization_ids})

    def visible_to(self, viewer):
        """Those of vetted organisations, plus one's own organisations' (moderators: all)."""
        if viewer.is_moderator:
            return self.all()
        vetted = f"{self.organization_path}__vetted" if self.organization_path else "vetted"
        return self.filter(Q(**{vetted: True}) | self._of(viewer.member_org_ids))

    def editable_by(self, viewer):
        """Those of the viewer's organisations (moderators: all)."""
        return self.all() if viewer.is_moderator else self.filter(self._of(viewer.member_org_ids))

    def administrable_by(self, viewer):
        """Those of the organisations the viewer administers (moderators: all)."""
        return self.all() if viewer.is_moderator else self.filter(self._of(viewer.admin_org_ids))


class ServiceQuerySet(OrganizationScopedQuerySet):
    """Services, with the rules for who may see them and how they are searched."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._attach_codes = False

    def _clone(self):
        clone = super()._clone()
        clone._attach_codes = self._attach_codes
        return clone

    def _fetch_all(self):
        loading = self._result_cache is None
        super()._fetch_all()
        if loading and self._attach_codes:
            attach_codes([service for service in self._result_cache if isinstance(service, self.model)])

    def with_codes(self):
        """Attach the codes of every service's vocabularies (and of its phones' languages) once loaded.

        One query for them all after the services and their phones are loaded, instead of a prefetch per
        vocabulary that builds a model for each code: a page of results reads them from `codes`. The codes
        are a snapshot taken at loading (writes re-read the record before answering), and `.iterator()`
        does not attach them (the serializers then read each relation: correct, one query per service).
        """
        clone = self._chain()
        clone._attach_codes = True
        return clone

    def stale(self, today=None):
        """Listings no person has verified within STALE_AFTER_DAYS."""
        return self.filter(Q(assured_date__isnull=True) | Q(assured_date__lt=stale_before(today)))

    def overdue(self, today=None):
        """Stale listings still offered (not retired): those a person should verify now."""
        return self.stale(today).exclude(status=ServiceStatus.DEFUNCT)

    def fresh(self, today=None):
        """Listings verified within STALE_AFTER_DAYS."""
        return self.filter(assured_date__gte=stale_before(today))

    # Long texts and bookkeeping a search result does not show (`referrals.services.page_loading` loads the rest).
    NOT_LISTED = ("sync_state", "description", "eligibility_description", "fees_description", "application_process")

    def with_detail_relations(self):
        """Load the whole record of a service: the listing plus hours, areas and location phones."""
        from referrals.models import Phone, ServiceAtLocation

        locations = ServiceAtLocation.objects.select_related("location__organization").order_by(*LOCATIONS_ORDER)
        locations = locations.prefetch_related(loaded_prefetch("location__phones", Phone.objects.all()))
        return self._with_common_relations().prefetch_related(
            loaded_prefetch("translations"),  # translations
            loaded_prefetch("service_at_locations", locations),  # locations, full face
            loaded_prefetch("schedules"),  # schedules
            loaded_prefetch("service_areas"),  # service_areas
        )

    def _with_common_relations(self):
        # search_text is only for WHERE clauses; no serializer reads it. Vocabularies show as codes (with_codes:
        # categories, populations, contexts, languages, and the languages of every phone loaded).
        return (
            self.defer("search_text")
            .select_related("organization")  # organization: brief
            .prefetch_related(loaded_prefetch("phones"), loaded_prefetch("capacities"))  # phones, capacity
            .with_codes()
        )

    def in_categories(self, codes):
        """Services in any of the categories."""
        through = self.model.categories.through
        return self.filter(Exists(through.objects.filter(service_id=OuterRef("pk"), category_id__in=codes)))

    def in_contexts(self, codes):
        """Services working in any of the operating contexts."""
        through = self.model.contexts.through
        return self.filter(Exists(through.objects.filter(service_id=OuterRef("pk"), context_id__in=codes)))

    def serving_all(self, codes):
        """Services that serve every one of the populations."""
        through = self.model.populations.through
        queryset = self
        for code in codes:
            queryset = queryset.filter(Exists(through.objects.filter(service_id=OuterRef("pk"), population_id=code)))
        return queryset

    def in_languages(self, codes):
        """Services delivered in any of the languages."""
        through = self.model.languages.through
        return self.filter(Exists(through.objects.filter(service_id=OuterRef("pk"), language_id__in=codes)))

    def for_age(self, age: int):
        """Services whose age range includes the age."""
        return self.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=age),
        )

    def in_countries(self, codes):
        """Services with a location in, or a service area covering, any of the countries.

        Tested on the service's own `countries` (kept with the search index): subqueries into locations
        and areas made PostgreSQL hash every service of the country before the first row of a page.
        """
        condition = Q()
        for code in codes:
            condition |= Q(countries__contains=f"|{code}|")
        return self.filter(condition)

    def with_fresh_capacity(self, now: datetime | None = None, units=None):
        """Services with a free place reported within the freshness window (CAPACITY_FRESH_HOURS), of one of
        `units` when given (referrals.services.vocabularies.units_taking names those that fit whom)."""
        from referrals.models import ServiceCapacity

        now = now or timezone.now()
        since = now - timedelta(hours=settings.CAPACITY_FRESH_HOURS)
        fresh = ServiceCapacity.objects.filter(service_id=OuterRef("pk"), available__gt=0, updated__gte=since)
        if units is not None:
            fresh = fresh.filter(unit__in=units)
        return self.filter(Exists(fresh))

    def open_at(self, moment: datetime | None = None):
        """Services open at the moment, each judged by its own schedules' local time (overnight spans too)."""
        from referrals.models import Schedule

        moment = moment or timezone.now()
        time_zones = Schedule.objects.order_by().values_list("time_zone", flat=True).distinct()
        open_now = Q(pk__in=[])
        for name in time_zones:
            try:
                zone = zoneinfo.ZoneInfo(name)
            except (ValueError, zoneinfo.ZoneInfoNotFoundError):  # a row saved around validation: never open
                continue
            open_now |= Q(time_zone=name) & _open_in_local_time(moment.astimezone(zone))
        schedules = Schedule.objects.filter(open_now, service_id=OuterRef("pk"))
        return self.filter(Exists(schedules))

    def matching_text(self, text: str):
        """Keyword search over names and descriptions in every language.

        Every word as a substring of the search text: this finds a word inside Thai, Khmer, Lao and
        Burmese, written without spaces between words (a trigram GIN index serves it on PostgreSQL).
        On PostgreSQL, English full text as well, which adds stemmed matches (`shelters` finds
        `shelter`) through its own GIN index.
        """
        from referrals.models.services import normalize_search_text

        words = normalize_search_text(text).split()
        substrings = Q()
        for word in words:
            substrings &= Q(search_text__contains=word)
        if connection.vendor != "postgresql":
            return self.filter(substrings)
        from django.contrib.postgres.search import SearchQuery

        full_text = Q(search_document=SearchQuery(text, config="english", search_type="websearch"))
        return self.alias(search_document=StoredSearchVector()).filter(full_text | substrings)


def stale_before(today=None):
    """The oldest verification date that still counts as fresh."""
    today = today or timezone.localdate()
    return today - timedelta(days=settings.STALE_AFTER_DAYS)


class OwnedQuerySet(models.QuerySet):
    """Records beneath a service or location (phones, hours, areas, links): editable by the owners."""

    # The path from the record to its organisation's id, e.g. "service__organization_id".
    organization_paths: tuple[str, ...] = ()

    def editable_by(self, viewer):
        """Records of the viewer's organisations (moderators: all)."""
        if viewer.is_moderator:
            return self.all()
        condition = Q(pk__in=[])
        for path in self.organization_paths:
            condition |= Q(**{f"{path}__in": viewer.member_org_ids})
        return self.filter(condition)


def owned_queryset(*paths):
    """An OwnedQuerySet class for a model whose organisation is reached by any of the paths."""
    return type("OwnedQuerySet", (OwnedQuerySet,), {"organization_paths": paths})


class StoredSearchVector(Func):
    """The stored tsvector column beside `search_text` (PostgreSQL only: migration 0009 adds it, GIN-indexed).

    The model does not declare it (SQLite has no tsvector); this compiles `search_text` under whatever
    alias the query gives the table, a subquery's included, and names its neighbour instead.
    """

    def __init__(self):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(F("search_text"), output_field=SearchVectorField())

    def as_sql(self, compiler, connection, **extra_context):
        """`<alias>."search_text"` becomes `<alias>."search_vector"`."""
        sql, params = compiler.compile(self.source_expressions[0])
        column = connection.ops.quote_name("search_text")
        if not sql.endswith(column):
            raise ValueError(f"Unexpected column SQL for search_text: {sql}")
        return sql[: -len(column)] + connection.ops.quote_name("search_vector"), params


def _open_in_local_time(local: datetime) -> Q:
    """Schedules that are open at this local wall-clock time (schedules of the same time zone)."""
    today = local.isoweekday()
    yesterday = 7 if today == 1 else today - 1
    now = local.time()
    on_today = Q(weekday__isnull=True) | Q(weekday=today)
    on_yesterday = Q(weekday__isnull=True) | Q(weekday=yesterday)
    same_day_span = Q(all_day=False, opens_at__lt=F("closes_at"))
    overnight_span = Q(all_day=False, opens_at__gte=F("closes_at"))
    return (
        (Q(all_day=True) & on_today)
        | (same_day_span & on_today & Q(opens_at__lte=now, closes_at__gt=now))
        | (overnight_span & on_today & Q(opens_at__lte=now))
        | (overnight_span & on_yesterday & Q(closes_at__gt=now))
    )


class OrganizationQuerySet(OrganizationScopedQuerySet):
    """Organisations, with the rule for who may see them."""

    organization_path = ""


# Changing any of these changes what the public may see of a location.
POINT_INPUTS = frozenset({"latitude", "longitude", "confidential"})
# Changing any of these changes where its services are found (`country=`, sync regions, the search index).
SEARCHED_INPUTS = POINT_INPUTS | {"country"}


class LocationQuerySet(OrganizationScopedQuerySet):
    """Locations, with the rule for who may see them, and bulk writes that keep the public point right."""

    def update(self, **kwargs):
        """Update, then re-derive the public point of every row whose exact point or flag changed.

        A new point, flag or country also reaches the services given there (offline copies, the search
        index, `Service.countries`).
        """
        if SEARCHED_INPUTS.isdisjoint(kwargs):
            return super().update(**kwargs)
        pks = list(self.values_list("pk", flat=True))
        if POINT_INPUTS.isdisjoint(kwargs):  # the country only
            count = super().update(**kwargs)
            locations_moved.send(sender=self.model, location_ids=pks)
            return count
        after_hiding = []
        if kwargs.get("confidential") is True:  # made confidential: copies of the full face must go
            replies = locations_hiding.send(sender=self.model, locations=self.filter(confidential=False))
            after_hiding = [reply for _, reply in replies if callable(reply)]
        count = super().update(**kwargs)
        for finish in after_hiding:
            finish()
        self.model.objects.filter(pk__in=pks).refresh_public_points()
        return count

    def bulk_create(self, objs, *args, **kwargs):
        """Bulk insert with the public point derived, as save() would."""
        objs = list(objs)
        for location in objs:
            location.refresh_public_point()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        """Bulk update; the public point follows when the exact point or the flag is among the fields."""
        objs = list(objs)
        if SEARCHED_INPUTS.isdisjoint(fields):
            return super().bulk_update(objs, fields, *args, **kwargs)
        for location in objs:
            location.refresh_public_point()
        count = super().bulk_update(objs, [*fields, "public_latitude", "public_longitude"], *args, **kwargs)
        locations_moved.send(sender=self.model, location_ids=[location.pk for location in objs])
        return count

    def refresh_public_points(self) -> int:
        """Re-derive the public point of these locations (after a grid-size change, say); returns the count."""
        locations = list(self.only("pk", "latitude", "longitude", "confidential"))
        for location in locations:
            location.refresh_public_point()
        models.QuerySet.bulk_update(self, locations, ["public_latitude", "public_longitude"], batch_size=1000)
        # What offline copies and the search index hold of them changed.
        locations_moved.send(sender=self.model, location_ids=[location.pk for location in locations])
        return len(locations)


LOADED = "loaded_{}"


def loaded_prefetch(lookup: str, queryset=None) -> models.Prefetch:
    """Prefetch a relation into a plain list, `loaded_<relation>` (read it with `loaded()`).

    A list costs nothing per record; Django's usual prefetch builds a filtered query set for every
    record and relation (a third of the time a sync page of 100 whole services took to load). Every
    reader of `loaded_<relation>` takes it for the whole relation: a filtered query set is only for a
    relation no serializer reads whole (as the reader's translation in a search result), never for
    `service_at_locations`, whose list decides whether an area's centre hides a safe house.
    """
    return models.Prefetch(lookup, queryset=queryset, to_attr=LOADED.format(lookup.rsplit("__", 1)[-1]))


def loaded_list(instance, relation: str) -> list | None:
    """The records of `relation` that a `with_*_relations()` query set loaded, or None."""
    return getattr(instance, "__dict__", {}).get(LOADED.format(relation))


def loaded(instance, relation: str) -> list:
    """The records of `relation` that a `with_*_relations()` query set loaded, else read now."""
    records = loaded_list(instance, relation)
    return records if records is not None else list(getattr(instance, relation).all())


# A service's locations as its records list them (a point search sorts them by distance): by id, random and
# telling nothing. Not by name: a safe house's place among named offices would hint at its hidden name.
LOCATIONS_ORDER = ("location_id",)

# The vocabularies a service lists by code; the first three are ordered by position, then code (as their Meta).
SERVICE_VOCABULARIES = ("categories", "populations", "contexts", "languages")


def attach_codes(services) -> None:
    """Set `codes` on each service ({vocabulary: [code, ...]}) and on every phone loaded with them ({"languages": ...}).

    One UNION ALL query over the link tables, each list in its vocabulary's order. Written as SQL from
    the models' metadata: this runs on every page of results, and composing five query sets in the ORM
    cost more than the query itself.
    """
    from referrals.models import Phone, Service

    if not services:
        return
    connection = connections[services[0]._state.db or "default"]
    quote, pk = connection.ops.quote_name, Service._meta.pk
    ids = [pk.get_db_prep_value(service.pk, connection) for service in services]
    marks = ", ".join(["%s"] * len(ids))

    def links(model, relation, owners, label=None):
        """owner, vocabulary, code, position: the relation's link rows whose owner is among `owners` (SQL)."""
        field = getattr(model, relation).field
        through, terms = field.remote_field.through._meta, field.related_model._meta
        owner = quote(through.get_field(field.m2m_field_name()).column)
        term = quote(through.get_field(field.m2m_reverse_field_name()).column)
        position = "t.position" if any(f.name == "position" for f in terms.fields) else "0"
        # Names from the models' metadata; values travel as parameters.
        return (
            f"SELECT l.{owner}, '{label or relation}', l.{term}, {position} FROM {quote(through.db_table)} l "  # noqa: S608
            f"JOIN {quote(terms.db_table)} t ON t.{quote(terms.pk.column)} = l.{term} WHERE l.{owner} IN ({owners})"
        )

    parts = [links(Service, vocabulary, marks) for vocabulary in SERVICE_VOCABULARIES]
    params = ids * len(parts)
    phones = _loaded_phones(services)
    if phones:
        parts.append(links(Phone, "languages", ", ".join(["%s"] * len(phones)), label="phone languages"))
        params += [Phone._meta.pk.get_db_prep_value(phone.pk, connection) for phone in phones]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    found: dict[tuple, list] = {}
    for owner, vocabulary, code, position in rows:
        found.setdefault((pk.to_python(owner), vocabulary), []).append((position, code))

    def codes(owner, vocabulary):
        return [code for _, code in sorted(found.get((owner, vocabulary), ()))]

    for service in services:
        service.codes = {vocabulary: codes(service.pk, vocabulary) for vocabulary in SERVICE_VOCABULARIES}
    for phone in phones:
        phone.codes = {"languages": codes(phone.pk, "phone languages")}


def _loaded_phones(services) -> list:
    """The phones loaded with these services: theirs, their locations' and their organisations'."""
    phones = []
    for service in services:
        phones += loaded_list(service, "phones") or ()
        for link in loaded_list(service, "service_at_locations") or ():
            phones += loaded_list(link.location, "phones") or ()
        if type(service).organization.is_cached(service):
            phones += loaded_list(service.organization, "phones") or ()
    return phones
