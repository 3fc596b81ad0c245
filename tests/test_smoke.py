from decimal import Decimal

from conftest import contract_from, one

BASE = """
components:
  - id: base_fee
    kind: event_fee
    event: service_start
    amount: {A: 100.00, B: 150.00}
"""

# referral columns: event_id,customer_id,type,date,recorded,end,void,provider,segment,
# unemployed_since
ROWS = """
r1,c1,referral,2020-01-10,,,,acme,,2019-06-01
s1,c1,service_start,2020-01-15
"""


def test_base_fee_paid_on_service_start() -> None:
    result = one(contract_from(BASE), ROWS, "2020-03-01")
    assert [(ln.component, ln.status, ln.amount) for ln in result.lines] == [
        ("base_fee", "payable", Decimal("100.00"))]
    assert result.lines[0].evidence == ("s1",)
    assert result.lines[0].clause == "contract.yaml:25"
