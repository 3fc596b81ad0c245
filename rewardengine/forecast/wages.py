"""Jobs read from wages, for a forecast and a fit of data that records wages alone.

A contract that counts wages from the income register (an employment condition counted
from ``earnings`` rows) reads no ``employment`` row, and its data may hold none: the
register's pay rows are the whole record of work. The forecast's continuations and the
fit know a customer's work by their jobs, so without a job row a customer paid every month
reads as one who never found work (and the fit reads a share of 0 reaching a job).

Where the contract reads no ``employment`` row (so no line can change), a customer with
wages and no job row at all is given a job for each run of calendar months with pay (more
than 0.00) of one kind, read back by the generator's rule for wages (``synth.monthly_wages``:
a month's wage for the days worked in it, paid on the month's last day):

- its wage is the median (the lower of two) of its months' pay but the first and the last,
  which may be part months (the median passes over a month with a bonus); the largest
  month's pay with no month between;
- it began on the day that makes its first month's pay that wage's share of the month, and
  no later than its first pay;
- it goes on when it was paid for the last month whose pay is known by the as-of date (its
  pay day, the month's last day, and the customer's usual delay between a pay day and its
  record, the median of their pay rows', have passed), or a later one, unless that last
  month paid under half the wage; else it ended on the day that makes its last month's pay
  that wage's share of the month;
- it is of the kind and evidence of its first month's pay (of most of it, with several
  kinds), recorded when that pay was first known, at full time (the rows say no hours).

Pay made on another day than the month's last (the 15th) is read as that month's: a job
that ended is then read as going on until the next month's pay is missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from statistics import median_low

from ..contract.load import LoadedContract
from ..engine import events_read
from ..events.model import Earnings, EventBase
from ..events.timeline import timeline
from ..periods import ONE_DAY
from ..values import add_months
from .conditional import drawn_id
from .runs import to_events


def jobs_read_from_wages(loaded: LoadedContract) -> bool:
    """Whether the contract reads wages and no job row: its customers' jobs may be read from
    their wages without changing a line."""
    reads = events_read(loaded)
    return reads is not None and "earnings" in reads and "employment" not in reads


def with_jobs_from_wages(customer_id: str, rows: Sequence[EventBase], as_of: date
                         ) -> tuple[EventBase, ...]:
    """``rows`` with a job for each run of months with pay (as known by ``as_of``), where
    the customer has wages and no job row (any version, voided too); ``rows`` as given
    otherwise."""
    types = {getattr(r, "type", None) for r in rows}
    if "employment" in types or "earnings" not in types:  # (no timeline made for nothing)
        return tuple(rows)
    wages = [e for e in timeline(customer_id, rows, as_of).earnings
             if isinstance(e, Earnings) and e.amount > 0]
    if not wages:
        return tuple(rows)
    taken = frozenset(r.event_id for r in rows)
    # pay rows come in some days after their pay day (the register's lag): a month's pay is
    # looked for once its pay day and this customer's usual lag have passed (the median: one
    # row recorded late, a correction, does not hold every job open)
    lag = median_low([(w.known_on - w.date).days for w in wages])
    known = _last_paid_month(as_of - timedelta(days=max(lag, 0)))
    jobs = [_job(customer_id, n, spell, known, taken)
            for n, spell in enumerate(_spells(wages), start=1)]
    return (*rows, *to_events(jobs))


Month = tuple[date, list[Earnings]]  # a month's first day and its pay rows


def _spells(wages: Sequence[Earnings]) -> list[list[Month]]:
    """The pay rows by calendar month, in runs of months one after another with pay of one
    kind (most of each month's pay: subsidised work, then open work, are two jobs)."""
    by_month: dict[date, list[Earnings]] = {}
    for row in sorted(wages, key=lambda e: e.date):
        by_month.setdefault(row.date.replace(day=1), []).append(row)
    spells: list[list[Month]] = []
    for first, paid in sorted(by_month.items()):
        if spells and add_months(spells[-1][-1][0], 1) == first \
                and _most_paid(spells[-1][-1][1]) == _most_paid(paid):
            spells[-1].append((first, paid))
        else:
            spells.append([(first, paid)])
    return spells


PART_MONTH = Decimal("0.5")  # a last month paid less than this share of the wage: it ended


def _job(customer_id: str, n: int, spell: list[Month], known: date,
         taken: frozenset[str]) -> dict[str, str]:
    """The job of a run of months with pay; ``known``: the first day of the last month whose
    pay is known by now (paid for it, or later, the job goes on)."""
    amounts = [sum((r.amount for r in paid), Decimal(0)) for _, paid in spell]
    (first, first_paid), (last, _) = spell[0], spell[-1]
    # the first and last months may be part months
    wage = median_low(amounts[1:-1]) if len(amounts) > 2 else max(amounts)
    begin = _month_end(first) - timedelta(days=_days(amounts[0], wage, first) - 1)
    begin = min(begin, min(r.date for r in first_paid))  # paid once begun
    row = {"event_id": drawn_id(f"{customer_id}-wages{n}", taken),
           "customer_id": customer_id, "type": "employment", "date": begin.isoformat(),
           "recorded": min(r.known_on for r in first_paid).isoformat(),
           "kind": _most_paid(first_paid), "evidence": first_paid[0].evidence,
           "fte": "1", "wage": f"{wage:.2f}"}
    if last < known or (amounts[-1] < PART_MONTH * wage and len(amounts) > 1):
        end = last + timedelta(days=_days(amounts[-1], wage, last) - 1)
        row["end"] = max(end, begin).isoformat()
    return row


def _days(amount: Decimal, wage: Decimal, first: date) -> int:
    """The days of the month from ``first`` whose share of ``wage`` comes nearest
    ``amount`` (at least one, at most the month)."""
    month = (_month_end(first) - first).days + 1
    if wage <= 0:
        return month
    return min(max(round(amount / wage * month), 1), month)


def _month_end(first: date) -> date:
    return add_months(first, 1) - ONE_DAY


def _last_paid_month(as_of: date) -> date:
    """The first day of the last month whose pay day (its last day) has come by ``as_of``."""
    month = as_of.replace(day=1)
    return month if _month_end(month) == as_of else add_months(month, -1)


def _most_paid(paid: Sequence[Earnings]) -> str:
    by_kind: dict[str, Decimal] = {}
    for r in paid:
        by_kind[r.kind] = by_kind.get(r.kind, Decimal(0)) + r.amount
    return max(sorted(by_kind), key=lambda k: by_kind[k])
