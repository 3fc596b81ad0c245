"""A line earned in a period an earlier invoice covers, whose facts were recorded after that
invoice was made, is billed on the next invoice, and now says so: an invoice checker saw an
earning of January on February's invoice with nothing to tell why (L015 to the issuer)."""

from __future__ import annotations

from pathlib import Path

from invoicing_cases import ROWS, contract, events, issue

from rewardengine.invoicing.labels import Labels

# c5's service starts on January's last day, c6's on February's first; both are recorded on
# 2020-02-03, after January's invoice was made (its facts: those recorded by 2020-01-31)
LATE = ROWS + """r5,c5,referral,2020-01-05,2020-02-03,,,acme,,2019-06-01
s5,c5,service_start,2020-01-31,2020-02-03
r6,c6,referral,2020-01-05,2020-02-03,,,acme,,2019-06-01
s6,c6,service_start,2020-02-01,2020-02-03
"""
CLAUSE = ("; earned on 2020-01-31, in 2020-01, which test-acme-0001 invoiced on the facts "
          "recorded by 2020-01-31: billed now, recorded too late for it")


def _base_fees(tmp_path: Path, periods: list[str]) -> dict[str, str]:
    ledger = tmp_path / "l.sqlite"
    result = None
    for n, period in enumerate(periods):
        result = issue(contract(), events(LATE), period, ledger, new_ledger=n == 0)
    assert result is not None and result.invoice is not None
    return {ln.customer_id or "": ln.reason for s in result.invoice.sections
            for ln in s.lines if ln.component == "base_fee"}


def test_a_line_of_an_invoiced_period_recorded_late_says_so(tmp_path: Path) -> None:
    feb = _base_fees(tmp_path, ["2020-01", "2020-02"])
    # January's last day: in the period invoiced before, so said; February's first: not
    assert feb["c5"].endswith(CLAUSE)
    assert "recorded too late" not in feb["c6"] and "recorded too late" not in feb["c2"]


def test_the_issuer_is_told_how_many_lines_and_which_invoices(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    issue(contract(), events(LATE), "2020-01", ledger, new_ledger=True)
    feb = issue(contract(), events(LATE), "2020-02", ledger)
    assert [(p.code, p.severity.value, p.message) for p in feb.notes] == [
        ("L015", "info", "1 line of this invoice (100.00) was earned in periods invoiced "
                         "before (test-acme-0001), recorded too late for them: billed now; "
                         "each line's reason names its period")]
    assert feb.invoice is not None
    line = next(ln for s in feb.invoice.sections for ln in s.lines if ln.customer_id == "c5")
    fi = Labels("fi").reason(line.reason)
    assert fi.endswith("ansaittu 31.1.2020, jaksolla 1/2020, jonka test-acme-0001 laskutti "
                       "31.1.2020 mennessä kirjattujen tietojen perusteella: laskutetaan nyt, "
                       "kirjattu sille liian myöhään"), fi
    assert Labels("fi").untranslated(line.reason) == []
    assert Labels("sv").untranslated(line.reason) == []


def test_with_no_invoice_before_nothing_is_said(tmp_path: Path) -> None:
    # February invoiced first: January's earning is billed with no earlier invoice to name
    feb = _base_fees(tmp_path, ["2020-02"])
    assert "recorded too late" not in feb["c5"]
