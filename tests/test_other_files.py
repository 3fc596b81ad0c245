"""A workbook or a ledger given as an event file is named for what it is.

An invoice checker's trial: both got "file is not UTF-8 ... e.g. --encoding cp1252", and the
advice followed gave "file is not cp1252" (the bill reader already named them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from typer.testing import CliRunner

from rewardengine.cli import app

ROOT = Path(__file__).resolve().parent.parent
C = str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml")
WORKBOOK = ("F003 the file is an Excel workbook (or another ZIP file), not a CSV file: save its "
            "sheet as CSV UTF-8 and give that")
LEDGER = "F003 the file is a SQLite database (a ledger?), not an event file"


def _workbook(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet().write(0, 0, "event_id")
    book.close()
    return path


def _ledger(path: Path) -> Path:
    path.write_bytes(b"SQLite format 3\x00" + bytes(200))
    return path


@pytest.mark.parametrize(("make", "said"), [(_workbook, WORKBOOK), (_ledger, LEDGER)])
@pytest.mark.parametrize("options", [[], ["--encoding", "cp1252"]])
def test_a_workbook_or_a_ledger_is_named(make: object, said: str, options: list[str],
                                         tmp_path: Path) -> None:
    events = make(tmp_path / "events.csv")  # type: ignore[operator]
    for command in (["validate", C, str(events)],
                    ["evaluate", C, str(events), "--as-of", "2020-06-30"]):
        done = CliRunner().invoke(app, [*command, *options])
        assert done.exit_code == 2
        assert f"{events}: {said}" in " ".join(done.output.split())
