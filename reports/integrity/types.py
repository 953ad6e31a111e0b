"""What every kind of finding returns: one shape for the page, the command's JSON and the sheet."""

from dataclasses import dataclass, field
from typing import Any

KINDS = ("split", "bunching", "exit_without_change", "target_closeness", "duplicate_person")


@dataclass(frozen=True)
class Finding:
    """One signal for a second look.

    `unit` is the unit where it was seen (a commune, a district or the province). `households`
    are the public ids (UUID strings) of the households concerned, in a stable order. `detail`
    holds the facts behind it, JSON-able, with no citizen ID and no birth date. `explanation` is
    the plain Vietnamese sentence a district or provincial inspector reads: what was seen, why it
    deserves a look, and that it is a question, not an accusation. `key` identifies the finding
    across runs (kind, unit code and what it is about), so a recorded follow-up stays attached.
    """

    kind: str
    unit: Any  # areas.models.AdminUnit
    households: tuple[str, ...]
    detail: dict[str, Any]
    explanation: str
    key: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")


@dataclass(frozen=True)
class DensityTestRecord:
    """One bunching test at one cut-off in one unit: run (statistic, p-value) or skipped with
    the reason (too few households near the cut-off, …). `histogram` is [(bin start, bin end,
    households)] around the cut-off, for the chart."""

    unit: Any  # areas.models.AdminUnit
    cutoff: str  # the cut-off's key
    cutoff_label: str
    cutoff_value: float
    n_left: int
    n_right: int
    statistic: float | None = None
    p_value: float | None = None
    skipped: str | None = None
    histogram: list[tuple[float, float, int]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        base: dict[str, Any] = {"unit": self.unit.code, "cutoff": self.cutoff}
        if self.skipped:
            return {**base, "skipped": self.skipped}
        return {
            **base,
            "n_left": self.n_left,
            "n_right": self.n_right,
            "statistic": self.statistic,
            "p_value": self.p_value,
        }
