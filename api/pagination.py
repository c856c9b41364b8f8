"""Page-number pagination that refuses bad page parameters with a 400 instead of guessing."""

from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


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
    """`page` and `page_size` (max 100); the envelope is `count`, `next`, `previous`, `results`."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    page_size_query_description = "Results per page (1-100, default 20)."
    page_query_description = "Page number, from 1."

    def get_page_size(self, request, params=None):
        """The requested page size, validated."""
        params = request.query_params if params is None else params
        return _positive_int(params, self.page_size_query_param, self.max_page_size) or self.page_size

    def paginate_queryset(self, queryset, request, view=None, params=None):
        """Paginate a queryset or a list; a page past the end is a 404 naming `page`.

        `params` replaces the query string as the source of `page` and `page_size` (the POST search).
        """
        self.request = request
        params = request.query_params if params is None else params
        page_size = self.get_page_size(request, params)
        page_number = _positive_int(params, self.page_query_param) or 1
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage:
            raise NotFound({"page": [f"Page {page_number} does not exist; there are {paginator.num_pages}."]}) from None
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        """Document the bounds that `_positive_int` enforces."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters

    def get_paginated_response_schema(self, schema):
        """The envelope, with every field described."""
        envelope = super().get_paginated_response_schema(schema)
        descriptions = {
            "count": "How many results match in all.",
            "next": "URL of the next page, or null on the last page.",
            "previous": "URL of the previous page, or null on the first page.",
            "results": "This page's results.",
        }
        for name, description in descriptions.items():
            envelope["properties"][name]["description"] = description
        return envelope
