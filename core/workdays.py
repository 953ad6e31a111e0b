"""Working days in Vietnam: Monday to Friday, less the public holidays (Tết by the lunar calendar
included) as the `holidays` package knows them (Bộ luật Lao động 2019, Điều 112, and the yearly
substitute days off). A well-kept package rather than a list of our own: Tết moves every year and
the Government announces substitute days that a hand-written list would miss.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _holidays_of(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("VN", years=year, language="vi").items())


def holiday_name(day: date) -> str | None:
    """The public holiday's Vietnamese name, or None on an ordinary day."""
    return _holidays_of(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


@dataclass(frozen=True)
class WorkingPeriod:
    """`days` working days counted from `first` (included when it is a working day) to `last`."""

    first: date
    last: date
    days: int
    skipped_holidays: tuple[tuple[date, str], ...]


def working_period(start: date, days: int) -> WorkingPeriod:
    """The period of `days` working days that begins on `start` (or the next working day)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    skipped: list[tuple[date, str]] = []
    current = start
    counted = 0
    first = None
    while True:
        name = holiday_name(current)
        if current.weekday() < 5 and name is None:
            counted += 1
            first = first or current
            if counted == days:
                break
        elif name is not None and current.weekday() < 5:
            skipped.append((current, name))
        current += timedelta(days=1)
    return WorkingPeriod(first=first, last=current, days=days, skipped_holidays=tuple(skipped))


def add_working_days(start: date, days: int) -> date:
    """The date of the `days`-th working day counting from `start` (included if a working day)."""
    return working_period(start, days).last
