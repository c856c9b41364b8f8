"""Page-number pagination that refuses bad page parameters with a 400 instead of guessing.

Pages come from `referrals.services.paging` (the count is exact up to `SEARCH_COUNT_LIMIT`, and says
so in `count_is_exact`); this module validates `page`/`page_size` and builds the envelope and links.
"""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from referrals.services.paging import MAX_PAGE, PageNotFound, page_of


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

    def page_requested(self, request, params=None) -> tuple[int, int]:
        """The page number and page size this request asks for, validated (400 naming the bad one)."""
        params = request.query_params if params is None else params
        number = _positive_int(params, self.page_query_param, MAX_PAGE) or 1
        return number, self.get_page_size(request, params)

    def paginate_queryset(self, queryset, request, view=None, params=None):
        """Paginate a queryset or a list; a page past the end is a 404 naming `page`.

        `params` replaces the query string as the source of `page` and `page_size` (the POST search).
        """
        number, size = self.page_requested(request, params)
        try:
            page = page_of(queryset, number, size)
        except PageNotFound as missing:
            raise NotFound({"page": [str(missing)]}) from None
        self.show(page, request)
        return list(page)

    def show(self, page, request) -> None:
        """Take `page` (from `referrals.services.paging`) as the one this response's envelope and links describe."""
        self.page, self.request = page, request

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
