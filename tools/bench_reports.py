"""Report benchmark at province scale: ``python -m tools.bench_reports`` (``make bench``).

Needs PostgreSQL (``DATABASE_URL=postgres://...``); refuses anything else (exit status 2). Migrates
the database, then creates, unless the same one is already there, a synthetic province of
``BENCH_HOUSEHOLDS`` households (default 1,000,000) in its own tree edition ``bench``: 8 districts,
~1,200 communes with one village each, a periodic round 2025 and the previous one (2024), one
approved survey response per household and round with a realistic mix of results, and the
deprivation rows of the poor and near-poor. The big tables are written with PostgreSQL COPY, not the
ORM, in the columns the models declare (``CopyLayout``: a column the generator does not fill
takes the model field's default, and one without any fails loudly). Generation is timed but is not
one of the figures.

Then prints ``key=value`` lines on standard output (seconds with 3 decimals; the reports and the
floors are the median of 5 runs, in turns after one untimed run each; the workbook the median of 5
runs; the export a single run):

- ``province_report_by_district_s``, ``province_report_by_commune_s``: ``selectors.summary``;
- ``sql_floor_by_district_s``, ``sql_floor_by_commune_s``: one hand-written GROUP BY over the same
  tables with a ``COUNT(*) FILTER (...)`` and a persons sum per class;
- ``report_vs_sql_ratio``: the larger of the two ratios report / floor;
- ``summary_workbook_s``, ``summary_workbook_sheets``, ``summary_workbook_peak_rss_mb``:
  ``reports.excel.summary.report_workbook`` with every sheet (the summary, movements,
  deprivations, groups, the official tables, causes and needs, the split by area), then
  ``table_<name>_s``: each table's queries alone, one run each;
- ``integrity_report_s``, ``integrity_findings``: ``reports.integrity.findings.integrity_report``
  of the province (every finding and bunching test), median of 3 after one untimed run;
- the per-commune aggregates (`tools.bench_aggregates`): ``aggregates_build_s``,
  ``aggregates_equal`` (every stored figure against the forms), ``report_<table>_<scope>_ms``
  (summary, movements, deprivations of the province by district, by commune, and of a district)
  and ``national_report_s`` (34 provinces of the current tree with a round of figures each);
- the pages (`tools.bench_pages`, the real benchmark only): ``form_section_save_per_s`` and
  ``form_submit_per_s`` with the aggregates' triggers off (``_before``) and on (``_after``) and
  ``form_submit_slower_pct`` (goal: at most 10); ``healthz_rps``, ``household_list_rps``,
  ``running_score_rps`` and their ratios to ``/healthz`` (goal: at least 0.10);
- ``household_export_s``, ``household_export_rows_per_s``, ``household_export_peak_rss_mb``:
  ``reports.excel.households.households_export`` of every household of the province to a
  temporary file.

The two Excel measurements run in a fresh child process (``python -m tools.bench_reports
--measure workbook|export``) so that the peak resident memory is the export's, not the generator's
(read from ``VmHWM``: Linux hands ``ru_maxrss`` down from the parent through fork and exec). The
goals follow the figures. ``--explain`` also writes EXPLAIN ANALYZE of every query of the two
reports and of the floors to standard error.
"""

# Django is set up below before the models are imported when run as a script (E402); the SQL here
# is built from the models' table names and constants only, never from input (S608).
# ruff: noqa: E402, S608

from __future__ import annotations

import os
import sys

DEFAULT_HOUSEHOLDS = 1_000_000
EXIT_NOT_POSTGRES = 2


def _is_postgres_url(url: str) -> bool:
    return url.split("://", 1)[0].lower() in {"postgres", "postgresql", "pgsql", "postgis"}


def _bootstrap() -> None:
    """Run as a script: refuse anything but PostgreSQL, then set Django up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not _is_postgres_url(os.environ.get("DATABASE_URL", "")):
        print(
            "tools.bench_reports: the benchmark runs on PostgreSQL only. Set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ranoheo_bench make bench\n"
            f"(DATABASE_URL is {os.environ.get('DATABASE_URL') or 'not set: SQLite'}).",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_NOT_POSTGRES)
    import django

    django.setup()


if __name__ == "__main__":
    _bootstrap()

import argparse
import dataclasses
import functools
import io
import json
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import User
from areas.models import AdminUnit, TreeEdition
from households.ethnicity import ETHNIC_GROUPS, KINH
from households.models import Household, Member
from households.text import search_key
from reports.excel.households import households_export
from reports.excel.summary import report_workbook
from reports.models import CommuneFact, FactMark, MovementFact, RoundLink
from reports.selectors import ReportScope, Summary, report_scope, report_tables, summary
from survey.engine import get_standard
from survey.models import (
    CommuneTotal,
    PovertyCause,
    ProvinceTarget,
    ResponseCause,
    ResponseDeprivation,
    ResponseNeed,
    ReviewRound,
    SupportNeed,
    SurveyResponse,
)
from tools.bench_aggregates import (
    measure_aggregates,
    measure_form_cost,
    measure_national,
    national_rounds,
)

RUNS = 5
BATCH = 100_000  # households per COPY batch (about twice as many responses)
COMMUNES = 1_200
DISTRICT_SHARES = (0.19, 0.16, 0.14, 0.13, 0.11, 0.10, 0.09, 0.08)  # of the communes
EDITION_CODE = "bench"
PROVINCE_CODE = "99"
STANDARD = "vn-2022-2025"
YEAR, PREVIOUS_YEAR = 2025, 2024
SEED = 2025
DATA_FORMAT = 4  # bump when the generated data changes shape, so old bench data is replaced
BENCH_USERNAME = "bench-admin"
EXPORT_CLASSES = ("poor", "near_poor", "average", "not_poor")
REPORT_CLASSES = ("poor", "near_poor", "average")

WORKBOOK_KEYS = (
    "summary_workbook_s",
    "summary_workbook_sheets",
    "summary_workbook_peak_rss_mb",
)
EXPORT_KEYS = ("household_export_s", "household_export_rows_per_s", "household_export_peak_rss_mb")
INTEGRITY_KEYS = ("integrity_report_s", "integrity_findings")

GOAL_RATIO = 1.5
GOAL_WORKBOOK_S = 0.5  # the whole workbook, every sheet (issue 14; 3 s in issue 12)
GOAL_REPORT_MS = 50.0  # each province report, from the per-commune aggregates (issue 14)
GOAL_NATIONAL_S = 0.1  # the national summary over the current tree (issue 14)
GOAL_EXPORT_RSS_MB = 300.0
GOAL_EXPORT_ROWS_PER_S = 20_000.0
GOAL_INTEGRITY_S = 5.0  # every finding of the province (issue 13)

# Cumulative probabilities of the final classifications (the rest is not_poor).
MIX = {YEAR: (0.03, 0.08, 0.16), PREVIOUS_YEAR: (0.036, 0.088, 0.17)}
KEEP_PREVIOUS_CLASS = 0.75  # a household's 2024 result is its 2025 one this often
SPLIT_SHARE = 0.005  # households split off since 2024: no 2024 response ("other" increases)
OVERRIDE_SHARE = 0.01
MEMBER_COUNTS, MEMBER_WEIGHTS = (1, 2, 3, 4, 5, 6, 7), (8, 18, 24, 26, 14, 7, 3)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = _words(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Lò Hà Sùng Giàng Đinh "
    "Quàng"
)
MIDDLE = _words("Văn Thị Đức Minh Ngọc Quốc Thanh Xuân Hữu A Seo")
GIVEN = _words(
    "An Bình Cường Dũng Giang Hà Hải Hạnh Hoa Hùng Hương Khánh Lan Linh Long Mai Nam Nga Phúc Quân "
    "Sơn Tâm Thảo Thắng Trang Tú Tuấn Vân Việt Yến Chiến Dế Pó"
)


def _print(out: TextIO, line: str) -> None:
    print(line, file=out, flush=True)


def _note(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- The synthetic province -----------------------------------------------------------------------


@dataclasses.dataclass
class World:
    edition: TreeEdition
    province: AdminUnit
    review_round: ReviewRound
    previous: ReviewRound
    households: int


def _marker(n: int, communes: int) -> str:
    # Names the data, not the module: kept as first written (under reports/) so that bench data
    # generated before the benchmark moved to tools/ is still recognised and reused.
    return f"reports.bench households={n} communes={communes} seed={SEED} format={DATA_FORMAT}"


def bench_world() -> World:
    """The bench data already in the database (for the child processes)."""
    edition = TreeEdition.objects.get(code=EDITION_CODE)
    province = AdminUnit.objects.get(edition=edition, level=AdminUnit.Level.PROVINCE)
    rounds = {r.year: r for r in ReviewRound.objects.filter(province=province, kind="periodic")}
    n = SurveyResponse.objects.filter(review_round=rounds[YEAR]).count()
    return World(edition, province, rounds[YEAR], rounds[PREVIOUS_YEAR], n)


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), summing exactly."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    parts = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _table(model: Any) -> str:
    return str(model._meta.db_table)


def _check_columns(model: Any, columns: Iterable[str]) -> None:
    """Fail clearly if the table gained a NOT NULL column without default that COPY leaves out."""
    given = set(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = %s AND is_nullable = 'NO' AND column_default IS "
            "NULL AND is_identity = 'NO'",
            [_table(model)],
        )
        missing = sorted({row[0] for row in cursor.fetchall()} - given)
    if missing:
        raise RuntimeError(
            f"tools.bench_reports: {_table(model)} has NOT NULL columns the generator does not "
            f"fill: {', '.join(missing)}. Migrate the database, or add them to the generator."
        )


def _copy(table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    """COPY text-format lines (tab-separated, \\N for NULL) into a table."""
    if not lines:
        return
    buffer = io.StringIO("\n".join(lines) + "\n")
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _reserve_ids(model: Any, count: int) -> int:
    """Take ``count`` consecutive ids from the table's identity sequence; return the first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [_table(model)])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"LOCK TABLE {_table(model)} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = int(cursor.fetchone()[0])
        if count > 1:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def drop_bench_data() -> None:
    """Delete every row of the bench edition (units, rounds, households, responses)."""
    edition = TreeEdition.objects.filter(code=EDITION_CODE).first()
    if edition is None:
        return
    units = f"SELECT id FROM {_table(AdminUnit)} WHERE edition_id = %s"
    rounds = f"SELECT id FROM {_table(ReviewRound)} WHERE province_id IN ({units})"
    households = f"SELECT id FROM {_table(Household)} WHERE commune_id IN ({units})"
    responses = (
        f"SELECT id FROM {_table(SurveyResponse)} WHERE review_round_id IN ({rounds}) "
        f"OR commune_id IN ({units})"
    )
    statements = [
        (f"DELETE FROM {_table(ResponseDeprivation)} WHERE response_id IN ({responses})", 2),
        (f"DELETE FROM {_table(ResponseCause)} WHERE response_id IN ({responses})", 2),
        (f"DELETE FROM {_table(ResponseNeed)} WHERE response_id IN ({responses})", 2),
        (
            f"DELETE FROM {_table(SurveyResponse)} WHERE review_round_id IN ({rounds}) "
            f"OR commune_id IN ({units})",
            2,
        ),
        (f"DELETE FROM {_table(CommuneTotal)} WHERE review_round_id IN ({rounds})", 1),
        (f"DELETE FROM {_table(ProvinceTarget)} WHERE province_id IN ({units})", 1),
        (f"DELETE FROM {_table(CommuneFact)} WHERE review_round_id IN ({rounds})", 1),
        (f"DELETE FROM {_table(MovementFact)} WHERE review_round_id IN ({rounds})", 1),
        (f"DELETE FROM {_table(FactMark)} WHERE review_round_id IN ({rounds})", 1),
        (
            f"DELETE FROM {_table(RoundLink)} WHERE target_id IN ({rounds}) "
            f"OR source_id IN ({rounds})",
            2,
        ),
        (f"DELETE FROM {_table(ReviewRound)} WHERE province_id IN ({units})", 1),
        (f"DELETE FROM {_table(Member)} WHERE household_id IN ({households})", 1),
        (f"DELETE FROM {_table(Household)} WHERE commune_id IN ({units})", 1),
        (f"DELETE FROM {_table(AdminUnit)} WHERE edition_id = %s", 1),
        (f"DELETE FROM {_table(TreeEdition)} WHERE id = %s", 1),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        truncated = _truncate_if_only_bench(cursor, edition.pk, units)
        for sql, uses in statements:
            if truncated and sql.startswith(truncated):
                continue
            cursor.execute(sql, [edition.pk] * uses)


def _truncate_if_only_bench(cursor: Any, edition_id: int, units: str) -> tuple[str, ...]:
    """TRUNCATE the big tables when they hold bench rows only; return the DELETEs it replaces.

    Deleting two million responses row by row takes minutes and leaves the tables bloated (and
    the plans of the next, smaller run skewed); TRUNCATE takes a moment. Only when nothing else
    is in them, and the tables that refer to them are empty.
    """
    big = (ResponseDeprivation, ResponseCause, ResponseNeed, SurveyResponse, Member, Household)
    for model in (Household, SurveyResponse):
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {_table(model)} WHERE commune_id NOT IN ({units}))",
            [edition_id],
        )
        if cursor.fetchone()[0]:
            return ()
    referring = {
        _table(rel.related_model)
        for model in big
        for rel in model._meta.related_objects
        if rel.related_model not in big
    }
    for table in sorted(referring):
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
        if cursor.fetchone()[0]:
            return ()
    tables = [_table(m) for m in big] + sorted(referring)
    try:
        with transaction.atomic():
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
    except DatabaseError as error:
        _note(f"  TRUNCATE refused ({error}); deleting row by row")
        return ()
    return tuple(f"DELETE FROM {_table(m)} " for m in big)


def _bench_user() -> User:
    user = User.objects.filter(username=BENCH_USERNAME).first()
    if user is None:
        user = User(username=BENCH_USERNAME, role=User.Role.ADMIN, first_name="Benchmark")
        user.set_unusable_password()
        user.save()
    return user


def _create_units(
    edition: TreeEdition, communes: int, rng: random.Random
) -> tuple[AdminUnit, list[AdminUnit], list[AdminUnit]]:
    """The province, its 8 districts, the communes and one village per commune."""
    L, K = AdminUnit.Level, AdminUnit.Kind
    root = f"{EDITION_CODE}/"
    province = AdminUnit.objects.create(
        edition=edition,
        level=L.PROVINCE,
        kind=K.TINH,
        code=PROVINCE_CODE,
        name="Tỉnh Thử Nghiệm (benchmark)",
        path=f"{root}{PROVINCE_CODE}/",
    )
    districts = AdminUnit.objects.bulk_create(
        AdminUnit(
            edition=edition,
            parent=province,
            level=L.DISTRICT,
            kind=K.THANH_PHO if d == 0 else K.HUYEN,
            code=f"{PROVINCE_CODE}{d + 1}",
            name="Thành phố Thử Nghiệm" if d == 0 else f"Huyện Thử {d + 1}",
            path=f"{province.path}{PROVINCE_CODE}{d + 1}/",
        )
        for d in range(len(DISTRICT_SHARES))
    )
    per_district = _split(communes, list(DISTRICT_SHARES))
    commune_units: list[AdminUnit] = []
    number = 0
    for d, (district, count) in enumerate(zip(districts, per_district, strict=True)):
        for j in range(count):
            number += 1
            code = f"9{number:05d}"
            if d == 0:
                kind, name = K.PHUONG, f"Phường Thử {number:04d}"
            elif j == 0:
                kind, name = K.THI_TRAN, f"Thị trấn Thử {number:04d}"
            else:
                kind, name = K.XA, f"Xã Thử {number:04d}"
            commune_units.append(
                AdminUnit(
                    edition=edition,
                    parent=district,
                    level=L.COMMUNE,
                    kind=kind,
                    code=code,
                    name=name,
                    path=f"{district.path}{code}/",
                )
            )
    commune_units = AdminUnit.objects.bulk_create(commune_units, batch_size=1000)
    villages = AdminUnit.objects.bulk_create(
        (
            AdminUnit(
                edition=edition,
                parent=c,
                level=L.VILLAGE,
                kind=K.TO_DAN_PHO if c.kind == K.PHUONG else K.THON,
                code=f"{c.code}-01",
                name=f"Tổ {rng.randint(1, 20)}" if c.kind == K.PHUONG else "Thôn Trung Tâm",
                path=f"{c.path}{c.code}-01/",
            )
            for c in commune_units
        ),
        batch_size=1000,
    )
    return province, commune_units, villages


NULL = "\\N"  # NULL in COPY's text format


def copy_text(value: Any) -> str:
    """A Python value in COPY's text format (JSON for lists and dicts, t/f for booleans)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class CopyLayout:
    """The columns of a model's table for COPY, read from the model, and a line template.

    ``given`` are the columns the generator writes on every line (already in COPY's text format);
    ``fixed`` gives the value of columns constant for this layout. Every other concrete field of
    the model takes what the ORM would write: its default, "" for text, NULL when nullable. A field
    with none of these (a new NOT NULL column without a default) fails here, naming it, so a new
    column cannot silently break the generator or shift its values; an auto-increment key that
    is not given is left to its sequence.
    """

    def __init__(self, model: Any, given: Iterable[str], fixed: dict[str, Any] | None = None):
        fixed = fixed or {}
        given = set(given)
        self.model = model
        fields = model._meta.concrete_fields
        unknown = (given | set(fixed)) - {f.column for f in fields}
        if unknown:
            raise RuntimeError(f"tools.bench_reports: {_table(model)} has no column {unknown}")
        columns: list[str] = []
        parts: list[str] = []
        for f in fields:
            if f.column in given:
                columns.append(f.column)
                parts.append("{" + f.column + "}")
                continue
            if f.column in fixed:
                value = fixed[f.column]
            elif f.primary_key and f.get_internal_type().endswith("AutoField"):
                continue
            else:
                value = f.get_default()
                if value is None and not f.null:
                    raise RuntimeError(
                        f"tools.bench_reports: {_table(model)}.{f.column} is NOT NULL without a "
                        "default and the generator does not fill it: add it to the generator."
                    )
            columns.append(f.column)
            parts.append(copy_text(value).replace("{", "{{").replace("}", "}}"))
        self.columns = tuple(columns)
        self.template = "\t".join(parts)

    def line(self, values: dict[str, Any]) -> str:
        """One COPY line; ``values`` holds every given column (a missing one is a KeyError)."""
        return self.template.format_map(values)


# The columns the generator writes line by line; the others are constant or the models' defaults.
HOUSEHOLD_GIVEN = (
    "id",
    "public_id",
    "commune_id",
    "village_id",
    "number",
    "address",
    "head_name",
    "head_name_key",
    "created_at",
    "updated_at",
    "split_from_id",
)
RESPONSE_GIVEN = (
    "id",
    "public_id",
    "household_id",
    "commune_id",
    "village_id",
    "screening",
    "screening_reason",
    "floor_area_m2",
    "wall_durable",
    "column_durable",
    "roof_durable",
    "water_source",
    "latrine_hygienic",
    "information_means",
    "agricultural",
    "income_score",
    "deprivation_score",
    "deprived",
    "computed_classification",
    "final_classification",
    "override_reason",
    "member_count",
    "head_minority",
    "has_person_of_merit",
    "no_labour_capacity",
    "decision_number",
    "head_ethnicity",
    "child_count",
    "has_social_allowance",
)


# Phiếu A found no sign of poverty: no Phiếu B facts, no scores (COPY text of the given columns).
STOPPED_AT_SCREENING = {
    "screening": "stop",
    "screening_reason": "Hộ có thu nhập ổn định, nhà kiên cố",
    "floor_area_m2": NULL,
    "wall_durable": NULL,
    "column_durable": NULL,
    "roof_durable": NULL,
    "water_source": "",
    "latrine_hygienic": NULL,
    "information_means": "[]",
    "agricultural": "f",
    "income_score": NULL,
    "deprivation_score": NULL,
    "deprived": "[]",
}


def _uuids(count: int) -> Iterator[str]:
    """Random version-4 UUIDs as text, fast (one urandom call per batch)."""
    blob = os.urandom(16 * count).hex()
    variant = "89ab"
    for i in range(0, 32 * count, 32):
        h = blob[i : i + 32]
        yield f"{h[:12]}4{h[13:16]}{variant[int(h[16], 16) & 3]}{h[17:]}"


def _draw_class(u: float, cuts: tuple[float, float, float]) -> str:
    if u < cuts[0]:
        return "poor"
    if u < cuts[1]:
        return "near_poor"
    if u < cuts[2]:
        return "average"
    return "not_poor"


ADJACENT = {
    "poor": "near_poor",
    "near_poor": "poor",
    "average": "near_poor",
    "not_poor": "average",
}


class _Generator:
    """Rows of households, responses and deprivations for one batch of households at a time."""

    def __init__(
        self,
        rng: random.Random,
        rounds: dict[int, ReviewRound],
        user: User,
        indicators: list[str],
    ) -> None:
        self.rng = rng
        self.rounds = rounds
        self.user_id = user.pk
        self.indicators = indicators
        # Three-part names and four-part ones (a second given name, as many Vietnamese names
        # have): about 270,000 names, so that namesakes born the same day are as rare as in life.
        three = [f"{s} {m} {g}" for s in SURNAMES for m in MIDDLE for g in GIVEN]
        names = three + [f"{name} {g}" for name in three for g in GIVEN]
        self.names = [(name, search_key(name)) for name in names]
        self.member_cum: list[float] = []
        acc = 0.0
        for w in MEMBER_WEIGHTS:
            acc += w / sum(MEMBER_WEIGHTS)
            self.member_cum.append(acc)
        self.waters = ("piped", "borehole", "protected_well", "unprotected_well")
        self.households = CopyLayout(
            Household, HOUSEHOLD_GIVEN, {"created_by_id": self.user_id, "status": "active"}
        )
        # The columns that never vary within a round, by round.
        self.responses: dict[int, CopyLayout] = {}
        for year, r in rounds.items():
            stamp = f"{year}-10-{15:02d} 09:00:00+07"
            approved = f"{year}-12-10 15:00:00+07"
            self.responses[year] = CopyLayout(
                SurveyResponse,
                RESPONSE_GIVEN,
                {
                    "review_round_id": r.pk,
                    "status": "approved",
                    "standard_code": STANDARD,
                    "standard_version": 1,
                    "created_at": stamp,
                    "updated_at": approved,
                    "created_by_id": self.user_id,
                    "submitted_at": stamp,
                    "submitted_by_id": self.user_id,
                    "decision_date": f"{year}-12-10",
                    "approved_at": approved,
                },
            )
        # Every household's present members (the head first): what the integrity watch reads
        # for the same person twice. Adults carry a CCCD (unique: from the member's number).
        self.members = CopyLayout(
            Member,
            (
                "public_id",
                "household_id",
                "full_name",
                "name_key",
                "birth_date",
                "birth_year",
                "sex",
                "relationship",
                "citizen_id",
            ),
            {"created_at": "2022-10-01 08:00:00+07", "updated_at": "2022-10-01 08:00:00+07"},
        )
        self.member_number = 0
        self.deprivations = CopyLayout(ResponseDeprivation, ("response_id", "indicator"))
        self.causes = CopyLayout(ResponseCause, ("response_id", "cause"))
        self.needs = CopyLayout(ResponseNeed, ("response_id", "need"))
        self.minority_groups = [code for code, _name in ETHNIC_GROUPS if code != KINH][:12]

    def _members(self) -> int:
        u = self.rng.random()
        for count, cum in zip(MEMBER_COUNTS, self.member_cum, strict=True):
            if u < cum:
                return count
        return MEMBER_COUNTS[-1]

    def response_line(
        self,
        response_id: int,
        public_id: str,
        year: int,
        household_id: int,
        commune_id: int,
        village_id: int,
        final: str,
        members: int,
        minority: bool,
        decision: int,
        deprivations: list[str],
    ) -> str:
        rng = self.rng
        computed = final
        reason = ""
        if rng.random() < OVERRIDE_SHARE:
            computed = ADJACENT[final]
            reason = "Họp thôn thống nhất điều chỉnh theo thực tế thu nhập của hộ"
        merit = rng.random() < 0.02
        allowance = rng.random() < (0.12 if final in ("poor", "near_poor") else 0.03)
        ethnicity = self.minority_groups[household_id % 12] if minority else KINH
        no_labour = rng.random() < (
            0.2 if final == "poor" else 0.1 if final == "near_poor" else 0.03
        )
        stop = final == "not_poor" and computed == "not_poor" and rng.random() < 0.7
        tf = "tf"
        values = {
            "id": response_id,
            "public_id": public_id,
            "household_id": household_id,
            "commune_id": commune_id,
            "village_id": village_id,
            "computed_classification": computed,
            "final_classification": final,
            "override_reason": reason,
            "member_count": members,
            "head_minority": tf[not minority],
            "has_person_of_merit": tf[not merit],
            "no_labour_capacity": tf[not no_labour],
            "decision_number": f"{decision}/QĐ-UBND",
            "head_ethnicity": ethnicity,
            "child_count": min(members - 1, rng.choice((0, 0, 1, 1, 2, 3))),
            "has_social_allowance": tf[not allowance],
        }
        if stop:
            values.update(STOPPED_AT_SCREENING)
        else:
            durable = "f" if final == "poor" and rng.random() < 0.5 else "t"
            area = rng.randint(12, 140)
            water = self.waters[rng.randrange(4)]
            agri = "t" if rng.random() < 0.6 else "f"
            score = {"poor": 110, "near_poor": 140, "average": 160}.get(computed, 190)
            score += rng.randint(0, 25)
            values.update(
                screening="proceed",
                screening_reason="",
                floor_area_m2=f"{area}.0",
                wall_durable=durable,
                column_durable=durable,
                roof_durable="t",
                water_source=water,
                latrine_hygienic="t",
                information_means='["tv"]',
                agricultural=agri,
                income_score=f"{score}.0",
                deprivation_score=len(deprivations),
                deprived=json.dumps(deprivations),
            )
        return self.responses[year].line(values)

    def batch(
        self,
        first_household: int,
        first_response: int,
        places: list[tuple[int, int, int]],
    ) -> tuple[list[str], list[str], list[str], list[str], list[str], int]:
        """Lines for the households at ``places`` (commune id, village id, number in commune)."""
        rng = self.rng
        # A household, its two responses and at most MEMBER_COUNTS[-1] members.
        uuids = _uuids((3 + MEMBER_COUNTS[-1]) * len(places))
        households: list[str] = []
        member_lines: list[str] = []
        responses: list[str] = []
        deprivations: list[str] = []
        # Causes of poverty and support needs of the poor and near-poor (1–3 of each).
        answers: list[str] = []
        causes = list(PovertyCause.values)
        needs = list(SupportNeed.values)
        response_id = first_response
        names = self.names
        indicators = self.indicators
        for offset, (commune_id, village_id, number) in enumerate(places):
            household_id = first_household + offset
            name, key = names[rng.randrange(len(names))]
            split = number > 1 and rng.random() < SPLIT_SHARE
            created = "2025-03-01 10:00:00+07" if split else "2022-10-01 08:00:00+07"
            split_from = str(household_id - 1) if split else NULL
            households.append(
                self.households.line(
                    {
                        "id": household_id,
                        "public_id": next(uuids),
                        "commune_id": commune_id,
                        "village_id": village_id,
                        "number": f"{number:05d}",
                        "address": f"Số {number}, thôn trung tâm",
                        "head_name": name,
                        "head_name_key": key,
                        "created_at": created,
                        "updated_at": created,
                        "split_from_id": split_from,
                    }
                )
            )
            members = self._members()
            for index in range(members):
                self.member_number += 1
                full_name, name_key = (
                    (name, key) if index == 0 else names[rng.randrange(len(names))]
                )
                year = rng.randint(1940, 1985) if index < 2 else rng.randint(1986, 2024)
                born = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                adult = year <= 2010
                member_lines.append(
                    self.members.line(
                        {
                            "public_id": next(uuids),
                            "household_id": household_id,
                            "full_name": full_name,
                            "name_key": name_key,
                            "birth_date": born,
                            "birth_year": year,
                            "sex": "male" if rng.random() < 0.5 else "female",
                            "relationship": "head" if index == 0 else "child",
                            "citizen_id": f"0{self.member_number:011d}" if adult else NULL,
                        }
                    )
                )
            minority = rng.random() < 0.15
            final = _draw_class(rng.random(), MIX[YEAR])
            years = [(YEAR, final)]
            if not split:
                previous = (
                    final
                    if rng.random() < KEEP_PREVIOUS_CLASS
                    else _draw_class(rng.random(), MIX[PREVIOUS_YEAR])
                )
                years.append((PREVIOUS_YEAR, previous))
            for year, cls in years:
                deprived: list[str] = []
                if cls in ("poor", "near_poor"):
                    deprived = sorted(rng.sample(indicators, rng.randint(1, 5)))
                    for indicator in deprived:
                        deprivations.append(
                            self.deprivations.line(
                                {"response_id": response_id, "indicator": indicator}
                            )
                        )
                    for cause in rng.sample(causes, rng.randint(1, 3)):
                        answers.append(
                            "c" + self.causes.line({"response_id": response_id, "cause": cause})
                        )
                    for need in rng.sample(needs, rng.randint(1, 3)):
                        answers.append(
                            "n" + self.needs.line({"response_id": response_id, "need": need})
                        )
                n = members if year == YEAR else max(1, members + rng.choice((-1, 0, 0, 0, 1)))
                responses.append(
                    self.response_line(
                        response_id,
                        next(uuids),
                        year,
                        household_id,
                        commune_id,
                        village_id,
                        cls,
                        n,
                        minority,
                        commune_id % 1000,
                        deprived,
                    )
                )
                response_id += 1
        return households, member_lines, responses, deprivations, answers, response_id


def generate(n: int, communes: int = COMMUNES, out: TextIO = sys.stdout) -> World:
    """The bench province with ``n`` households, created unless it is already there."""
    marker = _marker(n, communes)
    edition = TreeEdition.objects.filter(code=EDITION_CODE).first()
    if edition is not None and edition.source == marker:
        world = bench_world()
        if world.households == n:
            _print(out, f"# reusing the bench data already there ({n:,} households)")
            return world
    started = time.perf_counter()
    drop_bench_data()
    dropped = time.perf_counter() - started
    rng = random.Random(SEED)  # noqa: S311 - synthetic data, not security
    outer_atomic = connection.in_atomic_block
    with transaction.atomic():
        user = _bench_user()
        edition = TreeEdition.objects.create(
            code=EDITION_CODE,
            name="Danh mục thử tải (benchmark)",
            has_districts=True,
            is_current=False,
            source=marker,
        )
        province, commune_units, villages = _create_units(edition, communes, rng)
        rounds = {
            year: ReviewRound.objects.create(
                province=province,
                year=year,
                kind=ReviewRound.Kind.PERIODIC,
                standard_code=STANDARD,
                starts_on=date(year, 9, 1),
                ends_on=date(year, 12, 14),
                status=ReviewRound.Status.OPEN if year == YEAR else ReviewRound.Status.CLOSED,
                opened_by=user,
            )
            for year in (PREVIOUS_YEAR, YEAR)
        }
        ProvinceTarget.objects.create(
            province=province,
            year=YEAR,
            target_poverty_rate=Decimal("3.50"),
            basis="Nghị quyết HĐND tỉnh (thử tải)",
            recorded_by=user,
        )
        sizes = _split(n, [rng.lognormvariate(0, 0.5) for _ in commune_units])
        CommuneTotal.objects.bulk_create(
            (
                CommuneTotal(
                    review_round=rounds[year],
                    commune=c,
                    total_households=size + int(size * 0.03) + rng.randint(0, 5),
                    source="Cơ sở dữ liệu dân cư của Công an xã, ngày 01/09",
                    recorded_by=user,
                )
                for year in (PREVIOUS_YEAR, YEAR)
                for c, size in zip(commune_units, sizes, strict=True)
            ),
            batch_size=1000,
        )
        places = [
            (c.pk, v.pk, number)
            for c, v, size in zip(commune_units, villages, sizes, strict=True)
            for number in range(1, size + 1)
        ]
        first_household = _reserve_ids(Household, n)
        first_response = _reserve_ids(SurveyResponse, 2 * n)
        indicators = [i.key for i in get_standard(STANDARD).indicators]
        generator = _Generator(rng, rounds, user, indicators)
        layouts: tuple[tuple[Any, CopyLayout], ...] = (
            (Household, generator.households),
            (Member, generator.members),
            (SurveyResponse, generator.responses[YEAR]),
            (ResponseDeprivation, generator.deprivations),
        )
        for model, layout in layouts:
            _check_columns(model, (*layout.columns, "id"))
        response_id = first_response
        deprivation_rows = 0
        for start in range(0, n, BATCH):
            households, members, responses, deprivations, answers, response_id = generator.batch(
                first_household + start, response_id, places[start : start + BATCH]
            )
            for (model, layout), lines in zip(
                layouts, (households, members, responses, deprivations), strict=True
            ):
                _copy(_table(model), layout.columns, lines)
            for layout, tag in ((generator.causes, "c"), (generator.needs, "n")):
                _copy(
                    _table(layout.model),
                    layout.columns,
                    [line[1:] for line in answers if line[0] == tag],
                )
            deprivation_rows += len(deprivations)
            _note(f"  generated {min(start + BATCH, n):,} / {n:,} households")
        response_rows = response_id - first_response
    tables = [
        _table(m)
        for m in (
            AdminUnit,
            Household,
            Member,
            SurveyResponse,
            ResponseDeprivation,
            ResponseCause,
            ResponseNeed,
            CommuneTotal,
        )
    ]
    with connection.cursor() as cursor:
        for table in tables:
            # VACUUM cannot run inside a transaction (the tests' one): ANALYZE alone there.
            cursor.execute(f"{'ANALYZE' if outer_atomic else 'VACUUM (ANALYZE)'} {table}")
    elapsed = time.perf_counter() - started
    _print(
        out,
        f"# generated {n:,} households, {response_rows:,} responses, {deprivation_rows:,} "
        f"deprivation rows, {len(commune_units):,} communes in {elapsed:.1f} s "
        f"(of which {dropped:.1f} s deleting the previous bench data; not a measured figure)",
    )
    return World(edition, province, rounds[YEAR], rounds[PREVIOUS_YEAR], n)


# --- Measurements --------------------------------------------------------------------------------


def scopes(world: World) -> dict[str, ReportScope]:
    return {
        "district": report_scope(world.review_round, world.province),
        "commune": report_scope(world.review_round, world.province, by="commune"),
    }


def floor_sql(by: str) -> str:
    """The hand-written floor: one GROUP BY of the round's approved responses."""
    if by == "district":
        key, join = "c.parent_id", f"JOIN {_table(AdminUnit)} c ON c.id = r.commune_id"
    else:
        key, join = "r.commune_id", ""
    per_class = []
    for cls in REPORT_CLASSES:
        per_class.append(f"COUNT(*) FILTER (WHERE r.final_classification = '{cls}') AS {cls}")
        per_class.append(
            f"COALESCE(SUM(r.member_count) FILTER (WHERE r.final_classification = '{cls}'), 0) "
            f"AS {cls}_persons"
        )
    return (
        f"SELECT {key} AS unit_id, COUNT(*) AS surveyed, {', '.join(per_class)} "
        f"FROM {_table(SurveyResponse)} r {join} "
        f"WHERE r.review_round_id = %s AND r.status = 'approved' GROUP BY {key}"
    )


FLOOR_FIELDS = ("surveyed", *[f for c in REPORT_CLASSES for f in (c, f"{c}_persons")])


def run_floor(world: World, by: str) -> dict[int, dict[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(floor_sql(by), [world.review_round.pk])
        return {
            row[0]: dict(zip(FLOOR_FIELDS, (int(v) for v in row[1:]), strict=True))
            for row in cursor.fetchall()
        }


def _median_time(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, list[float], Any]:
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times, result


def _paired_medians(
    first: Callable[[], Any], second: Callable[[], Any], runs: int = RUNS
) -> tuple[tuple[float, list[float], Any], tuple[float, list[float], Any]]:
    """Median times of two functions, after one untimed run of each (cold caches), run in turns.

    In turns, so that whatever else the machine is doing weighs on both alike: their ratio is the
    figure that matters.
    """
    results: list[Any] = [first(), second()]
    times: list[list[float]] = [[], []]
    for _ in range(runs):
        for i, fn in enumerate((first, second)):
            started = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - started)
    return (
        (statistics.median(times[0]), times[0], results[0]),
        (statistics.median(times[1]), times[1], results[1]),
    )


def compare(report: Summary, floor: dict[int, dict[str, int]]) -> list[str]:
    """Differences between the report's rows and total and the floor's (empty: they agree)."""
    problems = []
    for row in report.rows:
        assert row.unit is not None
        expected = floor.get(row.unit.pk, dict.fromkeys(FLOOR_FIELDS, 0))
        for name in FLOOR_FIELDS:
            if getattr(row, name) != expected[name]:
                problems.append(f"{row.label} {name}: {getattr(row, name)} != {expected[name]}")
    for name in FLOOR_FIELDS:
        floor_total = sum(values[name] for values in floor.values())
        if getattr(report.total, name) != floor_total:
            problems.append(f"total {name}: {getattr(report.total, name)} != {floor_total}")
    return problems


def _explain(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        _note("\n".join(row[0] for row in cursor.fetchall()))


def measure_reports(world: World, out: TextIO, explain: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {}
    ratios = []
    for by, scope in scopes(world).items():
        (report_s, report_runs, report), (floor_s, floor_runs, floor) = _paired_medians(
            functools.partial(summary, scope), functools.partial(run_floor, world, by)
        )
        _print(out, f"province_report_by_{by}_s={report_s:.3f}")
        _print(out, f"sql_floor_by_{by}_s={floor_s:.3f}")
        _note(
            f"  by {by}: report runs {', '.join(f'{t:.3f}' for t in report_runs)}; floor runs "
            f"{', '.join(f'{t:.3f}' for t in floor_runs)}; {len(report.rows)} child rows"
        )
        problems = compare(report, floor)
        if problems:
            _note(f"  by {by}: the report and the floor DISAGREE: {problems[:5]}")
        ratios.append(report_s / floor_s if floor_s else float("inf"))
        results[by] = {"report": report, "floor": floor, "problems": problems}
        if explain:
            with CaptureQueriesContext(connection) as captured:
                summary(scope)
            for query in captured.captured_queries:
                _note(f"\n-- report by {by}, {query['time']} s in Django:\n{query['sql']}")
                _explain(query["sql"])
            _note(f"\n-- floor by {by}:\n{floor_sql(by)}")
            _explain(floor_sql(by), [world.review_round.pk])
    ratio = max(ratios)
    _print(out, f"report_vs_sql_ratio={ratio:.2f}")
    results["ratio"] = ratio
    return results


def _peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB.

    Linux carries ``ru_maxrss`` over from the process that forked this one (through the exec): a
    child started by the benchmark, after generating a million rows, would report the parent's
    peak. ``VmHWM`` is the peak of this process's own memory since the exec, so it is preferred.
    """
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return maxrss_mb


def measure_workbook(world: World) -> dict[str, str]:
    """Build the province's report workbook with every sheet (bytes, as the download does):
    median of 5, peak RSS, the number of sheets, and then the time of each table's queries
    alone (one run each, on a fresh `ReportTables`), to show where the time goes."""
    scope = report_scope(world.review_round, world.province)
    seconds, _runs, content = _median_time(functools.partial(report_workbook, scope))
    sheets = len(load_workbook(io.BytesIO(content), read_only=True).sheetnames)
    figures = {
        "summary_workbook_s": f"{seconds:.3f}",
        "summary_workbook_sheets": str(sheets),
        "summary_workbook_peak_rss_mb": f"{_peak_rss_mb():.1f}",
    }
    for name in TABLE_TIMINGS:
        tables = report_tables(scope)
        started = time.perf_counter()
        table = getattr(tables, name)
        if name == "areas":  # the split is computed part by part, when its tables are read
            for part in table.parts:
                part.tables.summary, part.tables.movements  # noqa: B018
        figures[f"table_{name}_s"] = f"{time.perf_counter() - started:.3f}"
    return figures


def measure_integrity(world: World) -> dict[str, str]:
    """The integrity watch of the province (issue 13): every finding and every bunching test,
    median of 3 runs after one untimed run (which pays the density test's import)."""
    from reports.integrity.findings import integrity_report

    report = integrity_report(world.review_round, world.province)
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        report = integrity_report(world.review_round, world.province)
        runs.append(time.perf_counter() - started)
    kinds: dict[str, int] = {}
    for finding in report.findings:
        kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
    _note(
        "  integrity: runs "
        + ", ".join(f"{r:.3f}" for r in runs)
        + f"; findings {dict(sorted(kinds.items())) or 'none'}; "
        + f"{sum(t.skipped is None for t in report.tests)} bunching tests run, "
        + f"{sum(t.skipped is not None for t in report.tests)} skipped"
    )
    return {
        "integrity_report_s": f"{statistics.median(runs):.3f}",
        "integrity_findings": str(len(report.findings)),
    }


# The tables of the workbook, timed one by one by `measure_workbook` (the sheets' layout is the
# rest of the workbook's time).
TABLE_TIMINGS = (
    "summary",
    "movements",
    "deprivations",
    "areas",
    "deprivations_by_unit",
    "policy_groups",
    "ethnicity",
    "children",
    "poverty_causes",
    "support_needs",
)


def measure_export(world: World) -> dict[str, str]:
    """Write every household of the province to a temporary workbook: time, rows/s, peak RSS."""
    keys = EXPORT_KEYS
    scope = report_scope(world.review_round, world.province)
    directory = tempfile.mkdtemp(prefix="ranoheo-bench-")
    path = os.path.join(directory, "households.xlsx")
    try:
        started = time.perf_counter()
        rows = households_export(scope, path, classes=EXPORT_CLASSES)
        seconds = time.perf_counter() - started
        size_mb = os.path.getsize(path) / 2**20
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    _note(f"  household export: {rows:,} rows of {', '.join(EXPORT_CLASSES)}, {size_mb:.1f} MB")
    return {
        keys[0]: f"{seconds:.3f}",
        keys[1]: f"{rows / seconds:.0f}",
        keys[2]: f"{_peak_rss_mb():.1f}",
        "household_export_rows": str(rows),
    }


def _in_child(what: str) -> dict[str, str]:
    """Run ``--measure what`` in a fresh interpreter and read its ``key=value`` lines."""
    completed = subprocess.run(  # noqa: S603 - our own module, no shell
        [sys.executable, "-m", "tools.bench_reports", "--measure", what],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ.copy(),
        cwd=settings.BASE_DIR,
    )
    if completed.stderr.strip():
        _note(completed.stderr.rstrip())
    if completed.returncode != 0:
        raise RuntimeError(f"tools.bench_reports --measure {what} failed ({completed.returncode})")
    return dict(
        line.split("=", 1)
        for line in completed.stdout.splitlines()
        if "=" in line and line[0] != "#"
    )


def _goal_line(name: str, value: str, goal: float, at_most: bool, unit: str = "") -> str:
    sign = "≤" if at_most else "≥"
    if value in ("unavailable", "failed", ""):
        return f"# goal {name} {sign} {goal:g}{unit}: not measured"
    number = float(value)
    met = number <= goal if at_most else number >= goal
    if met:
        return f"# goal {name} {sign} {goal:g}{unit}: met ({number:g}{unit})"
    off = number - goal if at_most else goal - number
    return f"# goal {name} {sign} {goal:g}{unit}: MISSED by {off:g}{unit} ({number:g}{unit})"


def run(
    n: int,
    out: TextIO = sys.stdout,
    *,
    communes: int = COMMUNES,
    child_processes: bool = True,
    migrate: bool = True,
    explain: bool = False,
) -> dict[str, Any]:
    """Generate (or reuse) the bench province and print every figure; returns the details."""
    if connection.vendor != "postgresql":
        raise RuntimeError("tools.bench_reports runs on PostgreSQL only")
    if migrate:
        call_command("migrate", verbosity=0)
    world = generate(n, communes, out)
    # The national rounds first: a new round marks every round to be rebuilt.
    national_rounds(_bench_user(), world.review_round.standard_code)
    results = measure_aggregates(world, functools.partial(_print, out), sys.stderr)
    if child_processes:  # the real benchmark: the pages too (gunicorn, forms through the pages)
        from tools.bench_pages import measure_load  # (it imports this module)

        results.update(measure_form_cost(world, functools.partial(_print, out)))
        results["load"] = measure_load(world)
        for key, value in results["load"].items():
            _print(out, f"{key}={value}")
    results.update(measure_reports(world, out, explain))
    for what, measure, keys in (
        ("workbook", measure_workbook, WORKBOOK_KEYS),
        ("export", measure_export, EXPORT_KEYS),
        ("integrity", measure_integrity, INTEGRITY_KEYS),
    ):
        try:
            in_child = child_processes and what != "integrity"  # (no memory figure to isolate)
            figures = _in_child(what) if in_child else measure(world)
        except Exception:  # print the other figures all the same, and say which failed
            _note(traceback.format_exc())
            figures = dict.fromkeys(keys, "failed")
        for key, value in figures.items():
            _print(out, f"{key}={value}")
        results.update(figures)
    results.update(measure_national(functools.partial(_print, out)))
    _print(out, f"# goals at {n:,} households:")
    equal = results["aggregates_equal"]
    _print(out, f"# goal aggregates_equal = yes: {'met' if equal == 'yes' else 'MISSED'} ({equal})")
    for key, value in results.items():
        if key.startswith("report_") and key.endswith("_ms"):
            _print(out, _goal_line(key, f"{value:.1f}", GOAL_REPORT_MS, True, " ms"))
    _print(
        out,
        _goal_line("national_report_s", results["national_report_s"], GOAL_NATIONAL_S, True, " s"),
    )
    if "load" in results:
        from tools.bench_pages import goal_lines as page_goal_lines

        slower = results["form_submit_slower_pct"]
        _print(out, _goal_line("form_submit_slower_pct", f"{slower:.1f}", 10.0, True, " %"))
        for line in page_goal_lines(results["load"]):
            _print(out, line)
    _print(out, _goal_line("report_vs_sql_ratio", f"{results['ratio']:.2f}", GOAL_RATIO, True))
    _print(
        out,
        _goal_line(
            "summary_workbook_s", results["summary_workbook_s"], GOAL_WORKBOOK_S, True, " s"
        ),
    )
    _print(
        out,
        _goal_line(
            "household_export_peak_rss_mb",
            results["household_export_peak_rss_mb"],
            GOAL_EXPORT_RSS_MB,
            True,
            " MB",
        ),
    )
    _print(
        out,
        _goal_line(
            "household_export_rows_per_s",
            results["household_export_rows_per_s"],
            GOAL_EXPORT_ROWS_PER_S,
            False,
        ),
    )
    _print(
        out,
        _goal_line(
            "integrity_report_s", results["integrity_report_s"], GOAL_INTEGRITY_S, True, " s"
        ),
    )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_reports", description=__doc__)
    parser.add_argument("--measure", choices=("workbook", "export"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the report queries (stderr)"
    )
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("tools.bench_reports: the benchmark runs on PostgreSQL only.", file=sys.stderr)
        return EXIT_NOT_POSTGRES
    if args.measure:
        world = bench_world()
        figures = measure_workbook(world) if args.measure == "workbook" else measure_export(world)
        for key, value in figures.items():
            print(f"{key}={value}", flush=True)
        return 0
    raw = os.environ.get("BENCH_HOUSEHOLDS", "").replace("_", "").replace(",", "")
    n = int(raw) if raw else DEFAULT_HOUSEHOLDS
    if n < 1:
        parser.error("BENCH_HOUSEHOLDS must be at least 1")
    run(n, explain=args.explain)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
