"""Loading a contract and its events, as one list of stages, in order (as beancount's loader).

Each stage takes what the stages before it made and returns its problems; it runs on every
part that is valid and skips only what depends on a part with errors, saying what it skipped
(``P001``, in ``Loading.skipped``). So one run reports schema errors, cross-check errors,
event errors and lint findings together wherever they do not depend on each other:

    read contract -> parse YAML -> schema -> cross-checks -> contract ready
    -> read events -> events against the contract -> lint

Nothing here prints, reads the clock or evaluates; ``rewardengine.api`` is the front door.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from .contract.checks import check_contract
from .contract.lint import lint_draft
from .contract.load import Draft, LoadedContract, check_schema
from .errors import Problem, Source, has_errors, sorted_problems
from .evaluate.context import assign_segment
from .events.model import EventBase, Referral
from .events.read import EventSet, read_events
from .events.timeline import group_by_customer, timeline
from .kinds import KINDS
from .tabular import PLAIN, Dialect, quoted
from .values import MAX_DATE
from .yamlsource import MAX_CONTRACT_BYTES, YamlDocument, decode_utf8, parse_yaml, read_bytes


@dataclass
class Loading:
    """What the stages have made so far, and every problem they found."""

    contract_path: str
    event_paths: Sequence[str] = ()
    text: str | None = None
    sha256: str = ""
    doc: YamlDocument | None = None
    draft: Draft | None = None
    contract: LoadedContract | None = None
    events: EventSet = field(default_factory=EventSet)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # P001: what a stage did not check
    dialect: Dialect = PLAIN  # how the event files are written
    raw: bytes | None = None  # the contract file's bytes, read already (a pipe gives them once)
    split: frozenset[Source] = frozenset()  # numbers split by a decimal comma, and their keys

    def skip(self, what: str, because: str) -> None:
        self.skipped.append(Problem("P001", f"{what} not checked: {because}",
                                    Source(self.contract_path)))


@dataclass(frozen=True)
class Stage:
    name: str
    does: str
    run: Callable[[Loading], list[Problem]]
    with_lint_only: bool = False


def _read(state: Loading) -> list[Problem]:
    if state.text is not None:
        return []
    raw, problem = (state.raw, None) if state.raw is not None else read_bytes(
        state.contract_path, MAX_CONTRACT_BYTES)
    if raw is None:
        return [problem] if problem else []
    text, problem = decode_utf8(raw, state.contract_path)
    state.text, state.sha256 = text, hashlib.sha256(raw).hexdigest()
    return [problem] if problem else []


def _parse(state: Loading) -> list[Problem]:
    if state.text is None:
        return []
    state.doc, problems = parse_yaml(state.text, state.contract_path)
    if state.doc is None:
        state.skip("the contract's schema, cross-checks and lint", "its YAML cannot be read")
        return problems
    # ``{a: 1800,00, b: 2400,00}``: a decimal comma splits a number inside { } into a number
    # and a key of its decimals; said as what was meant, at the number (C106); the cohort's
    # words say it (imported when a contract is read: the command line starts without them)
    from .cohortwords import comma_problems, split_duplicates
    split, said = comma_problems(state.doc, state.text)
    problems, doubled, told = split_duplicates(problems, state.doc, state.text, said)
    # each place a problem of it may be told at: the number, and the key of its decimals
    state.split = frozenset(where for path in told for where in (
        state.doc.source(path), state.doc.key_source(path)))
    return [*problems, *(replace(p, code="C106") for p in (*split, *doubled))]


def _schema(state: Loading) -> list[Problem]:
    if state.doc is None:
        return []
    state.draft, problems = check_schema(state.doc, state.sha256, KINDS.contract_class)
    problems = _unsplit(state, problems)
    draft = state.draft
    if draft is not None and draft.invalid:
        # parts by name, then components in the contract's order (component 3 before 11)
        names = [_part_name(draft, p) for p in sorted(draft.invalid, key=_part_order)]
        state.skip(f"cross-checks and lint of {', '.join(names)}", "they have schema errors")
    return problems


def _part_order(part: str | tuple[str | int, ...]) -> tuple[int, str, int]:
    return (0, part, 0) if isinstance(part, str) else (1, str(part[0]), int(part[1]))


def _part_name(draft: Draft, part: str | tuple[str | int, ...]) -> str:
    if isinstance(part, str):
        return part
    items = draft.doc.data.get(part[0]) if isinstance(draft.doc.data, dict) else None
    index = int(part[1])
    item = items[index] if isinstance(items, list) and index < len(items) else None
    # the path as the problems above name it (components.2.amount), counted from 0
    key = "name" if part[0] == "tests" else "id"
    ident = item.get(key) if isinstance(item, dict) else None
    # cut with a mark: "... 6 months, not" read as the example's opposite
    return (f"{part[0]}.{index} ({quoted(ident, 60)})" if isinstance(ident, str)
            else f"{part[0]}.{index}")


def _unsplit(state: Loading, problems: list[Problem]) -> list[Problem]:
    """``problems`` but those at a number split by its decimal comma, or at its decimals
    read as a key: the comma is said already."""
    return [p for p in problems if p.source not in state.split] if state.split else problems


def _cross_checks(state: Loading) -> list[Problem]:
    if state.draft is None:
        return []
    problems = _unsplit(state, check_contract(state.draft))
    skips = [p for p in problems if p.code == "P001"]
    state.skipped.extend(skips)
    return [p for p in problems if p.code != "P001"]


def _ready(state: Loading) -> list[Problem]:
    draft = state.draft
    if draft is not None and draft.complete and not has_errors(state.problems):
        state.contract = draft.loaded(KINDS.contract_class)
    return []


def _events(state: Loading) -> list[Problem]:
    if not state.event_paths:
        return []
    state.events = read_events(state.event_paths, state.dialect)
    return state.events.problems


def _against_contract(state: Loading) -> list[Problem]:
    """Event values the contract must know: providers, segments, the referral's segment."""
    draft = state.draft
    if draft is None or not state.events.events:
        return []
    out = NamedValues.of(draft).check(state.events.events)
    if state.contract is not None:
        out.extend(_referral_segments(state.contract, state.events))
    elif state.event_paths:
        state.skip("the referrals' segments", "the contract has errors")
    return out


@dataclass(frozen=True)
class NamedValues:
    """The providers and segments a contract names, worked out once (a run of many customers
    checks each customer's rows against them, ``E013``)."""

    providers: frozenset[str] | None
    segments: frozenset[str] | None
    provider_list: str  # as the message lists them
    segment_list: str

    @classmethod
    def of(cls, draft: Draft) -> NamedValues:
        providers, segments = draft.provider_ids(), draft.segment_ids()
        return cls(None if providers is None else frozenset(providers),
                   None if segments is None else frozenset(segments),
                   ", ".join(sorted(providers or ())), ", ".join(sorted(segments or ())))

    def check(self, events: Iterable[EventBase]) -> list[Problem]:
        if self.providers is None and self.segments is None:
            return []
        out = []
        named = _NAMED
        for e in events:
            # most rows name neither (a dictionary look-up per row, not a call)
            has_provider, has_segment = named.get(type(e)) or _named_fields(type(e))
            if not (has_provider or has_segment):
                continue
            provider = e.provider if has_provider else None  # type: ignore[attr-defined]
            if provider is not None and self.providers is not None \
                    and provider not in self.providers:
                # a provider column may hold a sole trader's own name: echo only its start
                out.append(Problem("E013", f"provider {quoted(provider, 12)} is not in the "
                                   f"contract ({self.provider_list})", e.source))
            segment = e.segment if has_segment else None  # type: ignore[attr-defined]
            if segment is not None and self.segments is not None \
                    and segment not in self.segments:
                out.append(Problem("E013", f"segment {quoted(segment)} is not in the contract "
                                   f"({self.segment_list})", e.source))
        return out


_NAMED: dict[type[EventBase], tuple[bool, bool]] = {}  # _named_fields, once per type


def _named_fields(cls: type[EventBase]) -> tuple[bool, bool]:
    """Whether rows of an event type have a provider, and a segment (asked once per type:
    asking a row for a field its type lacks costs a raised error each time)."""
    found = _NAMED[cls] = ("provider" in cls.model_fields, "segment" in cls.model_fields)
    return found


def _referral_segments(loaded: LoadedContract, events: EventSet) -> list[Problem]:
    segments = frozenset(loaded.contract.segment_ids())
    referrals = group_by_customer(e for e in events.events if isinstance(e, Referral))
    found = (referral_segment_problem(loaded, segments, customer_id, rows)
             for customer_id, rows in referrals.items())
    return [p for p in found if p is not None]


def referral_segment_problem(loaded: LoadedContract, segments: frozenset[str],
                             customer_id: str, referrals: Iterable[EventBase]) -> Problem | None:
    """``E014`` for one customer's referral rows (``segments``: the contract's), if the
    referral that decides its segment is one no segment takes."""
    return segment_problem(loaded, segments, first_referral(customer_id, referrals))


def first_referral(customer_id: str, referrals: Iterable[EventBase]) -> Referral | None:
    """The referral that decides a customer's segment: the first live one of all its rows
    whenever recorded, corrections applied (a re-referral is passed over, a corrected row
    replaces the one it corrects)."""
    return timeline(customer_id, referrals, MAX_DATE).referral


def segment_problem(loaded: LoadedContract, segments: frozenset[str], first: Referral | None
                    ) -> Problem | None:
    """``E014`` if ``first``, the referral that decides a customer's segment (the first
    live one, corrections applied), is one no segment takes."""
    if first is not None:
        # a referral the contract cannot place in exactly one segment cannot be priced
        _, _, problem = assign_segment(loaded, first)
        if problem is not None and (first.segment is None or first.segment in segments):
            return Problem("E014", problem, first.source)
    return None


def _lint(state: Loading) -> list[Problem]:
    if state.draft is None:
        return []
    findings, skipped = lint_draft(state.draft)
    state.skipped.extend(skipped)
    return findings


STAGES: tuple[Stage, ...] = (
    Stage("read", "the contract file's bytes, as UTF-8 text (F0xx)", _read),
    Stage("parse", "YAML with the line and column of every value (Y0xx)", _parse),
    Stage("schema", "each part against the contract language (C1xx)", _schema),
    Stage("cross-checks", "references, coverage, windows, price tables (C2xx)", _cross_checks),
    Stage("ready", "the contract to evaluate, when it has no error", _ready),
    Stage("events", "every event file, row by row (E001-E012)", _events),
    Stage("against the contract", "providers, segments and referrals the contract must "
          "know (E013, E014)", _against_contract),
    Stage("lint", "traps in the contract (W0xx)", _lint, with_lint_only=True),
)


def load(contract_path: str, event_paths: Sequence[str] = (), *, with_lint: bool = False,
         text: str | None = None, dialect: Dialect = PLAIN, raw: bytes | None = None
         ) -> Loading:
    """Run every stage in order; ``text``: the contract's text, instead of reading the file;
    ``raw``: the file's bytes, read already; ``dialect``: how the event files are written."""
    state = Loading(contract_path, tuple(event_paths), text=text,
                    sha256=hashlib.sha256(text.encode("utf-8")).hexdigest() if text else "",
                    dialect=dialect, raw=raw)
    for stage in STAGES:
        if stage.with_lint_only and not with_lint:
            continue
        state.problems.extend(stage.run(state))
    state.problems = sorted_problems(state.problems)
    return state


def load_contract_text(text: str, file: str) -> tuple[LoadedContract | None, list[Problem]]:
    """A contract from its text: the contract (None when it has errors) and its problems."""
    state = load(file, text=text)
    return state.contract, state.problems


def load_contract_bytes(raw: bytes, file: str) -> tuple[LoadedContract | None, list[Problem]]:
    """A contract from the bytes of its file, exactly as ``load_contract`` reads the file
    (the same sha256 and clauses): how a worker process gets the contract it evaluates."""
    text, problem = decode_utf8(raw, file)
    if text is None:
        return None, [problem] if problem else []
    state = Loading(file, text=text, sha256=hashlib.sha256(raw).hexdigest())
    for stage in STAGES:
        if not stage.with_lint_only:
            state.problems.extend(stage.run(state))
    return state.contract, sorted_problems(state.problems)


def load_contract(path: str) -> tuple[LoadedContract | None, list[Problem]]:
    """A contract file: the contract (None when it has errors) and its problems."""
    state = load(path)
    return state.contract, state.problems
