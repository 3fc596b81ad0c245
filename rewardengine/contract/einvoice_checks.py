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
  name fits Finvoice's 70 characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from ..errors import Problem
from .load import Draft
from .parties import DatedRate

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
    if md is None or inv is None or inv.buyer is None:
        return
    yield from _number_lengths(draft, md, inv)
    for i, provider in enumerate(md.providers):
        missing = [key for key, value in (("vat_id", provider.vat_id),
                                          ("address", provider.address),
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
    if inv.buyer.name is None and len(md.buyer) > MAX_NAME:
        yield Problem("C226", f"metadata.buyer has {len(md.buyer)} characters; an e-invoice's "
                      f"party name has at most {MAX_NAME} (Finvoice): give invoicing.buyer.name",
                      draft.source("invoicing", "buyer"))


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
