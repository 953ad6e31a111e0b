from django.core.management.base import BaseCommand

from areas.services import successions_load, units_load_current, units_load_legacy


class Command(BaseCommand):
    help = (
        "Nạp danh mục đơn vị hành chính: mặc định danh mục hiện hành (34 tỉnh, ~3.300 xã) từ gói "
        "vietnam-provinces; --legacy: danh mục 3 cấp trước 01/07/2025 của tỉnh Hà Nam."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--legacy", action="store_true", help="Nạp danh mục 3 cấp trước 01/07/2025 (Hà Nam)."
        )
        parser.add_argument(
            "--successions",
            action="store_true",
            help="Nạp bảng đơn vị kế thừa: xã cũ của Hà Nam thuộc xã mới nào của Ninh Bình (cần "
            "nạp cả hai danh mục trước).",
        )

    def handle(self, *args, legacy: bool = False, successions: bool = False, **options):  # type: ignore[no-untyped-def]
        if successions:
            self.stdout.write(successions_load().summary)
            return
        result = units_load_legacy() if legacy else units_load_current()
        self.stdout.write(result.summary)
