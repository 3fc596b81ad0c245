"""``pseudonymize`` with a bill on a pipe, and customer ids that are landline numbers.

The bill's delimiter was told from a first read of its head, and the bill read again to be
rewritten: from a pipe the second read found the head gone (``B001 no customer column``).
``--check`` counted mobile and international numbers as phone numbers, not landlines
(``09 1234 567``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pipe_cases import fed_pipe
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.privacy import personal_kind, pseudonym

runner = CliRunner()
KEY = b"0123456789abcdef0123456789abcdef-test-key"
BILL = "customer_id,component,occurrence,date,amount\nD,result,1,2020-05-02,750.00\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_bill_on_a_pipe_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "key").write_bytes(KEY)
    out = tmp_path / "shared.csv"
    with fed_pipe(tmp_path / "bill.csv", BILL) as pipe:
        done = runner.invoke(app, ["pseudonymize", "--bill", str(pipe), "--key-file",
                                   str(tmp_path / "key"), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="utf-8") == BILL.replace("\nD,", f"\n{pseudonym(KEY, 'D')},")


EVENTS = "event_id,customer_id,type,date\nr1,D,referral,2020-01-07\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_an_event_file_on_a_pipe_is_read_once(tmp_path: Path) -> None:
    """Telling Parquet by its first bytes took them from a pipe: pseudonymize said 'no
    customer column' and validate 'the file is empty' of an event file on /dev/stdin."""
    (tmp_path / "key").write_bytes(KEY)
    out = tmp_path / "shared.csv"
    for args in (["pseudonymize", "--key-file", str(tmp_path / "key"), "-o", str(out)],
                 ["validate", str(Path(__file__).parent / "data" / "minimal.yaml")]):
        with fed_pipe(tmp_path / "events.csv", EVENTS) as pipe:
            done = runner.invoke(app, [*args, str(pipe)])
        assert "no customer column" not in done.output and "empty" not in done.output, \
            done.output
    assert out.read_text(encoding="utf-8") == EVENTS.replace(",D,", f",{pseudonym(KEY, 'D')},")


@pytest.mark.parametrize(("value", "kind"), [
    ("09 1234 567", "a phone number"), ("(09) 123 4567", "a phone number"),
    ("+358 9 123 4567", "a phone number"), ("017-123 456", "a phone number"),
    ("040 123 4567", "a phone number"),
    # not a landline: too few digits, no space or dash after the area code, an id
    ("09 1234", None), ("0123456", None), ("01012020", None), ("h-01-234567", None),
])
def test_a_landline_customer_id_looks_personal(value: str, kind: str | None) -> None:
    assert personal_kind(value) == kind


def test_check_counts_landline_ids(tmp_path: Path) -> None:
    bill = tmp_path / "b.csv"
    bill.write_text("customer_id,component,occurrence,date,amount\n"
                    "09 1234 567,result,1,2020-05-02,750.00\n"
                    "(09) 123 4567,result,1,2020-05-02,750.00\n"
                    "040 123 4567,result,2,2020-05-02,750.00\n", encoding="utf-8")
    done = runner.invoke(app, ["pseudonymize", "--check", "--bill", str(bill)])
    assert done.exit_code == 1
    assert "E016 warning: 3 customer ids look like a phone number, the first in row 2" in \
        " ".join(done.output.split())
