"""The `--round` and `--unit` of the report commands (`export_report`, `integrity_report`).

ROUND is a year (that year's periodic round; the one whose province holds the unit when several
provinces have one) or a round's public id. CODE is resolved in the round's tree edition. With a
user, that user's reach applies exactly as on the site; without one, everything is reached.
"""

from __future__ import annotations

import re
from uuid import UUID

from django.core.management.base import CommandError, CommandParser
from django.db.models import QuerySet

from accounts.models import User
from accounts.scoping import visible_units
from areas.models import AdminUnit
from areas.services import UnitNotFound, unit_resolve
from survey.models import ReviewRound
from survey.selectors import rounds_visible


def add_round_and_unit(parser: CommandParser) -> None:
    parser.add_argument(
        "--round",
        required=True,
        metavar="ROUND",
        help="Năm (đợt rà soát định kỳ của năm đó) hoặc mã đợt (UUID).",
    )
    parser.add_argument(
        "--unit", required=True, metavar="CODE", help="Mã đơn vị (tỉnh, huyện, xã)."
    )


def is_year(value: str) -> bool:
    return re.fullmatch(r"\d{4}", value.strip()) is not None


def rounds_named(
    rounds: QuerySet[ReviewRound], value: str, *, periodic_only: bool = True
) -> QuerySet[ReviewRound]:
    """The rounds a ROUND argument names: a year's (periodic) rounds, or the round of a public
    id; a CommandError when it is neither."""
    value = value.strip()
    if is_year(value):
        named = rounds.filter(year=int(value))
        return named.filter(kind=ReviewRound.Kind.PERIODIC) if periodic_only else named
    try:
        public_id = UUID(value)
    except ValueError as exc:
        raise CommandError(
            f"--round '{value}' không hợp lệ: ghi năm (4 chữ số) hoặc mã đợt (UUID)."
        ) from exc
    return rounds.filter(public_id=public_id)


def round_and_unit(value: str, code: str, user: User | None) -> tuple[ReviewRound, AdminUnit]:
    """The round and the unit the two arguments name, or a CommandError that says why not."""
    rounds: QuerySet[ReviewRound] = (
        rounds_visible(user)
        if user
        else ReviewRound.objects.select_related("province", "province__edition")
    )
    value = value.strip()
    candidates = list(rounds_named(rounds, value))
    if not candidates:
        if is_year(value):
            raise CommandError(_no_round(f"Không có đợt rà soát định kỳ năm {value}", user))
        raise CommandError(_no_round(f"Không tìm thấy đợt rà soát '{value}'", user))

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


def _no_round(message: str, user: User | None) -> str:
    if user is None:
        return f"{message}."
    return f"{message} trong phạm vi của tài khoản '{user.username}'."
