"""Bill verification: class every line of a provider's bill against the computed invoice.

Every bill line is one of ``match``, ``amount_differs`` (both amounts and the reason),
``date_differs`` (the right amount, dated before the day it was earned: both dates),
``not_payable`` (the rule that denies it, with its clause) or ``duplicate`` (already invoiced,
or repeated in the bill); every payable line the bill leaves out is ``underbilled``. The bill is
right only when every line matches, nothing is underbilled and every row could be read.
Reading the bill is ``bill.py``'s job.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ..codec import meta, to_data
from ..engine import Evaluation
from ..errors import Problem, Source, has_errors
from ..evaluate.lines import Line
from ..shown import quoted
from ..values import money_text
from .bill import TOTAL_TYPES, Bill, BillLine
from .invoice import (
    ZERO,
    Invoice,
    Key,
    Note,
    PriorState,
    Vat,
    VatGroup,
    groups_words,
    line_provider,
    line_vat,
    merged_breakdown,
    vat_breakdown,
)
from .periods import BillingPeriod, PeriodError, parse_period, resolve_period

Class = Literal["match", "amount_differs", "date_differs", "not_payable", "duplicate",
                "underbilled"]
CLASSES: tuple[Class, ...] = ("match", "amount_differs", "date_differs", "not_payable",
                              "duplicate", "underbilled")

# --- classing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    __derived__ = ("difference",)

    cls: Class = field(metadata=meta(key="class"))
    row: int | None  # the bill row; None for an underbilled line
    provider: str | None
    customer_id: str
    component: str
    occurrence: str | None
    date: date | None
    billed: Decimal | None = field(metadata=meta(fmt="money"))
    computed: Decimal | None = field(metadata=meta(fmt="money"))
    reason: str
    clause: str | None = None
    evidence: tuple[str, ...] = ()
    ref: str | None = None  # the invoice line it is, corrects, or repeats
    # the day the engine finds it earned, when the bill dates it otherwise
    earned: datetime.date | None = field(default=None, metadata=meta(omit_none=True))

    @property
    def difference(self) -> Decimal:
        return (self.billed or ZERO) - (self.computed or ZERO)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_data(self)
        return out


@dataclass(frozen=True)
class VerifyReport:
    contract_id: str
    contract_version: str
    contract_sha256: str
    period: BillingPeriod
    as_of: date
    providers: tuple[str, ...]
    ledger: str  # what the bill was compared against, in words
    bill_file: str
    expected_number: str
    findings: tuple[Finding, ...]
    billed_total: Decimal
    computed_total: Decimal
    problems: tuple[Problem, ...] = ()
    currency: str = "EUR"  # the contract's, for the report's amounts
    # the evaluation's own, as the computed invoice holds them (a customer not evaluated, a
    # fact passed over): told beside the bill's, never making the bill wrong
    event_problems: tuple[Problem, ...] = ()

    @property
    def difference(self) -> Decimal:
        return self.billed_total - self.computed_total

    @property
    def ok(self) -> bool:
        # a note (F005: the encoding the bill was read in) does not make a bill wrong
        return not has_errors(list(self.problems)) and all(f.cls == "match"
                                                           for f in self.findings)

    def count(self, cls: Class) -> int:
        return sum(f.cls == cls for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "contract": {"id": self.contract_id, "version": self.contract_version,
                         "sha256": self.contract_sha256},
            "period": self.period.to_dict(), "as_of": self.as_of.isoformat(),
            "providers": list(self.providers), "ledger": self.ledger, "bill": self.bill_file,
            "expected_invoice": self.expected_number,
            "findings": [f.to_dict() for f in self.findings],
            "counts": {c: self.count(c) for c in CLASSES},
            "totals": {"billed": money_text(self.billed_total),
                       "computed": money_text(self.computed_total),
                       "difference": money_text(self.difference)},
            "problems": [p.to_dict() for p in self.problems],
            "event_problems": [p.to_dict() for p in self.event_problems],
        }


@dataclass(frozen=True, slots=True)
class _Expected:
    provider: str
    key: Key
    amount: Decimal
    date: date | None
    reason: str
    clause: str
    evidence: tuple[str, ...]
    ref: str
    before: Decimal | None = None  # for a correction: invoiced so far
    now: Decimal | None = None
    vat: Vat | None = None  # None: an invoice of lines without their own VAT


def _expected(invoice: Invoice) -> dict[tuple[str, Key], _Expected]:
    out: dict[tuple[str, Key], _Expected] = {}
    for ln in invoice.lines:
        out[(ln.provider, ln.key)] = _Expected(
            ln.provider, ln.key, ln.amount, ln.date, ln.reason, ln.clause, ln.evidence,
            f"{invoice.number}/{ln.no}", vat=ln.vat)
    for c in invoice.corrections:
        out[(c.provider, c.key)] = _Expected(
            c.provider, c.key, c.amount, c.date, c.reason, c.clause, c.evidence,
            f"{invoice.number}/{c.no} (corrects {c.corrects})", c.invoiced_before, c.now,
            c.vat)
    return out


def classify(bill: Bill, expected_invoice: Invoice, evaluation: Evaluation,
             prior: PriorState) -> VerifyReport:
    """Class every bill line against ``expected_invoice`` (computed for the same period and
    ledger state); pure."""
    loaded = evaluation.loaded
    checker = _Classifier(bill, expected_invoice, evaluation, prior)
    for bl in bill.lines:
        checker.classify(bl)
    checker.underbilled()
    due = _due_breakdown(bill, expected_invoice, checker)
    return VerifyReport(
        contract_id=loaded.contract.metadata.id,
        contract_version=loaded.contract.metadata.version, contract_sha256=loaded.sha256,
        period=expected_invoice.period, as_of=evaluation.as_of,
        providers=expected_invoice.providers, ledger="", bill_file=bill.file,
        expected_number=expected_invoice.number, findings=tuple(checker.findings),
        billed_total=bill.total, computed_total=expected_invoice.subtotal,
        problems=(*bill.problems, *_stated_period(bill, expected_invoice.period),
                  *_stated_parties(bill, loaded.contract.metadata.id,
                                   expected_invoice.providers, checker.members),
                  *checker.problems,
                  *_stated_sums(bill, expected_invoice, due), *_stated_rates(bill, due),
                  *_stated_groups(bill, due),
                  # two lines with one identity: the invoice cannot be computed right
                  *(p for p in evaluation.problems if p.code == "V003")),
        currency=expected_invoice.currency,
        event_problems=tuple(p for p in evaluation.problems if p.code != "V003"))


Ident = tuple[str, Key]


class _Classifier:
    """The steps of classing a bill: find what each line claims (by occurrence, or by date),
    class it against the expected invoice, the ledger and the evaluation, then list what
    the bill leaves out."""

    def __init__(self, bill: Bill, invoice: Invoice, evaluation: Evaluation,
                 prior: PriorState) -> None:
        self.evaluation = evaluation
        self.loaded = evaluation.loaded
        self.bill = bill
        self.members = [m.id for m in self.loaded.contract.metadata.providers]
        self.prior = prior
        self.providers = invoice.providers
        self.last_day = invoice.period.last_day
        self.expected = _expected(invoice)
        self.uncorrected: dict[Ident, Note] = {
            (n.provider, (n.customer_id or "", n.component, n.occurrence)): n
            for s in invoice.sections for n in s.uncorrected}
        self.by_key: dict[Key, Line] = {}
        for ln in evaluation.all_lines():
            if ln.key not in self.by_key or ln.status == "payable":
                self.by_key[ln.key] = ln
        self.customers = {c.customer_id for c in evaluation.customers}
        self.matched: dict[Ident, int] = {}
        self.findings: list[Finding] = []
        self.problems: list[Problem] = []  # a line's VAT not the one of its day (B008)
        self.due_vat: dict[int, Vat] = {}  # bill row -> the VAT of the line it is
        self.provider_of: dict[int, str] = {}  # bill row -> the provider it was read for

    # --- what a line claims ----------------------------------------------------------------

    def resolve(self, bl: BillLine) -> tuple[str | None, Key | None]:
        provs = [bl.provider] if bl.provider else list(self.providers)
        first = provs[0] if provs else None
        if bl.occurrence is not None:
            key: Key = (bl.customer_id, bl.component, bl.occurrence)
            for p in provs:
                if (p, key) in self.expected or self.prior.entry(p, key) is not None:
                    return p, key
            return first, key
        return self.by_date(bl, provs) or (first, None)

    def by_date(self, bl: BillLine, provs: list[str]) -> tuple[str | None, Key] | None:
        """An unmatched expected line of that date first (the same amount preferred), then
        one already invoiced, then any computed line."""
        same = [(p, e.key) for (p, k), e in self.expected.items()
                if p in provs and k[0] == bl.customer_id and k[1] == bl.component
                and e.date == bl.date and (p, k) not in self.matched]
        same.sort(key=lambda pk: self.expected[pk].amount != bl.amount)
        if same:
            return same[0]
        old = [(p, k) for (p, k), e in self.prior.entries.items()
               if p in provs and k[0] == bl.customer_id and k[1] == bl.component
               and e.date == bl.date]
        if old:
            return old[0]
        for ln in self.evaluation.all_lines():
            if (ln.customer_id or "") == bl.customer_id and ln.component == bl.component \
                    and ln.date == bl.date:
                return (provs[0] if provs else None), ln.key
        return None

    # --- classing ------------------------------------------------------------------------

    def emit(self, bl: BillLine, cls: Class, computed: Decimal | None, reason: str, *,
             where: tuple[str | None, Key | None], clause: str | None = None,
             evidence: tuple[str, ...] = (), ref: str | None = None,
             when: date | None = None, earned: date | None = None) -> None:
        provider, key = where
        if clause is None and self.loaded.contract.component(bl.component) is not None:
            clause = self.loaded.clause(bl.component)
        self.findings.append(Finding(
            cls, row=bl.row, provider=provider, customer_id=bl.customer_id,
            component=bl.component, occurrence=key[2] if key else bl.occurrence,
            date=bl.date or when, billed=bl.amount, computed=computed, reason=reason,
            clause=clause, evidence=evidence, ref=ref, earned=earned))

    def classify(self, bl: BillLine) -> None:
        where = self.resolve(bl)
        provider, key = where
        if provider is not None:
            self.provider_of[bl.row] = provider
        if bl.provider is not None and bl.provider not in self.providers:
            said = (f"is not on this invoice (providers: {', '.join(self.providers)})"
                    if bl.provider in self.members else "is not a provider of the contract "
                    f"(its providers: {', '.join(self.members)})")
            self.emit(bl, "not_payable", ZERO, f"provider {bl.provider} {said}", where=where)
            return
        ident = (provider or "", key) if key is not None else None
        if ident is not None and ident in self.matched:
            self.emit(bl, "duplicate", ZERO, f"repeats bill row {self.matched[ident]} (the "
                      "same customer, component and occurrence)", where=where,
                      ref=f"row {self.matched[ident]}")
            return
        if ident is not None:
            self.matched[ident] = bl.row
            if ident in self.expected:
                self.expected_line(bl, where, self.expected[ident])
                return
            if ident in self.uncorrected:
                self.emit(bl, "not_payable", ZERO, self.uncorrected[ident].reason,
                          where=where, clause=self.loaded.clause(bl.component))
                return
        entry = self.prior.entry(provider, key) if provider and key else None
        if entry is not None and entry.net == 0:
            # invoiced once and credited back in full (a voided job): not payable now, and
            # not "already invoiced", which reads as paid
            reason, clause, evidence = _denial(
                bl, self.by_key.get(key) if key else None, provider=provider,
                last_day=self.last_day, customers=self.customers, evaluation=self.evaluation)
            self.emit(bl, "not_payable", ZERO, f"{reason}; invoiced on {entry.invoice} line "
                      f"{entry.line} and credited back in full on {entry.last_invoice}",
                      where=where, clause=clause, evidence=evidence or entry.evidence,
                      ref=f"{entry.invoice}/{entry.line}")
            return
        if entry is not None:
            self.emit(bl, "duplicate", ZERO, f"already invoiced on {entry.invoice} line "
                      f"{entry.line} ({money_text(entry.net)} so far) and unchanged since",
                      where=where, evidence=entry.evidence,
                      ref=f"{entry.invoice}/{entry.line}", when=entry.date)
            return
        reason, clause, evidence = _denial(
            bl, self.by_key.get(key) if key else None, provider=provider,
            last_day=self.last_day, customers=self.customers, evaluation=self.evaluation)
        self.emit(bl, "not_payable", ZERO, reason, where=where, clause=clause,
                  evidence=evidence)

    def expected_line(self, bl: BillLine, where: tuple[str | None, Key | None],
                      e: _Expected) -> None:
        if e.vat is not None:
            self.due_vat[bl.row] = e.vat
            if bl.vat is not None and bl.vat != (e.vat.category, e.vat.rate):
                self.problems.append(Problem("B008", _vat_differs(bl, e, e.vat),
                                             self.bill.source(bl.row)))
        reason, early = _dated(bl, e)
        earned = e.date if bl.date is not None and bl.date != e.date else None
        if bl.amount == e.amount:
            self.emit(bl, "date_differs" if early else "match", e.amount, reason,
                      where=where, clause=e.clause, evidence=e.evidence, ref=e.ref,
                      when=e.date, earned=earned)
            return
        why = f"billed {money_text(bl.amount)}, computed {money_text(e.amount)}: {reason}"
        if e.before is not None and e.now is not None and bl.amount == e.now:
            why = (f"billed the full {money_text(e.now)} but {money_text(e.before)} was "
                   f"already invoiced, so {money_text(e.amount)} is due: {reason}")
        self.emit(bl, "amount_differs", e.amount, why, where=where, clause=e.clause,
                  evidence=e.evidence, ref=e.ref, when=e.date, earned=earned)

    def underbilled(self) -> None:
        for ident, e in self.expected.items():
            if ident in self.matched:
                continue
            # a correction that takes money back, left off, makes the bill ask too much:
            # the reason says so rather than "payable" (the class stays: no row for it)
            missing = ("a credit owed back, not on the bill" if e.amount < 0
                       else "payable but not on the bill")
            self.findings.append(Finding(
                "underbilled", row=None, provider=e.provider, customer_id=e.key[0],
                component=e.key[1], occurrence=e.key[2], date=e.date, billed=None,
                computed=e.amount, reason=f"{missing}: {e.reason}",
                clause=e.clause, evidence=e.evidence, ref=e.ref))


def _dated(bl: BillLine, e: _Expected) -> tuple[str, bool]:
    """The reason of a billed line the engine computes, with the bill's date where it is not
    the day the engine finds it earned; and whether the bill dates it before that day. Dated
    before, the bill claims a fee not yet earned on its date (a finding, ``date_differs``);
    dated after (billed late, or dated by the bill's own day), the fee is owed all the same
    and the earned day is the one recorded, so the reason notes it and the line matches."""
    if bl.date is None or e.date is None or bl.date == e.date:
        return e.reason, False
    # how far apart, in calendar days: what a checker asks the provider about first
    apart = abs((e.date - bl.date).days)
    days = f"{apart} day" if apart == 1 else f"{apart} days"
    if bl.date < e.date:  # noted for a credit, which claims nothing early: no finding
        return (f"dated {bl.date}, {days} before it was earned on {e.date}: {e.reason}",
                e.amount > 0)
    return (f"dated {bl.date}, {days} after it was earned on {e.date} (the earned day "
            f"counts): {e.reason}"), False


def _stated_period(bill: Bill, period: BillingPeriod) -> list[Problem]:
    """B009 (a warning) when the bill says it is for another period than the one it is
    verified for (``--period``): its lines would be told as already invoiced or not yet
    earned, and the bill's own period is what to check first. Only a period written as the
    engine writes one (``2020-08``, ``2020-Q3``, ``2024-08-01..2024-09-30``) is compared."""
    if bill.period is None:
        return []
    row, label = bill.period
    stated = _period_of(label)
    if stated is None or (stated.start, stated.end) == (period.start, period.end):
        return []
    return [Problem("B009", f"the bill says it is for {stated.label}, not {period.label}, the "
                    "period it is verified for: check --period", Source(bill.file, row=row))]


def _stated_parties(bill: Bill, contract: str, providers: Sequence[str],
                    members: Sequence[str]) -> list[Problem]:
    """B010 (a warning) when the bill says it is for another contract (an invoice's
    ``contract.id``), or every line of it names a provider the bill is not verified for:
    its lines would be told as not payable, and the contract or --provider is what to
    check first (the bill itself, when no provider it names is one of the contract's
    ``members``)."""
    out = []
    if bill.contract is not None and bill.contract != contract:
        out.append(Problem("B010", f"the bill says it is for contract "
                           f"{quoted(bill.contract, 40)}, not {contract}, the contract it is "
                           "verified against: check the contract file", Source(bill.file)))
    named = {bl.provider for bl in bill.lines}
    if bill.lines and None not in named and not named & set(providers):
        theirs = ", ".join(sorted(quoted(str(p), 30) for p in named))
        check = "check --provider" if named & set(members) else (
            f"the contract's providers are {', '.join(members)}: check the bill's provider "
            "column (or the contract file)")
        out.append(Problem("B010", f"every line of the bill names {theirs}, and the bill is "
                           f"verified for {', '.join(providers)}: {check}",
                           Source(bill.file)))
    return out


def _period_of(label: str) -> BillingPeriod | None:
    first, dots, last = label.partition("..")
    try:
        return resolve_period(None, first, last) if dots else parse_period(label)
    except PeriodError:
        return None


def _vat_differs(bl: BillLine, e: _Expected, vat: Vat) -> str:
    assert bl.vat is not None
    said = f"VAT {bl.vat[0]} {bl.vat[1]}"
    day = f", earned on {e.date}," if e.date is not None else ""
    why = f" ({vat.reference})" if vat.reference else ""
    return (f"the bill gives this line {said}, but the {e.key[1]} line it bills{day} has "
            f"VAT {vat.category} {vat.rate}{why}")


def _due_breakdown(bill: Bill, expected: Invoice, checker: _Classifier
                   ) -> tuple[VatGroup, ...]:
    """The VAT breakdown the bill's own lines make, as the computed invoice makes its own:
    each line at the VAT of the computed line it bills, else of its component on the day
    the bill dates it (the period's last day when it dates it on no day), else at the
    contract's rate; each group rounded once, and for a summary of member invoices once per
    member (the VAT is the members' own invoices'). A bill of the computed lines has the
    computed breakdown."""
    last_day = expected.period.last_day
    items = [(bl.provider or checker.provider_of.get(bl.row), checker.due_vat.get(bl.row)
              or _vat_of(checker, bl, last_day), bl.amount) for bl in bill.lines]
    if not expected.member_invoices:
        return vat_breakdown([(vat, amount) for _, vat, amount in items], expected.vat_rate)
    return merged_breakdown(
        vat_breakdown([(vat, amount) for p, vat, amount in items if (p or "") == provider],
                      expected.vat_rate)
        for provider in sorted({p or "" for p, _, _ in items}))


def _vat_of(checker: _Classifier, bl: BillLine, last_day: date) -> Vat | None:
    if checker.loaded.contract.component(bl.component) is None:
        return None  # not the contract's: taxed at the contract's rate
    return line_vat(checker.loaded, bl.component, bl.date or last_day)


def _stated_groups(bill: Bill, due: tuple[VatGroup, ...]) -> list[Problem]:
    """The VAT breakdown a bill states must be the one its lines make, group by group
    (category, rate, exemption code and reason): B006 for each group told otherwise, left
    out or stated with no line taxed so."""
    if bill.vat_breakdown is None:
        return []
    made = {_group_key(g): g for g in due}
    said: dict[tuple[str, Decimal, str, str], VatGroup] = {}
    out = []
    for g in bill.vat_breakdown:
        key = _group_key(g)
        if key in said:
            out.append(f"the bill's VAT breakdown states {_words(g)} twice")
        said[key] = g
    for key in sorted(made.keys() | said.keys()):
        s, m = said.get(key), made.get(key)
        if s is None and m is not None:
            out.append(f"the bill's VAT breakdown leaves out {_words(m)}, which its lines "
                       "make")
        elif m is None and s is not None:
            out.append(f"the bill's VAT breakdown says {_words(s)} but none of its lines "
                       "is taxed so")
        elif s is not None and m is not None and (s.taxable, s.tax) != (m.taxable, m.tax):
            out.append(f"the bill's VAT breakdown says {_words(s)} but its lines make "
                       f"{_words(m)}")
    return [Problem("B006", message, Source(bill.file)) for message in out]


def _stated_rates(bill: Bill, made: tuple[VatGroup, ...]) -> list[Problem]:
    """A bill stating its VAT in rows that each name their rate ("ALV 24 %", "ALV 25,5 %")
    must state at each rate the VAT its lines make at it (``made``): B006 at a row told
    otherwise, at a second row of one rate, and for a rate its lines are taxed at that no
    row names. Rows naming no rate are checked only as a sum (``_stated_sums``)."""
    rows = bill.vat_rows
    if not rows or any(rate is None for _, rate, _ in rows):
        return []
    due: dict[Decimal, Decimal] = {}  # by percentage, as labels name rates (24: 0.24)
    for g in made:
        due[g.rate * 100] = due.get(g.rate * 100, ZERO) + g.tax
    said: dict[Decimal, int] = {}
    out: list[Problem] = []
    for row, rate, amount in rows:
        assert rate is not None  # every row names one (above)
        at, pct = bill.source(row), _percent(rate)
        if rate in said:
            out.append(Problem("B006", f"the bill states VAT at {pct} twice (rows {said[rate]} "
                               f"and {row})", at))
            continue
        said[rate] = row
        if amount != due.get(rate, ZERO):
            out.append(Problem("B006", f"the bill's VAT at {pct} says {money_text(amount)} but "
                               f"its lines' VAT at {pct} is {money_text(due.get(rate, ZERO))}",
                               at))
    out.extend(Problem("B006", f"the bill states its VAT rate by rate but has no row for "
                       f"{_percent(rate)}, at which its lines' VAT is {money_text(tax)}",
                       bill.source(rows[0][0]))
               for rate, tax in sorted(due.items()) if rate not in said and tax)
    return out


def _percent(rate: Decimal) -> str:
    """A rate as a percentage, as a bill's label writes it: 25.5 %, 24 %."""
    return f"{format(rate.normalize(), 'f')} %"


def _group_key(g: VatGroup) -> tuple[str, Decimal, str, str]:
    """A group's identity: category, rate, exemption code and reason (two exempt
    components of one code may give two reasons, as two groups)."""
    return (g.category, g.rate, g.exemption_code or "", g.exemption_reason or "")


def _words(g: VatGroup) -> str:
    code = f" ({g.exemption_code})" if g.exemption_code else ""
    return (f"VAT {g.category} {g.rate}{code} on {money_text(g.taxable)}: "
            f"{money_text(g.tax)}")


def _stated_sums(bill: Bill, expected: Invoice, made: tuple[VatGroup, ...]) -> list[Problem]:
    """The subtotal, VAT and total a bill states must follow from its own lines: the total
    is what gets paid, so a sum that does not add up makes the bill wrong (B006). ``made``:
    the VAT breakdown the bill's lines make (``_due_breakdown``)."""
    subtotal, vat_rate = bill.total, expected.vat_rate
    vat = sum((g.tax for g in made), ZERO)
    due = {"subtotal": subtotal, "vat": vat, "total": subtotal + vat}
    how = {"subtotal": "its lines add up to", "vat": f"VAT {vat_rate} of its lines is",
           "total": "its lines plus VAT make"}
    # several rates (or one other than the invoice's): the VAT is told group by group, as
    # the bill's own VAT row gives it, since no one rate of the lines makes it
    words = groups_words(made, vat_rate)
    groups = "" if words == f"VAT {vat_rate}" else f" ({words})"
    if groups:
        how["vat"] = "its lines' VAT is"
    out = []
    for kind in TOTAL_TYPES:
        if kind in bill.stated:
            row, amount = bill.stated[kind]
            if amount != due[kind]:
                out.append(Problem(
                    "B006", f"the bill's {kind} says {money_text(amount)} but "
                    f"{how[kind]} {money_text(due[kind])}{groups if kind == 'vat' else ''}",
                    Source(bill.file, row=row)))
    return out


def _denial(bl: BillLine, line: Line | None, *, provider: str | None, last_day: date,
            customers: set[str], evaluation: Evaluation
            ) -> tuple[str, str | None, tuple[str, ...]]:
    """Why a billed line is not payable: (reason, clause, evidence)."""
    loaded = evaluation.loaded
    as_of = evaluation.as_of
    comp = loaded.contract.component(bl.component)
    clause = loaded.clause(bl.component) if comp is not None else None
    if line is not None:
        owner = line_provider(loaded, line)
        if line.status == "pending":
            return f"not payable yet: {line.reason}", line.clause, line.evidence
        if line.status == "not_earned":
            return f"not earned: {line.reason}", line.clause, line.evidence
        if owner != provider:
            return (f"earned by provider {owner}, not {provider}: {line.reason}", line.clause,
                    line.evidence)
        if line.date is not None and line.date > last_day:
            return (f"accrues on {line.date}, after the period ends on {last_day}: "
                    f"{line.reason}", line.clause, line.evidence)
        if line.amount == 0:
            return f"nothing is payable: {line.cap or line.reason}", line.clause, line.evidence
    if comp is None:
        known = ", ".join(c.id for c in loaded.contract.components)
        return f"the contract has no component '{bl.component}' (it has {known})", None, ()
    if not bl.customer_id:
        what = f"'{bl.occurrence}'" if bl.occurrence is not None else f"dated {bl.date}"
        return (f"no contract-level {bl.component} earning {what} as of {as_of} (a line "
                "without a customer)"), clause, ()
    if bl.customer_id not in customers:
        return f"no events for customer {bl.customer_id} recorded by {as_of}", clause, ()
    computed = sorted((ln for ln in evaluation.all_lines()
                       if (ln.customer_id or "") == bl.customer_id
                       and ln.component == bl.component), key=lambda ln: ln.occurrence)
    what = f"'{bl.occurrence}'" if bl.occurrence is not None else f"dated {bl.date}"
    if computed:
        shown = "; ".join(f"'{ln.occurrence}' {ln.status.replace('_', ' ')}: {ln.reason}"
                          for ln in computed[:3])
        more = f" (and {len(computed) - 3} more)" if len(computed) > 3 else ""
        known_text = f"; what it computes: {shown}{more}"
    else:
        known_text = "; the component computes nothing for this customer"
    return (f"no {bl.component} earning {what} for customer {bl.customer_id} as of {as_of}"
            f"{known_text}", clause, tuple(sorted({e for ln in computed[:3]
                                                   for e in ln.evidence})))
