"""Pages of search results, counted only as far as anyone reads.

Counting every match of a broad search costs as much as the search itself (a COUNT over 900,000 rows
is half a second), and no reader pages through thousands of results: the count is exact up to
`SEARCH_COUNT_LIMIT` and stops there, saying so in `count_is_exact`. The API and the web pages take
their pages from here, so that both count and page a search alike.
"""

from django.conf import settings
from django.core.paginator import EmptyPage, InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Far past any real reading (100,000 pages of 100 is ten times the largest directory measured), and it
# keeps page offsets and the search's read sizes within what databases take in a LIMIT.
MAX_PAGE = 100_000


class PageNotFound(Exception):
    """A page number past the last result; the message says which and how many there are."""


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


def page_of(rows, number: int, size: int) -> Page:
    """Page `number` (from 1) of `size` rows; `PageNotFound` past the end (page 1 always exists)."""
    paginator = CappedCountPaginator(rows, size, settings.SEARCH_COUNT_LIMIT)
    try:
        return paginator.page(number)
    except InvalidPage:
        if not paginator.count_is_exact:
            raise PageNotFound(f"Page {number} is past the last result.") from None
        raise PageNotFound(f"Page {number} does not exist; there are {paginator.num_pages}.") from None


def rows_needed(number: int, size: int) -> int:
    """How many leading results page `number` and the capped count can use: a search may stop there."""
    return max(settings.SEARCH_COUNT_LIMIT, number * size) + 1


def rows_on_page(number: int, size: int) -> int:
    """How many leading results page `number` and the "is there a next page" test use."""
    return number * size + 1
