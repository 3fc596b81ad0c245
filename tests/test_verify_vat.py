"""verify checks the VAT a JSON invoice gives each line and its VAT breakdown: a line taxed
otherwise than on the day it was earned is B008 (24 % until 31 Aug 2024, 25.5 % from 1 Sept:
one day before, on and after the change), a breakdown group told otherwise, left out or
taxing no line is B006, a VAT that does not read is B007. A bill whose lines are not the
computed invoice's has its VAT worked out from its own lines, each at the VAT of its day."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EVENT_HEADER, contract_from, events_from
from test_einvoice import PARTIES, SELLER
from test_vat_dates import COMPONENTS, EXEMPT, HEAD, ROWS

from rewardengine.api import read_bill_file
from rewardengine.invoicing.periods import resolve_period
from rewardengine.invoicing.render import invoice_json
from rewardengine.invoicing.run import issue_invoice, verify_bill

Invoice = dict[str, Any]


Computed = tuple[Any, list[Any], Any, Path, Any]  # contract, events, period, ledger, invoice


def _computed(tmp_path: Path, rows: str = ROWS, *, head: str = HEAD,
              components: str = COMPONENTS, joint: bool = False,
              period: tuple[str, str] = ("2024-08-01", "2024-09-30"),
              before: tuple[str, str] | None = ("2024-07-01", "2024-07-31")) -> Computed:
    """The engine's own invoice for ``period`` (Aug-Sept 2024; the month ``before``
    invoiced first), as a dry run: the contract, events, period, ledger and invoice."""
    ledger = tmp_path / "l.sqlite"
    loaded = contract_from(components + PARTIES, head)
    evs = events_from(rows, EVENT_HEADER).events
    if before is not None:
        issue_invoice(loaded, evs, resolve_period(None, *before), ledger_path=str(ledger),
                      inputs_hash="h", joint=joint)
    billed = resolve_period(None, *period)
    dry = issue_invoice(loaded, evs, billed, ledger_path=str(ledger), inputs_hash="h",
                        dry_run=True, joint=joint).invoice
    assert dry is not None
    return loaded, evs, billed, ledger, dry


def _verify(tmp_path: Path, change: Callable[[Invoice], None], rows: str = ROWS, *,
            joint: bool = False, **made: Any
            ) -> tuple[bool, list[tuple[str, str, int | None]], Invoice]:
    """verify of the engine's own JSON invoice (``_computed``), changed by ``change``:
    whether it is right, its problems as (code, message, row), and the invoice as written."""
    loaded, evs, billed, ledger, dry = _computed(tmp_path, rows, joint=joint, **made)
    data = json.loads(invoice_json(dry))
    written = json.loads(json.dumps(data))
    change(data)
    bill = tmp_path / "bill.json"
    bill.write_text(json.dumps(data), encoding="utf-8")
    report = verify_bill(loaded, evs, read_bill_file(str(bill)), billed,
                         ledger_path=str(ledger), joint=joint)
    return report.ok, [(p.code, p.message, p.source.row) for p in report.problems], written


def _lines(data: Invoice) -> list[dict[str, Any]]:
    return [ln for s in data["sections"] for ln in s["lines"]]


def _line(data: Invoice, customer: str) -> tuple[int, dict[str, Any]]:
    """A customer's line and its row (its place among the bill's lines, from 1)."""
    return next((n, ln) for n, ln in enumerate(_lines(data), start=1)
                if ln["customer_id"] == customer)


def _left_out(d: Invoice, customer: str, sums: tuple[str, str, str],
              group: tuple[str, str] | None = None) -> None:
    """The bill ``d`` without the customer's lines, stating ``sums`` (subtotal, VAT, total)
    and, with ``group`` (category, rate), a breakdown of that one group."""
    for section in d["sections"]:
        section["lines"] = [ln for ln in section["lines"] if ln["customer_id"] != customer]
    d.update(subtotal=sums[0], vat=sums[1], total=sums[2])
    if group is not None:
        d["vat_breakdown"] = [{"category": group[0], "rate": group[1], "taxable": sums[0],
                               "tax": sums[1]}]


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
    """``0.2550000`` and a JSON number are the rates: the rate is compared, not its text."""
    def change(d: Invoice) -> None:
        _line(d, "c2")[1]["vat"]["rate"] = "0.2550000"
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
      "taxable amount and a tax (and an exemption code and reason of text, if any)", None)),
    (lambda d: d["vat_breakdown"][0].update(exemption_code="a\nFAKE: B000 all good"),
     ("B007", "group 1 of the bill's 'vat_breakdown' must have a category, a rate, a "
      "taxable amount and a tax (and an exemption code and reason of text, if any)", None)),
    (lambda d: _line(d, "c2")[1]["vat"].update(category="S\n"),
     ("B007", "field 'vat' must be an object with a category and a rate, e.g. "
      '{"category": "S", "rate": "0.255"}', 2)),
    (lambda d: _line(d, "c2")[1]["vat"].update(rate="0.255\n"),
     ("B007", "field 'vat' must be an object with a category and a rate, e.g. "
      '{"category": "S", "rate": "0.255"}', 2)),
    (lambda d: d.update(vat_breakdown="S 0.24"),
     ("B007", "the bill's 'vat_breakdown' must be a list of groups", None)),
    (lambda d: _line(d, "c1")[1]["vat"].update(rate="24"),
     ("B007", "field 'vat' must be an object with a category and a rate, e.g. "
      '{"category": "S", "rate": "0.255"} (a rate is written from 0 to 1: 24 % is 0.24)', 1)),
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
        _left_out(d, "c2", ("100.00", "24.00", "124.00"))
        d["vat_breakdown"] = d["vat_breakdown"][:1]

    ok, problems, _ = _verify(tmp_path, change)
    assert problems == []
    assert not ok  # underbilled: the September line


def test_a_bill_without_a_line_stating_the_period_s_rate_is_told_the_lines_vat(
        tmp_path: Path) -> None:
    def change(d: Invoice) -> None:
        _left_out(d, "c2", ("100.00", "25.50", "125.50"), ("S", "0.255"))

    _, problems, _ = _verify(tmp_path, change)
    assert problems == [
        ("B006", "the bill's vat says 25.50 but its lines' VAT is 24.00 (VAT S 0.24 on "
         "100.00: 24.00)", None),
        ("B006", "the bill's total says 125.50 but its lines plus VAT make 124.00", None),
        ("B006", "the bill's VAT breakdown leaves out VAT S 0.24 on 100.00: 24.00, which "
         "its lines make", None),
        ("B006", "the bill's VAT breakdown says VAT S 0.255 on 100.00: 25.50 but none of "
         "its lines is taxed so", None)]


# a second exempt component of the first's code (test_vat_dates.EXEMPT), its reason its own
THERAPY = """
  - id: therapy
    kind: event_fee
    event: hours
    where: {activity: physiotherapy}
    per: each
    amount: 90.00
    vat: {category: E, exemption_code: VATEX-EU-132-1C,
          exemption_reason: "Fysioterapia (AVL 34 §)"}
"""


def test_two_exempt_groups_of_one_code_and_two_reasons_verify(tmp_path: Path) -> None:
    """Two exempt components of one VATEX code, each with its own reason: two groups of the
    breakdown, each compared with its own (not one group stated twice)."""
    rows = (ROWS + "h1,c1,hours,2024-09-05,,,,,,,,1,psychologist_session\n"
            "h2,c1,hours,2024-09-06,,,,,,,,1,physiotherapy\n")
    ok, problems, data = _verify(tmp_path, lambda d: None, rows,
                                 components=COMPONENTS + EXEMPT + THERAPY)
    assert [(g["category"], g["exemption_code"], g["taxable"]) for g in data["vat_breakdown"]
            if g["category"] == "E"] == [("E", "VATEX-EU-132-1C", "90.00"),
                                         ("E", "VATEX-EU-132-1C", "110.00")]
    assert ok, problems


def test_lines_moved_between_rates_with_the_same_total_are_told_by_their_own_vat(
        tmp_path: Path) -> None:
    """The August line (24 %) billed 150.00 and the September one (25.5 %) 50.00: the same
    subtotal as the computed 100.00 + 100.00, and the VAT stated for these lines (48.75) is
    theirs: only the amounts differ, no stated sum is wrong."""
    def change(d: Invoice) -> None:
        _line(d, "c1")[1]["amount"] = "150.00"
        _line(d, "c2")[1]["amount"] = "50.00"
        d.update(subtotal="200.00", vat="48.75", total="248.75")
        d["vat_breakdown"] = [
            {"category": "S", "rate": "0.24", "taxable": "150.00", "tax": "36.00"},
            {"category": "S", "rate": "0.255", "taxable": "50.00", "tax": "12.75"}]

    ok, problems, _ = _verify(tmp_path, change)
    assert problems == [] and not ok  # the two amounts differ


BETA = (SELLER.replace("id: acme", "id: beta").replace("Acme Oy", "Beta Oy")
        .replace("9200045-3", "9200046-1").replace("FI92000453", "FI92000461"))
MEMBERS = """
r1,c1,referral,2024-09-02,,,,acme,,2024-03-01
s1,c1,service_start,2024-09-03,,,,acme
r2,c2,referral,2024-09-02,,,,beta,,2024-03-01
s2,c2,service_start,2024-09-03,,,,beta
r3,c3,referral,2024-09-02,,,,acme,,2024-03-01
s3,c3,service_start,2024-09-04,,,,acme
"""


def test_a_summary_of_member_invoices_without_a_line_is_taxed_member_by_member(
        tmp_path: Path) -> None:
    """Two consortium members, 101.00 a line at 25.5 %: left without one of acme's lines,
    the bill's VAT is its members' own, each rounded once (25.76 + 25.76 = 51.52), not
    25.5 % of 202.00 rounded once (51.51)."""
    def change(d: Invoice) -> None:
        _left_out(d, "c3", ("202.00", "51.52", "253.52"), ("S", "0.255"))

    ok, problems, data = _verify(
        tmp_path, change, MEMBERS, head=HEAD.replace(SELLER, SELLER + BETA),
        components=COMPONENTS.replace("{A: 100.00, B: 150.00}", "{A: 101.00, B: 151.00}"),
        joint=True, period=("2024-09-01", "2024-09-30"), before=None)
    assert data["member_invoices"] and data["vat"] == "77.27"
    assert problems == [] and not ok  # c3's line is left out


def test_a_csv_bill_with_a_vat_row_per_rate_states_their_sum(tmp_path: Path) -> None:
    """A Finnish bill writes a VAT row per rate (ALV 24 %, ALV 25,5 %), as the engine's own
    HTML invoice does: the bill's VAT is their sum (only the last was read, and a right bill
    was told its VAT was wrong)."""
    from rewardengine.invoicing.render import invoice_csv

    loaded, evs, billed, ledger, dry = _computed(tmp_path)
    rows = invoice_csv(dry).splitlines()
    at = next(i for i, r in enumerate(rows) if ",vat," in r)
    cells = rows[at].split(",")
    amount = cells.index("49.50")
    per_rate = [",".join([*cells[:amount], value, *cells[amount + 1:]])
                for value in ("24.00", "25.50")]
    for second, right in (("25.50", True), ("26.50", False)):
        per_rate[1] = per_rate[1].replace(per_rate[1].split(",")[amount], second, 1)
        bill = tmp_path / "bill.csv"
        bill.write_text("\n".join([*rows[:at], *per_rate, *rows[at + 1:]]) + "\n",
                        encoding="utf-8")
        report = verify_bill(loaded, evs, read_bill_file(str(bill)), billed,
                             ledger_path=str(ledger))
        assert report.ok is right, [str(p) for p in report.problems]


@pytest.mark.parametrize("zero_row", [False, True])
def test_vat_rows_labelled_in_the_customer_column_of_the_engine_s_csv(
        tmp_path: Path, zero_row: bool) -> None:
    """The engine's CSV written by hand with a VAT row per rate, the label in the
    customer_id column: swapped rates are told; an "ALV 0 %" row of 0.00 beside them (a rate
    of 0, which once read as no rate) does not switch the check off."""
    from rewardengine.invoicing.render import invoice_csv

    loaded, evs, billed, ledger, dry = _computed(tmp_path)
    rows = list(csv.reader(io.StringIO(invoice_csv(dry))))
    head = rows[0]
    ci, ai, ti = head.index("customer_id"), head.index("amount"), head.index("type")
    vat = next(r for r in rows if r[ti] == "vat")

    def labelled(label: str, amount: str) -> list[str]:
        row = list(vat)
        row[ci], row[ai] = label, amount
        return row

    stated = [labelled("ALV 24 %", "25.50"), labelled("ALV 25,5 %", "24.00"),
              *([labelled("ALV 0 %", "0.00")] if zero_row else [])]
    at = rows.index(vat)
    bill = tmp_path / "bill.csv"
    with bill.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([*rows[:at], *stated, *rows[at + 1:]])
    report = verify_bill(loaded, evs, read_bill_file(str(bill)), billed,
                         ledger_path=str(ledger))
    assert [(p.code, p.source.row, p.message) for p in report.problems] == [
        ("B006", at + 1, "the bill's VAT at 24 % says 25.50 but its lines' VAT at 24 % is "
                         "24.00"),
        ("B006", at + 2, "the bill's VAT at 25.5 % says 24.00 but its lines' VAT at 25.5 % is "
                         "25.50")]


def test_a_json_bill_s_problems_point_at_their_line_in_the_file(tmp_path: Path) -> None:
    """A problem of a JSON bill's line is shown at the line and column where that line's
    object begins in the file (an invoice written with indents runs over many file lines);
    ``row`` stays the line's number among the bill's lines."""
    loaded, evs, billed, ledger, dry = _computed(tmp_path)
    data = json.loads(invoice_json(dry))
    _line(data, "c2")[1].update(customer_id=12345, amount="abc")
    text = json.dumps(data, indent=2)
    bill = tmp_path / "bill.json"
    bill.write_text(text, encoding="utf-8")
    lines = text.split("\n")
    at = next(n for n, t in enumerate(lines) if '"customer_id": 12345' in t)
    opens = max(n for n in range(at) if lines[n].strip() == "{")  # the line object's brace
    where = f"{bill}:{opens + 1}:{lines[opens].index('{') + 1}"
    report = verify_bill(loaded, evs, read_bill_file(str(bill)), billed,
                         ledger_path=str(ledger))
    assert [(p.code, str(p.source), p.source.row) for p in report.problems
            if p.code == "B007"] == [("B007", where, 2)]
    assert opens > 20  # far below the line's number among the bill's lines


def test_a_json_bill_with_a_line_that_is_no_object_still_points_at_file_lines(
        tmp_path: Path) -> None:
    """A line that is null or a number (B007) was not placed, and then no problem of the
    bill was: each was shown at its line's number, which reads as a file line."""
    loaded, evs, billed, ledger, dry = _computed(tmp_path)
    data = json.loads(invoice_json(dry))
    _line(data, "c2")[1].update(customer_id=12345)
    data["sections"][0]["lines"].insert(1, None)
    data["sections"][0]["lines"].insert(2, 12.5)
    text = json.dumps(data, indent=2)
    bill = tmp_path / "bill.json"
    bill.write_text(text, encoding="utf-8")
    lines = text.split("\n")
    null_at = next(n for n, t in enumerate(lines) if t.strip() == "null,") + 1
    number_at = next(n for n, t in enumerate(lines) if t.strip() == "12.5,") + 1
    at = next(n for n, t in enumerate(lines) if '"customer_id": 12345' in t)
    opens = max(n for n in range(at) if lines[n].strip() == "{") + 1
    report = verify_bill(loaded, evs, read_bill_file(str(bill)), billed,
                         ledger_path=str(ledger))
    assert [(str(p.source), p.source.row, p.message) for p in report.problems
            if p.code == "B007"] == [
        (f"{bill}:{null_at}:9", 2, "a bill line must be an object, not null"),
        (f"{bill}:{number_at}:9", 3, "a bill line must be an object, not a number"),
        (f"{bill}:{opens}:9", 4, "field 'customer_id' must be text, not a number")]


FINNISH_BILL = """asiakas;maksuerä;kerta;pvm;summa
c1;base_fee;once;31.8.2024;100,00
c2;base_fee;once;1.9.2024;100,00
Välisumma;;;;200,00
{vat}Yhteensä;;;;249,50
"""
FINNISH_COLUMNS = ["customer=asiakas", "component=maksuerä", "occurrence=kerta", "date=pvm",
                   "amount=summa"]


@pytest.mark.parametrize(("vat", "told"), [
    # the lines make 24.00 at 24 % (c1, earned 31 Aug) and 25.50 at 25.5 % (c2, 1 Sept)
    ("ALV 24 %;;;;24,00\nALV 25,5 %;;;;25,50\n", []),
    ("ALV 25,5 %;;;;25,50\nALV 24 %;;;;24,00\n", []),  # in any order
    ("ALV;;;;49,50\n", []),  # one row naming no rate: only its sum is checked
    # the right sum on the wrong rates: each rate told at its row
    ("ALV 24 %;;;;25,50\nALV 25,5 %;;;;24,00\n",
     [(5, "the bill's VAT at 24 % says 25.50 but its lines' VAT at 24 % is 24.00"),
      (6, "the bill's VAT at 25.5 % says 24.00 but its lines' VAT at 25.5 % is 25.50")]),
    # all of it at the new rate, none at the old
    ("ALV 24 %;;;;0,00\nALV 25,5 %;;;;49,50\n",
     [(5, "the bill's VAT at 24 % says 0.00 but its lines' VAT at 24 % is 24.00"),
      (6, "the bill's VAT at 25.5 % says 49.50 but its lines' VAT at 25.5 % is 25.50")]),
    ("ALV 24 %;;;;24,00\nALV 24 %;;;;25,50\n",
     [(6, "the bill states VAT at 24 % twice (rows 5 and 6)"),
      (5, "the bill states its VAT rate by rate but has no row for 25.5 %, at which its "
          "lines' VAT is 25.50")]),
])
def test_a_finnish_bill_s_vat_rows_are_checked_rate_by_rate(
        tmp_path: Path, vat: str, told: list[tuple[int, str]]) -> None:
    """VAT rows that name their rate (ALV 24 %, ALV 25,5 %) must each state the VAT the
    lines make at that rate: the right sum on the wrong rates was taken as right, though a
    buyer reports VAT rate by rate."""
    loaded, evs, billed, ledger, _ = _computed(tmp_path)
    bill = tmp_path / "lasku.csv"
    bill.write_text(FINNISH_BILL.format(vat=vat), encoding="utf-8")
    report = verify_bill(loaded, evs, read_bill_file(str(bill), FINNISH_COLUMNS), billed,
                         ledger_path=str(ledger))
    assert [(p.code, p.source.row, p.message) for p in report.problems] == [
        ("B006", row, message) for row, message in told]
    assert report.ok is not told


@pytest.mark.parametrize(("head", "says"), [
    (b"PK\x03\x04rest of a workbook", "the bill is an Excel workbook"),
    (b'<?xml version="1.0"?><Invoice/>', "the bill is an XML document (a UBL or Finvoice "
                                         "e-invoice?)"),
    (b"<!DOCTYPE html>\n<html lang=fi>", "the bill is an HTML page (an invoice as a browser "
                                      "shows it?)"),
    (b"<HTML><body>", "the bill is an HTML page"),
])
def test_a_workbook_or_an_e_invoice_given_as_the_bill_is_named_so(
        tmp_path: Path, head: bytes, says: str) -> None:
    bill = tmp_path / "bill.csv"
    bill.write_bytes(head)
    (problem,) = read_bill_file(str(bill)).problems
    assert problem.code == "B005" and problem.message.startswith(says)
    assert "invoice show NUMBER -f json" in problem.message


@pytest.mark.parametrize(("written", "told"), [
    ("2024-08-01..2024-09-30", False),  # its own period: nothing said
    ("2024-Q3", True), ("2024-09", True),
    ("elokuu-syyskuu 2024", False),  # not a period as the engine writes one: not compared
])
def test_a_bill_that_says_it_is_for_another_period_is_b009(
        tmp_path: Path, written: str, told: bool) -> None:
    def change(d: Invoice) -> None:
        d["period"]["label"] = written

    ok, problems, _ = _verify(tmp_path, change)
    b009 = [(c, m) for c, m, _ in problems if c == "B009"]
    assert b009 == ([("B009", f"the bill says it is for {written}, not 2024-08-01..2024-09-30, "
                      "the period it is verified for: check --period")] if told else [])
    assert ok  # a warning: the bill's lines are right all the same


def test_a_csv_bill_s_period_column_is_read_as_its_period(tmp_path: Path) -> None:
    from rewardengine.invoicing.render import invoice_csv
    *_, dry = _computed(tmp_path)
    bill = tmp_path / "bill.csv"
    bill.write_text(invoice_csv(dry), encoding="utf-8")
    assert read_bill_file(str(bill)).period == (2, "2024-08-01..2024-09-30")


def test_a_bill_for_another_contract_or_provider_is_b010(tmp_path: Path) -> None:
    """Verified against the wrong contract file, or for the wrong member, a bill's lines were
    only told one by one as not payable."""
    def other_contract(d: Invoice) -> None:
        d["contract"]["id"] = "some_other_contract"

    ok, problems, written = _verify(tmp_path, other_contract)
    assert [(c, m) for c, m, _ in problems if c == "B010"] == [(
        "B010", f"the bill says it is for contract 'some_other_contract', not "
                f"{written['contract']['id']}, the contract it is verified against: check the "
                "contract file")]
    assert ok  # a warning: the lines themselves are right
    (tmp_path / "same").mkdir()
    ok, problems, _ = _verify(tmp_path / "same", lambda d: None)
    assert [c for c, _, _ in problems if c == "B010"] == []


def test_a_bill_whose_every_line_names_another_member_is_b010(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rewardengine.cli import app

    root = Path(__file__).resolve().parent.parent
    contract = str(root / "contracts" / "palvelumanageri.yaml")
    events = str(root / "examples" / "palvelumanageri" / "events.csv")
    bill = tmp_path / "a.csv"
    runner = CliRunner()
    made = runner.invoke(app, ["invoice", contract, events, "--period", "2020-Q4",
                               "--provider", "manager_a", "--dry-run", "-f", "csv", "-o",
                               str(bill), "--ledger", str(tmp_path / "l.sqlite"), "--new-ledger"])
    assert made.exit_code == 0, made.output
    args = ["verify", contract, events, str(bill), "--period", "2020-Q4", "--no-ledger"]
    wrong = runner.invoke(app, [*args, "--provider", "manager_b"])
    assert wrong.exit_code == 1
    assert ("B010 warning: every line of the bill names 'manager_a', and the bill is verified "
            "for manager_b: check --provider") in " ".join(wrong.output.split())
    right = runner.invoke(app, [*args, "--provider", "manager_a"])
    assert right.exit_code == 0 and "B010" not in right.output
    # a provider the contract does not have: the bill, not --provider, is what to check
    bill.write_text(bill.read_text(encoding="utf-8").replace(",manager_a,", ",acme,"),
                    encoding="utf-8")
    unknown = runner.invoke(app, [*args, "--provider", "manager_a"])
    assert unknown.exit_code == 1
    assert ("B010 warning: every line of the bill names 'acme', and the bill is verified for "
            "manager_a: the contract's providers are manager_a, manager_b, manager_c: check the "
            "bill's provider column (or the contract file)") in " ".join(unknown.output.split())
    found = json.loads(runner.invoke(app, [*args, "--provider", "manager_a", "-f", "json"]
                                     ).stdout)["findings"]
    assert {(f["class"], f["computed"], f["reason"]) for f in found if f["row"]} == {
        ("not_payable", "0.00", "provider acme is not a provider of the contract (its "
                                "providers: manager_a, manager_b, manager_c)")}
    # a member of the contract the bill is not verified for: not on this invoice
    bill.write_text(bill.read_text(encoding="utf-8").replace(",acme,", ",manager_b,"),
                    encoding="utf-8")
    found = json.loads(runner.invoke(app, [*args, "--provider", "manager_a", "-f", "json"]
                                     ).stdout)["findings"]
    assert {(f["class"], f["computed"], f["reason"]) for f in found if f["row"]} == {
        ("not_payable", "0.00", "provider manager_b is not on this invoice (providers: "
                                "manager_a)")}
