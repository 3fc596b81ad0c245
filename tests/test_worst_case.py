"""The most each fee kind's own rules pay one customer (``ComponentBase.most_paid``), the
bound ``simulate`` sums for its worst case (docs/forecast.md)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import contract_from

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("contract, component, most", [
    ("tehostettu_tyonvalitys", "result", "750.00"),  # one result fee, max_times 1
    ("asiakasbudjetti", "budget", "2500.00"),  # reimbursed up to the budget
    ("employment_condition_2024", "employment_condition", "2500.00"),  # paid once
    ("municipal_subsidy_share", "subsidy_share_fall", "2000.00"),  # the full amount, once
    ("uk_work_programme", "outcome_jsa_25_plus", "5400.00"),  # 1200.00 + 20 x 210.00
    ("us_ticket_to_work", "phase1", "7400.00"),  # four steps of 1850.00
    ("us_ticket_to_work", "phase2_ssdi", "6105.00"),  # 11 months of 555.00
    ("palvelumanageri", "days_result_fee", "4392.00"),  # 366 days x 1 x 12.00
    ("palvelumanageri", "radar_bonus", "300.00"),  # the best band's bonus
    ("business_feedback", "feedback_weight", "400.00"),  # 0.2 x the 2000.00 fee it weights
    ("keski_suomi", "monthly_coaching", "3120.00"),
    ("rekrytoiva_satakunta", "capacity", "0.00"),  # pays the contract, no customer
])
def test_each_kind_says_the_most_its_rules_pay(contract: str, component: str,
                                               most: str) -> None:
    loaded = contract_from("", (ROOT / "contracts" / f"{contract}.yaml").read_text("utf-8"))
    comp = loaded.contract.component(component)
    assert comp is not None
    assert comp.most_paid(loaded.contract) == Decimal(most)
