"""Cross-checks for a contract that names its e-invoice parties (``invoicing.buyer``).

Once the buyer is named, the contract is meant to be invoiced as EN 16931 / Finvoice
e-invoices, so what those need is checked here rather than found missing on the day of
invoicing:

- ``C225`` (for any contract): every provider numbers its invoices in a series of its own.
- ``C225``: every invoice number fits Finvoice's 20 characters: ``{prefix}-{series}-0001``
  for each provider's series and, with several providers, the ``joint`` series (whose member
  invoices add ``-N`` when there is no lead provider).
- ``C220`` (for any contract): a VAT rate that changes on dates must hold from the
  contract's first day.
- ``C226``: every provider can be the seller: its VAT id, address and bank account (and a
  Finnish provider's business id), since each may invoice on its own; and every party's
  name fits Finvoice's 70 characters. When the contract's services are not subject to VAT
  (category O for every component, EN 16931 BR-O-*), the seller needs no VAT id but a legal
  registration id (``legal_id``, or a business id) instead (BR-CO-26).
- ``C227``: category O is all or nothing: an invoice with a line not subject to VAT names no
  VAT id of the seller or the buyer (BR-O-02) and has no line of another category
  (BR-O-11 to BR-O-14).
- ``C228`` (for any contract): a Finnish VAT id is ``FI`` and the eight digits of the
  party's own business id (Y-tunnus); another's would name a wrong party on the invoice
  (VAT Act 1501/1993 §209e: the seller's VAT id).
- ``C229`` (a warning): an OVT e-invoice address (scheme 0216) is ``0037`` and a business
  id's eight digits; digits other than the party's own send its invoices to another
  organisation, which is right only where that one receives them on the party's behalf.
- ``C231`` (a warning): every party has an e-invoice address, and a Finnish one its
  operator. Without the address a Peppol UBL cannot be delivered (PEPPOL-EN16931-R010 for
  the buyer, R020 for the seller: ``invoice --format ubl`` refuses it, C226) and a Finvoice
  is written without its message envelope, which also needs both operators. A warning, not
  an error: a contract invoiced only as Finvoice (handed to a bank or an operator that
  frames the message itself) or in the plain formats needs neither.
- ``C232`` (a warning): an e-invoice address of a scheme Peppol has withdrawn from its EAS
  list (0037, replaced by the OVT code 0216): ``invoice --format ubl`` refuses it (C226),
  while Finvoice, whose envelope still names the scheme, is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from stdnum.fi import ytunnus

from ..errors import Problem
from .load import Draft
from .parties import DatedRate, VatTreatment, peppol_withdrawn

# Finvoice 3.0 InvoiceNumber (genericStringType1_20); EN 16931 sets no limit, so this binds
MAX_NUMBER = 20
MAX_NAME = 70  # Finvoice 3.0 SellerOrganisationName, BuyerOrganisationName
JOINT = "joint"


def einvoice_checks(draft: Draft) -> Iterator[Problem]:
    md, inv = draft.metadata, draft.parts.get("invoicing")
    if md is not None:
        yield from _rate_starts(draft, md.vat_rate, md.valid_from, ("metadata", "vat_rate"))
        for i, comp in draft.items():
            if comp.vat is not None and comp.vat.rate is not None:
                yield from _rate_starts(draft, comp.vat.rate, md.valid_from,
                                        ("components", i, "vat", "rate"))
    if md is not None:
        yield from _series(draft, md)
        for i, provider in enumerate(md.providers):
            yield from _own_ids(draft, provider, ("metadata", "providers", i))
    if md is None or inv is None or inv.buyer is None:
        return
    yield from _own_ids(draft, inv.buyer, ("invoicing", "buyer"))
    yield from _number_lengths(draft, md, inv)
    outside = _outside_vat(draft, inv)
    yield from _not_subject(draft, md, inv, outside)
    for i, provider in enumerate(md.providers):
        ids = ("vat_id", provider.vat_id) if outside is None else (
            "legal_id", provider.legal_id or provider.business_id)
        missing = [key for key, value in (ids, ("address", provider.address),
                                          ("bank", provider.bank)) if value is None]
        finnish = provider.address is None or provider.address.country == "FI"
        if finnish and provider.business_id is None:
            missing.insert(0, "business_id")
        if missing:
            yield Problem("C226", f"provider '{provider.id}' cannot be the seller of an "
                          f"e-invoice: give its {', '.join(missing)} (the contract names "
                          "invoicing.buyer, so its invoices are e-invoices)",
                          draft.source("metadata", "providers", i))
        if len(provider.name) > MAX_NAME:
            yield Problem("C226", f"provider '{provider.id}': its name has "
                          f"{len(provider.name)} characters; an e-invoice's party name has at "
                          f"most {MAX_NAME} (Finvoice)",
                          draft.source("metadata", "providers", i, "name"))
    yield from _addresses(draft, md, inv)
    if inv.buyer.name is None and len(md.buyer) > MAX_NAME:
        yield Problem("C226", f"metadata.buyer has {len(md.buyer)} characters; an e-invoice's "
                      f"party name has at most {MAX_NAME} (Finvoice): give invoicing.buyer.name",
                      draft.source("invoicing", "buyer"))


def _business_digits(party: Any) -> str | None:
    """The eight digits of a party's Finnish business id: its ``business_id`` (a Finnish
    party's), else a ``legal_id`` of scheme 0037; None when it has neither."""
    address = party.address
    given = party.business_id
    if given is not None and (address is None or address.country == "FI") \
            and ytunnus.is_valid(given):
        return str(ytunnus.compact(given))
    legal = party.legal_id
    if legal is not None and legal.scheme == "0037":
        return str(ytunnus.compact(legal.id))
    return None


def _own_ids(draft: Draft, party: Any, at: tuple[str | int, ...]) -> Iterator[Problem]:
    """A Finnish VAT id (C228) and an OVT e-invoice address (C229, a warning) carry the
    digits of the party's own business id."""
    digits = _business_digits(party)
    if digits is None:
        return
    own = ytunnus.format(digits)
    vat_id = party.vat_id
    if vat_id is not None and vat_id.startswith("FI") and vat_id[2:] != digits:
        yield Problem("C228", f"the VAT id {vat_id} is not that of business id {own}: a "
                      f"Finnish VAT id is FI and the business id's eight digits, FI{digits}; "
                      "an invoice must name the party's own VAT id (VAT Act 1501/1993 §209e)",
                      draft.source(*at, "vat_id"))
    address = party.e_invoice_address
    if address is not None and address.scheme == "0216" and address.id[4:12] != digits:
        other = ytunnus.format(address.id[4:12])
        yield Problem("C229", f"the e-invoice address {address.id} is an OVT code of business "
                      f"id {other}, not of this party's {own}: its invoices go to that "
                      "organisation; right if it receives them for this party (another unit's "
                      f"address), otherwise give the party's own OVT code 0037{digits}",
                      draft.source(*at, "e_invoice_address", "id"))


def _rate_starts(draft: Draft, rate: Any, valid_from: date, path: tuple[str | int, ...]
                 ) -> Iterator[Problem]:
    """A VAT rate that changes on dates must hold from the contract's first day (C220)."""
    if isinstance(rate, DatedRate):
        first = rate.changes()[0][0]
        if first > valid_from:
            yield Problem("C220", f"the first of these rates holds from {first}, after the "
                          f"contract's valid_from {valid_from}; give a rate from {valid_from}",
                          draft.source(*path))


def _series(draft: Draft, md: Any) -> Iterator[Problem]:
    """Each provider numbers its invoices in its own series (its invoice_code, default its
    id), apart from the other providers' and from the consortium's ``joint`` series."""
    seen: dict[str, bool] = {JOINT: True}  # code -> given as an invoice_code
    for i, p in enumerate(md.providers):
        code = p.invoice_code or p.id
        # two providers with one id are C212 already
        if code in seen and (p.invoice_code is not None or seen[code]):
            yield Problem("C225", f"provider '{p.id}' is numbered '{code}' like "
                          f"{'a joint invoice' if code == JOINT else 'another provider'}: "
                          "invoice numbers would repeat; give it its own invoice_code",
                          draft.source("metadata", "providers", i))
        seen[code] = p.invoice_code is not None or seen.get(code, False)


def _number_lengths(draft: Draft, md: Any, inv: Any) -> Iterator[Problem]:
    prefix = inv.number_prefix or md.id
    series: list[tuple[str, int, int | None]] = [
        (p.invoice_code or p.id, 0, i) for i, p in enumerate(md.providers)]
    if len(md.providers) > 1:
        series.append((JOINT, 0 if md.lead_provider else 2, None))
    for code, extra, i in series:
        longest = len(f"{prefix}-{code}-0001") + extra
        if longest > MAX_NUMBER:
            fix = "a shorter invoicing.number_prefix"
            if i is not None:
                fix += f" or a short invoice_code for provider '{md.providers[i].id}'"
            where = ("invoicing", "number_prefix") if inv.number_prefix else ("metadata", "id")
            yield Problem("C225", f"invoice numbers such as '{prefix}-{code}-0001"
                          f"{'-1' if extra else ''}' have {longest} characters; an e-invoice "
                          f"number has at most {MAX_NUMBER} (Finvoice): give {fix}",
                          draft.source(*where))


def _treatments(draft: Draft, inv: Any) -> list[tuple[tuple[str | int, ...], bool]]:
    """Each component's VAT: (where it is written, whether it is category O)."""
    default: VatTreatment | None = inv.vat
    out: list[tuple[tuple[str | int, ...], bool]] = []
    for i, comp in draft.items():
        own = comp.vat
        if own is not None:
            out.append((("components", i, "vat"), own.category == "O"))
        else:
            out.append((("invoicing", "vat") if default is not None else ("metadata", "vat_rate"),
                        default is not None and default.category == "O"))
    return out


def _outside_vat(draft: Draft, inv: Any) -> tuple[str | int, ...] | None:
    """Where the contract says its services are not subject to VAT (category O), when every
    component is; None when any is taxed (or exempt, or zero rated)."""
    treatments = _treatments(draft, inv)
    if treatments and all(o for _, o in treatments):
        return treatments[0][0]
    return None


def _not_subject(draft: Draft, md: Any, inv: Any, outside: tuple[str | int, ...] | None
                 ) -> Iterator[Problem]:
    """C227: category O leaves out every VAT id, and is not mixed with other categories."""
    treatments = _treatments(draft, inv)
    if outside is None:
        for where, o in treatments:
            if o:
                yield Problem("C227", "this component is not subject to VAT (category O) but "
                              "others are taxed: an e-invoice with a line not subject to VAT "
                              "has no line of another category (EN 16931 BR-O-11 to BR-O-14); "
                              "give every component category O, or none", draft.source(*where))
                return
        return
    parties: list[tuple[tuple[str | int, ...], Any]] = [
        (("metadata", "providers", i, "vat_id"), p.vat_id) for i, p in enumerate(md.providers)]
    parties.append((("invoicing", "buyer", "vat_id"), inv.buyer.vat_id))
    for where, vat_id in parties:
        if vat_id is not None:
            yield Problem("C227", "the contract's services are not subject to VAT (category "
                          "O), so its e-invoices name no VAT id of the seller or the buyer "
                          "(EN 16931 BR-O-02): leave out this vat_id, or tax the services",
                          draft.source(*where))


def _addresses(draft: Draft, md: Any, inv: Any) -> Iterator[Problem]:
    """C231: a party without an e-invoice address, or a Finnish one without its operator;
    C232: an address of a scheme Peppol has withdrawn."""
    parties: list[tuple[str, str, Any, tuple[str | int, ...]]] = [
        (f"provider '{p.id}'", "seller", p, ("metadata", "providers", i))
        for i, p in enumerate(md.providers)]
    parties.append(("invoicing.buyer", "buyer", inv.buyer, ("invoicing", "buyer")))
    for who, role, party, where in parties:
        address = party.e_invoice_address
        rule = "R020" if role == "seller" else "R010"
        if address is None:
            yield Problem("C231", f"{who} has no e_invoice_address: a Peppol UBL invoice "
                          f"cannot be delivered without the {role}'s electronic address "
                          f"(PEPPOL-EN16931-{rule}), so invoice --format ubl refuses it, "
                          "and a Finvoice is written without its message envelope; give "
                          "e_invoice_address: {scheme, id, operator}", draft.source(*where))
        elif address.operator is None and (party.address is None
                                           or party.address.country == "FI"):
            yield Problem("C231", f"{who}: its e_invoice_address names no operator, so a "
                          "Finvoice is written without its message envelope (it names both "
                          "parties' operators); give the operator (an OVT code or a BIC)",
                          draft.source(*where, "e_invoice_address"))
        if address is not None:
            why = peppol_withdrawn(address.scheme)
            if why:
                yield Problem("C232", f"{who}: {why}; invoice --format ubl refuses the "
                              "address, a Finvoice is still written",
                              draft.source(*where, "e_invoice_address", "scheme"))
