"""The numbers that decide whether something is a finding, each with its reason.

A finding asks for a second look; these thresholds decide how much must be seen before asking.
They are deliberately cautious (a false alarm costs an inspector's afternoon and a commune's
trust), and a province may change them in settings without a code change:

    INTEGRITY_THRESHOLDS = {"exit_score_margin": 3.0, "target_margin_points": 0.2}

Unknown names are an error at start-up of the report, so a typo does not silently keep a default.
"""

from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Thresholds:
    # "Unchanged" income score: within this many points of the previous round's score. The
    # income-proxy card moves in steps of several points per answer (TT 07/2021 Phụ lục), so a
    # change this small is one answer nudged, not a household whose living changed.
    exit_score_margin: Decimal = Decimal("2.0")

    # A commune's exits mean something as a share only from this many exits: with one or two, a
    # single household is 50-100 % and any comparison is noise.
    exit_min_exits: int = 3
    # And only with at least this many exits that rest on unchanged facts, a hand-entered score or
    # an override: one such exit is a household to look at, not a pattern in the commune.
    exit_min_suspicious: int = 2
    # Flag a commune when this share of its exits rests on such households, whatever its
    # neighbours do: half of a commune's exits unexplained by the facts deserves a look even when
    # the whole district does the same.
    exit_share_alone: Decimal = Decimal("0.5")
    # Or when its share is this multiple of the rest of its district's (the province's on a tree
    # without districts) and at least `exit_share_floor`: a commune standing out from its
    # neighbours, who work under the same instructions, the same prices and the same weather.
    exit_share_multiple: Decimal = Decimal("2.0")
    exit_share_floor: Decimal = Decimal("0.2")

    # "Lands on the target": a commune's poverty rate at or below the province's target by at
    # most this many percentage points. Targets are set in hundredths of a point (2.69 %); a
    # commune of 1,000 households moves 0.1 point per household, so one or two households.
    target_margin_points: Decimal = Decimal("0.10")

    # Overrides that lower a household's class and hand-entered scores: a commune is flagged when
    # its share of results resting on them is this multiple of its district's share ...
    override_share_multiple: Decimal = Decimal("2.0")
    # ... and it has at least this many such results (below that, one officer's honest judgement
    # on one family would flag a small commune).
    override_min_count: int = 3
    # ... and so many that the rest of the district's share would give as many this rarely (one
    # chance in a thousand): with a few hundred communes in a province, a looser bar flags
    # several of them every year by chance alone.
    override_chance: Decimal = Decimal("0.001")

    # Without a previous periodic round, a split counts as "near the round" when made this many
    # days before the round starts, or later: a year is the period between periodic rounds.
    split_window_days: int = 365


def thresholds() -> Thresholds:
    """The defaults, with what `settings.INTEGRITY_THRESHOLDS` (a dict) overrides."""
    overrides: dict[str, Any] = dict(getattr(settings, "INTEGRITY_THRESHOLDS", None) or {})
    known = {f.name: f for f in fields(Thresholds)}
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise ImproperlyConfigured(f"INTEGRITY_THRESHOLDS: unknown names {unknown}")
    values: dict[str, Any] = {}
    for name, value in overrides.items():
        values[name] = (
            Decimal(str(value)) if known[name].type in (Decimal, "Decimal") else int(value)
        )
    return replace(Thresholds(), **values)
