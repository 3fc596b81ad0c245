"""monthly_fee: service months anchored at the service start, the answered-contact trap,
proration of a month cut short, max_months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import CONTRACT_HEAD, EVENT_HEADER, contract_from, one

from rewardengine.contract.load import LoadedContract
from rewardengine.evaluate.lines import Line
from rewardengine.kinds import monthly_fee
from rewardengine.periods import day_share
from rewardengine.values import round_cents

COLUMNS = EVENT_HEADER.strip().split(",")
d = date.fromisoformat


def ev(event_id: str, type_: str, day: str, customer: str = "c1", **fields: str) -> str:
    cells = {"event_id": event_id, "customer_id": customer, "type": type_, "date": day,
             **fields}
    return ",".join(cells.get(c, "") for c in COLUMNS)


def start(day: str = "2020-01-15") -> list[str]:
    return [ev("r1", "referral", "2020-01-10", provider="acme", unemployed_since="2019-06-01"),
            ev("s1", "service_start", day)]


def contact(event_id: str, day: str, answered: bool) -> str:
    return ev(event_id, "contact", day, responded="true" if answered else "false")


def fee(extra: str = "") -> str:
    return """
components:
  - id: monthly
    kind: monthly_fee
    amount: 900.00
""" + extra


ANSWERED = contract_from(fee("""
    condition: {min_responded_contacts: 1}
    proration: daily
"""))

# months from 2020-01-15: m01 01-15..02-14 (31 d), m02 02-15..03-14 (29 d),
# m03 03-15..04-14 (31 d), m04 04-15..05-14 (30 d); the service ends 2020-04-24, day 10 of m04
TRAP_ROWS = "\n".join([
    *start(),
    contact("k1", "2020-01-20", True),
    contact("k2", "2020-02-20", True),
    contact("k3", "2020-03-20", False),
    contact("k4", "2020-04-01", False),
    contact("k5", "2020-04-20", True),
    ev("e1", "service_end", "2020-04-24"),
])


def table(lines: list[Line]) -> list[tuple[object, ...]]:
    return [(ln.occurrence, ln.status, ln.quantity, ln.amount, ln.date, ln.evidence)
            for ln in lines]


def test_month_lost_for_no_answered_contact_and_last_month_prorated_by_day() -> None:
    result = one(ANSWERED, TRAP_ROWS, "2020-05-31")
    third = Decimal("0.3333333333333333333333333334")  # 10/30, rounded away from zero
    assert table(result.lines) == [
        ("m01", "payable", Decimal(1), Decimal("900.00"), d("2020-02-14"), ("k1", "s1")),
        ("m02", "payable", Decimal(1), Decimal("900.00"), d("2020-03-14"), ("k2", "s1")),
        ("m03", "not_earned", Decimal(1), Decimal("900.00"), d("2020-04-14"),
         ("k3", "k4", "s1")),
        ("m04", "payable", third, Decimal("300.00"), d("2020-04-24"), ("e1", "k5", "s1")),
    ]
    m03, m04 = result.lines[2], result.lines[3]
    assert m03.reason == ("no answered contact in service month 3 (2020-03-15..2020-04-14): "
                          "2 contacts, none answered")
    assert (m04.period_start, m04.period_end) == (d("2020-04-15"), d("2020-04-25"))
    assert m04.reason == (
        "service month 4 (2020-04-15..2020-05-14), 1 contact, 1 answered, served "
        "2020-04-15..2020-04-24 (10/30 days: the service ended 2020-04-24); pays 10/30 of "
        "900.00 (proration: daily)")
    assert result.totals.payable == Decimal("2100.00")
    assert result.totals.not_earned == Decimal("900.00")


def test_running_month_is_pending_with_what_it_still_needs() -> None:
    result = one(ANSWERED, TRAP_ROWS, "2020-03-20")
    assert [(ln.occurrence, ln.status, ln.amount) for ln in result.lines] == [
        ("m01", "payable", Decimal("900.00")),
        ("m02", "payable", Decimal("900.00")),
        ("m03", "pending", Decimal("900.00")),
    ]
    assert result.lines[2].reason == (
        "service month 3 (2020-03-15..2020-04-14) runs to 2020-04-14: needs an answered "
        "contact by 2020-04-14, so far 1 contact, none answered")
    assert result.lines[2].date == d("2020-04-14")


@pytest.mark.parametrize(("proration", "status", "quantity", "amount"), [
    ("none", "not_earned", Decimal(1), Decimal("900.00")),
    ("full", "payable", Decimal(1), Decimal("900.00")),
    ("daily", "payable", Decimal("0.3333333333333333333333333334"), Decimal("300.00")),
])
def test_proration_of_a_month_cut_short(proration: str, status: str, quantity: Decimal,
                                        amount: Decimal) -> None:
    contract = contract_from(fee(f"    proration: {proration}\n"))
    m04 = one(contract, TRAP_ROWS, "2020-05-31").lines[3]
    assert (m04.occurrence, m04.status, m04.quantity, m04.amount, m04.date) == (
        "m04", status, quantity, amount, d("2020-04-24"))
    if proration == "none":
        assert m04.reason == (
            "service month 4 (2020-04-15..2020-05-14) not paid: only part of it served, "
            "served 2020-04-15..2020-04-24 (10/30 days: the service ended 2020-04-24); the "
            "contract pays no part-month (proration: none)")


def test_months_from_jan_31_follow_the_anchor_not_repeated_addition() -> None:
    rows = "\n".join(start("2020-01-31"))
    result = one(contract_from(fee()), rows, "2020-05-01")
    assert [(ln.occurrence, ln.status, ln.period_start, ln.period_end, ln.date)
            for ln in result.lines] == [
        ("m01", "payable", d("2020-01-31"), d("2020-02-29"), d("2020-02-28")),
        ("m02", "payable", d("2020-02-29"), d("2020-03-31"), d("2020-03-30")),
        ("m03", "payable", d("2020-03-31"), d("2020-04-30"), d("2020-04-29")),
        ("m04", "pending", d("2020-04-30"), d("2020-05-31"), d("2020-05-30")),
    ]
    assert result.lines[0].reason == ("service month 1 (2020-01-31..2020-02-28) served to "
                                      "its end")


def test_a_month_is_payable_on_its_last_day() -> None:
    rows = "\n".join(start())
    on_last = one(contract_from(fee()), rows, "2020-02-14").lines
    before = one(contract_from(fee()), rows, "2020-02-13").lines
    assert [(ln.occurrence, ln.status) for ln in on_last] == [("m01", "payable")]
    assert [(ln.occurrence, ln.status) for ln in before] == [("m01", "pending")]


def test_max_months_counts_paid_months_only() -> None:
    contract = contract_from(fee("""
    condition: {min_responded_contacts: 1}
    max_months: 2
"""))
    rows = "\n".join([
        *start(),
        contact("k1", "2020-01-20", True),
        contact("k3", "2020-03-20", True),
        contact("k4", "2020-04-20", True),
    ])
    result = one(contract, rows, "2020-05-20")
    assert [(ln.occurrence, ln.status, ln.amount) for ln in result.lines] == [
        ("m01", "payable", Decimal("900.00")),
        ("m02", "not_earned", Decimal("900.00")),
        ("m03", "payable", Decimal("900.00")),
        ("m04", "not_earned", Decimal("0.00")),
        ("m05", "not_earned", Decimal("0.00")),
    ]
    assert result.lines[1].reason == ("no answered contact in service month 2 "
                                      "(2020-02-15..2020-03-14): no contacts")
    assert result.lines[3].reason == ("service month 4 (2020-04-15..2020-05-14) not paid: "
                                      "the maximum of 2 paid months is reached")


TWO_NEEDED = fee("    condition: {min_responded_contacts: 2}\n")
TWO_NEEDED_ROWS = "\n".join([
    *start(),
    contact("k1", "2020-01-20", True),
    contact("k2", "2020-01-27", False),
    contact("k3", "2020-02-03", True),
    contact("k4", "2020-02-20", True),
    contact("k5", "2020-02-27", False),
])


def test_two_answered_contacts_needed() -> None:
    result = one(contract_from(TWO_NEEDED), TWO_NEEDED_ROWS, "2020-03-14")
    assert table(result.lines) == [
        ("m01", "payable", Decimal(1), Decimal("900.00"), d("2020-02-14"), ("k1", "k3", "s1")),
        ("m02", "not_earned", Decimal(1), Decimal("900.00"), d("2020-03-14"),
         ("k4", "k5", "s1")),
    ]
    assert result.lines[1].reason == (
        "only 1 answered contact (2 needed) in service month 2 (2020-02-15..2020-03-14): "
        "2 contacts, 1 answered")


def test_phase_limits_months_and_a_phase_end_mid_month_prorates() -> None:
    months_2_3 = contract_from(fee("    phase: {from: 1 month, until: 3 months}\n"))
    rows = "\n".join(start())
    assert [(ln.occurrence, ln.status, ln.amount) for ln in
            one(months_2_3, rows, "2020-06-30").lines] == [
        ("m02", "payable", Decimal("900.00")),
        ("m03", "payable", Decimal("900.00")),
    ]
    # phase ends 45 days after 2020-01-15 = 2020-02-29 (exclusive): m02 has 14 of 29 days
    days45 = contract_from(fee("    phase: {until: 45 days}\n    proration: daily\n"))
    lines = one(days45, rows, "2020-06-30").lines
    assert table(lines) == [
        ("m01", "payable", Decimal(1), Decimal("900.00"), d("2020-02-14"), ("s1",)),
        ("m02", "payable", day_share(14, 29), Decimal("434.48"), d("2020-02-28"), ("s1",)),
    ]
    assert "(14/29 days: the phase 2020-01-15..2020-02-28 ends on 2020-02-28)" in \
        lines[1].reason


def test_no_service_start_no_months() -> None:
    rows = ev("r1", "referral", "2020-01-10", provider="acme", unemployed_since="2019-06-01")
    assert one(contract_from(fee()), rows, "2020-05-01").lines == []


@pytest.mark.parametrize(("days", "of", "amount", "expected"), [
    (10, 30, "900.00", "300.00"),
    (14, 29, "900.00", "434.48"),
    (25, 30, "0.03", "0.03"),  # exactly 0.025: half-up, though 25/30 does not terminate
    (5, 30, "0.03", "0.01"),  # exactly 0.005
    (1, 3, "0.01", "0.00"),
    (31, 31, "123.45", "123.45"),
])
def test_day_share_rounds_once_like_the_exact_fraction(days: int, of: int, amount: str,
                                                       expected: str) -> None:
    assert round_cents(day_share(days, of) * Decimal(amount)) == Decimal(expected)


def test_running_month_cut_by_a_known_service_end_is_pending_prorated() -> None:
    rows = TRAP_ROWS.replace("e1,c1,service_end,2020-04-24,,",
                             "e1,c1,service_end,2020-04-24,2020-04-10,")
    m04 = one(ANSWERED, rows, "2020-04-20").lines[-1]
    assert (m04.occurrence, m04.status, m04.amount, m04.date, m04.evidence) == (
        "m04", "pending", Decimal("300.00"), d("2020-04-24"), ("e1", "k5", "s1"))
    assert "(10/30 days: the service ends 2020-04-24)" in m04.reason


def test_months_after_the_evaluation_date_are_not_worked_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # an ongoing service runs to its maximum length, which may be decades: the months looked
    # at (and remembered for every customer with the same start) stop at the evaluation date
    long = contract_from(fee(), CONTRACT_HEAD.replace("max_length: 12 months",
                                                      "max_length: 1200 months"))
    asked: list[date] = []
    made = monthly_fee._months

    def months(anchor: date, end: date) -> tuple[tuple[object, tuple[str, str]], ...]:
        asked.append(end)
        return made(anchor, end)

    monkeypatch.setattr(monthly_fee, "_months", months)
    got = one(long, "\n".join(start()), "2020-03-20")
    assert [ln.occurrence for ln in got.lines] == ["m01", "m02", "m03"]
    assert asked == [d("2020-03-21")]


@pytest.mark.parametrize(("end", "quantity", "amount", "evidence", "words"), [
    # the service ends on the month's last day: served whole, its end no evidence of a cut
    ("2020-03-14", Decimal(1), Decimal("900.00"), ("s1",), "served to its end"),
    # a day short: cut, prorated, the end named
    ("2020-03-13", day_share(28, 29), Decimal("868.97"), ("e1", "s1"),
     "(28/29 days: the service ended 2020-03-13)"),
])
def test_a_month_ending_with_the_service_is_served_whole(end: str, quantity: Decimal,
                                                         amount: Decimal,
                                                         evidence: tuple[str, ...],
                                                         words: str) -> None:
    rows = "\n".join([*start(), ev("e1", "service_end", end)])
    m02 = one(contract_from(fee("    proration: daily\n")), rows, "2020-05-31").lines[-1]
    assert (m02.occurrence, m02.status, m02.quantity, m02.amount, m02.date, m02.evidence) == (
        "m02", "payable", quantity, amount, d(end), evidence)
    assert words in m02.reason


def test_contacts_on_the_days_either_side_of_a_month_and_phase_boundary() -> None:
    # months from 2020-01-15; the phase starts with m02 (2020-02-15): a contact on the day
    # before it counts for no month, one on its first day for m02, one on m02's last day for
    # m02 and one the next day for m03
    contract = contract_from(fee("""
    phase: {from: 1 month, until: 3 months}
    condition: {min_responded_contacts: 2}
"""))
    rows = "\n".join([
        *start(),
        contact("k1", "2020-02-14", True),
        contact("k2", "2020-02-15", True),
        contact("k3", "2020-03-14", True),
        contact("k4", "2020-03-15", True),
    ])
    assert table(one(contract, rows, "2020-04-30").lines) == [
        ("m02", "payable", Decimal(1), Decimal("900.00"), d("2020-03-14"), ("k2", "k3", "s1")),
        ("m03", "not_earned", Decimal(1), Decimal("900.00"), d("2020-04-14"), ("k4", "s1")),
    ]


def test_a_dated_monthly_amount_is_the_one_in_force_on_the_months_last_day() -> None:
    contract = contract_from("""
components:
  - id: monthly
    kind: monthly_fee
    amount: {values: {2020-01-01: 900.00, 2020-03-14: 950.00}}
""")
    # the new amount holds from m02's last day (2020-03-14): m01 ends the day before it
    lines = one(contract, "\n".join(start()), "2020-04-30").lines
    assert [(ln.occurrence, ln.status, ln.amount) for ln in lines] == [
        ("m01", "payable", Decimal("900.00")), ("m02", "payable", Decimal("950.00")),
        ("m03", "payable", Decimal("950.00")), ("m04", "pending", Decimal("950.00"))]


# --- months: calendar -----------------------------------------------------------------------

def calendar(extra: str = "") -> LoadedContract:
    return contract_from("""
components:
  - id: monthly
    kind: monthly_fee
    amount: 310.00
    months: calendar
""" + extra)


def months_of(lines: list[Line]) -> list[tuple[object, ...]]:
    return [(ln.occurrence, ln.status, ln.quantity, ln.amount, ln.date, ln.period_start,
             ln.period_end) for ln in lines]


@pytest.mark.parametrize(("day", "share", "amount"), [
    # on the 1st the first month is served whole; a day later 30 of its 31 days; on its last
    # day 1 of 31
    ("2020-03-01", Decimal(1), Decimal("310.00")),
    ("2020-03-02", day_share(30, 31), Decimal("300.00")),
    ("2020-03-31", day_share(1, 31), Decimal("10.00")),
])
def test_calendar_months_cut_the_first_by_the_service_start(day: str, share: Decimal,
                                                             amount: Decimal) -> None:
    lines = one(calendar("    proration: daily\n"), "\n".join(start(day)), "2020-04-30").lines
    assert months_of(lines) == [
        ("2020-03", "payable", share, amount, d("2020-03-31"), d(day), d("2020-04-01")),
        ("2020-04", "payable", Decimal(1), Decimal("310.00"), d("2020-04-30"),
         d("2020-04-01"), d("2020-05-01")),
    ]
    if day == "2020-03-02":
        assert lines[0].reason == (
            "calendar month 2020-03, served 2020-03-02..2020-03-31 (30/31 days: the service "
            "starts on 2020-03-02); pays 30/31 of 310.00 (proration: daily)")
    assert lines[1].reason == "calendar month 2020-04 served to its end"


@pytest.mark.parametrize(("proration", "status", "amount"), [
    ("none", "not_earned", Decimal("310.00")),  # forgone: the whole month's amount
    ("full", "payable", Decimal("310.00")),
    ("daily", "payable", Decimal("160.34")),  # 15/29 of 310.00 = 160.344...: leap February
])
def test_a_calendar_month_begun_mid_month_by_proration(proration: str, status: str,
                                                       amount: Decimal) -> None:
    lines = one(calendar(f"    proration: {proration}\n"), "\n".join(start("2020-02-15")),
                "2020-03-31").lines
    assert [(ln.occurrence, ln.status, ln.amount) for ln in lines] == [
        ("2020-02", status, amount), ("2020-03", "payable", Decimal("310.00"))]
    if proration == "none":
        assert lines[0].reason == (
            "calendar month 2020-02 not paid: only part of it served, served "
            "2020-02-15..2020-02-29 (15/29 days: the service starts on 2020-02-15); the "
            "contract pays no part-month (proration: none)")


@pytest.mark.parametrize(("end", "lines_wanted"), [
    # the service ends on April's last day: April served whole, no May line
    ("2020-04-30", [("2020-04", Decimal("310.00"), "calendar month 2020-04 served to its end")]),
    # a day later: May's first day is 1 of 31 days
    ("2020-05-01", [("2020-04", Decimal("310.00"), "calendar month 2020-04 served to its end"),
                    ("2020-05", Decimal("10.00"),
                     "calendar month 2020-05, served 2020-05-01..2020-05-01 (1/31 days: the "
                     "service ended 2020-05-01); pays 1/31 of 310.00 (proration: daily)")]),
    # a day short: April is cut, 29 of 30 days
    ("2020-04-29", [("2020-04", Decimal("299.67"),
                     "calendar month 2020-04, served 2020-04-01..2020-04-29 (29/30 days: the "
                     "service ended 2020-04-29); pays 29/30 of 310.00 (proration: daily)")]),
])
def test_the_last_calendar_month_by_the_service_end(
        end: str, lines_wanted: list[tuple[str, Decimal, str]]) -> None:
    rows = "\n".join([*start("2020-03-01"), ev("e1", "service_end", end)])
    lines = one(calendar("    proration: daily\n"), rows, "2020-06-30").lines
    assert [(ln.occurrence, ln.amount, ln.reason) for ln in lines[1:]] == lines_wanted
    assert lines[-1].evidence == (("s1",) if end == "2020-04-30" else ("e1", "s1"))


def test_a_service_inside_one_calendar_month_names_both_cuts() -> None:
    rows = "\n".join([*start("2020-03-10"), ev("e1", "service_end", "2020-03-20")])
    (line,) = one(calendar("    proration: daily\n"), rows, "2020-06-30").lines
    assert (line.occurrence, line.quantity, line.amount, line.date) == (
        "2020-03", day_share(11, 31), Decimal("110.00"), d("2020-03-20"))
    assert line.reason == (
        "calendar month 2020-03, served 2020-03-10..2020-03-20 (11/31 days: the service starts "
        "on 2020-03-10 and the service ended 2020-03-20); pays 11/31 of 310.00 (proration: "
        "daily)")


def test_a_calendar_month_is_decided_on_its_last_day() -> None:
    rows = "\n".join(start("2020-01-15"))
    before = one(calendar(), rows, "2020-02-28").lines
    on_last = one(calendar(), rows, "2020-02-29").lines
    assert [(ln.occurrence, ln.status) for ln in before] == [
        ("2020-01", "not_earned"), ("2020-02", "pending")]
    assert [(ln.occurrence, ln.status) for ln in on_last] == [
        ("2020-01", "not_earned"), ("2020-02", "payable")]
    assert before[1].reason == "calendar month 2020-02 runs to 2020-02-29; pays 310.00 then"


def test_the_last_calendar_month_of_a_running_service_is_cut_at_its_longest_end() -> None:
    # 12 months from 2020-01-15 end on 2021-01-14: January 2021 is served 14 of 31 days
    line = one(calendar("    proration: daily\n"), "\n".join(start("2020-01-15")),
               "2021-01-05").lines[-1]
    assert (line.occurrence, line.status, line.amount, line.date) == (
        "2021-01", "pending", Decimal("140.00"), d("2021-01-14"))
    assert "(14/31 days: the service can run at most to 2021-01-14)" in line.reason


def test_calendar_month_contacts_count_only_on_served_days() -> None:
    # the service starts on 2020-03-10: a contact on 03-09 is before it, one on 03-10 counts
    contract = calendar("    condition: {min_responded_contacts: 1}\n    proration: full\n")
    before = "\n".join([*start("2020-03-10"), contact("k1", "2020-03-09", True)])
    on = "\n".join([*start("2020-03-10"), contact("k1", "2020-03-10", True)])
    (lost,) = one(contract, before, "2020-03-31").lines
    (paid,) = one(contract, on, "2020-03-31").lines
    assert (lost.status, lost.evidence) == ("not_earned", ("s1",))
    assert lost.reason == (
        "no answered contact in calendar month 2020-03: no contacts, served "
        "2020-03-10..2020-03-31 (22/31 days: the service starts on 2020-03-10)")
    assert (paid.status, paid.amount, paid.evidence) == ("payable", Decimal("310.00"),
                                                         ("k1", "s1"))


def test_max_months_counts_paid_calendar_months() -> None:
    lines = one(calendar("    max_months: 2\n"), "\n".join(start("2020-01-15")),
                "2020-04-30").lines
    assert [(ln.occurrence, ln.status, ln.amount) for ln in lines] == [
        ("2020-01", "not_earned", Decimal("310.00")),  # part-month, proration none
        ("2020-02", "payable", Decimal("310.00")),
        ("2020-03", "payable", Decimal("310.00")),
        ("2020-04", "not_earned", Decimal("0.00")),
    ]
    assert lines[3].reason == ("calendar month 2020-04 not paid: the maximum of 2 paid months "
                               "is reached")


def test_a_phase_cuts_calendar_months_from_the_service_start() -> None:
    # from 2020-01-15 the phase is 2020-02-15..2020-04-14: February from its 15th, April to
    # its 14th
    lines = one(calendar("    proration: daily\n    phase: {from: 1 month, until: 3 months}\n"),
                "\n".join(start("2020-01-15")), "2020-06-30").lines
    assert [(ln.occurrence, ln.amount, ln.period_start, ln.period_end) for ln in lines] == [
        ("2020-02", Decimal("160.34"), d("2020-02-15"), d("2020-03-01")),
        ("2020-03", Decimal("310.00"), d("2020-03-01"), d("2020-04-01")),
        ("2020-04", Decimal("144.67"), d("2020-04-01"), d("2020-04-15")),
    ]


def test_calendar_months_most_paid_and_rules() -> None:
    loaded = calendar("    proration: daily\n")
    comp = loaded.contract.components[0]
    assert isinstance(comp, monthly_fee.MonthlyFee)
    # 12 service months from a day past the 1st touch 13 calendar months
    assert comp.most_paid(loaded.contract) == Decimal("4030.00")
    capped = calendar("    max_months: 6\n").contract
    assert capped.components[0].most_paid(capped) == Decimal("1860.00")
    # with proration: none only whole months are paid: 12 at most, not 13
    whole = calendar("    proration: none\n").contract
    assert whole.components[0].most_paid(whole) == Decimal("3720.00")
    # a service of 45 days: at most 2 service months (45 days over 28), 3 calendar months
    days = contract_from("""
components:
  - {id: monthly, kind: monthly_fee, amount: 310.00, months: calendar, proration: full}
""", CONTRACT_HEAD.replace("max_length: 12 months", "max_length: 45 days")).contract
    assert days.components[0].most_paid(days) == Decimal("930.00")
    assert monthly_fee._rules(comp, Decimal("310.00"), None)[0] == (
        "pays each calendar month 310.00")
    assert comp.period_spans(d("2020-03-01")) is False
    assert comp.period_spans(d("2020-03-02")) is True


@pytest.mark.parametrize("months", ["service", "calendar"])
def test_a_month_priced_0_00_on_its_last_day_pays_0_00(months: str) -> None:
    # a dated amount of 0.00 is a price, not "no price": the month ending after it pays 0.00
    contract = contract_from(f"""
components:
  - id: monthly
    kind: monthly_fee
    months: {months}
    amount: {{values: {{2020-01-01: 310.00, 2020-02-25: 0.00}}}}
""")
    rows = "\n".join(start("2020-01-01"))
    for as_of, status in (("2020-02-20", "pending"), ("2020-03-20", "payable")):
        february = one(contract, rows, as_of).lines[1]
        assert (february.status, february.unit_price, february.amount) == (
            status, Decimal("0.00"), Decimal("0.00")), as_of
