"""A page of search results loaded in one query: the services, each carrying its relations as JSON.

Django's prefetches would load a page one query per relation (phones, capacities, locations, hours,
the reader's translation, the codes): six or seven round trips, a quarter of a point search's time
at 100,000 services. Here the page's own query (the search's, so that a service
the index got wrong could never be shown) carries each relation as a JSON array built by the
database in a correlated subquery, and this module turns the arrays back into the same model
instances, in the same order, under the same `loaded_<relation>` names and `codes` as
`loaded_prefetch()` and `with_codes()` (tests/test_page_loading.py compares the two): every reader of
a page (serializers, pages, the disclosure log) reads it as any other loaded record.
"""

import datetime
import uuid
from dataclasses import dataclass
from functools import cache

import orjson
from django.db import connections, models
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.utils.dateparse import parse_datetime

from referrals.managers import LOADED, SERVICE_VOCABULARIES, ServiceQuerySet
from referrals.models import Location, Phone, Schedule, Service, ServiceAtLocation, ServiceCapacity, ServiceTranslation


@dataclass(frozen=True)
class _Relation:
    """A relation a result shows: its rows as JSON arrays of every column, in the relation's order."""

    name: str  # loaded_<name> on the service
    model: type
    ordering: tuple = ()  # (table, column) pairs as the prefetch orders them: c the relation's, j the joined
    joined: type | None = None  # a model joined one to one (a location to its link), its columns after
    language: bool = False  # only the reader's language (translations)


RELATIONS = (
    _Relation("phones", Phone, (("c", "type"), ("c", "number"), ("c", "id"))),  # as their Meta orders them
    _Relation("capacities", ServiceCapacity, (("c", "unit"),)),
    # managers.LOCATIONS_ORDER, in columns
    _Relation("service_at_locations", ServiceAtLocation, (("c", "location_id"),), joined=Location),
    _Relation("schedules", Schedule, (("c", "weekday"), ("c", "opens_at"), ("c", "id"))),
    _Relation("translations", ServiceTranslation, (("c", "language"),), language=True),
)
_CODES = "codes_{}"
_PHONE_LANGUAGES = "_phone_languages"


def load_listings(services: models.QuerySet, ids: list, language: str | None) -> list[Service]:
    """The services of `services` with these ids, in their order, with what a search result shows.

    One query whatever the page's size. `language`: the reader's, whose translation (only) the
    result may show. A service the query set does not hold is left out.
    """
    if not ids:
        return []
    alias = services.db
    vendor = connections[alias].vendor
    annotations = {}
    for relation in RELATIONS:
        if relation.language and not language:
            continue
        # SQL from the models' metadata; the language travels as a parameter.
        sql, params = _relation_sql(relation, vendor), [language] * relation.language
        annotations[_annotation(relation.name)] = RawSQL(sql, params)  # noqa: S611
    for vocabulary in SERVICE_VOCABULARIES:
        annotations[_annotation(_CODES.format(vocabulary))] = RawSQL(_codes_sql(Service, vocabulary, vendor), [])  # noqa: S611
    page = (
        services.filter(pk__in=ids)
        .order_by()
        .defer("search_text", *ServiceQuerySet.NOT_LISTED)
        .select_related("organization")
        .annotate(**annotations)
    )
    by_id = {}
    for service in page:
        _unpack(service, alias, vendor, language)
        by_id[service.pk] = service
    return [by_id[pk] for pk in ids if pk in by_id]


def _annotation(name: str) -> str:
    return f"_json_{name}"


def _unpack(service, alias: str, vendor: str, language: str | None) -> None:
    """Turn the service's JSON columns into loaded relations and codes."""
    values = service.__dict__
    for relation in RELATIONS:
        if relation.language and not language:
            continue
        rows = _loads(values.pop(_annotation(relation.name)))
        if vendor != "postgresql" and relation.ordering:  # SQLite's aggregates keep no order: sort as it would
            positions = _positions(relation)
            rows.sort(key=lambda row: tuple((row[i] is not None, row[i]) for i in positions))
        values[LOADED.format(relation.name)] = [_instance(relation, row, alias, service) for row in rows]
    service.codes = {
        vocabulary: _codes(_loads(values.pop(_annotation(_CODES.format(vocabulary)))), vendor)
        for vocabulary in SERVICE_VOCABULARIES
    }


def _loads(value) -> list:
    return orjson.loads(value) if value else []


def _codes(pairs: list, vendor: str) -> list:
    """[code, position] pairs, already in order on PostgreSQL; sorted by (position, code) elsewhere."""
    if vendor != "postgresql":
        pairs.sort(key=lambda pair: (pair[1], pair[0]))
    return [code for code, _ in pairs]


def _instance(relation: _Relation, row: list, alias: str, service):
    model = relation.model
    fields = _fields(model)
    extra = []
    if model is Phone:
        *row, languages = row
        extra = languages or []
    instance = _build(model, row[: len(fields)], alias)
    if relation.joined is not None:
        joined = _build(relation.joined, row[len(fields) :], alias)
        model._meta.get_field("location").set_cached_value(instance, joined)
    model._meta.get_field("service").set_cached_value(instance, service)
    if model is Phone:
        instance.codes = {"languages": [code for code, _ in sorted(extra, key=lambda pair: (pair[1], pair[0]))]}
    return instance


def _build(model, row, alias):
    attnames, converters = _converters(model)
    values = [
        value if value is None or convert is None else convert(value)
        for convert, value in zip(converters, row, strict=True)
    ]
    if _has_init_listeners(model):
        return model.from_db(alias, attnames, values)
    # As from_db() leaves a record read from the database, without Model.__init__'s per-field setattr (a third of
    # the loading): every concrete column is given, and no pre_init/post_init receiver is connected to the model.
    instance = model.__new__(model)
    instance.__dict__.update(zip(attnames, values, strict=False))
    instance._state = ModelState()
    instance._state.adding, instance._state.db = False, alias
    return instance


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
    values = [_value_sql(field, "c", vendor) for field in _fields(model)]
    joins = ""
    if relation.joined is not None:
        joined = relation.joined._meta
        values += [_value_sql(field, "j", vendor) for field in _fields(relation.joined)]
        link = _quote(model._meta.get_field("location").column)
        joins = f" JOIN {_quote(joined.db_table)} j ON j.{_quote(joined.pk.column)} = c.{link}"
    if model is Phone:
        languages = _aggregate(_code_pair(Phone, "languages", vendor), "", vendor, nested=True)
        subquery = f"(SELECT {languages} {_links_from(Phone, 'languages', 'c')})"
        values.append(subquery if vendor == "postgresql" else f"json({subquery})")  # SQLite: JSON again, not text
    service_column = _quote(model._meta.get_field("service").column)
    where = f"c.{service_column} = {_quote(Service._meta.db_table)}.{_quote(Service._meta.pk.column)}"
    if relation.language:
        where += f" AND c.{_quote(model._meta.get_field('language').column)} = %s"
    order = ", ".join(f"{table}.{_quote(column)}" for table, column in relation.ordering)
    return (
        f"SELECT {_aggregate(_array(values, vendor), order, vendor)} "  # noqa: S608 (names from the models)
        f"FROM {_quote(model._meta.db_table)} c{joins} WHERE {where}"
    )


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


@cache
def _codes_sql(model, vocabulary: str, vendor: str) -> str:
    """The service's codes of a vocabulary as [code, position] pairs, in the vocabulary's order on PostgreSQL."""
    field = getattr(model, vocabulary).field
    terms = field.related_model._meta
    code = f"l.{_quote(field.remote_field.through._meta.get_field(field.m2m_reverse_field_name()).column)}"
    order = f"t.{_quote('position')}, {code}" if any(f.name == "position" for f in terms.fields) else code
    codes = _aggregate(_code_pair(model, vocabulary, vendor), order, vendor)
    return f"SELECT {codes} {_links_from(model, vocabulary, _quote(model._meta.db_table))}"
