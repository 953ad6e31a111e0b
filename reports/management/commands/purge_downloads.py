"""``python manage.py purge_downloads``: delete the background downloads whose time is up.

Run it from cron (hourly, say): each file is deleted DOWNLOADS_KEEP_HOURS after it is ready (its
link then says it has expired), and jobs a worker lost are marked failed. Each new background job
purges too, so a worker alone keeps the directory from growing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reports.exports import export_jobs_purge


class Command(BaseCommand):
    help = "Xoá các tệp tải về đã hết hạn (sau DOWNLOADS_KEEP_HOURS giờ)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted, lost = export_jobs_purge()
        self.stdout.write(f"Đã xoá {deleted} tệp hết hạn; {lost} việc bị treo được đánh dấu lỗi.")
