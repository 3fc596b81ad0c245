"""The forecasting commands as library functions: inputs read and checked, problems
collected, results returned (``api.py`` hands them to the command line).

A contract or cohort with errors gives its located problems (exit 1); an unreadable file is
``unreadable`` (exit 2); a request that cannot be served as asked (no customer count, a
component without one fee table, a target out of reach) raises ``ForecastError`` with a
message that says why (exit 2).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from ..cohort import DEFAULT_COHORT, NAMING, Cohort, CohortFile, in_order, load_cohort
from ..contract.load import LoadedContract
from ..engine import Evaluation, evaluate
from ..errors import Problem, Severity, Source, has_errors
from ..evaluate.context import build_context
from ..events.model import EventBase
from ..events.read import once_per_file
from ..events.timeline import group_by_customer, timeline
from ..pipeline import Loading, load, load_contract_bytes
from ..shown import brief, quoted
from ..synth import (
    cohort_names,
    first_referral_day,
    lacking_message,
    make_plan,
    names_lacking,
    outside_window,
    unfit_days,
)
from ..tabular import PLAIN, Dialect
from ..values import counted, money_text
from ..yamlsource import MAX_CONTRACT_BYTES, read_bytes
from . import ahead
from .fit import MIN_CUSTOMERS, Fitted, fit_cohort
from .price import (
    LARGEST,
    Solved,
    amount_error,
    expected_cost,
    fee_cells,
    held_apart,
    rewrite,
    scaled,
    solve,
)
from .runs import (
    Progress,
    RunSums,
    SimulationError,
    default_horizon,
    draft_of,
    fewer_collections,
    run_all,
)
from .simulate import Simulation, Summary, difference, summarise

T = TypeVar("T")


class ForecastError(Exception):
    """A request that cannot be served as asked; the message says why (exit code 2)."""


@dataclass
class Outcome(Generic[T]):
    """A command's result (None when the inputs have errors) and every problem found."""

    result: T | None
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False

    def document(self, body: dict[str, Any]) -> dict[str, Any]:
        """The JSON document of the result (``body``: the result's own ``to_dict``) with
        the problems said beside it (warnings and infos: a fitted cohort's G105 and G108,
        V004), as the command line prints them to stderr."""
        return {**body, "problems": [p.to_dict() for p in self.problems]}


@dataclass(frozen=True)
class Contract:
    name: str  # the file's name, as clauses cite it
    raw: bytes
    loaded: LoadedContract

    @property
    def source(self) -> tuple[str, bytes]:
        return self.name, self.raw


def _unreadable(problems: Sequence[Problem]) -> bool:
    return any(p.code.startswith("F") and p.severity is Severity.ERROR for p in problems)


def read_contract(path: str, problems: list[Problem]) -> Contract | None:
    raw, problem = read_bytes(path, MAX_CONTRACT_BYTES)
    if raw is None:
        problems.extend([problem] if problem else [])
        return None
    name = os.path.basename(path) or path
    loaded, found = load_contract_bytes(raw, path)
    problems.extend(found)
    return Contract(name, raw, loaded) if loaded is not None else None


def read_cohort(path: str | None, problems: list[Problem],
                contracts: Sequence[Contract] = ()) -> CohortFile:
    """The cohort file (the default cohort without one); its problems, with G104 for each
    name it writes that one of ``contracts`` lacks, all at once in the order of the file."""
    if path is None:
        return CohortFile(DEFAULT_COHORT, [])
    found = load_cohort(path)
    lacking = [p for c in contracts for p in lacking_names(c.loaded, found)]
    if lacking and contracts:  # said beside the names, not once they are mended
        lacking.extend(cohort_gaps(contracts[0].loaded, found, path))
    problems.extend(in_order([*found.problems, *lacking]))
    return found if not lacking else CohortFile(None, found.problems, found.at, found.named)


def lacking_names(loaded: LoadedContract, found: CohortFile) -> list[Problem]:
    """G104 at the line of each segment, profile or provider the cohort file names that the
    contract lacks (the rule of ``make_plan``, asked of one name at a time)."""
    out = []
    for part, name, where in found.named:
        if names_lacking(loaded, *([name] if part == p else [] for p in NAMING)):
            out.append(Problem("G104", lacking_message(loaded, [name], part), where))
    return out


def cohort_gaps(loaded: LoadedContract, found: CohortFile, file: str) -> list[Problem]:
    """G104 where the cohort file's referrals draw nobody or its draws date a row outside
    the calendar of events, at the line to blame: the checks that do not depend on the
    names it writes, so they are said beside a name the contract lacks."""
    if found.cohort is None:
        return []
    gap = unfit_days(loaded, found.cohort)
    return [] if gap is None else [Problem("G104", gap[1], found.source(gap[0], file))]


def _fits(contract: Contract, cohort: Cohort, where: str, problems: list[Problem],
          written: CohortFile | None = None) -> None:
    """G104 when the cohort does not fit the contract; G106 for referrals it draws outside
    the contract's window, located in the cohort file ``written`` (``where``)."""
    try:
        make_plan(contract.loaded, cohort)
    except ValueError as exc:  # at the line to blame, as the file's other problems are
        path = getattr(exc, "path", None)
        at = written.source(path, where) if written is not None and path else Source(where)
        problems.append(Problem("G104", str(exc), at))
        return
    if written is not None:
        problems.extend(window_warnings(contract.loaded, cohort, written, where))


def _for_both(a: Contract, b: Contract, cohort: Cohort, where: str, problems: list[Problem]
              ) -> Cohort:
    """The cohort both drafts are drawn from. The segments and providers it leaves out (the
    default cohort leaves out both) are the first draft's, in equal shares, so the second
    draws the same customers; G104 when the second lacks them, as for a written cohort."""
    ids, providers = cohort_names(a.loaded)
    left = {part: {n: Decimal(1) for n in names} for part, names in
            (("segments", ids), ("providers", providers)) if getattr(cohort, part) is None}
    both = cohort.model_copy(update=left)
    lacking = names_lacking(b.loaded, left.get("segments", {}), (), left.get("providers", {}))
    if not lacking:
        _fits(b, both, where, problems)
        return both

    def has(c: Contract) -> str:
        segments, members = cohort_names(c.loaded)
        return (f"segments: {', '.join(segments)}; " if c.loaded.contract.segments else
                "no segments; ") + f"providers: {', '.join(members)}"
    problems.append(Problem("G104", (
        f"the cohort leaves out {' and '.join(left)}, so both drafts are drawn with those of "
        f"{a.name} ({has(a)}); {b.name} does not have {', '.join(dict.fromkeys(lacking))} "
        f"({has(b)}): give a cohort file (--cohort) whose segments and providers both drafts "
        "have"), _lacking_at(b, left, lacking)))
    return both


def _lacking_at(b: Contract, left: dict[str, dict[str, Decimal]], lacking: Sequence[str]
                ) -> Source:
    """Where the second draft lacks the first's names: its segments (or providers) line,
    as every other cohort problem is located (the cohort left them out, so has no line)."""
    paths = [path for part, path in (("segments", ("segments",)),
                                     ("providers", ("metadata", "providers")))
             if any(n in left.get(part, {}) for n in lacking)]
    doc = b.loaded.doc
    return doc.key_source(next((p for p in paths if p in doc.key_marks), paths[0]))


def window_warnings(loaded: LoadedContract, cohort: Cohort, found: CohortFile, file: str
                    ) -> list[Problem]:
    """``G106`` for each part of the cohort's referrals outside the contract's referral
    window, at its line in the cohort file."""
    return [Problem("G106", message, found.source(path, file))
            for path, message in outside_window(loaded, cohort)]


@dataclass(frozen=True)
class Request:
    """What every Monte Carlo command is asked: the contract, the cohort (a file, fitted
    from events, or the default), runs, seed, customers, processes."""

    contract: str
    cohort: str | None = None
    from_events: Sequence[str] = ()
    runs: int = 1000
    seed: int = 0
    customers: int | None = None
    jobs: int = 1
    horizon: date | None = None
    dialect: Dialect = PLAIN
    progress: Progress | None = None


Loads = dict[tuple[str, ...], Loading]  # event files read once per command, by their names


def _loaded(loads: Loads, contract: str, files: Sequence[str], dialect: Dialect) -> Loading:
    """The events of ``files`` read once in a command: a forecast fitted from its own events
    reads them once (a pipe gives its rows once; a large file is not read twice)."""
    key = tuple(files)
    if key not in loads:
        loads[key] = load(contract, list(files), dialect=dialect)
    return loads[key]


def _inputs(req: Request, problems: list[Problem], other: Contract | None = None,
            as_of: date | None = None, loads: Loads | None = None
            ) -> tuple[Contract, Cohort] | None:
    """The contract and the cohort: written, the default, or fitted from events (as known
    by ``as_of`` when given: a forecast's cohort never sees past its as-of date)."""
    contract = read_contract(req.contract, problems)
    drafts = [] if req.from_events else [d for d in (contract, other) if d is not None]
    written = read_cohort(req.cohort, problems, drafts)
    cohort = written.cohort
    if contract is not None and req.from_events:
        fitted = _fitted(contract, req.from_events, req.dialect, problems, as_of,
                         {} if loads is None else loads)
        cohort = fitted.cohort if fitted is not None else None
    if contract is None or cohort is None or has_errors(problems):
        return None
    _fits(contract, cohort, req.cohort or req.contract, problems,
          written if req.cohort and not req.from_events else None)
    return None if has_errors(problems) else (contract, cohort)


def _fitted(contract: Contract, events: Sequence[str], dialect: Dialect,
            problems: list[Problem], as_of: date | None = None, loads: Loads | None = None
            ) -> Fitted | None:
    """The cohort fitted from ``events`` as known by ``as_of`` (``fit_cohort``), its
    problems added to ``problems``; None when there is nothing to fit."""
    state = _loaded({} if loads is None else loads, contract.loaded.file, events, dialect)
    problems.extend(p for p in state.problems if p.code.startswith(("E", "F")))
    if has_errors(problems):
        return None
    fitted = fit_cohort(contract.loaded, state.events.events, as_of)
    if not fitted.customers:  # a file of a header alone, or of rows with no referral
        known = "" if as_of is None else f" known by {as_of}"
        problems.append(Problem("G109", f"no customer with a {_entry(contract.loaded)}{known} "
                                "(and no problem "
                                "of its own) in the events: there is nothing to fit a cohort "
                                "from", Source(events[0])))
        return None
    if fitted.defaults:  # said, as `cohort fit` says it: the cohort is partly assumed
        problems.append(_kept_defaults(fitted.defaults, events[0]))
    if fitted.cut_short:
        problems.append(Problem("G108", "the events end before many customers' stories do; "
                                "the fit allows for that (docs/cohort.md), but: segment "
                                + "; segment ".join(fitted.cut_short), Source(events[0])))
    return fitted


def _kept_defaults(defaults: Sequence[str], events: str, shown: int = 5) -> Problem:
    more = f" and {len(defaults) - shown:,} more" if len(defaults) > shown else ""
    one = len(defaults) == 1
    return Problem("G105", f"{counted(len(defaults), 'estimate')} "
                   f"{'rests' if one else 'rest'} on fewer than {MIN_CUSTOMERS} customers "
                   "(or jobs, contacts, months) and "
                   f"{'keeps its default' if one else 'keep their defaults'}: "
                   f"{', '.join(defaults[:shown])}{more} (`cohort fit` lists them all)",
                   Source(events))


def _count(req: Request, cohort: Cohort) -> int:
    count = req.customers or cohort.referrals.size or sum(
        (cohort.referrals.per_month or {}).values())
    if not count:
        raise ForecastError("give --customers N (the cohort sets no size)")
    return count


def simulate(req: Request, compare: str | None = None) -> Outcome[Simulation]:
    """Monte Carlo runs of the contract (and of ``compare``, on the same draws)."""
    problems: list[Problem] = []
    theirs: list[Problem] = []  # the second draft's, said after the first's and the cohort's
    other = read_contract(compare, theirs) if compare is not None else None
    found = _inputs(req, problems, other)
    problems.extend(theirs)
    if found is None or (compare is not None and other is None) or has_errors(problems):
        return Outcome(None, problems, _unreadable(problems))
    contract, cohort = found
    drafts = [contract] + ([other] if other is not None else [])
    if other is not None:
        cohort = _for_both(contract, other, cohort, req.cohort or compare or "", problems)
        if has_errors(problems):
            return Outcome(None, problems)
    horizon = req.horizon or max(default_horizon(d.loaded) for d in drafts)
    _horizon_after_referrals(contract, cohort, horizon)
    count = _count(req, cohort)
    try:
        runs = run_all([d.source for d in drafts], cohort, seed=req.seed, runs=req.runs,
                       customers=count, horizon=horizon, jobs=req.jobs,
                       progress=req.progress)
    except SimulationError as exc:
        raise ForecastError(str(exc)) from None
    summaries = [summarise(d.loaded, d.name, [r[k] for r in runs])
                 for k, d in enumerate(drafts)]
    diff = None
    if other is not None:
        diff = difference(summaries[0], summaries[1], [r[0] for r in runs],
                          [r[1] for r in runs])
    return Outcome(Simulation(cohort.id, req.seed, horizon, summaries, diff), problems)


def _horizon_after_referrals(contract: Contract, cohort: Cohort, horizon: date) -> None:
    """Refuse a horizon before the first referral day drawn: nothing can be paid by it, and
    a run of zeros would read as a contract that costs nothing (a mistyped year)."""
    # the contract's own lines (capacity fees) may be paid from its first day
    first = min(first_referral_day(contract.loaded, cohort),
                contract.loaded.contract.metadata.valid_from)
    if horizon < first:
        raise ForecastError(f"the horizon {horizon} is before {first}, the first day of the "
                            "contract or of its referrals drawn, whichever is earlier: "
                            "nothing can be paid by it; give a later --horizon "
                            f"(without one, {default_horizon(contract.loaded)}, the last day "
                            "a fee can be earned)")


def _after(progress: Progress | None, tried: int) -> Progress | None:
    """``progress`` of one more amount's runs after ``tried`` runs of others: how many
    amounts a solve tries is not known up front, so the bar counts the runs so far."""
    if progress is None:
        return None
    say = progress
    return lambda done, total: say(tried + done, tried + total)


def price(req: Request, component: str, target: Decimal, segment: str | None = None,
          hold: Sequence[str] = ()) -> Outcome[tuple[Solved, Simulation]]:
    """The amount of ``component`` whose expected cost per customer (of ``segment``) is
    ``target``, and the simulation at that amount; the cells named in ``hold`` keep their
    written amounts."""
    _writable(target)
    problems: list[Problem] = []
    found = _inputs(req, problems)
    if found is None:
        return Outcome(None, problems, _unreadable(problems))
    contract, cohort = found
    count = _count(req, cohort)
    horizon = req.horizon or default_horizon(contract.loaded)
    _horizon_after_referrals(contract, cohort, horizon)
    try:
        cells = fee_cells(contract.loaded, component, segment, hold)
        free, held = held_apart(cells, hold, component, segment)
        text = contract.raw.decode("utf-8")
        cache: dict[Decimal, list[RunSums]] = {}
        tried = [0]  # runs of the amounts evaluated so far, for the progress bar

        def source(amount: Decimal) -> tuple[str, bytes]:
            new = rewrite(contract.loaded, text, scaled(free, amount))
            return contract.name, new.encode("utf-8")

        def runs_at(amounts: Sequence[Decimal]) -> list[list[RunSums]]:
            todo = [a for a in amounts if a not in cache]
            if todo:
                done = run_all([source(a) for a in todo], cohort, seed=req.seed,
                               runs=req.runs, customers=count, horizon=horizon,
                               jobs=req.jobs, progress=_after(req.progress, tried[0]))
                tried[0] += req.runs
                for k, a in enumerate(todo):
                    cache[a] = [r[k] for r in done]
            return [cache[a] for a in amounts]

        def cost(amounts: Sequence[Decimal]) -> list[Decimal]:
            return [expected_cost(runs, segment)
                    for runs in runs_at(amounts)]

        def flat(amount: Decimal) -> str | None:
            return _ceiling_binds_in_every_run(contract, cache[amount])

        caps = contract.loaded.contract.caps
        capped = (contract.loaded.clause_at("caps", "per_customer")
                  if caps is not None and caps.per_customer is not None else None)
        amount, method, at, points = solve(free, target, cost, component, segment, flat,
                                           capped)
        (final,) = runs_at([amount])
        name, raw = source(amount)
        loaded = draft_of((name, raw), cohort, horizon).loaded
        summary = summarise(loaded, name, final)
    except SimulationError as exc:
        raise ForecastError(str(exc)) from None
    solved = Solved(component, segment, target, amount, scaled(cells, amount, held), at,
                    method, points, amount_error(amount, at, points, final, segment),
                    tuple(c.name for c in held))
    notes = _ceiling_notes(summary, amount)
    return Outcome((solved, Simulation(cohort.id, req.seed, horizon, [summary], notes=notes)),
                   problems)


def _writable(target: Decimal) -> None:
    if target > LARGEST:
        raise ForecastError(f"the target {brief(str(target), 24)} is implausibly large: an "
                            f"amount a contract may write is at most {money_text(LARGEST)}")


def _ceiling_binds_in_every_run(contract: Contract, runs: Sequence[RunSums]) -> str | None:
    """How every one of ``runs`` is held at the contract ceiling (its total before the
    ceiling at or above it: any higher fee is cut), or None when one is below it."""
    ceiling = contract.loaded.contract.caps.contract_total
    if ceiling is None or not runs or any(r.uncapped < ceiling for r in runs):
        return None
    binds = sum(1 for r in runs if r.ceiling_binds)
    return (f"the contract ceiling {money_text(ceiling)} holds all {len(runs):,} runs (it "
            f"binds in {binds:,} and the others reach it exactly)" if binds < len(runs) else
            f"the contract ceiling {money_text(ceiling)} binds in all {len(runs):,} runs")


def _ceiling_notes(summary: Summary, amount: Decimal) -> list[str]:
    """A warning when the ceiling binds in some runs at the solved amount: in those runs
    the cost is met partly by cutting other pay (in all runs, ``solve`` refuses it)."""
    if summary.ceiling is None or not summary.ceiling_binds:
        return []
    return [f"the contract ceiling {money_text(summary.ceiling)} binds in "
            f"{summary.ceiling_binds:,} of {summary.runs:,} runs at {money_text(amount)}: in "
            "those runs the cost is reached partly by cutting other pay under the ceiling"]


def forecast(req: Request, events: Sequence[str], as_of: date, provider: str | None = None
             ) -> Outcome[ahead.Forecast]:
    """The payments ahead of the customers in progress as of ``as_of``."""
    problems: list[Problem] = []
    loads: Loads = {}
    if tuple(req.from_events) == tuple(events):  # fitted from its own events (``--fit``)
        first = _loaded(loads, req.contract, events, req.dialect)
        if not has_errors(first.problems) and first.contract is not None:
            # said before a fit from nobody is refused
            _referred_by(first.contract, first.events.events, as_of)
    found = _inputs(req, problems, as_of=as_of, loads=loads)
    if found is None:
        return Outcome(None, _with_events(req, events, problems, loads), _unreadable(problems))
    contract, cohort = found
    _known_provider(contract, provider)
    state = _loaded(loads, req.contract, events, req.dialect)
    # the events may be the file the cohort was fitted from: what is said of a file, once
    problems = once_per_file([*problems, *(p for p in state.problems
                                           if p.code.startswith(("E", "F", "V")))])
    # whether anyone had entered by the as-of date: worked out once (a context a customer)
    entered = not has_errors(problems) and _entered_by(contract.loaded, state.events.events,
                                                       as_of)
    if not has_errors(problems) and not entered \
            and not _entered_by(contract.loaded, state.events.events):
        problems.append(_no_entry(contract.loaded, events[0]))
    if has_errors(problems):
        return Outcome(None, problems, _unreadable(problems))
    horizon = req.horizon or default_horizon(contract.loaded)
    if as_of >= horizon:  # every customer's story is told: nothing can come after it
        raise ForecastError(f"the as-of date {as_of} is not before the horizon {horizon}, the "
                            "last day a fee is evaluated: nothing is ahead to forecast (see "
                            "what was earned with evaluate, or give a later --horizon)")
    _referred_by(contract.loaded, state.events.events, as_of, entered)
    problems.extend(_recorded_until(state.events.events, as_of, events))
    try:
        draft = draft_of(contract.source, cohort, horizon)
        left_out: dict[str, int] = {}
        said: list[Problem] = []  # what the evaluation as of the as-of date says of them
        every: list[ahead.Customer] = []
        customers = ahead.in_progress(state.events.events, as_of, draft, provider, left_out,
                                      said, every)
        problems.extend(said)
        if provider is not None and not customers:
            problems.append(_none_of(provider, as_of, len(every), events[0]))
        # a member's customers are drawn among every customer in progress, as they are
        # unselected (the same seed gives each the same figures), and alone forecast
        chosen = {c.customer_id for c in customers}
        job = ahead.Job(contract.source, cohort, tuple(every), as_of, horizon, req.seed, 0, 0,
                        None if provider is None else frozenset(
                            i for i, c in enumerate(every) if c.customer_id in chosen))
        # the ceiling is the whole contract's: its room is what every customer (of every
        # member, whatever --provider selects) and the contract's own lines leave of it
        cut = None if draft.ceiling is None else evaluate(draft.loaded, state.events.events, as_of)
        with fewer_collections():  # as simulate's runs (``runs.run_job``), in the workers too
            ahead_of = ahead.forecast(job, req.runs, req.jobs, provider, req.progress, cut)
            whole = _whole_contract(job, req, ahead_of, cut)
        problems.extend(_beyond_the_ceiling(ahead_of, req.contract, whole))
        return Outcome(replace(ahead_of, not_forecast=left_out, cohort=cohort.id), problems)
    except SimulationError as exc:
        raise ForecastError(str(exc)) from None


def _with_events(req: Request, events: Sequence[str], problems: list[Problem], loads: Loads
                 ) -> list[Problem]:
    """``problems`` (of the contract, the cohort or the fit) and, where the contract is
    read and the events are not the fit's (whose problems are said already), the event
    files' own: every problem at once, not those of the events once the cohort is mended."""
    if tuple(req.from_events) == tuple(events) or any(
            p.source.file == req.contract and p.severity is Severity.ERROR for p in problems):
        return problems
    state = _loaded(loads, req.contract, events, req.dialect)
    return once_per_file([*problems, *(p for p in state.problems
                                       if p.code.startswith(("E", "F"))
                                       and p.source.file != req.contract)])


def _none_of(provider: str, as_of: date, others: int, file: str) -> Problem:
    """V007: the member asked for has no customer in progress (an empty table said why)."""
    return Problem("V007", f"provider {provider[:40]} has no customer in progress as of "
                   f"{as_of} ({counted(others, 'customer')} of other providers "
                   f"{'is' if others == 1 else 'are'}): nothing is forecast for it",
                   Source(file))


def _whole_contract(job: ahead.Job, req: Request, member: ahead.Forecast,
                    cut: Evaluation | None) -> ahead.Forecast | None:
    """For one member's forecast under a contract ceiling its member's part alone does not
    pass: every member's customers forecast, on the same draws, for what the whole contract
    expects ahead against the ceiling's room (the room is the whole contract's)."""
    if job.kept is None or member.ceiling_room is None or \
            member.total.mean > member.ceiling_room:
        return None
    return ahead.forecast(replace(job, kept=None), req.runs, req.jobs, None, None, cut)


def _beyond_the_ceiling(f: ahead.Forecast, file: str, whole: ahead.Forecast | None = None
                        ) -> list[Problem]:
    """V006 when the room the contract ceiling leaves is less than the expected amount
    ahead (``whole``: of the whole contract, where ``f`` is one member's): the forecast does
    not cut the ceiling, so part of what it shows cannot be paid."""
    if f.ceiling_room is None:
        return []
    room = max(f.ceiling_room, Decimal(0))
    if whole is not None and whole.total.mean > f.ceiling_room:
        return [Problem("V006", f"the contract ceiling leaves {money_text(room)} as of the "
                        f"as-of date, less than the {money_text(whole.total.mean)} the whole "
                        f"contract expects ahead ({money_text(f.total.mean)} of it for "
                        f"provider {str(f.provider)[:40]}): the forecast does not cut it, so "
                        "not all of what it shows ahead can be paid", Source(file))]
    if f.total.mean <= f.ceiling_room:
        return []
    paid = f"at most {money_text(room)}" if room else "none"
    return [Problem("V006", f"the contract ceiling leaves {money_text(room)} as of the "
                    f"as-of date, less than the {money_text(f.total.mean)} expected ahead: "
                    f"the forecast does not cut it, so {paid} of what it shows ahead can be "
                    "paid", Source(file))]


def _referred_by(loaded: LoadedContract, events: Sequence[EventBase], as_of: date,
                 entered: bool | None = None) -> None:
    """Refuse an as-of date before any customer's referral is known: nobody is in progress,
    and a forecast of nothing would read as one that found nothing ahead. ``entered``:
    whether anyone had entered by then, when worked out already."""
    if entered if entered is not None else _entered_by(loaded, events, as_of):
        return
    first = _first_entry(loaded, events, as_of)
    if first is not None:  # (none later: said as V005, with the file's problems)
        raise ForecastError(f"no {_entry(loaded)} is recorded by the as-of date {as_of} (the "
                            f"first is recorded on {first}): no customer is in progress to "
                            "forecast; give a later --as-of")


def _no_entry(loaded: LoadedContract, file: str) -> Problem:
    """V005: no customer entered, so nobody is in progress."""
    why = ("a customer's referral decides their segment and starts their story"
           if loaded.contract.segments is not None else
           "a customer's referral, or lacking one their service start, starts their story")
    return Problem("V005", f"no {_entry(loaded)} stands in the events (none is recorded, or "
                   f"every one is retracted): no customer is in progress to forecast ({why})",
                   Source(file))


def _entry(loaded: LoadedContract) -> str:
    """What enters a customer: a contract that needs no referral (no segments) lets a
    service start stand for one (``CustomerContext.entered``)."""
    return "referral" if loaded.contract.segments is not None else "referral or service start"


_ENTERING = frozenset({"referral", "service_start"})  # the rows that can enter a customer


def _entering(events: Sequence[EventBase]) -> dict[str, list[EventBase]]:
    return group_by_customer([e for e in events if getattr(e, "type", None) in _ENTERING])


def _entered_by(loaded: LoadedContract, events: Sequence[EventBase],
                day: date | None = None) -> bool:
    """Whether a customer has entered as of ``day`` (the data's end when not given), as
    the evaluation reads their rows then: the last version known by then decides, and a
    retracted row enters nobody."""
    if day is None:
        day = max((e.known_on for e in events), default=date.min)
    return any(_entered_on(loaded, cid, rows, day)
               for cid, rows in _entering(events).items())


def _entered_on(loaded: LoadedContract, cid: str, rows: Sequence[EventBase], day: date
                ) -> bool:
    return build_context(loaded, timeline(cid, rows, day)).entered is not None


def _first_entry(loaded: LoadedContract, events: Sequence[EventBase], after: date
                 ) -> date | None:
    """The first day after ``after`` on which a customer had entered: of each customer, the
    first of the days their entering rows were recorded (any version) as of which they had
    entered."""
    firsts = [next((day for day in sorted({r.known_on for r in rows if r.known_on > after})
                    if _entered_on(loaded, cid, rows, day)), None)
              for cid, rows in _entering(events).items()]
    return min((day for day in firsts if day is not None), default=None)


QUIET_DAYS = 31  # days after the last recorded row before V004 says the data may be old


def _recorded_until(events: Sequence[EventBase], as_of: date, files: Sequence[str]
                    ) -> list[Problem]:
    """V004 when the as-of date is more than a month after the last date any row is known
    on: the days between are read as days on which nothing happened, which the data cannot
    say. (A few quiet days are usual; a month with no row at all for every customer in
    progress, none of the monthly contacts or register rows, is not.)"""
    last = max((e.known_on for e in events), default=None)
    if last is None or (as_of - last).days <= QUIET_DAYS:
        return []
    return [Problem("V004", f"nothing is recorded after {last}, {(as_of - last).days:,} days "
                    f"before the as-of date {as_of}: the forecast takes nothing to have "
                    "happened in between; give the date the data was taken as --as-of",
                    Source(files[0] if files else ""))]


def _known_provider(contract: Contract, provider: str | None) -> None:
    ids = [p.id for p in contract.loaded.contract.metadata.providers]
    if provider is not None and provider not in ids:
        raise ForecastError(f"provider {quoted(provider, 40)} is not in the contract (it has "
                            f"{', '.join(ids)})")


def fit(contract_path: str, events: Sequence[str], dialect: Dialect = PLAIN,
        as_of: date | None = None) -> Outcome[Fitted]:
    """A cohort fitted from real event data under the contract, from the rows known by
    ``as_of`` (every row when not given: the data's last day)."""
    problems: list[Problem] = []
    contract = read_contract(contract_path, problems)
    if contract is None or has_errors(problems):
        return Outcome(None, problems, _unreadable(problems))
    fitted = _fitted(contract, events, dialect, problems, as_of)
    return Outcome(fitted, problems, _unreadable(problems))


def customers_of(loaded: LoadedContract, events: Sequence[EventBase], as_of: date,
                 provider: str) -> list[str]:
    """The customers whose responsible provider as of ``as_of`` is ``provider``, decided
    as the evaluation decides it (the service start's provider, else the referral's)."""
    out = []
    for cid, rows in group_by_customer(events).items():
        tl = timeline(cid, rows, as_of)
        if tl.events and build_context(loaded, tl).provider == provider:
            out.append(cid)
    return out
