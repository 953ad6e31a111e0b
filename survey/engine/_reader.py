"""A small typed reader over parsed YAML that names the file and the field in every error."""

from __future__ import annotations

import math
from collections.abc import Iterable

from survey.engine.errors import StandardFileError


class Node:
    """A value from a data file together with its path (``classification.paths.score.rules[1]``)."""

    __slots__ = ("file", "path", "value")

    def __init__(self, value: object, path: str, file: str) -> None:
        self.value = value
        self.path = path
        self.file = file

    def error(self, problem: str) -> StandardFileError:
        return StandardFileError(self.file, self.path or "(top level)", problem)

    def child(self, value: object, name: str | int) -> Node:
        if isinstance(name, int):
            return Node(value, f"{self.path}[{name}]", self.file)
        return Node(value, f"{self.path}.{name}" if self.path else name, self.file)

    @property
    def is_null(self) -> bool:
        return self.value is None

    def fields(
        self, *, required: Iterable[str] = (), optional: Iterable[str] = ()
    ) -> dict[str, Node]:
        """Check this is a mapping with exactly the allowed keys; return its children."""
        if not isinstance(self.value, dict):
            raise self.error(f"expected a mapping, got {_kind(self.value)}")
        required_set = set(required)
        allowed = required_set | set(optional)
        out: dict[str, Node] = {}
        for key, value in self.value.items():
            if not isinstance(key, str):
                raise self.error(f"keys must be strings, got {key!r}")
            if key not in allowed:
                raise self.child(value, key).error(
                    f"unknown field (allowed here: {', '.join(sorted(allowed))})"
                )
            out[key] = self.child(value, key)
        missing = sorted(required_set - out.keys())
        if missing:
            raise self.error(f"missing required field(s): {', '.join(missing)}")
        return out

    def entries(self) -> list[tuple[str, Node]]:
        """A mapping whose keys are free-form names (parameters, sources...)."""
        if not isinstance(self.value, dict):
            raise self.error(f"expected a mapping, got {_kind(self.value)}")
        out: list[tuple[str, Node]] = []
        for key, value in self.value.items():
            if not isinstance(key, str) or not key:
                raise self.error(f"keys must be non-empty strings, got {key!r}")
            out.append((key, self.child(value, key)))
        return out

    def items(self, *, non_empty: bool = False) -> list[Node]:
        if not isinstance(self.value, list):
            raise self.error(f"expected a list, got {_kind(self.value)}")
        if non_empty and not self.value:
            raise self.error("must not be empty")
        return [self.child(v, i) for i, v in enumerate(self.value)]

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.error(f"expected a non-empty string, got {_kind(self.value)}")
        return self.value

    def opt_text(self) -> str | None:
        return None if self.value is None else self.text()

    def key(self) -> str:
        """An identifier-like key: lowercase letters, digits, underscores, dashes."""
        text = self.text()
        if not all(c.isalnum() or c in "_-+" for c in text):
            raise self.error(f"{text!r} is not a valid key (letters, digits, _ - + only)")
        return text

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.error(f"expected true or false, got {_kind(self.value)}")
        return self.value

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.error(f"expected an integer, got {_kind(self.value)}")
        return self.value

    def number(self) -> int | float:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(f"expected a number, got {_kind(value)}")
        if not math.isfinite(value):
            raise self.error("number must be finite")
        return value

    def texts(self) -> tuple[str, ...]:
        return tuple(n.text() for n in self.items())


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {value}"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
