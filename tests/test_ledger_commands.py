"""``ledger check`` (every problem; 0 whole, 1 problems, 2 not a ledger) and ``ledger export``
(the whole audit trail, each row hashed and chained so a checker can see it is whole)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from ledger_cases import cli, digest, issued, legacy, rows, sql

from rewardengine.api import check_ledger, export_ledger
from rewardengine.csvsafe import needs_apostrophe
from rewardengine.invoicing.audit import export_cell
from rewardengine.jsonout import canonical_json

ZERO = "0" * 64


def _head(ledger: Path) -> str:
    return str(rows(ledger, "SELECT chain_sha256 FROM invoice_chain ORDER BY invoice_id "
                            "DESC LIMIT 1")[0][0])


# --- check -----------------------------------------------------------------------------------

def test_check_a_whole_ledger(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    before = digest(ledger)
    code, out, err = cli("ledger", "check", "--ledger", str(ledger))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"ledger {ledger}: schema 2, marked, journal wal",
        "4 invoices (test: 4), 4 lines, 2 corrections",
        f"hash chain head: {_head(ledger)} (after test-acme-0004)",
        "the ledger is whole"]
    assert digest(ledger) == before  # read only


def test_check_as_json_is_the_librarys_report(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    code, out, _ = cli("ledger", "check", "--ledger", str(ledger), "--format", "json")
    report = check_ledger(str(ledger))
    assert code == 0 and out == canonical_json(report.to_dict())
    data = json.loads(out)
    assert (data["ok"], data["schema_version"], data["marked"], data["journal_mode"]) == (
        True, 2, True, "wal")
    assert (data["invoices"], data["lines"], data["corrections"]) == (4, 4, 2)
    assert data["contracts"] == {"test": 4} and data["problems"] == []
    assert data["head"] == {"invoice": "test-acme-0004", "chain_sha256": _head(ledger)}


@pytest.mark.parametrize("table", ["invoices", "invoice_lines", "corrections",
                                   "invoice_chain", "schema_version"])
def test_check_a_ledger_missing_a_table(tmp_path: Path, table: str) -> None:
    ledger = issued(tmp_path)
    sql(ledger, "PRAGMA foreign_keys = OFF", f"DROP TABLE {table}")
    code, out, err = cli("ledger", "check", "--ledger", str(ledger), "--format", "json")
    assert code in (1, 2), err
    problems = json.loads(out)["problems"] if out else []
    assert any(p["code"] == "L004" and table in p["message"] for p in problems) or code == 2
    code, out, _ = cli("ledger", "export", "--ledger", str(ledger))
    assert (code, out) == (1, "")  # the tables are not as written: nothing is exported
    assert cli("invoice", "show", "test-acme-0001", "--ledger", str(ledger))[0] == 2


def test_check_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    sql(ledger, "UPDATE invoice_lines SET amount = 'NaN' WHERE invoice_id = 2",
        "UPDATE invoices SET issue_date = '2020-13-01' WHERE id = 3",
        "INSERT INTO schema_version VALUES (2)")
    code, out, _ = cli("ledger", "check", "--ledger", str(ledger), "--format", "json")
    assert code == 1
    found = [(p["code"], p["message"]) for p in json.loads(out)["problems"]]
    assert found == [
        ("L004", "schema_version holds 2 rows; a ledger has exactly one"),
    ]
    sql(ledger, "DELETE FROM schema_version WHERE rowid = (SELECT max(rowid) "
                "FROM schema_version)")
    code, out, _ = cli("ledger", "check", "--ledger", str(ledger), "--format", "json")
    found = [(p["code"], p["message"]) for p in json.loads(out)["problems"]]
    assert code == 1 and found == [
        ("L005", "invoices, invoice test-acme-0003, column issue_date: '2020-13-01' is not a "
                 "date YYYY-MM-DD from 1900 to 2199"),
        ("L005", "invoice_lines, invoice test-acme-0002 line 1, column amount: 'NaN' is not an "
                 "amount (decimal text with at most two decimals)"),
    ]
    code, out, _ = cli("ledger", "check", "--ledger", str(ledger))
    assert code == 1 and out.endswith("the ledger has 2 problems\n")


def test_check_what_is_not_a_ledger_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite"
    code, out, err = cli("ledger", "check", "--ledger", str(missing))
    assert (code, out) == (2, "")
    assert f"{missing}: F001 does not exist: no ledger here" in err
    assert "the ledger cannot be checked" in err and not missing.exists()
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    code, out, _ = cli("ledger", "check", "--ledger", str(empty), "--format", "json")
    data = json.loads(out)
    assert code == 2 and data["ok"] is False and data["problems"][0]["code"] == "L001"


def test_check_an_earlier_ledger(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    old = legacy(tmp_path / "old.sqlite", issued(tmp_path / "a"))
    before = digest(old)
    code, out, _ = cli("ledger", "check", "--ledger", str(old))
    assert code == 0
    assert f"ledger {old}: schema 1, not marked yet, journal delete" in out
    assert "hash chain head" not in out and "the ledger is whole" in out
    assert digest(old) == before


# --- export ----------------------------------------------------------------------------------

def _row_sha256(record: dict[str, Any], columns: list[str]) -> str:
    """As a checker computes it: the canonical JSON list of the row's cells."""
    cells = [record.get(c) or "" for c in columns]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def _whole(records: list[dict[str, Any]], columns: list[str], count: int, head: str) -> bool:
    """Every row's hash and chain link recomputed, up to the export's head."""
    link = ZERO
    for record in records:
        digest_ = _row_sha256(record, columns)
        link = hashlib.sha256((link + digest_).encode("ascii")).hexdigest()
        if (record["row_sha256"], record["chain_sha256"]) != (digest_, link):
            return False
    return len(records) == count and link == head


def test_export_json_is_whole_and_checkable(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    code, out, err = cli("ledger", "export", "--ledger", str(ledger))
    assert (code, err) == (0, "")
    assert out == cli("ledger", "export", "--ledger", str(ledger))[1]  # the same bytes
    assert out == export_ledger(str(ledger))[0]
    data = json.loads(out)
    assert (data["format"], data["version"], data["rows"]) == (
        "rewardengine ledger export", 1, 10)
    records = data["records"]
    assert [(r["record"], r["invoice"], r["line"]) for r in records] == [
        ("invoice", "test-acme-0001", None), ("line", "test-acme-0001", "1"),
        ("line", "test-acme-0001", "2"), ("invoice", "test-acme-0002", None),
        ("line", "test-acme-0002", "1"), ("correction", "test-acme-0002", "2"),
        ("invoice", "test-acme-0003", None), ("line", "test-acme-0003", "1"),
        ("invoice", "test-acme-0004", None), ("correction", "test-acme-0004", "1")]
    assert records[-1]["amount"] == "-200.00" and records[-1]["corrects_invoice"] == \
        "test-acme-0003" and records[-1]["corrects_line"] == "1"
    assert records[8]["total"] == "-248.00" and records[8]["ledger_chain_sha256"] == \
        _head(ledger)
    assert _whole(records, data["columns"], data["rows"], data["head_sha256"])
    for r in records:
        if r["record"] == "invoice":  # every issued document, checkable by its hash
            document = data["documents"][r["invoice"]]
            assert hashlib.sha256(document.encode("utf-8")).hexdigest() == r["document_sha256"]
    # what the checker sees when a row is missing, changed or moved
    assert not _whole(records[:4] + records[5:], data["columns"], data["rows"],
                      data["head_sha256"])
    changed = [dict(r) for r in records]
    changed[4]["amount"] = "1500.00"
    assert not _whole(changed, data["columns"], data["rows"], data["head_sha256"])
    assert not _whole(records[:-1], data["columns"], data["rows"] - 1, data["head_sha256"])


def test_export_csv_holds_the_same_rows(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    out = tmp_path / "trail.csv"
    code, stdout, _ = cli("ledger", "export", "--ledger", str(ledger), "--format", "csv",
                          "-o", str(out))
    assert (code, stdout) == (0, "")
    text = out.read_text(encoding="utf-8")
    assert "'-200.00" in text  # a spreadsheet does not read it as a formula
    table = [{k: v[1:] if v.startswith("'") else v for k, v in r.items()}
             for r in csv.DictReader(io.StringIO(text))]
    end = table.pop()
    assert (end["record"], end["rows"]) == ("end", "10")
    columns = list(json.loads(export_ledger(str(ledger))[0] or "{}")["columns"])
    assert _whole(table, columns, int(end["rows"]), end["chain_sha256"])
    data = json.loads(export_ledger(str(ledger))[0] or "{}")
    assert [r["row_sha256"] for r in table] == [r["row_sha256"] for r in data["records"]]
    assert end["chain_sha256"] == data["head_sha256"]


@pytest.mark.parametrize(("name", "given", "kind"), [
    ("trail.csv", None, "csv"), ("TRAIL.CSV", None, "csv"), ("trail.json", None, "json"),
    ("trail", None, "json"), ("trail.csv", "json", "json"), ("trail.txt", "csv", "csv"),
])
def test_export_takes_its_format_from_the_file_name_unless_given(
        tmp_path: Path, name: str, given: str | None, kind: str) -> None:
    ledger = issued(tmp_path)
    out = tmp_path / name
    code, _, _ = cli("ledger", "export", "--ledger", str(ledger), "-o", str(out),
                     *(["--format", given] if given else []))
    assert code == 0
    assert out.read_text(encoding="utf-8") == export_ledger(str(ledger), kind)[0]


@pytest.mark.parametrize(("stored", "written"), [
    ("-200.00", "'-200.00"), ("=1+1", "'=1+1"), ("  =1+1", "'  =1+1"), (" @SUM(A1)", "' @SUM(A1)"),
    ("'x", "''x"), ("\tx", "'\tx"), ("x =1", "x =1"), ("c1", "c1"), ("", ""), (None, ""),
    # any white space before the formula, as the other CSV outputs decide it
    ("\n=1+1", "'\n=1+1"), ("\u00a0=1+1", "'\u00a0=1+1"), (" \t-1", "' \t-1"),
])
def test_an_exported_cell_is_safe_in_a_spreadsheet_and_exact(stored: str | None,
                                                              written: str) -> None:
    assert export_cell(stored) == written
    assert (written[1:] if written.startswith("'") else written) == (stored or "")
    # every cell another CSV output would guard is guarded here too
    assert written.startswith("'") or not needs_apostrophe(stored or "")


def test_export_a_damaged_ledger_as_stored(tmp_path: Path) -> None:
    ledger = issued(tmp_path)
    sql(ledger, "UPDATE invoice_lines SET amount = 'NaN' WHERE invoice_id = 2")
    code, out, err = cli("ledger", "export", "--ledger", str(ledger))
    assert code == 1
    assert "L005 invoice_lines, invoice test-acme-0002 line 1, column amount" in err
    assert "exported as stored, but the ledger has problems" in err
    amounts = [r["amount"] for r in json.loads(out)["records"] if r["record"] == "line"]
    assert amounts == ["100.00", "100.00", "NaN", "200.00"]


def test_export_what_is_not_a_ledger_writes_nothing(tmp_path: Path) -> None:
    crm = tmp_path / "crm.db"
    sql(crm, "CREATE TABLE customers (name TEXT)")
    out = tmp_path / "trail.json"
    code, stdout, err = cli("ledger", "export", "--ledger", str(crm), "-o", str(out))
    assert (code, stdout) == (2, "") and "not a ledger" in err
    assert "nothing was exported" in err and not out.exists()


def test_export_an_earlier_ledger(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    old = legacy(tmp_path / "old.sqlite", issued(tmp_path / "a"))
    code, out, _ = cli("ledger", "export", "--ledger", str(old))
    data = json.loads(out)
    assert code == 0 and data["rows"] == 10
    assert {r["ledger_chain_sha256"] for r in data["records"]} == {None}
    assert _whole(data["records"], data["columns"], 10, data["head_sha256"])
