"""Page-number pagination that refuses bad page parameters with a 400 instead of guessing.

Counting every match of a broad search costs as much as the search itself (a COUNT over 900,000 rows
is half a second), and no reader pages through thousands of results: the count is exact up to
`SEARCH_COUNT_LIMIT` and stops there, saying so in `count_is_exact`.
"""

from django.conf import settings
from django.core.paginator import EmptyPage, InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


def _positive_int(params, name: str, maximum: int | None = None) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [f"Must be a whole number, got {raw[:40]!r}."]}) from None
    if value < 1:
        raise ValidationError({name: ["Must be 1 or more."]})
    if maximum is not None and value > maximum:
        raise ValidationError({name: [f"Must be at most {maximum}."]})
    return value


class _CappedPage(Page):
    """A page that knows whether more follow without knowing how many."""

    def __init__(self, object_list, number, paginator, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more


class CappedCountPaginator(Paginator):
    """Counts matches only up to `limit`; past it, pages are found by fetching one row more than they show."""

    def __init__(self, object_list, per_page, limit):
        super().__init__(object_list, per_page)
        self.limit = limit

    @cached_property
    def _counted(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return self.object_list.order_by()[: self.limit + 1].count()
        return len(self.object_list)

    @property
    def count_is_exact(self) -> bool:
        """False when more matches exist than were counted."""
        return self._counted <= self.limit

    @cached_property
    def count(self):
        return min(self._counted, self.limit)

    def validate_number(self, number):
        if self.count_is_exact:
            return super().validate_number(number)
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def page(self, number):
        if self.count_is_exact:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return _CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class LeadingRows:
    """The first rows of a longer result whose length is known only to be at least `at_least`.

    A search that learnt "more than the count limit" without reading that many hands the paginator
    its leading rows this way: `len()` is the lower bound (the count stays capped), and a page is a
    slice of `rows`. Only `len()` and slices within `rows` are supported.
    """

    def __init__(self, rows: list, at_least: int):
        self.rows, self.at_least = rows, at_least

    def __len__(self):
        return self.at_least

    def __getitem__(self, index):
        if not isinstance(index, slice) or (index.start is not None and index.start < 0):
            raise TypeError("LeadingRows takes slices from the start of the rows read.")
        return self.rows[index]

    def __iter__(self):
        raise TypeError("LeadingRows holds only the leading rows: slice it.")


# Far past any real reading (100,000 pages of 100 is ten times the largest directory measured), and it
# keeps page offsets and the search's read sizes within what databases take in a LIMIT.
MAX_PAGE = 100_000


class DirectoryPagination(PageNumberPagination):
    """`page` and `page_size` (max 100); the envelope is `count`, `count_is_exact`, `next`, `previous`, `results`."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    page_size_query_description = "Results per page (1-100, default 20)."
    page_query_description = "Page number, from 1."

    def get_page_size(self, request, params=None):
        """The requested page size, validated."""
        params = request.query_params if params is None else params
        return _positive_int(params, self.page_size_query_param, self.max_page_size) or self.page_size

    def rows_needed(self, request, params=None) -> int:
        """How many leading results this request's page and count can use: a search may stop there."""
        params = request.query_params if params is None else params
        page_number = _positive_int(params, self.page_query_param, MAX_PAGE) or 1
        return max(settings.SEARCH_COUNT_LIMIT, page_number * self.get_page_size(request, params)) + 1

    def rows_on_page(self, request, params=None) -> int:
        """How many leading results this request's page and the "is there a next page" test use."""
        params = request.query_params if params is None else params
        page_number = _positive_int(params, self.page_query_param, MAX_PAGE) or 1
        return page_number * self.get_page_size(request, params) + 1

    def paginate_queryset(self, queryset, request, view=None, params=None):
        """Paginate a queryset or a list; a page past the end is a 404 naming `page`.

        `params` replaces the query string as the source of `page` and `page_size` (the POST search).
        """
        self.request = request
        params = request.query_params if params is None else params
        page_size = self.get_page_size(request, params)
        page_number = _positive_int(params, self.page_query_param, MAX_PAGE) or 1
        paginator = CappedCountPaginator(queryset, page_size, settings.SEARCH_COUNT_LIMIT)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage:
            if not paginator.count_is_exact:
                raise NotFound({"page": [f"Page {page_number} is past the last result."]}) from None
            raise NotFound({"page": [f"Page {page_number} does not exist; there are {paginator.num_pages}."]}) from None
        return list(self.page)

    def get_next_link(self):
        """The next page's URL, or None on the last page."""
        if not self.page.has_next():
            return None
        return replace_query_param(self._this_url(), self.page_query_param, self.page.next_page_number())

    def get_previous_link(self):
        """The previous page's URL, or None on the first page."""
        if not self.page.has_previous():
            return None
        number = self.page.previous_page_number()
        if number == 1:
            return remove_query_param(self._this_url(), self.page_query_param)
        return replace_query_param(self._this_url(), self.page_query_param, number)

    def _this_url(self) -> str:
        """This request's URL rebuilt from its decoded parameters.

        The WSGI query string of a client that sent raw UTF-8 (not percent-encoded) is Latin-1 text, and
        links built from it would spell `q=ปลอดภัย` as mojibake; re-encoding the parsed parameters keeps it.
        """
        query = self.request.GET.urlencode()
        return self.request.build_absolute_uri(self.request.path) + (f"?{query}" if query else "")

    def get_paginated_response(self, data):
        """The envelope: `count` (exact up to SEARCH_COUNT_LIMIT), `count_is_exact`, links and results."""
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_exact": self.page.paginator.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view):
        """Document the bounds that `_positive_int` enforces."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["maximum"] = MAX_PAGE
        return parameters

    def get_paginated_response_schema(self, schema):
        """The envelope, with every field described."""
        envelope = super().get_paginated_response_schema(schema)
        envelope["required"] = ["count", "count_is_exact", "next", "previous", "results"]
        envelope["properties"] = {
            "count": envelope["properties"]["count"],
            "count_is_exact": {"type": "boolean", "example": True},
            **{name: envelope["properties"][name] for name in ("next", "previous", "results")},
        }
        descriptions = {
            "count": "How many results match in all, counted up to a limit (1,000 by default): see `count_is_exact`.",
            "count_is_exact": "False when more results match than were counted; `next` still leads through them all.",
            "next": "URL of the next page, or null on the last page.",
            "previous": "URL of the previous page, or null on the first page.",
            "results": "This page's results.",
        }
        for name, description in descriptions.items():
            envelope["properties"][name]["description"] = description
        return envelope
