"""Shared test helpers: contracts and events written inline, evaluated in one call."""

from __future__ import annotations

import os
import textwrap
from datetime import date

import pytest
from hypothesis import HealthCheck, settings

from rewardengine.contract.load import LoadedContract
from rewardengine.engine import CustomerResult, Evaluation, evaluate
from rewardengine.events.read import EventSet, read_text
from rewardengine.pipeline import load_contract_text

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE",
                                                                        "dev"))

# The head of a contract most unit tests share: one provider, two segments by unemployment
# months at referral (A: under 12, B: 12 or more), a 12-month service, 6-month follow-up.
CONTRACT_HEAD = """\
metadata:
  id: test
  title: Test contract
  version: "1"
  buyer: Test TE office
  providers:
    - {id: acme, name: Acme Oy}
  vat_rate: 0.24
  valid_from: 2020-01-01
  valid_until: 2022-12-31
segments:
  tiers:
    - id: A
      distance: 0
      when: {unemployment_months: {max: 12}}
    - id: B
      distance: 1
      when: {unemployment_months: {min: 12}}
windows:
  service:
    max_length: 12 months
  follow_up: 6 months
"""

# the same contract in force to 2026, for rows of 2024 and 2025 (a customer referred after
# valid_until is warned of, V009)
LATER_HEAD = CONTRACT_HEAD.replace("valid_until: 2022-12-31", "valid_until: 2026-12-31")

EVENT_HEADER = (
    "event_id,customer_id,type,date,recorded,end,void,provider,segment,unemployed_since,"
    "birth_date,hours,activity,responded,kind,evidence,fte,hours_per_week,wage,days,amount,"
    "instrument,score,category,reason\n"
)


def contract_from(text: str, head: str = CONTRACT_HEAD) -> LoadedContract:
    """Load ``head + text`` (dedented); fail the test on any error."""
    body = head + textwrap.dedent(text)
    loaded, problems = load_contract_text(body, "contract.yaml")
    errors = [str(p) for p in problems if p.severity.value == "error"]
    assert loaded is not None and not errors, "\n".join(errors)
    return loaded


def events_from(rows: str, header: str = EVENT_HEADER) -> EventSet:
    """Events from CSV rows (dedented); the shared header lists every column tests use.

    Rows may give fewer cells than the header; the rest are empty.
    """
    body = header + textwrap.dedent(rows).strip() + "\n"
    es = read_text(body, "events.csv")
    assert not es.problems, "\n".join(str(p) for p in es.problems)
    return es


def run(contract: LoadedContract, rows: str, as_of: str) -> Evaluation:
    return evaluate(contract, events_from(rows).events, date.fromisoformat(as_of))


def one(contract: LoadedContract, rows: str, as_of: str, customer: str = "c1"
        ) -> CustomerResult:
    ev = run(contract, rows, as_of)
    assert not ev.problems, [str(p) for p in ev.problems]
    return next(c for c in ev.customers if c.customer_id == customer)


@pytest.fixture
def head() -> str:
    return CONTRACT_HEAD
