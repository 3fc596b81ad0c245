"""Value types shared by contracts and events: money, fractions, durations.

Money is ``Decimal`` from the text that was written to the printed result; it never passes
through ``float``. A duration is written ``"90 days"``, ``"13 weeks"`` or ``"12 months"`` and is
always added to an anchor date (``anchor + relativedelta(months=n)``), never accumulated.
"""

from __future__ import annotations

import calendar
import fractions
import functools
import math
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from .shown import quoted

T = TypeVar("T")
R = TypeVar("R")
K = TypeVar("K", bound=Hashable)

CENT = Decimal("0.01")
# The default context's 28 digits cannot hold e.g. 1e15 hours x 1e15 EUR in cents; quantize
# would raise InvalidOperation. 100 digits hold any product of the bounded input values.
_WIDE = Context(prec=100)


def round_cents(value: Decimal) -> Decimal:
    """Round once, half-up, to cents (the only rounding rule of the engine)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=_WIDE)


def money_text(value: Decimal) -> str:
    """Amounts print with exactly two decimals (a tiny reduction is 0.00, never -0.00)."""
    rounded = round_cents(value)
    return f"{rounded if rounded else rounded.copy_abs():.2f}"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and its noun in English, thousands marked: ``1 customer``, ``1,000 customers``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


_DECIMAL_RE = re.compile(r"^[+-]?((\d{1,3}(_\d{3})+|\d+)(\.\d+)?|\.\d+)$", re.ASCII)


# how a value is written, where "12 or 1234.50" would mislead: a fraction lies in 0..1, and
# a percentage is written as one (80 % is 0.80)
_EXAMPLES = {"fraction": "0.8 or 0.75 (80 % is 0.80)"}


_COMMA_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$", re.ASCII)


def comma_fixed(text: object) -> str | None:
    """``1.200,00`` written with a decimal comma (and points between thousands) as it is
    written here, ``1200.00``; None when ``text`` is no such number."""
    if not isinstance(text, str) or not _COMMA_NUMBER.match(text.strip()):
        return None
    return text.strip().replace(".", "").replace(",", ".")


# ``1,000`` or ``12,500,000``: a comma between thousands, as English writes them
_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+$", re.ASCII)  # 0,255 is no thousand


_ADVISED = 30  # the longest number whose comma is advised on (the advice writes it again)


def comma_advice(text: object) -> tuple[str, str] | None:
    """What a number written with a comma has, and how to write it: ``0,5`` a decimal comma
    (write ``0.5``); ``1,000`` a comma that may stand between thousands or before decimals
    (both said: a size of 1.000 is 1); ``12,500,000`` commas between thousands. None when
    ``text`` is no such number."""
    shown = text.strip() if isinstance(text, str) else ""
    if len(shown) > _ADVISED:
        return None  # a number this long is no amount mistyped: not written out again
    if _THOUSANDS.match(shown):
        whole = shown.replace(",", "")
        if shown.count(",") > 1:
            return "commas between thousands", f"write {whole}"
        return "a comma", f"write {whole} for a whole number, or {comma_fixed(shown)} for decimals"
    fixed = comma_fixed(text)
    return None if fixed is None else ("a decimal comma", f"write {fixed}")


# a number written with its thousands grouped by single spaces: 1 200, 12 500.50
_SPACED_THOUSANDS = re.compile(r"\A[0-9]{1,3}(?: [0-9]{3})+(?:\.[0-9]{1,2})?\Z", re.ASCII)


def to_decimal(value: Any, what: str = "number") -> Decimal:
    if isinstance(value, bool):
        raise PydanticCustomError("decimal_type", f"expected a {what}, got true/false")
    if isinstance(value, float):
        # floats are refused: they have already lost the written digits
        raise PydanticCustomError("decimal_float", f"{what} must be written as text, not a float")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        # plain ASCII decimals only: no exponent, no other scripts' digits, and '_' only
        # between groups of three digits (1_500.50), so a typo like 1_0 is not read as 10
        if not _DECIMAL_RE.match(text):
            # the value is the template's only field: pydantic fills the fields one after
            # another, so a cell holding '{what}' would be filled in too
            # only thousands grouped as amounts are written (1 200.00), never other digits
            # (an identity code or a phone number is not echoed back without its spaces)
            grouped = _SPACED_THOUSANDS.match(text.replace(",", ".", 1) if "." not in text
                                              else text)
            joined = "".join(text.split())
            comma = comma_advice(text) or (comma_advice(joined) if grouped else None)
            spaced = (f": write it without spaces, {joined} (or {'_'.join(text.split())})"
                      if grouped and not comma else "")
            raise PydanticCustomError(
                "decimal_parsing", f"{{value}} is not a {what} written like "
                f"{_EXAMPLES.get(what, '12 or 1234.50')}" + (
                    f": it has {comma[0]}; {comma[1]}" if comma else spaced),
                {"value": quoted(value)})
        try:
            d = Decimal(text.replace("_", ""))
        except InvalidOperation:
            raise PydanticCustomError("decimal_parsing", f"{{value}} is not a {what}",
                                      {"value": quoted(value)}) from None
    else:
        raise PydanticCustomError("decimal_type", f"expected a {what}")
    if not d.is_finite():
        raise PydanticCustomError("decimal_parsing", f"{{value}} is not a finite {what}",
                                  {"value": quoted(value)})
    return d


def _minus_zero(value: Any, d: Decimal, what: str) -> None:
    """A value that cannot be negative is never written with a minus sign, not even -0."""
    if d == 0 and isinstance(value, str) and value.strip().startswith("-"):
        raise PydanticCustomError("negative", "{what} {value} has a minus sign; write it "
                                  "without", {"what": what, "value": value.strip()[:40]})


def _shown(d: Decimal) -> str:
    """A number as a message shows it: cut, with its length, past 24 characters."""
    text = str(d)
    return text if len(text) <= 24 else f"{text[:20]}… ({len(text):,} characters)"


# every amount and number is below this: one place, so a check that bounds amounts (a
# cohort's, a solved price) bounds them where the reader does
MONEY_LIMIT = Decimal("1e15")


def _money(value: Any) -> Decimal:
    d = to_decimal(value, "money amount")
    _minus_zero(value, d, "amount")
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise PydanticCustomError(
            "money_places", "amount {value} has more than 2 decimal places", {"value": _shown(d)}
        )
    if d < 0:
        raise PydanticCustomError("money_negative", "amount {value} is negative",
                                  {"value": _shown(d)})
    if abs(d) >= MONEY_LIMIT:
        raise PydanticCustomError("money_range", "amount {value} is implausibly large",
                                  {"value": _shown(d)})
    return d


def _signed_money(value: Any) -> Decimal:
    """An amount a line may have: to the cent, and below zero too (a negative adjustment)."""
    d = to_decimal(value, "money amount")
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise PydanticCustomError(
            "money_places", "amount {value} has more than 2 decimal places", {"value": _shown(d)}
        )
    if abs(d) >= MONEY_LIMIT:
        raise PydanticCustomError("money_range", "amount {value} is implausibly large",
                                  {"value": _shown(d)})
    return d


def _fraction(value: Any) -> Decimal:
    d = to_decimal(value, "fraction")
    _minus_zero(value, d, "fraction")
    if d < 0 or d > 1:
        # 25.5 written for 25.5 %: said as the fraction it is
        # (not 1.5, a share above the whole rather than a percentage of under 2)
        percent = f" ({_shown(d)} % is {_shown((d / 100).normalize())})" if 2 <= d <= 100 \
            else ""
        raise PydanticCustomError("fraction_range", "{value} is not between 0 and 1" + percent,
                                  {"value": _shown(d)})
    return d


def _nonneg(value: Any) -> Decimal:
    d = to_decimal(value)
    _minus_zero(value, d, "number")
    if d < 0:
        raise PydanticCustomError("negative", "{value} is negative", {"value": _shown(d)})
    if abs(d) >= MONEY_LIMIT:
        raise PydanticCustomError("number_range", "{value} is implausibly large",
                                  {"value": _shown(d)})
    return d


# The JSON Schema of each kind of number, for editors: a string must match exactly what the
# parser accepts (tests/test_schema.py holds the two equal); a YAML number an editor reads as a
# number is checked by its value only (how it was written, e.g. 1e3, only `validate` sees).
_INT_PART = r"([0-9]{1,3}(_[0-9]{3})+|[0-9]+)"
_NUMBER_TEXT = rf"^\s*[+-]?({_INT_PART}(\.[0-9]+)?|\.[0-9]+)\s*$"
_MONEY_TEXT = rf"^\s*\+?({_INT_PART}(\.[0-9]{{1,2}})?|\.[0-9]{{1,2}})\s*$"
_SIGNED_MONEY_TEXT = rf"^\s*[+-]?({_INT_PART}(\.[0-9]{{1,2}})?|\.[0-9]{{1,2}})\s*$"
_QUANTITY_TEXT = rf"^\s*\+?({_INT_PART}(\.[0-9]+)?|\.[0-9]+)\s*$"
_FRACTION_TEXT = (r"^\s*\+?((0{1,3}(_000)+|0+)(\.[0-9]+)?|\.[0-9]+"
                  r"|(0{1,3}(_000)*_001|0*1)(\.0+)?)\s*$")
_LIMIT = 10**15


def _number_schema(pattern: str, description: str, **bounds: int) -> dict[str, Any]:
    # by type, not anyOf: an editor then reports the one check that failed
    return {"type": ["number", "string"], "if": {"type": "string"},
            "then": {"pattern": pattern}, "else": bounds, "description": description}


_NUMBER_SCHEMA = _number_schema(_NUMBER_TEXT, "a number")

Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    PlainSerializer(lambda d: str(d), return_type=str),
    WithJsonSchema(_number_schema(_MONEY_TEXT, "amount, at most 2 decimals, >= 0",
                                  minimum=0, exclusiveMaximum=_LIMIT)),
]
SignedMoney = Annotated[
    Decimal,
    BeforeValidator(_signed_money),
    PlainSerializer(lambda d: str(d), return_type=str),
    WithJsonSchema(_number_schema(_SIGNED_MONEY_TEXT, "amount, at most 2 decimals",
                                  exclusiveMinimum=-_LIMIT, exclusiveMaximum=_LIMIT)),
]
Fraction = Annotated[
    Decimal,
    BeforeValidator(_fraction),
    PlainSerializer(lambda d: str(d), return_type=str),
    WithJsonSchema(_number_schema(_FRACTION_TEXT, "a number from 0 to 1", minimum=0,
                                  maximum=1)),
]
Quantity = Annotated[
    Decimal,
    BeforeValidator(_nonneg),
    PlainSerializer(lambda d: str(d), return_type=str),
    WithJsonSchema(_number_schema(_QUANTITY_TEXT, "a number >= 0", minimum=0,
                                  exclusiveMaximum=_LIMIT)),
]

_WHOLE_RE = re.compile(r"^[+-]?(\d{1,3}(_\d{3})+|\d+)$", re.ASCII)
_WHOLE_TEXT = rf"^\s*[+-]?{_INT_PART}\s*$"


def to_whole(value: Any) -> int:
    """A whole number written plainly: ``12``, ``1_000``; not ``1_0``, ``1.0`` or ``1e1``."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "expected a whole number, got true/false")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _WHOLE_RE.match(value.strip()):
        return int(value.strip().replace("_", ""))
    raise PydanticCustomError("int_parsing", "{value} is not a whole number",
                              {"value": quoted(value)})


WholeNumber = Annotated[
    int,
    BeforeValidator(to_whole),
    WithJsonSchema({"type": ["integer", "string"], "if": {"type": "string"},
                    "then": {"pattern": _WHOLE_TEXT}}),
]

Number = Annotated[
    Decimal,
    BeforeValidator(to_decimal),
    PlainSerializer(lambda d: str(d), return_type=str),
    WithJsonSchema(_NUMBER_SCHEMA),
]

DurationUnit = Literal["days", "weeks", "months"]
MAX_DURATION_DAYS = 36_600  # 100 years; 1200 months at most 366 days a year
_DURATION_RE = re.compile(r"^\s*([0-9]{1,5})\s*(day|days|week|weeks|month|months)\s*$")


def add_months(anchor: date, months: int) -> date:
    """``anchor + relativedelta(months=months)``: the same day of the month, clamped to the
    month's last day (Jan 31 + 1 month = Feb 29 in 2020). Plain arithmetic, because month
    offsets are on the hot path of every monthly fee; and each day and offset worked out
    once (customers share their days: a look-up costs a sixth of the arithmetic)."""
    key = (anchor, months)
    found = _MONTHS_AFTER.get(key)
    if found is None:
        y, m = divmod(anchor.month - 1 + months, 12)
        year, month = anchor.year + y, m + 1
        if anchor.day <= 28:  # every month has the day: no clamping to look up
            found = date(year, month, anchor.day)
        else:
            found = date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))
        if len(_MONTHS_AFTER) >= _DAYS_KEPT:
            _MONTHS_AFTER.clear()
        _MONTHS_AFTER[key] = found
    return found


_DAYS_KEPT = 100_000  # days and offsets remembered; beyond it, start again
_MONTHS_AFTER: dict[tuple[date, int], date] = {}
_DAYS_AFTER: dict[tuple[date, int], date] = {}


def add_days(anchor: date, days: int) -> date:
    """``anchor + timedelta(days=days)``, each day and offset worked out once (as
    ``add_months``: making the timedelta cost more than the look-up)."""
    key = (anchor, days)
    found = _DAYS_AFTER.get(key)
    if found is None:
        found = anchor + timedelta(days=days)
        if len(_DAYS_AFTER) >= _DAYS_KEPT:
            _DAYS_AFTER.clear()
        _DAYS_AFTER[key] = found
    return found


@dataclass(frozen=True, slots=True)
class Duration:
    """A length written as text. Months are calendar months added to an anchor date."""

    count: int
    unit: DurationUnit

    def after(self, anchor: date) -> date:
        """``anchor`` moved forward by this duration (Jan 31 + 1 month = Feb 28/29)."""
        if self.unit == "months":
            return add_months(anchor, self.count)
        return add_days(anchor, self.count * (7 if self.unit == "weeks" else 1))

    def before(self, anchor: date) -> date:
        if self.unit == "months":
            return add_months(anchor, -self.count)
        return anchor - timedelta(days=self.days_exact())

    def days_exact(self) -> int:
        if self.unit == "months":
            raise ValueError("a month duration has no fixed number of days")
        return self.count * (7 if self.unit == "weeks" else 1)

    def min_days(self) -> int:
        """The fewest days this can span (a month is at least 28 days)."""
        return self.count * 28 if self.unit == "months" else self.days_exact()

    def max_days(self) -> int:
        """The most days this can span (12 months are at most 366 days)."""
        if self.unit == "months":
            years, months = divmod(self.count, 12)
            return years * 366 + months * 31
        return self.days_exact()

    def certainly_longer(self, other: Duration) -> bool:
        """Longer than ``other`` from every anchor (exact for equal units; else by the fewest
        and the most days each can span)."""
        if self.unit == other.unit:
            return self.count > other.count
        return self.min_days() > other.max_days()

    def __str__(self) -> str:
        unit = self.unit if self.count != 1 else self.unit[:-1]
        return f"{self.count} {unit}"


def parse_duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("duration", "a duration is written like '90 days', "
                                  "'13 weeks' or '12 months'")
    m = _DURATION_RE.match(value)
    if not m:
        lower = " (units are written in lower case)" if _DURATION_RE.match(value.lower()) \
            else ""
        raise PydanticCustomError(
            "duration", "{value} is not a duration like '90 days', '13 weeks' or '12 months'"
            + lower, {"value": quoted(value)},
        )
    unit = m.group(2)
    if not unit.endswith("s"):
        unit += "s"
    duration = Duration(int(m.group(1)), unit)  # type: ignore[arg-type]
    if duration.max_days() > MAX_DURATION_DAYS:
        # keeps every date the engine computes (date + durations) inside the calendar
        raise PydanticCustomError("duration", "'{value}' is longer than 100 years",
                                  {"value": value})
    return duration


DurationField = Annotated[
    Duration,
    BeforeValidator(parse_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _DURATION_RE.pattern,
                    "description": "e.g. '90 days', '13 weeks', '12 months'"}),
]
DURATION_PATTERN = _DURATION_RE.pattern  # how a duration is written, for JSON Schemas


def parse_length(value: Any) -> Duration:
    """A duration that must hold a day at least: how long work must last, a period to count
    in (``0 days`` there would pay on a job's first day or count in no day at all)."""
    found = parse_duration(value)
    if found.count == 0:
        raise PydanticCustomError("duration_empty", "{value} holds no day: a length here is "
                                  "at least 1 day", {"value": str(found)})
    return found


# ``_DURATION_RE`` without a count of zeros alone
_LENGTH_PATTERN = r"^\s*(?!0+\s*[dwm])([0-9]{1,5})\s*(day|days|week|weeks|month|months)\s*$"
LengthField = Annotated[
    Duration,
    BeforeValidator(parse_length),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _LENGTH_PATTERN,
                    "description": "at least a day, e.g. '90 days', '13 weeks', '12 months'"}),
]


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Dates outside these years are typos (0202-01-01, 9999-12-31 as "open"); bounding them keeps
# date + durations (at most 100 years each) far from the end of the calendar.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)


def _in_range(d: date, value: Any) -> date:
    if not MIN_DATE <= d <= MAX_DATE:
        raise PydanticCustomError("date_parsing", "{value} is outside the years {lo} to {hi}",
                                  {"value": quoted(value), "lo": MIN_DATE.year,
                                   "hi": MAX_DATE.year})
    return d


def parse_date(value: Any) -> date:
    """Only ISO dates (YYYY-MM-DD) from 1900 to 2199: no timestamps, no day-first guessing."""
    if isinstance(value, date):
        return _in_range(value, value)
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError as exc:
            raise PydanticCustomError("date_parsing", "'{value}' is not a real date ({why})",
                                      {"value": value, "why": str(exc)}) from None
        return _in_range(parsed, value)
    raise PydanticCustomError("date_parsing", "{value} is not a date written YYYY-MM-DD",
                              {"value": quoted(value)})


IsoDate = Annotated[
    date,
    BeforeValidator(parse_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]


@functools.lru_cache(maxsize=1024)
def exact(value: Decimal) -> fractions.Fraction:
    """A contract's weight or share as an exact fraction, made once per value (a kind asks
    for the same few weights for every unit of every customer)."""
    return fractions.Fraction(value)


def weighted_ratio(pairs: Iterable[tuple[Decimal, Decimal]]) -> tuple[int, int]:
    """``sum(value * weight) / sum(value)`` exactly, as integers ``(numerator,
    denominator)`` (not reduced; the denominator is above 0 when the values' sum is): every
    Decimal is an integer over a power of ten, so both sums are brought to common
    denominators with integer arithmetic alone."""
    ratios = [(v.as_integer_ratio(), w.as_integer_ratio()) for v, w in pairs]
    v_den = math.lcm(*(b for (_, b), _ in ratios))
    w_den = math.lcm(*(q for _, (_, q) in ratios))
    values = [(a * (v_den // b), p * (w_den // q)) for (a, b), (p, q) in ratios]
    return sum(v * w for v, w in values), w_den * sum(v for v, _ in values)


# Facts made from a part of a loaded contract (a component, a price table, a dated amount)
# once, not for every customer: keyed on the part object itself, which is frozen once loaded.
# The entry holds the part, so its id cannot be reused while the entry lives.
_MADE: dict[tuple[Callable[..., Any], int, Hashable], tuple[object, Any]] = {}
_MADE_LIMIT = 4096  # contracts loaded by one process; beyond it, start again


def once(make: Callable[[T], R], part: T) -> R:
    """``make(part)``, computed once per part object."""
    entry = (make, id(part), None)
    hit = _MADE.get(entry)  # a hit is all the work: kinds ask for every unit of a customer
    if hit is not None and hit[0] is part:
        value: R = hit[1]
        return value
    return _remember(entry, part, make(part))


def once_for(make: Callable[[T, K], R], part: T, key: K) -> R:
    """``make(part, key)``, computed once per part object and key (a key of equal value:
    a grade of a component, the contract's segment ids)."""
    entry = (make, id(part), key)
    hit = _MADE.get(entry)
    if hit is not None and hit[0] is part:
        value: R = hit[1]
        return value
    return _remember(entry, part, make(part, key))


def _remember(entry: tuple[Callable[..., Any], int, Hashable], part: object, value: R) -> R:
    if len(_MADE) >= _MADE_LIMIT:
        _MADE.clear()
    _MADE[entry] = (part, value)
    return value
