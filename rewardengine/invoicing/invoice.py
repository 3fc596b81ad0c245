"""The invoice for a period: new lines plus corrections, pure given the ledger's prior state.

Rules (docs/invoicing.md):

- A line's identity is ``(provider, customer, component, occurrence)``. A payable line whose
  identity is not in the ledger and that accrued on or before the period's last day is a new
  line. A payable line that accrues later waits (shown as pending, not invoiced).
- For every identity already in the ledger, the amount due now is the payable amount as of
  the knowledge date (zero when it is no longer payable). When that differs from what was
  invoiced so far (the original line plus earlier corrections) a correction bills the
  difference, naming the invoice and line it corrects. A line first invoiced on an invoice
  whose period started before ``period.start - invoicing.corrections_months`` is beyond reach:
  the difference is listed, not billed.
- The knowledge date is the period's last day, or the latest knowledge date of an invoice
  already issued to the same provider(s) when that is later (a period invoiced out of order
  never looks at older facts than the ledger already used).
- VAT is ``metadata.vat_rate`` times the subtotal, rounded once, half-up, to cents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from ..contract.load import LoadedContract
from ..engine import Evaluation
from ..evaluate.lines import Line
from ..values import money_text, round_cents
from .periods import BillingPeriod

ZERO = Decimal("0.00")
JOINT = "joint"

Key = tuple[str, str, str]  # (customer, component, occurrence); customer "" for contract lines


def _d(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


# --- the ledger's prior state (read by ledger.py, used here) -------------------------------

@dataclass(frozen=True, slots=True)
class Entry:
    """One line identity the ledger has invoiced to one provider."""

    provider: str
    key: Key
    invoice: str  # number of the invoice that first billed it
    line: int  # its line number there
    period_start: date  # start of that invoice's period (for the correction reach)
    date: date | None
    net: Decimal  # invoiced so far: the original amount plus every correction
    evidence: tuple[str, ...] = ()
    last_invoice: str = ""  # the invoice that last changed it
    segment: str | None = None  # the customer's segment when it was invoiced


@dataclass(frozen=True, slots=True)
class Issued:
    """An invoice already in the ledger (summary)."""

    number: str
    series: str
    seq: int
    providers: tuple[str, ...]
    period: BillingPeriod
    as_of: date
    issue_date: date


@dataclass(frozen=True)
class PriorState:
    """What the ledger holds for one contract before the invoice being computed."""

    entries: dict[tuple[str, Key], Entry] = field(default_factory=dict)
    invoices: tuple[Issued, ...] = ()

    def entry(self, provider: str, key: Key) -> Entry | None:
        return self.entries.get((provider, key))

    def issued_for(self, series: str, period: BillingPeriod) -> Issued | None:
        return next((i for i in self.invoices if i.series == series
                     and i.period.start == period.start and i.period.end == period.end), None)

    def knowledge_date(self, period: BillingPeriod, providers: Sequence[str]) -> date:
        used = [i.as_of for i in self.invoices if set(i.providers) & set(providers)]
        return max([period.last_day, *used])

    def next_seq(self, series: str) -> int:
        return 1 + max((i.seq for i in self.invoices if i.series == series), default=0)


def number_prefix(loaded: LoadedContract) -> str:
    inv = loaded.contract.invoicing
    return (inv.number_prefix if inv and inv.number_prefix else None) or \
        loaded.contract.metadata.id


def invoice_number(prefix: str, series: str, seq: int) -> str:
    return f"{prefix}-{series}-{seq:04d}"


# --- the invoice ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class InvoiceLine:
    no: int
    provider: str
    customer_id: str | None
    component: str
    kind: str
    occurrence: str
    date: date | None
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    reason: str
    evidence: tuple[str, ...]
    clause: str
    cap: str | None = None
    segment: str | None = None

    @property
    def key(self) -> Key:
        return (self.customer_id or "", self.component, self.occurrence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.no, "provider": self.provider, "customer_id": self.customer_id,
            "segment": self.segment,
            "component": self.component, "kind": self.kind, "occurrence": self.occurrence,
            "date": _d(self.date), "quantity": str(self.quantity),
            "unit_price": str(self.unit_price), "amount": money_text(self.amount),
            "reason": self.reason, "evidence": list(self.evidence), "clause": self.clause,
            "cap": self.cap,
        }

    @staticmethod
    def from_dict(d: dict[str, Any]) -> InvoiceLine:
        return InvoiceLine(
            no=int(d["line"]), provider=d["provider"], customer_id=d["customer_id"],
            component=d["component"], kind=d["kind"], occurrence=d["occurrence"],
            date=_date(d["date"]), quantity=Decimal(d["quantity"]),
            unit_price=Decimal(d["unit_price"]), amount=Decimal(d["amount"]),
            reason=d["reason"], evidence=tuple(d["evidence"]), clause=d["clause"],
            cap=d.get("cap"), segment=d.get("segment"))


@dataclass(frozen=True, slots=True)
class Correction:
    """A change to a line invoiced earlier; ``amount`` (what this invoice bills) is
    ``now - invoiced_before`` and is negative for a credit."""

    no: int
    provider: str
    customer_id: str | None
    component: str
    occurrence: str
    date: date | None
    corrects_invoice: str
    corrects_line: int
    invoiced_before: Decimal
    now: Decimal
    amount: Decimal
    reason: str
    evidence: tuple[str, ...]
    clause: str
    segment: str | None = None  # the segment the amount now rests on

    @property
    def key(self) -> Key:
        return (self.customer_id or "", self.component, self.occurrence)

    @property
    def corrects(self) -> str:
        return f"{self.corrects_invoice}/{self.corrects_line}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.no, "provider": self.provider, "customer_id": self.customer_id,
            "segment": self.segment,
            "component": self.component, "occurrence": self.occurrence, "date": _d(self.date),
            "corrects": {"invoice": self.corrects_invoice, "line": self.corrects_line},
            "invoiced_before": money_text(self.invoiced_before), "now": money_text(self.now),
            "amount": money_text(self.amount), "reason": self.reason,
            "evidence": list(self.evidence), "clause": self.clause,
        }

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Correction:
        return Correction(
            no=int(d["line"]), provider=d["provider"], customer_id=d["customer_id"],
            component=d["component"], occurrence=d["occurrence"], date=_date(d["date"]),
            corrects_invoice=d["corrects"]["invoice"], corrects_line=int(d["corrects"]["line"]),
            invoiced_before=Decimal(d["invoiced_before"]), now=Decimal(d["now"]),
            amount=Decimal(d["amount"]), reason=d["reason"], evidence=tuple(d["evidence"]),
            clause=d["clause"], segment=d.get("segment"))


@dataclass(frozen=True, slots=True)
class Note:
    """A line shown for information, not billed: pending, or a correction beyond reach."""

    provider: str
    customer_id: str | None
    component: str
    occurrence: str
    date: date | None
    amount: Decimal
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"provider": self.provider, "customer_id": self.customer_id,
                "component": self.component, "occurrence": self.occurrence,
                "date": _d(self.date), "amount": money_text(self.amount),
                "reason": self.reason}

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Note:
        return Note(d["provider"], d["customer_id"], d["component"], d["occurrence"],
                    _date(d["date"]), Decimal(d["amount"]), d["reason"])


@dataclass(frozen=True)
class Section:
    """One provider's part of an invoice (a joint invoice has one per consortium member)."""

    provider: str
    provider_name: str
    business_id: str | None
    lines: tuple[InvoiceLine, ...] = ()
    corrections: tuple[Correction, ...] = ()
    pending: tuple[Note, ...] = ()
    uncorrected: tuple[Note, ...] = ()

    @property
    def subtotal(self) -> Decimal:
        return (sum((x.amount for x in self.lines), ZERO)
                + sum((x.amount for x in self.corrections), ZERO))

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": {"id": self.provider, "name": self.provider_name,
                         "business_id": self.business_id},
            "lines": [x.to_dict() for x in self.lines],
            "corrections": [x.to_dict() for x in self.corrections],
            "pending": [x.to_dict() for x in self.pending],
            "uncorrected": [x.to_dict() for x in self.uncorrected],
            "subtotal": money_text(self.subtotal),
        }

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Section:
        p = d["provider"]
        return Section(
            provider=p["id"], provider_name=p["name"], business_id=p.get("business_id"),
            lines=tuple(InvoiceLine.from_dict(x) for x in d["lines"]),
            corrections=tuple(Correction.from_dict(x) for x in d["corrections"]),
            pending=tuple(Note.from_dict(x) for x in d["pending"]),
            uncorrected=tuple(Note.from_dict(x) for x in d["uncorrected"]))


@dataclass(frozen=True)
class Invoice:
    number: str
    series: str
    seq: int
    period: BillingPeriod
    as_of: date
    issue_date: date
    contract_id: str
    contract_version: str
    contract_sha256: str
    contract_title: str
    buyer: str
    inputs_sha256: str
    engine_version: str
    currency: str
    vat_rate: Decimal
    sections: tuple[Section, ...]
    problems: tuple[str, ...] = ()

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(s.provider for s in self.sections)

    @property
    def subtotal(self) -> Decimal:
        return sum((s.subtotal for s in self.sections), ZERO)

    @property
    def vat(self) -> Decimal:
        return round_cents(self.subtotal * self.vat_rate)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.vat

    @property
    def lines(self) -> list[InvoiceLine]:
        return [x for s in self.sections for x in s.lines]

    @property
    def corrections(self) -> list[Correction]:
        return [x for s in self.sections for x in s.corrections]

    def is_empty(self) -> bool:
        return not self.lines and not self.corrections

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number, "series": self.series, "seq": self.seq,
            "period": self.period.to_dict(), "as_of": self.as_of.isoformat(),
            "issue_date": self.issue_date.isoformat(),
            "contract": {"id": self.contract_id, "version": self.contract_version,
                         "sha256": self.contract_sha256, "title": self.contract_title,
                         "buyer": self.buyer},
            "inputs_sha256": self.inputs_sha256, "engine_version": self.engine_version,
            "currency": self.currency, "vat_rate": str(self.vat_rate),
            "sections": [s.to_dict() for s in self.sections],
            "subtotal": money_text(self.subtotal), "vat": money_text(self.vat),
            "total": money_text(self.total), "problems": list(self.problems),
        }

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Invoice:
        c = d["contract"]
        return Invoice(
            number=d["number"], series=d["series"], seq=int(d["seq"]),
            period=BillingPeriod.from_dict(d["period"]), as_of=date.fromisoformat(d["as_of"]),
            issue_date=date.fromisoformat(d["issue_date"]), contract_id=c["id"],
            contract_version=c["version"], contract_sha256=c["sha256"],
            contract_title=c["title"], buyer=c["buyer"], inputs_sha256=d["inputs_sha256"],
            engine_version=d["engine_version"], currency=d["currency"],
            vat_rate=Decimal(d["vat_rate"]),
            sections=tuple(Section.from_dict(s) for s in d["sections"]),
            problems=tuple(d["problems"]))


# --- computing it ----------------------------------------------------------------------------

def line_provider(loaded: LoadedContract, line: Line) -> str | None:
    """A line's provider; a contract line naming none belongs to the only provider."""
    if line.provider is not None:
        return line.provider
    providers = loaded.contract.metadata.providers
    return providers[0].id if len(providers) == 1 else None


class DuplicateIdentityError(ValueError):
    """Two payable lines with one identity: an engine bug, never billed around."""


def correction_reach(loaded: LoadedContract, period: BillingPeriod) -> date | None:
    """Corrections reach invoices whose period starts on or after this day (None: all)."""
    inv = loaded.contract.invoicing
    if inv is None or inv.corrections_months is None:
        return None
    return period.start - relativedelta(months=inv.corrections_months)


def _accrual(line: Line, fallback: date) -> tuple[date, str, str, str]:
    return (line.date or fallback, line.customer_id or "", line.component, line.occurrence)


def _why_gone(evaluation: Evaluation, entry: Entry, others: dict[Key, Line],
              elsewhere: dict[Key, str]) -> str:
    """Why an identity invoiced earlier is no longer payable, in words."""
    other = others.get(entry.key)
    if entry.key in elsewhere:
        return f"it now belongs to provider {elsewhere[entry.key]}"
    if other is not None:
        return f"now {other.status.replace('_', ' ')}: {other.reason}"
    customer = next((c for c in evaluation.customers if c.customer_id == entry.key[0]), None)
    if customer is not None:
        voided = [e for e in customer.context.timeline.voided if e.event_id in entry.evidence]
        if voided:
            return "; ".join(f"event {e.event_id} was voided (recorded {e.known_on})"
                             for e in voided)
    return f"the evaluation as of {evaluation.as_of} has no such earning any more"


def compute_invoice(evaluation: Evaluation, prior: PriorState, *, period: BillingPeriod,
                    providers: Sequence[str], series: str, issue_date: date,
                    inputs_sha256: str, engine_version: str) -> Invoice:
    """The invoice for ``period``: what ``evaluation`` finds payable minus what ``prior``
    holds. ``evaluation`` must be as of ``prior.knowledge_date(period, providers)``."""
    loaded = evaluation.loaded
    md = loaded.contract.metadata
    as_of = evaluation.as_of
    last_day = period.last_day
    reach = correction_reach(loaded, period)
    names = {p.id: p for p in md.providers}
    all_lines = evaluation.all_lines()
    owner = {id(ln): line_provider(loaded, ln) for ln in all_lines}
    no = 0
    sections: list[Section] = []
    for provider in providers:
        mine = [ln for ln in all_lines if owner[id(ln)] == provider]
        payable = {ln.key: ln for ln in mine if ln.status == "payable"}
        if len(payable) < sum(ln.status == "payable" for ln in mine):
            # an identity billed once would silently drop the other earning
            raise DuplicateIdentityError(
                "two payable lines share one identity (customer, component, occurrence); "
                "refusing to invoice rather than bill only one of them")
        others = {ln.key: ln for ln in mine if ln.status != "payable"}
        elsewhere = {ln.key: str(owner[id(ln)]) for ln in all_lines
                     if ln.status == "payable" and owner[id(ln)] not in (provider, None)}
        new_lines: list[InvoiceLine] = []
        pending: list[Note] = []
        uncorrected: list[Note] = []
        for ln in sorted(payable.values(), key=lambda x: _accrual(x, as_of)):
            if prior.entry(provider, ln.key) is not None or ln.amount == 0:
                continue
            if ln.date is not None and ln.date > last_day:
                pending.append(_note(provider, ln, f"accrues on {ln.date}, after this period "
                                     f"ends on {last_day}: {ln.reason}"))
                continue
            if reach is not None and ln.date is not None and ln.date < reach:
                # a late earning for a period beyond the reach is a correction like any
                # other: were it billed while the credit of the earning it replaces (e.g. a
                # re-keyed spell) is not, one outcome would be paid twice
                uncorrected.append(_note(
                    provider, ln, f"not billed: accrued on {ln.date}, before {reach}, beyond "
                    f"the contract's correction reach of {_months(loaded)}; {ln.reason}"))
                continue
            no += 1
            new_lines.append(InvoiceLine(
                no=no, provider=provider, customer_id=ln.customer_id, component=ln.component,
                kind=ln.kind, occurrence=ln.occurrence, date=ln.date, quantity=ln.quantity,
                unit_price=ln.unit_price, amount=ln.amount, reason=ln.reason,
                evidence=ln.evidence, clause=ln.clause, cap=ln.cap, segment=ln.segment))
        corrections: list[Correction] = []
        entries = sorted((e for (p, _), e in prior.entries.items() if p == provider),
                         key=lambda e: (e.date or as_of, e.key))
        for entry in entries:
            current = payable.get(entry.key)
            now = current.amount if current is not None else ZERO
            if now == entry.net:
                continue
            before = (f"{money_text(entry.net)} invoiced on {entry.invoice} line {entry.line}")
            if current is not None:
                reason = f"{before}; now {money_text(now)}: {current.reason}"
                if current.cap:
                    reason += f" ({current.cap})"
                if entry.segment is not None and current.segment != entry.segment:
                    reason += (f"; segment now {current.segment} (was {entry.segment}): "
                               f"{_segment_reason(evaluation, entry.key[0])}")
            else:
                reason = f"{before} is no longer payable: " + _why_gone(
                    evaluation, entry, others, elsewhere)
            when = current.date if current is not None else entry.date
            if reach is not None and entry.period_start < reach:
                uncorrected.append(Note(
                    provider, entry.key[0] or None, entry.key[1], entry.key[2], when,
                    now - entry.net,
                    f"not corrected: {entry.invoice} is for a period that started before "
                    f"{reach}, beyond the contract's correction reach of "
                    f"{_months(loaded)}; {reason}"))
                continue
            no += 1
            corrections.append(Correction(
                no=no, provider=provider, customer_id=entry.key[0] or None,
                component=entry.key[1], occurrence=entry.key[2], date=when,
                corrects_invoice=entry.invoice, corrects_line=entry.line,
                invoiced_before=entry.net, now=now, amount=now - entry.net, reason=reason,
                evidence=tuple(sorted(set(entry.evidence) | set(
                    current.evidence if current is not None else ()))),
                clause=current.clause if current is not None else loaded.clause(entry.key[1]),
                segment=current.segment if current is not None else None))
        for ln in sorted(others.values(), key=lambda x: _accrual(x, as_of)):
            if ln.status == "pending":
                pending.append(_note(provider, ln, ln.reason))
        pending.sort(key=lambda n: (n.date or as_of, n.customer_id or "", n.component,
                                    n.occurrence))
        prov = names[provider]
        sections.append(Section(provider, prov.name, prov.business_id, tuple(new_lines),
                                tuple(corrections), tuple(pending), tuple(uncorrected)))
    seq = prior.next_seq(series)
    return Invoice(
        number=invoice_number(number_prefix(loaded), series, seq), series=series, seq=seq,
        period=period, as_of=as_of, issue_date=issue_date, contract_id=md.id,
        contract_version=md.version, contract_sha256=loaded.sha256, contract_title=md.title,
        buyer=md.buyer, inputs_sha256=inputs_sha256, engine_version=engine_version,
        currency=md.currency, vat_rate=md.vat_rate, sections=tuple(sections),
        problems=tuple(str(p) for p in evaluation.problems))


def _segment_reason(evaluation: Evaluation, customer_id: str) -> str:
    customer = next((c for c in evaluation.customers if c.customer_id == customer_id), None)
    return customer.context.segment_reason if customer is not None else "no customer"


def _months(loaded: LoadedContract) -> str:
    inv = loaded.contract.invoicing
    n = inv.corrections_months if inv else None
    return f"{n} month{'s' if n != 1 else ''}"


def _note(provider: str, line: Line, reason: str) -> Note:
    return Note(provider, line.customer_id, line.component, line.occurrence, line.date,
                line.amount, reason)
