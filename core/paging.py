"""A page of a list too long to count: "previous" and "next" without a total.

Django's `Paginator` runs an exact `COUNT(*)` of the whole list for its page count. Over the
households of a province (a million rows) that count reads them all on every page. Here the page
reads one row more than it shows: if that row is there, there is a next page. Lists of a commune
or a village, a few thousand rows, keep Django's paginator and its exact count.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import QuerySet


class UncountedPage:
    """What `includes/pagination.html` reads of a Django `Page`, without the paginator (None:
    the template shows the page number alone)."""

    paginator = None

    def __init__(self, object_list: Sequence[Any], number: int, has_next: bool) -> None:
        self.object_list = object_list
        self.number = number
        self._has_next = has_next

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(value: str | None) -> int:
    """The page asked for: a positive whole number, anything else is the first page."""
    try:
        number = int(value or "1")
    except ValueError:
        return 1
    return max(number, 1)


def uncounted_page(queryset: QuerySet[Any], number: str | None, per_page: int) -> UncountedPage:
    """One page of an ordered queryset in one query (LIMIT per_page + 1 OFFSET ...)."""
    page = page_number(number)
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return UncountedPage(rows[:per_page], page, len(rows) > per_page)
