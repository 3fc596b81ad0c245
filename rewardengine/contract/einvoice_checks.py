"""Cross-checks for a contract that names its e-invoice parties (``invoicing.buyer``).

Once the buyer is named, the contract is meant to be invoiced as EN 16931 / Finvoice
e-invoices, so what those need is checked here rather than found missing on the day of
invoicing:

- ``C225``: every invoice number fits Finvoice's 20 characters: ``{prefix}-{series}-0001``
  for each provider's series and, with several providers, the ``joint`` series (whose member
  invoices add ``-N`` when there is no lead provider).
- ``C226``: every provider can be the seller: its VAT id, address and bank account (and a
  Finnish provider's business id), since each may invoice on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import Problem
from .load import Draft

# Finvoice 3.0 InvoiceNumber (genericStringType1_20); EN 16931 sets no limit, so this binds
MAX_NUMBER = 20
JOINT = "joint"


def einvoice_checks(draft: Draft) -> Iterator[Problem]:
    md, inv = draft.metadata, draft.parts.get("invoicing")
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


def _number_lengths(draft: Draft, md: Any, inv: Any) -> Iterator[Problem]:
    prefix = inv.number_prefix or md.id
    series = [(p.id, 0) for p in md.providers]
    if len(md.providers) > 1:
        series.append((JOINT, 0 if md.lead_provider else 2))
    for name, extra in series:
        longest = len(f"{prefix}-{name}-0001") + extra
        if longest > MAX_NUMBER:
            where = ("invoicing", "number_prefix") if inv.number_prefix else ("metadata", "id")
            yield Problem("C225", f"invoice numbers such as '{prefix}-{name}-0001"
                          f"{'-1' if extra else ''}' have {longest} characters; an e-invoice "
                          f"number has at most {MAX_NUMBER} (Finvoice): give a shorter "
                          "invoicing.number_prefix", draft.source(*where))
            return
