"""Errors raised by the scoring engine.

Every error carries a message an officer or an integrator can act on. Messages meant for officers
are in Vietnamese; messages about malformed data files name the file and the field in English and
Vietnamese-neutral terms, because the reader is a developer.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""


class StandardFileError(EngineError):
    """A standard data file is missing, unreadable or does not follow the format."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {problem}")


class UnknownStandardError(EngineError):
    """No standard file has the requested code."""


class YearNotCoveredError(EngineError):
    """No standard applies to the requested review year."""


class FactsError(EngineError, ValueError):
    """Household or member facts are out of range or incomplete for the standard."""


class ClassificationInputError(EngineError, ValueError):
    """Evidence given to classify() is invalid (field names the offending input)."""

    def __init__(self, field: str, message_vi: str) -> None:
        self.field = field
        self.message_vi = message_vi
        super().__init__(f"{field}: {message_vi}")


class PathUnavailableError(ClassificationInputError):
    """The standard has no sourced rules for this evidence (e.g. scores under vn-2026-2030)."""


class ScoreCardError(EngineError, ValueError):
    """Answers given to a score card do not fit it (unknown item, option or province)."""


class ScoreCardUnavailableError(ScoreCardError):
    """The standard has no score card, or strict mode refused an unverified/partial card."""


class RecordError(EngineError):
    """A record given to the classify contract is invalid.

    ``position`` is the 0-based index in the input array (None for whole-input errors),
    ``record_id`` the record's id when it has a usable one, ``field`` the offending field.
    """

    def __init__(
        self, message: str, *, position: int | None, record_id: str | None, field: str | None
    ) -> None:
        self.position = position
        self.record_id = record_id
        self.field = field
        self.message = message
        super().__init__(self.describe())

    def describe(self) -> str:
        parts: list[str] = []
        if self.record_id is not None and self.position is not None:
            parts.append(f'bản ghi id "{self.record_id}" (vị trí {self.position}, tính từ 0)')
        elif self.record_id is not None:
            parts.append(f'bản ghi id "{self.record_id}"')
        elif self.position is not None:
            parts.append(f"bản ghi ở vị trí {self.position} (tính từ 0)")
        if self.field is not None:
            parts.append(f'trường "{self.field}"')
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message
