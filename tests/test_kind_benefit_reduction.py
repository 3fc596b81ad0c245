"""benefit_reduction: full and partial outcomes for the fall in benefit, whole months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from conftest import EVENT_HEADER, contract_from, one

COLUMNS = EVENT_HEADER.strip().split(",")


def row(event_id: str, type_: str, day: str, **fields: object) -> str:
    values = {"event_id": event_id, "customer_id": "c1", "type": type_, "date": day,
              **{k: str(v) for k, v in fields.items()}}
    assert set(values) <= set(COLUMNS), set(values) - set(COLUMNS)
    return ",".join(values.get(c, "") for c in COLUMNS)


def rows(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def start(on: str) -> str:
    return rows(row("r1", "referral", "2019-12-20", provider="acme",
                    unemployed_since="2019-06-01"),
                row("s1", "service_start", on))


def months(prefix: str, first: tuple[int, int], values: list[str | None],
           field: str = "days") -> str:
    """One benefit row per month from ``first`` (year, month); None: no row that month."""
    year, month = first
    out = []
    for i, value in enumerate(values):
        y, m = year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1
        if value is not None:
            out.append(row(f"{prefix}{i + 1}", "benefit", f"{y}-{m:02d}-01", **{field: value}))
    return rows(*out)


CONTRACT = """
components:
  - id: benefit
    kind: benefit_reduction
    measure: {measure}
    baseline: 6 months
    full: {{min_fall: 0.9, amount: {{A: 2000.00, B: 2500.00}}}}
    partial: {{min_fall: 0.5, amount: {{A: 800.00, B: 1000.00}}}}
"""
DAYS = CONTRACT.format(measure="days")
AMOUNT = CONTRACT.format(measure="amount")

# service starts 2020-01-01: baseline Jul..Dec 2019 (6 x 30 = 180 days), comparison Jan..Jun
# 2020, ending 2020-06-30
BASELINE = months("b", (2019, 7), ["30"] * 6)


def only(events: str, as_of: str, text: str = DAYS) -> tuple[str, Decimal, date | None, str,
                                                             tuple[str, ...]]:
    result = one(contract_from(text), events, as_of)
    assert len(result.lines) == 1, result.lines
    ln = result.lines[0]
    assert ln.occurrence == "once" and ln.component == "benefit"
    return ln.status, ln.amount, ln.date, ln.reason, ln.evidence


@pytest.mark.parametrize(
    ("comparison", "status", "amount", "says", "on"),
    [
        # 18 of 180: a fall of exactly 90 % -> full
        (["3"] * 6, "payable", "2000.00",
         "benefit days fell from 180 to 18, 90 %, at least the full threshold of 90 % "
         "(baseline 2019-07..2019-12, comparison 2020-01..2020-06)", "2020-06-30"),
        # 19: 89.4 % -> partial
        (["3"] * 5 + ["4"], "payable", "800.00",
         "benefit days fell from 180 to 19, 89.4 %, at least the partial threshold of 50 %",
         "2020-06-30"),
        # 90 of 180: exactly 50 % -> partial
        (["15"] * 6, "payable", "800.00",
         "benefit days fell from 180 to 90, 50 %, at least the partial threshold of 50 %",
         "2020-06-30"),
        # 91: 49.4 % -> nothing
        (["15"] * 5 + ["16"], "not_earned", "800.00",
         "benefit days fell from 180 to 91, 49.4 %, below the partial threshold of 50 %",
         "2020-06-01"),  # a not-earned line is dated the row that took it past 90 days
        # 120: the brief's example
        (["20"] * 6, "not_earned", "800.00",
         "benefit days fell from 180 to 120, 33.3 %, below the partial threshold of 50 %",
         "2020-05-01"),
        (["31"] * 6, "not_earned", "800.00",
         "benefit days rose from 180 to 186, below the partial threshold of 50 %",
         "2020-03-01"),
    ])
def test_fall_against_thresholds(comparison: list[str], status: str, amount: str,
                                 says: str, on: str) -> None:
    events = rows(start("2020-01-01"), BASELINE, months("c", (2020, 1), comparison))
    got_status, got_amount, got_on, reason, evidence = only(events, "2020-07-01")
    assert (got_status, got_amount, got_on) == (status, Decimal(amount), date.fromisoformat(on))
    assert reason.startswith(says)
    assert evidence == (*(f"b{i}" for i in range(1, 7)), *(f"c{i}" for i in range(1, 7)))


def test_no_rows_in_comparison_is_a_full_fall() -> None:
    events = rows(start("2020-01-01"), BASELINE)
    status, amount, _, reason, _ = only(events, "2020-07-01")
    assert (status, amount) == ("payable", Decimal("2000.00"))
    assert reason == ("benefit days fell from 180 to 0, 100 %, at least the full threshold of "
                      "90 % (baseline 2019-07..2019-12, comparison 2020-01..2020-06) (no benefit "
                      "row for 2020-01, 2020-02, 2020-03, 2020-04, 2020-05, 2020-06: counted "
                      "as 0)")


def test_zero_baseline() -> None:
    events = rows(start("2020-01-01"), months("b", (2019, 7), ["0"] * 6),
                  months("c", (2020, 1), ["5"] * 6))
    status, amount, _, reason, _ = only(events, "2020-07-01")
    assert (status, amount) == ("not_earned", Decimal("0.00"))
    assert reason.startswith("no benefit in the baseline period (2019-07..2019-12), so there is "
                             "no fall to measure")


def test_zero_baseline_known_before_the_comparison_ends() -> None:
    status, amount, _, reason, _ = only(start("2020-01-01"), "2020-02-01")
    assert (status, amount) == ("not_earned", Decimal("0.00"))
    assert reason.startswith("no benefit in the baseline period (2019-07..2019-12)")
    assert "no benefit row for 2019-07, 2019-08, 2019-09, 2019-10, 2019-11, 2019-12, 2020-01" \
        in reason


def test_comparison_decided_on_its_last_day() -> None:
    events = rows(start("2020-01-01"), BASELINE, months("c", (2020, 1), ["3"] * 6))
    status, amount, on, reason, _ = only(events, "2020-06-29")
    assert (status, amount, on) == ("pending", Decimal("2000.00"), date(2020, 6, 30))
    assert reason.startswith(
        "benefit days 180 in the baseline; 18 so far in the comparison months, up to "
        "2020-06-30; for the full amount (2000.00 €) at most 18; for the partial amount "
        "(800.00 €) at most 90")
    assert reason.endswith("the full amount is still possible")
    # on its last day (facts count up to and including as_of) the period is decided
    status, amount, on, _, _ = only(events, "2020-06-30")
    assert (status, amount, on) == ("payable", Decimal("2000.00"), date(2020, 6, 30))


def test_pending_at_the_best_outcome_still_possible() -> None:
    # 30 days so far: 150/180 = 83.3 %, the full outcome (at most 18) is out of reach
    events = rows(start("2020-01-01"), BASELINE, months("c", (2020, 1), ["30", "0"]))
    status, amount, on, reason, _ = only(events, "2020-03-15")
    assert (status, amount, on) == ("pending", Decimal("800.00"), date(2020, 6, 30))
    assert reason.endswith("the partial amount is still possible")


def test_no_longer_possible_before_the_end() -> None:
    events = rows(start("2020-01-01"), BASELINE, months("c", (2020, 1), ["31", "29", "31"]))
    status, amount, on, reason, _ = only(events, "2020-04-15")
    # lost with the March row (2020-03-01), which took the comparison past 90 days: dated
    # then, never after the evaluation date
    assert (status, amount, on) == ("not_earned", Decimal("800.00"), date(2020, 3, 1))
    assert reason.startswith("can no longer be earned: benefit days fell from 180 to 91, 49.4 %"
                             " with comparison months still to come up to 2020-06-30, already "
                             "below the partial threshold of 50 %")


def test_whole_months_only_and_missing_month() -> None:
    # service starts 2020-01-15: baseline 2019-07-15..2020-01-14 holds Aug..Dec 2019 (July
    # straddles and is left out); comparison 2020-01-15..2020-07-14 holds Feb..Jun 2020.
    # Baseline 5 x 30 = 150 (the July row is ignored); comparison 75 with March missing
    events = rows(start("2020-01-15"), BASELINE,
                  months("c", (2020, 1), ["30", "25", None, "25", "25", "0", "30"]))
    status, amount, on, reason, evidence = only(events, "2020-07-15")
    assert (status, amount, on) == ("payable", Decimal("800.00"), date(2020, 7, 14))
    assert reason == ("benefit days fell from 150 to 75, 50 %, at least the partial threshold "
                      "of 50 % (baseline 2019-08..2019-12, comparison 2020-02..2020-06) (no "
                      "benefit row for 2020-03: counted as 0)")
    assert evidence == ("b2", "b3", "b4", "b5", "b6", "c2", "c4", "c5", "c6")


AMOUNT_ROWS = rows(row("r1", "referral", "2019-12-20", provider="acme",
                       unemployed_since="2018-01-01"),  # segment B
                   row("s1", "service_start", "2020-01-01"),
                   months("b", (2019, 7), ["700.00"] * 6, "amount"),
                   months("c", (2020, 1), ["700.00", "700.00", "700.00"], "amount"),
                   row("x1", "benefit", "2020-04-01", days="31"))  # no amount: counts 0


def test_amount_measure_and_segment_price() -> None:
    status, amount, _, reason, _ = only(AMOUNT_ROWS, "2020-07-01", AMOUNT)
    assert (status, amount) == ("payable", Decimal("1000.00"))
    assert reason == ("benefit paid fell from 4200.00 € to 2100.00 €, 50 %, at least the "
                      "partial threshold of 50 % (baseline 2019-07..2019-12, comparison "
                      "2020-01..2020-06) (no benefit row for 2020-05, 2020-06: counted as 0; "
                      "row(s) x1 give no amount: counted as 0)")


def test_several_rows_in_a_month_add_up() -> None:
    events = rows(start("2020-01-01"), BASELINE, months("c", (2020, 1), ["10"]),
                  row("c1b", "benefit", "2020-01-20", days="9"))
    status, amount, _, reason, _ = only(events, "2020-07-01")
    assert (status, amount) == ("payable", Decimal("800.00"))
    assert reason.startswith("benefit days fell from 180 to 19, 89.4 %")


def test_without_partial_threshold() -> None:
    text = """
components:
  - id: benefit
    kind: benefit_reduction
    measure: days
    baseline: 6 months
    full: {min_fall: 1, amount: 1500.00}
"""
    events = rows(start("2020-01-01"), BASELINE, months("c", (2020, 1), ["0"] * 5 + ["1"]))
    status, amount, _, reason, _ = only(events, "2020-07-01", text)
    assert (status, amount) == ("not_earned", Decimal("1500.00"))
    assert reason.startswith("benefit days fell from 180 to 1, 99.4 %, below the full "
                             "threshold of 100 %")
