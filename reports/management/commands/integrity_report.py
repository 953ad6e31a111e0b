"""``python manage.py integrity_report``: the integrity findings of a round for a unit.

    python manage.py integrity_report --round 2025 --unit 35
    python manage.py integrity_report --round 2025 --unit 352 --json

ROUND and CODE are read as by ``export_report`` (a year or a round's public id; the unit's code in
the round's tree edition). With --json: an object with `findings` ({kind, unit, households,
detail}) and `tests` (the bunching tests). No CCCD and no birth date is ever printed.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.integrity.findings import KIND_LABELS, integrity_report
from reports.integrity.types import KINDS

from ..round_unit import add_round_and_unit, round_and_unit


class Command(BaseCommand):
    help = (
        "In các dấu hiệu cần xem xét (tách hộ, dồn điểm sát ngưỡng, thoát nghèo mà dữ liệu không "
        "đổi, sát chỉ tiêu, một người ở hai hộ) của một đợt rà soát cho một đơn vị."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_round_and_unit(parser)
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        review_round, unit = round_and_unit(options["round"], options["unit"], None)
        try:
            report = integrity_report(review_round, unit)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"Dấu hiệu cần xem xét — {unit.name}, {review_round}: {len(report.findings)} dấu hiệu "
            "(mỗi dấu hiệu là câu hỏi để kiểm tra lại, không phải kết luận sai phạm)."
        )
        for kind in KINDS:
            found = [f for f in report.findings if f.kind == kind]
            self.stdout.write(f"\n{KIND_LABELS[kind]}: {len(found)}")
            for finding in found:
                self.stdout.write(f"  - [{finding.unit.code}] {finding.explanation}")
                self.stdout.write(f"    hộ: {', '.join(finding.households) or '—'}")
            if kind == "bunching":
                for test in report.tests:
                    result = (
                        f"bỏ qua: {test.skipped}"
                        if test.skipped
                        else f"{test.n_left}/{test.n_right} hộ, p = {test.p_value}"
                    )
                    self.stdout.write(f"    kiểm định {test.unit.code} {test.cutoff}: {result}")
