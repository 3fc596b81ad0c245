"""The library's front door: the pipeline load -> validate -> evaluate, as plain functions.

The CLI is a thin layer over these; tests and notebooks call them directly. Nothing here
prints or reads the clock.
"""

from __future__ import annotations

import importlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from .contract.load import LoadedContract
from .contract.parties import peppol_withdrawn
from .contract.schema import contract_schema as json_schema
from .engine import CustomerResult, Evaluation, evaluate
from .errors import Problem, Severity, Source, has_errors, sorted_problems
from .evaluate.lines import Line
from .events.read import EventSet
from .jsonout import canonical_json
from .kinds import KINDS
from .pipeline import load, load_contract_bytes
from .scale.render import FORMATS, csv_header, csv_rows, jsonl_record
from .scale.summary import Summary, SummaryRow, summarize
from .shown import quoted
from .tabular import PLAIN, Dialect, DialectError, make_dialect
from .values import add_months
from .yamlsource import MAX_CONTRACT_BYTES, read_bytes

if TYPE_CHECKING:
    from .cohort import cohort_schema
    from .explanation import ComponentView, Explanation
    from .forecast.commands import ForecastError, Outcome, Request
    from .forecast.commands import fit as fit_cohort
    from .forecast.commands import forecast as forecast_customers
    from .forecast.commands import price as price_component
    from .forecast.commands import simulate as simulate_contract
    from .forecast.report import forecast_html, simulation_html
    from .forecast.simulate import Simulation
    from .invoicing.audit import ExportFormat, LedgerReport
    from .invoicing.bill import Bill
    from .invoicing.invoice import Earnings, Invoice
    from .invoicing.periods import BillingPeriod
    from .invoicing.render import (
        class_label,
        invoice_csv,
        invoice_html,
        invoice_json,
        report_html,
        report_json,
        write_invoice_json,
    )
    from .invoicing.run import IssueResult
    from .invoicing.verify import CLASSES, VerifyReport
    from .scale.run import Mapper
    from .worked import ExampleResult

# What only some commands need (invoicing, forecasts, cohorts, explanations) is imported
# when first asked for, so that ``evaluate`` and ``validate`` start without it: the names
# this module offers from those modules, and where each is found.
_LATER: dict[str, tuple[str, str]] = {
    "ComponentView": (".explanation", "ComponentView"),
    "Explanation": (".explanation", "Explanation"),
    "ForecastError": (".forecast.commands", "ForecastError"),
    "Outcome": (".forecast.commands", "Outcome"),
    "Request": (".forecast.commands", "Request"),
    "Simulation": (".forecast.simulate", "Simulation"),
    "ExportFormat": (".invoicing.audit", "ExportFormat"),
    "LedgerReport": (".invoicing.audit", "LedgerReport"),
    "Bill": (".invoicing.bill", "Bill"),
    "Earnings": (".invoicing.invoice", "Earnings"),
    "Invoice": (".invoicing.invoice", "Invoice"),
    "BillingPeriod": (".invoicing.periods", "BillingPeriod"),
    "class_label": (".invoicing.render", "class_label"),
    "invoice_csv": (".invoicing.render", "invoice_csv"),
    "invoice_html": (".invoicing.render", "invoice_html"),
    "invoice_json": (".invoicing.render", "invoice_json"),
    "report_html": (".invoicing.render", "report_html"),
    "report_json": (".invoicing.render", "report_json"),
    # an invoice's JSON handed on in pieces as it is made (the same text as invoice_json)
    "write_invoice_json": (".invoicing.render", "write_invoice_json"),
    "IssueResult": (".invoicing.run", "IssueResult"),
    "CLASSES": (".invoicing.verify", "CLASSES"),
    "VerifyReport": (".invoicing.verify", "VerifyReport"),
    "cohort_schema": (".cohort", "cohort_schema"),
    "ExampleResult": (".worked", "ExampleResult"),
    # forecasts (docs/forecast.md)
    "simulate_contract": (".forecast.commands", "simulate"),  # Monte Carlo runs of a contract
    "price_component": (".forecast.commands", "price"),  # the amount that hits a target cost
    "forecast_customers": (".forecast.commands", "forecast"),  # payments ahead of customers
    "fit_cohort": (".forecast.commands", "fit"),  # a cohort fitted from real event data
    "simulation_html": (".forecast.report", "simulation_html"),  # HTML with SVG charts
    "forecast_html": (".forecast.report", "forecast_html"),
}


def __getattr__(name: str) -> Any:
    """A name of ``_LATER``, imported on first use."""
    if name not in _LATER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LATER[name]
    value = getattr(importlib.import_module(module, __package__), attribute)
    globals()[name] = value
    return value


@dataclass
class Inputs:
    """A loaded contract and events, with every problem found while reading them."""

    contract: LoadedContract | None
    events: EventSet
    problems: list[Problem] = field(default_factory=list)
    # what the stages did not check because it depends on a part with errors (P001)
    skipped: list[Problem] = field(default_factory=list)

    @property
    def unreadable(self) -> bool:
        """A file could not be read at all (exit code 2 rather than 1); F005 is a note."""
        return unreadable(self.problems)

    @property
    def ok(self) -> bool:
        return self.contract is not None and not has_errors(self.problems)


def contract_schema() -> dict[str, Any]:
    """The JSON Schema of the contract language, for editors checking drafts."""
    return json_schema(KINDS.contract_class)


def load_inputs(contract_path: str, event_paths: Sequence[str], with_lint: bool = False,
                dialect: Dialect = PLAIN, raw: bytes | None = None,
                examples: bool = False) -> Inputs:
    """Load the contract and every event file (written in ``dialect``) through the stages of
    ``pipeline``, collecting every problem; with ``with_lint`` (validate) lint findings and
    what was not checked because it depends on a part with errors too. ``raw``: the
    contract file's bytes, read already. ``examples`` (test): the worked examples' rows of
    a contract with errors are read too, as validate reads them."""
    state = load(contract_path, event_paths, with_lint=with_lint, dialect=dialect, raw=raw)
    problems = state.problems
    if (with_lint or examples) and state.contract is None and state.draft is not None:
        # the worked examples whose schema holds are read on (a contract's other errors,
        # or another example's, hide none of their rows' problems)
        from .worked import draft_example_row_problems
        # by line with the contract's own: the examples' rows are lines of the contract
        problems = sorted_problems([*problems, *draft_example_row_problems(state.draft)])
    if with_lint and state.contract is not None:
        # the worked examples' event rows belong to the contract: validate reads them too,
        # each problem at its line (``test`` found them only when run)
        from .worked import example_row_problems
        problems = sorted_problems([*problems, *example_row_problems(state.contract)])
        if event_paths and not has_errors(problems):
            # a customer no evaluation could evaluate (V001), and a row it passes over (V002),
            # are the events' problems too
            from .engine import customers_findings
            problems = [*problems, *customers_findings(state.contract, state.events.events)]
    return Inputs(state.contract, state.events, problems, state.skipped)


def validate_inputs(contract_path: str, event_paths: Sequence[str], *,
                    dialect: Dialect = PLAIN, jobs: int = 1, mapper: Mapper | None = None
                    ) -> Inputs:
    """What ``validate`` reports: the problems and lint findings of
    ``load_inputs(..., with_lint=True)``, the same and in the same order, with the event
    files read and checked in shards of whole customers (``jobs`` processes, or
    ``mapper``) and never held: memory is bounded by the largest shard, as for
    ``evaluate_to``. So ``Inputs.events`` is empty. A contract with errors, or an event
    file that cannot be opened: the events are read the usual way (and kept)."""
    if not event_paths:
        return load_inputs(contract_path, [], with_lint=True, dialect=dialect)
    from .scale.run import check_streamed  # with numpy: not needed for a contract alone
    from .worked import example_row_problems
    # the contract read once: on a pipe, its bytes come only once
    raw, _ = read_bytes(contract_path, MAX_CONTRACT_BYTES)
    with tempfile.TemporaryDirectory(prefix="rewardengine-") as spool:
        pipes = _Pipes(event_paths, spool)  # a pipe is read once: copied aside first
        readable = all(_readable(p) for p in pipes.paths)
        checked = check_streamed(contract_path, raw, pipes.paths, spool=spool,
                                 dialect=dialect, jobs=jobs,
                                 mapper=mapper) if raw is not None and readable else None
        if checked is None:  # the contract has errors: every problem found the usual way
            return pipes.inputs(load_inputs(contract_path, pipes.paths, with_lint=True,
                                            dialect=dialect, raw=raw))
    # in the order of the names given (a pipe's copy is named otherwise)
    problems = [*pipes.in_order(checked.problems), *example_row_problems(checked.contract)]
    if not has_errors(problems):
        problems.extend(pipes.in_order(checked.customers))
    return Inputs(checked.contract, EventSet(), problems, checked.skipped)


def run_evaluation(contract_path: str, event_paths: Sequence[str], as_of: date,
                   customers: Sequence[str] | None = None, dialect: Dialect = PLAIN,
                   raw: bytes | None = None) -> tuple[Evaluation | None, Inputs]:
    """Load and evaluate; ``None`` when the inputs have errors (see ``Inputs.problems``);
    ``raw``: the contract file's bytes, read already."""
    inputs = load_inputs(contract_path, event_paths, dialect=dialect, raw=raw)
    if not inputs.ok:
        return None, inputs
    assert inputs.contract is not None
    return evaluate(inputs.contract, inputs.events.events, as_of, customers), inputs


def explain_customer(contract_path: str, event_paths: Sequence[str], customer: str,
                     as_of: date, dialect: Dialect = PLAIN
                     ) -> tuple[Explanation | None, Evaluation | None, Inputs]:
    """One customer's explanation (``None`` when the inputs have errors or the customer has
    no events recorded by ``as_of``), read from the evaluation."""
    from .explanation import explain
    ev, inputs = run_evaluation(contract_path, event_paths, as_of, [customer], dialect)
    if ev is None or not ev.customers:
        return None, ev, inputs
    return explain(ev, ev.customers[0]), ev, inputs


def test_contract(contract_path: str) -> tuple[list[ExampleResult] | None, Inputs]:
    """Run the contract's worked examples (``tests:``); ``None`` when the contract has
    errors."""
    from .worked import run_examples
    inputs = load_inputs(contract_path, [], examples=True)
    if not inputs.ok or inputs.contract is None:
        return None, inputs
    return run_examples(inputs.contract), inputs


@dataclass
class EvaluationRun:
    """What ``evaluate_to`` wrote about: the inputs' problems, the customers' problems, and
    the customers shown (with ``customers``)."""

    problems: list[Problem]
    unreadable: bool
    ok: bool
    customer_problems: list[Problem] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)


STREAM_FORMATS = FORMATS


def evaluate_to(contract_path: str, event_paths: Sequence[str], as_of: date, out: IO[str],
                fmt: str, *, customers: Sequence[str] | None = None,
                dialect: Dialect = PLAIN, jobs: int = 1, mapper: Mapper | None = None
                ) -> EvaluationRun:
    """Evaluate and write the result in ``fmt`` (json, jsonl, csv) to ``out``, customer by
    customer: the input read in shards of whole customers (``jobs`` processes, or
    ``mapper``), or partitioned by customer on disk first when it is not one file sorted by
    customer; memory bounded by the largest shard. The same bytes for any ``jobs`` and any
    row order, and as ``run_evaluation`` then writing the whole evaluation. Nothing is
    written while the inputs have errors."""
    from .scale.run import evaluate_streamed  # with numpy: not needed to validate
    raw, _ = read_bytes(contract_path, MAX_CONTRACT_BYTES)  # once: a pipe gives it once
    with tempfile.TemporaryDirectory(prefix="rewardengine-") as spool:
        pipes = _Pipes(event_paths, spool)
        run = evaluate_streamed(contract_path, pipes.paths, as_of, spool=spool,
                                dialect=dialect, jobs=jobs, formats=(fmt,),
                                wanted=customers, mapper=mapper, raw=raw)
        if run is None:
            whole = _evaluate_whole(contract_path, pipes.paths, as_of, out, fmt, customers,
                                    dialect, raw)
            return replace(whole, problems=pipes.named(whole.problems),
                           customer_problems=pipes.named(whole.customer_problems))
        if not run.ok:
            return EvaluationRun(pipes.in_order(run.problems), run.unreadable, False)
        run.write(fmt, out)
        return EvaluationRun(pipes.in_order(run.problems), False, True,
                             pipes.named(run.customer_problems),
                             {c for s in run.shards for c in s.shown})


def _evaluate_whole(contract_path: str, event_paths: Sequence[str], as_of: date,
                    out: IO[str], fmt: str, customers: Sequence[str] | None,
                    dialect: Dialect, raw: bytes | None = None) -> EvaluationRun:
    """The evaluation made in memory (the contract has errors: every problem is found the
    usual way), written alike."""
    ev, inputs = run_evaluation(contract_path, event_paths, as_of, customers, dialect, raw)
    if ev is None:
        return EvaluationRun(inputs.problems, inputs.unreadable, False)
    write_evaluation(ev, fmt, out)
    return EvaluationRun(inputs.problems, False, True, ev.problems,
                         {c.customer_id for c in ev.customers})


@dataclass
class TableRun:
    """What ``evaluate_table`` found: the evaluation itself when it shows at most ``limit``
    customers, else only its totals by segment, provider and component (``summary``)."""

    problems: list[Problem]
    unreadable: bool
    ok: bool
    evaluation: Evaluation | None = None
    summary: Summary | None = None
    customer_problems: list[Problem] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)
    contract: LoadedContract | None = None


def evaluate_table(contract_path: str, event_paths: Sequence[str], as_of: date, *,
                   limit: int, customers: Sequence[str] | None = None,
                   dialect: Dialect = PLAIN, jobs: int = 1, mapper: Mapper | None = None
                   ) -> TableRun:
    """Evaluate as ``evaluate_to`` does (in shards, memory bounded by the largest), for a
    table: up to ``limit`` customers the whole evaluation, past it the totals by segment,
    provider and component, added up as the customers stream from the shards."""
    from .scale.run import evaluate_streamed
    raw, _ = read_bytes(contract_path, MAX_CONTRACT_BYTES)  # once: a pipe gives it once
    with tempfile.TemporaryDirectory(prefix="rewardengine-") as spool:
        pipes = _Pipes(event_paths, spool)
        run = evaluate_streamed(contract_path, pipes.paths, as_of, spool=spool,
                                dialect=dialect, jobs=jobs, wanted=customers,
                                keep_lines=True, mapper=mapper, raw=raw)
        if run is None:  # the contract has errors: every problem found the usual way
            _, inputs = run_evaluation(contract_path, pipes.paths, as_of, customers, dialect,
                                       raw)
            return TableRun(pipes.named(inputs.problems), inputs.unreadable, False)
        problems = pipes.in_order(run.problems)
        if not run.ok:
            return TableRun(problems, run.unreadable, False)
        shown = {c for s in run.shards for c in s.shown}
        found = pipes.named(run.customer_problems)
        if run.shown <= limit:
            return TableRun(problems, False, True, evaluation=run.evaluation(),
                            customer_problems=found, shown=shown)
        return TableRun(problems, False, True,
                        summary=summarize(run.customers(), run.contract_lines),
                        customer_problems=found, shown=shown, contract=run.loaded)


def write_evaluation(ev: Evaluation, fmt: str, out: IO[str]) -> None:
    """A whole evaluation in ``fmt`` (json, jsonl, csv), as ``evaluate_to`` streams it."""
    if fmt == "json":
        out.write(canonical_json(ev.to_dict()))
        return
    currency = ev.loaded.contract.metadata.currency
    if fmt == "csv":
        out.write(csv_header())
        out.write(csv_rows(ev.all_lines(), currency))
        return
    doc = ev.to_dict()
    out.write(jsonl_record("evaluation", {"as_of": doc["as_of"], "contract": doc["contract"]}))
    for line in doc["contract_lines"]:
        out.write(jsonl_record("contract_line", line))
    for customer in doc["customers"]:
        out.write(jsonl_record("customer", customer))
    for problem in doc["problems"]:
        out.write(jsonl_record("problem", problem))
    out.write(jsonl_record("totals", doc["totals"]))


# --- billing ---------------------------------------------------------------------------------

class BillingError(Exception):
    """A billing request that cannot be served as asked: a bad period or mapping, a provider
    the contract lacks, a ledger that cannot be used. The message says why (exit code 2)."""


def billing_period(period: str | None, first_day: str | None, last_day: str | None
                   ) -> BillingPeriod:
    """``--period`` (a month or a quarter) or ``--from``/``--to`` as a billing period."""
    from .invoicing.periods import PeriodError, resolve_period
    try:
        return resolve_period(period, first_day, last_day)
    except PeriodError as exc:
        raise BillingError(str(exc)) from None


class _InputErrors(Exception):
    """The inputs of a run in shards have errors: nothing is computed from them."""

    def __init__(self, problems: list[Problem], unreadable: bool) -> None:
        super().__init__("the inputs have errors")
        self.problems, self.unreadable = problems, unreadable


@dataclass
class _ShardedInputs:
    """Evaluations of the event files in shards, as invoicing asks for them (by date)."""

    contract_path: str
    event_paths: Sequence[str]
    dialect: Dialect
    jobs: int
    mapper: Mapper | None
    spool: str
    raw: bytes | None = None  # the contract file's bytes, read once (a pipe gives them once)
    problems: list[Problem] = field(default_factory=list)
    last_known: date | None = None  # the latest day any row is known on (the data's end)
    # the problems told at the names the user gave (a pipe's copy has a spool's name, which
    # an invoice would otherwise keep in the ledger)
    named: Callable[[list[Problem]], list[Problem]] | None = None

    def __call__(self, as_of: date) -> Earnings:
        earnings = self._evaluated(as_of)
        return earnings if self.named is None else _Named(earnings, self.named)

    def _evaluated(self, as_of: date) -> Earnings:
        from .scale.run import evaluate_streamed
        run = evaluate_streamed(self.contract_path, self.event_paths, as_of, spool=self.spool,
                                dialect=self.dialect, jobs=self.jobs, keep_lines=True,
                                mapper=self.mapper, raw=self.raw)
        if run is None:  # the contract has errors: every problem found the usual way
            inputs = load_inputs(self.contract_path, self.event_paths, dialect=self.dialect,
                                 raw=self.raw)
            self.problems = inputs.problems
            if not inputs.ok:
                raise _InputErrors(inputs.problems, inputs.unreadable)
            assert inputs.contract is not None
            self.last_known = max((e.known_on for e in inputs.events.events), default=None)
            return evaluate(inputs.contract, inputs.events.events, as_of)
        self.problems = run.problems
        self.last_known = run.last_known
        if not run.ok:
            raise _InputErrors(run.problems, run.unreadable)
        return run.earnings()  # customers read from the spools as invoicing goes


@dataclass(frozen=True)
class _Named:
    """Earnings whose problems are told at the names the user gave."""

    earnings: Earnings
    named: Callable[[list[Problem]], list[Problem]]

    @property
    def loaded(self) -> LoadedContract:
        return self.earnings.loaded

    @property
    def as_of(self) -> date:
        return self.earnings.as_of

    @property
    def contract_lines(self) -> list[Line]:
        return self.earnings.contract_lines

    @property
    def customers(self) -> Iterable[CustomerResult]:
        return self.earnings.customers

    @property
    def problems(self) -> list[Problem]:
        return self.named(self.earnings.problems)


class _Pipes:
    """Event files on a pipe (``/dev/stdin``, ``<(...)``) copied once into the spool: a run
    in shards reads a file more than once (its size, byte ranges, a second pass when it is
    not sorted by customer, the inputs' hash), and a pipe gives its bytes only once. A
    problem is told at the name the user gave, never at the copy."""

    def __init__(self, event_paths: Sequence[str], spool: str) -> None:
        self.paths: list[str] = []
        self.names: dict[str, str] = {}
        for n, path in enumerate(event_paths):
            if _regular(path):
                self.paths.append(path)
                continue
            # the given name's tail kept, so a '.jsonl' fifo is still read as JSON Lines
            copy = os.path.join(spool, f"piped-{n}-{os.path.basename(path) or 'events'}")
            with open(path, "rb") as src, open(copy, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            self.paths.append(copy)
            self.names[copy] = path

    def named(self, problems: list[Problem]) -> list[Problem]:
        """``problems`` told at the given names."""
        if not self.names:
            return problems
        return [self._named(p) for p in problems]

    def in_order(self, problems: list[Problem]) -> list[Problem]:
        """Sorted problems told at the given names, sorted again by them (as reading the
        files whole sorts them): a copy's name sorts otherwise."""
        return sorted_problems(self.named(problems)) if self.names else problems

    def _named(self, problem: Problem) -> Problem:
        """One problem at the given names: its place, and any row of a copy its message
        names (``first at COPY:2``)."""
        message = problem.message
        for copy, given in self.names.items():
            message = message.replace(copy, given)
        file = self.names.get(problem.source.file, problem.source.file)
        if file == problem.source.file and message == problem.message:
            return problem
        return replace(problem, message=message, source=replace(problem.source, file=file))

    def inputs(self, inputs: Inputs) -> Inputs:
        return Inputs(inputs.contract, inputs.events, self.named(inputs.problems),
                      inputs.skipped)


def _regular(path: str) -> bool:
    """A file that can be read more than once (also one that cannot be opened at all: the
    reader tells that, located, at its name)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return True
    return not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode))


def _readable(path: str) -> bool:
    try:
        with open(path, "rb"):
            return True
    except OSError:
        return False


def _sharded(contract_path: str, event_paths: Sequence[str], dialect: Dialect, jobs: int,
             mapper: Mapper | None, spool: str,
             named: Callable[[list[Problem]], list[Problem]] | None = None
             ) -> tuple[_ShardedInputs | None, Inputs]:
    """The contract checked first (its errors stop everything), then the events in shards;
    the contract's bytes read once (a pipe gives them once)."""
    raw, _ = read_bytes(contract_path, MAX_CONTRACT_BYTES)
    state = load(contract_path, raw=raw)
    inputs = Inputs(state.contract, EventSet(), state.problems, state.skipped)
    if state.contract is None or not all(_readable(p) for p in event_paths):
        return None, load_inputs(contract_path, event_paths, dialect=dialect, raw=raw)
    return _ShardedInputs(contract_path, event_paths, dialect, jobs, mapper, spool,
                          raw, named=named), inputs


def issue_invoice(contract_path: str, event_paths: Sequence[str], period: BillingPeriod, *,
                  ledger_path: str, provider: str | None = None, joint: bool = False,
                  issue_date: date | None = None, dry_run: bool = False,
                  prepare: Callable[[Invoice], Callable[[], None]] | None = None,
                  dialect: Dialect = PLAIN, jobs: int = 1, mapper: Mapper | None = None,
                  einvoice: bool | str = False, member: str | None = None,
                  new_ledger: bool = False) -> tuple[IssueResult | None, Inputs]:
    """Invoice ``period`` against the ledger (``None`` when the inputs have errors).

    ``prepare(invoice)`` runs inside the ledger transaction, before the commit: it writes the
    rendered invoice aside and returns the step that puts it in place once the invoice is
    committed. A failing write (it raises) therefore leaves the ledger untouched.
    The events are read in shards of whole customers (``jobs`` processes, or ``mapper``).
    With ``einvoice`` (UBL or Finvoice is asked for; ``"ubl"``, ``"finvoice"`` or True) a
    contract that names no e-invoice parties is a problem (``C226``) before anything is
    computed; for ``"ubl"`` (Peppol) so is a seller or the buyer without an e-invoice address
    (the seller: ``provider``, a joint invoice's lead, else ``member`` or every member). An
    ``issue_date`` before the period's last day is refused (``BillingError``) before
    anything is read; one before the facts or an invoice already in the ledger that the
    invoice follows (a period invoiced out of order), before anything is computed. Without
    ``issue_date`` the invoice bears the earliest day allowed (docs/invoicing.md). The
    ledger must be at ``ledger_path``; a new one is started there only with ``new_ledger``,
    where no file is (``L013``, ``L014``: said before anything is read)."""
    from .invoicing import run as billing
    from .invoicing.ledger import LedgerError
    from .invoicing.periods import PeriodError, check_issue_date, check_issue_year
    from .invoicing.run import InvoicingError, check_ledger_path
    try:
        check_ledger_path(ledger_path, new_ledger)
        if issue_date is not None:
            check_issue_date(period, issue_date)
            if new_ledger:  # nothing invoiced yet: the year runs from the period's end
                check_issue_year(period, issue_date, period.last_day)
    except (PeriodError, LedgerError) as exc:
        raise BillingError(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="rewardengine-") as spool:
        pipes = _Pipes(event_paths, spool)
        evaluator, inputs = _sharded(contract_path, pipes.paths, dialect, jobs, mapper, spool,
                                     pipes.named)
        if einvoice and inputs.contract is not None:
            parties = _einvoice_parties(inputs.contract) or (
                _peppol_addresses(inputs.contract, provider, joint, member)
                if einvoice == "ubl" else [])
            if parties:
                return None, pipes.inputs(_with(inputs, [*inputs.problems, *parties], False))
        if evaluator is None or inputs.contract is None:
            return None, pipes.inputs(inputs)
        _past_everything(inputs.contract, evaluator, period)
        try:
            result = billing.issue_invoice(
                inputs.contract, evaluator, period, ledger_path=ledger_path,
                inputs_hash=billing.inputs_sha256(pipes.paths), provider=provider,
                joint=joint, issue_date=issue_date, dry_run=dry_run, prepare=prepare,
                new_ledger=new_ledger)
        except _InputErrors as exc:
            return None, pipes.inputs(_with(inputs, exc.problems, exc.unreadable))
        except (InvoicingError, LedgerError, PeriodError) as exc:
            raise BillingError(str(exc)) from None
        quiet = _quiet_after(evaluator, inputs.contract, period, "invoice")
        return result, pipes.inputs(_with(inputs, [*evaluator.problems, *quiet], False))


def _past_everything(loaded: LoadedContract, evaluator: _ShardedInputs,
                     period: BillingPeriod) -> None:
    """BillingError for a period that starts more than a year after both the contract's end
    and the last day the events record: a mistyped year (2029-09 for 2020-09) would take
    every line earned since into an invoice resting on years of facts nobody recorded, and
    an invoice, once issued, stays in the ledger. A final invoice some months after the
    contract and the data is as usual. Rows are read for it only in such a case."""
    end = loaded.contract.metadata.valid_until
    if period.start <= add_months(end, _LATEST_MONTHS) or evaluator.raw is None:
        return
    from .scale.run import check_streamed
    checked = check_streamed(evaluator.contract_path, evaluator.raw, evaluator.event_paths,
                             spool=evaluator.spool, dialect=evaluator.dialect,
                             jobs=evaluator.jobs, mapper=evaluator.mapper)
    last = checked.last_known if checked is not None else None
    if last is None or period.start > add_months(max(end, last), _LATEST_MONTHS):
        recorded = f"the last day the events record ({last})" if last else "any event"
        raise BillingError(f"the period {period.label} starts more than a year after the "
                           f"contract's end ({end}) and after {recorded}: nothing in it is "
                           "known; check --period")


_LATEST_MONTHS = 12  # how long after the contract and the data a period may still start


def _quiet_after(evaluator: _ShardedInputs, loaded: LoadedContract, period: BillingPeriod,
                 what: str) -> list[Problem]:
    """V004 when the period ends more than a month after the last day any row is known on,
    up to the last day an outcome may be reached (``outcomes_until``, else the last day any
    fee can be): the facts are taken as unchanged since, so a job without an end runs on
    and an outcome it reaches is billed, though the data may only be old (an extract of
    June invoiced for May next year billed outcomes nobody had seen). A final invoice after
    the last such day is no such case."""
    from .forecast.commands import QUIET_DAYS
    from .forecast.runs import default_horizon
    last = evaluator.last_known
    until = min(period.last_day,
                loaded.contract.windows.outcomes_until or default_horizon(loaded))
    if last is None or (until - last).days <= QUIET_DAYS:
        return []
    return [Problem("V004", f"nothing is recorded after {last}, "
                    f"{(period.last_day - last).days:,} days before the period "
                    f"{period.label} ends: the {what} takes nothing to have happened in "
                    "between (a job without an end as running on, an outcome it reaches as "
                    "reached); check that the events are up to date",
                    Source(evaluator.event_paths[0] if evaluator.event_paths else ""))]


def _with(inputs: Inputs, problems: list[Problem], unreadable: bool) -> Inputs:
    """The inputs' problems as the run in shards found them (the contract's included)."""
    del unreadable  # the F-codes among the problems say it
    return Inputs(inputs.contract, inputs.events, problems, inputs.skipped)


def _einvoice_parties(loaded: LoadedContract) -> list[Problem]:
    inv = loaded.contract.invoicing
    if inv is not None and inv.buyer is not None:
        return []  # the cross-checks (C225, C226) hold the rest
    return [Problem("C226", "an e-invoice (UBL, Finvoice) needs the contract's parties: give "
                    "invoicing.buyer (its address and references) and each provider's "
                    "vat_id, address and bank", loaded.source("invoicing" if inv else
                                                              "metadata"))]


def _peppol_addresses(loaded: LoadedContract, provider: str | None, joint: bool,
                      member: str | None) -> list[Problem]:
    """C226: Peppol delivers a UBL by the seller's and the buyer's e-invoice addresses
    (PEPPOL-EN16931-R020, R010: an access point refuses a UBL without them), and only to a
    scheme still in its list (CL008: not 0037)."""
    md = loaded.contract.metadata
    wanted = {provider} if provider is not None else \
        {md.lead_provider} if joint and md.lead_provider is not None else \
        {member} if joint and member is not None else {p.id for p in md.providers}
    out = [Problem("C226", f"provider '{p.id}' has no e_invoice_address: a Peppol UBL invoice "
                   "names the seller's electronic address (PEPPOL-EN16931-R020); give its "
                   "e_invoice_address: {scheme, id}", loaded.source("metadata", "providers", i))
           for i, p in enumerate(md.providers)
           if p.id in wanted and p.e_invoice_address is None]
    inv = loaded.contract.invoicing
    if inv is not None and inv.buyer is not None and inv.buyer.e_invoice_address is None:
        out.append(Problem("C226", "invoicing.buyer has no e_invoice_address: a Peppol UBL "
                           "invoice names the buyer's electronic address "
                           "(PEPPOL-EN16931-R010); give its e_invoice_address: {scheme, id}",
                           loaded.source("invoicing", "buyer")))
    parties: list[tuple[str, Any, tuple[str | int, ...]]] = [
        (f"provider '{p.id}'", p, ("metadata", "providers", i))
        for i, p in enumerate(md.providers) if p.id in wanted]
    if inv is not None and inv.buyer is not None:
        parties.append(("invoicing.buyer", inv.buyer, ("invoicing", "buyer")))
    for who, party, at in parties:
        address = party.e_invoice_address
        why = peppol_withdrawn(address.scheme) if address is not None else None
        if why:
            out.append(Problem("C226", f"{who}: {why}; a Peppol UBL invoice is not written to "
                               "it (Finvoice still is)",
                               loaded.source(*at, "e_invoice_address", "scheme")))
    return out


class EInvoiceUnavailable(Exception):
    """An invoice that cannot be rendered as an e-invoice (exit code 1): issued without
    parties, or a summary of member invoices rendered whole; the message says why."""


EINVOICE_FORMATS = ("ubl", "finvoice")


def render_invoice(invoice: Invoice, fmt: str, *, lang: str | None = None,
                   member: str | None = None) -> str | bytes:
    """``invoice`` in ``fmt`` (json, csv, html, ubl, finvoice: text; xlsx: bytes); with
    ``member``, that member's own invoice out of a summary of member invoices. UBL and
    Finvoice need the ``einvoice`` extra (lxml), XLSX the ``xlsx`` extra (XlsxWriter)."""
    from .invoicing.einvoice import EInvoiceError
    from .invoicing.invoice import member_invoice
    if member is not None:
        if not invoice.member_invoices:
            raise BillingError(f"--member: {invoice.number} is not a joint invoice summing "
                               "its members' own invoices")
        if member not in invoice.providers:
            raise BillingError(f"--member: {quoted(member, 40)} is not a member of "
                               f"{invoice.number} ({', '.join(invoice.providers)})")
        invoice = member_invoice(invoice, member)
    try:
        return _render(invoice, fmt, lang)
    except ImportError as exc:
        extra = "xlsx" if fmt == "xlsx" else "einvoice"
        raise BillingError(f"--format {fmt} needs the Python package {exc.name}: install "
                           f"rewardengine[{extra}]") from None
    except EInvoiceError as exc:
        raise EInvoiceUnavailable(str(exc)) from None


def _render(invoice: Invoice, fmt: str, lang: str | None) -> str | bytes:
    from .invoicing.render import invoice_csv, invoice_html, invoice_json
    if fmt == "ubl":
        from .invoicing.ubl import invoice_ubl
        return invoice_ubl(invoice, lang)
    if fmt == "finvoice":
        from .invoicing.finvoice import invoice_finvoice
        return invoice_finvoice(invoice, lang)
    if fmt == "xlsx":
        from .invoicing.xlsx import invoice_xlsx
        return invoice_xlsx(invoice, lang or "fi")
    if fmt == "html":
        return invoice_html(invoice, lang)
    if fmt == "csv":
        return invoice_csv(invoice)
    if fmt == "json":
        return invoice_json(invoice)
    raise BillingError(f"unknown invoice format '{fmt[:20]}'")


def show_invoice(ledger_path: str, number: str) -> Invoice | None:
    """An issued invoice from the ledger, exactly as it was issued (``None``: no such one)."""
    from .invoicing import run as billing
    from .invoicing.ledger import LedgerError
    try:
        return billing.show_invoice(ledger_path, number)
    except LedgerError as exc:
        raise BillingError(str(exc)) from None


def read_bill_file(bill_path: str, mapping: Sequence[str] | None = None,
                   dialect: Dialect = PLAIN) -> Bill:
    """A provider's bill, with every problem found reading it (``Bill.unreadable``)."""
    from .invoicing.bill import MappingError, parse_mapping, read_bill
    try:
        columns = parse_mapping(mapping)
    except MappingError as exc:
        raise BillingError(f"--map: {exc}") from None
    return read_bill(bill_path, columns, dialect)


def verify_bill(contract_path: str, event_paths: Sequence[str], bill: Bill,
                period: BillingPeriod, *, ledger_path: str | None,
                provider: str | None = None, joint: bool = False,
                dialect: Dialect = PLAIN, jobs: int = 1, mapper: Mapper | None = None
                ) -> tuple[VerifyReport | None, Inputs]:
    """Class every line of ``bill`` against what the contract makes payable for ``period``
    (``None`` when the inputs have errors); the events read in shards, as for invoices.
    ``ledger_path`` None: compared with no ledger, as asked (a first bill); a path where no
    file is, is refused before anything is read (``L013``)."""
    from .invoicing import run as billing
    from .invoicing.ledger import LedgerError
    from .invoicing.run import InvoicingError, check_ledger_path
    if ledger_path is not None:
        try:
            check_ledger_path(ledger_path, verifying=True)
        except LedgerError as exc:
            raise BillingError(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="rewardengine-") as spool:
        pipes = _Pipes(event_paths, spool)
        evaluator, inputs = _sharded(contract_path, pipes.paths, dialect, jobs, mapper, spool,
                                     pipes.named)
        if evaluator is None or inputs.contract is None:
            return None, pipes.inputs(inputs)
        try:
            report = billing.verify_bill(inputs.contract, evaluator, bill, period,
                                         ledger_path=ledger_path, provider=provider,
                                         joint=joint, strict=True)
        except _InputErrors as exc:
            return None, pipes.inputs(_with(inputs, exc.problems, exc.unreadable))
        except (InvoicingError, LedgerError) as exc:
            raise BillingError(str(exc)) from None
        quiet = _quiet_after(evaluator, inputs.contract, period, "check")
        return report, pipes.inputs(_with(inputs, [*evaluator.problems, *quiet], False))


# --- synthetic cohorts ------------------------------------------------------------------------

class GenerateError(Exception):
    """A cohort that does not fit the contract (the message says why; exit code 1)."""


def unreadable(problems: Sequence[Problem]) -> bool:
    """A file could not be read at all (exit code 2 rather than 1); F005 is a note."""
    return any(p.code.startswith("F") and p.severity is Severity.ERROR for p in problems)


def generate_events(contract_path: str, out: Any, *, customers: int | None, seed: int,
                    cohort_path: str | None = None, jobs: int = 1) -> tuple[int, list[Problem]]:
    """Write a synthetic event file (CSV) for the contract to the text stream ``out``:
    ``customers`` customers drawn from the cohort (the default cohort without a file).
    Returns (rows written, problems); nothing is written while there are errors."""
    from .cohort import DEFAULT_COHORT, in_order, load_cohort
    from .forecast.commands import cohort_gaps, lacking_names, window_warnings
    from .synth import make_plan, write_events
    raw, problem = _contract_bytes(contract_path)
    if raw is None:
        return 0, [problem] if problem else []
    loaded, problems = load_contract_bytes(raw, contract_path)
    cohort, found = DEFAULT_COHORT, None
    if cohort_path is not None:
        found = load_cohort(cohort_path)
        # G104 at each name the contract lacks, with the file's other problems
        lacking = lacking_names(loaded, found) if loaded is not None else []
        if lacking and loaded is not None:  # said beside the names, not once they are mended
            lacking.extend(cohort_gaps(loaded, found, cohort_path))
        problems = [*problems, *in_order([*found.problems, *lacking])]
        cohort = found.cohort or cohort
    if loaded is None or has_errors(problems):
        return 0, problems
    try:
        plan = make_plan(loaded, cohort, (contract_path, raw))
    except ValueError as exc:
        where = Source(cohort_path or contract_path)
        path = getattr(exc, "path", None)
        if path and found is not None and cohort_path is not None:
            where = found.source(path, cohort_path)  # the line to blame
        return 0, [*problems, Problem("G104", str(exc), where)]
    if found is not None and cohort_path is not None:
        problems = [*problems, *window_warnings(loaded, cohort, found, cohort_path)]
    count = customers or cohort.referrals.size or sum((cohort.referrals.per_month or {})
                                                      .values())
    if not count:
        raise GenerateError("give --customers N (the cohort sets no size)")
    return write_events(plan, count, seed, out, jobs=jobs), problems


def parquet_missing() -> str | None:
    """Why Parquet files cannot be written or read here (pyarrow missing), or None."""
    from .events.parquet import Unreadable, arrow
    try:
        arrow()
    except Unreadable as exc:
        return str(exc)
    return None


def events_to_parquet(csv_events: BinaryIO, out: BinaryIO) -> int:
    """Events written as CSV (``generate_events``) written to ``out`` again as a Parquet file
    with typed columns (docs/events.md, "Parquet input"); returns the rows."""
    from .events.parquet import write_from_csv
    return write_from_csv(csv_events, out)


def _contract_bytes(path: str) -> tuple[bytes | None, Problem | None]:
    return read_bytes(path, MAX_CONTRACT_BYTES)


# --- privacy ---------------------------------------------------------------------------------

class PrivacyError(Exception):
    """A key file or a mapping that cannot be used; the message never holds the key."""


def read_pseudonym_key(path: str) -> bytes:
    """The shared secret of ``pseudonymize`` (at least 32 bytes; see docs/events.md)."""
    from .privacy import KeyFileError, read_key
    try:
        return read_key(path)
    except KeyFileError as exc:
        raise PrivacyError(str(exc)) from None


def pseudonymize_file(path: str, out: BinaryIO | None, *, key: bytes | None,
                      bill: bool = False, mapping: Sequence[str] | None = None,
                      dialect: Dialect = PLAIN,
                      known: dict[str, set[str]] | None = None) -> list[Problem]:
    """Write an event file or a bill to ``out`` with every customer id replaced by its keyed
    pseudonym, every other byte as it was; without a key only look for ids that look
    personal (``E015``/``E016``). The problems say what was found (errors: nothing usable
    was written). ``known``, shared by a run's files, takes the event ids of its event files
    to its bills' occurrences, reasons and problems; ``None`` says the run has no event
    files, so a bill's problem naming what may be an id of a customer without a line is
    refused (``E021``)."""
    from .evaluate.lines import event_key
    from .invoicing.bill import MAX_BILL_BYTES, MappingError, parse_mapping
    from .privacy import BILL_KEYS, bill_ids, rewrite_file
    try:
        mapped_all = parse_mapping(mapping)
    except MappingError as exc:
        raise PrivacyError(f"--map: {exc}") from None
    mapped = mapped_all.get("customer")
    columns = ((mapped,) if mapped else ()) + BILL_KEYS
    notes: list[str] = []
    if not bill and _is_parquet(path):
        return _pseudonymize_parquet(path, out, key, columns, known)
    problems = rewrite_file(path, out, key=key, bill=bill, columns=columns,
                            encoding=dialect.encoding, delimiter=dialect.delimiter,
                            max_json_bytes=MAX_BILL_BYTES,
                            delimiter_of=_bill_delimiter(dialect, mapped_all) if bill else None,
                            where=bill_ids(mapped_all.get("occurrence")) if bill else None,
                            escape=event_key, bill_text=_bill_text(dialect, notes),
                            known=known)
    if has_errors(problems):
        return problems
    if bill:
        problems += [Problem("F005", f"read as {note}", Source(path)) for note in notes]
    elif dialect.encoding is not None:
        problems.append(Problem("F005", f"read as {dialect.encoding} (named with --encoding)",
                                Source(path)))
    return problems


def _bill_text(dialect: Dialect, notes: list[str]
               ) -> Callable[[bytes], tuple[str, Callable[[str], bytes]]]:
    """A bill's bytes read as ``verify`` reads them (``invoicing.billtext``: a byte-order
    mark, UTF-8, ``--encoding``, else cp1252, the last three noted in ``notes``), and how
    to write its text back byte for byte as it was."""
    from .invoicing.billtext import UnreadableBill, bill_text
    from .privacy import RewriteError

    def read(raw: bytes) -> tuple[str, Callable[[str], bytes]]:
        try:
            text = bill_text(raw, dialect.encoding)
        except UnreadableBill as exc:
            raise RewriteError("B005", f"the bill: {exc}", exc.row) from None
        if text.encode(text.text) != raw:  # not met by any encoding read: a guard
            raise RewriteError("B005", f"the bill cannot be written back as it was read "
                               f"({text.read_as or 'UTF-8'})")
        if text.read_as is not None:
            notes.append(text.read_as)
        return text.text, text.encode
    return read


def _bill_delimiter(dialect: Dialect, mapping: dict[str, str]
                    ) -> Callable[[str], str | None]:
    """A CSV bill's delimiter as ``verify`` tells it from the bill's header
    (``invoicing.bill.bill_dialect``), so the engine's own ','-separated bill is rewritten
    beside ';'-separated Finnish event files. Told from the head the rewrite reads, so the
    bill is read once (a bill on a pipe could not be read twice)."""
    from .invoicing.bill import bill_dialect
    return lambda head: bill_dialect(head, dialect, mapping).delimiter


def _is_parquet(path: str) -> bool:
    from .events.parquet import is_parquet
    return is_parquet(path)


def _pseudonymize_parquet(path: str, out: BinaryIO | None, key: bytes | None,
                          columns: Sequence[str], known: dict[str, set[str]] | None
                          ) -> list[Problem]:
    """``pseudonymize_file`` of a Parquet event file: the customer column replaced, every
    other column and the row groups as they were (docs/events.md, "Parquet input"); its
    event ids gathered in ``known``, as a CSV file's are."""
    from .events.parquet import NotText, Unreadable, rewrite_customers
    from .privacy import Findings, IdRewrite, RewriteError, replacing
    from .tabular import MAX_ID_CHARS
    findings = Findings()
    replace = replacing(key, findings, MAX_ID_CHARS)
    ids = IdRewrite(key, "event id", known=known)
    try:
        rewrite_customers(path, out, columns, replace, ids)
    except NotText as exc:
        return [Problem("F003", str(exc), Source(path, row=exc.row))]
    except Unreadable as exc:
        return [Problem("F001", f"cannot read file: {exc}", Source(path))]
    except RewriteError as exc:
        return [Problem(exc.code, str(exc), Source(path, row=exc.row))]
    return findings.problems(path) + ids.held.problems(path)


# --- the ledger ------------------------------------------------------------------------------

def check_ledger(ledger_path: str) -> LedgerReport:
    """Every problem of the ledger at ``ledger_path`` and what it holds (``ledger check``).
    Read-only; ``LedgerReport.unreadable`` when it is not a ledger or cannot be read now."""
    from .invoicing import audit as ledger_audit
    return ledger_audit.check_ledger(ledger_path)


def export_ledger(ledger_path: str, fmt: ExportFormat = "json"
                  ) -> tuple[str | None, LedgerReport]:
    """The ledger's whole audit trail as JSON or CSV, every row with its hash and its link of
    the export's hash chain (``None`` when it cannot be read), and the check of the same
    snapshot (``ledger export``)."""
    from .invoicing import audit as ledger_audit
    return ledger_audit.export_ledger(ledger_path, fmt)


__all__ = [
    "CLASSES",
    "EINVOICE_FORMATS",
    "PLAIN",
    "Bill",
    "BillingError",
    "BillingPeriod",
    "ComponentView",
    "Dialect",
    "DialectError",
    "EInvoiceUnavailable",
    "Evaluation",
    "EvaluationRun",
    "ExampleResult",
    "Explanation",
    "GenerateError",
    "Inputs",
    "Invoice",
    "IssueResult",
    "Line",
    "LoadedContract",
    "PrivacyError",
    "Summary",
    "SummaryRow",
    "TableRun",
    "VerifyReport",
    "billing_period",
    "class_label",
    "cohort_schema",
    "contract_schema",
    "evaluate_table",
    "evaluate_to",
    "explain_customer",
    "generate_events",
    "invoice_csv",
    "invoice_html",
    "invoice_json",
    "issue_invoice",
    "load_inputs",
    "make_dialect",
    "pseudonymize_file",
    "read_bill_file",
    "read_pseudonym_key",
    "render_invoice",
    "report_html",
    "report_json",
    "run_evaluation",
    "show_invoice",
    "test_contract",
    "validate_inputs",
    "verify_bill",
    "write_evaluation",
    "write_invoice_json",
]
# the ledger's own commands (``ledger check``, ``ledger export``)
__all__ += ["ExportFormat", "LedgerReport", "check_ledger", "export_ledger"]


# --- forecasts (docs/forecast.md; the commands themselves are in ``_LATER``) -----------------

def report_available() -> None:
    """ForecastError (saying how to install it) when the report's plotting library is
    missing."""
    from .forecast import report as forecast_report
    from .forecast.commands import ForecastError
    try:
        forecast_report.available()
    except forecast_report.ReportUnavailable as exc:
        raise ForecastError(str(exc)) from None


def provider_customers(contract_path: str, event_paths: Sequence[str], as_of: date,
                       provider: str, dialect: Dialect = PLAIN
                       ) -> tuple[list[str] | None, Inputs]:
    """The customers whose responsible provider (named on the service start, else the
    referral, as the evaluation decides it) is ``provider`` as of ``as_of``; None when the
    inputs have errors. Raises ForecastError for a provider the contract lacks."""
    from .forecast.commands import ForecastError, customers_of
    inputs = load_inputs(contract_path, event_paths, dialect=dialect)
    if not inputs.ok or inputs.contract is None:
        return None, inputs
    ids = [p.id for p in inputs.contract.contract.metadata.providers]
    if provider not in ids:
        raise ForecastError(f"provider {quoted(provider, 40)} is not in the contract (it has "
                            f"{', '.join(ids)})")
    return customers_of(inputs.contract, inputs.events.events, as_of, provider), inputs


__all__ += [
    "ForecastError",
    "Outcome",
    "Request",
    "Simulation",
    "fit_cohort",
    "forecast_customers",
    "forecast_html",
    "price_component",
    "provider_customers",
    "report_available",
    "simulate_contract",
    "simulation_html",
]
