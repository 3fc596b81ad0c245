"""Reasons no bundled example or generated cohort reaches, each made by a small case, and
each wholly in Finnish and in Swedish (test_reason_languages holds the same over the examples
and cohorts, with the same checks).

And the guard that keeps the gap closed: every reason text the fee kinds, the caps and the
contract ceiling write (each f-string that is not a rule, a trace step, an occurrence key or a
contract error) is reached by the examples and cohorts or by a case here; a kind that writes a
new reason fails until a case shows it and the catalogues put it in both languages.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import test_kind_milestones as mil
import test_kind_monthly_fee as monthly
import test_kind_period_payments as pp
from conftest import EVENT_HEADER, contract_from, run
from test_reason_languages import (
    EXAMPLES,
    _english_left,
    _invoices,
    _reasons,
    _untranslated,
    _verify_reasons,
)

from rewardengine.evaluate.lines import Line
from rewardengine.invoicing.labels import Labels, catalogue

ROOT = Path(__file__).resolve().parent.parent
_COLUMNS = EVENT_HEADER.strip().split(",")


def ev(event_id: str, type_: str, day: str, **fields: str) -> str:
    """One event row of the shared header; ``fields`` by column name."""
    row = {"event_id": event_id, "customer_id": "c1", "type": type_, "date": day, **fields}
    return ",".join(row.get(c, "") for c in _COLUMNS)


def one_line(contract: str, rows: list[str], as_of: str, occurrence: str) -> Line:
    ev_ = run(contract_from(contract), "\n".join(rows), as_of)
    assert not ev_.problems, [str(p) for p in ev_.problems]
    return next(ln for c in ev_.customers for ln in c.lines if ln.occurrence == occurrence)


@dataclass(frozen=True)
class Case:
    name: str
    line: Callable[[], Line]
    status: str
    amount: str
    reason: str


# --- earnings_milestones: a step lost inside the first months from the service start --------

FIRST_MONTHS = """
components:
  - id: ticket
    kind: earnings_milestones
    unit: months
    min_earnings: {values: {2018-01-01: 910.00}}
    reference: service_start
    steps:
      - {periods: 2, within: 3, amount: 1000.00}
"""
TICKET = [ev("r1", "referral", "2020-01-02", provider="acme", unemployed_since="2019-06-01"),
          ev("s1", "service_start", "2020-01-10"),
          ev("w1", "earnings", "2020-01-15", amount="500.00", evidence="register")]

# --- period_payments ------------------------------------------------------------------------

PP_START = pp.REFERRAL + "s1,c1,service_start,2025-01-01\n"
PP_WEEKS = pp.contract(unit="weeks").replace("1550.00, 2025-01-01: 1620.00", "400.00")


def _pp(rows: str, as_of: str, text: str | None = None) -> Line:
    return pp.result(rows, as_of, text).lines[-1]


CASES = [
    Case("earnings_milestones lost within the first months",
         lambda: one_line(FIRST_MONTHS, TICKET, "2020-03-05", "step:2 of 3 months"),
         "not_earned", "1000.00",
         "can no longer be reached since 2020-02-29: 0 qualifying months so far; needs 2 of "
         "the first 3 months from the service start with earnings of at least the threshold "
         "(910.00 € on 2020-03-05), among the months counted up to 2020-03-31 (the first 3 "
         "months from the service start)"),
    Case("milestones benefit fall lost before the month ends",
         lambda: mil.lines(mil.OUTCOME_PERIOD, *mil.BASELINE,
                           mil.benefit("B5", "2020-03-01", "500.00"), mil.E1,
                           as_of="2020-03-10")[0],
         "not_earned", "400.00",
         "employment E1 reached 4 weeks (28 days) on 2020-03-01 at 20 h/week, "
         "register-verified; benefit amount a month 600.00 in 2019-11..2019-12 before the "
         "service, 500.00 so far in the outcome month 2020-03: fell only 16.7 % so far, less "
         "than the 40 % needed, and benefit still to come can only lower the fall, so it can "
         "no longer be earned"),
    Case("milestones benefit fall full so far, decided once the month ends",
         lambda: mil.lines(mil.OUTCOME_PERIOD, *mil.STOPS, mil.E1, as_of="2020-03-30")[0],
         "pending", "400.00",
         "employment E1 reached 4 weeks (28 days) on 2020-03-01 at 20 h/week, "
         "register-verified; benefit amount a month 600.00 in 2019-11..2019-12 before the "
         "service, 0.00 so far in the outcome month 2020-03: fell 100 % so far, at least the "
         "100 % for a full outcome; decided once 2020-03 has ended, on 2020-03-31 (benefit "
         "still to come can only lower the fall)"),
    Case("milestones benefit fall partial at best",
         lambda: mil.lines(mil.OUTCOME_PERIOD, *mil.BASELINE,
                           mil.benefit("B5", "2020-03-01", "300.00"),
                           mil.benefit("B6", "2020-04-01", "300.00"), mil.E1,
                           as_of="2020-04-27")[1],
         "pending", "600.00",
         "employment E1 reached 12 weeks (84 days) on 2020-04-26 at 20 h/week, "
         "register-verified; benefit amount a month 600.00 in 2019-11..2019-12 before the "
         "service, 300.00 so far in the outcome months 2020-03..2020-04: fell 50 % so far, at "
         "least the 40 % for a partial outcome (50 % of the amount), at best; decided once "
         "2020-04 has ended, on 2020-04-30 (benefit still to come can only lower the fall)"),
    Case("period_payments next: no further month by the deadline",
         lambda: _pp(PP_START + pp.earn("2025-02", "2000.00"), "2026-06-30"),
         "not_earned", "555.00",
         "1 of 3 months paid so far; no further calendar month with earnings of at least the "
         "threshold (1620.00 € on 2026-06-30) and no benefit paid ended by 2026-06-30 (the "
         "follow-up ends)"),
    Case("period_payments weeks still to come",
         lambda: _pp(pp.REFERRAL + "s1,c1,service_start,2025-03-03\n"
                     + pp.earn("2025-03", "450.00", "05"), "2025-03-20", PP_WEEKS),
         "pending", "555.00",
         "1 of 3 weeks paid so far; needs another calendar week with earnings of at least the "
         "threshold (400.00 € on 2025-03-20) and no benefit paid, ending by 2026-09-02 (the "
         "follow-up ends); 76 weeks still to come"),
    Case("monthly_fee month past max_months",
         lambda: monthly.one(contract_from(monthly.fee(
             "    condition: {min_responded_contacts: 1}\n    max_months: 1\n")),
             "\n".join([*monthly.start(), monthly.contact("k1", "2020-01-20", True),
                        monthly.contact("k2", "2020-02-20", True)]), "2020-03-31").lines[1],
         "not_earned", "900.00",
         "service month 2 (2020-02-15..2020-03-14) not paid: the maximum of 1 paid months is "
         "reached"),
    Case("monthly_fee no part-month",
         lambda: monthly.one(contract_from(monthly.fee("    proration: none\n")),
                             monthly.TRAP_ROWS, "2020-05-31").lines[3],
         "not_earned", "900.00",
         "service month 4 (2020-04-15..2020-05-14) not paid: only part of it served, served "
         "2020-04-15..2020-04-24 (10/30 days: the service ended 2020-04-24); the contract pays"
         " no part-month (proration: none)"),
    Case("monthly_fee full month for a part (proration: full), cut by a phase end",
         lambda: monthly.one(contract_from(monthly.fee(
             "    phase: {until: 45 days}\n    proration: full\n")),
             "\n".join(monthly.start()), "2020-06-30").lines[1],
         "payable", "900.00",
         "service month 2 (2020-02-15..2020-03-14), served 2020-02-15..2020-02-28 (14/29 days:"
         " the phase 2020-01-15..2020-02-28 ends on 2020-02-28); pays the full 900.00 "
         "(proration: full)"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_case_makes_its_reason(case: Case) -> None:
    line = case.line()
    assert (line.status, line.amount, line.reason) == (
        case.status, Decimal(case.amount), case.reason)


@pytest.mark.parametrize("lang", ["fi", "sv"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_case_reason_translates(case: Case, lang: str) -> None:
    said = {"not_earned": "not earned: {}", "pending": "not payable yet: {}"}
    shown = [case.reason, said.get(case.status, "{}").format(case.reason)]
    assert _untranslated(shown, lang) == {}
    labels = Labels(lang)
    assert [_english_left(r, labels.reason(r)) for r in shown] == [None, None]


# --- every reason a kind writes is reached, so the tests above put it in both languages -------

SOURCES = [*sorted((ROOT / "rewardengine" / "kinds").glob("*.py")),
           *(ROOT / "rewardengine" / "evaluate" / f for f in ("context.py", "caps.py",
                                                                 "alternatives.py", "lines.py")),
           ROOT / "rewardengine" / "scale" / "ceiling.py"]
# f-strings there that are no reason: a component's rules and trace steps, contract checks,
# occurrence keys (each made in functions or calls of these names)
_NOT_IN_FUNCTIONS = {"_rules", "rules_text", "track_steps", "unit_steps", "_steps", "steps",
                     "price_tables", "checks", "thresholds", "share_checks", "register",
                     "unbounded"}
_NOT_IN_CALLS = {"err", "warn", "Trace", "Step", "ValueError", "TypeError"}
_NOT_IN_NAMES = {"rules", "key", "occurrence"}


def reason_sites() -> Iterator[tuple[str, str]]:
    """(file, text) of each f-string of ``SOURCES`` that may be (part of) a reason, its
    values written ``{}``."""
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {c: n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and not isinstance(
                    parents.get(node), (ast.JoinedStr, ast.FormattedValue)) \
                    and not _not_a_reason(node, parents):
                text = "".join(v.value if isinstance(v, ast.Constant) else "{}"
                               for v in node.values)
                yield path.relative_to(ROOT / "rewardengine").as_posix(), text


def _not_a_reason(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    child = node
    while child in parents:
        up = parents[child]
        if isinstance(up, ast.Raise) or (isinstance(up, ast.FunctionDef)
                                         and up.name in _NOT_IN_FUNCTIONS):
            return True
        if isinstance(up, ast.Call):
            fn = up.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if name in _NOT_IN_CALLS or (name == "append" and isinstance(fn, ast.Attribute)
                                         and getattr(fn.value, "id", "") in _NOT_IN_NAMES):
                return True
        if isinstance(up, ast.keyword) and up.arg in _NOT_IN_NAMES:
            return True
        if isinstance(up, ast.Assign) and any(getattr(t, "id", "") in _NOT_IN_NAMES
                                              for t in up.targets):
            return True
        if isinstance(up, ast.Subscript) and child is up.slice:
            return True
        child = up
    return False


def _pattern(text: str) -> re.Pattern[str]:
    # a value may be empty (a plural's "s", a note that is not there)
    return re.compile(".*?".join(re.escape(p) for p in text.split("{}")), re.S)


# Texts above that are no part of a line's reason: what the explanation says of a customer's
# segment, provider and service, and the occurrence keys of a line
NOT_REASONS = {
    "evaluate/context.py: referral {} gives no segment",
    "evaluate/context.py: referral {} names segment '{}', not one of {}",
    "evaluate/context.py: referral {} ({}) matches no segment",
    "evaluate/context.py: referral {} matches segments {}",
    "evaluate/context.py: segment given on referral {}",
    "evaluate/context.py: named on referral {}",
    "evaluate/context.py: named on service start {}",
    "evaluate/context.py: provider '{}' is not in the contract",
    "evaluate/context.py: service {}..{}: started ({}), ended {} ({}{})",
    "evaluate/context.py: , cut at the maximum length of {}",
    "evaluate/context.py: service from {} ({}); ",
    "evaluate/context.py: ran its maximum {} to {}",
    "evaluate/context.py: ongoing, at most until {}",
    "evaluate/context.py: referral {} on {} is ignored: the first referral ({} on {}) decides "
    "the segment",
    "evaluate/context.py: service start {} on {} is ignored: the service runs from the first "
    "({} on {})",
    "evaluate/context.py: it is before the service start on {}",
    "evaluate/context.py: the service already ended on {}",
    "evaluate/context.py: service end {} on {} is ignored: {}",
    "kinds/earnings_common.py: {}-W{}",
    "kinds/earnings_milestones.py: step:{}",
    "kinds/milestones.py: step:{}",
    "kinds/event_fee.py: {}:outside",
    "kinds/hourly_fee.py: {}:outside",
    "kinds/hourly_fee.py: {}:over",
    "kinds/reimbursed_expenses.py: {}:outside",
    "kinds/reimbursed_expenses.py: {}:over",
}
# Reasons no example, cohort or case reaches yet: each wants a case above (and its frames)
STILL_UNREACHED = {
    'evaluate/context.py: at referral {}: the rules of {} ask nothing',
    'evaluate/context.py: at referral {}: {}',
    'kinds/benefit_common.py: {} % after {} days',
    "kinds/benefit_reduction.py: buyer's share of the {} ({})",
    'kinds/benefit_reduction.py: no benefit in the baseline period ({}): {}, {} in the '
    'comparison months ({})',
    'kinds/benefit_reduction.py: no price for segment {}',
    'kinds/benefit_reduction.py: row(s) {} give no {}: counted as 0',
    'kinds/benefit_reduction.py: {} rose from {} to {}',
    'kinds/benefit_reduction.py: {} so far, up to {}: the full amount is still possible '
    'while no benefit is paid (zero_baseline: full_if_none_during) ({})',
    'kinds/benefit_reduction.py: {}, counted as a full fall (zero_baseline: '
    'full_if_none_during) ({})',
    'kinds/benefit_reduction.py: {}, days or cumulative_days',
    'kinds/benefit_reduction.py: {}, which holds no whole calendar month',
    'kinds/capacity_fee.py: , {}/{} days ({}) of {} as the capacity runs {}',
    'kinds/capacity_fee.py: {}: running month, payable after {}',
    'kinds/earnings_common.py: earnings {} {}, but no earnings threshold is in force on {}',
    'kinds/earnings_milestones.py: no price for segment {}',
    'kinds/employment_common.py: \x00{}',
    'kinds/employment_common.py: job {} at {} h/week ({} FTE) is below {} FTE',
    'kinds/employment_common.py: job {} ended on {}, before the service started on {}',
    'kinds/employment_common.py: job {} has no qualifying day',
    'kinds/employment_common.py: job {} started on {}, after the service ended on {}, and '
    'only days in service count',
    'kinds/employment_common.py: no price for segment {}',
    'kinds/employment_common.py: none named (job {})',
    "kinds/employment_common.py: the component's reach_by date, {}",
    'kinds/employment_common.py: the outcome window, with {} grace, closed on {}',
    'kinds/employment_common.py: the spell {}..{} ({}) has {}{}, but no {} of it averaged {} '
    'h/week or more by {}',
    'kinds/employment_common.py: {} h/week ({} FTE)',
    'kinds/employment_common.py: {} times',
    'kinds/employment_common.py: {}, nor for any stronger evidence',
    'kinds/employment_condition.py:  (at least {} h counts {})',
    'kinds/employment_condition.py: no price for segment {}',
    'kinds/employment_condition.py: the {} holds no whole calendar {}',
    'kinds/employment_outcome.py: ; it upgrades the outcome paid as {} ({}), so the '
    'difference {} is paid',
    'kinds/employment_outcome.py: band {} ({} to below {} {})',
    'kinds/event_fee.py: no price for segment {}',
    'kinds/event_fee.py: {} is planned for {}, after the evaluation date {}',
    'kinds/hourly_fee.py: , scheduled after {}',
    'kinds/hourly_fee.py: hours {} on {}: {} at {}/h: {}',
    'kinds/hourly_fee.py: no hourly rate for segment {}',
    'kinds/hourly_fee.py: the phase {} ({}), which the service ending {} never reached',
    'kinds/milestones.py: ; counted from {}, when work began again after a break longer than '
    'allowed ended the spell on {}',
    'kinds/milestones.py: ; payable once the {} step is paid',
    'kinds/milestones.py: benefit paid on {}{} of the {} days of {}{}',
    'kinds/milestones.py: benefit test cannot be measured: no whole calendar month of '
    'benefit data in the {} period{}',
    'kinds/milestones.py: left out, no {} given: {}',
    'kinds/milestones.py: no benefit on only {} of the days',
    'kinds/milestones.py: no benefit on {} of the days',
    'kinds/milestones.py: {} and {} x {}',
    'kinds/milestones.py: {} of continuous work',
    'kinds/milestones.py: {} of continuous work since {}',
    'kinds/monthly_fee.py: no monthly amount for segment {}',
    'kinds/monthly_fee.py: only {} answered contact{} ({} needed)',
    'kinds/monthly_fee.py: {} answered contacts',
    'kinds/monthly_fee.py: {} starts on {}',
    'kinds/period_payments.py: no calendar {} ends after the service start {} and by {} ({})',
    'kinds/period_payments.py: no price for segment {}',
    'kinds/period_payments.py: qualifies, beyond the maximum of {}: not paid',
    'kinds/reimbursed_expenses.py: , dated after {}',
    'kinds/reimbursed_expenses.py: no budget for segment {}',
    'kinds/survey_adjustment.py: ; a survey by {} may still reach {}',
    'kinds/survey_adjustment.py: waiting for the service start ({})',
    'kinds/survey_adjustment.py: {} not adjusted: {} is below the lowest band ({}){}',
    'kinds/survey_adjustment.py: {} reaches {}, but the band has no amount for segment {}',
    'kinds/work_history.py: no price for segment {}',
    'scale/ceiling.py: cut by {} to {}: contract ceiling of {} reached',
}


@pytest.fixture(scope="module")
def reached(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Every reason and cap note the examples, the cohorts and the cases above write."""
    folder = tmp_path_factory.mktemp("reach")
    invoices = [inv for name in EXAMPLES for inv in _invoices(name, folder / f"{name}.sqlite")]
    caps = [x.cap for inv in invoices for s in inv.sections for x in s.lines if x.cap]
    shown = [r for rs in _verify_reasons(folder).values() for r in rs]
    return [*_reasons(invoices), *caps, *shown, *(c.reason for c in CASES)]


def test_every_reason_a_kind_writes_is_reached(reached: list[str]) -> None:
    """A kind that writes a new reason fails here until a case above makes it (and so the
    catalogues have it in Finnish and Swedish); a text reached at last leaves the list."""
    sites = {f"{path}: {text}" for path, text in reason_sites()}
    unreached = {s for s in sites - NOT_REASONS
                 if not any(_pattern(s.split(": ", 1)[1]).search(r) for r in reached)}
    assert sorted(unreached - STILL_UNREACHED) == [], \
        "no case in tests/test_reason_reach.py makes these reasons"
    assert sorted(STILL_UNREACHED - unreached) == [], "reached or gone: take off the list"
    assert sorted(NOT_REASONS - sites) == [], "gone: take off the list"


def test_both_catalogues_hold_the_same_frames() -> None:
    """Frames are read from the Finnish catalogue and looked up in the Swedish one: an entry
    in one only leaves the other language's reason in English."""
    placeholder = re.compile(r"\{[a-z_0-9]+\}")
    fi, sv = catalogue("fi"), catalogue("sv")
    assert sorted(set(fi) ^ set(sv)) == []
    for lang, words in (("fi", fi), ("sv", sv)):
        odd = [m for m, t in words.items()
               if not t.strip() or sorted(placeholder.findall(m)) != sorted(
                   placeholder.findall(t))]
        assert odd == [], lang
