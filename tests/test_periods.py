"""periods: whole calendar weeks and months inside a half-open period."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from rewardengine.periods import Period, whole_months, whole_weeks
from rewardengine.values import add_months


def test_whole_weeks_leave_out_straddling_weeks() -> None:
    # Wednesday 2020-01-15 .. Wednesday 2020-02-05 (exclusive)
    weeks = list(whole_weeks(Period(date(2020, 1, 15), date(2020, 2, 5))))
    assert weeks == [Period(date(2020, 1, 20), date(2020, 1, 27)),
                     Period(date(2020, 1, 27), date(2020, 2, 3))]


def test_whole_weeks_exact_bounds() -> None:
    # Monday to the Monday after: the week ending on the last day is whole
    assert list(whole_weeks(Period(date(2020, 1, 20), date(2020, 1, 27)))) == [
        Period(date(2020, 1, 20), date(2020, 1, 27))]
    # one day short of a whole week
    assert list(whole_weeks(Period(date(2020, 1, 20), date(2020, 1, 26)))) == []


def test_whole_months_leave_out_straddling_months() -> None:
    months = list(whole_months(Period(date(2020, 1, 15), date(2020, 4, 15))))
    assert months == [Period(date(2020, 2, 1), date(2020, 3, 1)),
                      Period(date(2020, 3, 1), date(2020, 4, 1))]
    assert months[0].days == 29  # leap February


def test_whole_months_exact_bounds() -> None:
    assert list(whole_months(Period(date(2021, 2, 1), date(2021, 3, 1)))) == [
        Period(date(2021, 2, 1), date(2021, 3, 1))]
    assert list(whole_months(Period(date(2021, 2, 1), date(2021, 2, 28)))) == []
    assert list(whole_months(Period(date(2019, 7, 1), date(2020, 1, 1))))[-1] == Period(
        date(2019, 12, 1), date(2020, 1, 1))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
       st.integers(-1200, 1200))
def test_add_months_is_relativedelta(anchor: date, months: int) -> None:
    expected = anchor + relativedelta(months=months)
    if date(1, 1, 1) < expected < date(9999, 12, 31):
        assert add_months(anchor, months) == expected
