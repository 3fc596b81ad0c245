"""Personal data: customer ids that look like a henkilötunnus are warned about (never shown),
and ``pseudonymize`` replaces customer ids with keyed pseudonyms, the same in every file."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from invoicing_cases import ROWS, write_inputs
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.events.read import read_events, read_text
from rewardengine.privacy import looks_like_hetu, personal_kind, pseudonym
from rewardengine.shown import quoted
from rewardengine.tabular import make_dialect

DATA = Path(__file__).parent / "data"
KEY = b"0123456789abcdef0123456789abcdef-test-key"
runner = CliRunner()

# the examples the Digital and Population Data Services Agency published for the century
# signs in use since 2023 (temporary individual numbers 900-999), and the classic one
PUBLISHED = ["131052-308T", "010594Y9021", "020594X903P", "020594X902N", "030594W903B",
             "030694W9024", "040594V9030", "040594V902Y", "050594U903M", "050594U902L",
             "010516B903X", "010516B902W", "020516C903K", "020516C902J", "010501E9032",
             "020502E902X", "020503F9037", "020504A902E", "020504B904H"]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_identity_codes_are_recognised(code: str) -> None:
    assert looks_like_hetu(code)
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert not looks_like_hetu(wrong)  # the check character decides


@pytest.mark.parametrize("value", ["311252-308X", "131052G308T", "131052-30T", "c0000001",
                                   "ps_1286ad7f16e459e7e593b58f6552cd00", "13105-2308T"])
def test_other_ids_are_not(value: str) -> None:
    assert not looks_like_hetu(value)


@pytest.mark.parametrize(("value", "kind"), [
    ("matti@example.fi", "an e-mail address"), ("+358 40 123 4567", "a phone number"),
    ("040-1234567", "a phone number"), ("0501234567", "a phone number"),
    ("1234567", None), ("c0000001", None), ("T03", None),
])
def test_contact_like_ids(value: str, kind: str | None) -> None:
    assert personal_kind(value) == kind


HETU_ROWS = ("event_id,customer_id,type,date\n"
             "r1,c1,referral,2020-01-10\n"
             "r2,131052-308T,referral,2020-01-10\n"
             "s2,131052-308T,service_start,2020-01-15\n"
             "r3,010594Y9021,referral,2020-01-10\n")


def test_identity_codes_are_warned_about_once_per_file_without_the_id() -> None:
    es = read_text(HETU_ROWS, "e.csv")
    assert [(str(p.source), p.code, p.severity.value, p.message) for p in es.problems] == [
        ("e.csv:3", "E015", "warning", "2 customer ids look like a Finnish personal identity "
         "code (henkilötunnus), the first in row 3; customer ids should be pseudonyms "
         "(rewardengine pseudonymize)")]
    assert len(es.events) == 4  # a warning: the rows are read
    lines = "".join(json.dumps({"event_id": f"r{i}", "customer_id": c, "type": "referral",
                                "date": "2020-01-10"}) + "\n"
                    for i, c in enumerate(["c1", "c2", "020516C903K"]))
    es = read_text(lines, "e.jsonl", jsonl=True)
    assert [(str(p.source), p.code) for p in es.problems] == [("e.jsonl:3", "E015")]


def test_every_command_that_reads_events_warns(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(HETU_ROWS.replace(",referral,2020-01-10\n",
                                        ",referral,2020-01-10,acme,2019-06-01\n")
                      .replace("type,date\n", "type,date,provider,unemployed_since\n"),
                      encoding="utf-8")
    contract = str(DATA / "minimal.yaml")
    for args in (["validate", contract], ["evaluate", contract, "--as-of", "2020-03-01"]):
        result = runner.invoke(app, [*args, str(events)])
        assert result.exit_code == 0, result.output
        assert f"{events}:3: E015 warning: 2 customer ids look like" in result.stderr \
            + result.stdout
        assert "131052-308T" not in result.stderr and "010594Y9021" not in result.stderr


# --- pseudonymize ---------------------------------------------------------------------------

def _key(tmp_path: Path) -> str:
    path = tmp_path / "key"
    path.write_bytes(KEY + b"\n")
    return str(path)


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["pseudonymize", *args])
    return result.exit_code, result.stdout + result.stderr


def test_a_finnish_excel_export_keeps_every_other_byte(tmp_path: Path) -> None:
    source = DATA / "events_fi_excel.csv"
    out = tmp_path / "out.csv"
    code, said = _run(str(source), "--key-file", _key(tmp_path), "-o", str(out),
                      "--dialect", "fi", "--encoding", "cp1252")
    assert code == 0, said
    before, after = source.read_bytes(), out.read_bytes()
    c1, c2 = pseudonym(KEY, "c1"), pseudonym(KEY, "c2")
    assert after == before.replace(b";c1;", f";{c1};".encode()).replace(
        b";c2;", f";{c2};".encode())
    es = read_events([str(out)], make_dialect("fi", encoding="cp1252"))
    assert {e.customer_id for e in es.events} == {c1, c2}
    assert [p.code for p in es.problems] == ["F005"]
    assert KEY.decode() not in said and KEY not in after


def test_the_same_customer_gets_the_same_pseudonym_in_events_and_bills(tmp_path: Path
                                                                       ) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    files = {
        "events.csv": 'event_id,customer_id,type,date\nr1," c1 ",referral,2020-01-10\n'
                      'r2,"-x1",referral,2020-01-10\n',
        "more.jsonl": '{"event_id": "r3", "customer_id": "c1", "type": "referral", '
                      '"date": "2020-01-10"}\n\n',
        "bill.csv": "customer,component,occurrence,amount\nc1,base_fee,once,100.00\n"
                    "'-x1,base_fee,once,100.00\nYhteensä,,,200.00\n",
        "invoice.json": json.dumps({"sections": [{"lines": [
            {"customer_id": "c1", "component": "base_fee", "occurrence": "once",
             "amount": "100.00", "reason": "c1 started"}]}], "total": "124.00"}, indent=2),
    }
    for name, text in files.items():
        (tmp_path / "in" / name).write_text(text, encoding="utf-8")
    inputs = [str(tmp_path / "in" / n) for n in ("events.csv", "more.jsonl")]
    bills = ["--bill", str(tmp_path / "in" / "bill.csv"), "--bill",
             str(tmp_path / "in" / "invoice.json")]
    code, said = _run(*inputs, *bills, "--key-file", _key(tmp_path), "-o",
                      str(tmp_path / "out"))
    assert code == 0, said
    c1, x1 = pseudonym(KEY, "c1"), pseudonym(KEY, "-x1")
    out = {n: (tmp_path / "out" / n).read_text(encoding="utf-8") for n in files}
    assert out["events.csv"] == ('event_id,customer_id,type,date\n'
                                 f'r1,"{c1}",referral,2020-01-10\nr2,"{x1}",referral,'
                                 '2020-01-10\n')
    assert out["more.jsonl"] == files["more.jsonl"].replace('"c1"', f'"{c1}"')
    assert out["bill.csv"] == files["bill.csv"].replace("\nc1,", f"\n{c1},").replace(
        "'-x1,", f"{x1},")
    assert out["invoice.json"] == files["invoice.json"].replace('"customer_id": "c1"',
                                                                f'"customer_id": "{c1}"')


def test_a_pseudonymized_bill_verifies_against_pseudonymized_events(tmp_path: Path) -> None:
    c, e = write_inputs(tmp_path, rows=ROWS)
    bill = tmp_path / "bill.csv"
    result = runner.invoke(app, ["invoice", str(c), str(e), "--period", "2020-01", "--dry-run",
                                 "--ledger", str(tmp_path / "l.sqlite"), "--new-ledger",
                                 "--format", "csv", "-o", str(bill)])
    assert result.exit_code == 0, result.output
    (tmp_path / "shared").mkdir()
    code, said = _run(str(e), "--bill", str(bill), "--key-file", _key(tmp_path), "-o",
                      str(tmp_path / "shared"))
    assert code == 0, said
    shared = tmp_path / "shared"
    assert "c1" not in (shared / "events.csv").read_text(encoding="utf-8").split(",")
    result = runner.invoke(app, ["verify", str(c), str(shared / "events.csv"),
                                 str(shared / "bill.csv"), "--period", "2020-01",
                                 "--no-ledger"])
    assert result.exit_code == 0, result.output
    assert "the bill is right" in result.output


def test_check_reports_ids_that_still_look_personal(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(HETU_ROWS + "r4,matti@example.fi,referral,2020-01-10\n", encoding="utf-8")
    code, said = _run("--check", str(events))
    assert code == 1
    assert f"{events}:3: E015 warning: 2 customer ids look like a Finnish personal identity " \
           "code (henkilötunnus), the first in row 3" in said
    assert f"{events}:6: E016 warning: 1 customer id looks like an e-mail address" in said
    assert "131052-308T" not in said and "matti" not in said
    out = tmp_path / "out.csv"
    assert _run(str(events), "--key-file", _key(tmp_path), "-o", str(out))[0] == 0
    code, said = _run("--check", str(out))
    assert (code, said.strip()) == (0, "ok: no customer id, event id or evidence id looks "
                                    "personal in 1 file(s)")


@pytest.mark.parametrize(("key", "message"), [
    (None, "cannot read it"), (b"short\n", "shorter than 32 bytes; make one with 32 random "
                               "bytes"), (b"x" * 2000, "longer than 1024 bytes"),
])
def test_a_missing_or_short_key_is_a_usage_error(tmp_path: Path, key: bytes | None,
                                                 message: str) -> None:
    path = tmp_path / "key"
    if key is not None:
        path.write_bytes(key)
    out = tmp_path / "out.csv"
    code, said = _run(str(DATA / "events_plain.csv"), "--key-file", str(path), "-o", str(out))
    assert code == 2 and message in said
    assert not out.exists()


def test_outputs_never_overwrite_an_input_and_several_inputs_need_a_folder(tmp_path: Path
                                                                           ) -> None:
    key = _key(tmp_path)
    a = DATA / "events_plain.csv"
    b = DATA / "events_bom_crlf.csv"
    code, said = _run(str(a), str(b), "--key-file", key, "-o", str(tmp_path / "x.csv"))
    assert code == 2 and "with several inputs, -o is an existing folder" in said
    code, said = _run(str(a), "--key-file", key, "-o", str(a))
    assert code == 2 and "an output never overwrites an input" in said
    code, said = _run(str(a), "--key-file", key, "-o", str(DATA))
    assert code == 2 and "an output never overwrites an input" in said
    code, said = _run(str(a), "--key-file", key, "-o", key)
    assert code == 2 and f"-o {key} is the key file {key}" in said
    assert a.read_bytes().startswith(b"event_id,customer_id")  # untouched
    code, said = _run(str(a), str(b), "--key-file", key, "-o", str(tmp_path))
    assert code == 0, said
    assert sorted(p.name for p in tmp_path.glob("events_*.csv")) == [
        "events_bom_crlf.csv", "events_plain.csv"]
    assert (tmp_path / "events_bom_crlf.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_file_whose_ids_cannot_all_be_found_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"event_id": "r1", "customer_id": "131052-308T", "type": "referral"}\n'
                   '{"event_id": "r2", "customer_id": "131052-308T"\n', encoding="utf-8")
    good = DATA / "events_plain.csv"
    (tmp_path / "out").mkdir()
    code, said = _run(str(good), str(bad), "--key-file", _key(tmp_path), "-o",
                      str(tmp_path / "out"))
    assert code == 1 and f"{bad}:2: E010 invalid JSON" in said and "nothing was written" in said
    assert list((tmp_path / "out").iterdir()) == []
    nocolumn = tmp_path / "n.csv"
    nocolumn.write_text("a,b\n1,2\n", encoding="utf-8")
    code, said = _run(str(nocolumn), "--key-file", _key(tmp_path), "-o", str(tmp_path / "o"))
    assert code == 1 and "E001 no customer column" in said


def test_a_file_read_with_the_wrong_delimiter_says_which_option_reads_it(tmp_path: Path
                                                                         ) -> None:
    """A ','-separated event file under --dialect fi is one header cell: the message is the
    reader's (which option reads it), not 'no customer column' of a file that has one."""
    events = DATA / "events_plain.csv"
    for args in (("--check",), ("--key-file", _key(tmp_path), "-o", str(tmp_path / "o.csv"))):
        code, said = _run(str(events), "--dialect", "fi", *args)
        assert code == 1, said
        assert "looks ','-delimited; read the file with --delimiter ','" in said, said
        assert "no customer column" not in said
    assert not (tmp_path / "o.csv").exists()


def test_an_identity_code_with_spaces_around_it_in_json_lines_is_still_seen(tmp_path: Path
                                                                            ) -> None:
    """JSON Lines keeps a value's spaces (the id is ' 131052-308T'), yet it is the person's
    code: --check and every reading command warn of it, never showing it."""
    events = tmp_path / "e.jsonl"
    events.write_text('{"event_id": "r1", "customer_id": " 131052-308T", "type": "referral", '
                      '"date": "2020-01-07"}\n'
                      '{"event_id": "r2", "customer_id": "matti@example.fi ", '
                      '"type": "referral", "date": "2020-01-07"}\n', encoding="utf-8")
    code, said = _run("--check", str(events))
    assert code == 1 and f"{events}:1: E015 warning: 1 customer id looks like" in said, said
    assert f"{events}:2: E016 warning: 1 customer id looks like an e-mail address" in said
    result = runner.invoke(app, ["validate", str(DATA / "minimal.yaml"), str(events)])
    said = result.stdout + result.stderr
    assert f"{events}:1: E015 warning" in said, said
    assert "131052-308T" not in said and "matti" not in said


CELL = st.text(alphabet=st.sampled_from(list('ab c,;"\n\r\'=-é')), max_size=8)


@given(rows=st.lists(st.tuples(CELL, CELL, CELL), min_size=1, max_size=6),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       ending=st.sampled_from(["\n", "\r\n"]))
def test_only_the_customer_cells_change(rows: list[tuple[str, str, str]], quoting: int,
                                        ending: str) -> None:
    text = io.StringIO()
    writer = csv.writer(text, quoting=quoting, lineterminator=ending)
    writer.writerow(["event_id", "customer_id", "reason"])
    writer.writerows(rows)
    source = io.BytesIO(text.getvalue().encode("utf-8"))
    out = io.BytesIO()
    problems = rewrite_csv_bytes(source, out)
    assert problems == []
    before = list(csv.reader(io.StringIO(text.getvalue(), newline="")))
    after = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8"), newline="")))
    assert len(after) == len(before)
    for old, new in zip(before[1:], after[1:], strict=True):
        assert len(new) == len(old)
        for i, (was, now) in enumerate(zip(old, new, strict=True)):
            if i == 1 and was.strip():
                assert now.strip() == pseudonym(KEY, was.strip())
            else:
                assert now == was


def rewrite_csv_bytes(source: io.BytesIO, out: io.BytesIO) -> list[str]:
    from rewardengine.privacy import RewriteError, TextSource, rewrite_csv
    encoder_out: list[str] = []
    try:
        rewrite_csv(TextSource(source, None), ("customer_id",), None,
                    lambda value, row: pseudonym(KEY, value), encoder_out.append)
    except RewriteError as exc:
        return [str(exc)]
    out.write("".join(encoder_out).encode("utf-8"))
    return []


def test_a_providers_name_in_an_event_row_is_never_echoed_whole(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("event_id,customer_id,type,date,provider,unemployed_since\n"
                      "r1,c1,referral,2020-01-10,Maija Meikäläinen Tmi,2019-06-01\n",
                      encoding="utf-8")
    minimal = Path(__file__).parent / "data" / "minimal.yaml"
    result = runner.invoke(app, ["validate", str(minimal), str(events)])
    assert result.exit_code == 1
    assert "E013 provider 'Maija Meikäl…' is not in the contract (acme)" in result.output
    assert "Meikäläinen" not in result.output


@pytest.mark.parametrize("header", ["event_id,customer_id,type,date,CUSTOMER_ID",
                                    "event_id,customer_id,type,date,customer"])
def test_a_second_column_of_customer_ids_is_refused_not_left_raw(tmp_path: Path,
                                                                 header: str) -> None:
    """Pseudonymizing one of two such columns would leave the other's raw ids in a file
    said to be pseudonymized (found by a new user's trial)."""
    events = tmp_path / "events.csv"
    events.write_text(f"{header}\nr1,131052-308T,referral,2020-01-10,131052-308T\n",
                      encoding="utf-8")
    out = tmp_path / "out.csv"
    code, said = _run(str(events), "--key-file", _key(tmp_path), "-o", str(out))
    assert code == 1 and not out.exists() and "nothing was written" in said
    assert f"{events}:1: E001 2 columns may hold customer ids (columns 2, 5): " \
           "pseudonymizing one would leave the others' ids as they are; keep one" in said
    assert _run("--check", str(events))[0] == 1


# --- what a message echoes of a bad cell ------------------------------------------------------

@pytest.mark.parametrize(("value", "shown"), [
    ("131052-308T", "a value that looks like a personal identity code (not shown)"),
    ("131052-308U", "a value that looks like a personal identity code (not shown)"),  # mistyped
    ("010190A123B", "a value that looks like a personal identity code (not shown)"),
    # as people type it: lower case, a space around the sign or for it, a typographic dash
    ("131052-308t", "a value that looks like a personal identity code (not shown)"),
    ("131052 308T", "a value that looks like a personal identity code (not shown)"),
    ("131052 - 308T", "a value that looks like a personal identity code (not shown)"),
    ("131052\u00a0308T", "a value that looks like a personal identity code (not shown)"),
    ("131052\u2013308T", "a value that looks like a personal identity code (not shown)"),
    ("131052\u2212308T", "a value that looks like a personal identity code (not shown)"),
    ("131052  308T", "'131052  308T'"),  # two spaces: not a code's shape
    ("Matti 131052-308T on sairas", "a value that looks like a personal identity code (not "
                                    "shown)"),
    ("matti.m@example.fi", "a value that looks like an e-mail address (not shown)"),
    ("soita matti.m@example.fi", "a value that looks like an e-mail address (not shown)"),
    ("040 123 4567", "a value that looks like a phone number (not shown)"),
    ("+358401234567", "a value that looks like a phone number (not shown)"),
    # glued to a name, a landline, a number inside text: masked too
    ("131052-308TMatti", "a value that looks like a personal identity code (not shown)"),
    ("Matti131052-308T", "a value that looks like a personal identity code (not shown)"),
    ("09 123 4567", "a value that looks like a phone number (not shown)"),
    ("017-123 456", "a value that looks like a phone number (not shown)"),
    ("soita puh.040 123 4567.", "a value that looks like a phone number (not shown)"),
    ("tel:+358 40 123 4567", "a value that looks like a phone number (not shown)"),
    # ...but not what only shares digits with one: an id, a decimal, a longer number, a date
    ("131052-308T5", "'131052-308T5'"),
    ("h-01-234567", "'h-01-234567'"),
    ("e0401234567", "'e0401234567'"),
    ("1,0912345", "'1,0912345'"),
    ("0912345.5", "'0912345.5'"),
    ("0401234567890123", "'0401234567890123'"),
    ("01.01.2020", "'01.01.2020'"),
    ("0202-12-31", "'0202-12-31'"),
    ("012345", "'012345'"),  # a zero, an area code's digit and 4 more: too short
    # a solid run of digits after a zero is a mobile number only by its prefix: otherwise an
    # id, a business id or a date typed without dots, which the user must see to mend it
    ("0123456", "'0123456'"),
    ("012345678", "'012345678'"),
    ("0123456-r", "'0123456-r'"),
    ("0112038-9", "'0112038-9'"),
    ("01012020", "'01012020'"),
    ("0501234567", "a value that looks like a phone number (not shown)"),
    ("puh.0401234567.", "a value that looks like a phone number (not shown)"),
    ("(09) 123 4567", "a value that looks like a phone number (not shown)"),
    ("09 123456", "a value that looks like a phone number (not shown)"),
    ("2020-01-07", "'2020-01-07'"),
    ("1131052-308T", "'1131052-308T'"),  # seven digits first: not a code's shape
    ("12345678", "'12345678'"),
    ("x" * 40, "'" + "x" * 40 + "'"),
    ("x" * 41, "'" + "x" * 40 + "…'"),
])
def test_a_message_names_what_a_personal_value_looks_like(value: str, shown: str) -> None:
    assert quoted(value) == shown


def _bad_cells(tmp_path: Path, value: str, finnish: bool) -> str:
    sep = ";" if finnish else ","
    day = "10.1.2020" if finnish else "2020-01-10"
    header = sep.join(["event_id", "customer_id", "type", "date", "end", "hours"])
    rows = [sep.join(["r1", "c1", "referral", day, "", ""]),
            sep.join(["h1", "c1", "hours", value, "", "2"]),
            sep.join(["h2", "c1", "hours", day, "", value]),
            sep.join(["h3", "c1", value, day, "", ""])]
    events = tmp_path / "events.csv"
    events.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    minimal = Path(__file__).parent / "data" / "minimal.yaml"
    args = ["validate", str(minimal), str(events)] + (["--dialect", "fi"] if finnish else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    return result.output


@pytest.mark.parametrize("finnish", [False, True])
@pytest.mark.parametrize(("value", "kind"), [("131052-308T", "a personal identity code"),
                                             ("matti.m@example.fi", "an e-mail address"),
                                             ("040 123 4567", "a phone number"),
                                             ("131052-308TMatti", "a personal identity code"),
                                             ("puh 09 123 4567", "a phone number")])
def test_a_bad_cell_that_looks_personal_is_never_echoed(tmp_path: Path, value: str, kind: str,
                                                        finnish: bool) -> None:
    """A date, an amount and an event type holding a personal value: each problem is
    located and says what the value looked like, without the value."""
    said = _bad_cells(tmp_path, value, finnish)
    assert value not in said
    looks = f"a value that looks like {kind} (not shown)"
    assert f"events.csv:3: E005 field 'date': {looks} is not a date" in said
    assert f"events.csv:4: E005 field 'hours': {looks} " in said
    assert f"events.csv:5: E002 unknown event type {looks} (known:" in said


def test_a_bad_cell_that_does_not_look_personal_is_echoed_cut(tmp_path: Path) -> None:
    said = _bad_cells(tmp_path, "yesterday" + "x" * 40, False)
    assert "E005 field 'date': 'yesterdayxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' is not a date" in said


@pytest.mark.parametrize(("length", "code"), [(9_999, "E005"), (10_000, "E005"),
                                              (10_001, "E010")])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_id_longer_than_the_reader_takes_is_not_pseudonymized(tmp_path: Path, length: int,
                                                                 code: str, fmt: str
                                                                 ) -> None:
    """Its pseudonym would turn a row the reader refuses (E005 over 128 characters, E010
    over 10,000) into one it reads. The cell is measured as written: spaces after 9,999
    characters make it too long. (Up to 10,000 characters were pseudonymized before the
    128 of an event file's id were held too.)"""
    events = tmp_path / f"events.{fmt}"
    if fmt == "jsonl":
        events.write_text(json.dumps({"event_id": "r1", "customer_id": "c" * length,
                                      "type": "referral", "date": "2020-01-10"}) + "\n",
                          encoding="utf-8")
    else:
        cell = "c" * (length - 2) + "  "
        events.write_text(f"event_id,customer_id,type,date\nr1,{cell},referral,2020-01-10\n",
                          encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    said_code, said = _run(str(events), "--key-file", _key(tmp_path), "-o", str(out))
    assert said_code == 1 and not out.exists() and "nothing was written" in said
    row = 1 if fmt == "jsonl" else 2
    if code == "E005":
        trimmed = length if fmt == "jsonl" else length - 2  # a CSV cell is read trimmed
        assert f"{events}:{row}: E005 a customer id of {trimmed:,} characters: an id may " \
               "have at most 128" in said
    else:
        assert (f"{events}:1: E010 a customer id of 10,001 characters; at most 10,000 are read"
                if fmt == "jsonl" else f"{events}:2: E010 unreadable CSV row: field larger "
                "than field limit (10000)") in said


def test_a_parquet_id_longer_than_the_reader_takes_is_not_pseudonymized(tmp_path: Path
                                                                         ) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    events = tmp_path / "events.parquet"
    pq.write_table(pa.table({"event_id": ["r1", "r2"], "customer_id": ["c1", "c" * 9_999 + "  "],
                             "type": ["referral", "referral"],
                             "date": ["2020-01-10", "2020-01-10"]}), events)
    out = tmp_path / "out.parquet"
    code, said = _run(str(events), "--key-file", _key(tmp_path), "-o", str(out))
    assert code == 1 and not out.exists()
    assert f"{events}:2: E010 a customer id of 10,001 characters" in said


# --- the customer id inside event ids and evidence ids ---------------------------------------

def _one(tmp_path: Path, name: str, text: str, *more: str) -> tuple[int, str, str]:
    """Pseudonymize one file; the exit code, what was said and the output."""
    source, out = tmp_path / name, tmp_path / f"out-{name}"
    source.write_text(text, encoding="utf-8")
    code, said = _run(*more, str(source), "--key-file", _key(tmp_path), "-o", str(out))
    return code, said, out.read_text(encoding="utf-8") if out.exists() else ""


def test_a_customer_id_inside_an_event_id_is_replaced_as_a_whole_token(tmp_path: Path
                                                                       ) -> None:
    """At the start, in the middle and at the end, or the whole id; never inside a longer
    token (customer 1 in e10, c1 in c10-e1); an empty event id stays empty; a quoted cell
    stays quoted; every other byte as it was."""
    rows = [("c1-e0", "c1"), ("KELA/c1/7", "c1"), ("e-c1", "c1"), ("c1", "c1"),
            ("c10-e1", "c1"), ("xc1-e2", "c1"), ("e10", "1"), ("1-e10", "1"), ("", "1"),
            ('"c1,x"', "c1"), ("010190-123A/KELA/7", "010190-123A"), ("c1.c1", "c1")]
    text = "event_id,customer_id,type,date\n" + "".join(
        f"{e},{c},referral,2020-01-10\n" for e, c in rows)
    code, said, out = _one(tmp_path, "events.csv", text)
    assert code == 0, said
    c1, one, hetu = (pseudonym(KEY, c) for c in ("c1", "1", "010190-123A"))
    wanted = [(f"{c1}-e0", c1), (f"KELA/{c1}/7", c1), (f"e-{c1}", c1), (c1, c1),
              ("c10-e1", c1), ("xc1-e2", c1), ("e10", one), (f"{one}-e10", one), ("", one),
              (f'"{c1},x"', c1), (f"{hetu}/KELA/7", hetu), (f"{c1}.{c1}", c1)]
    assert out == "event_id,customer_id,type,date\n" + "".join(
        f"{e},{c},referral,2020-01-10\n" for e, c in wanted)
    assert "010190" not in out


def test_a_customer_id_inside_a_json_lines_event_id_is_replaced(tmp_path: Path) -> None:
    text = ('{"event_id": "c1-e0", "customer_id": "c1", "type": "referral"}\n'
            '{"customer_id": "1", "type": "referral",  "event_id":"e10"}\n'
            '{"event_id": "1/\\u00e4", "customer_id": "1"}\n'
            '{"event_id": "", "customer_id": "1"}\n')
    code, said, out = _one(tmp_path, "events.jsonl", text)
    assert code == 0, said
    c1, one = pseudonym(KEY, "c1"), pseudonym(KEY, "1")
    assert out == (f'{{"event_id": "{c1}-e0", "customer_id": "{c1}", "type": "referral"}}\n'
                   f'{{"customer_id": "{one}", "type": "referral",  "event_id":"e10"}}\n'
                   f'{{"event_id": "{one}/\\u00e4", "customer_id": "{one}"}}\n'
                   f'{{"event_id": "", "customer_id": "{one}"}}\n')


def test_a_bills_evidence_occurrence_and_reason_name_the_rewritten_event_ids(tmp_path: Path
                                                                           ) -> None:
    """The evidence ids as the events' ids are rewritten; the occurrence and the reason
    where they name an evidence id (in the occurrence as the engine writes an event id into
    it: c1:x is c1%3Ax), and nowhere else (customer 2020 in the month 2020-03)."""
    head = "customer_id,component,occurrence,amount,reason,evidence\n"
    text = (head + "c1,result,spell:c1-e0:open,750.00,employment c1-e0 reached 90 days,"
            "c1-e0 c1-e1\n"
            "c1,hours,c1%3Ax,10.00,2 hours (c1:x),c1:x\n"
            "2020,capacity,2020-03,100.00,month 2020-03,\n"
            "2020,result,spell:2020-e0:open,750.00,2020-e0 and 2020-03,2020-e0\n"
            "'-x1,hours,'-x1-h1,10.00,,'-x1-h1\n")
    source, target = tmp_path / "bill.csv", tmp_path / "out.csv"
    source.write_text(text, encoding="utf-8")
    code, said = _run("--bill", str(source), "--key-file", _key(tmp_path), "-o", str(target))
    assert code == 0, said
    c1, y, x1 = (pseudonym(KEY, c) for c in ("c1", "2020", "-x1"))
    assert target.read_text(encoding="utf-8") == (
        head + f"{c1},result,spell:{c1}-e0:open,750.00,employment {c1}-e0 reached 90 days,"
        f"{c1}-e0 {c1}-e1\n"
        f"{c1},hours,{c1}%3Ax,10.00,2 hours ({c1}:x),{c1}:x\n"
        f"{y},capacity,2020-03,100.00,month 2020-03,\n"
        f"{y},result,spell:{y}-e0:open,750.00,{y}-e0 and 2020-03,{y}-e0\n"
        f"{x1},hours,{x1}-h1,10.00,,{x1}-h1\n")


def test_a_json_bills_evidence_list_occurrence_and_reason_are_rewritten(tmp_path: Path
                                                                        ) -> None:
    """...and a problem naming one of the evidence ids (it kept the raw id)."""
    line = {"customer_id": "c1", "component": "result", "occurrence": "spell:c1-e0:open",
            "amount": "750.00", "reason": "employment c1-e0 reached 90 days",
            "evidence": ["c1-e0", "c10-e1"]}
    text = json.dumps({"sections": [{"lines": [line]}], "problems": [
        {"message": "c1-e0 is ignored"}]}, indent=2)
    source, target = tmp_path / "invoice.json", tmp_path / "out.json"
    source.write_text(text, encoding="utf-8")
    code, said = _run("--bill", str(source), "--key-file", _key(tmp_path), "-o", str(target))
    assert code == 0, said
    c1 = pseudonym(KEY, "c1")
    assert target.read_text(encoding="utf-8") == text.replace(
        '"c1"', f'"{c1}"').replace('"spell:c1-e0', f'"spell:{c1}-e0').replace(
        "employment c1-e0", f"employment {c1}-e0").replace('"c1-e0",', f'"{c1}-e0",').replace(
        '"c1-e0 is ignored"', f'"{c1}-e0 is ignored"')


def test_an_event_id_that_could_merge_with_another_is_refused(tmp_path: Path) -> None:
    """Customer c1's event c1-e0 becomes PS-e0; an event id that already held text shaped
    like a pseudonym (here that very one) would become the same: refused, nothing written.
    An id holding its own customer's id, a pseudonym already (pseudonymized again with
    another key), is rewritten."""
    c1 = pseudonym(KEY, "c1")
    text = ("event_id,customer_id,type,date\nc1-e0,c1,referral,2020-01-10\n"
            f"{c1}-e0,c1,referral,2020-01-10\n")
    code, said, out = _one(tmp_path, "events.csv", text)
    assert code == 1 and out == ""
    assert "events.csv:3: E019 the event id holds text shaped like a pseudonym" in said
    assert "nothing was written" in said and c1 not in said
    again = f"event_id,customer_id,type,date\n{c1}-e0,{c1},referral,2020-01-10\n"
    code, said, out = _one(tmp_path, "again.csv", again)
    assert code == 0, said
    twice = pseudonym(KEY, c1)
    assert out == f"event_id,customer_id,type,date\n{twice}-e0,{twice},referral,2020-01-10\n"
    code, said, _ = _one(tmp_path, "bill.json", json.dumps([
        {"customer": "c1", "component": "a", "occurrence": "once", "amount": "1.00",
         "evidence": [f"x{c1}"]}]), "--bill")
    assert code == 1 and "E019 the evidence id holds text shaped like a pseudonym" in said


def test_pseudonymized_apart_generated_events_and_their_bills_still_verify(tmp_path: Path
                                                                           ) -> None:
    """generate -> invoice (CSV and JSON) -> events (CSV and Parquet) and bills pseudonymized
    apart -> verify says the bill is right, and no customer id is left in them."""
    contract = Path(__file__).parent.parent / "contracts" / "tehostettu_tyonvalitys.yaml"
    events = tmp_path / "events.csv"
    result = runner.invoke(app, ["generate", str(contract), "-n", "40", "--seed", "1", "-o",
                                 str(events)])
    assert result.exit_code == 0, result.output
    ledger = str(tmp_path / "l.sqlite")
    for fmt in ("csv", "json"):
        result = runner.invoke(app, ["invoice", str(contract), str(events), "--period",
                                     "2021-03", "--dry-run", "--ledger", ledger, "--new-ledger",
                                     "--format", fmt, "-o", str(tmp_path / f"bill.{fmt}")])
        assert result.exit_code == 0, result.output
    table = tmp_path / "events.parquet"
    result = runner.invoke(app, ["generate", str(contract), "-n", "40", "--seed", "1", "-o",
                                 str(table)])
    assert result.exit_code == 0, result.output
    shared, together = tmp_path / "shared", tmp_path / "together"
    shared.mkdir()
    together.mkdir()
    for args in ([str(events)], [str(table)], ["--bill", str(tmp_path / "bill.csv")]):
        code, said = _run(*args, "--key-file", _key(tmp_path), "-o", str(shared))
        assert code == 0, said
    # the JSON bill's problem names a customer with no line (referral c0000006-r2 ... is
    # ignored): alone, no run can tell whose id that is, so it is refused; with the event
    # files it is rewritten, and the events come out as they did apart
    code, said = _run("--bill", str(tmp_path / "bill.json"), "--key-file", _key(tmp_path),
                      "-o", str(shared))
    assert code == 1 and " E021 a problem the bill lists names what may be an id" in said
    assert not (shared / "bill.json").exists() and "c0000006" not in said
    code, said = _run(str(events), "--bill", str(tmp_path / "bill.json"), "--key-file",
                      _key(tmp_path), "-o", str(together))
    assert code == 0, said
    assert (together / "events.csv").read_bytes() == (shared / "events.csv").read_bytes()
    (shared / "bill.json").write_bytes((together / "bill.json").read_bytes())
    raw = {row["customer_id"] for row in csv.DictReader(events.open(encoding="utf-8"))}
    for name in ("events.csv", "bill.csv"):
        cells = {c for row in csv.reader((shared / name).open(encoding="utf-8"))
                 for c in row}
        assert not any(r in c for c in cells for r in raw), name
    written = (shared / "bill.json").read_text(encoding="utf-8")
    assert not [r for r in raw if r in written]
    for bill in ("bill.csv", "bill.json"):
        for source in ("events.csv", "events.parquet"):
            result = runner.invoke(app, ["verify", str(contract), str(shared / source),
                                         str(shared / bill), "--period", "2021-03",
                                         "--no-ledger"])
            assert result.exit_code == 0, (bill, source, result.output)
            assert "8 match, 0 amount differs" in result.output
            assert "the bill is right" in result.output
    code, said = _run("--check", *(str(shared / n) for n in ("events.csv", "events.parquet")),
                      "--bill", str(shared / "bill.csv"), "--bill", str(shared / "bill.json"))
    assert code == 0, said  # no pseudonym's hex digits taken for a phone number or the like


# --- a bill in the encodings verify reads --------------------------------------------------

BILL_TEXT = ("customer_id,component,occurrence,amount,reason,evidence\r\n"
             "c1,result,spell:c1-e0:open,750.00,työ c1-e0 jatkui 90 päivää,c1-e0\r\n")


@pytest.mark.parametrize(("encoded", "note"), [
    (BILL_TEXT.encode("cp1252"), "read as cp1252 (not UTF-8, and no other --encoding named)"),
    (BILL_TEXT.encode("utf-16"), "read as UTF-16"),
    (codecs.BOM_UTF16_BE + BILL_TEXT.encode("utf-16-be"), "read as UTF-16"),
    (codecs.BOM_UTF8 + BILL_TEXT.encode("utf-8"), None),
    (BILL_TEXT.encode("utf-8"), None),
])
def test_a_bill_verify_reads_is_pseudonymized_in_its_own_encoding(
        tmp_path: Path, encoded: bytes, note: str | None) -> None:
    """A cp1252 or UTF-16 bill was refused (F003, no hint) while verify read it: now it is
    read as verify reads it and written back in its encoding and byte-order mark, every
    other byte as it was."""
    source, target = tmp_path / "bill.csv", tmp_path / "out.csv"
    source.write_bytes(encoded)
    code, said = _run("--bill", str(source), "--key-file", _key(tmp_path), "-o", str(target))
    assert code == 0, said
    units = "utf-16-be" if encoded.startswith(codecs.BOM_UTF16_BE) else "utf-16-le" \
        if encoded.startswith(codecs.BOM_UTF16_LE) else "utf-8"  # ASCII as the bill has it
    assert target.read_bytes() == encoded.replace("c1".encode(units),
                                                  pseudonym(KEY, "c1").encode(units))
    assert (f"bill.csv: F005 info: {note}" in said) == (note is not None)
    assert ("F005" in said) == (note is not None)


def test_a_bill_named_with_encoding_or_unreadable_is_told_as_verify_tells_it(tmp_path: Path
                                                                            ) -> None:
    source, target = tmp_path / "bill.csv", tmp_path / "out.csv"
    source.write_bytes(BILL_TEXT.encode("iso-8859-15").replace(b"p\xe4iv", b"p\xa4iv"))
    code, said = _run("--bill", str(source), "--encoding", "iso-8859-15", "--key-file",
                      _key(tmp_path), "-o", str(target))
    assert code == 0, said
    assert "F005 info: read as iso8859-15 (named with --encoding)" in said
    assert target.read_bytes() == source.read_bytes().replace(
        b"c1", pseudonym(KEY, "c1").encode())
    source.write_bytes(BILL_TEXT.encode("utf-16-le"))  # no byte-order mark: NUL bytes
    code, said = _run("--bill", str(source), "--key-file", _key(tmp_path), "-o", str(target))
    assert code == 2 and "B005 the bill: it has NUL bytes: not a text file, or UTF-16 " \
        "without a byte-order mark?" in said and "nothing was written" in said
    code, said = _run("--check", "--bill", str(source))
    assert code == 2 and "B005" in said


# --- --check looks inside event ids and evidence ids ---------------------------------------

PS = pseudonym(KEY, "c1")
LEAKY = ("event_id,customer_id,type,date\n"
         f"r1,{PS},referral,2020-01-10\n"
         f"131052-308T/KELA/7,{PS},referral,2020-01-10\n"
         f"KELA131052-308T,{PS},referral,2020-01-10\n"
         f"matti@example.fi-r,{PS},referral,2020-01-10\n"
         f"131052-308T/KELA/7,{PS},referral,2020-01-11\n"
         f",{PS},referral,2020-01-10\n"
         f"+358401234567-{PS},{PS},referral,2020-01-10\n")


def test_check_reports_event_ids_that_still_hold_personal_data(tmp_path: Path) -> None:
    """--check looked only at customer ids: an event id made from a henkilötunnus or an
    e-mail address passed as 'ok'. Now the count of distinct ids and the first row per kind,
    never an id; a pseudonym inside an id is no finding."""
    events = tmp_path / "events.csv"
    events.write_text(LEAKY, encoding="utf-8")
    code, said = _run("--check", str(events))
    assert code == 1
    assert said.splitlines() == [
        f"{events}:3: E020 warning: 2 event ids hold what looks like a personal identity "
        "code, the first in row 3; an id should hold no personal data but its own customer "
        "id, which rewardengine pseudonymize replaces",
        f"{events}:8: E020 warning: 1 event id holds what looks like a phone number, the "
        "first in row 8; an id should hold no personal data but its own customer id, which "
        "rewardengine pseudonymize replaces",
        f"{events}:5: E020 warning: 1 event id holds what looks like an e-mail address, the "
        "first in row 5; an id should hold no personal data but its own customer id, which "
        "rewardengine pseudonymize replaces"]
    # nothing of the ids is echoed (the file's own path, a numbered temporary folder such
    # as pytest-358, is no part of what is told)
    told = said.replace(str(events), "EVENTS")
    assert "131052" not in told and "matti" not in told and "358" not in told
    as_json = tmp_path / "events.jsonl"
    as_json.write_text("".join(json.dumps(dict(zip(("event_id", "customer_id"), row.split(
        ",")[:2], strict=True))) + "\n" for row in LEAKY.splitlines()[1:]), encoding="utf-8")
    code, from_json = _run("--check", str(as_json))
    assert (code, from_json.replace(str(as_json), "F")) == (1, said.replace(
        str(events), "F").replace(":5:", ":4:").replace(":3:", ":2:").replace(
        ":8:", ":7:").replace("row 5", "row 4").replace("row 3", "row 2").replace(
        "row 8", "row 7"))


def test_check_reports_evidence_ids_that_still_hold_personal_data(tmp_path: Path) -> None:
    bill = tmp_path / "bill.csv"
    bill.write_text("customer_id,component,occurrence,amount,evidence\n"
                    f"{PS},result,once,750.00,{PS}-e0 131052-308T-e1\n"
                    f"{PS},hours,once,10.00,{PS}-h1\n", encoding="utf-8")
    code, said = _run("--check", "--bill", str(bill))
    assert code == 1 and f"{bill}:2: E020 warning: 1 evidence id holds what looks like a " \
        "personal identity code, the first in row 2" in said
    invoice = tmp_path / "invoice.json"
    invoice.write_text(json.dumps({"sections": [{"lines": [
        {"customer_id": PS, "evidence": [f"{PS}-e0", "matti@example.fi"]}]}]}),
        encoding="utf-8")
    code, said = _run("--check", "--bill", str(invoice))
    assert code == 1 and "E020 warning: 1 evidence id holds what looks like an e-mail " \
        "address" in said and "matti" not in said


def test_check_reports_parquet_event_ids_that_still_hold_personal_data(tmp_path: Path
                                                                       ) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    table = tmp_path / "events.parquet"
    pq.write_table(pa.table({"event_id": ["r1", "131052-308T/KELA/7", None],
                             "customer_id": [PS, PS, PS], "type": ["referral"] * 3,
                             "date": ["2020-01-10"] * 3}), table)
    code, said = _run("--check", str(table))
    assert code == 1 and said.startswith(f"{table}:2: E020 warning: 1 event id holds what "
                                         "looks like a personal identity code, the first in "
                                         "row 2")
    assert "131052" not in said


_CUSTOMERS = ["c1", "1", "-x1", "e"]
_FRAGMENTS = st.sampled_from([*_CUSTOMERS, "-", "/", ":", "0", "x", "ps_",
                              *(pseudonym(KEY, c) for c in _CUSTOMERS)])


@given(st.sampled_from(_CUSTOMERS), st.lists(_FRAGMENTS, max_size=5).map("".join),
       st.lists(_FRAGMENTS, max_size=5).map("".join))
def test_two_different_ids_of_a_customer_never_become_one(customer: str, a: str, b: str
                                                          ) -> None:
    """Corrections reuse their event's id on purpose, so two ids that differ must still
    differ once rewritten: an id that could merge with another is refused (E019)."""
    from rewardengine.privacy import IdRewrite, RewriteError, replace_token
    rewrite = IdRewrite(KEY, "event id")
    try:
        new_a, new_b = rewrite.ids(customer, a, 1), rewrite.ids(customer, b, 2)
    except RewriteError as exc:
        assert exc.code == "E019"
        return
    assert (new_a == new_b) == (a == b)
    assert replace_token(new_a, customer, "")[1] == 0  # no whole customer id left


@pytest.mark.parametrize("customer", ["K:1", "K@1", "K%1"])
def test_an_occurrence_names_a_customer_id_the_engine_escaped(tmp_path: Path,
                                                              customer: str) -> None:
    """The engine writes ``:`` ``@`` ``%`` of an event id escaped into the occurrence, so a
    customer ``K:1`` stands there as ``K%3A1``: it is replaced too, and the bill still
    names the events pseudonymized apart (the raw id was left and verify failed)."""
    from rewardengine.evaluate.lines import event_key
    lead = f"{customer}-e0"
    text = ("customer_id,component,occurrence,amount,evidence\n"
            f"{customer},result,spell:{event_key(lead)}:open,750.00,{lead}\n")
    code, said, out = _one(tmp_path, "bill.csv", text, "--bill")
    assert code == 0, said
    p = pseudonym(KEY, customer)
    assert out == ("customer_id,component,occurrence,amount,evidence\n"
                   f"{p},result,spell:{p}-e0:open,750.00,{p}-e0\n")


def test_a_json_id_written_with_escapes_is_written_back_escaped(tmp_path: Path) -> None:
    """A rewritten JSON string keeps its escapes: a lone surrogate or a character the
    bill's encoding lacks (cp1252 has no 中), written escaped, was written raw and the
    encoder failed (exit 3)."""
    c1 = pseudonym(KEY, "c1")
    code, said, out = _one(tmp_path, "events.jsonl",
                           '{"event_id": "\\u00e4 c1-e0 \\ud800 / c1 \\"q\\"", '
                           '"customer_id": "c1"}\n')
    assert code == 0, said
    assert out == (f'{{"event_id": "\\u00e4 {c1}-e0 \\ud800 / {c1} \\"q\\"", '
                   f'"customer_id": "{c1}"}}\n')
    source, target = tmp_path / "bill.json", tmp_path / "out.json"
    source.write_bytes('[{"customer": "c1", "component": "ä", "occurrence": "once", '
                       '"amount": "1.00", "reason": "\\u4e2d c1-e0", "evidence": ["c1-e0"]}]'
                       .encode("cp1252"))
    code, said = _run("--bill", str(source), "--key-file", _key(tmp_path), "-o", str(target))
    assert code == 0, said
    assert target.read_bytes() == source.read_bytes().replace(b"c1", c1.encode())


def test_check_looks_at_the_ids_of_a_line_without_a_customer(tmp_path: Path) -> None:
    """A bill's contract-level line (a capacity fee) has no customer, but may name events:
    --check passed its evidence ids over (and a row of events with no customer id) and
    said 'ok'. With a key such ids are kept: there is no customer id to replace."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    bill = tmp_path / "bill.csv"
    bill.write_text("customer,component,occurrence,amount,evidence\n"
                    ",capacity,m03,100.00,131052-308T/KELA/7\n", encoding="utf-8")
    invoice = tmp_path / "invoice.json"
    invoice.write_text(json.dumps({"lines": [
        {"customer": None, "component": "capacity", "evidence": ["131052-308T/KELA/7"]},
        {"customer": PS, "component": "a", "evidence": [f"{PS}-e0"]}]}), encoding="utf-8")
    events = tmp_path / "events.csv"
    events.write_text("event_id,customer_id,type,date\n131052-308T/KELA/7,,referral,"
                      "2020-01-10\n", encoding="utf-8")
    table = tmp_path / "events.parquet"
    pq.write_table(pa.table({"event_id": ["131052-308T/KELA/7"], "customer_id": [None],
                             "type": ["referral"], "date": ["2020-01-10"]}), table)
    for args in (["--bill", str(bill)], ["--bill", str(invoice)], [str(events)],
                 [str(table)]):
        code, said = _run("--check", *args)
        assert code == 1 and "E020 warning: 1 " in said and "131052" not in said, said
    code, said, out = _one(tmp_path, "b.csv", bill.read_text(encoding="utf-8"), "--bill")
    assert (code, out) == (0, bill.read_text(encoding="utf-8")), said


def test_a_json_event_id_written_as_a_number_is_rewritten_too(tmp_path: Path) -> None:
    """The reader takes an event id 7 as the text '7'; with customer 7 it was left as it
    was, the raw customer id beside its pseudonym. Now written as text, as Parquet's is."""
    seven = pseudonym(KEY, "7")
    code, said, out = _one(tmp_path, "events.jsonl",
                           '{"event_id": 7, "customer_id": 7}\n'
                           '{"event_id": 70, "customer_id": 7}\n')
    assert code == 0, said
    assert out == (f'{{"event_id": "{seven}", "customer_id": "{seven}"}}\n'
                   f'{{"event_id": 70, "customer_id": "{seven}"}}\n')


def test_a_parquet_file_of_dictionary_encoded_ids_is_pseudonymized(tmp_path: Path) -> None:
    """pandas writes a categorical column dictionary-encoded; the reader reads it, but
    pseudonymize stopped with an internal error (exit 3) on a row group's chunked column."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    table, out = tmp_path / "events.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({
        "event_id": pa.array(["c1-e0", "c1-e1", "c10-e0"]).dictionary_encode(),
        "customer_id": pa.array(["c1", "c1", "c10"]).dictionary_encode(),
        "type": ["referral"] * 3, "date": ["2020-01-10"] * 3}), table, row_group_size=2)
    code, said = _run(str(table), "--key-file", _key(tmp_path), "-o", str(out))
    assert code == 0, said
    c1, c10 = pseudonym(KEY, "c1"), pseudonym(KEY, "c10")
    assert pq.read_table(out).select(["event_id", "customer_id"]).to_pydict() == {
        "event_id": [f"{c1}-e0", f"{c1}-e1", f"{c10}-e0"], "customer_id": [c1, c1, c10]}
    assert pq.ParquetFile(out).metadata.num_row_groups == 2


def test_a_customer_id_with_a_space_is_replaced_where_the_bill_names_its_events(
        tmp_path: Path) -> None:
    """Evidence ids are split by spaces, so customer 'c 1''s event 'c 1:x-e0' was never
    found in the occurrence or the reason: they kept the raw id and verify failed."""
    p = pseudonym(KEY, "c 1")
    code, said, out = _one(tmp_path, "bill.csv",
                           "customer_id,component,occurrence,amount,reason,evidence\n"
                           "c 1,result,spell:c 1%3Ax-e0:open,750.00,job c 1:x-e0,"
                           "c 1:x-e0 c 1-e1\n", "--bill")
    assert code == 0, said
    assert out == ("customer_id,component,occurrence,amount,reason,evidence\n"
                   f"{p},result,spell:{p}%3Ax-e0:open,750.00,job {p}:x-e0,"
                   f"{p}:x-e0 {p}-e1\n")
    line = {"customer": "c 1", "occurrence": "spell:c 1%3Ax-e0:open",
            "reason": "job c 1:x-e0", "evidence": "c 1:x-e0"}
    code, said, out = _one(tmp_path, "bill.json", json.dumps([line]), "--bill")
    assert code == 0, said
    assert json.loads(out) == [{"customer": p, "occurrence": f"spell:{p}%3Ax-e0:open",
                                "reason": f"job {p}:x-e0", "evidence": f"{p}:x-e0"}]


def test_an_event_id_the_pseudonym_would_make_too_long_is_refused(tmp_path: Path) -> None:
    """A pseudonym is 35 characters: an event id of 120 holding customer c1 became 153,
    which the reader refuses (E005) though the input was read; now refused, nothing
    written. So is an id too long to read that the rewrite would shorten into one read."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    long = "c1-" + "x" * 117
    code, said, out = _one(tmp_path, "events.csv", "event_id,customer_id,type,date\n"
                           f"{long},c1,referral,2020-01-10\n")
    assert (code, out) == (1, "") and "E005 the event id is 120 characters, 153 once" in said
    assert long not in said
    table, target = tmp_path / "events.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"event_id": [long], "customer_id": ["c1"]}), table)
    code, said = _run(str(table), "--key-file", _key(tmp_path), "-o", str(target))
    assert code == 1 and "E005" in said and not target.exists()
    code, said, _ = _one(tmp_path, "ok.csv", "event_id,customer_id,type,date\n"
                         f"{'x' * 92}-c1,c1,referral,2020-01-10\n")
    assert code == 0, said  # 128 once rewritten: read
    code, said, out = _one(tmp_path, "short.csv", "event_id,customer_id,type,date\n"
                           f"{'c' * 60}-{'x' * 80},{'c' * 60},referral,2020-01-10\n")
    assert (code, out) == (1, "") and "141 characters, 116 once" in said  # refused: stays so


def test_an_occurrence_is_rewritten_in_one_pass(tmp_path: Path) -> None:
    """Customer 'ps' with events 'ps-e0' and 'ps': once 'ps-e0' was written as
    'ps_...-e0', the id 'ps' stood as a token in it and was replaced again."""
    p = pseudonym(KEY, "ps")
    code, said, out = _one(tmp_path, "bill.csv",
                           "customer_id,component,occurrence,amount,evidence\n"
                           "ps,hours,ps-e0,10.00,ps-e0 ps\n", "--bill")
    assert code == 0, said
    assert out == ("customer_id,component,occurrence,amount,evidence\n"
                   f"{p},hours,{p}-e0,10.00,{p}-e0 {p}\n")


def _pending_bill(customer: str, reason: str) -> str:
    """An invoice as the engine writes it, with a pending line that lists no evidence."""
    note = {"amount": "750.00", "component": "result", "customer_id": customer,
            "date": None, "occurrence": "next", "provider": "broker", "reason": reason}
    return json.dumps({"sections": [{"lines": [], "pending": [note]}], "problems": []},
                      indent=2)


def test_a_reason_naming_an_event_the_line_does_not_list_is_never_left_raw(tmp_path: Path
                                                                           ) -> None:
    """A pending line's reason names a job not counted, not its evidence: pseudonymized
    alone, the bill is refused (it would keep c29); with the event files of the run, the job
    is rewritten as in the events; a customer 2020 is never rewritten inside a date."""
    reason = "needs 90 days by 2020-08-24; not counted: job c29-e0 at 0.79 FTE is below 0.80"
    bill = tmp_path / "invoice.json"
    bill.write_text(_pending_bill("c29", reason), encoding="utf-8")
    events = tmp_path / "events.csv"
    events.write_text("event_id,customer_id,type,date\nc29-e0,c29,job_start,2020-05-01\n",
                      encoding="utf-8")
    code, said = _run("--bill", str(bill), "--key-file", _key(tmp_path), "-o",
                      str(tmp_path / "alone.json"))
    assert code == 1 and "E021" in said and "give the event files" in said, said
    assert not (tmp_path / "alone.json").exists()
    out = tmp_path / "out"
    out.mkdir()
    code, said = _run(str(events), "--bill", str(bill), "--key-file", _key(tmp_path), "-o",
                      str(out))
    assert code == 0, said
    c29 = pseudonym(KEY, "c29")
    assert json.loads((out / "invoice.json").read_text(encoding="utf-8"))["sections"][0][
        "pending"][0]["reason"] == reason.replace("c29-e0", f"{c29}-e0")
    assert f"{c29}-e0,{c29}," in (out / "events.csv").read_text(encoding="utf-8")
    dated = tmp_path / "dated.json"
    dated.write_text(_pending_bill("2020", "needs 90 days by 2020-08-24, 1.5 more"),
                     encoding="utf-8")
    code, said, written = _one(tmp_path, "dated.json", dated.read_text(encoding="utf-8"),
                               "--bill")
    assert code == 0, said
    assert "by 2020-08-24, 1.5 more" in written and pseudonym(KEY, "2020") in written


@pytest.mark.parametrize(("fmt", "cell", "refused"), [
    ("csv", "c" * 128, False), ("csv", " " + "c" * 128 + " ", False),
    ("csv", "c" * 129, True), ("jsonl", "c" * 128, False), ("jsonl", " " + "c" * 127, False),
    ("jsonl", " " + "c" * 128, True), ("jsonl", "c" * 129, True),
    ("parquet", " " + "c" * 128, False), ("parquet", "c" * 129, True)])
def test_a_customer_id_the_event_reader_refuses_is_not_pseudonymized(
        tmp_path: Path, fmt: str, cell: str, refused: bool) -> None:
    """128 characters as the reader takes them (a CSV or Parquet cell trimmed, a JSON Lines
    id as written) are read, 129 refused (E005): the 35 characters of its pseudonym would
    make the row readable. Validate says the same of the file."""
    events = tmp_path / f"events.{fmt}"
    if fmt == "parquet":
        pa = pytest.importorskip("pyarrow")
        pq = pytest.importorskip("pyarrow.parquet")
        pq.write_table(pa.table({"event_id": ["r1"], "customer_id": [cell],
                                 "type": ["referral"], "date": ["2020-01-10"]}), events)
    elif fmt == "jsonl":
        events.write_text(json.dumps({"event_id": "r1", "customer_id": cell,
                                      "type": "referral", "date": "2020-01-10"}) + "\n",
                          encoding="utf-8")
    else:
        events.write_text(f"event_id,customer_id,type,date\nr1,{cell},referral,2020-01-10\n",
                          encoding="utf-8")
    out = tmp_path / f"out.{fmt}"
    code, said = _run(str(events), "--key-file", _key(tmp_path), "-o", str(out))
    row = 2 if fmt == "csv" else 1
    if refused:
        assert code == 1 and not out.exists(), said
        assert f"{events}:{row}: E005 a customer id of 129 characters" in said
    else:
        assert code == 0 and out.exists(), said
    read = runner.invoke(app, ["validate", str(DATA.parent.parent / "contracts" /
                                               "tehostettu_tyonvalitys.yaml"), str(events)])
    assert ("E005" in read.stdout + read.stderr) == refused


def test_a_bills_long_customer_id_is_pseudonymized_as_verify_reads_it(tmp_path: Path
                                                                      ) -> None:
    """A bill's reader takes a customer of up to 10,000 characters: so does pseudonymize."""
    head = "customer_id,component,amount\n"
    code, said, written = _one(tmp_path, "bill.csv", head + "c" * 10_000 + ",result,750.00\n",
                               "--bill")
    assert code == 0, said
    assert written == head + pseudonym(KEY, "c" * 10_000) + ",result,750.00\n"


def test_an_output_folder_that_does_not_exist_is_said_so(tmp_path: Path) -> None:
    """-o new/ (or, with several inputs, -o new) was 'cannot write (Not a directory)'."""
    events = tmp_path / "events.csv"
    events.write_text("event_id,customer_id,type,date\nr1,c1,referral,2020-01-10\n",
                      encoding="utf-8")
    more = tmp_path / "more.csv"
    more.write_text("event_id,customer_id,type,date\nr2,c2,referral,2020-01-10\n",
                    encoding="utf-8")
    for output, inputs in [(f"{tmp_path / 'new'}/", [str(events)]),
                           (str(tmp_path / "new"), [str(events), str(more)])]:
        code, said = _run(*inputs, "--key-file", _key(tmp_path), "-o", output)
        assert code == 2 and f"-o {output}: the folder does not exist; make it first" in said
        assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("text", [
    json.dumps({"sections": [{"lines": [{"customer_id": "c1", "evidence": ["c1-e0"]}]}]},
               indent=2),
    json.dumps([{"customer_id": "c1", "component": "result", "amount": "750.00",
                 "evidence": ["c1-e0"]}])])
def test_a_json_bill_given_as_an_event_file_is_told_to_be_given_with_bill(
        tmp_path: Path, text: str) -> None:
    """An indented invoice was 'E010 invalid JSON' of valid JSON; a one-line list was
    pseudonymized as events, its evidence ids left raw."""
    bill = tmp_path / "bill.json"
    bill.write_text(text + "\n", encoding="utf-8")
    for args in (["--check", str(bill)], [str(bill), "--key-file", _key(tmp_path), "-o",
                                          str(tmp_path / "out.json")]):
        code, said = _run(*args)
        assert code == 1 and f"{bill}:1: E010 a JSON document, not JSON Lines (an event " \
            "file has one object per line): if it is a bill, give it with --bill" in said
    assert not (tmp_path / "out.json").exists()
    code, said = _run("--check", "--bill", str(bill))
    assert code == 0, said


CONTRACT = str(Path(__file__).parent.parent / "contracts" / "tehostettu_tyonvalitys.yaml")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_utf16_event_file_is_told_by_its_byte_order_mark(tmp_path: Path, encoding: str
                                                           ) -> None:
    """Excel's "Unicode text" (UTF-16 with a byte-order mark) was 'not UTF-8 (byte 0); name
    its encoding, e.g. --encoding cp1252', which reads garbage; every command that reads
    events now says what it is and what to do, with or without --encoding."""
    events = tmp_path / "events.csv"
    text = "event_id,customer_id,type,date\nr1,c1,referral,2020-01-10\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    events.write_bytes(data)
    name = "UTF-32" if encoding == "utf-32" else "UTF-16"
    told = f"{events}: F003 the file is {name} (its byte-order mark): save it as UTF-8"
    for args in (["validate", CONTRACT, str(events)],
                 ["validate", CONTRACT, str(events), "--encoding", "cp1252"],
                 ["evaluate", CONTRACT, str(events), "--as-of", "2020-06-30"],
                 ["evaluate", CONTRACT, str(events), "--as-of", "2020-06-30", "--jobs", "2"],
                 ["pseudonymize", "--check", str(events)],
                 ["pseudonymize", str(events), "--key-file", _key(tmp_path), "-o",
                  str(tmp_path / "out.csv")]):
        result = runner.invoke(app, args)
        said = result.stdout + result.stderr
        assert result.exit_code == 2 and told in said and "--encoding cp1252" not in said, \
            (args, said)
    assert not (tmp_path / "out.csv").exists()


def test_pseudonymize_says_how_to_name_an_encoding_as_validate_does(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_bytes("event_id,customer_id,type,date\nr1,c1,referral,2020-01-10\n"
                       "r2,c2,referral,2020-01-10,Törmä\n".encode("cp1252"))
    hint = (f"{events}: F003 file is not UTF-8 (byte 84); name its encoding, e.g. --encoding "
            "cp1252 for a spreadsheet's CSV export")
    for args in (["validate", CONTRACT, str(events)], ["pseudonymize", "--check", str(events)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and hint in result.stdout + result.stderr, args


def test_a_json_lines_customer_id_with_spaces_is_the_readers_inside_its_event_ids(
        tmp_path: Path) -> None:
    """The reader keeps " c1 " as written: its pseudonym is of " c1 " (not of c1, which
    the reader tells apart), and it replaces c1 inside the event id, which kept the raw c1."""
    line = {"event_id": "c1-e0", "customer_id": " c1 ", "type": "referral",
            "date": "2020-01-10"}
    code, said, written = _one(tmp_path, "events.jsonl", json.dumps(line) + "\n")
    assert code == 0, said
    ps = pseudonym(KEY, " c1 ")
    assert ps != pseudonym(KEY, "c1")
    assert json.loads(written) == {**line, "event_id": f"{ps}-e0", "customer_id": ps}


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_spell_id_made_from_the_customer_id_is_treated_as_an_event_id(tmp_path: Path,
                                                                         fmt: str) -> None:
    """spell_id (the data owner's grouping) kept the raw customer id and --check did not
    look at it; it is rewritten as the event id is (with no 128-character limit of its
    own), and a personal value in it is E020."""
    rows = [{"event_id": "c1-e0", "customer_id": "c1", "type": "referral",
             "date": "2020-01-10", "spell_id": "KELA/c1/" + "s" * 120},
            {"event_id": "c2-e0", "customer_id": "c2", "type": "referral",
             "date": "2020-01-10", "spell_id": "131052-308T/7"}]
    events = _events_as(tmp_path, fmt, rows)
    code, said = _run("--check", str(events))
    assert code == 1 and "E020 warning: 1 event id holds what looks like a" in said, said
    out = tmp_path / f"out.{fmt}"
    code, said = _run(str(events), "--key-file", _key(tmp_path), "-o", str(out))
    assert code == 0, said
    if fmt == "parquet":
        got = pytest.importorskip("pyarrow.parquet").read_table(out).to_pylist()
    elif fmt == "jsonl":
        got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        got = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    c1 = pseudonym(KEY, "c1")
    assert [r["spell_id"] for r in got] == [f"KELA/{c1}/" + "s" * 120, "131052-308T/7"]
    assert got[0]["event_id"] == f"{c1}-e0"


# --- a run's Parquet event files give their ids to its bills -------------------------------

def _events_as(tmp_path: Path, fmt: str, rows: list[dict[str, str]]) -> Path:
    """The same events as CSV, JSON Lines or Parquet."""
    events = tmp_path / f"events.{fmt}"
    if fmt == "parquet":
        pa = pytest.importorskip("pyarrow")
        pq = pytest.importorskip("pyarrow.parquet")
        pq.write_table(pa.Table.from_pylist(rows), events)
    elif fmt == "jsonl":
        events.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        events.write_text(",".join(rows[0]) + "\n" + "".join(
            ",".join(r.values()) + "\n" for r in rows), encoding="utf-8")
    return events


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_parquet_event_file_gives_its_ids_to_the_bills_of_its_run(tmp_path: Path, fmt: str
                                                                     ) -> None:
    """A pending line's reason names a job its line does not list: with the events as
    Parquet in the same run the bill was refused (E021) where the same events as CSV
    rewrote it; now every format gives its event ids alike, and the outputs are the same."""
    reason = "needs 90 days by 2020-08-24; not counted: job c29-e0 at 0.79 FTE is below 0.80"
    bill = tmp_path / "invoice.json"
    bill.write_text(_pending_bill("c29", reason), encoding="utf-8")
    events = _events_as(tmp_path, fmt, [
        {"event_id": "c29-r", "customer_id": "c29", "type": "referral", "date": "2020-01-10"},
        {"event_id": "c29-e0", "customer_id": "c29", "type": "job_start",
         "date": "2020-05-01"}])
    out = tmp_path / "out"
    out.mkdir()
    code, said = _run(str(events), "--bill", str(bill), "--key-file", _key(tmp_path), "-o",
                      str(out))
    assert code == 0, said
    c29 = pseudonym(KEY, "c29")
    assert (out / "invoice.json").read_text(encoding="utf-8") == _pending_bill(
        c29, reason.replace("c29-e0", f"{c29}-e0"))


def _generated_bill(tmp_path: Path, customers: int) -> tuple[Path, Path, Path]:
    """``customers`` generated (seed 2) as CSV and as Parquet, and their invoice of 2020-06
    as JSON (a dry run): the events, the same as Parquet, and the bill."""
    from rewardengine import api
    pytest.importorskip("pyarrow")
    events, table = tmp_path / "events.csv", tmp_path / "events.parquet"
    result = runner.invoke(app, ["generate", CONTRACT, "-n", str(customers), "--seed", "2",
                                 "-o", str(events)])
    assert result.exit_code == 0, result.output
    with events.open("rb") as source, table.open("wb") as target:
        api.events_to_parquet(source, target)
    ledger, bill = str(tmp_path / "l.sqlite"), tmp_path / "bill.json"
    result = runner.invoke(app, ["invoice", CONTRACT, str(events), "--period", "2020-06",
                                 "--dry-run", "--ledger", ledger, "--new-ledger", "--format",
                                 "json", "-o", str(bill)])
    assert result.exit_code == 0, result.output
    return events, table, bill


def _pseudonymized_with_bill(tmp_path: Path, sources: tuple[Path, ...], bill: Path
                             ) -> dict[str, str]:
    """Each of ``sources`` pseudonymized with ``bill`` in one run (into ``out-<format>``):
    the bill written, by the source's suffix."""
    written = {}
    for source in sources:
        out = tmp_path / f"out-{source.suffix[1:]}"
        out.mkdir()
        code, said = _run(str(source), "--bill", str(bill), "--key-file", _key(tmp_path),
                          "-o", str(out))
        assert code == 0, said
        written[source.suffix] = (out / "bill.json").read_text(encoding="utf-8")
    return written


def _bill_is_right(tmp_path: Path, fmt: str) -> None:
    """``verify`` of the pseudonymized events and bill in ``out-<fmt>`` (with no ledger:
    ``_generated_bill``'s invoice was a dry run) says the bill is right."""
    out = tmp_path / f"out-{fmt}"
    result = runner.invoke(app, ["verify", CONTRACT, str(out / f"events.{fmt}"),
                                 str(out / "bill.json"), "--period", "2020-06", "--no-ledger"])
    assert result.exit_code == 0, result.output
    assert "the bill is right" in result.output


def test_generated_events_as_parquet_pseudonymize_their_invoice_in_one_run(tmp_path: Path
                                                                           ) -> None:
    """generate -> invoice (JSON, with pending lines whose reasons name jobs not counted) ->
    the events as Parquet and the invoice pseudonymized in one run: the bill was refused
    (E021); now it is written as with the events as CSV, and verify says it is right."""
    events, table, bill = _generated_bill(tmp_path, 100)
    # 8 jobs of the service's and 26 earlier jobs, ended before the service started
    assert bill.read_text(encoding="utf-8").count("not counted: job c0") == 34
    written = _pseudonymized_with_bill(tmp_path, (events, table), bill)
    assert written[".parquet"] == written[".csv"]
    assert "not counted: job c0" not in written[".parquet"]
    _bill_is_right(tmp_path, "parquet")


# --- --check sees a phone number glued on to an id with a dash -----------------------------

@pytest.mark.parametrize(("event_id", "phone"), [
    ("x-040 123 4567", True), ("id-+358401234567", True), ("x-0401234567-e0", True),
    ("c1-050-1234567", True), ("x-09 123 4567", True), ("x-0501234567", True),
    ("r-+358 40 123 4567/7", True),
    # near misses: ordinary ids
    ("c0000013-e0", False), ("job-2020-01-15", False), ("K-1234567", False),
    ("h-01-234567", False), ("x-040123", False), ("K-+123456", False),
    ("x-0401234567890", False), ("x-0401234567.5", False), ("x-1040 123 4567", False),
    ("x040 123 4567", False)])
def test_check_sees_a_phone_number_glued_on_to_an_id_with_a_dash(tmp_path: Path,
                                                                 event_id: str, phone: bool
                                                                 ) -> None:
    """--check passed 'x-040 123 4567' and 'id-+358401234567' as ok: the phone shape
    messages use skips a number after a dash (an id such as h-01-234567 is echoed, to be
    found). A mobile, an international or a landline number with a space after its area
    code, glued on with a dash, is now E020; an id that only looks like numbers is not."""
    events = tmp_path / "events.csv"
    events.write_text(f"event_id,customer_id,type,date\n{event_id},{PS},referral,2020-01-10"
                      "\n", encoding="utf-8")
    code, said = _run("--check", str(events))
    if phone:
        assert (code, said.splitlines()) == (1, [
            f"{events}:2: E020 warning: 1 event id holds what looks like a phone number, the "
            "first in row 2; an id should hold no personal data but its own customer id, "
            "which rewardengine pseudonymize replaces"])
    else:
        assert code == 0, said
    assert quoted(event_id) == f"'{event_id}'"  # messages echo it as they did


# --- an invoice's problems name event ids but carry no customer ----------------------------

def _invoice_with_problems(lines: list[dict[str, object]], *messages: str,
                           file: str = "events.csv") -> str:
    """An invoice as the engine writes it (canonical JSON: problems before sections)."""
    problems = [{"code": "V002", "col": None, "file": file, "line": None, "message": m,
                 "row": 2, "severity": "warning"} for m in messages]
    return json.dumps({"problems": problems, "sections": [{"lines": lines, "pending": []}]},
                      indent=2, sort_keys=True)


def test_a_problem_naming_a_customers_event_ids_is_rewritten_by_the_run(tmp_path: Path
                                                                        ) -> None:
    """An invoice's problems (V002 'referral c29-r2 ... is ignored') have no customer, so
    pseudonymize kept the raw ids in their messages. The run's event files say whose ids
    they are: rewritten as in the events (as the engine escapes an id into an occurrence
    too); a customer id alone as a word, in a date or a file's row (customer 12 in
    events.csv:12) is no id; pseudonymized alone, the bill is refused (E021) at the
    problem's line, naming no id (it once kept c29-r2, whose customer has no line)."""
    line = {"customer_id": "c1", "component": "result", "occurrence": "spell:c1-e0:open",
            "amount": "750.00", "reason": "employment c1-e0 reached 90 days",
            "evidence": ["c1-e0"]}
    messages = ["referral c29-r2 on 2020-02-01 is ignored: the first referral (c29-r on "
                "2019-03-29) decides the segment",
                "2 lines of component result share the occurrence 'spell:K%3A1-e0:open', so "
                "only one could be billed; the rows behind them: events.csv:12, events.csv:13",
                "customer 12 cannot be evaluated: no referral by 2020-12-31 (c1-e0 is first)"]
    text = _invoice_with_problems([line], *messages)
    bill = tmp_path / "invoice.json"
    bill.write_text(text, encoding="utf-8")
    events = _events_as(tmp_path, "csv", [
        {"event_id": e, "customer_id": c, "type": "referral", "date": "2020-01-10"}
        for e, c in (("c29-r", "c29"), ("c29-r2", "c29"), ("K:1-e0", "K:1"),
                     ("12-e0", "12"), ("c1-e0", "c1"))])
    out = tmp_path / "out"
    out.mkdir()
    code, said = _run(str(events), "--bill", str(bill), "--key-file", _key(tmp_path), "-o",
                      str(out))
    assert code == 0, said
    c1, c29, k1 = (pseudonym(KEY, c) for c in ("c1", "c29", "K:1"))
    assert json.loads((out / "invoice.json").read_text(encoding="utf-8"))["problems"] == \
        json.loads(_invoice_with_problems([], messages[0].replace("c29-", f"{c29}-"),
                                          messages[1].replace("K%3A1", k1),
                                          messages[2].replace("c1-e0", f"{c1}-e0")))[
                                              "problems"]
    # alone, only c1 is known (its evidence): c29-r2 and K%3A1-e0 could not be rewritten,
    # so the bill is refused rather than written with them
    code, said = _run("--bill", str(bill), "--key-file", _key(tmp_path), "-o",
                      str(tmp_path / "alone.json"))
    assert (code, said.splitlines()[0]) == (1, (
        f"{bill}:8: E021 a problem the bill lists names what may be an id of a customer with "
        "no line on the bill (a word of several parts, as an event id), and no event file in "
        "the run tells whose it is: pseudonymized alone, the bill could keep a raw customer "
        "id there; give the event files in the same run (rewardengine pseudonymize "
        "EVENTS... --bill BILL), whose event ids are then rewritten in the bill too"))
    assert not (tmp_path / "alone.json").exists() and "c29" not in said
    bill.write_text(_invoice_with_problems([{**line, "customer_id": "c29"}], *messages),
                    encoding="utf-8")
    code, said = _run("--bill", str(bill), "--key-file", _key(tmp_path), "-o",
                      str(tmp_path / "refused.json"))
    assert (code, said.splitlines()[0]) == (1, (
        f"{bill}:8: E021 a problem the bill lists names an id of a customer of the run that "
        "no event file of the run holds: pseudonymized, the bill would keep the raw customer "
        "id there; give the event files in the same run (rewardengine pseudonymize "
        "EVENTS... --bill BILL), whose event ids are then rewritten in the bill too"))
    assert not (tmp_path / "refused.json").exists() and "c29" not in said


@pytest.mark.parametrize(("message", "refused"), [
    ("job c29-e9 was not counted", True),  # an id of c29 no event file holds
    ("see c29/x", True), ("(c29-e9)", True), ("c29.7", False),  # a number
    ("customer c29 is late", False), ("by 2020-08-24", False), ("c290-e0", False),
    ("job c29-e0 at 0.79 FTE", False)])  # c29-e0 is known: rewritten
def test_a_problem_that_would_keep_a_raw_customer_id_is_refused(tmp_path: Path, message: str,
                                                                refused: bool) -> None:
    """With the events in the same run, a problem naming an id of a customer of the run
    that is not among the run's event ids is refused; near misses are not."""
    bill = tmp_path / "invoice.json"
    bill.write_text(_invoice_with_problems([], message), encoding="utf-8")
    events = _events_as(tmp_path, "csv", [
        {"event_id": "c29-e0", "customer_id": "c29", "type": "referral",
         "date": "2020-01-10"},
        {"event_id": "2020-r", "customer_id": "2020", "type": "referral",
         "date": "2020-01-10"}])
    out = tmp_path / "out"
    out.mkdir()
    code, said = _run(str(events), "--bill", str(bill), "--key-file", _key(tmp_path), "-o",
                      str(out))
    assert code == (1 if refused else 0), said
    assert ("E021 a problem the bill lists" in said) == refused


@pytest.mark.parametrize(("message", "refused"), [
    ("referral c29-r2 on 2020-02-01 is ignored", True),  # c29 has no line on the bill
    ("service end 29/x is ignored", True), ("(c29_e9)", True), ("a-b", True),
    ("customer c29 is late", False), ("by 2020-08-24", False), ("c29.7 FTE", False),
    ("the rows behind them: events.csv:12", False), ("-c29", False),
    ("job c1-e0 at 0.79 FTE", False)])  # the line's evidence: rewritten
def test_a_bill_alone_never_keeps_a_raw_id_in_its_problems(tmp_path: Path, message: str,
                                                           refused: bool) -> None:
    """Pseudonymized without event files, a bill knows only its lines' customers: a problem
    naming a word of several parts it cannot rewrite (an event id of a customer with no
    line) is refused (E021, exit 1, nothing written, no id said); one naming none is
    written, and then no raw id is left in its bytes."""
    line = {"customer_id": "c1", "component": "result", "occurrence": "spell:c1-e0:open",
            "amount": "750.00", "reason": "employment c1-e0 reached 90 days",
            "evidence": ["c1-e0"]}
    bill = tmp_path / "invoice.json"
    bill.write_text(_invoice_with_problems([line], message), encoding="utf-8")
    out = tmp_path / "out.json"
    code, said = _run("--bill", str(bill), "--key-file", _key(tmp_path), "-o", str(out))
    assert code == (1 if refused else 0), said
    assert (f"{bill}:8: E021 a problem the bill lists names what may be an id of a customer "
            "with no line on the bill" in said) == refused
    assert "c29" not in said and "c1-e0" not in said
    if refused:
        assert not out.exists() and "nothing was written" in said
    else:
        written = out.read_bytes()
        assert b"c1-e0" not in written and b"c29-" not in written and b"c29_" not in written
        assert pseudonym(KEY, "c1").encode() in written


def test_generated_invoices_problems_are_pseudonymized_with_their_events(tmp_path: Path
                                                                         ) -> None:
    """generate -> invoice (JSON; its problems name ignored referrals, c0000029-r2) -> the
    events (CSV, and Parquet) and the invoice pseudonymized in one run: no raw customer id
    is left anywhere in the bill (its problems kept them), and verify says it is right."""
    events, table, bill = _generated_bill(tmp_path, 300)
    problems = json.loads(bill.read_text(encoding="utf-8"))["problems"]
    assert [p["message"].split(" on ")[0] for p in problems] == [
        f"referral c0000{n}-r2" for n in ("029", "048", "103", "153", "168", "183", "184",
                                          "199")]
    raw = {row["customer_id"] for row in csv.DictReader(events.open(encoding="utf-8"))}
    written = _pseudonymized_with_bill(tmp_path, (events, table), bill)
    assert written[".parquet"] == written[".csv"]
    assert not [r for r in raw if r in written[".csv"]]
    c29 = pseudonym(KEY, "c0000029")
    assert json.loads(written[".csv"])["problems"][0]["message"] == \
        problems[0]["message"].replace("c0000029-", f"{c29}-")
    _bill_is_right(tmp_path, "csv")
