"""Household import benchmark: ``python -m tools.bench_import`` (``make bench-import``).

Needs PostgreSQL (``DATABASE_URL=postgres://...``; anything else exits 2). Migrates, then builds a
workbook of ``BENCH_IMPORT_HOUSEHOLDS`` households (default 5,000, about 18,000 rows: one per
person, every column of the template filled) for a commune of a tree edition of its own
(``bench-import``, 10 villages), removes that commune's households from an earlier run, and
imports the file in a fresh child process, as the command does: checked (`import_plan`), then
written (`import_apply`). Prints ``key=value`` lines:

- ``import_rows``, ``import_households``: what the file holds;
- ``import_check_s``, ``import_write_s``, ``import_total_s`` and ``import_rows_per_second``;
- ``import_peak_rss_mb``: the child's VmHWM (Python and Django included);
- ``reimport_total_s``: importing the same file again (everything unchanged, nothing written).

Goals (the issue's): the whole file in under 30 s, peak memory under 300 MB.
"""

# ruff: noqa: E402

from __future__ import annotations

import os
import sys

EXIT_NOT_POSTGRES = 2
GOAL_SECONDS = 30.0
GOAL_RSS_MB = 300.0


def _bootstrap() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    url = os.environ.get("DATABASE_URL", "")
    if url.split("://", 1)[0].lower() not in {"postgres", "postgresql"}:
        print(
            "tools.bench_import: PostgreSQL only. Set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ranoheo_bench make bench-import",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_NOT_POSTGRES)
    import django

    django.setup()


if __name__ == "__main__":
    _bootstrap()

import random
import subprocess
import tempfile
import time
from pathlib import Path

from django.core.management import call_command

from areas.models import AdminUnit, TreeEdition
from households.imports import COLUMNS
from households.models import Household, Member

EDITION = "bench-import"
COMMUNE = "99001"


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _commune() -> AdminUnit:
    edition, _ = TreeEdition.objects.get_or_create(
        code=EDITION, defaults={"name": "Benchmark (import)", "is_current": False}
    )
    province, _ = AdminUnit.objects.get_or_create(
        edition=edition,
        code="99",
        defaults={
            "level": "province",
            "kind": "tinh",
            "name": "Tỉnh Thử",
            "path": f"{EDITION}/99/",
        },
    )
    commune, _ = AdminUnit.objects.get_or_create(
        edition=edition,
        code=COMMUNE,
        defaults={
            "parent": province,
            "level": "commune",
            "kind": "xa",
            "name": "Xã Thử",
            "path": f"{province.path}{COMMUNE}/",
        },
    )
    for n in range(1, 11):
        code = f"{COMMUNE}-{n:02d}"
        AdminUnit.objects.get_or_create(
            edition=edition,
            code=code,
            defaults={
                "parent": commune,
                "level": "village",
                "kind": "thon",
                "name": f"Thôn {n}",
                "path": f"{commune.path}{code}/",
            },
        )
    return commune


def _workbook(households: int, path: Path) -> int:
    """A realistic list: 1 to 7 people a household, every column filled. Returns the rows."""
    from openpyxl import Workbook

    rng = random.Random(5000)  # noqa: S311 (invented people)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sach ho")
    sheet.append([c.header for c in COLUMNS])
    families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi"]
    given = ["An", "Bình", "Cường", "Dũng", "Hà", "Hoa", "Lan", "Mai", "Nam", "Sơn", "Tâm"]
    rows = 0
    for h in range(1, households + 1):
        family = rng.choice(families)
        size = rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7])
        for p in range(size):
            relationship = "Chủ hộ" if p == 0 else ("Vợ" if p == 1 else "Con")
            sex = "Nam" if p != 1 else "Nữ"
            year = 1960 + rng.randint(0, 20) if p < 2 else 1995 + rng.randint(0, 25)
            sheet.append(
                [
                    f"{h:05d}",
                    f"Thôn {1 + h % 10}",
                    f"{family} {'Văn' if sex == 'Nam' else 'Thị'} {rng.choice(given)} {p}",
                    relationship,
                    sex,
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}",
                    "",
                    "Kinh",
                    f"Xóm {h % 9 + 1}" if p == 0 else "",
                    "09" + f"{h:08d}" if p == 0 else "",
                    rng.choice(["Có", "Không"]),
                    "Có" if p >= 2 and year >= 2008 else "Không",
                    rng.choice(["Tiểu học", "THCS", "THPT"]),
                    rng.choice(["Tự làm", "Làm thuê", "Không làm việc"]),
                    rng.choice(["Không"] * 19 + ["Có"]),
                    0,
                    "Không",
                ]
            )
            rows += 1
    book.save(path)
    return rows


def _measure(path: str) -> None:
    """The child: import the file as the command does and print the figures."""
    from households.imports import import_apply, import_plan

    commune = AdminUnit.objects.get(edition__code=EDITION, code=COMMUNE)
    started = time.perf_counter()
    with open(path, "rb") as file:
        plan = import_plan(actor=None, commune=commune, file=file, name="bench.xlsx")
    checked = time.perf_counter()
    assert plan.ok, [str(e) for e in plan.errors[:5]]
    import_apply(actor=None, plan=plan)
    done = time.perf_counter()
    print(f"import_rows={plan.rows}")
    print(f"import_households={plan.households_new}")
    print(f"import_check_s={checked - started:.3f}")
    print(f"import_write_s={done - checked:.3f}")
    print(f"import_total_s={done - started:.3f}")
    print(f"import_rows_per_second={plan.rows / (done - started):.0f}")
    print(f"import_peak_rss_mb={_peak_mb():.1f}")
    again = time.perf_counter()
    with open(path, "rb") as file:
        second = import_plan(actor=None, commune=commune, file=file, name="bench.xlsx")
    import_apply(actor=None, plan=second)
    assert second.households_new == 0 and second.households_changed == 0
    print(f"reimport_total_s={time.perf_counter() - again:.3f}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        _measure(sys.argv[2])
        return
    call_command("migrate", verbosity=0)
    commune = _commune()
    Member.objects.filter(household__commune=commune).delete()
    Household.objects.filter(commune=commune).delete()
    households = int(os.environ.get("BENCH_IMPORT_HOUSEHOLDS", "5000"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        rows = _workbook(households, path)
        print(f"file_rows={rows}", file=sys.stderr)
        out = subprocess.run(  # noqa: S603 (our own module, our own arguments)
            [sys.executable, "-m", "tools.bench_import", "--measure", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
    sys.stdout.write(out.stdout)
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(out.returncode)
    figures = dict(line.split("=", 1) for line in out.stdout.split() if "=" in line)
    total, rss = float(figures["import_total_s"]), float(figures["import_peak_rss_mb"])
    print(f"goal import_total_s<{GOAL_SECONDS:.0f}: {'met' if total < GOAL_SECONDS else 'MISSED'}")
    print(f"goal import_peak_rss_mb<{GOAL_RSS_MB:.0f}: {'met' if rss < GOAL_RSS_MB else 'MISSED'}")


if __name__ == "__main__":
    main()
