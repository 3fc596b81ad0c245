"""Reasons in Finnish, Swedish or English, frame by frame from the message catalogue.

A reason as the engine writes it is a chain of clauses joined by ``"; "`` (outside brackets),
each clause one frame of a kind or of the invoice (``"service start {event} on {date}, inside
the contract window"``). A catalogue entry whose id has placeholders is a frame; it matches a
clause as a whole (the frames with the most fixed text are tried first) and each placeholder's
value is put in the language in turn, by its shape:

- an ISO date, a month (``2025-01``), a range of them (``2020-01-01..2020-01-31``), an amount
  of money, a number (signed or not, with a unit such as ``€``, ``USD``, ``%`` or ``h``): in
  the language's format (``31.7.2020``, ``1/2025``, ``1 234,56``);
- a fixed phrase of the catalogue (``register-verified``), or a frame again;
- a list (``open, subsidised at weight 0.5 or apprenticeship``), item by item, with the
  language's ``and`` and ``or``;
- a single word the catalogue does not hold (an event id, a component, a code of the data)
  is the data itself and stays as written.

A value with words none of these reach, or a clause no frame matches, stays in English and is
reported by ``untranslated`` (the test over every bundled example names it), so a kind that
writes a new frame fails that test until the catalogue has it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

# A placeholder's value: anything, but brackets balanced (two levels), so a frame never
# splits "(... : ...)" in the middle
_VALUE = r"(?:[^()]|\((?:[^()]|\([^()]*\))*\))+?"
# Placeholders that hold a date, a month or an amount by their name, and nothing else
_TYPED = {**dict.fromkeys(("date", "day", "start", "end", "by"), r"\d{4}-\d{2}-\d{2}"),
          "month": r"\d{4}-\d{2}", "limit": r"-?\d+\.\d{2}"}
_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(?: ?(€|USD|EUR|GBP|AUD|%|h))?$")
_AND_OR = {"fi": (" ja ", " tai "), "sv": (" och ", " eller "), "en": (" and ", " or ")}
_DEPTH = 24
# Placeholders whose value is free text of the data (an expense's description), shown as is
_DATA = frozenset({"details"})


@dataclass(frozen=True)
class Formats:
    """How one language writes values: dates, numbers (``Decimal`` text in, text out)."""

    lang: str
    day: Callable[[date], str]
    number: Callable[[str], str]


@dataclass(frozen=True)
class Frames:
    """The catalogue's frames (regex, translation) and fixed phrases of one language."""

    frames: list[tuple[re.Pattern[str], str, bool]]  # regex, translation, of clauses
    phrases: dict[str, str]


def frames_of(catalogue: dict[str, str], ids: list[str]) -> Frames:
    """The frames and phrases among the catalogue ids ``ids`` (``catalogue`` translates
    them; an id it lacks is its own translation, as in English)."""
    frames = []
    for msgid in ids:
        if "{" not in msgid:
            continue
        parts = _PLACEHOLDER.split(msgid)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>{_TYPED.get(p, _VALUE)})"
                        for i, p in enumerate(parts))
        fixed = sum(len(p) for p in parts[::2])
        frames.append((fixed, msgid, re.compile(f"^{regex}$", re.S)))
    frames.sort(key=lambda x: (-x[0], x[1]))  # the most fixed text first
    return Frames([(rx, catalogue.get(msgid, msgid), "; " in msgid) for _, msgid, rx in frames],
                  {m: catalogue.get(m, m) for m in ids if "{" not in m})


@dataclass
class Translation:
    """One reason put in a language, and the English pieces left over."""

    fmt: Formats
    frames: Frames
    missed: list[str] = field(default_factory=list)

    def reason(self, text: str, depth: int = 0) -> str:
        """A reason: a frame of several clauses (a correction's), else clause by clause
        (``"; "`` outside brackets)."""
        whole = self._frame(text, depth, chains=True)
        if whole is not None:
            return whole
        clauses = _split(text, "; ")
        if len(clauses) > 1:
            return "; ".join(self.reason(c, depth + 1) for c in clauses)
        one = self._frame(text, depth, chains=False)
        if one is None:
            self.missed.append(text)
            return text
        return one

    def _frame(self, text: str, depth: int, *, chains: bool) -> str | None:
        """``text`` by the first frame all of whose values are reached (else the first that
        fits at all); ``chains``: only the frames of several clauses, else only one clause's."""
        if depth > _DEPTH:
            return None
        phrase = None if chains else self.frames.phrases.get(text)
        if phrase is not None:
            return phrase
        partial: tuple[str, list[str]] | None = None
        for regex, translation, chain in self.frames.frames:
            m = regex.match(text) if chain == chains else None
            if m is None or (not chain and any(len(_split(v, "; ")) > 1
                                               for v in m.groupdict().values())):
                continue
            missed = len(self.missed)
            values = {k: v if k in _DATA else self.value(v, depth + 1)
                      for k, v in m.groupdict().items()}
            if len(self.missed) == missed:
                return translation.format(**values)
            # a frame that fits only in part: try the next, else keep the first such
            if partial is None:
                partial = (translation.format(**values), self.missed[missed:])
            del self.missed[missed:]
        if partial is not None:
            self.missed.extend(partial[1])
            return partial[0]
        return None

    def value(self, text: str, depth: int, *, lists: bool = True) -> str:
        """A placeholder's value in the language, by its shape (``lists``: it may be a list;
        an item of a list is not one again, so ``15 h/week or more`` is never split)."""
        if len(_split(text, "; ")) > 1 or any(
                chain and rx.match(text) for rx, _, chain in self.frames.frames):
            return self.reason(text, depth + 1)
        shaped = self._shape(text)
        if shaped is not None:
            return shaped
        listed = self._list(text, depth) if lists else None
        if listed is not None:
            return listed
        framed = self._frame(text, depth, chains=False)
        if framed is not None:
            return framed
        if " " not in text.strip():
            return text  # a word of the data: an id, a code
        self.missed.append(text)
        return text

    def _shape(self, text: str) -> str | None:
        if _ISO_DATE.match(text):
            return self.fmt.day(date.fromisoformat(text))
        month = _MONTH.match(text)
        if month is not None:
            return f"{int(month.group(2))}/{month.group(1)}"
        if ".." in text:
            a, _, b = text.partition("..")
            ends = [self._shape(a), self._shape(b)]
            if all(e is not None and (_ISO_DATE.match(x) or _MONTH.match(x))
                   for e, x in zip(ends, (a, b), strict=True)):
                return f"{ends[0]}\N{EN DASH}{ends[1]}"
            return None
        number = _NUMBER.match(text)
        if number is None:
            return None
        sign, digits, unit = number.groups()
        shown = sign + self.fmt.number(digits)
        return shown if unit is None else f"{shown} {unit}"

    def _list(self, text: str, depth: int) -> str | None:
        """``a, b and c`` or ``a, b or c``: item by item, or None when an item is not
        reached (then the text is not such a list)."""
        items = _split(text, ", ")
        last = items[-1]
        joint = None
        for word in (" and ", " or "):
            head, sep, tail = last.rpartition(word)
            if sep and "(" not in tail and head.count("(") == head.count(")"):
                items[-1:] = [head, tail]
                joint = word
                break
        if len(items) < 2:
            return None
        missed = len(self.missed)
        out = [self.value(item, depth + 1, lists=False) for item in items]
        if len(self.missed) > missed:
            del self.missed[missed:]
            return None
        and_, or_ = _AND_OR[self.fmt.lang]
        if joint is None:
            return ", ".join(out)
        return ", ".join(out[:-1]) + (and_ if joint == " and " else or_) + out[-1]


def _split(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside brackets."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
            i = start
            continue
        i += 1
    parts.append(text[start:])
    return parts
