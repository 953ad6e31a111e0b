"""import_households --commune CODE FILE.xlsx [--dry-run] [--user USERNAME] [--legacy]

Checks every row first; with any row error it writes nothing, prints the errors on standard error
and exits 2. With --user, that user's reach applies as on the site; without it, every commune.
"""

import sys
from datetime import datetime
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import User
from areas.services import UnitNotFound, unit_resolve
from households.imports import import_apply, import_plan
from survey.baseline import baseline_from_list


class Command(BaseCommand):
    help = (
        "Nhập danh sách hộ của một xã từ tệp Excel (mỗi dòng một người); "
        "sai một dòng thì không ghi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Tệp .xlsx theo mẫu (tải mẫu ở trang Nhập từ Excel).")
        parser.add_argument("--commune", required=True, help="Mã xã (GSO), ví dụ 13504.")
        parser.add_argument(
            "--legacy", action="store_true", help="Mã trong danh mục trước 01/07/2025."
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")
        parser.add_argument("--user", help="Chạy với quyền của tài khoản này.")
        parser.add_argument(
            "--baseline-year",
            type=int,
            help="Năm của danh sách đã phê duyệt ở cột “Phân loại năm trước” (ví dụ 2024).",
        )
        parser.add_argument("--decision", default="", help="Số quyết định phê duyệt năm đó.")
        parser.add_argument("--decision-date", default="", help="Ngày quyết định, dd/mm/yyyy.")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Không có tài khoản đang hoạt động {options['user']}.")
        try:
            commune = unit_resolve(str(options["commune"]), legacy=bool(options["legacy"]))
            with path.open("rb") as file:
                plan = import_plan(actor=actor, commune=commune, file=file, name=path.name)
        except UnitNotFound as exc:
            raise CommandError(str(exc)) from exc
        except FileNotFoundError as exc:
            raise CommandError(f"Không có tệp {path}.") from exc
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']} không được nhập hộ cho {commune}.") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(str(error))
            self.stderr.write(
                f"{len(plan.errors)} lỗi: không ghi gì. Sửa trong Excel rồi nhập lại."
            )
            sys.exit(2)
        baseline = plan.baseline
        year, decided_on = int(str(options["baseline_year"] or 0)), None
        if baseline and not year:
            self.stderr.write(
                "Cột “Phân loại năm trước” có ghi: hãy cho năm (--baseline-year), số (--decision) "
                "và ngày (--decision-date) của quyết định phê duyệt danh sách năm đó."
            )
            sys.exit(2)
        if baseline:
            try:
                decided_on = datetime.strptime(str(options["decision_date"]), "%d/%m/%Y").date()
            except ValueError:
                self.stderr.write("Ngày quyết định phải có dạng dd/mm/yyyy.")
                sys.exit(2)
        if not options["dry_run"]:
            with transaction.atomic():
                import_apply(actor=actor, plan=plan)
                if baseline:
                    assert decided_on is not None and year
                    try:
                        result = baseline_from_list(
                            actor=actor,
                            commune=commune,
                            year=year,
                            decision_number=str(options["decision"]),
                            decision_date=decided_on,
                            numbers=baseline,
                        )
                    except ValidationError as exc:
                        raise CommandError("; ".join(exc.messages)) from exc
                    self.stdout.write(
                        f"Danh sách năm {year}: {len(baseline)} hộ nghèo, cận nghèo "
                        f"(thêm {result.created}, sửa {result.updated}, bỏ {result.removed})."
                    )
        verb = "sẽ" if options["dry_run"] else "đã"
        self.stdout.write(
            f"{commune.name}: {plan.rows} dòng; hộ {verb} thêm {plan.households_new}, "
            f"{verb} cập nhật {plan.households_changed}, giữ nguyên {plan.households_same}; "
            f"thành viên {verb} thêm {plan.members_new}, {verb} cập nhật {plan.members_changed}, "
            f"giữ nguyên {plan.members_same}; hộ không có trong tệp: {len(plan.absent)}."
        )
