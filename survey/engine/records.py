"""The ``classify`` command's contract (issue 3, section 4), as pure functions.

Input: a JSON array of records ``{id, area, income_score?, income_per_capita?, deprived?,
agricultural?}`` (unknown fields ignored; null counts as absent). Output: a JSON array, one result
``{id, standard, classification, deprivation_score, deprived, reason}`` per record, in order.

Any invalid record makes the whole input invalid: ``parse_records`` checks every record first and
raises RecordsError listing every problem (each naming the record's id, or its position when it has
none, and the field), so a caller never prints a partial result.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from survey.engine.classify import classify
from survey.engine.errors import EngineError, RecordError
from survey.engine.facts import AREAS
from survey.engine.standard import Standard, get_standard, standard_for_year

MAX_REPORTED_ERRORS: Final = 20


class RecordsError(EngineError):
    """One or more records are invalid; ``errors`` lists them (at most MAX_REPORTED_ERRORS)."""

    def __init__(self, errors: Sequence[RecordError], total: int | None = None) -> None:
        self.errors = tuple(errors)
        self.total = total if total is not None else len(self.errors)
        lines = [e.describe() for e in self.errors]
        if self.total > len(self.errors):
            lines.append(f"... và {self.total - len(self.errors)} lỗi khác")
        super().__init__("\n".join(lines))


@dataclass(frozen=True, slots=True)
class ClassifyRecord:
    id: str
    position: int
    area: str
    income_score: float | None
    income_per_capita: int | None
    deprived: tuple[str, ...]
    agricultural: bool


def select_standard(*, year: int | None, code: str | None) -> Standard:
    """Exactly one of ``year`` / ``code``; raises an EngineError with a Vietnamese message."""
    if (year is None) == (code is None):
        raise RecordError(
            "cần đúng một trong hai tuỳ chọn --year hoặc --standard",
            position=None,
            record_id=None,
            field=None,
        )
    if year is not None:
        return standard_for_year(year)
    assert code is not None
    return get_standard(code)


def _reject_constant(name: str) -> float:
    # JSON has no NaN/Infinity; Python's parser accepts them. Keep them as a value that the field
    # check rejects, so the message names the record and the field.
    return math.nan


def parse_records(text: str | bytes, standard: Standard) -> list[ClassifyRecord]:
    """Parse and validate the whole input; raise RecordsError naming every bad record and field."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RecordsError(
                [_whole(f"dữ liệu vào không phải văn bản UTF-8 ({exc.reason})")]
            ) from exc
    elif text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        where = f"dòng {exc.lineno}, cột {exc.colno}: {exc.msg}"
        raise RecordsError([_whole(f"dữ liệu vào không phải JSON hợp lệ ({where})")]) from exc
    except (ValueError, RecursionError) as exc:
        # ValueError: an integer literal over Python's digit limit; RecursionError: absurd nesting.
        raise RecordsError([_whole(f"dữ liệu vào không đọc được ({exc})")]) from exc
    if not isinstance(data, list):
        raise RecordsError(
            [_whole(f"dữ liệu vào phải là một mảng JSON, nhận được {_json_kind(data)}")]
        )
    records: list[ClassifyRecord] = []
    errors: list[RecordError] = []
    for position, raw in enumerate(data):
        try:
            records.append(_parse_one(position, raw, standard))
        except RecordError as exc:
            errors.append(exc)
    if errors:
        raise RecordsError(errors[:MAX_REPORTED_ERRORS], total=len(errors))
    return records


def _finite(value: int | float) -> bool:
    """True for a finite number that fits a float (a 400-digit integer does not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _whole(message: str) -> RecordError:
    return RecordError(message, position=None, record_id=None, field=None)


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _parse_one(position: int, raw: object, standard: Standard) -> ClassifyRecord:
    def fail(field: str | None, message: str, record_id: str | None = None) -> RecordError:
        return RecordError(message, position=position, record_id=record_id, field=field)

    if not isinstance(raw, dict):
        raise fail(None, f"mỗi bản ghi phải là một object JSON, nhận được {_json_kind(raw)}")
    rid = raw.get("id")
    if rid is None:
        raise fail("id", "thiếu id")
    if not isinstance(rid, str) or not rid.strip():
        raise fail("id", f"id phải là chuỗi khác rỗng, nhận được {_json_kind(rid)} {rid!r}")

    def bad(field: str, message: str) -> RecordError:
        return fail(field, message, rid)

    area = raw.get("area")
    if area is None:
        raise bad("area", "thiếu khu vực (rural hoặc urban)")
    if area not in AREAS:
        raise bad("area", f'khu vực {area!r} không hợp lệ; chỉ nhận "rural" hoặc "urban"')

    score = raw.get("income_score")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise bad("income_score", f"phải là số, nhận được {_json_kind(score)} {score!r}")
        if not _finite(score):
            raise bad("income_score", "phải là số hữu hạn")
        if score < 0:
            raise bad("income_score", f"không được âm, nhận được {score!r}")

    income = raw.get("income_per_capita")
    if income is not None:
        if isinstance(income, bool) or not isinstance(income, int | float):
            raise bad(
                "income_per_capita",
                f"phải là số nguyên đồng, nhận được {_json_kind(income)} {income!r}",
            )
        if isinstance(income, float):
            if not _finite(income):
                raise bad("income_per_capita", "phải là số hữu hạn")
            if not income.is_integer():
                raise bad("income_per_capita", f"phải là số nguyên đồng, nhận được {income!r}")
        if income < 0:
            raise bad("income_per_capita", f"không được âm, nhận được {income!r}")
        income = int(income)

    deprived_raw = raw.get("deprived")
    deprived: list[str] = []
    if deprived_raw is not None:
        if not isinstance(deprived_raw, list):
            raise bad("deprived", f"phải là mảng mã chỉ số, nhận được {_json_kind(deprived_raw)}")
        for index, key in enumerate(deprived_raw):
            if not isinstance(key, str) or key not in standard.indicator_index:
                raise bad(
                    f"deprived[{index}]",
                    f"{key!r} không phải chỉ số của chuẩn {standard.code} "
                    f"(các chỉ số: {', '.join(standard.indicator_keys)})",
                )
            deprived.append(key)

    agricultural = raw.get("agricultural")
    if agricultural is not None and not isinstance(agricultural, bool):
        raise bad("agricultural", f"phải là true hoặc false, nhận được {agricultural!r}")

    if score is None and income is None:
        raise bad(
            "income_score/income_per_capita",
            "cần ít nhất một trong hai trường income_score, income_per_capita",
        )
    if score is not None and not standard.paths["score"].available:
        why = standard.paths["score"].unavailable_reason_vi or ""
        raise bad("income_score", f"chuẩn {standard.code} không phân loại theo điểm: {why}")

    return ClassifyRecord(
        id=rid,
        position=position,
        area=area,
        income_score=None if score is None else float(score),
        income_per_capita=income,
        deprived=tuple(deprived),
        agricultural=bool(agricultural),
    )


def classify_records(
    records: Sequence[ClassifyRecord], standard: Standard
) -> list[dict[str, object]]:
    """One contract result per record, in order."""
    out: list[dict[str, object]] = []
    for record in records:
        explanation = classify(
            standard,
            area=record.area,
            income_score=record.income_score,
            income_per_capita=record.income_per_capita,
            deprived=record.deprived,
            agricultural=record.agricultural,
            score_origin="given",
        )
        out.append(
            {
                "id": record.id,
                "standard": explanation.standard,
                "classification": explanation.classification,
                "deprivation_score": explanation.deprivation_score,
                "deprived": list(explanation.deprived),
                "reason": explanation.reason,
            }
        )
    return out


def classify_json(text: str | bytes, standard: Standard) -> str:
    """The whole contract: JSON text in, JSON text out (or RecordsError, with nothing produced)."""
    results = classify_records(parse_records(text, standard), standard)
    return json.dumps(results, ensure_ascii=False)
