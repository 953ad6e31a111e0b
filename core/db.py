"""Report reads on a read replica, when one is configured (docs/decisions/0016).

Inside ``reports_read()`` every read the ORM makes goes to ``settings.REPORTS_READ_DATABASE`` (the
alias ``"replica"`` when ``DATABASE_REPLICA_URL`` is set); outside it, and for every write
anywhere, the primary ``"default"``. The report views open it around their body, so the selectors
they call (reports.selectors, reports.tables, reports.excel) need no ``using()`` of their own and
cannot route a write to the replica by mistake.

A context variable, not a thread-local flag: it is per request under threads and under asyncio
alike, and ``reset`` restores the outer value, so nesting is harmless.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


@contextmanager
def reports_read() -> Iterator[None]:
    """Send the ORM's reads to the report database while inside (a decorator too)."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


@contextmanager
def on_primary() -> Iterator[None]:
    """Read from the primary while inside, even within ``reports_read()``: for what reads in
    order to write, like the fold of the report aggregates (reports.aggregates), which must
    count the forms the primary holds, not a replica that may lag behind it."""
    token = _reading_reports.set(False)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def report_db() -> str:
    """The alias report reads use here: the replica inside ``reports_read()`` when one is
    configured, else the primary."""
    replica: str | None = getattr(settings, "REPORTS_READ_DATABASE", None)
    if replica and _reading_reports.get():
        return replica
    return DEFAULT_DB_ALIAS


class ReportReplicaRouter:
    """Reads inside ``reports_read()`` to the replica; everything else to the primary.

    Writes name ``default`` explicitly: left to Django, a row read from the replica would be
    saved back through the alias it came from.
    """

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return report_db()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: a unit read from one may be assigned to a
        # household read from the other.
        aliases = {DEFAULT_DB_ALIAS, getattr(settings, "REPORTS_READ_DATABASE", None)}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # The replica follows the primary's schema by replication, never by `migrate`.
        return db == DEFAULT_DB_ALIAS
