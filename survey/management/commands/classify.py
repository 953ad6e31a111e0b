"""``python manage.py classify``: the scoring engine's command-line face (issue 3, section 4).

    python manage.py classify --year 2024 < households.json > results.json
    python manage.py classify --standard vn-2016-2020 --input households.json

Reads a JSON array of records, writes a JSON array of results (one per record, in order). Any bad
input (or option) exits with status 2, a message on standard error naming the record (id, or
position when it has none) and the field, and nothing on standard output. The parsing and the rules
live in ``survey.engine.records``; this command only wires input and output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from survey.engine import EngineError, classify_json, select_standard

BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Phân loại hộ (nghèo / cận nghèo / mức sống trung bình / không nghèo) từ một mảng JSON "
        "trên stdin (hoặc --input FILE); in một mảng JSON kết quả ra stdout."
    )
    # The command needs no database and must not fail (exit 1) on unrelated system checks:
    # its exit status is part of the contract.
    requires_system_checks: list[str] = []
    # Lets tests pass a text stream via call_command("classify", ..., stdin=io.StringIO(...)).
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--year", type=int, help="Năm rà soát (2016–2030); chọn chuẩn nghèo áp dụng năm đó."
        )
        which.add_argument("--standard", help="Mã chuẩn nghèo, ví dụ vn-2022-2025.")
        parser.add_argument(
            "--input", metavar="FILE", help="Đọc mảng JSON từ tệp thay vì từ stdin."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            standard = select_standard(year=options["year"], code=options["standard"])
            text = self._read(options)
            output = classify_json(text, standard)
        except EngineError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc
        self.stdout.write(output)

    def _read(self, options: dict[str, Any]) -> str | bytes:
        path = options.get("input")
        if path:
            try:
                return Path(path).read_bytes()
            except OSError as exc:
                raise CommandError(
                    f"không đọc được tệp --input {path}: {exc.strerror or exc}",
                    returncode=BAD_INPUT,
                ) from exc
        stream = options.get("stdin")
        if stream is not None:
            text: str | bytes = stream.read()
            return text
        return sys.stdin.buffer.read()
