"""A cohort file's problems in the words of its users (providers and procurement officers
who write cohort YAML by hand): each says what was wrong, where (its line) and how to write
it, every one at once, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardengine.cli import app
from rewardengine.cohort import load_cohort_text

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
FORMS = ("write a number, or one of fixed: 12, uniform: [low, high], normal: {mean, sd}, "
         "lognormal: {median, sigma}, exponential: {mean}, poisson: {mean}, "
         "empirical: [q0, q5, ..., q100]")


def _said(text: str) -> list[str]:
    found = load_cohort_text(text, "c.yaml")
    assert found.cohort is None
    return [str(p) for p in found.problems]


def _service(line: str) -> str:
    return f"profiles:\n  default:\n    service:\n      {line}\n"


def test_a_plain_word_where_a_distribution_is_expected_says_what_one_is() -> None:
    # it said "expected a mapping of keys and values"; the example is the key's own default
    assert _said(_service("contacts_per_month: x")) == [
        "c.yaml:4:27: G103 profiles.default.service.contacts_per_month: 'x' is not a "
        f"distribution; {FORMS}, e.g. {{poisson: {{mean: 1.5}}, max: 8}}"]
    assert _said(_service("contacts_per_month:")) == [
        "c.yaml:4:26: G103 profiles.default.service.contacts_per_month: is empty; "
        f"{FORMS}, e.g. {{poisson: {{mean: 1.5}}, max: 8}}"]


@pytest.mark.parametrize(("written", "code", "got"), [
    ("[5]", "G101", "1 number"), ("[]", "G101", "0 numbers"), ("[1, 2, 3]", "G103", "3 numbers"),
    ("5", "G103", "'5'"), ("{low: 1, high: 5}", "G103", "a mapping")])
def test_uniform_takes_two_numbers(written: str, code: str, got: str) -> None:
    # [5] said "missing required key '1'"; [] said it twice
    assert _said(_service(f"days_to_start: {{uniform: {written}}}")) == [
        f"c.yaml:4:32: {code} profiles.default.service.days_to_start: uniform takes two "
        f"numbers [low, high], got {got}; e.g. {{uniform: [1, 21]}}"]
    assert _said(_service("days_to_start: {uniform: [a, 5]}")) == [
        "c.yaml:4:32: G103 profiles.default.service.days_to_start: uniform low: 'a' is not "
        "a number; write it like 12 or 1234.5"]
    assert _said(_service("days_to_start: {uniform: [9, 5]}")) == [
        "c.yaml:4:22: G103 profiles.default.service.days_to_start: uniform: the low end is "
        "above the high end; e.g. {uniform: [1, 21]}"]


def test_every_form_with_a_fixed_number_of_parameters_names_them() -> None:
    jobs = "profiles:\n  default:\n    jobs:\n      wage: {}\n"
    wage = "profiles.default.jobs.wage"
    eg = "e.g. {normal: {mean: 2300, sd: 600}, min: 600, max: 8000}"
    assert _said(jobs.format("{normal: {mean: 2300}}")) == [
        f"c.yaml:4:22: G101 {wage}: normal takes {{mean, sd}}: sd is missing; {eg}"]
    assert _said(jobs.format("{normal: {mean: 2300, sd: 8, sigma: 1}}")) == [
        f"c.yaml:4:42: G102 {wage}: normal takes {{mean, sd}}: 'sigma' is not one of them; "
        f"{eg}"]
    assert _said(jobs.format("{normal: [2300, 600]}")) == [
        f"c.yaml:4:22: G103 {wage}: normal takes {{mean, sd}}, not a list; write normal: "
        "{mean: 2300, sd: 600}"]
    assert _said(jobs.format("{lognormal: {mean: 2300, sigma: 0.5}}")) == [
        f"c.yaml:4:25: G101 {wage}: lognormal takes {{median, sigma}}: median is missing; "
        "e.g. {lognormal: {median: 150, sigma: 0.9}}",
        f"c.yaml:4:26: G102 {wage}: lognormal takes {{median, sigma}}: 'mean' is not one "
        "of them; e.g. {lognormal: {median: 150, sigma: 0.9}}"]
    assert _said(_service("contacts_per_month: {poisson: 2}")) == [
        "c.yaml:4:37: G103 profiles.default.service.contacts_per_month: poisson takes "
        "{mean}; write poisson: {mean: 2}"]


def test_a_negative_mean_or_spread_says_what_it_must_be() -> None:
    jobs = "profiles:\n  default:\n    jobs:\n      {}\n"
    assert _said(jobs.format("days_to_first: {exponential: {mean: -3}}")) == [
        "c.yaml:4:36: G103 profiles.default.jobs.days_to_first: the mean of exponential "
        "is '-3'; it must be 0 or more, e.g. {exponential: {mean: 120}, max: 900}"]
    # on the boundary: a mean of 0 is taken, a median of 0 is not
    ok = load_cohort_text(jobs.format("days_to_first: {exponential: {mean: 0}}"), "c.yaml")
    assert ok.cohort is not None and ok.problems == []
    assert _said(jobs.format("length_days: {lognormal: {median: 0, sigma: 1}}")) == [
        "c.yaml:4:32: G103 profiles.default.jobs.length_days: the median of lognormal is "
        "'0'; it must be above 0, e.g. {lognormal: {median: 150, sigma: 0.9}, min: 7, "
        "max: 1500}"]


def test_a_finnish_decimal_comma_is_said_as_one() -> None:
    # in a flow mapping YAML reads {fixed: 1.200,00} as fixed: 1.200 and a key 00: it said
    # "unknown key '00'" (and would have drawn 1.2)
    benefits = "profiles:\n  default:\n    benefits:\n      daily_amount: {}\n"
    assert _said(benefits.format("{fixed: 1.200,00}")) == [
        "c.yaml:4:29: G103 profiles.default.benefits.daily_amount.fixed: 1.200,00 has a "
        "decimal comma, which YAML reads as two entries; write 1200.00"]
    assert _said(benefits.format("{fixed: 37,21}")) == [
        "c.yaml:4:29: G103 profiles.default.benefits.daily_amount.fixed: 37,21 has a "
        "decimal comma, which YAML reads as two entries; write 37.21"]
    # outside a flow mapping it is one text: said as well
    assert _said(benefits.format("1.200,00")) == [
        "c.yaml:4:21: G103 profiles.default.benefits.daily_amount: '1.200,00' has a "
        "decimal comma; write 1200.00"]
    assert _said("profiles: {default: {jobs: {share: 0,5}}}\n") == [
        "c.yaml:1:36: G103 profiles.default.jobs.share: 0,5 has a decimal comma, which YAML "
        "reads as two entries; write 0.5"]
    assert _said("profiles:\n  default:\n    jobs:\n      share: 0,5\n") == [
        "c.yaml:4:14: G103 profiles.default.jobs.share: '0,5' has a decimal comma; "
        "write 0.5"]


def test_a_misspelt_distribution_or_key_says_what_was_meant() -> None:
    assert _said(_service("contacts_per_month: {poison: {mean: 2}}")) == [
        "c.yaml:4:28: G102 profiles.default.service.contacts_per_month: unknown "
        f"distribution 'poison' (did you mean 'poisson'?); {FORMS}, clamped by min and max "
        "if need be"]
    assert _said("referral: {size: 3}\nprofiles: {default: {service: {start: 0.3}}}\n") == [
        "c.yaml:1:1: G102 unknown key 'referral' (did you mean 'referrals'?)",
        "c.yaml:2:32: G102 unknown key 'start' (did you mean 'starts'?)"]


def test_a_chance_outside_0_to_1_says_how_a_share_is_written() -> None:
    said = "is not between 0 and 1; a share or a chance is written from 0 to 1 (55 % is 0.55)"
    assert _said("profiles: {default: {service: {responds: 1.5}}}\n") == [
        f"c.yaml:1:42: G103 profiles.default.service.responds: 1.5 {said}"]
    assert _said("profiles: {default: {service: {responds: 1.01}}}\n") == [
        f"c.yaml:1:42: G103 profiles.default.service.responds: 1.01 {said}"]
    ok = load_cohort_text("profiles: {default: {service: {responds: 1.00}}}\n", "c.yaml")
    assert ok.cohort is not None and ok.problems == []


def test_numbers_that_are_not_finite_are_refused() -> None:
    # a plain nan was taken as a fixed value, and 1e400 as infinity, and drawn
    assert _said("profiles: {default: {jobs: {wage: nan}}}\n")[0].startswith(
        "c.yaml:1:35: G103 profiles.default.jobs.wage: 'nan' is not a distribution;")
    assert _said("profiles: {default: {jobs: {wage: {empirical: [1, 1e400]}}}}\n") == [
        "c.yaml:1:35: G103 profiles.default.jobs.wage: empirical: a number that is not "
        "finite (inf or nan); e.g. {empirical: [0, 10, 30, 90]}"]
    assert _said("profiles: {default: {jobs: {wage: {fixed: 3, max: nan}}}}\n") == [
        "c.yaml:1:35: G103 profiles.default.jobs.wage: min and max are numbers (or left "
        "out), not nan"]


def test_a_mix_of_shares_that_does_not_add_up() -> None:
    found = load_cohort_text("segments: {group_1: 0.5, group_2: 0.3, group_3: 0.3}\n"
                             "profiles:\n  default:\n    jobs:\n"
                             "      evidence: {register: 0.5, employer: 0.2}\n", "c.yaml")
    assert found.cohort is not None  # taken in proportion, as documented: a warning
    assert [str(p) for p in found.problems] == [
        "c.yaml:1:11: G107 warning: segments: the shares add up to 1.1, not 1; they are "
        "taken in proportion (group_1 45.5 %, group_2 27.3 %, group_3 27.3 %); write shares "
        "that add up to 1",
        "c.yaml:5:17: G107 warning: profiles.default.jobs.evidence: the shares add up to "
        "0.7, not 1; they are taken in proportion (register 71.4 %, employer 28.6 %); write "
        "shares that add up to 1"]
    # off by the rounding of a fitted cohort's four places: adds up; by more: said
    near = load_cohort_text("providers: {a: 0.3333, b: 0.3333, c: 0.3333}\n", "c.yaml")
    assert near.cohort is not None and near.problems == []
    on = load_cohort_text("providers: {a: 0.333, b: 0.333, c: 0.333}\n", "c.yaml")
    assert on.cohort is not None and on.problems == []  # 0.001 off, exactly on the slack
    off = load_cohort_text("providers: {a: 0.333, b: 0.333, c: 0.3329}\n", "c.yaml")
    assert [p.code for p in off.problems] == ["G107"]
    # adding up to 0 draws nobody from it (everyone went to the last): an error
    assert _said("providers: {a: 0, b: 0}\n") == [
        "c.yaml:1:12: G103 providers: the shares add up to 0, so none can be drawn; give "
        "at least one a share above 0"]


def test_every_problem_at_once_in_the_order_of_the_file_and_the_exit_codes(
        tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text("profiles:\n  default:\n    service:\n      contacts_per_month: x\n"
                   "    jobz: 1\n    jobs:\n      share: 1.5\n      wage: {fixed: 1.200,00}\n",
                   encoding="utf-8")
    contract = str(ROOT / "contracts" / "tehostettu_tyonvalitys.yaml")
    done = runner.invoke(app, ["simulate", contract, "--cohort", str(bad), "--runs", "2"])
    assert done.exit_code == 1 and "Traceback" not in done.output
    lines = [" ".join(line.split()) for line in done.stderr.splitlines() if ": G10" in line]
    assert [line.split(": G")[0].rsplit(":", 2)[1] for line in lines] == ["4", "5", "7", "8"]
    out = tmp_path / "e.csv"
    made = runner.invoke(app, ["generate", contract, "-n", "3", "-o", str(out),
                               "--cohort", str(bad)])
    assert made.exit_code == 1 and not out.exists()
    # a cohort file that cannot be read: exit 2 (generate said 1)
    bad.write_bytes(b"\xff\xfe")
    made = runner.invoke(app, ["generate", contract, "-n", "3", "-o", str(out),
                               "--cohort", str(bad)])
    assert made.exit_code == 2 and "F003" in made.output


LONG = "ö" * 900


@pytest.mark.parametrize("text", [
    f"profiles:\n  {LONG}:\n    jobs:\n      share: 2\n",
    f"profiles:\n  default:\n    jobs:\n      evidence:\n        {LONG}: 0.5\n",
    f"profiles:\n  {LONG}:\n    jobs:\n      length_days: {{fixed: 1.200,00}}\n",
    "profiles:\n  default:\n    jobs:\n      share: 1" + "0" * 400 + "\n",
    "profiles:\n  default:\n    jobs:\n      share: 131052-308T\n",
])
def test_a_message_echoes_a_long_key_or_value_only_briefly(text: str) -> None:
    """A profile name, a key or a number of hundreds of characters was echoed whole."""
    said = _said(text)
    assert said and all(len(s) < 400 and "131052" not in s for s in said)


def test_g104_names_a_long_or_personal_name_briefly() -> None:
    from rewardengine.forecast.commands import lacking_names
    from rewardengine.pipeline import load_contract
    loaded, _ = load_contract(str(ROOT / "contracts" / "omavalmentaja.yaml"))
    assert loaded is not None
    found = load_cohort_text(f"segments:\n  {LONG}: 1\nproviders:\n  131052-308T: 1\n",
                             "c.yaml")
    said = [p.message for p in lacking_names(loaded, found)]
    assert len(said) == 2 and all(len(s) < 300 and "131052" not in s for s in said)


@pytest.mark.parametrize(("written", "refused"), [
    ("36599", None), ("36600", None), ("36601", "36,601"),
    ("{exponential: {mean: 915}}", None), ("{exponential: {mean: 916}}", "36,640"),
    ("{exponential: {mean: 1e9}, max: 900}", None), ("1e15", "1e+15"),
    ("{lognormal: {median: 150, sigma: 0.9}}", "1.22e+06"),
    ("{lognormal: {median: 150, sigma: 99}}", "no bound")])
def test_a_count_of_days_beyond_a_hundred_years_is_refused_at_its_line(
        written: str, refused: str | None) -> None:
    """A day offset is drawn into a date: 1e15 days stopped generate and simulate with an
    internal error (exit 3). At most 36,600 days, the reach of a form without bounds taken
    at ten standard deviations or forty means (as no draw passes it), clamped by max."""
    text = f"profiles:\n  default:\n    jobs:\n      gap_days: {written}\n"
    if refused is None:
        assert load_cohort_text(text, "c.yaml").cohort is not None
        return
    assert _said(text) == [
        "c.yaml:4:17: G103 profiles.default.jobs.gap_days: "
        f"its draws reach {refused} days; at most 36,600 days (a hundred years): give a "
        "smaller value, or a max"]


def test_counts_and_ages_beyond_any_real_one_are_refused_and_generate_exits_1(
        tmp_path: Path) -> None:
    cohort = tmp_path / "c.yaml"
    cohort.write_text("profiles:\n  default:\n    jobs: {more: 101}\n"
                      "    person: {age: 151, unemployment_months: 1200}\n"
                      "    benefits: {days_per_month: 32}\n", encoding="utf-8")
    result = runner.invoke(app, ["generate", str(ROOT / "contracts" / "aimo.yaml"), "-n", "5",
                                 "--cohort", str(cohort), "-o", str(tmp_path / "e.csv")])
    assert result.exit_code == 1, result.output
    said = result.stdout + result.stderr
    assert "jobs.more: its draws reach 101 jobs; at most 100 jobs" in said
    assert "person.age: its draws reach 151 years; at most 150 years (a life)" in said
    assert "benefits.days_per_month: its draws reach 32 days; at most 31 days" in said
    assert "unemployment_months" not in said  # 1,200 months is on the bound
    assert "internal error" not in said


NEGATIVE = ("its draws go below 0 (down to {low}); a count, a length, a share or an amount is "
            "never negative: give min: 0, or a min above it")


def test_draws_below_zero_are_refused_where_written_all_at_once() -> None:
    """They were taken: a negative count of contacts or length quietly paid nothing, and a
    normal without a min stopped a run part-way at a drawn row's field, with no line."""
    said = _said("profiles:\n  default:\n    service:\n      contacts_per_month: -1\n"
                 "      hours_per_month: {normal: {mean: -5, sd: 1}}\n    jobs:\n"
                 "      length_days: -3\n      hours_per_week: {normal: {mean: 20, sd: 8}}\n"
                 "      wage: {normal: {mean: 2300, sd: 600}}\n      full_time_hours: 0\n"
                 "      evidence: {register: 0, self_report: 0}\n")
    where = "G103 profiles.default."
    assert said == [
        f"c.yaml:4:27: {where}service.contacts_per_month: {NEGATIVE.format(low='-1')}",
        f"c.yaml:5:24: {where}service.hours_per_month: {NEGATIVE.format(low='-15')}",
        f"c.yaml:7:20: {where}jobs.length_days: {NEGATIVE.format(low='-3')}",
        f"c.yaml:8:23: {where}jobs.hours_per_week: {NEGATIVE.format(low='-60')}",
        f"c.yaml:9:13: {where}jobs.wage: {NEGATIVE.format(low='-3,700')}",
        f"c.yaml:10:24: {where}jobs.full_time_hours: 0 hours are no full-time week; write "
        "the hours of one, above 0 and at most 168 (e.g. 37.5)",
        # a mix written right is said with the rest (it was only once they were fixed)
        f"c.yaml:11:17: {where}jobs.evidence: the shares add up to 0, so none can be drawn; "
        "give at least one a share above 0"]


def test_a_floor_at_zero_or_a_job_begun_before_the_service_is_taken() -> None:
    found = load_cohort_text("profiles:\n  default:\n    jobs:\n"
                             "      hours_per_week: {normal: {mean: 20, sd: 8}, min: 0}\n"
                             "      days_to_first: {uniform: [-10, 60]}\n", "c.yaml")
    assert found.cohort is not None and found.problems == []


def test_an_empty_mix_is_refused_and_a_tab_is_named() -> None:
    # segments: {} was taken as equal shares, silently; a tab gave the YAML parser's words
    assert _said("segments: {}\n") == [
        "c.yaml:1:11: G103 segments: an empty mix draws nobody: give each its share "
        "(name: 0.5), or leave the key out for equal shares"]
    assert _said("profiles:\n  default:\n\tjobs: {share: 0}\n") == [
        "c.yaml:3:1: Y001 YAML syntax error: found character '\\t' that cannot start any "
        "token (YAML indents with spaces, not tabs: replace the tab with spaces)"]


@pytest.mark.parametrize(("kinds", "ok"), [
    ("{subsidised: 0.9, apprenticeship: 0.3, entrepreneur: 0.2}", False),
    ("{subsidised: 0.5, apprenticeship: 0.3, entrepreneur: 0.2}", True),  # exactly 1: no open
    ("{subsidised: 0.5, apprenticeship: 0.3, entrepreneur: 0.21}", False),
])
def test_kinds_of_jobs_adding_up_to_more_than_1_are_refused(kinds: str, ok: bool) -> None:
    """They are drawn as consecutive bounds: past 1 the last kind was never drawn and no
    job was open, silently (a user trial)."""
    text = f"profiles:\n  default:\n    jobs: {kinds}\n"
    found = load_cohort_text(text, "c.yaml")
    if ok:
        assert found.cohort is not None, [str(p) for p in found.problems]
        return
    total = "1.4" if "0.9" in kinds else "1.01"
    (said,) = [str(p) for p in found.problems]
    assert said.startswith("c.yaml:3:11: G103 profiles.default.jobs: subsidised ")
    assert said.endswith(f"add up to {total}, above 1: they are shares of the jobs (the rest "
                         "are open jobs)")


@pytest.mark.parametrize(("written", "ok"), [("{uniform: [0.5, 1]}", True),
                                             ("{uniform: [0.5, 1.01]}", False),
                                             ("1.5", False)])
def test_a_service_ends_early_within_its_longest_length(written: str, ok: bool) -> None:
    """A share of the length above 1 wrote early ends months after the longest service
    (a user trial)."""
    found = load_cohort_text(_service(f"share_of_length: {written}"), "c.yaml")
    assert (found.cohort is not None) == ok, [str(p) for p in found.problems]
    if not ok:
        (said,) = [str(p) for p in found.problems]
        assert "G103 profiles.default.service.share_of_length: its draws go above 1" in said
