"""Every command's JSON output equals the library's result for the same inputs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from rewardengine import api
from rewardengine.cli import app
from rewardengine.jsonout import canonical_json

ROOT = Path(__file__).resolve().parent.parent
C = str(ROOT / "contracts" / "omavalmentaja.yaml")
E = str(ROOT / "examples" / "omavalmentaja" / "events.csv")
AS_OF = (ROOT / "examples" / "omavalmentaja" / "as_of.txt").read_text().strip()
runner = CliRunner()


def test_evaluate_json_is_the_evaluation() -> None:
    ev, _ = api.run_evaluation(C, [E], date.fromisoformat(AS_OF))
    assert ev is not None
    out = runner.invoke(app, ["evaluate", C, E, "--as-of", AS_OF, "--format", "json"])
    assert out.stdout == canonical_json(ev.to_dict())


def test_explain_json_is_the_explanation_tree() -> None:
    x, _, _ = api.explain_customer(C, [E], "O01", date.fromisoformat(AS_OF))
    assert x is not None
    out = runner.invoke(app, ["explain", C, E, "--customer", "O01", "--as-of", AS_OF,
                              "--format", "json"])
    assert out.exit_code == 0
    assert out.stdout == canonical_json(x.to_dict())
    data = json.loads(out.stdout)
    result = next(c for c in data["components"] if c["id"] == "employment_condition")
    # the trace: the rule as applied, and each calendar week it looked at
    assert result["trace"]["rules"][0].startswith("26 qualifying calendar weeks with at least "
                                                  "18 h of work")
    assert {s["what"] for s in result["trace"]["steps"]} == {"week"}
    # line <- clause <- events with their recorded dates
    line = result["lines"][0]
    assert line["clause"].startswith("omavalmentaja.yaml:")
    job = line["evidence"][0]
    assert job == {"event_id": "O01-E1", "type": "employment", "date": "2020-02-03",
                   "recorded": "2020-03-10", "state": "live",
                   "details": "hours_per_week=37.5, kind=open, evidence=register, recorded "
                              "2020-03-10",
                   "source": f"{E}:10"}


def test_validate_json_is_the_problems(tmp_path: Path) -> None:
    inputs = api.load_inputs(C, [E], with_lint=True)
    out = runner.invoke(app, ["validate", C, E, "--format", "json"])
    assert json.loads(out.stdout) == {"ok": True,
                                      "problems": [p.to_dict() for p in inputs.problems],
                                      "skipped": []}


def test_invoice_json_is_the_invoice(tmp_path: Path) -> None:
    period = api.billing_period("2020-03", None, None)
    result, _ = api.issue_invoice(C, [E], period, ledger_path=str(tmp_path / "a.sqlite"),
                                  provider="coach_a", new_ledger=True)
    assert result is not None and result.invoice is not None
    out = runner.invoke(app, ["invoice", C, E, "--period", "2020-03", "--provider", "coach_a",
                              "--ledger", str(tmp_path / "b.sqlite"), "--new-ledger"])
    assert out.exit_code == 0
    assert out.stdout == canonical_json(result.invoice.to_dict())


def test_invoice_json_written_to_a_file_is_the_invoice(tmp_path: Path) -> None:
    """Written to its file as it is made (a first invoice of a large cohort is never held
    whole as text): the same bytes."""
    period = api.billing_period("2020-03", None, None)
    result, _ = api.issue_invoice(C, [E], period, ledger_path=str(tmp_path / "a.sqlite"),
                                  provider="coach_a", new_ledger=True)
    assert result is not None and result.invoice is not None
    written = tmp_path / "invoice.json"
    out = runner.invoke(app, ["invoice", C, E, "--period", "2020-03", "--provider", "coach_a",
                              "--ledger", str(tmp_path / "b.sqlite"), "--new-ledger",
                              "--format", "json", "-o", str(written)])
    assert out.exit_code == 0
    assert written.read_bytes() == canonical_json(result.invoice.to_dict()).encode("utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_escaping_skips_only_text_with_nothing_to_escape() -> None:
    """``jsonout.json_escaped`` returns printable text as it is: every character the
    escaping pattern matches is one ``str.isprintable`` refuses, so the shortcut never skips
    one; and it gives what ``printable.json_escaped`` gives, hostile text included."""
    import sys

    from rewardengine import jsonout, printable

    matched = [c for c in map(chr, range(sys.maxunicode + 1)) if printable.UNSAFE.match(c)]
    assert len(matched) > 60 and not any(c.isprintable() for c in matched)
    for text in ['{"a":"plain"}\n', '{"a":"Työ ä"}\n', '"\u202e"', '"\x85x"', '"a\x7f"',
                 '"tab\there"', '"\u2066\u2069"', "", "\n\n", '"\u00a0"', '"\ud800"']:
        assert jsonout.json_escaped(text) == printable.json_escaped(text)
