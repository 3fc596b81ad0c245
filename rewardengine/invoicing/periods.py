"""Billing periods: a month ``YYYY-MM``, a quarter ``YYYY-Qn`` or explicit ``from``/``to`` days.

A period is half-open ``[start, end)`` like every period of the engine; ``to`` given on the
command line is the inclusive last day. Months and quarters are counted from the period's
first day (``start + relativedelta(months=n)``), never by adding days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from pydantic_core import PydanticCustomError

from ..codec import meta, to_data
from ..periods import ONE_DAY, Period
from ..shown import quoted
from ..values import MAX_DATE, MIN_DATE, parse_date

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


class PeriodError(ValueError):
    """A period written wrongly; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class BillingPeriod:
    label: str
    start: date
    end: date = field(metadata=meta(key="last_day", fmt="last_day"))  # exclusive

    @property
    def last_day(self) -> date:
        return self.end - ONE_DAY

    @property
    def span(self) -> Period:
        return Period(self.start, self.end)

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d < self.end

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_data(self)
        return out


LATEST_ISSUE_DAYS = 366  # how long after its period an invoice date may be given


def check_issue_date(period: BillingPeriod, issue_date: date) -> None:
    """An invoice rests on the facts as of its period's last day, so it is not issued
    before that day (``PeriodError``); the due date follows the issue date."""
    if issue_date < period.last_day:
        raise PeriodError(f"--issue-date {issue_date} is before the period {period.label} "
                          f"ends: the invoice rests on the facts as of {period.last_day}, so "
                          f"the earliest issue date is {period.last_day} (give the day the "
                          "invoice is sent)")


def check_issue_year(period: BillingPeriod, issue_date: date, earliest: date) -> None:
    """Nor is an issue date given more than a year after the earliest day it may have (the
    period's last day, or for a period invoiced after a later one that invoice's day): a
    mistyped year (2030 for 2020) would date the invoice, and every later one of its
    series, years ahead, and an issued invoice stays in the ledger."""
    if (issue_date - earliest).days > LATEST_ISSUE_DAYS:
        since = (f"the period {period.label} ends ({period.last_day})"
                 if earliest == period.last_day
                 else f"the earliest day the ledger allows for {period.label} ({earliest})")
        raise PeriodError(f"--issue-date {issue_date} is more than a year after {since}: "
                          "check the year; an invoice's date dates every later invoice of "
                          "its series too")


def _years(year: int) -> None:
    if not MIN_DATE.year <= year <= MAX_DATE.year:
        raise PeriodError(f"the year {year} is outside {MIN_DATE.year} to {MAX_DATE.year}")


def month(year: int, number: int) -> BillingPeriod:
    _years(year)
    start = date(year, number, 1)
    return BillingPeriod(f"{year:04d}-{number:02d}", start, start + relativedelta(months=1))


def quarter(year: int, number: int) -> BillingPeriod:
    _years(year)
    start = date(year, 3 * (number - 1) + 1, 1)
    return BillingPeriod(f"{year:04d}-Q{number}", start, start + relativedelta(months=3))


def between(first_day: date, last_day: date) -> BillingPeriod:
    """An explicit period from ``first_day`` to ``last_day``, both inclusive."""
    if last_day < first_day:
        raise PeriodError(f"the period ends {last_day}, before it starts {first_day}")
    _years(first_day.year)
    _years(last_day.year)
    return BillingPeriod(f"{first_day.isoformat()}..{last_day.isoformat()}", first_day,
                         last_day + ONE_DAY)


def parse_period(text: str) -> BillingPeriod:
    """``2020-03`` (a month) or ``2020-Q1`` (a quarter)."""
    value = text.strip()
    m = _MONTH.match(value)
    if m:
        year, number = int(m.group(1)), int(m.group(2))
        if not 1 <= number <= 12:
            raise PeriodError(f"'{text}' has no month {number}; write a month as YYYY-MM")
        return month(year, number)
    q = _QUARTER.match(value)
    if q:
        return quarter(int(q.group(1)), int(q.group(2)))
    raise PeriodError(f"{quoted(text, 40)} is not a period: write a month as YYYY-MM (2020-03) or "
                      "a quarter as YYYY-Qn (2020-Q1), or give --from and --to dates")


def _parse_day(text: str, what: str) -> date:
    try:
        return parse_date(text)
    except PydanticCustomError as exc:
        raise PeriodError(f"{what}: {exc}") from None


def resolve_period(period: str | None, first_day: str | None, last_day: str | None
                   ) -> BillingPeriod:
    """The period from the command line: ``--period`` or both ``--from`` and ``--to``."""
    if period is not None:
        if first_day is not None or last_day is not None:
            raise PeriodError("give either --period or --from/--to, not both")
        return parse_period(period)
    if first_day is None or last_day is None:
        raise PeriodError("give --period YYYY-MM or YYYY-Qn, or both --from and --to")
    return between(_parse_day(first_day, "--from"), _parse_day(last_day, "--to"))
