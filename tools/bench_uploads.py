"""Upload benchmark: each hostile workbook and a commune's 18,000-row list, read in a fresh process.

    python -m tools.bench_uploads            # the project's reader (core/workbooks.py)
    python -m tools.bench_uploads --compare  # also openpyxl read-only and python-calamine

Each file is built once into a temporary folder, then read by a child process (so one file's peak
memory does not hide another's) that prints what it measured. Lines are `key=value`:
`seconds` is the time to open and read every row (or to be refused), `peak_rss_mb` the child's
VmHWM from /proc/self/status at the end, `base_rss_mb` its VmHWM just before reading (Python,
Django and the reader imported). The goal (the upload-limits issue): every refused file under
200 MB peak and 3 s. The comparison engines read without our caps, as an upload did before.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tools import hostile_workbooks as hostile

CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "households_18000x20": (hostile.realistic_households, "ho.xlsx"),
    "wide_row_2000000_cells": (hostile.wide_row, "bang-diem.xlsx"),
    "shared_strings_200mb": (hostile.huge_shared_strings, "bang-diem.xlsx"),
    "empty_styled_cells_3800000": (hostile.empty_styled_cells, "bang-diem.xlsx"),
    "unknown_elements_4000000": (hostile.unknown_elements, "bang-diem.xlsx"),
    "broken_sheet_xml": (hostile.broken_sheet_xml, "bang-diem.xlsx"),
    "over_size_11mb": (hostile.over_size, "bang-diem.xlsx"),
    "xlsm_with_vba": (hostile.macro_enabled, "bang-diem.xlsm"),
    "text_renamed_xlsx": (hostile.text_renamed, "bang-diem.xlsx"),
}
CHILD_TIMEOUT = 180


def _vm_hwm_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _child(engine: str, path: str, name: str) -> None:
    """Read one file with one engine and print `rows`, `outcome`, `seconds`, RSS figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from core.workbooks import WorkbookError, open_workbook

    rows = 0
    outcome = "read"
    with open(path, "rb") as file:
        base = _vm_hwm_mb()
        start = time.perf_counter()
        try:
            if engine == "ours":
                with open_workbook(file, name=name) as workbook:
                    for sheet in workbook.sheet_names:
                        for _row in workbook.rows(sheet):
                            rows += 1
            elif engine == "openpyxl":
                from openpyxl import load_workbook

                book = load_workbook(file, read_only=True, data_only=True)
                for worksheet in book.worksheets:
                    for _values in worksheet.iter_rows(values_only=True):
                        rows += 1
                book.close()
            else:
                from python_calamine import CalamineWorkbook

                calamine = CalamineWorkbook.from_filelike(file)
                for sheet_name in calamine.sheet_names:
                    for _cells in calamine.get_sheet_by_name(sheet_name).iter_rows():
                        rows += 1
        except WorkbookError as exc:
            outcome = f"refused:{exc.code}"
        except Exception as exc:  # the other engines' failures are what we measure
            outcome = f"error:{type(exc).__name__}"
        seconds = time.perf_counter() - start
    print(
        f"rows={rows} outcome={outcome} seconds={seconds:.3f} "
        f"base_rss_mb={base:.1f} peak_rss_mb={_vm_hwm_mb():.1f}"
    )


def _engines(compare: bool) -> list[str]:
    if not compare:
        return ["ours"]
    engines = ["ours", "openpyxl"]
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        print("# python-calamine is not installed: pip install python-calamine to compare")
    else:
        engines.append("calamine")
    return engines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true", help="also openpyxl and calamine")
    parser.add_argument("--only", action="append", choices=list(CASES), help="just these files")
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "PATH", "NAME"), help="internal")
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as folder:
        for case, (build, name) in CASES.items():
            if args.only and case not in args.only:
                continue
            started = time.perf_counter()
            content = build()
            path = Path(folder) / f"{case}-{name}"
            path.write_bytes(content)
            built = time.perf_counter() - started
            for engine in _engines(args.compare):
                command = [sys.executable, "-m", "tools.bench_uploads", "--child", engine]
                try:
                    result = subprocess.run(  # noqa: S603 (our own module, our own arguments)
                        [*command, str(path), name],
                        capture_output=True,
                        text=True,
                        timeout=CHILD_TIMEOUT,
                        check=False,
                    )
                    figures = result.stdout.strip().splitlines()[-1:] or [
                        f"outcome=crashed:{result.returncode}"
                    ]
                except subprocess.TimeoutExpired:
                    figures = [f"outcome=timeout seconds>{CHILD_TIMEOUT}"]
                print(
                    f"case={case} engine={engine} bytes={len(content)} "
                    f"build_seconds={built:.2f} {figures[0]}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
