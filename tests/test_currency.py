"""A contract's currency is any ISO 4217 code with cents; amounts are in it, outputs say it."""

from __future__ import annotations

import pytest
from conftest import CONTRACT_HEAD, contract_from, run

from rewardengine.pipeline import load_contract_text

BODY = """
components:
  - {id: start, kind: event_fee, event: service_start, amount: 100.00}
"""


def _head(currency: str) -> str:
    return CONTRACT_HEAD.replace("  vat_rate: 0.24\n",
                                 f"  vat_rate: 0.24\n  currency: {currency}\n")


@pytest.mark.parametrize("code", ["SEK", "GBP", "AUD", "USD", "EUR"])
def test_currencies_with_cents(code: str) -> None:
    loaded = contract_from(BODY, _head(code))
    ev = run(loaded, "r1,c1,referral,2020-01-02,,,,acme,,2019-06-01\n"
                     "s1,c1,service_start,2020-01-06\n", "2020-02-01")
    assert ev.to_dict()["contract"]["currency"] == code


@pytest.mark.parametrize(("code", "says"), [
    ("eur", "'eur' is not an ISO 4217 currency code written like EUR, SEK or GBP"),
    ("EURO", "'EURO' is not an ISO 4217 currency code written like EUR, SEK or GBP"),
    ("ABC", "'ABC' is not an ISO 4217 currency code"),
    ("JPY", "JPY has 0 decimal places; the engine computes amounts in cents, so only "
            "currencies with 2 decimal places can be used"),
])
def test_other_codes_are_refused_with_the_reason(code: str, says: str) -> None:
    loaded, problems = load_contract_text(_head(code) + BODY, "contract.yaml")
    assert loaded is None
    assert [(p.code, p.message) for p in problems] == [("C110", f"metadata.currency: {says}")]
