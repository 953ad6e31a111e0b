from django.core.management.base import BaseCommand

from accounts.demo import demo_password, demo_seed
from survey.demo import DEMO_YEAR, demo_seed_results, demo_seed_survey
from survey.demo_integrity import demo_seed_integrity
from survey.demo_world import demo_seed_chain, demo_seed_current_round, demo_seed_world
from survey.models import ReviewRound


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu (danh mục Hà Nam cũ, hộ ở mọi xã, hai đợt đã phê duyệt, đợt 2024 đang "
        "làm, dấu hiệu cần xem xét, tài khoản mẫu). Chạy lại nhiều lần vẫn an toàn."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        logins = demo_seed()
        demo_seed_world()
        demo_seed_survey()
        demo_seed_results()
        current = ReviewRound.objects.get(province__code="35", year=DEMO_YEAR, kind="periodic")
        demo_seed_current_round(current)
        demo_seed_chain(current)
        demo_seed_integrity(current)
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {demo_password()}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<11} {login.role:<14} {login.unit}")
