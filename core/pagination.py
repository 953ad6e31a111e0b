"""A page of a list and the list's total in one query.

Django's `Paginator` counts the list (one query), then reads the page (a second). The page's
query already reads every row of the list to sort them, so `COUNT(*) OVER ()` adds the total to
its rows for next to nothing: one query instead of two on the household list (issue 14). Only a
page past the end (no rows) counts apart, and then shows the last page, as `get_page` does.
"""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

TOTAL = "_total"  # the name of the rows' total (dropped from each row)


def page_with_total(rows: QuerySet[Any, dict[str, Any]], number: Any, per_page: int) -> Page:
    """The page `number` (as `Paginator.get_page` reads it) of a `.values()` queryset."""
    try:
        wanted = max(int(number), 1)
    except (TypeError, ValueError):
        wanted = 1
    paginator = Paginator(rows, per_page)
    found = _rows(rows, wanted, per_page)
    if found:
        total = found[0][TOTAL]
    elif wanted > 1:
        total = rows.count()
    else:
        total = 0
    paginator.__dict__["count"] = total  # the cached property, known without its query
    page = paginator.get_page(wanted)
    if page.number != wanted:  # past the end: the last page
        found = _rows(rows, page.number, per_page)
    for row in found:
        del row[TOTAL]
    page.object_list = found
    return page


def _rows(rows: QuerySet[Any, dict[str, Any]], number: int, per_page: int) -> list[dict[str, Any]]:
    start = (number - 1) * per_page
    return list(rows.annotate(**{TOTAL: Window(Count("pk"))})[start : start + per_page])
