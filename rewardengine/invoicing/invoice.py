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
- VAT is per line: the component's own treatment (an exempt service, category E, with its
  reason) or ``metadata.vat_rate`` as it stands on the day the line accrued (the service was
  completed): 24 % until 31 Aug 2024, 25.5 % from 1 Sept 2024. A correction is taxed at the
  rate of the line it corrects (its accrual date). The VAT of each breakdown group (category,
  rate, exemption) is its lines' sum times the rate, rounded once, half-up, to cents; the
  invoice's VAT is the sum of the groups'. A consortium's joint invoice without a lead
  provider is a summary of member invoices: each member's part has its own VAT.
- Parties and payment (sellers, buyer, due date, payment reference) are copied from the
  contract onto the invoice, so an issued invoice re-renders as it was issued.

The evaluation is read once, customer by customer (``Earnings``: an ``Evaluation`` in memory,
or customers streamed from the shards' spools), and only what the invoice can show is kept:
the lines it bills or lists (new lines, pending ones, those beyond the correction reach —
the invoice document holds them, so that much memory is inherent) and, for the identities
the ledger already holds, the line now and the customer's voided events and segment reason
(bounded by the ledger's size). Nothing else of a customer outlives its turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta

from ..codec import from_data, meta, to_data
from ..contract.load import LoadedContract
from ..contract.model import Provider
from ..contract.parties import NOT_SUBJECT, BuyerParty, EInvoiceAddress, rate_at
from ..engine import CustomerResult
from ..errors import Problem
from ..evaluate.lines import Line
from ..values import money_text, round_cents
from .periods import BillingPeriod
from .reference import payment_reference

ZERO = Decimal("0.00")
JOINT = "joint"
DEFAULT_TERMS_DAYS = 14  # payment terms when the contract gives none

Key = tuple[str, str, str]  # (customer, component, occurrence); customer "" for contract lines


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
    contract_sha256: str = ""  # of the contract file it was made with
    contract_version: str = ""


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

    def overlapping(self, series: str, period: BillingPeriod) -> Issued | None:
        """An invoice of ``series`` whose period shares a day with ``period`` without being
        it (periods are half-open: ``[start, end)``)."""
        return next((i for i in self.invoices if i.series == series
                     and i.period.start < period.end and period.start < i.period.end
                     and (i.period.start, i.period.end) != (period.start, period.end)), None)

    def knowledge_date(self, period: BillingPeriod, providers: Sequence[str]) -> date:
        used = [i.as_of for i in self.invoices if set(i.providers) & set(providers)]
        return max([period.last_day, *used])

    def issue_floor(self, period: BillingPeriod, providers: Sequence[str]
                    ) -> tuple[date, Issued | None]:
        """The earliest issue date of an invoice for ``period`` and the invoice already
        issued that sets it (None: the period's last day does). An invoice is not dated
        before the facts it rests on (the knowledge date), nor before an invoice of the
        same provider(s) already in the ledger, which it follows."""
        floor, after = period.last_day, None
        for i in self.invoices:
            if set(i.providers) & set(providers) and max(i.as_of, i.issue_date) > floor:
                floor, after = max(i.as_of, i.issue_date), i
        return floor, after

    def next_seq(self, series: str) -> int:
        return 1 + max((i.seq for i in self.invoices if i.series == series), default=0)

    def could_have_billed(self, provider: str, day: date,
                          reach: Callable[[BillingPeriod], date | None]) -> Issued | None:
        """The last invoice to ``provider`` that could have billed a line earned on ``day``:
        its period ends after that day (a month that gave no invoice has none of its own),
        and the day is inside its correction reach (``reach``: the first day it reaches)."""
        return max((i for i in self.invoices if provider in i.providers
                    and day < i.period.end
                    and ((first := reach(i.period)) is None or first <= day)),
                   key=lambda i: (i.as_of, i.seq), default=None)


def number_prefix(loaded: LoadedContract) -> str:
    inv = loaded.contract.invoicing
    return (inv.number_prefix if inv and inv.number_prefix else None) or \
        loaded.contract.metadata.id


def invoice_number(prefix: str, series: str, seq: int) -> str:
    return f"{prefix}-{series}-{seq:04d}"


# --- VAT and parties ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Vat:
    """The VAT of one line: category (UNCL 5305: S standard, E exempt, Z zero rated), rate
    (a fraction: 0.255), and for an exempt line its VATEX code and reason."""

    category: str
    rate: Decimal
    exemption_code: str | None = None
    exemption_reason: str | None = None
    reference: str | None = None  # the law that sets the rate, as the contract cites it

    @property
    def group(self) -> tuple[str, Decimal, str, str]:
        return (self.category, self.rate, self.exemption_code or "",
                self.exemption_reason or "")


@dataclass(frozen=True, slots=True)
class VatGroup:
    """One line of the VAT breakdown: the lines of one category and rate, and their VAT
    (rounded once, half-up, for the whole group)."""

    category: str
    rate: Decimal
    exemption_code: str | None
    exemption_reason: str | None
    taxable: Decimal
    tax: Decimal


def vat_breakdown(items: Sequence[tuple[Vat | None, Decimal]], fallback: Decimal
                  ) -> tuple[VatGroup, ...]:
    """The VAT breakdown of (line VAT, amount) items. A line without VAT (an invoice issued
    before lines had their own) is taxed at ``fallback``, the invoice's one rate."""
    sums: dict[tuple[str, Decimal, str, str], Decimal] = {}
    for vat, amount in items:
        key = vat.group if vat is not None else (
            "S" if fallback > 0 else "Z", fallback, "", "")
        sums[key] = sums.get(key, ZERO) + amount
    return tuple(VatGroup(cat, rate, code or None, reason or None, taxable,
                          round_cents(taxable * rate))
                 for (cat, rate, code, reason), taxable in sorted(sums.items()))


def merged_breakdown(parts: Iterable[Sequence[VatGroup]]) -> tuple[VatGroup, ...]:
    """Breakdowns each rounded on its own (a member's invoice) added group by group: the
    VAT of a summary of member invoices is its members'."""
    merged: dict[tuple[str, Decimal, str, str], tuple[Decimal, Decimal]] = {}
    for groups in parts:
        for g in groups:
            key = (g.category, g.rate, g.exemption_code or "", g.exemption_reason or "")
            taxable, tax = merged.get(key, (ZERO, ZERO))
            merged[key] = (taxable + g.taxable, tax + g.tax)
    return tuple(VatGroup(c, r, code or None, why or None, taxable, tax)
                 for (c, r, code, why), (taxable, tax) in sorted(merged.items()))


def vat_words(invoice: Invoice) -> str:
    """``VAT 0.24``; with several rates or categories, or one other than the invoice's rate,
    each group and what it taxes (``VAT S 0.24 on 750.00: 180.00; VAT S 0.255 on 750.00:
    191.25``): the CSV bill's VAT row, and what a wrong VAT on a bill is told against."""
    return groups_words(invoice.vat_breakdown, invoice.vat_rate)


def groups_words(groups: Sequence[VatGroup], rate: Decimal) -> str:
    """``vat_words`` of a breakdown whose invoice's one rate is ``rate``."""
    if len(groups) <= 1 and all(g.rate == rate for g in groups):
        return f"VAT {rate}"
    return "; ".join(group_words(g.category, g.rate, g.taxable, g.tax) for g in groups)


def group_words(category: str, rate: Decimal, taxable: Decimal, tax: Decimal) -> str:
    """One VAT group in words: ``VAT S 0.255 on 750.00: 191.25``."""
    return f"VAT {category} {rate} on {money_text(taxable)}: {money_text(tax)}"


@dataclass(frozen=True, slots=True)
class Party:
    """A seller or the buyer as the invoice names it (copied from the contract)."""

    name: str
    business_id: str | None = None
    vat_id: str | None = None
    street: str | None = field(default=None, metadata=meta(group="address"))
    postal_code: str | None = field(default=None, metadata=meta(group="address"))
    city: str | None = field(default=None, metadata=meta(group="address"))
    country: str | None = field(default=None, metadata=meta(group="address"))
    endpoint_scheme: str | None = field(default=None, metadata=meta(
        key="scheme", group="e_invoice_address"))
    endpoint_id: str | None = field(default=None, metadata=meta(
        key="id", group="e_invoice_address"))
    operator: str | None = field(default=None, metadata=meta(group="e_invoice_address"))
    iban: str | None = field(default=None, metadata=meta(group="bank"))
    bic: str | None = field(default=None, metadata=meta(group="bank"))
    # added for parties outside VAT: a legal id with its scheme, an account without an IBAN
    legal_scheme: str | None = field(default=None, metadata=meta(
        key="scheme", group="legal_id", omit_none=True))
    legal_id: str | None = field(default=None, metadata=meta(
        key="id", group="legal_id", omit_none=True))
    account: str | None = field(default=None, metadata=meta(group="bank", omit_none=True))

    def missing(self, *, seller: bool, taxed: bool = True) -> list[str]:
        """What an e-invoice needs of this party and it lacks (``taxed``: its lines are
        subject to VAT, so the seller needs a VAT id; else a legal id or a business id)."""
        need = [("address", self.street), ("address", self.country)]
        if seller:
            need += [("bank", self.iban or self.account)]
            need += [("vat_id", self.vat_id)] if taxed else [
                ("legal_id", self.legal_id or self.business_id)]
        return sorted({key for key, value in need if value is None})


def _party(name: str, business_id: str | None, details: Provider | BuyerParty) -> Party:
    address, endpoint, legal = details.address, details.e_invoice_address, details.legal_id
    bank = details.bank if isinstance(details, Provider) else None
    return Party(
        name=name, business_id=business_id, vat_id=details.vat_id,
        street=address.street if address else None,
        postal_code=address.postal_code if address else None,
        city=address.city if address else None, country=address.country if address else None,
        endpoint_scheme=_scheme(endpoint), endpoint_id=endpoint.id if endpoint else None,
        operator=endpoint.operator if endpoint else None,
        iban=bank.iban if bank else None, bic=bank.bic if bank else None,
        legal_scheme=legal.scheme if legal else None, legal_id=legal.id if legal else None,
        account=bank.account if bank else None)


def _scheme(endpoint: EInvoiceAddress | None) -> str | None:
    return endpoint.scheme if endpoint is not None else None


def seller_party(provider: Provider) -> Party:
    return _party(provider.name, provider.business_id, provider)


def buyer_party(loaded: LoadedContract) -> Party | None:
    inv = loaded.contract.invoicing
    if inv is None or inv.buyer is None:
        return None
    b = inv.buyer
    return _party(b.name or loaded.contract.metadata.buyer, b.business_id, b)


def line_vat(loaded: LoadedContract, component: str, on: date) -> Vat:
    """The VAT of a line of ``component`` that accrued on ``on``: the component's own
    treatment, else the contract's (``invoicing.vat``), else the contract's rate in force that
    day."""
    md = loaded.contract.metadata
    comp = loaded.contract.component(component)
    own = comp.vat if comp is not None else None
    inv = loaded.contract.invoicing
    if own is None and inv is not None:
        own = inv.vat  # the contract's treatment of every component without its own
    if own is not None and own.category == "O":
        return Vat("O", Decimal("0"), own.exemption_code or NOT_SUBJECT[0],
                   own.exemption_reason or NOT_SUBJECT[1])
    if own is not None and own.category != "S":
        return Vat(own.category, Decimal("0"), own.exemption_code, own.exemption_reason)
    dated = own.rate if own is not None and own.rate is not None else md.vat_rate
    found = rate_at(dated, on)
    if found is None:  # before a dated rate's first value: its first value (C220 warns)
        first = dated.changes()[0]  # type: ignore[union-attr]
        found = (first[1], first[2])
    rate, reference = found
    return Vat("S" if rate > 0 else "Z", rate, reference=reference)


# --- the invoice ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class InvoiceLine:
    no: int = field(metadata=meta(key="line"))
    provider: str
    customer_id: str | None
    component: str
    kind: str
    occurrence: str
    date: date | None
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal = field(metadata=meta(fmt="money"))
    reason: str
    evidence: tuple[str, ...]
    clause: str
    cap: str | None = None
    segment: str | None = None
    vat: Vat | None = None  # None on invoices issued before lines had their own VAT

    @property
    def key(self) -> Key:
        return (self.customer_id or "", self.component, self.occurrence)


@dataclass(frozen=True, slots=True)
class Correction:
    """A change to a line invoiced earlier; ``amount`` (what this invoice bills) is
    ``now - invoiced_before`` and is negative for a credit."""

    no: int = field(metadata=meta(key="line"))
    provider: str
    customer_id: str | None
    component: str
    occurrence: str
    date: date | None
    corrects_invoice: str = field(metadata=meta(key="invoice", group="corrects"))
    corrects_line: int = field(metadata=meta(key="line", group="corrects"))
    invoiced_before: Decimal = field(metadata=meta(fmt="money"))
    now: Decimal = field(metadata=meta(fmt="money"))
    amount: Decimal = field(metadata=meta(fmt="money"))
    reason: str
    evidence: tuple[str, ...]
    clause: str
    segment: str | None = None  # the segment the amount now rests on
    vat: Vat | None = None  # the VAT of the line it corrects

    @property
    def key(self) -> Key:
        return (self.customer_id or "", self.component, self.occurrence)

    @property
    def corrects(self) -> str:
        return f"{self.corrects_invoice}/{self.corrects_line}"


@dataclass(frozen=True, slots=True)
class Note:
    """A line shown for information, not billed: pending, or a correction beyond reach."""

    provider: str
    customer_id: str | None
    component: str
    occurrence: str
    date: date | None
    amount: Decimal = field(metadata=meta(fmt="money"))
    reason: str


@dataclass(frozen=True)
class Section:
    """One provider's part of an invoice (a joint invoice has one per consortium member)."""

    __derived__ = ("subtotal",)

    provider: str = field(metadata=meta(key="id", group="provider"))
    provider_name: str = field(metadata=meta(key="name", group="provider"))
    business_id: str | None = field(metadata=meta(group="provider"))
    lines: tuple[InvoiceLine, ...] = ()
    corrections: tuple[Correction, ...] = ()
    pending: tuple[Note, ...] = ()
    uncorrected: tuple[Note, ...] = ()
    seller: Party | None = None  # the provider as the seller of an e-invoice

    @property
    def subtotal(self) -> Decimal:
        return (sum((x.amount for x in self.lines), ZERO)
                + sum((x.amount for x in self.corrections), ZERO))

    def vat_breakdown(self, fallback: Decimal) -> tuple[VatGroup, ...]:
        return vat_breakdown([(x.vat, x.amount) for x in self.lines]
                             + [(x.vat, x.amount) for x in self.corrections], fallback)


@dataclass(frozen=True)
class Invoice:
    __derived__ = ("subtotal", "vat", "total")

    number: str
    series: str
    seq: int
    period: BillingPeriod
    as_of: date
    issue_date: date
    contract_id: str = field(metadata=meta(key="id", group="contract"))
    contract_version: str = field(metadata=meta(key="version", group="contract"))
    contract_sha256: str = field(metadata=meta(key="sha256", group="contract"))
    contract_title: str = field(metadata=meta(key="title", group="contract"))
    buyer: str = field(metadata=meta(group="contract"))
    inputs_sha256: str
    engine_version: str
    currency: str
    vat_rate: Decimal
    sections: tuple[Section, ...]
    problems: tuple[Problem, ...] = ()
    # e-invoicing (left out of invoices issued before they were recorded)
    buyer_party: Party | None = None
    buyer_reference: str | None = field(default=None, metadata=meta(
        key="buyer", group="references"))
    order_reference: str | None = field(default=None, metadata=meta(
        key="order", group="references"))
    contract_reference: str | None = field(default=None, metadata=meta(
        key="contract", group="references"))
    due_date: date | None = None
    payment_reference: str | None = None
    lead_provider: str | None = None  # the member that invoices a joint invoice's whole work
    member_invoices: bool = False  # a joint invoice that sums its members' own invoices

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(s.provider for s in self.sections)

    @property
    def subtotal(self) -> Decimal:
        return sum((s.subtotal for s in self.sections), ZERO)

    @property
    def vat_breakdown(self) -> tuple[VatGroup, ...]:
        """Per category and rate; a summary of member invoices adds the members' groups."""
        if not self.member_invoices:
            return vat_breakdown([(x.vat, x.amount) for x in self.lines]
                                 + [(x.vat, x.amount) for x in self.corrections],
                                 self.vat_rate)
        return merged_breakdown(s.vat_breakdown(self.vat_rate) for s in self.sections)

    @property
    def vat(self) -> Decimal:
        return sum((g.tax for g in self.vat_breakdown), ZERO)

    @property
    def credit_note(self) -> bool:
        """A period whose net is negative is a credit note (UNCL 1001 code 381)."""
        return self.total < 0

    @property
    def corrected_invoices(self) -> tuple[str, ...]:
        """The earlier invoices this one corrects (a credit note cites them)."""
        return tuple(sorted({c.corrects_invoice for c in self.corrections}))

    @property
    def seller(self) -> Party | None:
        """The one legal seller: the only provider, or a joint invoice's lead provider
        (None for a summary of member invoices)."""
        if self.member_invoices:
            return None
        if self.lead_provider is not None:
            return next((s.seller for s in self.sections if s.provider == self.lead_provider),
                        None)
        return self.sections[0].seller if len(self.sections) == 1 else None

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
        out: dict[str, Any] = to_data(self)
        if self.buyer_party is not None:  # an e-invoice's breakdown, for other systems
            out["vat_breakdown"] = [_group_data(g) for g in self.vat_breakdown]
        return out

    @staticmethod
    def from_dict(data: Any) -> Invoice:
        """An invoice read back (from the ledger), every value checked (``CodecError``)."""
        return from_data(Invoice, data)


def _group_data(g: VatGroup) -> dict[str, Any]:
    return {"category": g.category, "rate": str(g.rate), "exemption_code": g.exemption_code,
            "exemption_reason": g.exemption_reason, "taxable": money_text(g.taxable),
            "tax": money_text(g.tax)}


def member_invoice(invoice: Invoice, provider: str) -> Invoice:
    """One member's own invoice out of a summary of member invoices: its part, its VAT,
    numbered after the summary (``-N``, N its place among the members)."""
    k, section = next((i, s) for i, s in enumerate(invoice.sections, 1)
                      if s.provider == provider)
    number = f"{invoice.number}-{k}"
    kind = "rf" if (invoice.payment_reference or "").startswith("RF") else "finnish"
    return replace(invoice, number=number, sections=(section,), member_invoices=False,
                   payment_reference=payment_reference(number, kind))


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


class Earnings(Protocol):
    """What an invoice is computed from: an ``engine.Evaluation``, or the same customers
    streamed (read once, in customer id order)."""

    @property
    def loaded(self) -> LoadedContract: ...
    @property
    def as_of(self) -> date: ...
    @property
    def contract_lines(self) -> list[Line]: ...
    @property
    def customers(self) -> Iterable[CustomerResult]: ...
    @property
    def problems(self) -> list[Problem]: ...


@dataclass(frozen=True, slots=True)
class _Customer:
    """What corrections say of a customer the ledger has invoiced before."""

    segment_reason: str
    voided: tuple[Any, ...]


def _why_gone(run: _Invoicing, entry: Entry, others: dict[Key, Line],
              elsewhere: dict[Key, str]) -> str:
    """Why an identity invoiced earlier is no longer payable, in words."""
    other = others.get(entry.key)
    if entry.key in elsewhere:
        return f"it now belongs to provider {elsewhere[entry.key]}"
    if other is not None:
        return f"now {other.status.replace('_', ' ')}: {other.reason}"
    customer = run.known.get(entry.key[0])
    if customer is not None:
        voided = [e for e in customer.voided if e.event_id in entry.evidence]
        if voided:
            return "; ".join(f"event {e.event_id} was voided (recorded {e.known_on})"
                             for e in voided)
    unpaid = run.lines[entry.provider].unpaid.get((entry.key[0], entry.key[1])) \
        if entry.provider in run.lines else None
    if unpaid is not None:
        return f"now {unpaid.status.replace('_', ' ')}: {unpaid.reason}"
    return f"the evaluation as of {run.as_of} has no such earning any more"


@dataclass
class _Lines:
    """One provider's lines kept while the customers stream by, each by identity."""

    payable: dict[Key, Line] = field(default_factory=dict)  # billed, listed, or in the ledger
    others: dict[Key, Line] = field(default_factory=dict)  # pending, or in the ledger
    elsewhere: dict[Key, str] = field(default_factory=dict)  # in the ledger, now another's
    # a customer in the ledger: its "next" line per component that is not payable, to say why
    # an earning invoiced before is gone when the same fee now has that occurrence (a spell
    # shortened below its threshold is the pending or not earned "next" outcome again)
    unpaid: dict[tuple[str, str], Line] = field(default_factory=dict)


@dataclass
class _Invoicing:
    """What every step of computing one invoice reads, and the running line number."""

    loaded: LoadedContract
    as_of: date
    prior: PriorState
    period: BillingPeriod
    reach: date | None  # corrections reach invoices of periods starting on or after this
    ledger_keys: dict[str, set[Key]]  # provider -> identities the ledger holds
    lines: dict[str, _Lines]  # provider -> its lines
    known: dict[str, _Customer] = field(default_factory=dict)  # customers in the ledger
    no: int = 0

    def next_no(self) -> int:
        self.no += 1
        return self.no

    def take(self, lines: list[Line], known: CustomerResult | None) -> None:
        """One customer's lines (or the contract lines): keep what the invoice needs;
        ``known``: the customer, when the ledger has invoiced it before."""
        owners = [line_provider(self.loaded, ln) for ln in lines]
        for provider, kept in self.lines.items():
            _keep(kept, provider, lines, owners, self.ledger_keys[provider])
            if known is not None:
                for ln, owner in zip(lines, owners, strict=True):
                    if owner == provider and ln.status != "payable" and ln.customer_id \
                            and ln.occurrence == "next":
                        kept.unpaid.setdefault((ln.customer_id, ln.component), ln)
        if known is not None:
            self.known.setdefault(known.customer_id, _Customer(
                known.context.segment_reason, known.context.timeline.voided))


def _keep(kept: _Lines, provider: str, lines: list[Line], owners: list[str | None],
          in_ledger: set[Key]) -> None:
    """A provider's share of one customer's lines (identities are per customer, so this
    equals taking every line of the evaluation at once)."""
    mine = [ln for ln, owner in zip(lines, owners, strict=True) if owner == provider]
    payable = {ln.key: ln for ln in mine if ln.status == "payable"}
    if len(payable) < sum(ln.status == "payable" for ln in mine):
        # an identity billed once would silently drop the other earning (the evaluation
        # reports it as V003 first; this guard is the last line of defence)
        raise DuplicateIdentityError(
            "two payable lines share one identity (customer, component, occurrence); "
            "refusing to invoice rather than bill only one of them")
    for key, ln in payable.items():
        if ln.amount != 0 or key in in_ledger:
            kept.payable[key] = ln
    others = {ln.key: ln for ln in mine if ln.status != "payable"}
    for key, ln in others.items():
        if ln.status == "pending" or key in in_ledger:
            kept.others[key] = ln
    for ln, owner in zip(lines, owners, strict=True):
        if ln.status == "payable" and owner not in (provider, None) and ln.key in in_ledger:
            kept.elsewhere[ln.key] = str(owner)


def compute_invoice(evaluation: Earnings, prior: PriorState, *, period: BillingPeriod,
                    providers: Sequence[str], series: str, issue_date: date,
                    inputs_sha256: str, engine_version: str,
                    each: Callable[[CustomerResult], None] | None = None) -> Invoice:
    """The invoice for ``period``: what ``evaluation`` finds payable minus what ``prior``
    holds. ``evaluation`` must be as of ``prior.knowledge_date(period, providers)``; its
    customers are read once, and ``each`` (when given) sees every one of them."""
    loaded = evaluation.loaded
    md = loaded.contract.metadata
    keys = {p: {key for (owner, key) in prior.entries if owner == p} for p in providers}
    run = _Invoicing(loaded, evaluation.as_of, prior, period,
                     correction_reach(loaded, period), keys, {p: _Lines() for p in providers})
    known = {key[0] for in_ledger in keys.values() for key in in_ledger}
    run.take(list(evaluation.contract_lines), None)
    for customer in evaluation.customers:
        run.take(customer.lines, customer if customer.customer_id in known else None)
        if each is not None:
            each(customer)
    sections = [_section(run, provider) for provider in providers]
    seq = prior.next_seq(series)
    number = invoice_number(number_prefix(loaded), series, seq)
    inv = loaded.contract.invoicing
    buyer = inv.buyer if inv is not None else None
    lead = md.lead_provider if series == JOINT else None
    terms = inv.payment_terms_days if inv is not None else None
    return Invoice(
        number=number, series=series, seq=seq,
        period=period, as_of=evaluation.as_of, issue_date=issue_date, contract_id=md.id,
        contract_version=md.version, contract_sha256=loaded.sha256, contract_title=md.title,
        buyer=md.buyer, inputs_sha256=inputs_sha256, engine_version=engine_version,
        currency=md.currency, vat_rate=line_vat(loaded, "", period.last_day).rate,
        sections=tuple(sections), problems=tuple(evaluation.problems),
        buyer_party=buyer_party(loaded),
        buyer_reference=buyer.reference if buyer else None,
        order_reference=buyer.order if buyer else None,
        contract_reference=buyer.contract_number if buyer else None,
        due_date=issue_date + timedelta(days=DEFAULT_TERMS_DAYS if terms is None else terms),
        payment_reference=payment_reference(
            number, inv.payment_reference if inv is not None else "finnish"),
        lead_provider=lead, member_invoices=series == JOINT and lead is None
        and len(sections) > 1)


def _section(run: _Invoicing, provider: str) -> Section:
    """One provider's part: its new lines, its corrections, and what is shown only."""
    kept = run.lines[provider]
    payable, others, elsewhere = kept.payable, kept.others, kept.elsewhere
    new_lines, pending, late = _new_lines(run, provider, payable)
    corrections, uncorrected = _corrections(run, provider, payable, others, elsewhere)
    pending.extend(_note(provider, ln, ln.reason)
                   for ln in sorted(others.values(), key=lambda x: _accrual(x, run.as_of))
                   if ln.status == "pending")
    pending.sort(key=lambda n: (n.date or run.as_of, n.customer_id or "", n.component,
                                n.occurrence))
    prov = next(p for p in run.loaded.contract.metadata.providers if p.id == provider)
    return Section(provider, prov.name, prov.business_id, tuple(new_lines),
                   tuple(corrections), tuple(pending), tuple([*late, *uncorrected]),
                   seller_party(prov))


def _new_lines(run: _Invoicing, provider: str, payable: dict[Key, Line]
               ) -> tuple[list[InvoiceLine], list[Note], list[Note]]:
    """Payable lines not invoiced before: (billed now, accruing after the period, beyond
    the correction reach)."""
    last_day = run.period.last_day
    lines: list[InvoiceLine] = []
    pending: list[Note] = []
    uncorrected: list[Note] = []
    replaced = _replaced(run, provider, payable)
    for ln in sorted(payable.values(), key=lambda x: _accrual(x, run.as_of)):
        if run.prior.entry(provider, ln.key) is not None or ln.amount == 0:
            continue
        if ln.date is not None and ln.date > last_day:
            pending.append(_note(provider, ln, f"accrues on {ln.date}, after this period "
                                 f"ends on {last_day}: {ln.reason}"))
        elif run.reach is not None and ln.date is not None and ln.date < run.reach:
            # a late earning for a period beyond the reach is a correction like any other:
            # were it billed while the credit of the earning it replaces (e.g. a re-keyed
            # spell) is not, one outcome would be paid twice
            uncorrected.append(_note(
                provider, ln, f"not billed: accrued on {ln.date}, before {run.reach}, beyond "
                f"the contract's correction reach of {_months(run.loaded)}; {ln.reason}"))
        else:
            lines.append(InvoiceLine(
                no=run.next_no(), provider=provider, customer_id=ln.customer_id,
                component=ln.component, kind=ln.kind, occurrence=ln.occurrence, date=ln.date,
                quantity=ln.quantity, unit_price=ln.unit_price, amount=ln.amount,
                reason=ln.reason + _late(run, provider, ln, replaced), evidence=ln.evidence,
                clause=ln.clause, cap=ln.cap,
                segment=ln.segment,
                vat=line_vat(run.loaded, ln.component, ln.date or last_day)))
    return lines, pending, uncorrected


def _late(run: _Invoicing, provider: str, ln: Line, replaced: set[tuple[str, str]]) -> str:
    """For a line earned before this period that an earlier invoice could have billed but
    did not (its facts were recorded after it was made, or the contract has changed since),
    a clause that says so: a checker sees why an earning of May is on June's invoice. Not
    for a line that replaces one of its customer and component credited on this invoice (a
    re-keyed spell): that earning was billed, under its old identity."""
    day = ln.date
    if day is None or day >= run.period.start \
            or (ln.customer_id or "", ln.component) in replaced:
        return ""
    before = run.prior.could_have_billed(provider, day,
                                         lambda p: correction_reach(run.loaded, p))
    if before is None:
        return ""
    return (f"; earned on {day}, not billed by {before.number} (for {before.period.label}, on "
            f"the facts recorded by {before.as_of}): billed now")


# the clause ``_late`` writes, as read back by the issuer's note (L015)
LATE_CLAUSE = re.compile(r"; earned on \d{4}-\d{2}-\d{2}, not billed by (?P<number>[^ ]+) "
                         r"\(for [^,]+, on the facts recorded by \d{4}-\d{2}-\d{2}\): "
                         r"billed now$")


def _replaced(run: _Invoicing, provider: str, payable: dict[Key, Line]
              ) -> set[tuple[str, str]]:
    """(customer, component) of the lines invoiced before that are no longer payable (this
    invoice credits them)."""
    return {(e.key[0], e.key[1]) for (p, _), e in run.prior.entries.items()
            if p == provider and e.net != 0 and e.key not in payable}


def _corrections(run: _Invoicing, provider: str, payable: dict[Key, Line],
                 others: dict[Key, Line], elsewhere: dict[Key, str]
                 ) -> tuple[list[Correction], list[Note]]:
    """Every identity invoiced before whose amount due now differs: a correction, or a note
    when its invoice is beyond the correction reach."""
    corrections: list[Correction] = []
    uncorrected: list[Note] = []
    entries = sorted((e for (p, _), e in run.prior.entries.items() if p == provider),
                     key=lambda e: (e.date or run.as_of, e.key))
    for entry in entries:
        current = payable.get(entry.key)
        now = current.amount if current is not None else ZERO
        if now == entry.net:
            continue
        reason = _correction_reason(run, entry, current, others, elsewhere)
        when = current.date if current is not None else entry.date
        if run.reach is not None and entry.period_start < run.reach:
            uncorrected.append(Note(
                provider, entry.key[0] or None, entry.key[1], entry.key[2], when,
                now - entry.net,
                f"not corrected: {entry.invoice} is for a period that started before "
                f"{run.reach}, beyond the contract's correction reach of "
                f"{_months(run.loaded)}; {reason}"))
            continue
        corrections.append(Correction(
            no=run.next_no(), provider=provider, customer_id=entry.key[0] or None,
            component=entry.key[1], occurrence=entry.key[2], date=when,
            corrects_invoice=entry.invoice, corrects_line=entry.line,
            invoiced_before=entry.net, now=now, amount=now - entry.net, reason=reason,
            evidence=tuple(sorted(set(entry.evidence) | set(
                current.evidence if current is not None else ()))),
            clause=current.clause if current is not None else run.loaded.clause(entry.key[1]),
            segment=current.segment if current is not None else None,
            # taxed as the line it corrects: at the rate of the day that line accrued
            vat=line_vat(run.loaded, entry.key[1], entry.date or run.period.last_day)))
    return corrections, uncorrected


def _correction_reason(run: _Invoicing, entry: Entry, current: Line | None,
                       others: dict[Key, Line], elsewhere: dict[Key, str]) -> str:
    now = current.amount if current is not None else ZERO
    before = f"{money_text(entry.net)} invoiced on {entry.invoice} line {entry.line}"
    if current is None:
        return f"{before} is no longer payable: " + _why_gone(run, entry, others, elsewhere)
    reason = f"{before}; now {money_text(now)}: {current.reason}"
    if current.cap:
        reason += f" ({current.cap})"
    if entry.segment is not None and current.segment != entry.segment:
        reason += (f"; segment now {current.segment} (was {entry.segment}): "
                   f"{_segment_reason(run, entry.key[0])}")
    return reason


def _segment_reason(run: _Invoicing, customer_id: str) -> str:
    customer = run.known.get(customer_id)
    return customer.segment_reason if customer is not None else "no customer"


def _months(loaded: LoadedContract) -> str:
    inv = loaded.contract.invoicing
    n = inv.corrections_months if inv else None
    return f"{n} month{'s' if n != 1 else ''}"


def _note(provider: str, line: Line, reason: str) -> Note:
    return Note(provider, line.customer_id, line.component, line.occurrence, line.date,
                line.amount, reason)
