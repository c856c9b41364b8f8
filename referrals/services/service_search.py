"""The directory's search, as the API and the web pages both run it.

A validated `ServiceFilterSet` says what to find; this module picks the path that finds it (the search
index's box in name order, the database's order, or ranking by how each service reaches the point),
counts and pages the matches, loads the page's services in that order and logs the full faces the
page shows. Neither surface decides a search rule: they parse their input into the filter set, call
`search_services()` and render what it returns.
"""

from dataclasses import dataclass

from django.core.paginator import Page

from referrals.managers import loaded
from referrals.models import Service
from referrals.services.disclosure import record_disclosures
from referrals.services.page_loading import load_listings
from referrals.services.paging import LeadingRows, page_of, rows_needed, rows_on_page
from referrals.services.search import NearQuery, at_least, in_box_by_name, nearest


@dataclass
class SearchResults:
    """One page of a search: its services in rank order, and what the reader needs to show them."""

    page: Page  # number, has_next(), paginator.count and paginator.count_is_exact
    services: list
    near: NearQuery | None = None
    distances: dict | None = None  # service id -> km from the point (point searches)
    reaches: dict | None = None  # service id -> how it reaches the point (point searches)
    place: object = None  # the gazetteer place a place name resolved to


def search_services(filterset, viewer, *, lang: str, number: int, size: int, endpoint: str) -> SearchResults:
    """Page `number` (of `size`) of the services a valid filter set asks for, as `viewer` may see them.

    With a point, services come ranked by how they reach it (`nearest()`); otherwise in the requested
    order, by name by default. `PageNotFound` past the last page. Full faces on the page are logged
    against `endpoint`.
    """
    services = filterset.qs
    near = filterset.near_query()
    order = filterset.order_fields()
    results = SearchResults(page=None, services=[], near=near, place=filterset.resolved_place())

    box, box_filters = filterset.indexed_box() or (None, None)
    by_name = not order or order == ["name", "id"]  # the default order without a point
    in_box = in_box_by_name(box, viewer, box_filters) if box is not None and by_name else None
    if in_box is not None:  # a box search in name order, counted and paged in the search index
        results.page = page_of(in_box, number, size)
        results.services = _in_order(services, list(results.page), lang)
    elif near is None:
        ordered = services.order_by(*(order or ["name", "id"])).values_list("pk", flat=True)
        results.page = page_of(ordered, number, size)
        results.services = _in_order(services, list(results.page), lang)
    else:
        # Ordered by distance, only the leading matches are needed (an explicit ordering needs them all).
        wanted = None if order else rows_needed(number, size)
        filters = filterset.entry_filters()
        on_page = rows_on_page(number, size)
        if wanted is not None and on_page < wanted and at_least(services, near, viewer, filters, wanted):
            # More matches than the count shows: read only the page's.
            matches = nearest(services, near, viewer, wanted=on_page, filters=filters)
            # Fewer can come back if listings changed between the two reads: then they are all there is.
            leading = LeadingRows(matches, wanted) if len(matches) == on_page else matches
        else:
            matches = leading = nearest(services, near, viewer, wanted=wanted, filters=filters)
        results.distances = {pk: distance for pk, distance, _ in matches}
        results.reaches = {pk: reach for pk, _, reach in matches}
        if order:
            listed = services.filter(pk__in=results.distances).order_by(*order).values_list("pk", flat=True)
            results.page = page_of(listed, number, size)
            results.services = _in_order(services, list(results.page), lang)
        else:
            results.page = page_of(leading, number, size)
            results.services = _in_order(services, [pk for pk, _, _ in results.page], lang)
    shown = [link.location for service in results.services for link in loaded(service, "service_at_locations")]
    record_disclosures(viewer, shown, endpoint)
    return results


def _in_order(services, page_ids, lang) -> list[Service]:
    """The page's services in the order of their ids, read (in one query) from the search's own query.

    So a match the search index got wrong could never be shown.
    """
    return load_listings(services, list(page_ids), lang)
