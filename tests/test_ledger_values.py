"""Values read back from the ledger are checked before anything is computed from them: a damaged
ledger is refused (exit 2) with the table, invoice, line and column, and nothing is written.

The ledger of these tests (``ledger_cases.PERIODS``): test-acme-0001 bills c1 and c3 (lines 1
and 2), 0002 bills c2 (line 1) and corrects 0001 line 2 (+50.00, its line 2), 0003 bills c1's
job (line 1), 0004 credits it (-200.00, correcting 0003 line 1).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from ledger_cases import COUNTS, cli, digest, inputs, issued, rows, sql

from rewardengine.api import check_ledger
from rewardengine.invoicing.ledger import Ledger, LedgerError

LINE = "invoice_lines, invoice test-acme-0001 line 1"
AMOUNT = "is not an amount (decimal text with at most two decimals)"
DAY = "is not a date YYYY-MM-DD from 1900 to 2199"
SEAL = ("its rows in invoices, invoice_lines and corrections are not the ones it was issued "
        "with (they do not match the seal in its link of the hash chain)")


def _document(ledger: Path, invoice_id: int) -> str:
    return str(rows(ledger, f"SELECT document FROM invoices WHERE id = {invoice_id}")[0][0])


def _rewrite_document(ledger: Path, invoice_id: int, text: str) -> None:
    """Replace a document and its sha256, as someone covering their tracks would."""
    digest_ = hashlib.sha256(text.encode("utf-8")).hexdigest()
    sql(ledger, f"UPDATE invoices SET document = {_quoted(text)}, document_sha256 = "
                f"'{digest_}' WHERE id = {invoice_id}")


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _assert_refused(tmp: Path, ledger: Path, said: str, *also: str) -> None:
    """The next invoice is refused, saying ``said``, and writes nothing; ``ledger check``
    lists ``said`` and ``also``."""
    before, counts = digest(ledger), rows(ledger, COUNTS)
    c, e = inputs(tmp)
    code, out, err = cli("invoice", c, e, "--period", "2020-05", "--ledger", str(ledger))
    assert (code, out) == (2, ""), err
    assert said in err and "nothing was computed from the ledger or written to it" in err
    assert digest(ledger) == before and rows(ledger, COUNTS) == counts
    report = check_ledger(str(ledger))  # what `ledger check` prints (exit 1)
    found = [str(p) for p in report.problems]
    assert not report.ok and not report.unreadable
    for message in (said, *also):
        assert any(message in f for f in found), found


@pytest.mark.parametrize(("change", "message"), [
    # the audit's case: a NaN amount was corrected into an invoice "total NaN EUR", exit 0
    (f"UPDATE invoice_lines SET amount = 'NaN' {'WHERE invoice_id = 1 AND line_no = 1'}",
     f"L005 {LINE}, column amount: 'NaN' {AMOUNT}"),
    ("UPDATE invoice_lines SET amount = 'abc' WHERE invoice_id = 1 AND line_no = 1",
     f"L005 {LINE}, column amount: 'abc' {AMOUNT}"),
    ("UPDATE invoice_lines SET amount = x'00' WHERE invoice_id = 1 AND line_no = 1",
     f"L005 {LINE}, column amount: a blob of 1 byte {AMOUNT}"),
    ("UPDATE invoices SET seq = 2.5 WHERE id = 2",
     "L005 invoices, invoice test-acme-0002, column seq: the number 2.5 stored as REAL is not "
     "a whole number from 1"),
    ("UPDATE invoice_lines SET amount = '1e3' WHERE invoice_id = 1 AND line_no = 1",
     f"L005 {LINE}, column amount: '1e3' {AMOUNT}"),
    ("UPDATE invoice_lines SET amount = '100.005' WHERE invoice_id = 1 AND line_no = 1",
     f"L005 {LINE}, column amount: '100.005' {AMOUNT}"),
    ("UPDATE corrections SET amount = 'Infinity' WHERE invoice_id = 4",
     f"L005 corrections, invoice test-acme-0004 line 1, column amount: 'Infinity' {AMOUNT}"),
    ("UPDATE invoices SET total = 'NaN' WHERE id = 2",
     f"L005 invoices, invoice test-acme-0002, column total: 'NaN' {AMOUNT}"),
    # the audit's case: a bad date ended the command with exit 3
    ("UPDATE invoice_lines SET accrued = '2020-13-01' WHERE invoice_id = 1 AND line_no = 1",
     f"L005 {LINE}, column accrued: '2020-13-01' {DAY}"),
    ("UPDATE invoices SET period_start = '01.02.2020' WHERE id = 2",
     f"L005 invoices, invoice test-acme-0002, column period_start: '01.02.2020' {DAY}"),
    ("UPDATE invoices SET as_of = '9999-12-31' WHERE id = 3",
     f"L005 invoices, invoice test-acme-0003, column as_of: '9999-12-31' {DAY}"),
    ("UPDATE invoices SET period_end = period_start WHERE id = 3",
     "L005 invoices, invoice test-acme-0003, column period_end: 2020-03-01 is not after "
     "period_start 2020-03-01"),
    ("UPDATE invoice_lines SET evidence = '[broken' WHERE invoice_id = 1 AND line_no = 1",
     f"L005 {LINE}, column evidence: not valid JSON (Expecting value)"),
    ("UPDATE invoices SET providers = '{\"acme\": 1}' WHERE id = 1",
     "L005 invoices, invoice test-acme-0001, column providers: not a JSON list of texts"),
    ("UPDATE invoices SET seq = 'two' WHERE id = 2",
     "L005 invoices, invoice test-acme-0002, column seq: 'two' is not a whole number from 1"),
    ("UPDATE invoice_lines SET occurrence = CAST(x'6f6e63ff' AS TEXT) "
     "WHERE invoice_id = 1 AND line_no = 1",
     f"L005 {LINE}, column occurrence: holds text that is not UTF-8"),
    ("UPDATE invoices SET document_sha256 = 'not a hash' WHERE id = 1",
     "L005 invoices, invoice test-acme-0001, column document_sha256: 'not a hash' is not a "
     "sha256"),
])
def test_a_stored_value_that_is_not_valid_is_refused(tmp_path: Path, change: str,
                                                     message: str) -> None:
    ledger = issued(tmp_path)
    sql(ledger, change)
    _assert_refused(tmp_path, ledger, message)


def test_a_value_is_shown_short(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    sql(ledger, "UPDATE invoice_lines SET amount = 'Maija Meikäläinen 010190-123A' "
                "WHERE invoice_id = 1 AND line_no = 1")
    c, e = inputs(tmp_path)
    _, _, err = cli("invoice", c, e, "--period", "2020-05", "--ledger", str(ledger))
    assert f"column amount: 'Maija Meikäläinen 01…' {AMOUNT}" in err
    assert "010190-123A" not in err


def test_a_document_changed_after_it_was_issued_is_refused(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    doc = _document(ledger, 1).replace('"amount":"100.00"', '"amount":"10.00"', 1)
    sql(ledger, f"UPDATE invoices SET document = {_quoted(doc)} WHERE id = 1")
    message = ("L006 invoice test-acme-0001: the stored document does not match its sha256 "
               "(it was changed after it was issued)")
    _assert_refused(tmp_path, ledger, message)
    code, out, err = cli("invoice", "show", "test-acme-0001", "--ledger", str(ledger))
    assert (code, out) == (2, "") and message in err


def test_a_document_that_is_not_json_is_refused_even_with_its_hash(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    _rewrite_document(ledger, 2, '{"number": "test-acme-0002", broken')
    _assert_refused(tmp_path, ledger, "L007 the hash chain breaks at invoice test-acme-0002",
                    "L006 invoice test-acme-0002: the stored document is not valid JSON "
                    "(Expecting property name enclosed in double quotes)")
    code, _, err = cli("invoice", "show", "test-acme-0002", "--ledger", str(ledger))
    assert code == 2 and "not valid JSON" in err


def test_a_document_with_a_nan_amount_is_refused_even_with_its_hash(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    doc = json.loads(_document(ledger, 1))
    doc["sections"][0]["lines"][0]["amount"] = "NaN"
    _rewrite_document(ledger, 1, json.dumps(doc, sort_keys=True, separators=(",", ":")))
    _assert_refused(tmp_path, ledger, "L007 the hash chain breaks at invoice test-acme-0001",
                    "L006 invoice test-acme-0001: the stored document holds an amount that is "
                    "not a number")


def test_a_document_that_is_no_invoice_is_refused(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    _rewrite_document(ledger, 3, '{"number": "test-acme-0003"}')
    _assert_refused(tmp_path, ledger, "L007 the hash chain breaks at invoice test-acme-0003",
                    "L006 invoice test-acme-0003: the stored document cannot be read as an "
                    "invoice")


def test_rows_that_disagree_with_the_issued_document_are_refused(tmp_path: Path) -> None:
    """A line row changed to a valid amount would be 'corrected' by the next invoice (+99.00):
    the rows must be the document that was issued."""
    ledger = issued(tmp_path)
    sql(ledger, "UPDATE invoice_lines SET amount = '1.00' WHERE invoice_id = 1 AND line_no = 1")
    _assert_refused(tmp_path, ledger, f"L006 invoice test-acme-0001: {SEAL}",
                    "L006 invoice test-acme-0001: invoice_lines line 1 differs from the stored "
                    "document in amount")


@pytest.mark.parametrize(("change", "said", "also"), [
    (("UPDATE invoices SET total = '1.00' WHERE id = 2",),
     f"L006 invoice test-acme-0002: {SEAL}",
     "L006 invoice test-acme-0002: column total says 1.00 but the stored document 248.00"),
    (("DELETE FROM invoice_lines WHERE invoice_id = 1 AND line_no = 2",),
     f"L006 invoice test-acme-0001: {SEAL}",
     "L006 invoice test-acme-0001: line 2 of the stored document has no row in invoice_lines"),
    (("UPDATE invoices SET as_of = '2020-12-31' WHERE id = 2",),
     f"L006 invoice test-acme-0002: {SEAL}",
     "L006 invoice test-acme-0002: the invoices row's as_of differs from the stored "
     "document's"),
    (("UPDATE corrections SET corrects_line = 7 WHERE invoice_id = 2",),
     "L009 corrections, invoice test-acme-0002 line 2: corrects line 7 of test-acme-0001, "
     "which is not an invoice line of the ledger", f"L006 invoice test-acme-0002: {SEAL}"),
    (("UPDATE invoice_lines SET provider = 'beta' WHERE invoice_id = 3",),
     "L009 invoice_lines, invoice test-acme-0003 line 1: its provider is not one of its "
     "invoice's providers", f"L006 invoice test-acme-0003: {SEAL}"),
    (("UPDATE invoice_chain SET chain_sha256 = '" + "0" * 64 + "' WHERE invoice_id = 4",),
     "L007 the hash chain breaks at invoice test-acme-0004: its link does not follow from the "
     "one before, its document's sha256 and the seal of its rows", ""),
    (("DELETE FROM invoice_chain WHERE invoice_id = 3",),
     "L007 invoice test-acme-0003 has no link in the hash chain", ""),
    (("DELETE FROM corrections WHERE invoice_id = 2", "DELETE FROM invoice_lines WHERE "
      "invoice_id = 2", "DELETE FROM invoices WHERE id = 2"),
     "L008 invoice test-acme-0003 has sequence 3 where 2 comes next in its series", ""),
])
def test_rows_that_do_not_fit_together_are_refused(tmp_path: Path, change: tuple[str, ...],
                                                   said: str, also: str) -> None:
    ledger = issued(tmp_path)
    sql(ledger, *change)
    _assert_refused(tmp_path, ledger, said, *([also] if also else []))


def test_an_invoice_taken_out_with_its_link_breaks_the_chain(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    sql(ledger, "DELETE FROM corrections WHERE invoice_id = 2",
        "DELETE FROM invoice_lines WHERE invoice_id = 2", "DELETE FROM invoices WHERE id = 2")
    _assert_refused(tmp_path, ledger, "L008 invoice test-acme-0003 has sequence 3",
                    "L007 the hash chain has a link for invoice #2, which is not in the ledger "
                    "(an invoice was taken out)",
                    "L007 the hash chain breaks at invoice test-acme-0003")


@pytest.mark.parametrize("whole_page", [False, True])
def test_a_damaged_file_fails_sqlites_check(tmp_path: Path, whole_page: bool) -> None:
    ledger = issued(tmp_path)
    page = int(rows(ledger, "PRAGMA page_size")[0][0])
    root = int(rows(ledger, "SELECT rootpage FROM sqlite_master "
                            "WHERE name = 'corrections_by_identity'")[0][0])
    data = bytearray(ledger.read_bytes())
    size = page if whole_page else 16
    data[(root - 1) * page:(root - 1) * page + size] = b"\xff" * size
    ledger.write_bytes(bytes(data))
    _assert_refused(tmp_path, ledger, "L003 SQLite finds the file damaged")


def test_the_library_says_which_problems(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    sql(ledger, "UPDATE invoice_lines SET amount = 'NaN' WHERE invoice_id = 3")
    with Ledger.open(str(ledger), read_only=True) as opened, \
            opened.transaction(write=False), pytest.raises(LedgerError) as caught:
        opened.prior_state("test")
    assert [p.code for p in caught.value.problems] == ["L005"]
    with Ledger.open(str(ledger), read_only=True) as opened, opened.transaction(write=False):
        assert opened.prior_state("another contract").entries == {}  # its rows are whole
