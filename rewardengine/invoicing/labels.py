"""Labels and reasons of printed invoices in Finnish, Swedish or English, from a catalogue.

The catalogue is gettext's: ``locale/fi.po`` and ``locale/sv.po`` beside this module, read
with Babel (no compile step); the English text is the message id. ``Labels(lang)`` gives:

- ``lang=None``: the bilingual labels of the default HTML, Finnish then English
  ("Lasku / Invoice"), amounts and dates as in the JSON and CSV (``1234.56``, ISO dates);
- ``lang="fi"|"sv"|"en"``: one language, with Finnish number and date formats (Babel's
  ``fi_FI``, ``sv_FI``, ``en_FI``: ``1 234,56``, ``31.7.2020``).

Reasons are translated by pattern: a catalogue entry whose id has placeholders
(``"{before} invoiced on {invoice} line {line}; now {now}: {reason}"``) matches a reason
written by the engine; its placeholders are translated in turn (a date or an amount in the
language's format, ``{reason}`` again by pattern). A reason no entry matches stays as the
engine wrote it, in English.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from html import escape
from pathlib import Path

from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from ..values import money_text

LANGS = ("fi", "sv", "en")
_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_FI"}
_DIR = Path(__file__).resolve().parent / "locale"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONEY = re.compile(r"^-?\d+\.\d{2}$")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid -> translation of ``lang`` (English: none, the id is the text)."""
    if lang == "en":
        return {}
    with open(_DIR / f"{lang}.po", "rb") as fh:
        po = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in po if m.id and m.string}


@cache
def _patterns(lang: str) -> list[tuple[re.Pattern[str], str, str]]:
    """The catalogue entries with placeholders, as (regex of the id, id, translation)."""
    out = []
    ids = catalogue("fi").keys() if lang == "en" else catalogue(lang).keys()
    for msgid in ids:
        if "{" not in msgid:
            continue
        parts = _PLACEHOLDER.split(msgid)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                        for i, p in enumerate(parts))
        out.append((re.compile(f"^{regex}$", re.S), msgid,
                    catalogue(lang).get(msgid, msgid) if lang != "en" else msgid))
    return sorted(out, key=lambda x: -len(x[1]))  # the most specific first


class Labels:
    def __init__(self, lang: str | None = None) -> None:
        if lang is not None and lang not in LANGS:
            raise ValueError(f"language '{lang[:10]}' is not one of {', '.join(LANGS)}")
        self.lang = lang

    def _one(self, lang: str, msgid: str) -> str:
        return catalogue(lang).get(msgid, msgid)

    def s(self, msgid: str) -> str:
        """A label as plain text."""
        if self.lang is None:
            return f"{self._one('fi', msgid)} / {msgid}"
        return self._one(self.lang, msgid)

    def h(self, msgid: str) -> str:
        """A label as HTML: the English part of a bilingual label in a lighter weight."""
        if self.lang is None:
            return f"{escape(self._one('fi', msgid))} / <span class=\"en\">{escape(msgid)}</span>"
        return escape(self._one(self.lang, msgid))

    def money(self, amount: Decimal) -> str:
        if self.lang is None:
            return money_text(amount)
        return format_decimal(amount, format="#,##0.00", locale=_LOCALES[self.lang])

    def number(self, value: Decimal) -> str:
        if self.lang is None:
            return str(value)
        return format_decimal(value, locale=_LOCALES[self.lang])

    def percent(self, rate: Decimal) -> str:
        text = f"{(rate * 100).normalize():f}"
        return text if self.lang is None else text.replace(".", ",")

    def date(self, day: date | None) -> str:
        if day is None:
            return ""
        if self.lang is None:
            return day.isoformat()
        return format_date(day, format="d.M.yyyy", locale=_LOCALES[self.lang])

    def reason(self, text: str) -> str:
        """A reason in the chosen language, as far as the catalogue's patterns reach."""
        if self.lang is None or (self.lang == "en" and not _patterns("en")):
            return text
        return self._reason(text, 0)

    def _reason(self, text: str, depth: int) -> str:
        if depth > 6:
            return text
        for regex, _, translation in _patterns(self.lang or "en"):
            m = regex.match(text)
            if m is not None:
                values = {k: self._value(k, v, depth) for k, v in m.groupdict().items()}
                return translation.format(**values)
        return text

    def _value(self, key: str, value: str, depth: int) -> str:
        if key == "reason":
            return self._reason(value, depth + 1)
        if _ISO_DATE.match(value):
            return self.date(date.fromisoformat(value))
        if _MONEY.match(value):
            return self.money(Decimal(value))
        return value
