"""Finnish decimal commas in a cohort's flow mapping where a number's decimals repeat: YAML
reads ``{a: 0,5, b: 0,5}`` as ``a: 0``, a key ``5``, ``b: 0`` and the key ``5`` again, and the
file said a bare ``Y005 duplicate key '5'`` and that the cohort names ``5`` (G104)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.cohort import load_cohort_text

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _said(text: str) -> list[tuple[str, int | None, int | None, str]]:
    found = load_cohort_text(text, "c.yaml")
    assert found.cohort is None
    return [(p.code, p.source.line, p.source.col, p.message) for p in found.problems]


def test_each_repeated_decimal_comma_is_said_at_its_value() -> None:
    assert _said("segments: {group_1: 0,5, group_2: 0,5}\n") == [
        ("G103", 1, 21, "segments.group_1: 0,5 has a decimal comma, which YAML reads as two "
         "entries; write 0.5"),
        ("G103", 1, 35, "segments.group_2: 0,5 has a decimal comma, which YAML reads as two "
         "entries; write 0.5")]


def test_three_shares_two_alike_on_a_later_line() -> None:
    text = "id: c\nprofiles:\n  default:\n    jobs: {evidence: {register: 0,3, employer: 0,4, " \
           "te_office: 0,3}}\n"
    said = _said(text)
    assert [(code, line) for code, line, _, _ in said] == [("G103", 4)] * 3
    assert said[2][3] == ("profiles.default.jobs.evidence.te_office: 0,3 has a decimal comma, "
                          "which YAML reads as two entries; write 0.3")


def test_a_real_duplicate_key_is_still_said() -> None:
    assert "Y005" in [p[0] for p in _said("segments: {group_1: 0.5, group_1: 0.5}\n")]
    # a key of digits given twice, not after a number: no decimals of anything
    assert "Y005" in [p[0] for p in _said("segments: {a: 1, 5: 2, 5: 3}\n")]


def test_simulate_names_no_segment_the_contract_lacks(tmp_path: Path) -> None:
    cohort = tmp_path / "c.yaml"
    cohort.write_text("segments: {group_1: 0,5, group_2: 0,5}\n", encoding="utf-8")
    done = runner.invoke(app, ["simulate", str(ROOT / "contracts" / "palvelumanageri.yaml"),
                               "--cohort", str(cohort), "--runs", "1", "-n", "5"])
    assert done.exit_code == 1
    assert "G104" not in done.output and "Y005" not in done.output
    assert done.output.count("G103") == 2


def test_quoted_keys_split_alike() -> None:
    """A quoted key (``"group_2": 0,5``) is the same key: its decimals are a G103 at its value,
    not a bare duplicate key ``5``."""
    said = _said('segments: {"group_1": 0,5, \'group_2\': 0,5}\n')
    assert [(code, line, col) for code, line, col, _ in said] == [("G103", 1, 23),
                                                                 ("G103", 1, 39)]
    assert said[1][3].startswith("segments.group_2: 0,5 has a decimal comma")


def test_a_comma_that_may_stand_between_thousands_is_said_both_ways() -> None:
    # size: 1,000 was told "write 1.000", a size of 1 (a review found it)
    assert _said("referrals:\n  size: 1,000\n") == [
        ("G103", 2, 9, "referrals.size: '1,000' has a comma; write 1000 for a whole number, "
         "or 1.000 for decimals")]
    assert _said("referrals:\n  size: 30,000,000\n") == [
        ("G103", 2, 9, "referrals.size: '30,000,000' has commas between thousands; write "
         "30000000")]
    assert _said("referrals: {size: 1,000}\n") == [
        ("G103", 1, 19, "referrals.size: 1,000 has a comma, which YAML reads as two entries; "
         "write 1000 for a whole number, or 1.000 for decimals")]
    # a decimal comma with other than three decimals is only a decimal comma
    assert _said("referrals:\n  size: 1,5\n")[0][3] == ("referrals.size: '1,5' has a decimal "
                                                       "comma; write 1.5")


def test_a_key_written_twice_with_a_decimal_comma_is_said_once() -> None:
    """``{a: 0,5, a: 0,5}``: the first ``a``'s decimals are a key ``5`` and the second's the
    same key again; both told ``a``'s decimal comma, at the first ``a`` (it was said twice).
    Once, and the key written twice is said where it is written again."""
    told = ("G103", 1, 21, "segments.group_1: 0,5 has a decimal comma, which YAML reads as "
            "two entries; write 0.5")
    twice = ("Y005", 1, 26, "duplicate key 'group_1'")
    assert _said("segments: {group_1: 0,5, group_1: 0,5}\n") == [told, twice]
    # a number with its decimals split off twice
    assert _said("segments: {group_1: 0,5,5, group_1: 0,5}\n")[0] == told
    assert [p[0] for p in _said("segments: {group_1: 0,5,5, group_1: 0,5}\n")] == [
        "G103", "Y005", "Y005"]
    # the second with other decimals is said as the duplicate key, not at the first's place
    assert _said("segments: {group_1: 1,5, group_1: 2,5}\n") == [
        ("G103", 1, 21, "segments.group_1: 1,5 has a decimal comma, which YAML reads as two "
         "entries; write 1.5"), twice]
    # a share of 0,25 told twice, the second key's split once
    said = _said("profiles:\n  default:\n    jobs: {evidence: {register: 0,25, employer: "
                 "0,25, employer: 0,25}}\n")
    assert [(code, line, col) for code, line, col, _ in said] == [
        ("G103", 3, 33), ("G103", 3, 49), ("Y005", 3, 55)]


def test_what_a_repeated_split_number_is_read_as_is_not_said_beside_it() -> None:
    # the second 1.200,00 was also said to be 1.200, not between 0 and 1, at the same place
    assert _said("segments: {group_1: 1.200,00, group_2: 1.200,00}\n") == [
        ("G103", 1, 21, "segments.group_1: 1.200,00 has a decimal comma, which YAML reads as "
         "two entries; write 1200.00"),
        ("G103", 1, 40, "segments.group_2: 1.200,00 has a decimal comma, which YAML reads as "
         "two entries; write 1200.00")]
