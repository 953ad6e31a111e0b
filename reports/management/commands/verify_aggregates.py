"""Check the per-commune aggregates of the reports against the forms (decision record 0017).

    python manage.py verify_aggregates [--round ROUND] [--rebuild]

ROUND is a year (every round of that year) or a round's public id; without it, every round.
Each round's pending marks are folded first, then every stored figure is counted again from the
forms. Prints each difference and exits with status 1 if there is any; `--rebuild` then makes
the round's aggregates again from the forms (and checks once more).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.aggregates import rebuild, verify
from reports.management.round_unit import rounds_named
from survey.models import ReviewRound


class Command(BaseCommand):
    help = "Đối chiếu số liệu tổng hợp theo xã với các phiếu (thoát mã 1 nếu có chênh lệch)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--round", metavar="ROUND", help="Năm (mọi đợt của năm đó) hoặc mã đợt (UUID)."
        )
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Tính lại số liệu tổng hợp của đợt có chênh lệch từ các phiếu.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rounds = ReviewRound.objects.select_related("province").order_by("year", "province__path")
        value = (options["round"] or "").strip()
        if value:
            rounds = rounds_named(rounds, value, periodic_only=False)
        if value and not rounds.exists():
            raise CommandError(f"Không có đợt rà soát '{value}'.")
        wrong = 0
        for review_round in rounds:
            started = time.perf_counter()
            differences = verify(review_round)
            for difference in differences[:50]:
                self.stdout.write(f"  {difference}")
            if len(differences) > 50:
                self.stdout.write(f"  … và {len(differences) - 50} chênh lệch khác")
            self.stdout.write(
                f"{review_round}: {len(differences)} chênh lệch "
                f"({time.perf_counter() - started:.1f} s)"
            )
            if differences and options["rebuild"]:
                rebuild(review_round)
                again = verify(review_round)
                self.stdout.write(f"  tính lại từ các phiếu: còn {len(again)} chênh lệch")
            wrong += bool(differences)
        if wrong:
            self.stderr.write(f"{wrong} đợt có số liệu tổng hợp khác với các phiếu.")
            raise SystemExit(1)
        self.stdout.write("Số liệu tổng hợp khớp với các phiếu.")
