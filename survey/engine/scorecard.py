"""The income-proxy score card (Phiếu B: points per answer and per region) as data.

A card has *regions* (columns of points: a rural region is a list of provinces, the urban column
usually covers every province) and *items* (questions) whose *options* carry points per region.

The same validator serves the standard files (nested YAML, flattened here) and the admin's Excel
upload (the Django side turns each sheet row into a plain dict with its ``row`` number): it returns
every problem with its row and a Vietnamese message instead of stopping at the first, so an upload
can be rejected whole with a full list of errors.

Input rows for ``validate_score_card`` / ``build_score_card``::

    regions = [{"row": 3, "key": "NT_DBSH", "label_vi": "Nông thôn Đồng bằng sông Hồng",
                "area": "rural", "provinces": [1, 26, 27]},          # or "1, 26, 27"
               {"row": 4, "key": "URBAN", "label_vi": "Thành thị", "area": "urban",
                "provinces": None}]                                  # None: every province
    options = [{"row": 8, "item": "household_size", "item_label_vi": "Số nhân khẩu",
                "choice": "single", "zero_if_flag": "all_members_dependent",
                "option": "1", "option_label_vi": "Hộ có 1 người",
                "points": {"NT_DBSH": 75, "URBAN": 80}}, ...]

``choice`` (single/multiple), ``zero_if_flag`` and the labels of an item may be left empty on all
but one of its rows. Points must be non-negative numbers (numeric text such as "7,5" is accepted).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, Protocol

from survey.engine.errors import ScoreCardError, ScoreCardUnavailableError
from survey.engine.facts import AREA_LABELS_VI, AREAS

CardStatus = Literal["complete", "partial", "absent"]
CARD_STATUSES: Final = ("complete", "partial", "absent")
CHOICES: Final = ("single", "multiple")

# Conditions a card item may depend on, answered on the form next to the items.
CARD_FLAGS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "all_members_dependent": (
            "Hộ chỉ gồm trẻ em dưới 15 tuổi, người trên 60 tuổi, người khuyết tật/bệnh nặng "
            "không có khả năng lao động"
        ),
    }
)


@dataclass(frozen=True, slots=True)
class CardRegion:
    key: str
    label_vi: str
    area: str
    provinces: frozenset[int] | None  # None: every province of its area not listed elsewhere
    row: int | None = None


@dataclass(frozen=True, slots=True)
class CardOption:
    key: str
    label_vi: str
    points: Mapping[str, float]
    row: int | None = None


@dataclass(frozen=True, slots=True)
class CardItem:
    key: str
    label_vi: str
    choice: str
    options: tuple[CardOption, ...]
    zero_if_flag: str | None = None

    def option(self, key: str) -> CardOption | None:
        for option in self.options:
            if option.key == key:
                return option
        return None


@dataclass(frozen=True, slots=True)
class MissingItem:
    """An item known by its label whose points were not found: the reason a card is partial."""

    key: str
    label_vi: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ScoreCard:
    status: str
    verified: bool
    basis: str | None
    sources: tuple[str, ...]
    note_vi: str | None
    regions: tuple[CardRegion, ...]
    items: tuple[CardItem, ...]
    missing_items: tuple[MissingItem, ...] = ()

    @property
    def usable(self) -> bool:
        return self.status != "absent"

    def item(self, key: str) -> CardItem | None:
        for item in self.items:
            if item.key == key:
                return item
        return None

    def region_for(self, area: str, province_code: int | str) -> CardRegion:
        code = _province_int(province_code)
        if code is None:
            raise ScoreCardError(f"Mã tỉnh {province_code!r} không hợp lệ")
        if area not in AREAS:
            raise ScoreCardError(f"Khu vực {area!r} không hợp lệ; chỉ nhận rural, urban")
        fallback: CardRegion | None = None
        for region in self.regions:
            if region.area != area:
                continue
            if region.provinces is None:
                fallback = fallback or region
            elif code in region.provinces:
                return region
        if fallback is not None:
            return fallback
        raise ScoreCardError(
            f"Bảng điểm không có vùng {AREA_LABELS_VI[area]} nào cho tỉnh mã {code}"
        )


@dataclass(frozen=True, slots=True)
class CardIssue:
    """One problem found in a score card; ``row`` is the sheet row (None for data files)."""

    row: int | None
    where: str
    message_vi: str

    def __str__(self) -> str:
        if self.row is not None:
            return f"Dòng {self.row}: {self.message_vi}"
        return f"{self.where}: {self.message_vi}"


class ScoreCardInvalidError(ScoreCardError):
    def __init__(self, issues: Sequence[CardIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


@dataclass(frozen=True, slots=True)
class CardLine:
    item: str
    options: tuple[str, ...]
    points: float


@dataclass(frozen=True, slots=True)
class CardTotal:
    """Points of one household on a card, with what the total rests on."""

    total: float
    region: str
    lines: tuple[CardLine, ...]
    complete: bool  # False: the card lacks items (the total is a subtotal)
    verified: bool  # False: the card's points are not checked against the official text

    @property
    def trustworthy(self) -> bool:
        return self.complete and self.verified


class _HasCard(Protocol):
    @property
    def score_card(self) -> ScoreCard: ...


def score_card_total(
    card: ScoreCard | _HasCard,
    *,
    area: str,
    province_code: int | str,
    answers: Mapping[str, str | Collection[str]],
    flags: Collection[str] = (),
    strict: bool = False,
) -> CardTotal:
    """Total points of a household on a score card.

    ``card`` is a ScoreCard or a Standard (its shipped card). ``answers`` maps item key to the
    chosen option key (single-choice items, all required) or to a collection of option keys
    (multiple-choice items, may be empty or left out). ``flags`` are the CARD_FLAGS that hold.

    An absent card always raises ScoreCardUnavailableError: there is nothing to add up, and the
    officer enters the total computed on paper instead. A partial or unverified card computes a
    total marked ``complete=False`` / ``verified=False`` so the form can show a running subtotal;
    with ``strict=True`` it raises ScoreCardUnavailableError instead, for callers that would
    otherwise store the total as the household's score.
    """
    sc = card if isinstance(card, ScoreCard) else card.score_card
    if not sc.usable:
        raise ScoreCardUnavailableError(
            "Chuẩn này chưa có bảng điểm (Phiếu B) được cài đặt; hãy nhập tổng điểm đã tính trên "
            "phiếu giấy."
        )
    if strict and (sc.status != "complete" or not sc.verified):
        why = "chưa đầy đủ các mục" if sc.status != "complete" else "chưa được xác minh"
        raise ScoreCardUnavailableError(
            f"Bảng điểm {why}; chế độ nghiêm ngặt không tính tổng điểm từ bảng này."
        )
    unknown_flags = sorted(set(flags) - CARD_FLAGS.keys())
    if unknown_flags:
        raise ScoreCardError(f"Điều kiện không xác định: {', '.join(unknown_flags)}")
    unknown_items = sorted(set(answers) - {item.key for item in sc.items})
    if unknown_items:
        raise ScoreCardError(f"Bảng điểm không có mục: {', '.join(unknown_items)}")
    region = sc.region_for(area, province_code)
    lines: list[CardLine] = []
    total = 0.0
    for item in sc.items:
        answer = answers.get(item.key)
        chosen: tuple[str, ...]
        if item.choice == "single":
            if answer is None:
                raise ScoreCardError(f"Chưa trả lời mục '{item.key}' ({item.label_vi})")
            if not isinstance(answer, str):
                raise ScoreCardError(f"Mục '{item.key}' chỉ chọn một phương án")
            chosen = (answer,)
        elif answer is None:
            chosen = ()
        elif isinstance(answer, str):
            chosen = (answer,)
        else:
            chosen = tuple(dict.fromkeys(answer))
        points = 0.0
        for key in chosen:
            option = item.option(key)
            if option is None:
                raise ScoreCardError(f"Mục '{item.key}' không có phương án '{key}'")
            points += option.points[region.key]
        if item.zero_if_flag is not None and item.zero_if_flag in flags:
            points = 0.0
        lines.append(CardLine(item.key, chosen, points))
        total += points
    return CardTotal(
        total=total,
        region=region.key,
        lines=tuple(lines),
        complete=sc.status == "complete",
        verified=sc.verified,
    )


_NUMBER_TEXT: Final = re.compile(r"^\s*(-?)(\d+(?:[.,]\d+)?)\s*$")


def _to_points(raw: object) -> float | str:
    """A non-negative number, or the Vietnamese reason it is not one."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "missing"
    if isinstance(raw, bool):
        return f"giá trị {raw!r} không phải là số"
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        match = _NUMBER_TEXT.match(raw)
        if match is None:
            return f"giá trị '{raw}' không phải là số"
        value = float(match.group(2).replace(",", "."))
        if match.group(1):
            value = -value
    else:
        return f"giá trị {raw!r} không phải là số"
    if not math.isfinite(value):
        return f"giá trị {raw!r} không phải là số hữu hạn"
    if value < 0:
        return f"điểm {_fmt(value)} là số âm; điểm phải là số không âm"
    return value


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value).replace(".", ",")


def _province_int(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw < 1000 else None
    if isinstance(raw, str) and raw.strip().isdigit():
        return _province_int(int(raw.strip()))
    if isinstance(raw, float) and raw.is_integer():
        return _province_int(int(raw))
    return None


def _text(raw: object) -> str | None:
    if raw is None:
        return None
    text = str(raw).strip()
    return text or None


def _row(raw: Mapping[str, object]) -> int | None:
    value = raw.get("row")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _where(raw: Mapping[str, object], default: str) -> str:
    value = raw.get("where")
    return value if isinstance(value, str) else default


class _Builder:
    def __init__(self) -> None:
        self.issues: list[CardIssue] = []

    def issue(self, raw: Mapping[str, object], where: str, message: str) -> None:
        self.issues.append(CardIssue(_row(raw), _where(raw, where), message))

    def regions(self, rows: Sequence[Mapping[str, object]]) -> list[CardRegion]:
        out: list[CardRegion] = []
        seen_key: dict[str, int | None] = {}
        seen_province: dict[tuple[str, int], str] = {}
        if not rows:
            self.issues.append(CardIssue(None, "regions", "Bảng điểm chưa khai báo vùng nào"))
        for index, raw in enumerate(rows):
            where = f"regions[{index}]"
            if not isinstance(raw, Mapping):
                self.issues.append(CardIssue(None, where, "mỗi vùng phải là một dòng dữ liệu"))
                continue
            key = _text(raw.get("key"))
            label = _text(raw.get("label_vi"))
            area = _text(raw.get("area"))
            ok = True
            if key is None:
                self.issue(raw, where, "thiếu mã vùng")
                ok = False
            elif key in seen_key:
                first = seen_key[key]
                at = f" (đã có ở dòng {first})" if first is not None else ""
                self.issue(raw, where, f"mã vùng '{key}' bị trùng{at}")
                ok = False
            if label is None:
                self.issue(raw, where, f"vùng '{key or '?'}' thiếu tên")
                ok = False
            if area not in AREAS:
                self.issue(
                    raw,
                    where,
                    f"vùng '{key or '?'}': khu vực phải là 'rural' (nông thôn) hoặc 'urban' "
                    f"(thành thị), nhận được {raw.get('area')!r}",
                )
                ok = False
            provinces = self._provinces(raw, where, key or "?")
            if not ok or key is None or label is None or area is None or provinces is False:
                continue
            seen_key[key] = _row(raw)
            if provinces is not None:
                for code in sorted(provinces):
                    other = seen_province.get((area, code))
                    if other is not None:
                        self.issue(
                            raw, where, f"tỉnh mã {code} đã thuộc vùng '{other}' cùng khu vực"
                        )
                    seen_province[(area, code)] = key
            out.append(CardRegion(key, label, area, provinces, _row(raw)))
        for area in AREAS:
            if out and not any(r.area == area for r in out):
                self.issues.append(
                    CardIssue(None, "regions", f"thiếu vùng cho khu vực {AREA_LABELS_VI[area]}")
                )
        return out

    def _provinces(
        self, raw: Mapping[str, object], where: str, key: str
    ) -> frozenset[int] | Literal[False] | None:
        value = raw.get("provinces")
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        parts: list[object]
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,;\s]+", value.strip()) if p]
        elif isinstance(value, list | tuple):
            parts = list(value)
        else:
            self.issue(raw, where, f"vùng '{key}': danh sách tỉnh không hợp lệ")
            return False
        codes: set[int] = set()
        for part in parts:
            code = _province_int(part)
            if code is None:
                self.issue(raw, where, f"vùng '{key}': mã tỉnh {part!r} không hợp lệ")
                return False
            codes.add(code)
        if not codes:
            return None
        return frozenset(codes)

    def items(
        self, rows: Sequence[Mapping[str, object]], regions: Sequence[CardRegion]
    ) -> list[CardItem]:
        region_keys = [r.key for r in regions]
        region_labels = {r.key: r.label_vi for r in regions}
        order: list[str] = []
        labels: dict[str, str] = {}
        choices: dict[str, str] = {}
        flags: dict[str, str] = {}
        options: dict[str, list[CardOption]] = {}
        seen_option: dict[tuple[str, str], int | None] = {}
        if not rows:
            self.issues.append(CardIssue(None, "items", "Bảng điểm không có dòng điểm nào"))
        for index, raw in enumerate(rows):
            where = f"options[{index}]"
            if not isinstance(raw, Mapping):
                self.issues.append(CardIssue(None, where, "mỗi phương án phải là một dòng dữ liệu"))
                continue
            item = _text(raw.get("item"))
            option = _text(raw.get("option"))
            if item is None:
                self.issue(raw, where, "thiếu mã mục (cột mục)")
                continue
            if option is None:
                self.issue(raw, where, f"mục '{item}': thiếu mã phương án")
                continue
            if item not in options:
                order.append(item)
                options[item] = []
            for field, store, allowed in (
                ("item_label_vi", labels, None),
                ("choice", choices, CHOICES),
                ("zero_if_flag", flags, tuple(CARD_FLAGS)),
            ):
                given = _text(raw.get(field))
                if given is None:
                    continue
                if allowed is not None and given not in allowed:
                    self.issue(
                        raw,
                        where,
                        f"mục '{item}': giá trị '{given}' của {field} không hợp lệ "
                        f"(chỉ nhận {', '.join(allowed)})",
                    )
                elif store.setdefault(item, given) != given:
                    self.issue(
                        raw, where, f"mục '{item}': {field} khác với dòng trước của cùng mục"
                    )
            option_label = _text(raw.get("option_label_vi"))
            if option_label is None:
                self.issue(raw, where, f"mục '{item}', phương án '{option}': thiếu tên phương án")
            if (item, option) in seen_option:
                first = seen_option[(item, option)]
                at = f" (đã có ở dòng {first})" if first is not None else ""
                self.issue(raw, where, f"mục '{item}': phương án '{option}' bị trùng{at}")
                continue
            seen_option[(item, option)] = _row(raw)
            points_raw = raw.get("points")
            if not isinstance(points_raw, Mapping):
                self.issue(raw, where, f"mục '{item}', phương án '{option}': thiếu bảng điểm")
                continue
            points: dict[str, float] = {}
            for region in region_keys:
                parsed = _to_points(points_raw.get(region))
                if parsed == "missing":
                    self.issue(
                        raw,
                        where,
                        f"mục '{item}', phương án '{option}': thiếu điểm cho vùng '{region}' "
                        f"({region_labels[region]})",
                    )
                elif isinstance(parsed, str):
                    self.issue(
                        raw, where, f"mục '{item}', phương án '{option}', vùng '{region}': {parsed}"
                    )
                else:
                    points[region] = parsed
            for extra in points_raw:
                if extra not in region_labels:
                    self.issue(
                        raw,
                        where,
                        f"mục '{item}', phương án '{option}': cột điểm '{extra}' không phải mã "
                        "vùng nào của bảng điểm",
                    )
            options[item].append(
                CardOption(option, option_label or option, MappingProxyType(points), _row(raw))
            )
        out: list[CardItem] = []
        for item in order:
            if item not in labels:
                self.issues.append(CardIssue(None, f"items.{item}", f"mục '{item}' thiếu tên mục"))
            out.append(
                CardItem(
                    key=item,
                    label_vi=labels.get(item, item),
                    choice=choices.get(item, "single"),
                    options=tuple(options[item]),
                    zero_if_flag=flags.get(item),
                )
            )
        return out


def validate_score_card(
    regions: Sequence[Mapping[str, object]], options: Sequence[Mapping[str, object]]
) -> list[CardIssue]:
    """Every problem of a score card given as plain rows (see module docstring); [] if valid."""
    builder = _Builder()
    parsed_regions = builder.regions(regions)
    builder.items(options, parsed_regions)
    return builder.issues


def build_score_card(
    regions: Sequence[Mapping[str, object]],
    options: Sequence[Mapping[str, object]],
    *,
    status: str = "complete",
    verified: bool = False,
    basis: str | None = None,
    sources: Sequence[str] = (),
    note_vi: str | None = None,
    missing_items: Sequence[MissingItem] = (),
) -> ScoreCard:
    """Build a card from plain rows, or raise ScoreCardInvalidError listing every problem."""
    if status not in CARD_STATUSES or status == "absent":
        raise ScoreCardError(
            f"status {status!r}: một bảng điểm có dữ liệu là complete hoặc partial"
        )
    builder = _Builder()
    parsed_regions = builder.regions(regions)
    items = builder.items(options, parsed_regions)
    if builder.issues:
        raise ScoreCardInvalidError(builder.issues)
    return ScoreCard(
        status=status,
        verified=verified,
        basis=basis,
        sources=tuple(sources),
        note_vi=note_vi,
        regions=tuple(parsed_regions),
        items=tuple(items),
        missing_items=tuple(missing_items),
    )


def absent_score_card(
    *, basis: str | None, sources: Sequence[str], note_vi: str | None
) -> ScoreCard:
    return ScoreCard("absent", False, basis, tuple(sources), note_vi, (), (), ())
