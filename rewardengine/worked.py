"""Worked examples written in the contract (``tests:``), run by ``rewardengine test``.

A worked example is a small customer timeline (event rows as CSV) and the lines the author
says it must give. Running one evaluates the contract over those rows exactly as ``evaluate``
would, and compares: an expected line missing or different, or (with ``exact``, the default) a
payable line nobody expected, is a difference, shown with the explanation of the customer it
concerns. A procurement officer states the contract's intent this way and every draft is
checked against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from .contract.load import Draft, LoadedContract
from .contract.model import ExpectedLine, WorkedExample
from .engine import customers_findings, evaluate
from .errors import Problem, Source, has_errors
from .evaluate.lines import Line
from .events.read import DAY_FIRST_HINT, DECIMAL_COMMA_HINT, EventSet, read_text
from .explanation import Explanation, explain
from .values import money_text

Kind = Literal["missing", "different", "unexpected"]


@dataclass(frozen=True)
class Difference:
    kind: Kind
    text: str
    customer: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "customer": self.customer, "text": self.text}


@dataclass(frozen=True)
class ExampleResult:
    name: str
    source: Source
    problems: list[Problem] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    explanations: dict[str, Explanation] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems) and not self.differences

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "source": str(self.source), "ok": self.ok,
                "problems": [p.to_dict() for p in self.problems],
                "differences": [d.to_dict() for d in self.differences],
                "explanations": {c: x.to_dict() for c, x in sorted(self.explanations.items())}}


def run_examples(loaded: LoadedContract) -> list[ExampleResult]:
    """Every worked example of the contract, in file order."""
    return [run_example(loaded, i, ex) for i, ex in enumerate(loaded.contract.tests)]


def example_row_problems(loaded: LoadedContract) -> list[Problem]:
    """The problems of every worked example's event rows, each at its line in the contract
    (``validate`` reports them with the contract's own), and of its customers that no
    evaluation could evaluate (``V001``: a referral without what the segments read, no
    provider named where the contract has several), as ``test`` would find them."""
    out: list[Problem] = []
    for i, ex in enumerate(loaded.contract.tests):
        read, problems = _read_example(loaded, i, ex)
        out += problems
        if not has_errors(problems):
            out += [p for p in customers_findings(loaded, read.events) if p.code == "V001"]
    return out


def draft_example_row_problems(draft: Draft) -> list[Problem]:
    """The problems of the rows of each worked example whose schema is valid, in a contract
    with errors elsewhere (no evaluation can be made, so no ``V001``): each at its line, so
    one example's mistake hides no other's."""
    return [p for i, ex in sorted(draft.examples.items())
            for p in _read_example(draft, i, ex)[1]]


def _read_example(loaded: LoadedContract | Draft, index: int, example: WorkedExample
                  ) -> tuple[EventSet, list[Problem]]:
    events_at = loaded.source("tests", index, "events")
    # an event row of the example is numbered by its line in the contract (the block's
    # first line is the header), and so is every problem and every row a message names
    after = events_at.line or 0
    read = read_text(example.events, loaded.file, rows_after=after)
    problems = [Problem(p.code, _in_example(p.message),
                        Source(loaded.file, p.source.row or after + 1, 1), p.severity)
                for p in read.problems]
    return read, problems


# a file's rows written by a spreadsheet are read with an option; an example's rows are
# written in the contract, so the hint says how to write them instead
_FILE_HINTS = {
    DAY_FIRST_HINT: " (it reads as d.m.yyyy: write a worked example's dates YYYY-MM-DD)",
    DECIMAL_COMMA_HINT: " (a decimal comma: write a worked example's numbers with a decimal "
                        "point)",
}


# ``tabular.delimiter_hint``'s option, which reads a file, not a worked example
_DELIMITER_HINT = re.compile(r"; read the file with --delimiter \S+( \(or --dialect fi\))?$")


def _in_example(message: str) -> str:
    for hint, instead in _FILE_HINTS.items():
        if message.endswith(hint):
            return message[:-len(hint)] + instead
    return _DELIMITER_HINT.sub("; write a worked example's rows with commas", message)


def run_example(loaded: LoadedContract, index: int, example: WorkedExample) -> ExampleResult:
    where = loaded.source("tests", index)
    # its events are numbered by their lines in the contract, so the explanations and the
    # evaluation's notes name those lines too
    read, problems = _read_example(loaded, index, example)
    if has_errors(problems):
        return ExampleResult(example.name, where, problems)
    ev = evaluate(loaded, read.events, example.as_of)
    problems.extend(p for p in ev.problems)
    got = [ln for c in ev.customers for ln in c.lines]
    differences = _compare(example, got, {c.customer_id for c in ev.customers})
    concerned = {d.customer for d in differences}
    explanations = {c.customer_id: explain(ev, c) for c in ev.customers
                    if c.customer_id in concerned}
    return ExampleResult(example.name, where, problems, differences, explanations)


def _matches(want: ExpectedLine, ln: Line) -> bool:
    return ((ln.customer_id or "") == want.customer and ln.component == want.component
            and (want.occurrence is None or ln.occurrence == want.occurrence)
            and (want.date is None or ln.date == want.date))


def _compare(example: WorkedExample, got: list[Line], customers: set[str]
             ) -> list[Difference]:
    """What differs between the expectations and the lines; ``customers``: those evaluated
    (a customer with rows of the example known by its as-of date)."""
    used: set[int] = set()
    # the lines given exactly as expected are taken first, the most precise expectations
    # (an occurrence, a date) first: "a line of 400.00" must not take m01 from "m01, 400.00"
    hits = _exact_hits(example.expect, got, used)
    said: dict[int, Difference] = {}
    for n, want in enumerate(example.expect):
        if n in hits:
            continue
        candidates = [i for i, ln in enumerate(got) if i not in used and _matches(want, ln)]
        if candidates:
            used.add(candidates[0])
            said[n] = Difference("different", f"expected {_want(want)}, got "
                                 f"{_got(got[candidates[0]])}", want.customer)
        elif any(_matches(want, ln) for ln in got):  # each met by another expectation
            said[n] = Difference("missing", f"expected {_want(want)}, but each such line of "
                                 "the component is another expectation's", want.customer)
        elif want.customer and want.customer not in customers:
            said[n] = Difference("missing", f"expected {_want(want)}, but customer "
                                 f"{want.customer} has no row in the example known by its "
                                 "as_of date", want.customer)
        else:
            said[n] = Difference("missing", f"expected {_want(want)}, but the component "
                                 "gives no such line", want.customer)
    out = [said[n] for n in sorted(said)]  # in the order the expectations are written
    if example.exact:
        for i, ln in enumerate(got):
            if i not in used and ln.status == "payable" and ln.amount != 0:
                out.append(Difference("unexpected", f"not expected: {_got(ln)}",
                                      ln.customer_id or ""))
    return out


def _exact_hits(expect: list[ExpectedLine], got: list[Line], used: set[int]) -> set[int]:
    """The expectations a line meets exactly (status and amount too), each given its line
    (marked in ``used``); the expectations with an occurrence or a date first."""
    hits: set[int] = set()
    order = sorted(range(len(expect)), key=lambda n: -((expect[n].occurrence is not None)
                                                        + (expect[n].date is not None)))
    for n in order:
        want = expect[n]
        hit = next((i for i, ln in enumerate(got) if i not in used and _matches(want, ln)
                    and ln.status == want.status and ln.amount == Decimal(want.amount)), None)
        if hit is not None:
            used.add(hit)
            hits.add(n)
    return hits


def _want(want: ExpectedLine) -> str:
    what = f" ({want.occurrence})" if want.occurrence else ""
    on = f" on {want.date}" if want.date else ""
    return (f"{want.customer} {want.component}{what} {want.status} "
            f"{money_text(Decimal(want.amount))}{on}")


def _got(ln: Line) -> str:
    on = f" on {ln.date}" if ln.date else ""
    return (f"{ln.customer_id} {ln.component} ({ln.occurrence}) {ln.status} "
            f"{money_text(ln.amount)}{on}: {ln.reason}")
