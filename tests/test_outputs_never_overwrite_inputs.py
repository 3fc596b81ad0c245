"""An output never overwrites what the command reads (its contract, events, cohort or bill),
two outputs of one command never name one file, and a ledger's journal is never an output:
each is refused before any work (exit 2), the file left as it was."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "tehostettu_tyonvalitys"
runner = CliRunner()


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, str]:
    shutil.copy(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml", tmp_path / "c.yaml")
    shutil.copy(EXAMPLE / "events.csv", tmp_path / "events.csv")
    (tmp_path / "cohort.yaml").write_text("referrals: {size: 20}\n", encoding="utf-8")
    (tmp_path / "bill.csv").write_text("customer,component,occurrence,amount\n",
                                       encoding="utf-8")
    return {name: str(tmp_path / name)
            for name in ("c.yaml", "events.csv", "cohort.yaml", "bill.csv")}


def _cases(f: dict[str, str]) -> list[tuple[list[str], str, str]]:
    """(arguments, the input the output would overwrite, the option naming it)."""
    c, ev = f["c.yaml"], f["events.csv"]
    as_of = ["--as-of", "2020-06-30"]
    return [
        (["evaluate", c, ev, *as_of, "-f", "csv", "-o", ev], ev, "--output"),
        (["evaluate", c, ev, *as_of, "-o", c], c, "--output"),
        (["cohort", "fit", c, ev, "-o", ev], ev, "--output"),
        (["forecast", c, ev, *as_of, "--runs", "2", "-o", ev], ev, "--output"),
        (["forecast", c, ev, *as_of, "--runs", "2", "--report", ev], ev, "--report"),
        (["forecast", c, ev, *as_of, "--runs", "2", "--cohort", f["cohort.yaml"],
          "--report", f["cohort.yaml"]], f["cohort.yaml"], "--report"),
        (["simulate", c, "--runs", "2", "--from-events", ev, "-o", ev], ev, "--output"),
        (["simulate", c, "--runs", "2", "--cohort", f["cohort.yaml"], "--report",
          f["cohort.yaml"]], f["cohort.yaml"], "--report"),
        (["generate", c, "-n", "5", "--cohort", f["cohort.yaml"], "-o", f["cohort.yaml"]],
         f["cohort.yaml"], "--output"),
        (["generate", c, "-n", "5", "-o", c], c, "--output"),
        (["simulate", c, "--runs", "2", "-n", "5", "--compare", f["cohort.yaml"], "-o",
          f["cohort.yaml"]], f["cohort.yaml"], "--output"),
        (["forecast", c, ev, *as_of, "--runs", "2", "--from-events", ev, "-o", ev], ev,
         "--output"),
        (["invoice", "issue", c, ev, "--period", "2020-06", "--dry-run", "--ledger",
          str(Path(ev).with_name("l.sqlite")), "-o", ev], ev, "--output"),
        (["verify", c, ev, f["bill.csv"], "--period", "2020-06", "--ledger",
          str(Path(ev).with_name("l.sqlite")), "-o", f["bill.csv"]], f["bill.csv"],
         "--output"),
    ]


def _spelt(path: str, how: str, tmp_path: Path) -> str:
    """``path`` named another way: as given, relative with ``./``, through ``..``, by a
    symbolic link."""
    if how == "relative":
        return os.path.relpath(path)
    if how == "dotdot":
        return str(Path(path).parent / ".." / Path(path).parent.name / Path(path).name)
    if how == "link":
        link = tmp_path / f"link-{Path(path).name}"
        link.symlink_to(path)
        return str(link)
    return path


@pytest.mark.parametrize("how", ["as given", "relative", "dotdot", "link"])
def test_an_output_never_overwrites_an_input(inputs: dict[str, str], tmp_path: Path,
                                             how: str) -> None:
    for args, victim, option in _cases(inputs):
        before = Path(victim).read_bytes()
        at = args.index(victim, args.index(option) if option in args else
                        args.index("-o"))  # the output's own mention
        named = _spelt(victim, how, tmp_path)
        done = runner.invoke(app, [*args[:at], named, *args[at + 1:]])
        assert done.exit_code == 2, (args, done.output)
        assert f"{option} {named} is an input of this command" in done.output, done.output
        assert "Traceback" not in done.output
        assert Path(victim).read_bytes() == before, args
        if how == "link":
            Path(named).unlink()


def test_two_outputs_of_one_command_never_name_one_file(inputs: dict[str, str],
                                                        tmp_path: Path) -> None:
    page = str(tmp_path / "same.html")
    for args in (["forecast", inputs["c.yaml"], inputs["events.csv"], "--as-of",
                  "2020-06-30", "--runs", "2"],
                 ["simulate", inputs["c.yaml"], "--runs", "2", "-n", "5"]):
        done = runner.invoke(app, [*args, "-o", page, "--report", page])
        assert done.exit_code == 2, done.output
        assert "--output and --report name the same file" in done.output
        assert not Path(page).exists()


@pytest.mark.parametrize("option", ["--output", "--report"])
def test_a_report_that_cannot_be_written_names_its_own_option(tmp_path: Path,
                                                              option: str) -> None:
    contract = str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml")
    done = runner.invoke(app, ["simulate", contract, "--runs", "2", "-n", "5", option,
                               str(tmp_path)])
    assert done.exit_code == 2
    assert f"{option} {tmp_path}: is a folder" in done.output
    missing = tmp_path / "no" / "r.html"
    done = runner.invoke(app, ["simulate", contract, "--runs", "2", "-n", "5", option,
                               str(missing)])
    assert done.exit_code == 2 and f"{option} {missing}: the folder" in done.output


@pytest.mark.parametrize("head", [b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83",
                                  b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"])
def test_a_ledgers_journal_is_never_an_output(tmp_path: Path, head: bytes) -> None:
    journal = tmp_path / "some-name"
    journal.write_bytes(head + bytes(40))
    done = runner.invoke(app, ["evaluate", str(ROOT / "contracts" /
                                               "tehostettu_tyonvalitys.yaml"),
                               str(EXAMPLE / "events.csv"), "--as-of", "2020-06-30",
                               "-f", "json", "-o", str(journal)])
    assert done.exit_code == 2
    assert "is a SQLite journal (a ledger's?)" in done.output
    assert journal.read_bytes() == head + bytes(40)


@pytest.mark.parametrize("part", ["-wal", "-shm", "-journal"])
def test_a_file_named_as_a_databases_beside_it_is_never_an_output(tmp_path: Path,
                                                                   part: str) -> None:
    ledger = tmp_path / "ledger.sqlite"
    sqlite3.connect(ledger).execute("create table t (x)").connection.close()
    beside = tmp_path / f"ledger.sqlite{part}"  # not there yet, or empty after a checkpoint
    done = runner.invoke(app, ["cohort-schema", "-o", str(beside)])
    assert done.exit_code == 2, done.output
    assert "is named as a file of the SQLite database" in done.output
    assert not beside.exists()
    plain = tmp_path / f"notes{part}"  # the same ending beside no database: an output
    assert runner.invoke(app, ["cohort-schema", "-o", str(plain)]).exit_code == 0


def test_a_shared_memory_index_is_never_an_output(tmp_path: Path) -> None:
    index = tmp_path / "x"
    index.write_bytes(b"\x18\xe2\x2d\x00" + bytes(60))
    done = runner.invoke(app, ["cohort-schema", "-o", str(index)])
    assert done.exit_code == 2 and "SQLite journal" in done.output


def test_cohort_schema_never_overwrites_a_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "copy.sqlite"
    sqlite3.connect(ledger).execute("create table t (x)").connection.close()
    before = ledger.read_bytes()
    done = runner.invoke(app, ["cohort-schema", "-o", str(ledger)])
    assert done.exit_code == 2 and "SQLite database" in done.output
    assert ledger.read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_written_through_never_replaced_nor_read(tmp_path: Path) -> None:
    """A device, a pipe or a terminal given as the output (``/dev/stdout``, a named pipe)
    gets the bytes; it is never replaced by a file, nor opened for reading (a pipe would
    wait for a writer for ever)."""
    import threading

    contract = str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml")
    events = str(EXAMPLE / "events.csv")
    shown = runner.invoke(app, ["cohort", "fit", contract, events])
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()), daemon=True)
    reader.start()
    done = runner.invoke(app, ["cohort", "fit", contract, events, "-o", str(pipe)])
    reader.join(timeout=30)
    assert done.exit_code == 0, done.output
    assert got == [shown.stdout.encode("utf-8")]
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)  # still the pipe
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # nothing left beside it


def test_a_link_is_followed_to_the_file_it_names(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "schema.json"
    target.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    done = runner.invoke(app, ["cohort-schema", "-o", str(link)])
    assert done.exit_code == 0, done.output
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text().startswith("{")
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["schema.json"]


def test_a_file_taken_for_a_folder_is_said_to_be_one(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    done = runner.invoke(app, ["cohort-schema", "-o", str(plain / "out.json")])
    assert done.exit_code == 2
    assert f"{plain} is a file, not a folder" in done.output


@pytest.mark.parametrize("option", ["--output", "--report"])
def test_a_folder_that_is_not_there_is_never_written_as_a_file(tmp_path: Path,
                                                                option: str) -> None:
    # "-o nodir/" wrote a file named nodir
    contract = str(Path(__file__).resolve().parent.parent / "contracts"
                   / "tehostettu_tyonvalitys.yaml")
    where = f"{tmp_path / 'nodir'}/"
    done = runner.invoke(app, ["simulate", contract, "-n", "5", "--runs", "2", option, where])
    assert done.exit_code == 2, done.output
    assert "no such folder, and an output is a file; give a file name" in " ".join(
        done.output.split())
    assert not (tmp_path / "nodir").exists()
