"""verify checks the VAT a JSON invoice gives each line and its VAT breakdown: a line taxed
otherwise than on the day it was earned is B008 (24 % until 31 Aug 2024, 25.5 % from 1 Sept:
one day before, on and after the change), a breakdown group told otherwise, left out or
taxing no line is B006, a VAT that does not read is B007. A bill whose lines are not the
computed invoice's has its VAT worked out from its own lines, each at the VAT of its day."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EVENT_HEADER, contract_from, events_from
from test_vat_dates import COMPONENTS, HEAD, ROWS, _issue

from rewardengine.api import read_bill_file
from rewardengine.invoicing.periods import resolve_period
from rewardengine.invoicing.render import invoice_json
from rewardengine.invoicing.run import issue_invoice, verify_bill
from test_einvoice import PARTIES

Invoice = dict[str, Any]


def _verify(tmp_path: Path, change: Callable[[Invoice], None], rows: str = ROWS
            ) -> tuple[bool, list[tuple[str, str, int | None]], Invoice]:
    """verify of the engine's own JSON invoice for Aug-Sept 2024 (July invoiced before),
    changed by ``change``: whether it is right, its problems as (code, message, row), and
    the invoice as written."""
    ledger = tmp_path / "l.sqlite"
    _issue(ledger, "2024-07-01", "2024-07-31")
    loaded = contract_from(COMPONENTS + PARTIES, HEAD)
    evs = events_from(rows, EVENT_HEADER).events
    period = resolve_period(None, "2024-08-01", "2024-09-30")
    dry = issue_invoice(loaded, evs, period, ledger_path=str(ledger), inputs_hash="h",
                        dry_run=True).invoice
    assert dry is not None
    data = json.loads(invoice_json(dry))
    written = json.loads(json.dumps(data))
    change(data)
    bill = tmp_path / "bill.json"
    bill.write_text(json.dumps(data), encoding="utf-8")
    report = verify_bill(loaded, evs, read_bill_file(str(bill)), period,
                         ledger_path=str(ledger))
    return report.ok, [(p.code, p.message, p.source.row) for p in report.problems], written


def _lines(data: Invoice) -> list[dict[str, Any]]:
    return [ln for s in data["sections"] for ln in s["lines"]]


def _line(data: Invoice, customer: str) -> tuple[int, dict[str, Any]]:
    """A customer's line and its row (its place among the bill's lines, from 1)."""
    return next((n, ln) for n, ln in enumerate(_lines(data), start=1)
                if ln["customer_id"] == customer)


def test_the_engine_s_own_json_invoice_of_two_rates_verifies(tmp_path: Path) -> None:
    ok, problems, data = _verify(tmp_path, lambda d: None)
    assert ok and problems == []
    assert [(g["category"], g["rate"], g["taxable"], g["tax"]) for g in data["vat_breakdown"]
            ] == [("S", "0.24", "100.00", "24.00"), ("S", "0.255", "100.00", "25.50")]
    assert {c: _line(data, c)[1]["vat"]["rate"] for c in ("c1", "c2")} == \
        {"c1": "0.24", "c2": "0.255"}


@pytest.mark.parametrize(("customer", "rate", "earned", "due"), [
    ("c1", "0.255", "2024-08-31", "0.24"),  # the day before the change, taxed after it
    ("c2", "0.24", "2024-09-01", "0.255"),  # the day of the change, taxed before it
])
def test_a_line_taxed_at_the_rate_of_another_day_is_b008(
        tmp_path: Path, customer: str, rate: str, earned: str, due: str) -> None:
    def change(d: Invoice) -> None:
        _line(d, customer)[1]["vat"]["rate"] = rate

    ok, problems, data = _verify(tmp_path, change)
    row, line = _line(data, customer)
    assert line["date"] == earned
    reference = "AVL 1501/1993 84 §, " + ("1.9.2024" if due == "0.255" else "1.1.2013")
    assert not ok
    assert problems == [("B008", f"the bill gives this line VAT S {rate}, but the base_fee "
                         f"line it bills, earned on {earned}, has VAT S {due} ({reference})",
                         row)]


def test_a_line_taxed_at_its_own_day_s_rate_written_otherwise_is_right(tmp_path: Path
                                                                     ) -> None:
    """``0.2550`` and a JSON number are the rate 0.255: the rate is compared, not its text."""
    def change(d: Invoice) -> None:
        _line(d, "c2")[1]["vat"]["rate"] = "0.2550"
        _line(d, "c1")[1]["vat"]["rate"] = 0.24

    ok, problems, _ = _verify(tmp_path, change)
    assert ok, problems


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["vat_breakdown"][0].update(taxable="200.00", tax="48.00"),
     "the bill's VAT breakdown says VAT S 0.24 on 200.00: 48.00 but its lines make VAT S "
     "0.24 on 100.00: 24.00"),
    (lambda d: d["vat_breakdown"].pop(1),
     "the bill's VAT breakdown leaves out VAT S 0.255 on 100.00: 25.50, which its lines make"),
    (lambda d: d["vat_breakdown"].append({"category": "S", "rate": "0.14",
                                          "taxable": "0.00", "tax": "0.00"}),
     "the bill's VAT breakdown says VAT S 0.14 on 0.00: 0.00 but none of its lines is taxed "
     "so"),
    (lambda d: d["vat_breakdown"].append(dict(d["vat_breakdown"][0])),
     "the bill's VAT breakdown states VAT S 0.24 on 100.00: 24.00 twice"),
])
def test_a_breakdown_group_not_the_one_the_lines_make_is_b006(
        tmp_path: Path, change: Callable[[Invoice], None], message: str) -> None:
    ok, problems, _ = _verify(tmp_path, change)
    assert not ok
    assert problems == [("B006", message, None)]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: _line(d, "c1")[1].update(vat={"category": "S", "rate": "24%"}),
     ("B007", "field 'vat' must be an object with a category and a rate, e.g. "
      '{"category": "S", "rate": "0.255"}', 1)),
    (lambda d: _line(d, "c1")[1].update(vat="S"),
     ("B007", "field 'vat' must be an object with a category and a rate, e.g. "
      '{"category": "S", "rate": "0.255"}', 1)),
    (lambda d: _line(d, "c1")[1].update(vat={"category": "standard", "rate": "0.24"}),
     ("B007", "field 'vat' must be an object with a category and a rate, e.g. "
      '{"category": "S", "rate": "0.255"}', 1)),
    (lambda d: d["vat_breakdown"][1].pop("tax"),
     ("B007", "group 2 of the bill's 'vat_breakdown' must have a category, a rate, a "
      "taxable amount and a tax", None)),
    (lambda d: d.update(vat_breakdown="S 0.24"),
     ("B007", "the bill's 'vat_breakdown' must be a list of groups", None)),
])
def test_a_vat_that_does_not_read_is_b007(tmp_path: Path, change: Callable[[Invoice], None],
                                          expected: tuple[str, str, int | None]) -> None:
    ok, problems, _ = _verify(tmp_path, change)
    assert not ok
    assert expected in problems
    assert all(code in ("B006", "B007") for code, _, _ in problems), problems


def test_a_bill_without_a_line_has_its_vat_from_its_own_lines_by_their_days(
        tmp_path: Path) -> None:
    """The September line (25.5 %) left off, and the sums stated for the August line alone
    (24 %): the VAT and breakdown follow from the bill's own lines, so the only finding is
    the line left off (the invoice's rate on its last day, 25.5 %, is not the lines')."""
    def change(d: Invoice) -> None:
        for section in d["sections"]:
            section["lines"] = [ln for ln in section["lines"] if ln["customer_id"] != "c2"]
        d.update(subtotal="100.00", vat="24.00", total="124.00")
        d["vat_breakdown"] = d["vat_breakdown"][:1]

    ok, problems, _ = _verify(tmp_path, change)
    assert problems == []
    assert not ok  # underbilled: the September line


def test_a_bill_without_a_line_stating_the_period_s_rate_is_told_the_lines_vat(
        tmp_path: Path) -> None:
    def change(d: Invoice) -> None:
        for section in d["sections"]:
            section["lines"] = [ln for ln in section["lines"] if ln["customer_id"] != "c2"]
        d.update(subtotal="100.00", vat="25.50", total="125.50")
        d["vat_breakdown"] = [{"category": "S", "rate": "0.255", "taxable": "100.00",
                               "tax": "25.50"}]

    _, problems, _ = _verify(tmp_path, change)
    assert problems == [
        ("B006", "the bill's vat says 25.50 but its lines' VAT is 24.00 (VAT S 0.24 on "
         "100.00: 24.00)", None),
        ("B006", "the bill's total says 125.50 but its lines plus VAT make 124.00", None),
        ("B006", "the bill's VAT breakdown leaves out VAT S 0.24 on 100.00: 24.00, which "
         "its lines make", None),
        ("B006", "the bill's VAT breakdown says VAT S 0.255 on 100.00: 25.50 but none of "
         "its lines is taxed so", None)]
