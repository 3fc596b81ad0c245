"""W018 a service period that a VAT rate change splits

Catches a fee that pays for periods of continuous service (a `monthly_fee`'s service months,
a `capacity_fee`'s calendar months when the change is not on a month's first day) taxed at a
standard rate given as rates by date (`metadata.vat_rate`, `invoicing.vat` or the
component's own `vat`) that changes while the contract is valid.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from itertools import pairwise

from ...model import ComponentBase
from ...parties import DatedRate, VatTreatment
from ..base import Finding, Lint, Rule

Change = tuple[date, Decimal, Decimal]  # the day, the rate before, the rate from that day


def _changes(rate: Decimal | DatedRate) -> list[Change]:
    if not isinstance(rate, DatedRate):
        return []
    steps = [(day, value) for day, value, _ in rate.changes()]
    return [(day, before, value) for (_, before), (day, value) in pairwise(steps)
            if value != before]


def _rate(comp: ComponentBase, contract_vat: VatTreatment | None,
          default: Decimal | DatedRate) -> tuple[Decimal | DatedRate | None, bool]:
    """The rate a component's lines are taxed at (None: not taxed at a rate), and whether
    the component gives it itself; as the invoice finds it."""
    own = comp.vat if comp.vat is not None else contract_vat
    if own is not None and own.category != "S":
        return None, False
    if own is not None and own.rate is not None:
        return own.rate, comp.vat is not None
    return default, False


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"


def check(lint: Lint) -> Iterator[Finding]:
    md = lint.draft.metadata
    assert md is not None
    invoicing = lint.draft.parts.get("invoicing")
    contract_vat = invoicing.vat if invoicing is not None else None
    for base, comp in lint.components():
        rate, own = _rate(comp, contract_vat, md.vat_rate)
        for day, before, after in _changes(rate) if rate is not None else []:
            if not md.valid_from < day <= md.valid_until or not comp.period_spans(day):
                continue
            at = (*base, "vat", "rate") if own and lint.has_key((*base, "vat", "rate")) \
                else base
            yield lint.warn(
                "W018", f"{comp.name} pays for periods of service, and VAT goes from "
                f"{_percent(before)} to {_percent(after)} on {day}, while the contract is "
                "valid: a line whose period holds days on both sides of that day is taxed "
                f"wholly at {_percent(after)}, the rate of the day it ends, where the tax "
                "authority's guidance for continuous services taxes the days before the "
                f"change at {_percent(before)}; check those lines by hand (`evaluate` shows "
                "each line's period), or accept this warning with the reason", at, comp.id)


RULE = Rule("W018", check, needs=("metadata", "invoicing"))
