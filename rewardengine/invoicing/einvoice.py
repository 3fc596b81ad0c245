"""What an e-invoice says, read once from an invoice for both formats (UBL and Finvoice).

An ``EDocument`` is the invoice as EN 16931 sees it: one legal seller, the buyer, a document
type (380 invoice, 381 credit note), the lines with their VAT, the VAT breakdown and the
totals, the payment means. ``docs/invoicing.md`` has the table of what each field comes
from. The rules it follows:

- **One seller.** A provider's invoice has its provider as the seller; a joint invoice with a
  lead provider, the lead; a summary of member invoices has none, and each member's own
  invoice (``member_invoice``) is rendered instead.
- **Signs.** A credit note states amounts as credits: every amount is negated, so a credit
  note's total is positive; a line that still charges something in it has a negative amount.
- **Quantity and price.** EN 16931 wants ``quantity x price = line amount`` and a price that
  is never negative, so a line keeps its quantity and unit price when they give its amount
  exactly and the quantity fits Finvoice's 14 characters; otherwise (a line cut by a cap, a
  correction) the quantity is 1 (or -1 for a negative amount) and the price the amount.
- **VAT.** The invoice's breakdown, per category and rate; exempt groups with different
  reasons are one group whose reasons are joined (EN 16931 allows one per category).
- **Line periods.** The document's period (BT-73/74) is the billing period. A line's own
  period (BT-134/135) is the day it accrued when that day lies in the billing period; a line
  that accrued before it (a correction, a late line, a catch-up on a ledger's first invoice)
  has no line period, and its note says the day (``accrued 2020-07-04``). Peppol refuses a
  line period outside the document's (PEPPOL-EN16931-R110/R111, fatal), and widening the
  document's period instead would tell the buyer it is billed for months it is not; Finvoice
  rows, which operators convert to EN 16931, follow the same rule so both formats agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..values import round_cents
from .invoice import ZERO, Correction, Invoice, InvoiceLine, Party, Vat, VatGroup
from .labels import Labels

INVOICE, CREDIT_NOTE = "380", "381"
SEPA_CREDIT_TRANSFER = "58"  # UNCL 4461
CREDIT_TRANSFER = "30"  # UNCL 4461: a credit transfer to an account without an IBAN
UNIT = "C62"  # UN/ECE rec. 20: "one", a unit of service
MAX_QUANTITY = 14  # characters of a Finvoice quantity (a third of an hour has too many)


class EInvoiceError(ValueError):
    """An invoice that cannot be an e-invoice as it stands (the message says what is
    missing)."""


@dataclass(frozen=True)
class ELine:
    no: int
    name: str  # the component
    note: str  # customer, occurrence, what it corrects, and why it is due
    accrued: date | None  # the day the line accrued (its line period when in the period)
    quantity: Decimal
    price: Decimal  # never negative
    amount: Decimal  # in the document's sign
    vat: Vat
    corrects: tuple[str, int] | None = None  # (invoice, line) of a correction
    in_period: bool = True  # the day it accrued lies in the billing period

    @property
    def period_day(self) -> date | None:
        """BT-134/135: the day it accrued, written as its line period only when it lies in
        the document's period (PEPPOL-EN16931-R110/R111); else the note says the day."""
        return self.accrued if self.in_period else None


@dataclass(frozen=True)
class EDocument:
    invoice: Invoice
    type_code: str
    seller: Party
    buyer: Party
    lines: tuple[ELine, ...]
    groups: tuple[VatGroup, ...]  # in the document's sign
    line_total: Decimal
    vat_total: Decimal

    @property
    def credit(self) -> bool:
        return self.type_code == CREDIT_NOTE

    @property
    def total(self) -> Decimal:
        return self.line_total + self.vat_total

    @property
    def buyer_reference(self) -> str:
        """BT-10: the buyer's reference, else its contract number, else the contract id
        (Peppol wants a buyer reference or an order reference on every invoice)."""
        inv = self.invoice
        return inv.buyer_reference or inv.contract_reference or inv.contract_id


def rate_percent(rate: Decimal) -> str:
    """0.255 as ``25.5``, 0.24 as ``24``: the percent without trailing zeros."""
    text = f"{(rate * 100).normalize():f}"
    return text


def number(value: Decimal) -> str:
    """A quantity or price as plain decimal text (no exponent, no trailing zeros)."""
    text = f"{value.normalize():f}"
    return text if text != "-0" else "0"


def document(invoice: Invoice) -> EDocument:
    """The e-invoice an invoice makes; ``EInvoiceError`` when it cannot make one."""
    seller = invoice.seller
    if invoice.member_invoices:
        raise EInvoiceError(
            f"{invoice.number} is a joint invoice without a lead provider: each member "
            f"invoices its own part; render one member's own invoice (--member ID; members: "
            f"{', '.join(invoice.providers)})")
    buyer = invoice.buyer_party
    if seller is None or buyer is None:
        raise EInvoiceError(f"{invoice.number} was issued without the parties an e-invoice "
                            "needs: the contract names no invoicing.buyer (or the invoice "
                            "was issued before parties were recorded)")
    taxed = any(g.category != "O" for g in invoice.vat_breakdown)
    missing = [f"seller {k}" for k in seller.missing(seller=True, taxed=taxed)] + \
        [f"buyer {k}" for k in buyer.missing(seller=False)]
    if missing:
        raise EInvoiceError(f"{invoice.number} cannot be an e-invoice: it lacks the "
                            f"{', '.join(missing)}")
    sign = Decimal(-1) if invoice.credit_note else Decimal(1)
    period = (invoice.period.start, invoice.period.last_day)
    lines = tuple([*(_line(x, sign, invoice.vat_rate, period) for x in invoice.lines),
                   *(_correction(x, sign, invoice.vat_rate, period)
                     for x in invoice.corrections)])
    groups = _groups(invoice.vat_breakdown, sign)
    return EDocument(invoice, CREDIT_NOTE if invoice.credit_note else INVOICE, seller, buyer,
                     lines, groups, sum((x.amount for x in lines), ZERO),
                     sum((g.tax for g in groups), ZERO))


def _fallback(vat: Vat | None, rate: Decimal) -> Vat:
    return vat if vat is not None else Vat("S" if rate > 0 else "Z", rate)


def _quantity_price(quantity: Decimal, price: Decimal, amount: Decimal
                    ) -> tuple[Decimal, Decimal]:
    if price >= 0 and quantity > 0 and round_cents(quantity * price) == amount \
            and len(number(quantity)) <= MAX_QUANTITY:
        return quantity, price
    return (Decimal(1) if amount >= 0 else Decimal(-1)), abs(amount)


Span = tuple[date, date]  # the billing period's first and last day


def _within(day: date | None, period: Span) -> bool:
    return day is None or period[0] <= day <= period[1]


def _who(customer_id: str | None, occurrence: str, day: date | None, period: Span) -> str:
    """Whose line it is; with the day it accrued when no line period can say it."""
    who = f"customer {customer_id}, {occurrence}" if customer_id else f"contract, {occurrence}"
    return who if _within(day, period) else f"{who}, accrued {day}"


def _line(x: InvoiceLine, sign: Decimal, rate: Decimal, period: Span) -> ELine:
    amount = sign * x.amount
    quantity, price = (_quantity_price(x.quantity, x.unit_price, amount) if sign > 0
                       else _quantity_price(Decimal(0), Decimal(0), amount))
    note = f"{_who(x.customer_id, x.occurrence, x.date, period)}: {x.reason}"
    return ELine(x.no, x.component, note, x.date, quantity, price, amount,
                 _fallback(x.vat, rate), in_period=_within(x.date, period))


def _correction(x: Correction, sign: Decimal, rate: Decimal, period: Span) -> ELine:
    amount = sign * x.amount
    quantity, price = _quantity_price(Decimal(0), Decimal(0), amount)
    # the reason names the line corrected, what was invoiced and what is due now
    note = f"{_who(x.customer_id, x.occurrence, x.date, period)}: correction: {x.reason}"
    return ELine(x.no, x.component, note, x.date, quantity, price, amount,
                 _fallback(x.vat, rate), (x.corrects_invoice, x.corrects_line),
                 _within(x.date, period))


def _groups(groups: tuple[VatGroup, ...], sign: Decimal) -> tuple[VatGroup, ...]:
    """The breakdown in the document's sign, one group per category and rate."""
    merged: dict[tuple[str, Decimal], list[VatGroup]] = {}
    for g in groups:
        merged.setdefault((g.category, g.rate), []).append(g)
    out = []
    for (category, rate), parts in sorted(merged.items()):
        codes = sorted({g.exemption_code for g in parts if g.exemption_code})
        reasons = sorted({g.exemption_reason for g in parts if g.exemption_reason})
        out.append(VatGroup(category, rate, codes[0] if len(codes) == 1 else None,
                            "; ".join(reasons) or None,
                            sign * sum((g.taxable for g in parts), ZERO),
                            sign * sum((g.tax for g in parts), ZERO)))
    return tuple(out)


TERMS = "{days} days net, due {date}"


def terms_text(invoice: Invoice, lang: str | None = None) -> str:
    """BT-20, in words: the days from the issue date to the due date; in ``lang`` (fi, sv,
    en: the catalogue's words, the date as d.M.yyyy) when given, else in English with the
    ISO date as always."""
    if invoice.due_date is None:
        return ""
    days = (invoice.due_date - invoice.issue_date).days
    if lang is None:
        return TERMS.format(days=days, date=invoice.due_date.isoformat())
    t = Labels(lang)
    return t.s(TERMS).format(days=days, date=t.date(invoice.due_date))
