"""The two workflows end to end: issue an invoice for a period, verify a provider's bill.

Both read the ledger, evaluate the contract as of the knowledge date and compute the invoice
with ``invoice.compute_invoice``; ``issue_invoice`` then writes it in the same transaction.
Nothing here reads the clock: the issue date is given, or by default the earliest day the
invoice may bear (``PriorState.issue_floor``: the period's last day, or later for a period
invoiced after a later one).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Literal

from .. import __version__
from ..contract.load import LoadedContract
from ..engine import CustomerResult, Evaluation, evaluate
from ..errors import Problem, Source
from ..events.model import EventBase
from ..shown import quoted
from ..values import counted, money_text
from .bill import Bill
from .invoice import JOINT, LATE_CLAUSE, Earnings, Invoice, PriorState, compute_invoice
from .ledger import Ledger, LedgerError, no_ledger
from .periods import BillingPeriod, PeriodError, check_issue_date, check_issue_year
from .verify import VerifyReport, classify


class InvoicingError(ValueError):
    """A request that cannot be served as asked (the message says why)."""


def select_providers(loaded: LoadedContract, provider: str | None, joint: bool
                     ) -> tuple[str, tuple[str, ...]]:
    """(series, providers): one provider's invoice, or a consortium's joint invoice. A
    provider's series is its ``invoice_code`` (default its id): the part of the invoice
    numbers that names it."""
    ids = tuple(p.id for p in loaded.contract.metadata.providers)
    codes = {p.id: p.invoice_code or p.id for p in loaded.contract.metadata.providers}
    if joint:
        if provider is not None:
            raise InvoicingError("give either --provider or --joint, not both")
        return JOINT, ids
    if provider is None:
        if len(ids) == 1:
            return codes[ids[0]], ids
        raise InvoicingError(f"the contract has providers {', '.join(ids)}: give --provider "
                             "ID, or --joint for one invoice with a section per member")
    if provider not in ids:
        raise InvoicingError(f"provider {quoted(provider, 40)} is not in the contract "
                             f"({', '.join(ids)})")
    return codes[provider], (provider,)


def inputs_sha256(paths: Iterable[str]) -> str:
    """sha256 of the event inputs: of each file's sha256, sorted, one per line. The same
    files give the same hash whatever their names or the order they are given in."""
    digests = []
    for path in paths:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        digests.append(h.hexdigest())
    return hashlib.sha256("".join(d + "\n" for d in sorted(digests)).encode()).hexdigest()


Status = Literal["issued", "dry_run", "already_issued", "nothing_new", "refused"]


@dataclass(frozen=True)
class IssueResult:
    status: Status
    invoice: Invoice | None  # issued, would be issued, or the one already issued
    message: str
    # what the issuer is told beside the invoice, not written on it (L012)
    notes: tuple[Problem, ...] = ()


# evaluates the contract as of a date: the engine over the events in memory, or a run over
# event files in shards (``scale``) whose customers stream from its spools
Evaluator = Callable[[date], Earnings]


def _compute(loaded: LoadedContract, events: Sequence[EventBase] | Evaluator,
             prior: PriorState, period: BillingPeriod, series: str,
             providers: tuple[str, ...], issue_date: date, inputs_hash: str,
             engine_version: str) -> Invoice:
    as_of = prior.knowledge_date(period, providers)
    evaluation = events(as_of) if callable(events) else evaluate(loaded, events, as_of)
    return compute_invoice(evaluation, prior, period=period, providers=providers,
                           series=series, issue_date=issue_date, inputs_sha256=inputs_hash,
                           engine_version=engine_version)


@dataclass
class _Issue:
    """One request to invoice a period, and the output steps waiting for the commit."""

    loaded: LoadedContract
    events: Sequence[EventBase] | Evaluator
    period: BillingPeriod
    series: str
    providers: tuple[str, ...]
    issue_date: date | None  # as given; None: the earliest day the ledger allows
    inputs_hash: str
    engine_version: str
    dry_run: bool
    prepare: Callable[[Invoice], Callable[[], None]] | None
    finish: list[Callable[[], None]] = field(default_factory=list)

    def deliver(self, result: IssueResult) -> IssueResult:
        """Write the shown invoice aside now; put it in place after the commit."""
        if self.prepare is not None and result.invoice is not None \
                and result.status in ("issued", "dry_run", "already_issued"):
            self.finish.append(self.prepare(result.invoice))
        return result

    def attempt(self, ledger: Ledger | None) -> IssueResult:
        prior = (ledger.prior_state(self.loaded.contract.metadata.id) if ledger is not None
                 else PriorState())
        done = prior.issued_for(self.series, self.period)
        if done is not None:
            existing = ledger.get(done.number) if ledger is not None else None
            return self.deliver(IssueResult(
                "already_issued", existing, f"period {self.period.label} was already invoiced "
                f"to {', '.join(self.providers) or self.series} as {done.number} on "
                f"{done.issue_date}; nothing new is issued (later changes are corrected on the "
                "next period's invoice)"))
        _no_overlap(prior, self.series, self.period)
        invoice = _compute(self.loaded, self.events, prior, self.period, self.series,
                           self.providers, _dated(prior, self.period, self.providers,
                                                  self.issue_date),
                           self.inputs_hash, self.engine_version)
        refused = _refusal(invoice, self.series, self.period)
        if refused is not None:
            return refused
        # told to the issuer, not written on the buyer's invoice (its sha256 is stored)
        notes = tuple(p for p in (contract_changed(prior, invoice, self.loaded.file),
                                  billed_late(invoice, self.loaded.file))
                      if p is not None)
        if self.dry_run or ledger is None:
            return self.deliver(IssueResult(
                "dry_run", invoice, f"dry run: {invoice.number} would bill {invoice.total} "
                f"{invoice.currency}{_with_vat(invoice)}; nothing was recorded in the ledger",
                notes))
        self.deliver(IssueResult("issued", invoice, ""))
        ledger.write(invoice)
        return IssueResult("issued", invoice, f"issued {invoice.number} for "
                           f"{self.period.label}: total {invoice.total} {invoice.currency}"
                           f"{_with_vat(invoice)}, dated {invoice.issue_date}"
                           f"{f', due {invoice.due_date}' if invoice.due_date else ''}",
                           notes)


def _no_overlap(prior: PriorState, series: str, period: BillingPeriod) -> None:
    """A day is in one invoiced period of a series at most: a period sharing days with one
    already invoiced (June 15 to July 10 after June) would bill nothing twice, but leave two
    invoices of the ledger, and of the buyer's books, covering the same days."""
    other = prior.overlapping(series, period)
    if other is None:
        return
    raise InvoicingError(
        f"the period {_days(period)} shares days with {_days(other.period)}, invoiced as "
        f"{other.number}: a day is invoiced in one period only; give a period that begins "
        f"after {other.period.last_day} or ends before {other.period.start}")


def _days(period: BillingPeriod) -> str:
    """A period's label, with its days where the label does not say them."""
    days = f"{period.start}..{period.last_day}"
    return period.label if period.label == days else f"{period.label} ({days})"


def _with_vat(invoice: Invoice) -> str:
    """What a total is made of: `` (2250.00 and VAT 540.00)``; nothing when no VAT is
    charged (the total is the amount)."""
    if not invoice.vat:
        return ""
    return f" ({invoice.subtotal} and VAT {invoice.vat})"


def _dated(prior: PriorState, period: BillingPeriod, providers: Sequence[str],
          given: date | None) -> date:
    """The issue date: ``given`` (``PeriodError`` when it is before the earliest day the
    ledger allows), or by default that earliest day. Invoiced in order, that is the
    period's last day; a period invoiced after a later one rests on the later facts and
    follows that invoice, so it is dated no earlier than either (the due date follows)."""
    earliest, after = prior.issue_floor(period, providers)
    if given is None:
        return earliest
    check_issue_year(period, given, earliest)
    if given < earliest and after is not None:
        raise PeriodError(
            f"--issue-date {given} is before {after.number} (period {after.period.label}, "
            f"facts as of {after.as_of}, issued {after.issue_date}), already in the ledger: "
            f"the invoice for {period.label} rests on the facts as of "
            f"{prior.knowledge_date(period, providers)} and follows {after.number}, so the "
            f"earliest issue date is {earliest} (give the day the invoice is sent)")
    return given


def billed_late(invoice: Invoice, file: str) -> Problem | None:
    """L015 (info) when lines of this invoice were earned before its period and an earlier
    invoice could have billed them but did not (each line's reason names it): their facts
    were recorded after it was made, or the contract has changed since. Billed now, as they
    should be; said so that nobody takes them for a mistake."""
    late = [(ln, found["number"]) for s in invoice.sections for ln in s.lines
            if (found := LATE_CLAUSE.search(ln.reason)) is not None]
    if not late:
        return None
    numbers = ", ".join(sorted({number for _, number in late}))
    amount = money_text(sum((ln.amount for ln, _ in late), Decimal(0)))
    were = "was" if len(late) == 1 else "were"
    return Problem("L015", f"{counted(len(late), 'line')} of this invoice ({amount}) {were} "
                   f"earned in time for an invoice made before ({numbers}) but not billed by "
                   "it: the facts were recorded after it was made, or the contract has changed "
                   "since; billed now, each line's reason names the invoice", Source(file))


def contract_changed(prior: PriorState, invoice: Invoice, file: str,
                     on: str = "on this invoice") -> Problem | None:
    """L012 when the contract file is not the one the last invoice in the ledger for any of
    this invoice's providers (their own, or a joint one) was made with: whatever changed in
    it (a price, a rule) reprices the lines invoiced to them before, and the corrections on
    this invoice pay or take back the difference. (A member's lines invoiced jointly are
    corrected on its own invoice, and the other way round.)"""
    earlier = [i for i in prior.invoices if set(i.providers) & set(invoice.providers)]
    if not earlier:
        return None
    last = earlier[-1]  # the ledger's order: the one written last
    if not last.contract_sha256 or last.contract_sha256 == invoice.contract_sha256:
        return None
    same = (f" (the same version {invoice.contract_version})"
            if last.contract_version == invoice.contract_version else
            f" (version {last.contract_version}, now {invoice.contract_version})")
    fixes = sum(len(s.corrections) for s in invoice.sections)
    return Problem("L012", f"the contract is not the file {last.number} was made with"
                   f"{same}: sha256 {invoice.contract_sha256[:12]}… now, "
                   f"{last.contract_sha256[:12]}… then; whatever changed in it reprices the "
                   f"lines invoiced before ({counted(fixes, 'correction')} {on}); "
                   "check that the change is meant", Source(file))


def _refusal(invoice: Invoice, series: str, period: BillingPeriod) -> IssueResult | None:
    """Nothing to write: an identity clash (two earnings, one identity: billing one would
    drop the other, unseen), or nothing new."""
    clashes = [p for p in invoice.problems if p.code == "V003"]
    if clashes:
        return IssueResult("refused", invoice, f"nothing was invoiced: {len(clashes)} identity "
                           "clash(es) (V003) must be resolved first")
    if invoice.is_empty():
        # the providers by their ids (the series is the invoice numbers' part, not a name)
        whom = ", ".join(invoice.providers) or series
        return IssueResult("nothing_new", invoice, f"nothing to invoice to {whom} for "
                           f"{period.label}: no new payable lines and no corrections")
    return None


def check_ledger_path(ledger_path: str, new_ledger: bool = False, verifying: bool = False
                      ) -> None:
    """A ledger is where one was asked for: at ``ledger_path`` a file (the ledger itself is
    checked when opened), or with ``new_ledger`` no file at all, where a new ledger is
    started. A missing ledger is never taken for a new, empty one: a mistyped path, or a
    command run from another folder, would bill every earning again from invoice 0001
    (``L013``); a new ledger asked for where a file is would hide the mistake the other way
    (``L014``), but for a ledger that holds no invoice (one a refused first invoice
    started: the retry asks for a new ledger again)."""
    there = os.path.lexists(ledger_path)
    if not there and not new_ledger:
        raise LedgerError.of([no_ledger(ledger_path, verifying)])
    if there and new_ledger and not _holds_no_invoice(ledger_path):
        raise LedgerError.of([Problem(
            "L014", "a new ledger was asked for, but a file is at this path: leave out "
            "--new-ledger to invoice into the ledger there, or give another path",
            Source(ledger_path))])


def _holds_no_invoice(ledger_path: str) -> bool:
    """Whether the file is a ledger holding no invoice (one a refused first invoice
    started): still a new ledger, which ``--new-ledger`` may take."""
    try:
        with Ledger.open(ledger_path, read_only=True) as ledger, ledger.transaction(
                write=False):
            return not ledger.numbers()
    except (LedgerError, OSError):
        return False


def issue_invoice(loaded: LoadedContract, events: Sequence[EventBase] | Evaluator,
                  period: BillingPeriod,
                  *, ledger_path: str, inputs_hash: str, provider: str | None = None,
                  joint: bool = False, issue_date: date | None = None, dry_run: bool = False,
                  engine_version: str = __version__,
                  prepare: Callable[[Invoice], Callable[[], None]] | None = None,
                  new_ledger: bool | None = None) -> IssueResult:
    """Invoice ``period``: new lines and corrections against the ledger, written in one
    transaction (unless ``dry_run``). A period already invoiced issues nothing new.

    ``prepare(invoice)``, when given, runs before the commit for every invoice the result
    shows (issued, dry run, already issued) and returns the step run after the commit: an
    output written aside is put in place only once the ledger holds what it shows, and a
    failed write rolls the invoice back. When the invoice is not recorded after all (the
    ledger cannot be written, the commit fails), the step's ``discard()``, if it has one,
    removes what was written aside. An ``issue_date`` before the period's last day is a
    ``PeriodError``, raised before the ledger is opened; one before the facts it rests on
    or an invoice already in the ledger that it follows (a period invoiced out of order,
    ``_dated``), once the ledger is read, before anything is computed. Without
    ``issue_date`` the invoice bears the earliest day allowed. ``new_ledger`` True or False:
    a ledger is started where no file is only with True, decided as the ledger is opened
    (``api.issue_invoice`` also asks it before anything is read: ``check_ledger_path``);
    None, as internal callers do: started where no file is."""
    if issue_date is not None:
        check_issue_date(period, issue_date)
    series, providers = select_providers(loaded, provider, joint)
    issue = _Issue(loaded, events, period, series, providers, issue_date,
                   inputs_hash, engine_version, dry_run, prepare)
    try:
        result = _in_ledger(ledger_path, dry_run, issue.attempt, new_ledger is not False)
    except BaseException:
        for step in issue.finish:  # what was prepared shows an invoice that was not recorded
            discard = getattr(step, "discard", None)
            if callable(discard):
                discard()
        raise
    for step in issue.finish:
        step()
    return result


def _in_ledger(ledger_path: str, dry_run: bool,
               attempt: Callable[[Ledger | None], IssueResult], create: bool) -> IssueResult:
    """``attempt`` inside one transaction: a read-only one for a dry run (no ledger file:
    nothing was invoiced yet, where a new ledger may be started), otherwise the writing one
    (the ledger started where no file is only with ``create``)."""
    if dry_run and not os.path.lexists(ledger_path):
        if not create:
            raise LedgerError.of([no_ledger(ledger_path)])
        return attempt(None)
    if dry_run:
        with Ledger.open(ledger_path, read_only=True) as ledger, ledger.transaction(
                write=False):
            return attempt(ledger)
    with Ledger.open(ledger_path, create_missing=create) as ledger, ledger.transaction(
            write=True):
        return attempt(ledger)


def show_invoice(ledger_path: str, number: str) -> Invoice | None:
    """An issued invoice from the ledger, exactly as issued (its document checked against
    its sha256 and its rows)."""
    if not os.path.lexists(ledger_path):
        return None
    with Ledger.open(ledger_path, read_only=True) as ledger, ledger.transaction(write=False):
        return ledger.get(number)


def verify_bill(loaded: LoadedContract, events: Sequence[EventBase] | Evaluator, bill: Bill,
                period: BillingPeriod, *, ledger_path: str | None, provider: str | None = None,
                joint: bool = False, engine_version: str = __version__,
                strict: bool = False) -> VerifyReport:
    """Class every line of ``bill`` against the invoice computed for ``period``.

    The bill is compared with the ledger as it stands; if the ledger already holds an
    invoice for this period (the checker recorded it first), with the ledger as it was
    before that invoice, so a bill can be checked before or after it is recorded.
    ``ledger_path`` None compares it with no ledger (nothing was invoiced before); so does a
    path where no file is, unless ``strict`` (as ``api.verify_bill`` asks: a mistyped path,
    or a ledger moved away meanwhile, must not pass a bill already invoiced: ``L013``).
    """
    series, providers = select_providers(loaded, provider, joint)
    contract_id = loaded.contract.metadata.id
    if ledger_path is not None and strict and not os.path.lexists(ledger_path):
        raise LedgerError.of([no_ledger(ledger_path, verifying=True)])
    if ledger_path is None or not os.path.lexists(ledger_path):
        prior = PriorState()
        note = "no ledger: nothing was invoiced before"
    else:
        with Ledger.open(ledger_path, read_only=True) as ledger, ledger.transaction(
                write=False):
            prior = ledger.prior_state(contract_id)
            done = prior.issued_for(series, period)
            note = (f"ledger {os.path.basename(ledger_path)} "
                    f"({counted(len(prior.invoices), 'invoice')})")
            if done is not None:
                prior = ledger.prior_state(contract_id, before=ledger.invoice_id(done.number))
                note = (f"ledger {os.path.basename(ledger_path)} as it was before "
                        f"{done.number}, which already covers {period.label}")
    as_of = prior.knowledge_date(period, providers)
    evaluation = events(as_of) if callable(events) else evaluate(loaded, events, as_of)
    # the bill's customers are kept as they stream by: classing a line looks only at its
    # own customer's lines (and the contract lines)
    billed = {bl.customer_id for bl in bill.lines}
    kept: list[CustomerResult] = []
    expected = compute_invoice(evaluation, prior, period=period, providers=providers,
                               series=series, issue_date=period.last_day, inputs_sha256="",
                               engine_version=engine_version,
                               each=lambda c: kept.append(c) if c.customer_id in billed
                               else None)
    seen = Evaluation(evaluation.loaded, evaluation.as_of, kept,
                      list(evaluation.contract_lines), list(evaluation.problems))
    report = classify(bill, expected, seen, prior)
    # the contract checked against is not the file the ledger's invoices were made with:
    # said as for an invoice (L012), so a changed price under an unchanged version is seen
    changed = contract_changed(prior, expected, loaded.file,
                               "on the invoice computed for the bill's period")
    return replace(report, ledger=note, problems=(
        *report.problems, *((changed,) if changed is not None else ())))
