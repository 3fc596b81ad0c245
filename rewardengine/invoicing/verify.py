"""Bill verification: class every line of a provider's bill against the computed invoice.

Every bill line is one of ``match``, ``amount_differs`` (both amounts and the reason),
``not_payable`` (the rule that denies it, with its clause) or ``duplicate`` (already invoiced,
or repeated in the bill); every payable line the bill leaves out is ``underbilled``. The bill is
right only when every line matches, nothing is underbilled and every row could be read.
Reading the bill is ``bill.py``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ..errors import Problem, Source, has_errors
from ..evaluate.engine import Evaluation
from ..evaluate.lines import Line
from ..values import money_text, round_cents
from .bill import TOTAL_TYPES, Bill, BillLine
from .invoice import ZERO, Invoice, Key, Note, PriorState, line_provider
from .periods import BillingPeriod

Class = Literal["match", "amount_differs", "not_payable", "duplicate", "underbilled"]
CLASSES: tuple[Class, ...] = ("match", "amount_differs", "not_payable", "duplicate",
                              "underbilled")

# --- classing ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Finding:
    cls: Class
    row: int | None  # the bill row; None for an underbilled line
    provider: str | None
    customer_id: str
    component: str
    occurrence: str | None
    date: date | None
    billed: Decimal | None
    computed: Decimal | None
    reason: str
    clause: str | None = None
    evidence: tuple[str, ...] = ()
    ref: str | None = None  # the invoice line it is, corrects, or repeats

    @property
    def difference(self) -> Decimal:
        return (self.billed or ZERO) - (self.computed or ZERO)

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.cls, "row": self.row, "provider": self.provider,
            "customer_id": self.customer_id, "component": self.component,
            "occurrence": self.occurrence,
            "date": self.date.isoformat() if self.date else None,
            "billed": money_text(self.billed) if self.billed is not None else None,
            "computed": money_text(self.computed) if self.computed is not None else None,
            "difference": money_text(self.difference), "reason": self.reason,
            "clause": self.clause, "evidence": list(self.evidence), "ref": self.ref,
        }


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


def _expected(invoice: Invoice) -> dict[tuple[str, Key], _Expected]:
    out: dict[tuple[str, Key], _Expected] = {}
    for ln in invoice.lines:
        out[(ln.provider, ln.key)] = _Expected(
            ln.provider, ln.key, ln.amount, ln.date, ln.reason, ln.clause, ln.evidence,
            f"{invoice.number}/{ln.no}")
    for c in invoice.corrections:
        out[(c.provider, c.key)] = _Expected(
            c.provider, c.key, c.amount, c.date, c.reason, c.clause, c.evidence,
            f"{invoice.number}/{c.no} (corrects {c.corrects})", c.invoiced_before, c.now)
    return out


def classify(bill: Bill, expected_invoice: Invoice, evaluation: Evaluation,
             prior: PriorState) -> VerifyReport:
    """Class every bill line against ``expected_invoice`` (computed for the same period and
    ledger state); pure."""
    loaded = evaluation.loaded
    providers = expected_invoice.providers
    expected = _expected(expected_invoice)
    uncorrected: dict[tuple[str, Key], Note] = {
        (n.provider, (n.customer_id or "", n.component, n.occurrence)): n
        for s in expected_invoice.sections for n in s.uncorrected}
    by_key: dict[Key, Line] = {}
    for ln in evaluation.all_lines():
        if ln.key not in by_key or ln.status == "payable":
            by_key[ln.key] = ln
    customers = {c.customer_id for c in evaluation.customers}
    matched: dict[tuple[str, Key], int] = {}
    findings: list[Finding] = []
    last_day = expected_invoice.period.last_day

    def resolve(bl: BillLine) -> tuple[str | None, Key | None]:
        provs = [bl.provider] if bl.provider else list(providers)
        if bl.occurrence is not None:
            key: Key = (bl.customer_id, bl.component, bl.occurrence)
            for p in provs:
                if (p, key) in expected or prior.entry(p, key) is not None:
                    return p, key
            return (provs[0] if provs else None), key
        # by date: an unmatched expected line first (the same amount preferred), then one
        # already invoiced, then any computed line
        same = [(p, e.key) for (p, k), e in expected.items()
                if p in provs and k[0] == bl.customer_id and k[1] == bl.component
                and e.date == bl.date and (p, k) not in matched]
        same.sort(key=lambda pk: expected[pk].amount != bl.amount)
        if same:
            return same[0]
        old = [(p, k) for (p, k), e in prior.entries.items()
               if p in provs and k[0] == bl.customer_id and k[1] == bl.component
               and e.date == bl.date]
        if old:
            return old[0]
        for ln in evaluation.all_lines():
            if (ln.customer_id or "") == bl.customer_id and ln.component == bl.component \
                    and ln.date == bl.date:
                return (provs[0] if provs else None), ln.key
        return (provs[0] if provs else None), None

    for bl in bill.lines:
        provider, key = resolve(bl)

        def emit(cls: Class, computed: Decimal | None, reason: str, *,
                 clause: str | None = None, evidence: tuple[str, ...] = (),
                 ref: str | None = None, when: date | None = None,
                 bl: BillLine = bl, provider: str | None = provider,
                 key: Key | None = key) -> None:
            if clause is None and loaded.contract.component(bl.component) is not None:
                clause = loaded.clause(bl.component)
            findings.append(Finding(
                cls, row=bl.row, provider=provider, customer_id=bl.customer_id,
                component=bl.component, occurrence=key[2] if key else bl.occurrence,
                date=bl.date or when, billed=bl.amount, computed=computed, reason=reason,
                clause=clause, evidence=evidence, ref=ref))

        if bl.provider is not None and bl.provider not in providers:
            emit("not_payable", None, f"provider {bl.provider} is not on this invoice "
                 f"(providers: {', '.join(providers)})")
            continue
        ident = (provider or "", key) if key is not None else None
        if ident is not None and ident in matched:
            emit("duplicate", ZERO, f"repeats bill row {matched[ident]} (the same customer, "
                 "component and occurrence)", ref=f"row {matched[ident]}")
            continue
        if ident is not None and ident in expected:
            matched[ident] = bl.row
            e = expected[ident]
            if bl.amount == e.amount:
                emit("match", e.amount, e.reason, clause=e.clause, evidence=e.evidence,
                     ref=e.ref, when=e.date)
                continue
            why = f"billed {money_text(bl.amount)}, computed {money_text(e.amount)}: {e.reason}"
            if e.before is not None and e.now is not None and bl.amount == e.now:
                why = (f"billed the full {money_text(e.now)} but {money_text(e.before)} was "
                       f"already invoiced, so {money_text(e.amount)} is due: {e.reason}")
            emit("amount_differs", e.amount, why, clause=e.clause, evidence=e.evidence,
                 ref=e.ref, when=e.date)
            continue
        if ident is not None and ident in uncorrected:
            matched[ident] = bl.row
            emit("not_payable", ZERO, uncorrected[ident].reason,
                 clause=loaded.clause(bl.component))
            continue
        entry = prior.entry(provider, key) if provider and key else None
        if ident is not None and entry is not None:
            matched[ident] = bl.row
            emit("duplicate", ZERO, f"already invoiced on {entry.invoice} line {entry.line} "
                 f"({money_text(entry.net)} so far) and unchanged since",
                 evidence=entry.evidence, ref=f"{entry.invoice}/{entry.line}", when=entry.date)
            continue
        if ident is not None:
            matched[ident] = bl.row
        reason, clause, evidence = _denial(
            bl, by_key.get(key) if key else None, provider=provider, last_day=last_day,
            customers=customers, evaluation=evaluation)
        emit("not_payable", ZERO, reason, clause=clause, evidence=evidence)
    for ident, e in expected.items():
        if ident in matched:
            continue
        findings.append(Finding(
            "underbilled", row=None, provider=e.provider, customer_id=e.key[0],
            component=e.key[1], occurrence=e.key[2], date=e.date, billed=None,
            computed=e.amount, reason=f"payable but not on the bill: {e.reason}",
            clause=e.clause, evidence=e.evidence, ref=e.ref))
    return VerifyReport(
        contract_id=loaded.contract.metadata.id,
        contract_version=loaded.contract.metadata.version, contract_sha256=loaded.sha256,
        period=expected_invoice.period, as_of=evaluation.as_of, providers=providers,
        ledger="", bill_file=bill.file, expected_number=expected_invoice.number,
        findings=tuple(findings), billed_total=bill.total,
        computed_total=expected_invoice.subtotal,
        problems=(*bill.problems, *_stated_sums(bill, expected_invoice.vat_rate)))


def _stated_sums(bill: Bill, vat_rate: Decimal) -> list[Problem]:
    """The subtotal, VAT and total a bill states must follow from its own lines: the total
    is what gets paid, so a sum that does not add up makes the bill wrong (B006)."""
    subtotal = bill.total
    vat = round_cents(subtotal * vat_rate)
    due = {"subtotal": subtotal, "vat": vat, "total": subtotal + vat}
    how = {"subtotal": "its lines add up to", "vat": f"VAT {vat_rate} of its lines is",
           "total": "its lines plus VAT make"}
    out = []
    for kind in TOTAL_TYPES:
        if kind in bill.stated:
            row, amount = bill.stated[kind]
            if amount != due[kind]:
                out.append(Problem(
                    "B006", f"the bill's {kind} says {money_text(amount)} but "
                    f"{how[kind]} {money_text(due[kind])}", Source(bill.file, row=row)))
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
        shown = "; ".join(f"{ln.occurrence} {ln.status.replace('_', ' ')}: {ln.reason}"
                          for ln in computed[:3])
        more = f" (and {len(computed) - 3} more)" if len(computed) > 3 else ""
        known_text = f"; what it computes: {shown}{more}"
    else:
        known_text = "; the component computes nothing for this customer"
    return (f"no {bl.component} earning {what} for customer {bl.customer_id} as of {as_of}"
            f"{known_text}", clause, tuple(sorted({e for ln in computed[:3]
                                                   for e in ln.evidence})))
