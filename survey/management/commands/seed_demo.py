from django.core.management.base import BaseCommand

from accounts.demo import demo_password, demo_seed
from survey.demo import demo_seed_results, demo_seed_survey
from survey.demo_world import demo_seed_world


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu (danh mục Hà Nam cũ, thôn, tài khoản mẫu). Chạy lại nhiều lần vẫn an toàn."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        logins = demo_seed()
        demo_seed_world()
        demo_seed_survey()
        demo_seed_results()
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {demo_password()}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.role:<14} {login.unit}")
