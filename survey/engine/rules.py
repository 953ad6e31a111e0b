"""Conditions as data, and their compilation to Python at load time.

A condition in a standard file is a small tree:

- a leaf ``{fact: age, op: ge, value: 6}`` (or ``param: poor_score_line`` in classification rules,
  which is resolved per area from the standard's parameters);
- ``{all: [...]}``, ``{any: [...]}``, ``{not: ...}``, a bare list (= all);
- ``{count_of: [...], op: ge, value: 2}``: how many of the listed conditions hold;
- household scope only: ``{any_member: ...}``, ``{no_member: ...}``,
  ``{share_of_members: ..., op: gt, value: 0.5}`` over member-scope conditions.

Ops: ``lt le gt ge eq ne`` on numbers; ``eq ne`` on booleans and codes; ``in not_in`` on codes
(value is a list); ``any_of none_of`` on sets of codes (value is a list).

Why compile: the engine must classify well over 100,000 households a second on one core. Walking
the tree per household costs an interpreted call per node; instead each standard's rules become
one generated Python function per job (derive indicators; decide a path for an area), built once
when the file is loaded. The generated source only ever contains identifiers taken from the fixed
fact vocabulary in this package, operators from a fixed table and references to constants held in
the function's namespace, never text from the data file, so loading a file cannot inject code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, cast

from survey.engine._reader import Node
from survey.engine.facts import HOUSEHOLD_FACTS, MEMBER_FACTS, FactSpec

Scope = Literal["member", "household", "evidence"]

EVIDENCE_FACTS: Final[Mapping[str, FactSpec]] = {
    "income_score": FactSpec("income_score", "number", "Điểm ước lượng thu nhập"),
    "income_per_capita": FactSpec(
        "income_per_capita", "int", "Thu nhập bình quân đầu người/tháng (đồng)"
    ),
    "deprivation_count": FactSpec("deprivation_count", "int", "Số chỉ số thiếu hụt"),
    "deprivation_score": FactSpec("deprivation_score", "number", "Điểm thiếu hụt"),
    "agricultural": FactSpec(
        "agricultural", "bool", "Hộ làm nông, lâm, ngư nghiệp hoặc diêm nghiệp"
    ),
}
# Evidence that may be absent on a record; a comparison with an absent value is false.
_OPTIONAL_EVIDENCE: Final = frozenset({"income_score", "income_per_capita"})
_EVIDENCE_VARS: Final = {
    "income_score": "s",
    "income_per_capita": "i",
    "deprivation_count": "c",
    "deprivation_score": "d",
    "agricultural": "a",
}

_COMPARE: Final = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}
_OPS_BY_KIND: Final = {
    "int": frozenset(_COMPARE),
    "number": frozenset(_COMPARE),
    "bool": frozenset({"eq", "ne"}),
    "choice": frozenset({"eq", "ne", "in", "not_in"}),
    "set": frozenset({"any_of", "none_of"}),
}
OP_LABELS_VI: Final = {
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "eq": "=",
    "ne": "≠",
    "in": "thuộc",
    "not_in": "không thuộc",
    "any_of": "có ít nhất một trong",
    "none_of": "không có",
}


@dataclass(frozen=True, slots=True)
class Leaf:
    scope: Scope
    fact: str
    op: str
    value: bool | int | float | str | frozenset[str] | None
    param: str | None = None


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class NotOf:
    part: Condition


@dataclass(frozen=True, slots=True)
class CountOf:
    parts: tuple[Condition, ...]
    op: str
    value: int


@dataclass(frozen=True, slots=True)
class OverMembers:
    kind: Literal["any", "none", "share"]
    part: Condition
    op: str | None = None
    value: float | None = None


Condition = Leaf | AllOf | AnyOf | NotOf | CountOf | OverMembers

_FACTS_BY_SCOPE: Final[Mapping[Scope, Mapping[str, FactSpec]]] = {
    "member": MEMBER_FACTS,
    "household": HOUSEHOLD_FACTS,
    "evidence": EVIDENCE_FACTS,
}


def parse_condition(
    node: Node, scope: Scope, params: Mapping[str, object] | None = None
) -> Condition:
    """Parse and type-check a condition; ``params`` are the parameter keys evidence may name."""
    if isinstance(node.value, list):
        return AllOf(tuple(parse_condition(n, scope, params) for n in node.items(non_empty=True)))
    if not isinstance(node.value, dict):
        raise node.error("a condition must be a mapping or a list of conditions")
    keys = set(node.value)
    if "fact" in keys:
        return _parse_leaf(node, scope, params)
    if keys == {"all"} or keys == {"any"}:
        (key,) = keys
        parts = tuple(
            parse_condition(n, scope, params)
            for n in node.child(node.value[key], key).items(non_empty=True)
        )
        return AllOf(parts) if key == "all" else AnyOf(parts)
    if keys == {"not"}:
        return NotOf(parse_condition(node.child(node.value["not"], "not"), scope, params))
    if "count_of" in keys:
        f = node.fields(required=("count_of", "op", "value"))
        op = f["op"].text()
        if op not in _COMPARE:
            raise f["op"].error(f"count_of takes a comparison op ({', '.join(_COMPARE)})")
        parts = tuple(
            parse_condition(n, scope, params) for n in f["count_of"].items(non_empty=True)
        )
        return CountOf(parts, op, f["value"].integer())
    if keys & {"any_member", "no_member", "share_of_members"}:
        if scope != "household":
            raise node.error("any_member / no_member / share_of_members only work on a household")
        if "share_of_members" in keys:
            f = node.fields(required=("share_of_members", "op", "value"))
            op = f["op"].text()
            if op not in ("lt", "le", "gt", "ge"):
                raise f["op"].error("share_of_members takes lt, le, gt or ge")
            share = f["value"].number()
            if not 0 <= share <= 1:
                raise f["value"].error("a share is a number between 0 and 1")
            part = parse_condition(f["share_of_members"], "member")
            return OverMembers("share", part, op, float(share))
        f = node.fields(optional=("any_member", "no_member"))
        if len(f) != 1:
            raise node.error("give exactly one of any_member, no_member")
        ((key, child),) = f.items()
        part = parse_condition(child, "member")
        return OverMembers("any" if key == "any_member" else "none", part)
    raise node.error(
        "unknown condition; use fact/op/value, all, any, not, count_of, any_member, no_member "
        "or share_of_members"
    )


def _parse_leaf(node: Node, scope: Scope, params: Mapping[str, object] | None) -> Leaf:
    optional = ("value", "param") if scope == "evidence" else ("value",)
    f = node.fields(required=("fact", "op"), optional=optional)
    fact = f["fact"].text()
    specs = _FACTS_BY_SCOPE[scope]
    if fact not in specs:
        raise f["fact"].error(f"unknown {scope} fact {fact!r} (known: {', '.join(specs)})")
    spec = specs[fact]
    op = f["op"].text()
    if op not in _OPS_BY_KIND[spec.kind]:
        allowed = ", ".join(sorted(_OPS_BY_KIND[spec.kind]))
        raise f["op"].error(f"op {op!r} does not apply to {spec.kind} fact {fact!r} ({allowed})")
    if ("value" in f) == ("param" in f):
        raise node.error("give exactly one of value, param")
    if "param" in f:
        key = f["param"].text()
        if spec.kind not in ("int", "number"):
            raise f["param"].error("param only compares numeric facts")
        if params is None or key not in params:
            raise f["param"].error(f"unknown parameter {key!r}")
        return Leaf(scope, fact, op, None, key)
    v = f["value"]
    value: bool | int | float | str | frozenset[str]
    if spec.kind in ("int", "number"):
        value = v.number()
    elif spec.kind == "bool":
        value = v.flag()
    elif op in ("in", "not_in", "any_of", "none_of"):
        codes = v.texts()
        if not codes:
            raise v.error("the list of codes must not be empty")
        value = frozenset(codes)
    else:
        value = v.text()
    choices = spec.choices
    if choices is not None:
        codes_used = value if isinstance(value, frozenset) else {value}
        for code in sorted(str(c) for c in codes_used):
            if code not in choices:
                raise v.error(f"unknown code {code!r} for {fact} (known: {', '.join(choices)})")
    return Leaf(scope, fact, op, value)


def facts_used(cond: Condition) -> tuple[set[str], set[str]]:
    """(member facts, household facts) a condition reads."""
    member: set[str] = set()
    household: set[str] = set()

    def walk(c: Condition) -> None:
        if isinstance(c, Leaf):
            if c.scope == "member":
                member.add(c.fact)
            elif c.scope == "household":
                household.add(c.fact)
        elif isinstance(c, AllOf | AnyOf | CountOf):
            for p in c.parts:
                walk(p)
        else:
            walk(c.part)

    walk(cond)
    return member, household


def params_used(cond: Condition) -> list[str]:
    out: list[str] = []

    def walk(c: Condition) -> None:
        if isinstance(c, Leaf):
            if c.param is not None and c.param not in out:
                out.append(c.param)
        elif isinstance(c, AllOf | AnyOf | CountOf):
            for p in c.parts:
                walk(p)
        else:
            walk(c.part)

    walk(cond)
    return out


def evidence_used(cond: Condition) -> set[str]:
    out: set[str] = set()

    def walk(c: Condition) -> None:
        if isinstance(c, Leaf):
            if c.scope == "evidence":
                out.add(c.fact)
        elif isinstance(c, AllOf | AnyOf | CountOf):
            for p in c.parts:
                walk(p)
        else:
            walk(c.part)

    walk(cond)
    return out


class _Codegen:
    def __init__(self, params: Mapping[str, float | int] | None = None) -> None:
        self.consts: dict[str, object] = {}
        self.params = params or {}
        self.member_lines: list[str] = []
        self.member_vars: list[tuple[str, str]] = []  # (name, initial value)

    def const(self, value: object) -> str:
        name = f"K{len(self.consts)}"
        self.consts[name] = value
        return name

    def fact_ref(self, leaf: Leaf) -> str:
        if leaf.scope == "member":
            return f"m.{leaf.fact}"
        if leaf.scope == "household":
            if leaf.fact == "member_count":
                return "n"
            if leaf.fact == "floor_area_per_person_m2":
                return "(h.floor_area_m2 / n)"
            return f"h.{leaf.fact}"
        return _EVIDENCE_VARS[leaf.fact]

    def expr(self, c: Condition) -> str:
        if isinstance(c, Leaf):
            return self.leaf(c)
        if isinstance(c, AllOf):
            return "(" + " and ".join(self.expr(p) for p in c.parts) + ")"
        if isinstance(c, AnyOf):
            return "(" + " or ".join(self.expr(p) for p in c.parts) + ")"
        if isinstance(c, NotOf):
            return f"(not {self.expr(c.part)})"
        if isinstance(c, CountOf):
            total = " + ".join(f"int({self.expr(p)})" for p in c.parts)
            return f"(({total}) {_COMPARE[c.op]} {self.const(c.value)})"
        inner = self.expr(c.part)
        var = f"v{len(self.member_vars)}"
        if c.kind == "share":
            assert c.op is not None and c.value is not None
            self.member_vars.append((var, "0"))
            self.member_lines.append(f"if {inner}: {var} += 1")
            return f"({var} {_COMPARE[c.op]} {self.const(c.value)} * n)"
        self.member_vars.append((var, "False"))
        self.member_lines.append(f"if not {var} and {inner}: {var} = True")
        return var if c.kind == "any" else f"(not {var})"

    def leaf(self, c: Leaf) -> str:
        ref = self.fact_ref(c)
        if c.param is not None:
            value: object = self.params[c.param]
        else:
            value = c.value
        if isinstance(value, bool):
            positive = (c.op == "eq") == value
            text = ref if positive else f"(not {ref})"
        elif c.op in _COMPARE:
            text = f"({ref} {_COMPARE[c.op]} {self.const(value)})"
        elif c.op == "in":
            text = f"({ref} in {self.const(value)})"
        elif c.op == "not_in":
            text = f"({ref} not in {self.const(value)})"
        elif c.op == "any_of":
            text = f"(not {ref}.isdisjoint({self.const(value)}))"
        else:  # none_of
            text = f"{ref}.isdisjoint({self.const(value)})"
        if c.scope == "evidence" and c.fact in _OPTIONAL_EVIDENCE:
            text = f"({ref} is not None and {text})"
        return text


def _build(source: str, namespace: dict[str, object], name: str) -> Callable[..., object]:
    code = compile(source, f"<standard rules: {name}>", "exec")
    # Safe: see module docstring. The source is built from whitelisted identifiers only.
    exec(code, namespace)  # noqa: S102
    return cast(Callable[..., object], namespace[name])


DeriveFn = Callable[[object, Callable[[object, str], bool]], list[str]]


def compile_derive(
    indicators: Sequence[tuple[str, Condition | None]], label: str
) -> tuple[DeriveFn, str]:
    """Compile the indicator rules of a standard into ``derive(household, direct) -> keys``.

    ``indicators`` is in the standard's order; a None condition means the indicator is answered
    directly, and ``direct(household, key)`` is called for it. Returns the function and its
    source (kept for debugging and for the tests).
    """
    gen = _Codegen()
    tests: list[str] = []
    for key, cond in indicators:
        k = gen.const(key)
        if cond is None:
            tests.append(f"    if direct(h, {k}): r.append({k})")
        else:
            tests.append(f"    if {gen.expr(cond)}: r.append({k})")
    lines = ["def derive(h, direct):", "    ms = h.members", "    n = len(ms)"]
    lines += [f"    {var} = {init}" for var, init in gen.member_vars]
    if gen.member_lines:
        lines.append("    for m in ms:")
        lines += [f"        {line}" for line in gen.member_lines]
    lines.append("    r = []")
    lines += tests
    lines.append("    return r")
    source = "\n".join(lines) + "\n"
    fn = _build(source, {**gen.consts, "__builtins__": {"int": int, "len": len}}, "derive")
    return cast(DeriveFn, fn), f"# {label}\n{source}"


DecideFn = Callable[[float | None, int | None, int, int, bool], int]


def compile_decide(
    conditions: Sequence[Condition], params: Mapping[str, float | int], label: str
) -> tuple[DecideFn, str]:
    """Compile ordered rules into ``decide(s, i, c, d, a) -> index of first match or -1``.

    s: income score, i: income per capita, c: deprivation count, d: deprivation score,
    a: agricultural. ``params`` holds this area's parameter values.
    """
    gen = _Codegen(params)
    lines = ["def decide(s, i, c, d, a):"]
    for index, cond in enumerate(conditions):
        lines.append(f"    if {gen.expr(cond)}: return {index}")
    lines.append("    return -1")
    source = "\n".join(lines) + "\n"
    fn = _build(source, {**gen.consts, "__builtins__": {"int": int, "len": len}}, "decide")
    return cast(DecideFn, fn), f"# {label}\n{source}"


def describe_condition(c: Condition, labels: Mapping[str, str] | None = None) -> str:
    """A readable one-line rendering (for docs, admin pages and error messages)."""
    if isinstance(c, Leaf):
        rhs = c.param if c.param is not None else _render_value(c.value)
        return f"{c.fact} {OP_LABELS_VI[c.op]} {rhs}"
    if isinstance(c, AllOf):
        return "(" + " và ".join(describe_condition(p, labels) for p in c.parts) + ")"
    if isinstance(c, AnyOf):
        return "(" + " hoặc ".join(describe_condition(p, labels) for p in c.parts) + ")"
    if isinstance(c, NotOf):
        return f"không ({describe_condition(c.part, labels)})"
    if isinstance(c, CountOf):
        inner = "; ".join(describe_condition(p, labels) for p in c.parts)
        return f"số điều kiện đúng trong [{inner}] {OP_LABELS_VI[c.op]} {c.value}"
    inner = describe_condition(c.part, labels)
    if c.kind == "any":
        return f"có thành viên: {inner}"
    if c.kind == "none":
        return f"không thành viên nào: {inner}"
    assert c.op is not None
    return f"tỷ lệ thành viên [{inner}] {OP_LABELS_VI[c.op]} {c.value}"


def _render_value(value: object) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(str(v) for v in value)) + "}"
    if isinstance(value, bool):
        return "đúng" if value else "sai"
    return str(value)
