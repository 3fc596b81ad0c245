from datetime import date

import pytest

from rewardengine.codec import from_data
from rewardengine.invoicing.periods import (
    BillingPeriod,
    PeriodError,
    parse_period,
    resolve_period,
)


def test_month() -> None:
    p = parse_period("2020-02")
    assert (p.label, p.start, p.end, p.last_day) == (
        "2020-02", date(2020, 2, 1), date(2020, 3, 1), date(2020, 2, 29))
    assert date(2020, 2, 29) in p and date(2020, 3, 1) not in p


def test_december_ends_in_the_next_year() -> None:
    p = parse_period("2020-12")
    assert (p.start, p.end) == (date(2020, 12, 1), date(2021, 1, 1))


@pytest.mark.parametrize(("text", "start", "last"), [
    ("2020-Q1", date(2020, 1, 1), date(2020, 3, 31)),
    ("2020-q2", date(2020, 4, 1), date(2020, 6, 30)),
    ("2020-Q4", date(2020, 10, 1), date(2020, 12, 31)),
])
def test_quarter(text: str, start: date, last: date) -> None:
    p = parse_period(text)
    assert (p.start, p.last_day) == (start, last)
    assert p.label == text.upper()


def test_from_to_is_inclusive() -> None:
    p = resolve_period(None, "2020-03-05", "2020-04-04")
    assert (p.label, p.start, p.end) == ("2020-03-05..2020-04-04", date(2020, 3, 5),
                                         date(2020, 4, 5))


@pytest.mark.parametrize(("period", "first", "last", "message"), [
    ("2020-13", None, None, "no month 13"),
    ("2020-Q5", None, None, "is not a period"),
    ("March", None, None, "is not a period"),
    ("2020-03", "2020-03-01", None, "not both"),
    (None, "2020-03-01", None, "both --from and --to"),
    (None, "2020-03-31", "2020-03-01", "before it starts"),
    (None, "2020-02-30", "2020-03-01", "not a real date"),
    # only plain YYYY-MM-DD: no ISO week dates or compact forms, no years beyond 2199
    (None, "2020-W10-1", "2020-03-31", "not a date written YYYY-MM-DD"),
    (None, "20200305", "2020-03-31", "not a date written YYYY-MM-DD"),
    (None, "2020-03-01", "9999-12-31", "outside the years 1900 to 2199"),
])
def test_bad_periods_say_how_to_write_them(period: str | None, first: str | None,
                                           last: str | None, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        resolve_period(period, first, last)


def test_round_trip_through_dict() -> None:
    p = parse_period("2020-Q1")
    assert p.to_dict() == {"label": "2020-Q1", "start": "2020-01-01", "last_day": "2020-03-31"}
    assert from_data(BillingPeriod, p.to_dict()) == p
