"""The codec: dataclasses to JSON data and back, every value checked when read back."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from invoicing_cases import ROWS, write_inputs

from rewardengine.codec import CodecError, from_data, to_data
from rewardengine.errors import Problem, Severity, Source
from rewardengine.invoicing.invoice import Invoice
from rewardengine.invoicing.periods import BillingPeriod, parse_period
from rewardengine.invoicing.run import issue_invoice
from rewardengine.pipeline import load

PERIOD = parse_period("2020-01")


def _invoice(tmp_path: object) -> Invoice:
    from pathlib import Path

    folder = Path(str(tmp_path))
    # a second referral of c1 is passed over: a V002 warning the invoice carries
    c, e = write_inputs(folder, rows=ROWS + "r9,c1,referral,2020-01-20,,,,acme,,2018-01-01\n")
    state = load(str(c), [str(e)])
    assert state.contract is not None
    result = issue_invoice(state.contract, state.events.events, PERIOD,
                           ledger_path=str(folder / "l.sqlite"), inputs_hash="x")
    assert result.invoice is not None
    return result.invoice


def test_an_invoice_round_trips_exactly(tmp_path: object) -> None:
    invoice = _invoice(tmp_path)
    data = json.loads(json.dumps(invoice.to_dict()))
    assert Invoice.from_dict(data) == invoice
    assert data["period"] == {"label": "2020-01", "start": "2020-01-01",
                              "last_day": "2020-01-31"}
    line = data["sections"][0]["lines"][0]
    assert line["amount"] == "100.00" and isinstance(line["line"], int)


def test_problems_stay_data(tmp_path: object) -> None:
    invoice = _invoice(tmp_path)
    (problem,) = invoice.problems
    assert isinstance(problem, Problem) and problem.code == "V002"
    assert invoice.to_dict()["problems"][0]["severity"] == "warning"


def test_a_document_with_problems_as_text_is_still_read(tmp_path: object) -> None:
    invoice = _invoice(tmp_path)
    data = invoice.to_dict()
    data["problems"] = ["events.csv:7: V002 warning: referral r9 is ignored"]
    (problem,) = Invoice.from_dict(data).problems
    assert problem == Problem("V002", "referral r9 is ignored", Source("events.csv", row=7),
                              Severity.WARNING)


@pytest.mark.parametrize(("where", "value", "says"), [
    (("sections", 0, "lines", 0, "amount"), "NaN", "sections[0].lines[0].amount: not a number"),
    (("sections", 0, "lines", 0, "amount"), "abc", "sections[0].lines[0].amount: not a number"),
    (("sections", 0, "lines", 0, "date"), "2020-02-30", "sections[0].lines[0].date: not a date"),
    (("as_of",), 5, "as_of: not a date"),
    (("seq",), "1", "seq: not a whole number"),
    (("contract",), None, "contract.id: missing"),
    (("sections",), {}, "sections: expected a list"),
    (("vat_rate",), "1" * 50, "vat_rate: not a number"),
])
def test_a_damaged_document_says_where(tmp_path: object, where: tuple[object, ...],
                                       value: object, says: str) -> None:
    data = _invoice(tmp_path).to_dict()
    node = data
    for part in where[:-1]:
        node = node[part]  # type: ignore[index]
    node[where[-1]] = value  # type: ignore[index]
    with pytest.raises(CodecError) as exc:
        Invoice.from_dict(data)
    assert str(exc.value) == says


def test_a_period_writes_its_inclusive_last_day() -> None:
    period = BillingPeriod("2020-Q1", date(2020, 1, 1), date(2020, 4, 1))
    assert to_data(period) == {"label": "2020-Q1", "start": "2020-01-01",
                               "last_day": "2020-03-31"}
    assert from_data(BillingPeriod, to_data(period)) == period
    assert replace(period, label="x") != period
    assert to_data(Decimal("1.50")) == "1.50"
