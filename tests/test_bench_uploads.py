"""`make bench-uploads` prints key=value figures per file, each read in its own process."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_uploads_prints_seconds_and_peak_memory_per_file():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.bench_uploads",
            "--only",
            "xlsm_with_vba",
            "--only",
            "broken_sheet_xml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    figures = [dict(pair.split("=", 1) for pair in line.split()) for line in lines]
    assert [f["case"] for f in figures] == ["broken_sheet_xml", "xlsm_with_vba"]
    assert [f["outcome"] for f in figures] == ["refused:broken", "refused:macro"]
    for f in figures:
        assert float(f["seconds"]) >= 0
        assert float(f["peak_rss_mb"]) >= float(f["base_rss_mb"]) > 0
