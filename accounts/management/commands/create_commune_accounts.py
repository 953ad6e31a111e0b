from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import commune_accounts_create
from areas.services import UnitNotFound, unit_resolve


class Command(BaseCommand):
    help = (
        "Tạo một tài khoản cán bộ xã (xa-<mã xã>) cho mỗi xã của tỉnh chưa có tài khoản; in tên "
        "đăng nhập và mật khẩu dùng một lần (phải đổi khi đăng nhập lần đầu)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--province", required=True, help="Mã tỉnh (GSO), ví dụ 35.")
        parser.add_argument(
            "--legacy", action="store_true", help="Tìm mã trong danh mục trước 01/07/2025."
        )

    def handle(self, *args, province: str, legacy: bool = False, **options):  # type: ignore[no-untyped-def]
        try:
            unit = unit_resolve(province, legacy=legacy)
            accounts = commune_accounts_create(actor=None, province=unit)
        except UnitNotFound as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for account in accounts:
            self.stdout.write(f"{account.user.username}\t{account.password}\t{account.user.unit}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{unit.name}: đã tạo {len(accounts)} tài khoản cán bộ xã "
                "(mật khẩu dùng một lần, phải đổi khi đăng nhập lần đầu)."
            )
        )
