"""Fold the pending marks of the per-commune aggregates of every round (decision record 0017).

    python manage.py fold_aggregates

A report folds its own round's marks before it reads, so this is never needed for exact figures;
run from cron (every minute, say) it keeps the first report after a busy hour as fast as the rest.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from reports.aggregates import fold_all


class Command(BaseCommand):
    help = "Cập nhật số liệu tổng hợp theo xã theo các thay đổi chờ xử lý."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        folded = fold_all()
        self.stdout.write(
            f"Đã cập nhật số liệu tổng hợp: {folded} đánh dấu "
            f"({time.perf_counter() - started:.1f} s)."
        )
