"""A page of services loaded in one query: the services, each carrying its relations as JSON.

Django's prefetches would load a page one query per relation (phones, capacities, locations, hours,
the reader's translation, the codes): six or seven round trips, a quarter of a point search's time
at 100,000 services. Here the page's own query (the search's, so that a service
the index got wrong could never be shown) carries each relation as a JSON array built by the
database in a correlated subquery, and this module turns the arrays back into the same model
instances, in the same order, under the same `loaded_<relation>` names and `codes` as
`loaded_prefetch()` and `with_codes()` (tests/test_page_loading.py compares the two). The codes come from
the service's own row (`vocabulary_codes`, kept with the search index): through the link tables they were a
third of the query. Every reader of
a page (serializers, pages, the disclosure log) reads it as any other loaded record. One difference: a
row is not given its owner (`phone.service`, which a prefetch sets), so that no reference cycle holds
the page after its request (tests/test_reference_cycles.py); nothing reads it.

Two shapes: `load_listings()` what a search result shows, `load_records()` a whole record as the sync
carries it (`with_detail_relations()`: every translation, the areas, each place's organisation and
phones, and the organisation's phones).
"""

import datetime
import functools
import uuid
from dataclasses import dataclass, replace
from functools import cache

import orjson
from django.db import connections, models
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils.dateparse import parse_datetime

from referrals.managers import LOADED, SERVICE_VOCABULARIES, ServiceQuerySet
from referrals.models import (
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
    ServiceTranslation,
)
from referrals.services import prepared


@dataclass(frozen=True)
class _Relation:
    """A relation a result shows: its rows as JSON arrays of every column, in the relation's order."""

    name: str  # loaded_<name> on the service
    model: type
    ordering: tuple = ()  # (table, column) pairs as the prefetch orders them: c the relation's, j the joined
    joined: type | None = None  # a model joined one to one (a location to its link), its columns after
    language: bool = False  # only the reader's language (translations)
    owner: str = "service"  # whose rows: the service's, or its "organization"'s (loaded on the organisation)
    whole: bool = False  # (locations) each place with its organisation and its phones, after its columns


PHONES_ORDER = (("c", "type"), ("c", "number"), ("c", "id"))  # as Phone's Meta orders them
_PHONES = _Relation("phones", Phone, PHONES_ORDER)
_CAPACITIES = _Relation("capacities", ServiceCapacity, (("c", "unit"),))
# managers.LOCATIONS_ORDER, in columns
_LOCATIONS = _Relation("service_at_locations", ServiceAtLocation, (("c", "location_id"),), joined=Location)
_SCHEDULES = _Relation("schedules", Schedule, (("c", "weekday"), ("c", "opens_at"), ("c", "id")))
_TRANSLATIONS = _Relation("translations", ServiceTranslation, (("c", "language"),))
_LOCATION_PHONES = replace(_PHONES, owner="location")

# What a search result shows: only the reader's translation.
RELATIONS = (_PHONES, _CAPACITIES, _LOCATIONS, _SCHEDULES, replace(_TRANSLATIONS, language=True))
# A whole record: every translation, the areas, each place whole, and the organisation's phones.
RECORD_RELATIONS = (
    _PHONES,
    _CAPACITIES,
    replace(_LOCATIONS, whole=True),
    _SCHEDULES,
    _TRANSLATIONS,
    _Relation("service_areas", ServiceArea, (("c", "kind"), ("c", "name"), ("c", "id"))),
    replace(_PHONES, owner="organization"),
)
_PHONE_LANGUAGES = "_phone_languages"


def load_listings(services: models.QuerySet, ids: list, language: str | None) -> list[Service]:
    """The services of `services` with these ids, in their order, with what a search result shows.

    One query whatever the page's size. `language`: the reader's, whose translation (only) the
    result may show. A service the query set does not hold is left out.
    """
    return _load(services, ids, RELATIONS, ("search_text", *ServiceQuerySet.NOT_LISTED), language)


def load_records(services: models.QuerySet, ids: list) -> list[Service]:
    """The services of `services` with these ids, in their order, whole (as `with_detail_relations()` loads them,
    with the organisation's phones). One query whatever the page's size."""
    return _load(services, ids, RECORD_RELATIONS, ("search_text", "sync_state"), None)


def _load(services: models.QuerySet, ids: list, relations: tuple, deferred: tuple, language: str | None) -> list:
    """The page's query: its SQL around the search's own (which Django writes, filtered to the page's ids) is
    written once per shape (`_page_sql`), and its rows become models here, as Django's iterator would make them."""
    if not ids:
        return []
    loader = _Loader(services.db)
    wanted = tuple(_wanted(relations, language))
    matching_query = services.filter(pk__in=ids).order_by().values("pk").query
    matching, matching_params = matching_query.get_compiler(services.db).as_sql()
    page = _page_sql(wanted, deferred, loader.vendor)
    params = [language for relation in wanted if relation.language]
    connection = connections[services.db]
    params += [Service._meta.pk.get_db_prep_value(pk, connection) for pk in ids]
    sql = page.sql.format(ids=", ".join(["%s"] * len(ids)), matching=matching)
    by_id = {}
    rows = prepared.fetchall(services.db, sql, [*params, *matching_params], "page")
    for row in rows:
        service = loader.row(Service, page.service_columns, row[: page.organization_start])
        organization = loader.row(
            Organization, page.organization_columns, row[page.organization_start : page.json_start]
        )
        Service.organization.field.set_cached_value(service, organization)
        loader.unpack(service, wanted, row[page.json_start :])
        by_id[service.pk] = service
    return [by_id[pk] for pk in ids if pk in by_id]


@dataclass(frozen=True)
class _PageSql:
    """A page's query with `{ids}` for the page's ids' placeholders and `{matching}` for the search's SQL, and where
    its columns are in a row."""

    sql: str
    service_columns: tuple  # the service's fields read, in the row's order
    organization_columns: tuple
    organization_start: int
    json_start: int  # the relations' JSON arrays


@functools.lru_cache(maxsize=16)
def _page_sql(relations: tuple, deferred: tuple, vendor: str) -> _PageSql:
    """SELECT the services (but the `deferred` columns; their codes are on their rows), each one's organisation and,
    as JSON arrays, its relations, of the page's services (`{ids}`) that the search's own query (`{matching}`)
    holds. Values: the reader's language for each relation of one language, the page's ids, then the search's."""
    table, organization = _quote(Service._meta.db_table), Organization._meta
    service_fields = tuple(field for field in _fields(Service) if field.attname not in deferred)
    columns = [f"{table}.{_quote(field.column)}" for field in service_fields]
    columns += [f"page_organization.{_quote(field.column)}" for field in _fields(Organization)]
    columns += [f"({_relation_sql(relation, vendor)})" for relation in relations]
    runner = _quote(Service._meta.get_field("organization").column)
    sql = (
        f"SELECT {', '.join(columns)} FROM {table} "  # noqa: S608 (written from the models)
        f"JOIN {_quote(organization.db_table)} page_organization "
        f"ON page_organization.{_quote(organization.pk.column)} = {table}.{runner} "
        # The page's ids first, so that PostgreSQL counts on a page of rows, not on what the search's query may
        # hold (at 1,000,000 it guessed half a million and hashed every organisation: 90 ms); then the search's own.
        f"WHERE {table}.{_quote(Service._meta.pk.column)} IN ({{ids}}) "
        f"AND {table}.{_quote(Service._meta.pk.column)} IN ({{matching}})"
    )
    organization_start = len(service_fields)
    return _PageSql(
        sql=sql,
        service_columns=service_fields,
        organization_columns=_fields(Organization),
        organization_start=organization_start,
        json_start=organization_start + len(_fields(Organization)),
    )


def _wanted(relations: tuple, language: str | None) -> list:
    return [relation for relation in relations if language or not relation.language]


def _sorted(rows: list, relation: _Relation, vendor: str) -> list:
    """The rows in the relation's order: SQLite's aggregates keep none, so sort as it would have."""
    if vendor != "postgresql" and relation.ordering:
        positions = _positions(relation)
        rows.sort(key=lambda row: tuple((row[i] is not None, row[i]) for i in positions))
    return rows


def _loads(value) -> list:
    return orjson.loads(value) if value else []


class _Loader:
    """Turns one page's JSON rows into model instances. The same id recurs on a page (a service's in each of its
    rows, a place's in its link and hours), so each is made a UUID once."""

    def __init__(self, alias: str):
        self.alias, self.vendor = alias, connections[alias].vendor
        self.uuids: dict[str, uuid.UUID] = {}
        self.converters: dict[type, list] = {}
        self.column_converters: dict[type, tuple] = {}
        self.plain: dict[type, bool] = {}

    def unpack(self, service, relations, arrays) -> None:
        """Turn the service's JSON arrays (one per relation) into loaded relations, and its row's codes into `codes`."""
        for relation, array in zip(relations, arrays, strict=True):
            rows = _sorted(_loads(array), relation, self.vendor)
            owner = service if relation.owner == "service" else service.organization
            owner.__dict__[LOADED.format(relation.name)] = [self.instance(relation, row, owner) for row in rows]
        stored = service.vocabulary_codes
        service.codes = {vocabulary: list(stored.get(vocabulary, ())) for vocabulary in SERVICE_VOCABULARIES}

    def row(self, model, fields: tuple, values):
        """A model from the columns of `fields` (a page reads the same ones of each model) as the driver gave them,
        converted as Django's iterator does."""
        prepared = self.column_converters.get(model)  # not by the fields: hashing 30 of them per row cost more
        if prepared is None:
            prepared = _column_converters(fields, self.alias), [field.attname for field in fields]
            self.column_converters[model] = prepared
        converters, attnames = prepared
        return self.made(model, attnames, convert(list(values), converters, self.alias))

    def instance(self, relation: _Relation, row: list, owner):
        model = relation.model
        instance = self.phone(row) if model is Phone else self.build(model, row[: len(_fields(model))])
        if relation.joined is not None:
            start = len(_fields(model))
            end = start + len(_fields(relation.joined))
            location = self.build(relation.joined, row[start:end])
            if relation.whole:
                organization = self.build(Organization, row[end : end + len(_fields(Organization))])
                Location.organization.field.set_cached_value(location, organization)
                phones = _sorted(row[-1] or [], _LOCATION_PHONES, self.vendor)
                location.__dict__[LOADED.format("phones")] = [self.phone(phone) for phone in phones]
            model._meta.get_field("location").set_cached_value(instance, location)
        # Unlike a prefetch, a row is not given its owner (`phone.service`): that reference would make a cycle (owner ->
        # rows -> owner), and a page held in cycles is freed only by the collector's full walks, not as its request
        # ends (a sync page's 9,700 objects: 60-100 ms walks, 9 ms a page on average). Nothing reads it.
        return instance

    def phone(self, row: list):
        """A phone from its columns and, last, its languages' [code, position] pairs."""
        *row, languages = row
        phone = self.build(Phone, row)
        phone.codes = {"languages": [code for code, _ in sorted(languages or [], key=lambda pair: (pair[1], pair[0]))]}
        return phone

    def build(self, model, row: list):
        """A model from its columns as a JSON array holds them (`row`, a list of its own: converted in place)."""
        attnames, columns = _converters(model)
        converters = self.converters.get(model)
        if converters is None:
            # Not a method of the loader: the loader holding its own method would be a reference cycle, which keeps
            # the page's UUIDs until the collector's full walk (see instance()).
            once = functools.partial(_uuid_once, self.uuids)
            converters = [
                (position, once if convert is uuid.UUID else convert)
                for position, convert in enumerate(columns)
                if convert is not None
            ]
            self.converters[model] = converters
        if len(row) != len(attnames):
            raise ValueError(f"{model.__name__}: {len(row)} columns, {len(attnames)} expected")
        for position, convert in converters:  # only the columns that need it (about half)
            value = row[position]
            if value is not None:
                row[position] = convert(value)
        return self.made(model, attnames, row)

    def made(self, model, attnames: list, values: list):
        """The model of these columns' values, as from_db() leaves a record read from the database (the columns not
        given deferred)."""
        plain = self.plain.get(model)
        if plain is None:
            plain = self.plain[model] = not _has_init_listeners(model)
        if not plain:
            return model.from_db(self.alias, attnames, values)
        # Without Model.__init__'s per-field setattr (a third of the loading): no pre_init/post_init receiver is
        # connected to the model, and a column not given is deferred as Django defers it (not in the __dict__).
        instance = model.__new__(model)
        instance.__dict__.update(zip(attnames, values, strict=True))
        instance._state = ModelState()
        instance._state.adding, instance._state.db = False, self.alias
        return instance


def _uuid_once(made: dict, text: str) -> uuid.UUID:
    """The UUID of this text, made once per page (`made`)."""
    value = made.get(text)
    if value is None:
        value = made[text] = uuid.UUID(text)
    return value


def _column_converters(fields: tuple, alias: str) -> list:
    """`db_converters()` of these fields' columns (a foreign key: as its target column)."""
    return db_converters([field.get_col(field.model._meta.db_table) for field in fields], alias)


def db_converters(expressions, alias: str) -> list:
    """(position, converters, expression) of each selected expression that Django converts from what the driver
    gives, as `SQLCompiler.get_converters()` finds them: the backend's, then the expression's."""
    connection = connections[alias]
    converters = []
    for position, expression in enumerate(expressions):
        found = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        if found:
            converters.append((position, found, expression))
    return converters


def convert(values: list, converters: list, alias: str) -> list:
    """A row's values (a list of its own, converted in place) as Django's iterator gives them."""
    connection = connections[alias]
    for position, found, expression in converters:
        value = values[position]
        for converter in found:
            value = converter(value, expression, connection)
        values[position] = value
    return values


def _has_init_listeners(model) -> bool:
    return signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)


@cache
def _converters(model) -> tuple[list, list]:
    """The model's column names, and for each the function that turns its JSON value into the driver's (or None)."""
    fields = _fields(model)
    return [field.attname for field in fields], [_converter(field) for field in fields]


def _converter(field):
    """How a column's value as a JSON array carries it becomes what the database driver would have given."""
    internal = field.get_internal_type()
    if internal == "UUIDField" or (field.is_relation and _target_is_uuid(field)):
        return uuid.UUID
    if internal == "DateTimeField":
        return _aware_datetime
    if internal == "DateField":
        return datetime.date.fromisoformat
    if internal == "TimeField":
        return datetime.time.fromisoformat
    if internal == "BooleanField":
        return bool
    if internal == "FloatField":
        return float  # SQLite's text of 17 digits (its JSON keeps only 15)
    return None


def _aware_datetime(value: str) -> datetime.datetime:
    parsed = parse_datetime(value)  # PostgreSQL's carry their offset; SQLite's are UTC without one
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


@cache
def _target_is_uuid(field) -> bool:
    return field.target_field.get_internal_type() == "UUIDField"


@cache
def _fields(model) -> tuple:
    return tuple(model._meta.concrete_fields)


@cache
def _positions(relation: _Relation) -> list:
    """Where the ordering's columns are in a row of the relation (the joined model's columns follow its own)."""
    own = [field.column for field in _fields(relation.model)]
    joined = [field.column for field in _fields(relation.joined)] if relation.joined else []
    return [
        own.index(column) if table == "c" else len(own) + joined.index(column) for table, column in relation.ordering
    ]


def _quote(name: str) -> str:
    return connections["default"].ops.quote_name(name)


def _value_sql(field, table: str, vendor: str) -> str:
    """A column as a JSON array holds it exactly (SQLite writes floats with 15 digits, JSON as text)."""
    column = f"{table}.{_quote(field.column)}"
    if vendor == "postgresql":
        return column
    if field.get_internal_type() == "FloatField":
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE printf('%%!.17g', {column}) END"
    if field.get_internal_type() == "JSONField":
        return f"json({column})"
    return column


def _array(values: list, vendor: str) -> str:
    return f"json_build_array({', '.join(values)})" if vendor == "postgresql" else f"json_array({', '.join(values)})"


def _aggregate(value: str, order: str, vendor: str, nested: bool = False) -> str:
    """The JSON array of the rows' `value`s; ordered by `order` on PostgreSQL (SQLite's are sorted after).

    As text for the driver, or `nested` as JSON inside another array.
    """
    if vendor == "postgresql":
        aggregate = f"json_agg({value}{f' ORDER BY {order}' if order else ''})"
        return aggregate if nested else f"({aggregate})::text"
    return f"json_group_array({value})"


@cache
def _relation_sql(relation: _Relation, vendor: str) -> str:
    """The correlated subquery that gives one service's rows of the relation as a JSON array (text)."""
    model = relation.model
    values = _phone_values("c", vendor) if model is Phone else _values(model, "c", vendor)
    joins = ""
    if relation.joined is not None:
        joined = relation.joined._meta
        values += _values(relation.joined, "j", vendor)
        link = _quote(model._meta.get_field("location").column)
        joins = f" JOIN {_quote(joined.db_table)} j ON j.{_quote(joined.pk.column)} = c.{link}"
        if relation.whole:
            organization = Organization._meta
            values += _values(Organization, "o", vendor)
            runner = _quote(Location._meta.get_field("organization").column)
            joins += f" JOIN {_quote(organization.db_table)} o ON o.{_quote(organization.pk.column)} = j.{runner}"
            values.append(_nested(_rows_sql(_LOCATION_PHONES, "j", vendor, nested=True), vendor))
    return _rows_sql(relation, _quote(Service._meta.db_table), vendor, values=values, joins=joins)


def _rows_sql(relation: _Relation, owner_table: str, vendor: str, values=None, joins="", nested=False) -> str:
    """SELECT the JSON array of the relation's rows `c` that belong to the row `owner_table` (a service's, or for a
    location's phones the location's), each an array of `values` (its columns), in the relation's order."""
    model = relation.model
    if values is None:
        values = _phone_values("c", vendor) if model is Phone else _values(model, "c", vendor)
    column = _quote(model._meta.get_field(relation.owner).column)
    if relation.owner == "organization":  # the service's organisation's rows
        owned_by = f"{owner_table}.{_quote(Service._meta.get_field('organization').column)}"
    else:
        owned_by = f"{owner_table}.{_quote(model._meta.get_field(relation.owner).target_field.column)}"
    where = f"c.{column} = {owned_by}"
    if relation.language:
        where += f" AND c.{_quote(model._meta.get_field('language').column)} = %s"
    order = ", ".join(f"{table}.{_quote(column)}" for table, column in relation.ordering)
    return (
        f"SELECT {_aggregate(_array(values, vendor), order, vendor, nested=nested)} "  # noqa: S608 (names from the models)
        f"FROM {_quote(model._meta.db_table)} c{joins} WHERE {where}"
    )


def _values(model, table: str, vendor: str) -> list[str]:
    return [_value_sql(field, table, vendor) for field in _fields(model)]


def _phone_values(table: str, vendor: str) -> list[str]:
    """A phone's columns and, last, its languages as [code, position] pairs."""
    languages = _aggregate(_code_pair(Phone, "languages", vendor), "", vendor, nested=True)
    subquery = f"SELECT {languages} {_links_from(Phone, 'languages', table)}"
    return [*_values(Phone, table, vendor), _nested(subquery, vendor)]


def _nested(subquery: str, vendor: str) -> str:
    """A subquery's JSON inside another JSON array (SQLite: as JSON again, not as its text)."""
    return f"({subquery})" if vendor == "postgresql" else f"json(({subquery}))"


def _code_pair(model, relation: str, vendor: str) -> str:
    """[code, position] of one link row `l` and its term `t` (position 0 for a vocabulary ordered by code alone)."""
    field = getattr(model, relation).field
    through, terms = field.remote_field.through._meta, field.related_model._meta
    code = f"l.{_quote(through.get_field(field.m2m_reverse_field_name()).column)}"
    position = f"t.{_quote('position')}" if any(f.name == "position" for f in terms.fields) else "0"
    return _array([code, position], vendor)


def _links_from(model, relation: str, owner_table: str) -> str:
    """FROM the relation's link rows of the owner row `owner_table`, joined to their terms."""
    field = getattr(model, relation).field
    through, terms = field.remote_field.through._meta, field.related_model._meta
    owner = _quote(through.get_field(field.m2m_field_name()).column)
    term = _quote(through.get_field(field.m2m_reverse_field_name()).column)
    return (
        f"FROM {_quote(through.db_table)} l JOIN {_quote(terms.db_table)} t ON t.{_quote(terms.pk.column)} = l.{term} "
        f"WHERE l.{owner} = {owner_table}.{_quote(model._meta.pk.column)}"
    )
