"""Integrity watch, finding 2: households bunched at a cut-off of the poverty standard.

Where forms are filled to reach a result, households pile up just on one side of a line: incomes
written a little under the poverty line so that a household qualifies for benefits, or a little
over it so that it leaves poverty and the commune meets its target. A smooth distribution of
incomes has no reason to jump at a legal line; a jump is worth a second look.

For each cut-off of the round's standard (read from the standard's classification rules, never
typed here), each unit (the province and each of its districts, or a district, or a commune) and
each area whose line differs (urban, rural), the values near the cut-off are tested with the
manipulation test of Cattaneo, Jansson and Ma (local polynomial density estimators, "Simple
Local Polynomial Density Estimators", JASA 115(531), 2020; "Manipulation testing based on density
discontinuity", Stata Journal 18(1), 2018), as implemented by their `rddensity` package
(decision 0013). The test runs only where both sides hold enough households; otherwise the record
says how many there were and how many are needed.

What counts: `basis="submitted"` (the default) reads every form submitted this round and not sent
back, approved or not. Bunching is made while forms are filled, so the running review is where it
shows and where a second look can still change the list; the approved list (`basis="approved"`) is
a subset read after the decision, when a question comes late. Results brought in from last year's
decision (`imported`) carry no answers and are left out.

Queries: one for the communes under the unit (their district and area), one for the values of
every cut-off variable near its cut-offs (commune, income per person, income score), and one per
finding for the households listed in it (findings are few). Never a query per district.
"""

from __future__ import annotations

import math
import warnings
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import FloatField, Q
from django.db.models.functions import Cast
from django.utils.html import escape

from areas.models import AdminUnit
from survey.engine import Standard, format_number_vi, get_standard
from survey.engine import rules as R
from survey.models import ReviewRound, SurveyResponse

from .types import DensityTestRecord, Finding

# --- Thresholds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BunchingThresholds:
    """What decides whether a test runs and whether it becomes a finding.

    Overridable from the Django setting `INTEGRITY_BUNCHING` (a dict with any of these keys). The
    figures behind the defaults are from simulations with `rddensity` 3.0 on smooth log-normal
    incomes around a 1.500.000 đồng line (tests/test_integrity_bunching.py and decision 0013).
    """

    # Households needed on EACH side of the cut-off inside the window. Below about 500 in the
    # window the test cannot see even a doubling of the households just under the line (simulated
    # power under 10 %); a run there would read as "clean" when it is only blind. Say "too few".
    min_per_side: int = 250
    # Half-width of the window around a cut-off, as a share of the cut-off's value (±30 %:
    # 1.050.000–1.950.000 around 1.500.000). The bandwidths the test chooses on realistic incomes
    # are 15–20 % of the line, so the window holds them; a wider window reaches other lines. A
    # window stops halfway to a neighbouring cut-off of the same variable and area.
    window: float = 0.30
    # Significance of one test. A province runs some 20–60 tests (units × cut-offs × areas). In
    # 30 simulated clean provinces (1.320 tests) p < 0.01 came up in 0,4 % of tests, so at 0.01
    # about one clean province in six would raise a question; at 0.001 (0,15 % of tests) about
    # one in fifteen. The price: a 30 % excess in the 5 % band under the line is found 16 times
    # in 20 with 50.000 households near it (0.01: 19), a 50 % excess 18 in 20 with 20.000.
    alpha: float = 0.001
    # The estimated density on the heavier side must exceed the other by this factor. At province
    # size a tiny, harmless step (incomes rounded to round numbers) can be "significant"; an
    # inspector's visit is for a step of 20 % or more.
    min_density_ratio: float = 1.2
    # The band whose households a finding lists, as a share of the cut-off's value (5 %: the
    # households with 1.425.000–1.500.000 đồng under a 1.500.000 line), where moved households land.
    band: float = 0.05
    # Households listed by name of public id in one finding; the count in the band is always given.
    max_listed: int = 200
    # Values one test reads at most; beyond, a fixed-seed random sample of this many (the counts
    # and the histogram still read all). With 100.000 near the line a 30 % excess in the 5 % band
    # is found 19 times in 20; a call costs 60 ms at 100.000, 0,3 s at 300.000, 1,4 s at 1.000.000.
    max_values: int = 100_000
    # Bars on each side of the cut-off in the histogram.
    bins_per_side: int = 15

    @classmethod
    def from_settings(cls) -> BunchingThresholds:
        overrides = getattr(settings, "INTEGRITY_BUNCHING", None) or {}
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"INTEGRITY_BUNCHING: unknown keys {sorted(unknown)}")
        return replace(cls(), **overrides)


# --- Cut-offs of a standard ---------------------------------------------------------------------

# The continuous evidence a density test applies to, and the field that holds it on a response.
CONTINUOUS_FACTS = {"income_per_capita": "income_per_capita", "income_score": "income_score"}
# Counts of deprivations decide too, but take a handful of whole values (0–12): a density test
# for a continuous variable says nothing there. They are listed, skipped, with this reason.
DISCRETE_FACTS = ("deprivation_count", "deprivation_score")
FACT_LABELS = {
    "income_per_capita": "thu nhập bình quân đầu người",
    "income_score": "điểm ước lượng thu nhập (điểm A)",
    "deprivation_count": "số chỉ số thiếu hụt",
    "deprivation_score": "điểm thiếu hụt (điểm B)",
}
AREA_VI = {"urban": "thành thị", "rural": "nông thôn"}
RESULT_VI = {
    "poor": "hộ nghèo",
    "near_poor": "hộ cận nghèo",
    "average": "hộ có mức sống trung bình",
    "not_poor": "không nghèo",
}
DISCRETE_REASON = (
    "Không kiểm định: {fact} chỉ nhận vài giá trị nguyên, kiểm định mật độ tại ngưỡng "
    "chỉ áp dụng cho giá trị liên tục."
)


@dataclass(frozen=True)
class Cutoff:
    """One line of the standard that decides a class, in one area (or all areas alike)."""

    key: str  # "income_per_capita:poverty_income_line:rural"
    fact: str
    param: str
    area: str | None  # None: the same value in every area
    value: float
    unit_vi: str
    label_vi: str
    # The side where a household gets the class(es) the line grants: "below" for `le`/`lt`.
    qualifying_side: str
    # Whether the value itself belongs to the left (lower) side: `le` and `gt` put it there.
    value_on_left: bool
    classes: tuple[str, ...]  # the results of the rules that test this line on the qualifying side
    verified: bool

    @property
    def split(self) -> float:
        """The point the test splits at: just above the value when the value is on the left."""
        return self.value + _tiny(self.value) if self.value_on_left else self.value

    @property
    def continuous(self) -> bool:
        return self.fact in CONTINUOUS_FACTS

    @property
    def classes_vi(self) -> str:
        return ", ".join(RESULT_VI[c] for c in self.classes)


def _tiny(value: float) -> float:
    # Far below the resolution of any value (1 đồng, 0,1 point), far above float rounding.
    return 1e-9 * max(1.0, abs(value))


def _leaves(condition: R.Condition | None) -> Iterator[R.Leaf]:
    if condition is None:
        return
    if isinstance(condition, R.Leaf):
        yield condition
    elif isinstance(condition, R.AllOf | R.AnyOf | R.CountOf):
        for part in condition.parts:
            yield from _leaves(part)
    elif isinstance(condition, R.NotOf | R.OverMembers):
        yield from _leaves(condition.part)


def cutoffs(standard: Standard) -> list[Cutoff]:
    """The cut-offs that decide a class under `standard`, from its rules in force.

    Each parameter a rule in force compares an income, a score or a deprivation count with, per
    area (one entry when urban and rural share the value). The side that qualifies is the side of
    the first rule testing it (rules are ordered poor first). A parameter the data marks unverified
    is used, and the cut-off says so (`verified=False`).
    """
    rules = [r for path in standard.paths.values() if path.available for r in path.rules]
    rules += list(standard.average_rules)
    found: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for rule in rules:
        if not rule.in_force:
            continue
        for leaf in _leaves(rule.condition):
            if leaf.param is None or leaf.fact not in (*CONTINUOUS_FACTS, *DISCRETE_FACTS):
                continue
            op, classes = found.setdefault((leaf.fact, leaf.param), (leaf.op, []))
            qualifying = leaf.op in ("le", "lt") if op in ("le", "lt") else leaf.op in ("ge", "gt")
            if qualifying and rule.result not in classes and rule.result != "not_poor":
                classes.append(rule.result)
    out: list[Cutoff] = []
    for (fact, param_key), (op, classes) in found.items():
        param = standard.parameters[param_key]
        by_area = {area: param.for_area(area) for area in ("rural", "urban")}
        if by_area["rural"].value == by_area["urban"].value:
            groups: list[tuple[str | None, Any]] = [(None, by_area["rural"])]
        else:
            groups = list(by_area.items())
        for area, sourced in groups:
            if sourced.value is None:
                continue
            value = float(sourced.value)
            where = f" ({AREA_VI[area]})" if area else ""
            out.append(
                Cutoff(
                    key=f"{fact}:{param_key}" + (f":{area}" if area else ""),
                    fact=fact,
                    param=param_key,
                    area=area,
                    value=value,
                    unit_vi=param.unit,
                    label_vi=f"{param.label_vi}{where}: {format_number_vi(value)} {param.unit}",
                    qualifying_side="below" if op in ("le", "lt") else "above",
                    value_on_left=op in ("le", "gt"),
                    classes=tuple(classes),
                    verified=sourced.verified,
                )
            )
    return out


def _window(cut: Cutoff, all_cuts: Sequence[Cutoff], width: float) -> tuple[float, float]:
    """[low, high] around the cut-off, stopping halfway to a neighbouring cut-off of the same
    variable in the same area."""
    low, high = cut.value * (1 - width), cut.value * (1 + width)
    for other in all_cuts:
        if other.fact != cut.fact or other.value == cut.value:
            continue
        if other.area is not None and cut.area is not None and other.area != cut.area:
            continue
        middle = (cut.value + other.value) / 2
        if other.value < cut.value:
            low = max(low, middle)
        else:
            high = min(high, middle)
    return low, high


# --- The test -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DensityTest:
    statistic: float
    p_value: float
    density_left: float
    density_right: float


def density_test(values: np.ndarray, split: float) -> DensityTest:
    """Cattaneo–Jansson–Ma's test of a jump of the density at `split` (values < split are left).

    `rddensity` with its defaults (local quadratic, triangular kernel, bandwidth chosen by the
    data, jackknife variance, robust bias-corrected statistic, mass points adjusted); the
    binomial tests it also runs are switched off (unused). Imported here: the package loads
    plotting libraries it needs only for its plots (about 1 s), which the web process should pay
    only when a report asks.
    """
    with warnings.catch_warnings():
        # rddensity sets a global FutureWarning filter on import and warns on small samples;
        # keep both inside this call.
        warnings.simplefilter("ignore")
        from rddensity import rddensity

        result = rddensity(np.asarray(values, dtype=float), c=split, bino_flag=False)
    return DensityTest(
        statistic=float(result.test["t_jk"]),
        p_value=float(result.test["p_jk"]),
        density_left=float(result.hat["left"]),
        density_right=float(result.hat["right"]),
    )


def density_ratio(test: DensityTest) -> float:
    """Heavier side over lighter side (≥ 1); infinite when an estimate is not positive."""
    low, high = sorted((test.density_left, test.density_right))
    return high / low if low > 0 else math.inf


def is_bunching(test: DensityTest, thresholds: BunchingThresholds) -> bool:
    return test.p_value < thresholds.alpha and density_ratio(test) >= thresholds.min_density_ratio


def histogram(
    values: np.ndarray, cut: Cutoff, low: float, high: float, bins_per_side: int
) -> list[tuple[float, float, int]]:
    """Bars of equal width on both sides, one edge at the cut-off (the value itself falls on its
    side). Whole-number variables get whole-number widths, so no bar holds one value more."""
    step = max(cut.value - low, high - cut.value) / bins_per_side
    if cut.fact == "income_per_capita" or cut.fact == "income_score":
        step = max(1.0, float(round(step)))
    left = math.ceil((cut.value - low) / step - 1e-9)
    right = math.ceil((high - cut.value) / step - 1e-9)
    # The outer bars stop at the window: a bar half outside it would look like a dip.
    nominal = np.clip(cut.value + step * np.arange(-left, right + 1), low, high)
    edges = nominal + (cut.split - cut.value)
    counts, _ = np.histogram(values, bins=edges)
    return [(float(nominal[i]), float(nominal[i + 1]), int(counts[i])) for i in range(len(counts))]


# --- The report ---------------------------------------------------------------------------------


@dataclass
class UnitValues:
    """The window values of one cut-off variable: per response, its unit index and area."""

    district: np.ndarray  # index into the unit list, -1 when outside every child unit
    commune: np.ndarray  # commune pk
    urban: np.ndarray  # bool
    values: np.ndarray  # float


def _tested_units(unit: AdminUnit) -> list[AdminUnit]:
    if unit.level == AdminUnit.Level.PROVINCE:
        return [unit, *AdminUnit.objects.filter(parent=unit).order_by("path")]
    if unit.level in (AdminUnit.Level.DISTRICT, AdminUnit.Level.COMMUNE):
        return [unit]
    raise ValueError("bunching_report runs for a province, a district or a commune")


def bunching_report(
    review_round: ReviewRound,
    unit: AdminUnit,
    *,
    basis: str = "submitted",
    thresholds: BunchingThresholds | None = None,
) -> tuple[list[Finding], list[DensityTestRecord]]:
    """Bunching tests at every cut-off of the round's standard for `unit` and, for a province,
    each of its child units (districts, or communes on a tree without districts).

    Returns the findings (kind "bunching": a question for a second look, never a verdict) and a
    record of every test, run or skipped with its reason.
    """
    from reports.selectors import AREA_KINDS, COUNTED

    if basis not in COUNTED:
        raise ValueError(f"basis must be one of {sorted(COUNTED)}")
    t = thresholds or BunchingThresholds.from_settings()
    standard = get_standard(review_round.standard_code)
    cuts = cutoffs(standard)
    units = _tested_units(unit)
    index = {u.pk: i for i, u in enumerate(units)}

    # The communes under the unit: their child unit (district or the commune itself) and area.
    if unit.level == AdminUnit.Level.COMMUNE:
        communes = [(unit.pk, unit.parent_id, unit.kind)]
    else:
        communes = list(
            AdminUnit.objects.filter(
                path__startswith=unit.path, level=AdminUnit.Level.COMMUNE
            ).values_list("pk", "parent_id", "kind")
        )
    urban_kinds = AREA_KINDS["urban"]
    commune_child = {}
    commune_urban = {}
    # The areas each tested unit has communes in: a line of an area the unit lacks is not tested.
    unit_areas: list[set[str]] = [set() for _ in units]
    for pk, parent_id, kind in communes:
        child: int | None = pk if pk in index else parent_id
        commune_child[pk] = index.get(child, -1) if child not in (None, unit.pk) else -1
        commune_urban[pk] = kind in urban_kinds
        area = "urban" if kind in urban_kinds else "rural"
        unit_areas[0].add(area)
        if commune_child[pk] >= 0:
            unit_areas[commune_child[pk]].add(area)

    windows = {c.key: _window(c, cuts, t.window) for c in cuts if c.continuous}
    data = _fetch(review_round, unit, COUNTED[basis], cuts, windows, commune_child, commune_urban)

    findings, records = run_tests(units, unit_areas, cuts, windows, data, t)
    findings = _with_households(findings, review_round, COUNTED[basis], t)
    return findings, records


def run_tests(
    units: Sequence[Any],
    unit_areas: Sequence[set[str]],
    cuts: Sequence[Cutoff],
    windows: dict[str, tuple[float, float]],
    data: dict[str, UnitValues],
    t: BunchingThresholds,
) -> tuple[list[Finding], list[DensityTestRecord]]:
    """Every test, on values already fetched (no query): `units[0]` is the unit asked for, with
    every value; `units[i]` the child whose values have `district == i`. The findings come
    without their households (`_with_households` reads them)."""
    records: list[DensityTestRecord] = []
    findings: list[Finding] = []
    for u_index, u in enumerate(units):
        for cut in cuts:
            if cut.area is not None and cut.area not in unit_areas[u_index]:
                continue
            if not cut.continuous:
                records.append(
                    DensityTestRecord(
                        unit=u,
                        cutoff=cut.key,
                        cutoff_label=cut.label_vi,
                        cutoff_value=cut.value,
                        n_left=0,
                        n_right=0,
                        skipped=DISCRETE_REASON.format(fact=FACT_LABELS[cut.fact]),
                    )
                )
                continue
            record, finding = _test_one(u, u_index, cut, data[cut.fact], windows[cut.key], t)
            records.append(record)
            if finding is not None:
                findings.append(finding)
    return findings, records


def _fetch(
    review_round: ReviewRound,
    unit: AdminUnit,
    statuses: list[str],
    cuts: list[Cutoff],
    windows: dict[str, tuple[float, float]],
    commune_child: dict[int, int],
    commune_urban: dict[int, bool],
) -> dict[str, UnitValues]:
    """One query for every cut-off variable: the responses with a value in some window."""
    from reports.selectors import AREA_KINDS

    near = Q()
    for cut in cuts:
        if not cut.continuous:
            continue
        low, high = windows[cut.key]
        condition = Q(**{f"{cut.fact}__gte": low, f"{cut.fact}__lte": high})
        if cut.area is not None:
            condition &= Q(commune__kind__in=sorted(AREA_KINDS[cut.area]))
        near |= condition
    facts = [f for f in CONTINUOUS_FACTS if any(c.fact == f for c in cuts)]
    empty = {f: UnitValues(*(np.empty(0, dtype=d) for d in (int, int, bool, float))) for f in facts}
    if not facts:
        return empty
    where = Q(review_round=review_round, status__in=statuses, imported=False)
    if unit.level == AdminUnit.Level.DISTRICT:
        where &= Q(commune__parent=unit)
    elif unit.level == AdminUnit.Level.COMMUNE:
        where &= Q(commune=unit)
    rows = list(
        SurveyResponse.objects.filter(where & near).values_list(
            "commune_id",
            *(Cast(f, FloatField()) if f == "income_score" else f for f in facts),  # type: ignore[misc]
        )
    )
    if not rows:
        return empty
    communes = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    child_of = np.vectorize(lambda pk: commune_child.get(pk, -1), otypes=[np.int64])
    urban_of = np.vectorize(lambda pk: commune_urban.get(pk, False), otypes=[bool])
    unique, inverse = np.unique(communes, return_inverse=True)
    district = child_of(unique)[inverse] if len(unique) else np.empty(0, dtype=np.int64)
    urban = urban_of(unique)[inverse] if len(unique) else np.empty(0, dtype=bool)
    out = {}
    for column, fact in enumerate(facts, start=1):
        raw = np.array([r[column] if r[column] is not None else np.nan for r in rows], dtype=float)
        keep = ~np.isnan(raw)
        out[fact] = UnitValues(district[keep], communes[keep], urban[keep], raw[keep])
    return out


def _test_one(
    unit: AdminUnit,
    u_index: int,
    cut: Cutoff,
    data: UnitValues,
    window: tuple[float, float],
    t: BunchingThresholds,
) -> tuple[DensityTestRecord, Finding | None]:
    low, high = window
    mask = (data.values >= low) & (data.values <= high)
    if u_index > 0:
        mask &= data.district == u_index
    if cut.area is not None:
        mask &= data.urban == (cut.area == "urban")
    values = data.values[mask]
    n_left = int(np.count_nonzero(values < cut.split))
    n_right = len(values) - n_left
    base = DensityTestRecord(
        unit=unit,
        cutoff=cut.key,
        cutoff_label=cut.label_vi,
        cutoff_value=cut.value,
        n_left=n_left,
        n_right=n_right,
        histogram=histogram(values, cut, low, high, t.bins_per_side),
    )
    if not len(values):
        reason = f"Không có hộ nào có {FACT_LABELS[cut.fact]} gần ngưỡng."
        return replace(base, histogram=[], skipped=reason), None
    if min(n_left, n_right) < t.min_per_side:
        return replace(
            base,
            skipped=(
                f"Quá ít hộ gần ngưỡng (n trái = {n_left}, n phải = {n_right}; "
                f"cần ít nhất {t.min_per_side} mỗi bên)"
            ),
        ), None
    tested = values
    if len(values) > t.max_values:
        # Fixed seed: the same data give the same p-value on every run.
        rng = np.random.default_rng(zlib.crc32(f"{unit.code}:{cut.key}".encode()))
        tested = rng.choice(values, size=t.max_values, replace=False)
    try:
        test = density_test(tested, cut.split)
    except Exception as error:  # the package raises bare Exception on data it cannot fit
        return replace(base, skipped=f"Không kiểm định được: {error}"), None
    if not (math.isfinite(test.statistic) and math.isfinite(test.p_value)):
        return replace(base, skipped="Không kiểm định được: ước lượng mật độ không xác định."), None
    record = replace(base, statistic=test.statistic, p_value=test.p_value)
    if not is_bunching(test, t):
        return record, None
    # Forms with exactly the line's value: a pile there is the plainest sign, or round numbers.
    at_value = int(np.count_nonzero(values == cut.value))
    return record, _finding(
        unit, cut, test, record, window, t, tested=len(tested), at_value=at_value
    )


def _finding(
    unit: AdminUnit,
    cut: Cutoff,
    test: DensityTest,
    record: DensityTestRecord,
    window: tuple[float, float],
    t: BunchingThresholds,
    *,
    tested: int,
    at_value: int,
) -> Finding:
    side = "below" if test.density_left > test.density_right else "above"
    width = cut.value * t.band
    band = (cut.value - width, cut.value) if side == "below" else (cut.value, cut.value + width)
    ratio = density_ratio(test)
    fact = FACT_LABELS[cut.fact]
    unit_vi = cut.unit_vi
    where = f", khu vực {AREA_VI[cut.area]}" if cut.area else ""
    qualifies = side == cut.qualifying_side
    if qualifies:
        why = (
            f"Dồn hộ ở phía này có thể là dấu hiệu {fact} được ghi để hộ được xếp vào "
            f"diện {cut.classes_vi} và hưởng chính sách."
        )
    elif {"poor", "near_poor"} & set(cut.classes):
        why = (
            f"Dồn hộ ở phía này có thể là dấu hiệu {fact} được ghi để hộ ra khỏi diện "
            f"{cut.classes_vi}, cho đạt chỉ tiêu giảm nghèo."
        )
    else:
        why = (
            f"Dồn hộ ở phía này có thể là dấu hiệu {fact} được ghi để hộ ra khỏi diện "
            f"{cut.classes_vi}."
        )
    word = "dưới" if side == "below" else "trên"
    ratio_vi = "rất nhiều" if math.isinf(ratio) else f"{format_number_vi(round(ratio, 2))} lần"
    p_vi = "p < 0,0001" if test.p_value < 0.0001 else f"p = {test.p_value:.4f}".replace(".", ",")
    explanation = (
        f"Cần xem lại, không phải kết luận sai phạm. Tại {unit.name}{where}, số hộ có {fact} ngay "
        f"{word} ngưỡng {format_number_vi(cut.value)} {unit_vi} nhiều hơn hẳn mức liền mạch "
        f"(mật độ phía {word} gấp {ratio_vi} phía bên kia; kiểm định mật độ tại ngưỡng "
        f"Cattaneo–Jansson–Ma, {p_vi}). {why} Cũng có thể có lý do thật; "
        f"nên đối chiếu phiếu của các hộ có {fact} từ {format_number_vi(band[0])} đến "
        f"{format_number_vi(band[1])} {unit_vi}."
    )
    if not cut.verified:
        explanation += " Lưu ý: giá trị ngưỡng này trong dữ liệu chuẩn nghèo chưa kiểm chứng."
    detail: dict[str, Any] = {
        "cutoff": cut.key,
        "cutoff_label": cut.label_vi,
        "cutoff_value": cut.value,
        "fact": cut.fact,
        "area": cut.area,
        "verified": cut.verified,
        "side": side,
        "on_qualifying_side": qualifies,
        "qualifies_for": list(cut.classes),
        "value_on_left": cut.value_on_left,
        "n_left": record.n_left,
        "n_right": record.n_right,
        "tested_values": tested,  # fewer than n_left + n_right when sampled (max_values)
        "at_cutoff_value": at_value,
        "statistic": test.statistic,
        "p_value": test.p_value,
        "density_left": test.density_left,
        "density_right": test.density_right,
        "density_ratio": None if math.isinf(ratio) else ratio,
        "window": list(window),
        "band": list(band),
        "alpha": t.alpha,
        "min_density_ratio": t.min_density_ratio,
    }
    return Finding(
        kind="bunching",
        unit=unit,
        households=(),
        detail=detail,
        explanation=explanation,
        key=f"bunching:{unit.code}:{cut.key}",
    )


def _band(finding: Finding) -> tuple[Q, Any]:
    """The finding's band of households (those on the heavy side of the cut-off, within the
    band, in the finding's unit and area): as a filter, and as the same test on a fetched row."""
    from reports.selectors import AREA_KINDS

    unit: AdminUnit = finding.unit
    d = finding.detail
    fact, (low, high) = d["fact"], d["band"]
    value_on_left = d["value_on_left"]
    if d["side"] == "below":
        value_q = Q(**{f"{fact}__gte": low}) & (
            Q(**{f"{fact}__lte": high}) if value_on_left else Q(**{f"{fact}__lt": high})
        )

        def in_value(v: Any) -> bool:
            return low <= v and (v <= high if value_on_left else v < high)
    else:
        value_q = Q(**{f"{fact}__lte": high}) & (
            Q(**{f"{fact}__gt": low}) if value_on_left else Q(**{f"{fact}__gte": low})
        )

        def in_value(v: Any) -> bool:
            return v <= high and (low < v if value_on_left else low <= v)

    where = value_q
    if unit.level == AdminUnit.Level.DISTRICT:
        where &= Q(commune__parent=unit)
    elif unit.level == AdminUnit.Level.COMMUNE:
        where &= Q(commune=unit)
    kinds = AREA_KINDS[d["area"]] if d["area"] is not None else None
    if kinds is not None:
        where &= Q(commune__kind__in=sorted(kinds))

    def holds(row: dict[str, Any]) -> bool:
        value = row[fact]
        if value is None or not in_value(float(value)):
            return False
        if unit.level == AdminUnit.Level.DISTRICT and row["commune__parent_id"] != unit.pk:
            return False
        if unit.level == AdminUnit.Level.COMMUNE and row["commune_id"] != unit.pk:
            return False
        return kinds is None or row["commune__kind"] in kinds

    return where, holds


def _with_households(
    findings: list[Finding], review_round: ReviewRound, statuses: list[str], t: BunchingThresholds
) -> list[Finding]:
    """The households in each finding's band, at most `max_listed` each: one query for the
    bands of every finding (they are narrow: a few percent of the values near a line), each
    finding's own picked from its rows."""
    if not findings:
        return []
    bands = [_band(finding) for finding in findings]
    either = Q()
    for where, _holds in bands:
        either |= where
    facts = sorted({finding.detail["fact"] for finding in findings})
    rows = list(
        SurveyResponse.objects.filter(
            either, review_round=review_round, status__in=statuses, imported=False
        ).values(
            "household__public_id", "commune_id", "commune__parent_id", "commune__kind", *facts
        )
    )
    result = []
    for finding, (_where, holds) in zip(findings, bands, strict=True):
        ids = sorted(str(row["household__public_id"]) for row in rows if holds(row))
        count = len(ids)
        capped = count > t.max_listed
        d = finding.detail
        detail = {
            **d,
            "band_households": count,
            "listed": min(count, t.max_listed),
            "capped": capped,
        }
        explanation = (
            finding.explanation
            + f" Có {count} hộ trong dải này"
            + (f"; danh sách chỉ ghi {t.max_listed} hộ đầu." if capped else ".")
        )
        result.append(
            replace(
                finding,
                households=tuple(ids[: t.max_listed]),
                detail=detail,
                explanation=explanation,
            )
        )
    return result


# --- The chart ----------------------------------------------------------------------------------


def histogram_svg(record: DensityTestRecord) -> str:
    """A small bar chart of the households around the cut-off, the cut-off marked by a line.

    Inline SVG as in reports/charts.py (decision 0003): no script, every text escaped, a title
    and a description listing the bars for screen readers.
    """
    width, height = 420, 180
    left, right, top, bottom = 44, 10, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    bars = record.histogram
    title = f"Phân bố số hộ quanh ngưỡng — {record.unit.name}: {record.cutoff_label}"
    if not bars:
        desc = "Không có hộ nào gần ngưỡng."
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="integrity-histogram" role="img" '
            f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="12">'
            f"{escape(desc)}</text></svg>"
        )
    start, end = bars[0][0], bars[-1][1]
    span = (end - start) or 1.0
    # Heights are households per full bar width: an outer bar cut short by the window would
    # otherwise look like a dip.
    full = max(b - a for a, b, _ in bars) or 1.0
    heights = [count * full / (b - a) if b > a else 0.0 for a, b, count in bars]
    peak = max(heights) or 1.0

    def x_of(value: float) -> float:
        return left + (value - start) / span * plot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="integrity-histogram" role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}">',
        f"<title>{escape(title)}</title>",
        "<desc>"
        + escape(
            "; ".join(
                f"{format_number_vi(a)}–{format_number_vi(b)}: {count} hộ" for a, b, count in bars
            )
        )
        + "</desc>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="#6c757d"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="10">{round(peak)}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="10">0</text>',
    ]
    for (a, b, count), bar in zip(bars, heights, strict=True):
        h = bar / peak * plot_h
        below = b <= record.cutoff_value
        parts.append(
            f'<rect x="{x_of(a) + 0.5:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{max(x_of(b) - x_of(a) - 1, 0.5):.1f}" height="{h:.1f}" '
            f'fill="{"#b02a37" if below else "#0a58ca"}"><title>'
            f"{escape(f'{format_number_vi(a)}–{format_number_vi(b)}: {count} hộ')}</title></rect>"
        )
    cx = x_of(record.cutoff_value)
    parts += [
        f'<line class="cutoff" x1="{cx:.1f}" y1="{top - 4}" x2="{cx:.1f}" y2="{top + plot_h + 4}" '
        f'stroke="#212529" stroke-width="2" stroke-dasharray="4 2"/>',
        f'<text x="{cx:.1f}" y="{height - 18}" text-anchor="middle" font-size="10">'
        f"{escape('Ngưỡng ' + format_number_vi(record.cutoff_value))}</text>",
        f'<text x="{left}" y="{height - 4}" font-size="10">'
        f"{escape(format_number_vi(start))}</text>",
        f'<text x="{left + plot_w}" y="{height - 4}" text-anchor="end" font-size="10">'
        f"{escape(format_number_vi(end))}</text>",
    ]
    if record.skipped:
        parts.append(
            f'<text x="{left + plot_w}" y="{top + 8}" text-anchor="end" font-size="10" '
            f'fill="#6c757d">{escape("Không kiểm định")}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
