"""Per-commune aggregates of the reports, exact at every read (decision record 0017).

The reports of a district, a province and the nation read what each commune's forms add to
their figures (`CommuneFact`, `MovementFact`) instead of the forms. The figures are made by the
very queries that scan the forms (`reports.selectors`, `.tables`, `.needs`), restricted to a few
communes, so a stored figure and a scan cannot count differently.

They are kept exact this way:

1. Database triggers (migration 0003) write a `FactMark` in the transaction of any change that
   moves a figure: a form inserted, deleted, or changed while it counts on some basis; a
   deprivation, cause or need row of a counted form; a household's status, commune, split or
   date of registration; a round's year, kind or end; any succession of units. No write path can
   skip them: the services, the imports, `QuerySet.update`, the admin, SQL by hand.
2. Before a report reads a round's figures, `fold_marks` rebuilds the communes marked for that
   round, in one query per family for all of them, and deletes the marks it read; concurrent
   folds of a round wait for each other (an advisory lock). A report therefore never disagrees
   with the forms it could see, and a form's save costs a few inserts, not a recount.
3. `verify(review_round)` recomputes every figure from the forms and lists the differences
   (`manage.py verify_aggregates`); `rebuild(review_round)` makes them all again.

Only reports by commune (or by district) read them; a commune's report by village scans its own
few thousand forms, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, router, transaction
from django.db.models import Q

from areas.models import AdminUnit
from core.db import on_primary
from survey.models import ReviewRound
from survey.selectors import previous_rounds, provinces_continued

from .models import CommuneFact, FactMark, MovementFact, RoundLink
from .needs import QUESTIONS, answer_aggregates, answer_rows
from .selectors import (
    COUNTED,
    LeafRows,
    ReportScope,
    _summary_aggregates,
    movement_groups,
    movement_rows_by_leaf,
    summary_counts,
)
from .tables import (
    ETHNIC_MEASURES,
    UNIT,
    Deprived,
    TargetFacts,
    deprivation_counts,
    target_aggregates,
    target_rows,
)

BASES = tuple(COUNTED)
FAMILIES = ("summary", "target", "deprivation", *QUESTIONS)
# The family of each commune's rows in its province's movement tables by commune
# (`reports.selectors.movement_rows_by_leaf`): placed from the movement groups of every owner that
# start or end in the commune, not from the commune's own forms.
MOVEMENT_ROWS = "movement_rows"
# The dimensions of a movement group (`MovementFacts.groups`) and its measures.
MOVEMENT_DIMS = (
    "sleaf",
    "eleaf",
    "prev_class",
    "cur_class",
    "poor_before",
    "near_poor_before",
    "arrived",
    "counted",
    "resident_or_filed",
)
MOVEMENT_MEASURES = (
    "n",
    "prev_n",
    "cur_n",
    "gain",
    "loss",
    "n_prev_minority",
    "prev_n_prev_minority",
    "n_cur_minority",
    "cur_n_cur_minority",
)
LOCK = 0x5241_4747  # advisory lock class of the folds (with the round's id)


def _scope(review_round: ReviewRound, basis: str) -> ReportScope:
    """The round's whole province by commune: what the aggregates are made of."""
    return ReportScope(
        review_round=review_round,
        unit=review_round.province,
        child_level=AdminUnit.Level.COMMUNE,
        basis=basis,
    )


def _nonzero(values: dict[str, Any], prefix: str = "") -> dict[str, int]:
    return {f"{prefix}{name}": int(value) for name, value in values.items() if value}


# --- Making the figures of some communes from the forms ----------------------------------------


def commune_facts(
    review_round: ReviewRound, basis: str, owners: Sequence[int] | None = None
) -> dict[tuple[str, Any], dict[str, Any]]:
    """The non-zero measures of every family, by (family, commune), from the forms filed under
    the communes `owners` (all of the round's when None): one query per family."""
    scope = _scope(review_round, basis)
    found: dict[tuple[str, Any], dict[str, Any]] = {}
    for commune, counts in summary_counts(scope, "commune_id", owners).items():
        found[("summary", commune)] = _nonzero(counts)
    # The poor and near-poor: every measure by commune ("u"), those of table 9 by the head's
    # ethnic group too ("e": code -> ETHNIC_MEASURES in order).
    rows = target_rows(scope, "commune_id", owners)
    for commune, data in TargetFacts.of_rows(rows).per_unit.items():
        found[("target", commune)] = {"u": _nonzero(data), "e": {}}
    for row in rows:
        ethnic = found[("target", row[UNIT])]["e"]
        ethnic[row["head_ethnicity"]] = [row[name] for name in ETHNIC_MEASURES]
    # Their deprivations: indicator -> [poor, near-poor].
    for commune, deprived in deprivation_counts(scope, "commune_id", owners).items():
        found[("deprivation", commune)] = deprived
    for question in QUESTIONS:
        for commune, counts in answer_rows(scope, question, "commune_id", owners).items():
            found[(question, int(commune or 0))] = _nonzero(counts)
    return {key: data for key, data in found.items() if data}


def movement_facts_of(
    review_round: ReviewRound, basis: str, owners: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """The movement groups of the households living in the communes `owners` (all when None),
    by owner: one query."""
    scope = _scope(review_round, basis)
    return movement_groups(
        scope, previous_rounds(review_round), _communes(review_round), owners=owners, by_owner=True
    )


def _communes(review_round: ReviewRound) -> list[int]:
    """The communes of the round's province (of its tree)."""
    return list(
        AdminUnit.objects.filter(
            path__startswith=review_round.province.path, level=AdminUnit.Level.COMMUNE
        ).values_list("pk", flat=True)
    )


# --- Writing them ------------------------------------------------------------------------------


def _write(
    review_round: ReviewRound, r_owners: list[int] | None, m_owners: list[int] | None
) -> None:
    """Make again the response figures of the communes `r_owners` and the movement groups of
    the households of the communes `m_owners` (None: every commune; []: none)."""
    facts, moves = [], []
    # The communes whose movement rows change: where the owners' groups started or ended, and
    # where the new ones do.
    touched = None if m_owners is None else _leaves_of(review_round, m_owners or [])
    for basis in BASES:
        if r_owners != []:
            facts += [
                CommuneFact(
                    review_round=review_round,
                    basis=basis,
                    family=family,
                    commune_id=commune,
                    data=data,
                )
                for (family, commune), data in commune_facts(review_round, basis, r_owners).items()
            ]
        if m_owners != []:
            moves += [
                MovementFact(review_round=review_round, basis=basis, **group)
                for group in movement_facts_of(review_round, basis, m_owners)
            ]
    _replace(
        CommuneFact.objects.exclude(family=MOVEMENT_ROWS),
        review_round,
        "commune_id",
        r_owners,
        facts,
    )
    _replace(MovementFact.objects.all(), review_round, "owner", m_owners, moves)
    if m_owners == []:
        return
    if touched is not None:
        touched |= {getattr(group, end) for group in moves for end in ("sleaf", "eleaf")}
    _write_movement_rows(review_round, touched)


def _leaves_of(review_round: ReviewRound, owners: list[int]) -> set[Any]:
    """The start and end communes of the stored movement groups of the households of `owners`."""
    found: set[Any] = set()
    if not owners:
        return found
    for ends in (
        MovementFact.objects.filter(review_round=review_round, owner__in=owners)
        .values_list("sleaf", "eleaf")
        .distinct()
    ):
        found.update(ends)
    return found


def _write_movement_rows(review_round: ReviewRound, leaves: set[Any] | None) -> None:
    """Place again, from the stored groups, the movement rows of the communes `leaves` (every
    commune of the round's province when None)."""
    communes = _communes(review_round)
    if leaves is not None:
        communes = [pk for pk in communes if pk in leaves]
        if not communes:
            return
    rows = []
    for basis in BASES:
        groups = MovementFact.objects.filter(review_round=review_round, basis=basis)
        if leaves is not None:
            groups = groups.filter(Q(sleaf__in=communes) | Q(eleaf__in=communes))
        placed = movement_rows_by_leaf(
            list(groups.values(*MOVEMENT_DIMS, *MOVEMENT_MEASURES).order_by()), communes
        )
        rows += [
            CommuneFact(
                review_round=review_round,
                basis=basis,
                family=MOVEMENT_ROWS,
                commune_id=commune,
                data=data,
            )
            for commune, data in placed.items()
        ]
    _replace(
        CommuneFact.objects.filter(family=MOVEMENT_ROWS),
        review_round,
        "commune_id",
        None if leaves is None else communes,
        rows,
    )


def _replace(kept: Any, review_round: ReviewRound, key: str, owners: Any, rows: list[Any]) -> None:
    """The round's rows of the queryset `kept` whose `key` is one of `owners` (all when None,
    none when []) deleted, and `rows` written in their place."""
    if owners == []:
        return
    stale = kept.filter(review_round=review_round)
    if owners is not None:
        stale = stale.filter(**{f"{key}__in": owners})
    stale.delete()
    kept.model.objects.bulk_create(rows, batch_size=2000)


def _sources(review_round: ReviewRound) -> list[int]:
    """The rounds whose forms this round's movement figures may read: itself, and every round of
    its province (or of an old province merged into it) of an earlier or the same year."""
    return list(
        ReviewRound.objects.filter(
            Q(pk=review_round.pk)
            | (provinces_continued(review_round.province) & Q(year__lte=review_round.year))
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def _lock(review_round: ReviewRound) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK, review_round.pk])


def rebuild(review_round: ReviewRound) -> None:
    """Make every aggregate of the round again from the forms, and what marks it (`RoundLink`)."""
    with transaction.atomic():
        _lock(review_round)
        marks = list(FactMark.objects.filter(review_round_id=review_round.pk).values_list("pk"))
        RoundLink.objects.filter(target_id=review_round.pk).delete()
        RoundLink.objects.bulk_create(
            [RoundLink(source_id=s, target_id=review_round.pk) for s in _sources(review_round)]
        )
        _write(review_round, None, None)
        FactMark.objects.filter(pk__in=[m for (m,) in marks]).delete()


def fold_marks(review_round: ReviewRound) -> int:
    """Bring the round's aggregates up to date with the marks written since the last fold;
    returns how many marks it consumed. A mark without a commune rebuilds the whole round.

    On the primary, even under `core.db.reports_read`: it counts the forms to write the
    aggregates, and a replica may lag (the report then reads the replica's aggregates, as old as
    the replica is)."""
    with on_primary():
        return _fold(review_round)


def _fold(review_round: ReviewRound) -> int:
    if not FactMark.objects.filter(review_round_id=review_round.pk).exists():
        return 0
    with transaction.atomic():
        _lock(review_round)
        marks = list(
            FactMark.objects.filter(review_round_id=review_round.pk).values_list(
                "pk", "kind", "commune_id"
            )
        )
        if not marks:  # another fold took them while this one waited
            return 0
        if any(commune is None for _, _, commune in marks):
            rebuild(review_round)
        else:
            r_owners = sorted({c for _, kind, c in marks if kind == "r" and c is not None})
            m_owners = sorted({c for _, kind, c in marks if kind == "m" and c is not None})
            _write(review_round, r_owners, m_owners)
        ids = [pk for pk, _, _ in marks]
        for start in range(0, len(ids), 10000):
            FactMark.objects.filter(pk__in=ids[start : start + 10000]).delete()
    return len(marks)


def fold_rounds(rounds: Sequence[ReviewRound]) -> int:
    """Fold the marks of several rounds: one query when none has any (the national summary)."""
    with on_primary():
        marked = set(
            FactMark.objects.filter(review_round_id__in=[r.pk for r in rounds]).values_list(
                "review_round_id", flat=True
            )
        )
    return sum(fold_marks(r) for r in rounds if r.pk in marked)


def fold_all() -> int:
    """Fold the marks of every round (`manage.py verify_aggregates` first, a worker or cron)."""
    rounds = FactMark.objects.values_list("review_round_id", flat=True).distinct()
    return sum(fold_marks(r) for r in ReviewRound.objects.filter(pk__in=list(rounds)))


# --- Reading them ------------------------------------------------------------------------------


def _communes_of(scope: ReportScope) -> dict[int, int | None]:
    """The communes of the scope (every area) and the child row each is in."""
    whole = ReportScope(scope.review_round, scope.unit, scope.child_level, scope.basis)
    by_parent = scope.child_level == AdminUnit.Level.DISTRICT
    return {
        pk: (parent if by_parent else pk)
        for pk, parent in AdminUnit.objects.filter(whole.commune_units_filter()).values_list(
            "pk", "parent_id"
        )
    }


def _stored(scope: ReportScope, family: str, part: str = "") -> dict[int, Any]:
    """The family's stored measures of the scope's communes, by commune, after a fold; only the
    `part` of each (a key of its JSON) when given."""
    fold_marks(scope.review_round)
    rows = CommuneFact.objects.filter(
        review_round=scope.review_round, basis=scope.basis, family=family
    )
    if scope.unit.level != AdminUnit.Level.PROVINCE:
        rows = rows.filter(commune__parent=scope.unit)
    return dict(rows.values_list("commune_id", f"data__{part}" if part else "data"))


def _child_of(scope: ReportScope) -> dict[int, int | None] | None:
    """The child row of each commune of the scope; None when the rows are the communes."""
    if scope.child_level == AdminUnit.Level.COMMUNE:
        return None
    return _communes_of(scope)


def _by_child(scope: ReportScope, stored: dict[Any, Any]) -> dict[int | None, dict[str, int]]:
    """Each child row's measures: the sum of its communes'."""
    child_of = _child_of(scope)
    rows: dict[int | None, dict[str, int]] = {}
    if child_of is None:
        rows.update(stored)
        return rows
    for commune, data in stored.items():
        if commune not in child_of:
            continue
        into = rows.setdefault(child_of[commune], {})
        for name, value in data.items():
            into[name] = into.get(name, 0) + value
    return rows


def stored_summary_counts(scope: ReportScope) -> dict[int | None, dict[str, int]]:
    """`SummaryFacts.counts` by commune, from the aggregates."""
    names = dict.fromkeys(_summary_aggregates(), 0)
    return {commune: {**names, **data} for commune, data in _stored(scope, "summary").items()}


def _summed_by_district(scope: ReportScope, family: str, each: str, sums: int) -> list[Any]:
    """PostgreSQL: the family's JSON of every commune of a province, summed by (district, key)
    in the database: rows (district, key, sum…). `each` is the set-returning function over
    the commune's JSON (`jsonb_each_text(f.data->'u')`: one number per key, `sums` = 0; else
    `jsonb_each(...)`: an array of `sums` numbers per key)."""
    fold_marks(scope.review_round)
    values = (
        ", ".join(f"SUM((k.value->>{i})::bigint)" for i in range(sums))
        if sums
        else "SUM(k.value::bigint)"
    )
    sql = (
        f"SELECT u.parent_id, k.key, {values} "  # noqa: S608 - constants and table names only
        f"FROM {CommuneFact._meta.db_table} f "
        f"JOIN {AdminUnit._meta.db_table} u ON u.id = f.commune_id "
        f"CROSS JOIN LATERAL {each} AS k "
        "WHERE f.review_round_id = %s AND f.basis = %s AND f.family = %s GROUP BY 1, 2"
    )
    with connections[router.db_for_read(CommuneFact)].cursor() as cursor:
        cursor.execute(sql, [scope.review_round.pk, scope.basis, family])
        return cursor.fetchall()


def _sums_in_database(scope: ReportScope) -> bool:
    """A province by district on PostgreSQL: the communes' JSON is summed there."""
    return (
        scope.child_level == AdminUnit.Level.DISTRICT
        and connections[router.db_for_read(CommuneFact)].vendor == "postgresql"
    )


def stored_target_facts(scope: ReportScope) -> TargetFacts:
    """`reports.tables.target_facts` (by child unit, by ethnic group), from the aggregates."""
    names = dict.fromkeys(target_aggregates(), 0)
    if _sums_in_database(scope):
        per_district: dict[Any, dict[str, int]] = {}
        for district, name, value in _summed_by_district(
            scope, "target", "jsonb_each_text(f.data->'u')", 0
        ):
            per_district.setdefault(district, dict(names))[name] = int(value)

        def by_ethnicity() -> dict[str, dict[str, int]]:
            by_code: dict[str, dict[str, int]] = {}
            for _district, code, *values in _summed_by_district(
                scope, "target", "jsonb_each(f.data->'e')", len(ETHNIC_MEASURES)
            ):
                group = by_code.setdefault(code, dict.fromkeys(ETHNIC_MEASURES, 0))
                for name, value in zip(ETHNIC_MEASURES, values, strict=True):
                    group[name] += int(value)
            return by_code

        return TargetFacts(per_unit=per_district, load_ethnic=by_ethnicity)
    child_of = _child_of(scope)
    per_unit: dict[Any, dict[str, int]] = {}
    for commune, data in _stored(scope, "target", "u").items():
        if child_of is None:
            per_unit[commune] = {**names, **data}
        elif commune in child_of:
            into = per_unit.setdefault(child_of[commune], dict(names))
            for name, value in data.items():
                into[name] += value

    def summed_by_ethnicity() -> dict[str, dict[str, int]]:
        ethnic: dict[str, list[int]] = {}
        for commune, data in _stored(scope, "target", "e").items():
            if child_of is not None and commune not in child_of:
                continue
            for code, values in data.items():
                sums = ethnic.setdefault(code, [0] * len(ETHNIC_MEASURES))
                for i, value in enumerate(values):
                    sums[i] += value
        return {
            code: dict(zip(ETHNIC_MEASURES, sums, strict=True)) for code, sums in ethnic.items()
        }

    return TargetFacts(per_unit=per_unit, load_ethnic=summed_by_ethnicity)


def stored_deprivation_facts(scope: ReportScope) -> Deprived:
    """`reports.tables.deprivation_facts` (by child unit, by indicator), from the aggregates:
    each commune's as stored, or summed by district."""
    if _sums_in_database(scope):
        found: Deprived = {}
        for district, indicator, poor, near_poor in _summed_by_district(
            scope, "deprivation", "jsonb_each(f.data)", 2
        ):
            found.setdefault(district, {})[indicator] = [int(poor), int(near_poor)]
        return found
    stored = _stored(scope, "deprivation")
    child_of = _child_of(scope)
    if child_of is None:
        return stored
    rows: Deprived = {}
    for commune, data in stored.items():
        if commune not in child_of:
            continue
        into = rows.setdefault(child_of[commune], {})
        for indicator, (poor, near_poor) in data.items():
            sums = into.setdefault(indicator, [0, 0])
            sums[0] += poor
            sums[1] += near_poor
    return rows


def stored_answer_rows(scope: ReportScope, question: str) -> dict[int | None, dict[str, int]]:
    """The counts of `reports.needs.answer_tables` by child unit, from the aggregates."""
    names = dict.fromkeys(answer_aggregates(question), 0)
    return {
        child: {**names, **data}
        for child, data in _by_child(scope, _stored(scope, question)).items()
    }


def stored_movement_rows(scope: ReportScope) -> dict[int, LeafRows]:
    """Each commune's rows of the movement tables of its province by commune, as placed when
    its groups last changed (`_write_movement_rows`), after a fold."""
    return _stored(scope, MOVEMENT_ROWS)


def stored_movement_groups(scope: ReportScope, leaves: list[int]) -> list[dict[str, Any]]:
    """`MovementFacts.groups` of a district or a province (leaves: its communes), from the
    aggregates: the owners' groups that start or end in one of the leaves."""
    fold_marks(scope.review_round)
    rows = MovementFact.objects.filter(review_round=scope.review_round, basis=scope.basis)
    if scope.unit.level != AdminUnit.Level.PROVINCE:
        rows = rows.filter(Q(sleaf__in=leaves) | Q(eleaf__in=leaves))
    # Not summed over the owners: the placing of the groups (`_place`) adds them up anyway.
    names = (*MOVEMENT_DIMS, *MOVEMENT_MEASURES)
    return [dict(zip(names, row, strict=True)) for row in rows.values_list(*names).order_by()]


def stored_movement_groups_by_district(scope: ReportScope) -> list[dict[str, Any]]:
    """The movement groups of a province by district: the aggregates' groups with each leaf
    replaced by its district and summed in the database (a few hundred groups instead of
    thousands, for `movements_both` to place). Not for the split by area, which needs the
    communes' kinds: `stored_movement_groups`."""
    fold_marks(scope.review_round)
    dims = MOVEMENT_DIMS[2:]  # (the leaves are replaced by their districts)
    units, facts = AdminUnit._meta.db_table, MovementFact._meta.db_table
    # Joins, not a subquery per group (which took 46 ms at 1M households); names from the
    # models' constants only.
    sql = (
        f"SELECT s.parent_id, e.parent_id, {', '.join(f'f.{d}' for d in dims)}, "  # noqa: S608
        f"{', '.join(f'SUM(f.{m})' for m in MOVEMENT_MEASURES)} FROM {facts} f "
        f"LEFT JOIN {units} s ON s.id = f.sleaf LEFT JOIN {units} e ON e.id = f.eleaf "
        f"WHERE f.review_round_id = %s AND f.basis = %s "
        f"GROUP BY s.parent_id, e.parent_id, {', '.join(f'f.{d}' for d in dims)}"
    )
    names = ("sleaf", "eleaf", *dims, *MOVEMENT_MEASURES)
    with connections[router.db_for_read(MovementFact)].cursor() as cursor:
        cursor.execute(sql, [scope.review_round.pk, scope.basis])
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- Proof --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    review_round: int
    basis: str
    what: str  # a family, or "movement"
    key: Any
    stored: Any
    counted: Any

    def __str__(self) -> str:
        return (
            f"round {self.review_round} {self.basis} {self.what} {self.key}: "
            f"stored {self.stored}, counted from the forms {self.counted}"
        )


def _movement_key(group: dict[str, Any]) -> tuple[Any, ...]:
    return (group["owner"], *(group[d] for d in MOVEMENT_DIMS))


def _summed(groups: Iterable[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[int, ...]]:
    found: dict[tuple[Any, ...], list[int]] = {}
    for group in groups:
        into = found.setdefault(_movement_key(group), [0] * len(MOVEMENT_MEASURES))
        for i, m in enumerate(MOVEMENT_MEASURES):
            into[i] += int(group[m] or 0)
    return {key: tuple(values) for key, values in found.items() if any(values)}


def verify(review_round: ReviewRound) -> list[Difference]:
    """Every stored figure of the round against the same figure counted from the forms now
    (after folding the pending marks): the differences, none when the aggregates are exact."""
    fold_marks(review_round)
    found = []
    communes = _communes(review_round)
    for basis in BASES:
        stored = {
            (f.family, f.commune_id): f.data
            for f in CommuneFact.objects.filter(review_round=review_round, basis=basis)
        }
        counted: dict[tuple[str, Any], Any] = commune_facts(review_round, basis)
        counted_groups = movement_facts_of(review_round, basis)
        for commune, rows in movement_rows_by_leaf(counted_groups, communes).items():
            counted[(MOVEMENT_ROWS, commune)] = rows
        for key in sorted(set(stored) | set(counted), key=str):
            if stored.get(key) != counted.get(key):
                found.append(
                    Difference(
                        review_round.pk, basis, key[0], key[1], stored.get(key), counted.get(key)
                    )
                )
        stored_moves = _summed(
            MovementFact.objects.filter(review_round=review_round, basis=basis).values(
                "owner", *MOVEMENT_DIMS, *MOVEMENT_MEASURES
            )
        )
        counted_moves = _summed(counted_groups)
        for key in sorted(set(stored_moves) | set(counted_moves), key=str):
            if stored_moves.get(key) != counted_moves.get(key):
                found.append(
                    Difference(
                        review_round.pk,
                        basis,
                        "movement",
                        key,
                        stored_moves.get(key),
                        counted_moves.get(key),
                    )
                )
    return found
