"""Poverty standards: the data-file format, its loader and validator, and the registry by year.

One YAML file per period in ``survey/standards/`` (see ``survey/standards/README.md`` for the
format). A file is validated completely when loaded; any problem raises StandardFileError naming
the file and the field. Loaded standards are cached (keyed by path and modification time) and
their rules compiled once (see rules.py).
"""

from __future__ import annotations

import functools
import os
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import yaml

from survey.engine import rules as R
from survey.engine._reader import Node
from survey.engine.errors import StandardFileError, UnknownStandardError, YearNotCoveredError
from survey.engine.facts import AREA_LABELS_VI, AREAS
from survey.engine.scorecard import (
    CARD_STATUSES,
    MissingItem,
    ScoreCard,
    ScoreCardInvalidError,
    absent_score_card,
    build_score_card,
)

FORMAT_VERSION: Final = 1
STANDARDS_DIR: Final = Path(__file__).resolve().parent.parent / "standards"
RESULTS: Final = ("poor", "near_poor", "average", "not_poor")
PATHS: Final = ("score", "income")
CONFIDENCES: Final = ("verbatim", "secondary", "inferred", "recalled", "not_found", "convention")
# Placeholders a reason template may use besides the standard's parameter keys.
REASON_FIELDS: Final = frozenset(
    {
        "income_score",
        "income_per_capita",
        "deprivation_score",
        "deprivation_count",
        "area_vi",
    }
)
_PROVENANCE_FIELDS: Final = ("verified", "confidence", "basis", "sources", "note")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fact comes from and whether it was checked against the instrument's text."""

    verified: bool
    confidence: str
    basis: str | None = None
    sources: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SourcedValue:
    value: int | float | None
    provenance: Provenance

    @property
    def verified(self) -> bool:
        return self.provenance.verified


@dataclass(frozen=True, slots=True)
class Parameter:
    """A legal number (income line, score threshold...), per area, each with its provenance."""

    key: str
    label_vi: str
    unit: str
    rural: SourcedValue
    urban: SourcedValue

    def for_area(self, area: str) -> SourcedValue:
        return self.rural if area == "rural" else self.urban


@dataclass(frozen=True, slots=True)
class LegalInstrument:
    key: str
    number: str
    title_vi: str
    role_vi: str
    issued: str | None
    effective: str | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    label_vi: str
    dimension: str
    threshold_vi: str | None
    condition: R.Condition | None  # None: answered directly by the officer
    guidance_vi: str | None
    provenance: Provenance
    # The indicator is about the household's children (the children's table of the reports).
    concerns_children: bool = False

    @property
    def answered_directly(self) -> bool:
        return self.condition is None

    def describe_rule(self) -> str:
        if self.condition is None:
            return "Cán bộ trả lời trực tiếp (chưa có quy tắc tính từ dữ kiện)"
        return R.describe_condition(self.condition)


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    label_vi: str
    indicators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """A classification rule: the first rule whose ``condition`` holds gives ``result``."""

    key: str
    result: str
    label_vi: str
    reason_vi: str
    legal_basis: str
    condition: R.Condition | None  # None for a path's ``otherwise`` rule
    in_force: bool
    not_in_force_reason_vi: str | None
    verified_by_area: Mapping[str, bool]
    provenance: Provenance
    params: tuple[str, ...]
    evidence: frozenset[str]


@dataclass(frozen=True, slots=True)
class ClassificationPath:
    name: str
    label_vi: str
    available: bool
    unavailable_reason_vi: str | None
    legal_basis: str
    rules: tuple[Rule, ...]
    otherwise: Rule | None


@dataclass(frozen=True, slots=True)
class Decider:
    """A path compiled for one area: ``fn`` returns an index into ``rules`` (-1 = otherwise)."""

    fn: R.DecideFn
    rules: tuple[Rule, ...]  # candidates in order, then the otherwise rule last
    unverified: tuple[tuple[str, ...], ...]  # per entry of ``rules``
    # The same, plus the unverified indicator rules, for households whose deprivations were
    # derived from facts (precomputed: merging per household would cost more than deciding).
    unverified_derived: tuple[tuple[str, ...], ...]
    source: str


# eq=False: a standard is a cached singleton; identity is its equality (and it stays hashable).
@dataclass(frozen=True, eq=False)
class Standard:
    code: str
    version: int
    title_vi: str
    title_en: str | None
    period: str
    review_years: tuple[int, ...]
    review_years_provenance: Provenance
    area_labels_vi: Mapping[str, str]
    legal_basis: tuple[LegalInstrument, ...]
    sources: Mapping[str, str]
    parameters: Mapping[str, Parameter]
    dimensions: tuple[Dimension, ...]
    indicators: tuple[Indicator, ...]
    paths: Mapping[str, ClassificationPath]
    average_rules: tuple[Rule, ...]
    deprivation_points_param: str
    score_card: ScoreCard
    file: str
    notes_vi: str | None = None
    # Compiled at load time; not part of the data.
    deprivation_points: int = field(default=10, repr=False)
    indicator_keys: tuple[str, ...] = field(default=(), repr=False)
    indicator_index: Mapping[str, int] = field(default_factory=dict, repr=False)
    direct_indicators: frozenset[str] = field(default=frozenset(), repr=False)
    member_facts_used: tuple[str, ...] = field(default=(), repr=False)
    household_facts_used: tuple[str, ...] = field(default=(), repr=False)
    derive_fn: R.DeriveFn | None = field(default=None, repr=False, compare=False)
    derive_source: str = field(default="", repr=False, compare=False)
    deciders: Mapping[tuple[str, str], Decider] = field(
        default_factory=dict, repr=False, compare=False
    )
    unverified_indicator_rules: tuple[str, ...] = field(default=(), repr=False)

    def indicator(self, key: str) -> Indicator:
        return self.indicators[self.indicator_index[key]]

    def parameter_value(self, key: str, area: str) -> int | float | None:
        return self.parameters[key].for_area(area).value

    @property
    def verified(self) -> bool:
        """True only if nothing this standard applies rests on unverified data."""
        return not self.unverified_items()

    def unverified_items(self) -> tuple[str, ...]:
        """Keys of everything in force that is not verified (for an "unverified" banner)."""
        out: list[str] = []
        if not self.review_years_provenance.verified:
            out.append("review_years")
        for p in self.parameters.values():
            if not (p.rural.verified and p.urban.verified):
                out.append(f"parameter:{p.key}")
        for path in self.paths.values():
            if not path.available:
                out.append(f"path:{path.name}")
                continue
            for rule in (*path.rules, *((path.otherwise,) if path.otherwise else ())):
                if rule.in_force and not all(rule.verified_by_area.values()):
                    out.append(f"rule:{rule.key}")
        for rule in self.average_rules:
            if not rule.in_force or not all(rule.verified_by_area.values()):
                out.append(f"rule:{rule.key}")
        out.extend(f"indicator:{k}" for k in self.unverified_indicator_rules)
        if not (self.score_card.verified and self.score_card.status == "complete"):
            out.append("score_card")
        return tuple(dict.fromkeys(out))

    def item_label(self, key: str) -> str | None:
        """The standard's own Vietnamese label for a key of `unverified_items` ("parameter:x").

        None for the keys without one in the data ("review_years", "score_card"): the caller
        names those, and for an unknown key.
        """
        kind, _, name = key.partition(":")
        if kind == "parameter" and name in self.parameters:
            return self.parameters[name].label_vi
        if kind == "indicator" and name in self.indicator_index:
            return self.indicator(name).label_vi
        if kind == "path" and name in self.paths:
            return self.paths[name].label_vi
        if kind == "rule":
            rules: list[Rule] = [*self.average_rules]
            for path in self.paths.values():
                rules.extend((*path.rules, *((path.otherwise,) if path.otherwise else ())))
            return next((rule.label_vi for rule in rules if rule.key == name), None)
        return None


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key given twice in one mapping (PyYAML keeps the last silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        seen.add(key)
    return dict(loader.construct_pairs(node))


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _provenance(fields: Mapping[str, Node], sources: Mapping[str, str]) -> Provenance:
    if "verified" not in fields or "confidence" not in fields:
        missing = [k for k in ("verified", "confidence") if k not in fields]
        any_node = next(iter(fields.values()))
        parent = any_node.path.rsplit(".", 1)[0]
        raise StandardFileError(
            any_node.file, parent, f"missing provenance field(s): {', '.join(missing)}"
        )
    verified = fields["verified"].flag()
    confidence = fields["confidence"].text()
    if confidence not in CONFIDENCES:
        raise fields["confidence"].error(
            f"unknown confidence (use one of {', '.join(CONFIDENCES)})"
        )
    if verified and confidence not in ("verbatim", "secondary"):
        raise fields["verified"].error(
            f"a {confidence} fact cannot be verified; only verbatim or secondary ones can"
        )
    refs: tuple[str, ...] = ()
    if "sources" in fields:
        refs = fields["sources"].texts()
        for i, ref in enumerate(refs):
            if ref not in sources:
                raise fields["sources"].child(ref, i).error(f"unknown source id {ref!r}")
    if confidence in ("verbatim", "secondary") and not refs:
        raise (fields.get("sources") or fields["confidence"]).error(
            f"a {confidence} fact must name at least one source"
        )
    basis = fields["basis"].opt_text() if "basis" in fields else None
    note = fields["note"].opt_text() if "note" in fields else None
    return Provenance(verified, confidence, basis, refs, note)


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = path.name
        self.sources: Mapping[str, str] = {}
        self.params: dict[str, Parameter] = {}

    def load(self) -> Standard:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise StandardFileError(self.file, "", f"cannot read file: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise StandardFileError(self.file, "", f"not UTF-8 text: {exc}") from exc
        try:
            data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
        except yaml.YAMLError as exc:
            raise StandardFileError(self.file, "", f"invalid YAML: {exc}") from exc
        root = Node(data, "", self.file)
        f = root.fields(
            required=(
                "format",
                "code",
                "version",
                "title_vi",
                "period",
                "review_years",
                "areas",
                "legal_basis",
                "sources",
                "parameters",
                "dimensions",
                "classification",
                "score_card",
            ),
            optional=("title_en", "notes_vi"),
        )
        if f["format"].integer() != FORMAT_VERSION:
            raise f["format"].error(
                f"unsupported format (this engine reads format {FORMAT_VERSION})"
            )
        code = f["code"].key()
        if code != self.path.stem:
            raise f["code"].error(f"code {code!r} must match the file name {self.path.stem!r}")
        version = f["version"].integer()
        if version < 1:
            raise f["version"].error("version starts at 1")
        self.sources = self._sources(f["sources"])
        years, years_prov = self._review_years(f["review_years"])
        area_labels = self._areas(f["areas"])
        legal = tuple(self._instrument(n) for n in f["legal_basis"].items(non_empty=True))
        self.params = {k: self._parameter(k, n) for k, n in f["parameters"].entries()}
        dimensions, indicators = self._dimensions(f["dimensions"])
        cls = f["classification"].fields(
            required=("deprivation_points_param", "paths"), optional=("average",)
        )
        points_param = cls["deprivation_points_param"].text()
        if points_param not in self.params:
            raise cls["deprivation_points_param"].error(f"unknown parameter {points_param!r}")
        points = self._points_per_indicator(cls["deprivation_points_param"], points_param)
        path_nodes = cls["paths"].fields(required=PATHS)
        paths = {name: self._path(name, path_nodes[name]) for name in PATHS}
        average = tuple(
            self._rule(n, otherwise=False)
            for n in (cls["average"].items() if "average" in cls else [])
        )
        card = self._score_card(f["score_card"])

        keys = tuple(i.key for i in indicators)
        member_used: set[str] = set()
        household_used: set[str] = set()
        for ind in indicators:
            if ind.condition is not None:
                m, h = R.facts_used(ind.condition)
                member_used |= m
                household_used |= h
        if "floor_area_per_person_m2" in household_used:
            household_used.add("floor_area_m2")
        household_used -= {"member_count", "floor_area_per_person_m2"}
        derive_fn, derive_source = R.compile_derive(
            [(i.key, i.condition) for i in indicators], f"{code} v{version}: indicators"
        )
        unverified_indicators = tuple(
            f"indicator:{i.key}"
            for i in indicators
            if i.condition is not None and not i.provenance.verified
        )
        deciders = {
            (name, area): self._decider(
                paths[name], average, area, points_param, code, unverified_indicators
            )
            for name in PATHS
            if paths[name].available
            for area in AREAS
        }
        return Standard(
            code=code,
            version=version,
            title_vi=f["title_vi"].text(),
            title_en=f["title_en"].opt_text() if "title_en" in f else None,
            period=f["period"].text(),
            review_years=years,
            review_years_provenance=years_prov,
            area_labels_vi=MappingProxyType(area_labels),
            legal_basis=legal,
            sources=MappingProxyType(dict(self.sources)),
            parameters=MappingProxyType(self.params),
            dimensions=dimensions,
            indicators=indicators,
            paths=MappingProxyType(paths),
            average_rules=average,
            deprivation_points_param=points_param,
            score_card=card,
            file=str(self.path),
            notes_vi=f["notes_vi"].opt_text() if "notes_vi" in f else None,
            deprivation_points=points,
            indicator_keys=keys,
            indicator_index=MappingProxyType({k: n for n, k in enumerate(keys)}),
            direct_indicators=frozenset(i.key for i in indicators if i.condition is None),
            member_facts_used=tuple(sorted(member_used)),
            household_facts_used=tuple(sorted(household_used)),
            derive_fn=derive_fn,
            derive_source=derive_source,
            deciders=MappingProxyType(deciders),
            unverified_indicator_rules=tuple(
                i.key for i in indicators if i.condition is not None and not i.provenance.verified
            ),
        )

    # -- sections ---------------------------------------------------------------------------

    def _sources(self, node: Node) -> dict[str, str]:
        out = {key: child.text() for key, child in node.entries()}
        if not out:
            raise node.error("must list at least one source")
        return out

    def _review_years(self, node: Node) -> tuple[tuple[int, ...], Provenance]:
        f = node.fields(
            required=("years", "verified", "confidence"), optional=("basis", "sources", "note")
        )
        years = tuple(n.integer() for n in f["years"].items(non_empty=True))
        if len(set(years)) != len(years):
            raise f["years"].error("a year is listed twice")
        for i, year in enumerate(years):
            if not 1990 <= year <= 2100:
                raise f["years"].child(year, i).error("not a plausible review year")
        return tuple(sorted(years)), _provenance(f, self.sources)

    def _areas(self, node: Node) -> dict[str, str]:
        f = node.fields(required=AREAS)
        return {area: f[area].fields(required=("label_vi",))["label_vi"].text() for area in AREAS}

    def _instrument(self, node: Node) -> LegalInstrument:
        f = node.fields(
            required=("key", "number", "title_vi", "role_vi", *_PROVENANCE_FIELDS[:2]),
            optional=("issued", "effective", *_PROVENANCE_FIELDS[2:]),
        )
        dates: dict[str, str | None] = {}
        for name in ("issued", "effective"):
            value = f[name].opt_text() if name in f else None
            if value is not None and not _is_iso_date(value):
                raise f[name].error(f"{value!r} is not a date (YYYY-MM-DD)")
            dates[name] = value
        return LegalInstrument(
            key=f["key"].key(),
            number=f["number"].text(),
            title_vi=f["title_vi"].text(),
            role_vi=f["role_vi"].text(),
            issued=dates["issued"],
            effective=dates["effective"],
            provenance=_provenance(f, self.sources),
        )

    def _sourced(self, node: Node) -> SourcedValue:
        f = node.fields(
            required=("value", "verified", "confidence"), optional=_PROVENANCE_FIELDS[2:]
        )
        value = None if f["value"].is_null else f["value"].number()
        prov = _provenance(f, self.sources)
        if value is None and prov.verified:
            raise f["verified"].error("a missing (null) value cannot be verified")
        if value is not None and prov.confidence == "not_found":
            raise f["confidence"].error("a value marked not_found must be null")
        if value is not None and value < 0:
            raise f["value"].error("legal numbers here are never negative")
        return SourcedValue(value, prov)

    def _parameter(self, key: str, node: Node) -> Parameter:
        if not key.replace("_", "").isalnum() or not key.islower():
            raise node.error("parameter keys are lowercase_with_underscores")
        f = node.fields(required=("label_vi", "unit"), optional=("rural", "urban", "all_areas"))
        if "all_areas" in f:
            if "rural" in f or "urban" in f:
                raise node.error("give either all_areas or both rural and urban")
            value = self._sourced(f["all_areas"])
            rural = urban = value
        else:
            if "rural" not in f or "urban" not in f:
                raise node.error("give either all_areas or both rural and urban")
            rural, urban = self._sourced(f["rural"]), self._sourced(f["urban"])
        return Parameter(key, f["label_vi"].text(), f["unit"].text(), rural, urban)

    def _points_per_indicator(self, node: Node, key: str) -> int:
        param = self.params[key]
        if param.rural.value != param.urban.value or param.rural.value is None:
            raise node.error("points per deprived indicator must be one number for both areas")
        value = param.rural.value
        if value != int(value) or value <= 0:
            raise node.error("points per deprived indicator must be a positive whole number")
        return int(value)

    def _dimensions(self, node: Node) -> tuple[tuple[Dimension, ...], tuple[Indicator, ...]]:
        dims: list[Dimension] = []
        indicators: list[Indicator] = []
        seen_dims: set[str] = set()
        seen: set[str] = set()
        for dnode in node.items(non_empty=True):
            f = dnode.fields(required=("key", "label_vi", "indicators"))
            dkey = f["key"].key()
            if dkey in seen_dims:
                raise f["key"].error(f"dimension {dkey!r} is listed twice")
            seen_dims.add(dkey)
            keys: list[str] = []
            for inode in f["indicators"].items(non_empty=True):
                ind = self._indicator(inode, dkey)
                if ind.key in seen:
                    raise inode.error(f"indicator {ind.key!r} is listed twice")
                seen.add(ind.key)
                keys.append(ind.key)
                indicators.append(ind)
            dims.append(Dimension(dkey, f["label_vi"].text(), tuple(keys)))
        return tuple(dims), tuple(indicators)

    def _indicator(self, node: Node, dimension: str) -> Indicator:
        f = node.fields(
            required=("key", "label_vi", "threshold_vi", *_PROVENANCE_FIELDS[:2]),
            optional=(
                "rule",
                "answered_directly",
                "guidance_vi",
                "concerns_children",
                *_PROVENANCE_FIELDS[2:],
            ),
        )
        direct = f["answered_directly"].flag() if "answered_directly" in f else False
        if direct == ("rule" in f):
            raise node.error("give either a rule or answered_directly: true")
        condition = None if direct else R.parse_condition(f["rule"], "household")
        prov = _provenance(f, self.sources)
        if direct and prov.verified:
            raise f["verified"].error("an indicator answered directly has no verified rule")
        return Indicator(
            key=f["key"].key(),
            label_vi=f["label_vi"].text(),
            dimension=dimension,
            threshold_vi=f["threshold_vi"].opt_text(),
            condition=condition,
            guidance_vi=f["guidance_vi"].opt_text() if "guidance_vi" in f else None,
            provenance=prov,
            concerns_children=(
                f["concerns_children"].flag() if "concerns_children" in f else False
            ),
        )

    def _path(self, name: str, node: Node) -> ClassificationPath:
        f = node.fields(
            required=("label_vi", "available", "legal_basis"),
            optional=("unavailable_reason_vi", "rules", "otherwise"),
        )
        available = f["available"].flag()
        if not available:
            if "unavailable_reason_vi" not in f:
                raise node.error("an unavailable path must say why (unavailable_reason_vi)")
            if "rules" in f or "otherwise" in f:
                raise node.error("an unavailable path has no rules")
            return ClassificationPath(
                name,
                f["label_vi"].text(),
                False,
                f["unavailable_reason_vi"].text(),
                f["legal_basis"].text(),
                (),
                None,
            )
        if "rules" not in f or "otherwise" not in f:
            raise node.error("an available path needs rules and otherwise")
        evidence = "income_score" if name == "score" else "income_per_capita"
        rules = tuple(self._rule(n, otherwise=False) for n in f["rules"].items(non_empty=True))
        for rule_node, rule in zip(f["rules"].items(), rules, strict=True):
            if evidence not in rule.evidence:
                raise rule_node.error(f"every rule of the {name} path must test {evidence}")
            if name == "score" and "income_per_capita" in rule.evidence:
                raise rule_node.error("score-path rules decide by income_score, not income")
        otherwise = self._rule(f["otherwise"], otherwise=True)
        return ClassificationPath(
            name, f["label_vi"].text(), True, None, f["legal_basis"].text(), rules, otherwise
        )

    def _rule(self, node: Node, *, otherwise: bool) -> Rule:
        required = [
            "key",
            "result",
            "label_vi",
            "reason_vi",
            "legal_basis",
            "verified",
            "confidence",
        ]
        optional = ["basis", "sources", "note"]
        if not otherwise:
            required.append("when")
            optional += ["in_force", "not_in_force_reason_vi"]
        f = node.fields(required=required, optional=optional)
        result = f["result"].text()
        if result not in RESULTS:
            raise f["result"].error(f"unknown result (use one of {', '.join(RESULTS)})")
        condition = None if otherwise else R.parse_condition(f["when"], "evidence", self.params)
        in_force = f["in_force"].flag() if "in_force" in f else True
        if not in_force and "not_in_force_reason_vi" not in f:
            raise node.error("a rule not in force must say why (not_in_force_reason_vi)")
        verified_node = f["verified"]
        if isinstance(verified_node.value, dict):
            vf = verified_node.fields(required=AREAS)
            verified = {area: vf[area].flag() for area in AREAS}
            prov_fields = {
                **f,
                "verified": Node(all(verified.values()), verified_node.path, self.file),
            }
        else:
            verified = dict.fromkeys(AREAS, verified_node.flag())
            prov_fields = dict(f)
        prov = _provenance(prov_fields, self.sources)
        if any(verified.values()) and prov.confidence not in ("verbatim", "secondary"):
            raise verified_node.error(f"a {prov.confidence} rule cannot be verified")
        params = tuple(R.params_used(condition)) if condition is not None else ()
        if in_force:
            for key in params:
                for area in AREAS:
                    if self.params[key].for_area(area).value is None:
                        raise f["when"].error(
                            f"rule in force uses parameter {key!r}, which has no value for {area}"
                        )
        reason = f["reason_vi"].text()
        self._check_template(f["reason_vi"], reason)
        return Rule(
            key=f["key"].key(),
            result=result,
            label_vi=f["label_vi"].text(),
            reason_vi=reason,
            legal_basis=f["legal_basis"].text(),
            condition=condition,
            in_force=in_force,
            not_in_force_reason_vi=(
                f["not_in_force_reason_vi"].text() if "not_in_force_reason_vi" in f else None
            ),
            verified_by_area=MappingProxyType(verified),
            provenance=prov,
            params=params,
            evidence=frozenset(R.evidence_used(condition))
            if condition is not None
            else frozenset(),
        )

    def _check_template(self, node: Node, template: str) -> None:
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError as exc:
            raise node.error(f"bad template: {exc}") from exc
        for _, name, spec, conversion in parsed:
            if name is None:
                continue
            if spec or conversion:
                raise node.error(f"placeholder {{{name}}} must not carry a format or conversion")
            if name not in REASON_FIELDS and name not in self.params:
                allowed = ", ".join(sorted(REASON_FIELDS | set(self.params)))
                raise node.error(f"unknown placeholder {{{name}}} (allowed: {allowed})")

    def _decider(
        self,
        path: ClassificationPath,
        average: tuple[Rule, ...],
        area: str,
        points_param: str,
        code: str,
        unverified_indicators: tuple[str, ...],
    ) -> Decider:
        assert path.otherwise is not None
        candidates = tuple(r for r in (*path.rules, *average) if r.in_force)
        values: dict[str, float | int] = {}
        for key, param in self.params.items():
            value = param.for_area(area).value
            if value is not None:
                values[key] = value
        conditions = [r.condition for r in candidates if r.condition is not None]
        fn, source = R.compile_decide(conditions, values, f"{code}: {path.name} path, {area}")
        points_unverified = not self.params[points_param].for_area(area).verified
        unverified: list[tuple[str, ...]] = []
        seen: list[str] = []

        def note(rule: Rule) -> None:
            if not rule.verified_by_area[area]:
                seen.append(f"rule:{rule.key}")
            for key in rule.params:
                if not self.params[key].for_area(area).verified:
                    seen.append(f"parameter:{key}")
            if "deprivation_score" in rule.evidence and points_unverified:
                seen.append(f"parameter:{points_param}")

        for rule in candidates:
            note(rule)
            unverified.append(tuple(dict.fromkeys(seen)))
        note(path.otherwise)
        # Rules left out because their data is unverified could have fired instead of otherwise.
        seen.extend(f"rule:{r.key}" for r in (*path.rules, *average) if not r.in_force)
        unverified.append(tuple(dict.fromkeys(seen)))
        derived = tuple(tuple(dict.fromkeys((*u, *unverified_indicators))) for u in unverified)
        return Decider(fn, (*candidates, path.otherwise), tuple(unverified), derived, source)

    def _score_card(self, node: Node) -> ScoreCard:
        f = node.fields(
            required=("status", "verified", "confidence"),
            optional=("basis", "sources", "note", "note_vi", "regions", "items", "missing_items"),
        )
        status = f["status"].text()
        if status not in CARD_STATUSES:
            raise f["status"].error(f"unknown status (use one of {', '.join(CARD_STATUSES)})")
        prov = _provenance(f, self.sources)
        note_vi = f["note_vi"].opt_text() if "note_vi" in f else None
        if status == "absent":
            if "regions" in f or "items" in f:
                raise node.error("an absent card has no regions or items")
            if prov.verified:
                raise f["verified"].error("an absent card cannot be verified")
            return absent_score_card(basis=prov.basis, sources=prov.sources, note_vi=note_vi)
        if "regions" not in f or "items" not in f:
            raise node.error("a card with status complete/partial needs regions and items")
        regions: list[dict[str, object]] = []
        for rnode in f["regions"].items(non_empty=True):
            rf = rnode.fields(required=("key", "label_vi", "area"), optional=("provinces", "note"))
            regions.append(
                {
                    "where": rnode.path,
                    "key": rf["key"].value,
                    "label_vi": rf["label_vi"].value,
                    "area": rf["area"].value,
                    "provinces": rf["provinces"].value if "provinces" in rf else None,
                }
            )
        options: list[dict[str, object]] = []
        for inode in f["items"].items(non_empty=True):
            itf = inode.fields(
                required=("key", "label_vi", "options"),
                optional=("choice", "zero_if_flag", "note"),
            )
            for onode in itf["options"].items(non_empty=True):
                of = onode.fields(required=("key", "label_vi", "points"), optional=("note",))
                options.append(
                    {
                        "where": onode.path,
                        "item": itf["key"].value,
                        "item_label_vi": itf["label_vi"].value,
                        "choice": itf["choice"].value if "choice" in itf else "single",
                        "zero_if_flag": itf["zero_if_flag"].value
                        if "zero_if_flag" in itf
                        else None,
                        "option": of["key"].value,
                        "option_label_vi": of["label_vi"].value,
                        "points": of["points"].value,
                    }
                )
        missing: list[MissingItem] = []
        if "missing_items" in f:
            for mnode in f["missing_items"].items():
                mf = mnode.fields(required=("key", "label_vi"), optional=("note",))
                missing.append(
                    MissingItem(
                        mf["key"].key(),
                        mf["label_vi"].text(),
                        mf["note"].opt_text() if "note" in mf else None,
                    )
                )
        if status == "partial" and not missing:
            raise node.error("a partial card lists what is missing (missing_items)")
        try:
            return build_score_card(
                regions,
                options,
                status=status,
                verified=prov.verified,
                basis=prov.basis,
                sources=prov.sources,
                note_vi=note_vi,
                missing_items=missing,
            )
        except ScoreCardInvalidError as exc:
            first = exc.issues[0]
            more = f" (and {len(exc.issues) - 1} more problem(s))" if len(exc.issues) > 1 else ""
            raise StandardFileError(self.file, first.where, first.message_vi + more) from exc


def _is_iso_date(value: str) -> bool:
    parts = value.split("-")
    return (
        len(parts) == 3
        and [len(p) for p in parts] == [4, 2, 2]
        and all(p.isdigit() for p in parts)
        and 1 <= int(parts[1]) <= 12
        and 1 <= int(parts[2]) <= 31
    )


@functools.lru_cache(maxsize=64)
def _load_cached(path: str, mtime_ns: int, size: int) -> Standard:
    return _Loader(Path(path)).load()


def load_standard_file(path: str | os.PathLike[str]) -> Standard:
    """Load and validate one standard file (cached until the file changes)."""
    p = Path(path).resolve()
    try:
        stat = p.stat()
    except OSError as exc:
        raise StandardFileError(p.name, "", f"cannot read file: {exc}") from exc
    return _load_cached(str(p), stat.st_mtime_ns, stat.st_size)


def _standard_files(directory: Path | None) -> list[Path]:
    return sorted((directory or STANDARDS_DIR).glob("*.yaml"))


def available_standards(directory: Path | None = None) -> tuple[Standard, ...]:
    """Every standard in the directory, by first review year; overlapping years are an error."""
    standards = sorted(
        (load_standard_file(p) for p in _standard_files(directory)), key=lambda s: s.review_years[0]
    )
    owner: dict[int, str] = {}
    for standard in standards:
        for year in standard.review_years:
            if year in owner:
                raise StandardFileError(
                    Path(standard.file).name,
                    "review_years",
                    f"year {year} is also covered by {owner[year]}",
                )
            owner[year] = standard.code
    return tuple(standards)


def get_standard(code: str, directory: Path | None = None) -> Standard:
    """The standard with this code, e.g. ``get_standard("vn-2022-2025")``."""
    for p in _standard_files(directory):
        if p.stem == code:
            return load_standard_file(p)
    known = ", ".join(p.stem for p in _standard_files(directory))
    raise UnknownStandardError(f"Không có chuẩn nghèo mã {code!r} (các mã hiện có: {known})")


def standard_for_year(year: int, directory: Path | None = None) -> Standard:
    """The standard in force for a review year (2016–2021, 2022–2026, 2027–2030 today)."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise YearNotCoveredError(f"Năm rà soát phải là số nguyên, nhận được {year!r}")
    standards = available_standards(directory)
    for standard in standards:
        if year in standard.review_years:
            return standard
    covered = sorted(y for s in standards for y in s.review_years)
    span = f"{covered[0]}–{covered[-1]}" if covered else "không có"
    raise YearNotCoveredError(
        f"Năm rà soát {year} không thuộc chuẩn nghèo nào (các chuẩn hiện có áp dụng cho năm {span})"
    )


__all__ = [
    "AREA_LABELS_VI",
    "ClassificationPath",
    "Decider",
    "Dimension",
    "Indicator",
    "LegalInstrument",
    "Parameter",
    "Provenance",
    "Rule",
    "SourcedValue",
    "Standard",
    "available_standards",
    "get_standard",
    "load_standard_file",
    "standard_for_year",
]
