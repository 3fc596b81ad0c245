"""Labels and reasons of printed invoices in Finnish, Swedish or English, from a catalogue.

The catalogue is gettext's: ``locale/fi.po`` and ``locale/sv.po`` beside this module, read
with Babel (no compile step); the English text is the message id. ``Labels(lang)`` gives:

- ``lang=None``: the bilingual labels of the default HTML, Finnish then English
  ("Lasku / Invoice"), amounts and dates as in the JSON and CSV (``1234.56``, ISO dates);
- ``lang="fi"|"sv"|"en"``: one language, with Finnish number and date formats (Babel's
  ``fi_FI``, ``sv_FI``, ``en_FI``: ``1 234,56``, ``31.7.2020``).

Reasons are translated frame by frame (``reasons.py``): a catalogue entry whose id has
placeholders (``"{before} invoiced on {invoice} line {line}; now {now}: {reason}"``) is a frame
of a reason the engine writes; the values in it are put in the language in turn (a date or an
amount in the language's format, a phrase or a frame again). What no frame reaches stays as the
engine wrote it, in English, and ``untranslated`` lists it.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import date as Day  # inside Labels, ``date`` names its method
from decimal import Decimal
from functools import cache
from html import escape
from pathlib import Path

from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from ..values import money_text
from .reasons import Formats, Frames, Translation, frames_of

LANGS = ("fi", "sv", "en")
_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_FI"}
_DIR = Path(__file__).resolve().parent / "locale"
_MONTH_LABEL = re.compile(r"^(\d{4})-(\d{2})$")
@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid -> translation of ``lang`` (English: none, the id is the text)."""
    if lang == "en":
        return {}
    with open(_DIR / f"{lang}.po", "rb") as fh:
        po = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in po if m.id and m.string}


@cache
def _frames(lang: str) -> Frames:
    """The catalogue's frames and phrases in ``lang`` (English: the ids themselves)."""
    return frames_of(catalogue(lang), list(catalogue("fi")))


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

    def span(self, start: Day, last_day: Day) -> str:
        """Days from ``start`` to ``last_day`` as the reasons write them in a language (the
        two dates joined by an en dash), ``2024-04-01 .. 2024-04-30`` in the bilingual page."""
        if self.lang is None:
            return f"{start.isoformat()} .. {last_day.isoformat()}"
        return f"{self.date(start)}\N{EN DASH}{self.date(last_day)}"

    def period(self, label: str) -> str:
        """A billing period's label as the language writes a month (2020-09: 9/2020, as its
        reasons do); a quarter, a year or a range of days stays as given."""
        month = _MONTH_LABEL.match(label)
        if self.lang is None or month is None:
            return label
        return f"{int(month.group(2))}/{month.group(1)}"

    def reason(self, text: str) -> str:
        """A reason in the chosen language, as far as the catalogue's frames reach."""
        if self.lang is None:
            return text
        return self._translation().reason(text)

    def untranslated(self, text: str) -> list[str]:
        """The parts of a reason no frame of the catalogue reaches (they stay English)."""
        if self.lang is None:
            return []
        t = self._translation()
        t.reason(text)
        return t.missed

    def _translation(self) -> Translation:
        lang = self.lang or "en"
        return Translation(Formats(lang, self.date, self._figure), _frames(lang))

    def _figure(self, digits: str) -> str:
        """A number of a reason as written there: its decimals kept, a whole number as is."""
        if "." not in digits:
            return digits
        decimals = len(digits.partition(".")[2])
        return format_decimal(Decimal(digits), format="#,##0." + "0" * decimals,
                              locale=_LOCALES[self.lang or "en"])
