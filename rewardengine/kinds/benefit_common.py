"""What the benefit tests share: milestones' ``benefit_test`` and ``benefit_reduction`` (see
docs/contract-language.md).

* ``zero_baseline``, one named setting for both, says what a baseline with no benefit means:

  - ``no_fall`` (the default): there is nothing to fall from, so the outcome is not earned.
    A fee for a *reduction* of benefit pays nothing for a customer who had none.
  - ``full_if_none_during``: no benefit before and none during counts as a full fall (income
    support is not paid, which is a full outcome's condition); benefit during is no fall.

* ``buyer_share`` (benefit_reduction): the part of each benefit payment the buyer pays, by
  the customer's cumulative benefit days, payment by payment, as Kela bills municipalities for
  the labour market subsidy: the state alone pays up to the end of the payment during which
  the 300th day is paid; from the next payment the municipality pays 50 %, and from the
  payment after the one during which the 1,000th day is paid, 70 %. So a benefit row counts
  at the ``share`` of the last entry whose ``after_days`` the customer had already been paid
  *before* the row (``cumulative_days - days >= after_days``), and at 0 before the first: a
  row whose days run from the 291st to the 310th is the state's alone; the next row, 50 %.
  Its share is ``share * amount`` (measure ``amount``) or ``share * days`` (``days``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from pydantic import Field

from ..contract.model import Site, Strict
from ..errors import Problem
from ..events.model import Benefit
from ..values import Fraction as Share
from ..values import WholeNumber

ZeroBaseline = Literal["no_fall", "full_if_none_during"]
ZERO_BASELINE_HELP = ("no_fall: no benefit before the service is nothing to fall from (not "
                      "earned); full_if_none_during: none before and none during is a full fall")


def zero_baseline_text(setting: ZeroBaseline, during_is_zero: bool) -> tuple[bool, str]:
    """(full outcome?, why) for a baseline with no benefit."""
    if setting == "no_fall":
        return False, ("no benefit before the service, so there is no fall to measure "
                       "(zero_baseline: no_fall)")
    if during_is_zero:
        return True, "no benefit before or during"
    return False, "benefit rose from nothing, no fall"


class ShareStep(Strict):
    after_days: WholeNumber = Field(ge=0, description="from the day after this many days")
    share: Share


def share_checks(steps: Sequence[ShareStep] | None, site: Site, *path: str) -> list[Problem]:
    out = []
    for j in range(1, len(steps or ())):
        assert steps is not None
        if steps[j].after_days <= steps[j - 1].after_days:
            out.append(site.err("C210", f"buyer_share entry {j + 1} (after {steps[j].after_days}"
                                f" days) is not after entry {j} (after "
                                f"{steps[j - 1].after_days} days)", *path, j, "after_days"))
    return out


def share_of_row(steps: Sequence[ShareStep], row: Benefit, measure: str) -> Fraction | None:
    """The buyer's part of one benefit row (None: the row lacks days, cumulative_days or the
    measure, so its share cannot be known)."""
    value = row.days if measure == "days" else row.amount
    if row.days is None or row.cumulative_days is None or value is None:
        return None
    before = row.cumulative_days - row.days  # days paid before this payment
    share = next((step.share for step in reversed(steps) if before >= step.after_days),
                 Decimal(0))
    return Fraction(share) * Fraction(value)


def shares_text(steps: Sequence[ShareStep]) -> str:
    """``50 % after 300 days, 70 % after 1000 days``."""
    return ", ".join(f"{(step.share * 100).normalize():f} % after {step.after_days} days"
                     for step in steps)
