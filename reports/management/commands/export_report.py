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
import re
import tempfile
from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from accounts.models import User
from accounts.scoping import reads_integrity, visible_units
from areas.models import AdminUnit
from areas.services import UnitNotFound, unit_resolve
from reports.excel.households import households_export
from reports.excel.layout import Signing, place_name, preparer_name, signing_unit
from reports.excel.summary import report_workbook
from reports.selectors import COUNTED, report_scope
from survey.models import ReviewRound
from survey.selectors import rounds_visible


class Command(BaseCommand):
    help = (
        "Xuất báo cáo rà soát hộ nghèo, hộ cận nghèo của một đơn vị ra tệp Excel "
        "(--households: danh sách chi tiết hộ nghèo, hộ cận nghèo)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--round",
            required=True,
            metavar="ROUND",
            help="Năm (đợt rà soát định kỳ của năm đó) hoặc mã đợt (UUID).",
        )
        parser.add_argument(
            "--unit", required=True, metavar="CODE", help="Mã đơn vị (tỉnh, huyện, xã)."
        )
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
        review_round, unit = self._round_and_unit(options["round"], options["unit"], user)
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

    def _round_and_unit(
        self, value: str, code: str, user: User | None
    ) -> tuple[ReviewRound, AdminUnit]:
        rounds: QuerySet[ReviewRound] = (
            rounds_visible(user)
            if user
            else ReviewRound.objects.select_related("province", "province__edition")
        )
        value = value.strip()
        if re.fullmatch(r"\d{4}", value):
            candidates = list(rounds.filter(kind=ReviewRound.Kind.PERIODIC, year=int(value)))
            if not candidates:
                raise CommandError(
                    self._no_round(f"Không có đợt rà soát định kỳ năm {value}", user)
                )
        else:
            try:
                public_id = UUID(value)
            except ValueError as exc:
                raise CommandError(
                    f"--round '{value}' không hợp lệ: ghi năm (4 chữ số) hoặc mã đợt (UUID)."
                ) from exc
            candidates = list(rounds.filter(public_id=public_id))
            if not candidates:
                raise CommandError(self._no_round(f"Không tìm thấy đợt rà soát '{value}'", user))

        # The unit's code means something only in a round's edition: keep the rounds whose
        # province holds it.
        found: list[tuple[ReviewRound, AdminUnit]] = []
        missing: UnitNotFound | None = None
        for review_round in candidates:
            try:
                unit = unit_resolve(code, edition=review_round.province.edition)
            except UnitNotFound as exc:
                missing = exc
                continue
            if unit.path.startswith(review_round.province.path):
                found.append((review_round, unit))
        if not found:
            if len(candidates) == 1 and missing is not None:
                raise CommandError(str(missing))
            raise CommandError(
                f"Không tìm thấy đơn vị có mã '{code}' thuộc tỉnh của đợt rà soát "
                f"({', '.join(f'{r.province.name} {r.year}' for r in candidates)})."
            )
        if len(found) > 1:
            raise CommandError(
                f"Mã đơn vị '{code}' có ở nhiều đợt năm {value}: ghi mã đợt (UUID) thay cho năm."
            )
        review_round, unit = found[0]
        if user is not None and not visible_units(user).filter(pk=unit.pk).exists():
            raise CommandError(
                f"Đơn vị '{code}' ({unit.name}) nằm ngoài phạm vi của tài khoản '{user.username}'."
            )
        return review_round, unit

    @staticmethod
    def _no_round(message: str, user: User | None) -> str:
        if user is None:
            return f"{message}."
        return f"{message} trong phạm vi của tài khoản '{user.username}'."
