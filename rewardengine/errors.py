"""Problems are data: a stable code, a message and a source, collected rather than raised.

Contract problems print as ``FILE:LINE:COL: CODE message``; event problems as
``FILE:ROW: CODE message``. Every code is registered once in ``rewardengine.codes`` (title,
severity, documentation); docs/errors.md and docs/lint.md describe them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .codes import CODES, Severity

_PRINTED = re.compile(r"^(?P<src>.*?): (?P<code>[A-Z]\d{3}) (?:(?P<sev>warning|info): )?"
                      r"(?P<msg>.*)$", re.S)

# Exit codes of every command: clean; problems found (invalid input, a bill that does not
# match); usage error or unreadable file. 3 is an internal error (a bug).
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class Source:
    """Where something was written: a file and a line/column (contracts) or a row (events);
    a JSON bill's line has both: its number among the bill's lines (``row``) and where it
    begins in the file (``line``, ``col``), which is what is shown."""

    file: str
    line: int | None = None
    col: int | None = None
    row: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}:{self.col or 1}"
        if self.row is not None:
            return f"{self.file}:{self.row}"
        return self.file

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "col": self.col, "row": self.row}


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found: its code, what is wrong in words, and where. The severity is the
    code's (``rewardengine.codes``) unless given."""

    code: str
    message: str
    source: Source
    severity: Severity = None  # type: ignore[assignment]  # set from the code's entry

    def __post_init__(self) -> None:
        if self.severity is None:
            entry = CODES.get(self.code)
            object.__setattr__(self, "severity",
                               entry.severity if entry is not None else Severity.ERROR)

    def __str__(self) -> str:
        prefix = "" if self.severity is Severity.ERROR else f"{self.severity.value}: "
        return f"{self.source}: {self.code} {prefix}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            **self.source.to_dict(),
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Problem:
        return Problem(str(data["code"]), str(data["message"]),
                       Source(str(data["file"]), data.get("line"), data.get("col"),
                              data.get("row")), Severity(data["severity"]))

    @staticmethod
    def parse(text: str) -> Problem:
        """A problem from its printed form ``FILE:ROW: CODE [warning: ]message`` (as
        documents written before problems were kept as data hold them)."""
        m = _PRINTED.match(text)
        if m is None:
            return Problem("V001", text, Source(""))
        file, *numbers = m.group("src").split(":")
        nums = [int(n) for n in numbers if n.isdigit()]
        src = (Source(file, row=nums[0]) if len(nums) == 1
               else Source(file, nums[0], nums[1]) if len(nums) == 2 else Source(file))
        sev = m.group("sev")
        return Problem(m.group("code"), m.group("msg"), src,
                       Severity(sev) if sev else Severity.ERROR)

    def sort_key(self) -> tuple[str, int, int, int, str]:
        s = self.source
        return (s.file, s.line or s.row or 0, s.col or 0, 0, self.code)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """A stable order, so the same input always prints the same report; at one place, by
    message with its numbers read as numbers (a header's column 5 before its column 10)."""
    return sorted(problems, key=lambda p: (*p.sort_key(), _numbers_as_numbers(p.message)))


def _numbers_as_numbers(text: str) -> tuple[tuple[int, str], ...]:
    """``text`` as a key in which a run of digits orders by its value: the parts alternate
    text and number, so two keys compare part by part, text with text, number with number.
    A number compares by its digits' count, then its digits (no conversion: a run of
    thousands of digits, as a hostile file may hold, is ordered as any other)."""
    return tuple(((len(part.lstrip("0")), part.lstrip("0")) if i % 2 else (0, part))
                 for i, part in enumerate(re.split(r"(\d+)", text)))


__all__ = ["EXIT_INTERNAL", "EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "Problem", "Severity",
           "Source", "has_errors", "sorted_problems"]
