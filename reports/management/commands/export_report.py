"""``python manage.py export_report``: a report workbook or household list, for scheduled jobs.

    python manage.py export_report --round 2025 --unit 352 --out bao-cao.xlsx
    python manage.py export_report --round <uuid> --unit 35 --out ds.xlsx --households --user u

ROUND is a year (that year's periodic round; the one whose province holds the unit when several
provinces have one) or a round's public id. CODE is resolved in the round's tree edition. With
--user, that user's reach applies exactly as on the site; without it the command reaches everything.
The file is written to a temporary name beside --out and renamed at the end, so a failed run leaves
nothing behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.scoping import reads_integrity
from reports.excel.households import households_export
from reports.excel.layout import Signing, place_name, preparer_name, signing_unit
from reports.excel.summary import report_workbook
from reports.selectors import COUNTED, report_scope

from ..round_unit import add_round_and_unit, round_and_unit


class Command(BaseCommand):
    help = (
        "Xuất báo cáo rà soát hộ nghèo, hộ cận nghèo của một đơn vị ra tệp Excel "
        "(--households: danh sách chi tiết hộ nghèo, hộ cận nghèo)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_round_and_unit(parser)
        parser.add_argument("--out", required=True, metavar="FILE.xlsx", help="Tệp Excel ghi ra.")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Xuất trong phạm vi của tài khoản này (mặc định: toàn quyền quản trị).",
        )
        parser.add_argument(
            "--households",
            action="store_true",
            help="Ghi danh sách chi tiết hộ nghèo, hộ cận nghèo thay cho bảng tổng hợp.",
        )
        parser.add_argument(
            "--basis",
            choices=sorted(COUNTED),
            default="approved",
            help="approved: kết quả đã phê duyệt (mặc định); submitted: mọi phiếu đã nộp.",
        )
        parser.add_argument("--place", default=None, help="Địa danh ghi trước ngày ký.")
        parser.add_argument(
            "--prepared-by",
            default=None,
            help="Họ tên người lập biểu (mặc định: tên của --user, hoặc trống).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["user"])
        review_round, unit = round_and_unit(options["round"], options["unit"], user)
        try:
            scope = report_scope(review_round, unit, basis=options["basis"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"Không có thư mục '{out.parent}' để ghi tệp.")

        # As on the site: the user's unit issues it (without --user, the report's unit).
        issuer = signing_unit(user.unit if user else None, unit)
        prepared_by = options["prepared_by"]
        if prepared_by is None:
            prepared_by = preparer_name(user) if user else ""
        place = options["place"] if options["place"] is not None else place_name(issuer)
        signing = Signing(unit=issuer, prepared_by=prepared_by, place=place)

        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=".export-", suffix=".xlsx")
        try:
            with os.fdopen(handle, "wb") as stream:
                if options["households"]:
                    rows = households_export(scope, stream, signing=signing)
                    what = "hộ"
                else:
                    # Without --user the command reaches everything, as an admin does.
                    stream.write(
                        report_workbook(
                            scope,
                            signing=signing,
                            with_integrity=user is None or reads_integrity(user),
                        )
                    )
                    rows = len(scope.children()) or 1
                    what = "đơn vị"
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"Đã ghi {out}: {rows} dòng {what} — {unit.name}, {review_round} "
            f"({'danh sách hộ' if options['households'] else 'báo cáo tổng hợp'})."
        )

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).select_related("unit").first()
        if user is None:
            raise CommandError(f"Không tìm thấy tài khoản đang hoạt động '{username}'.")
        return user
