"""Shared contract and events for the invoicing tests (event_fee components only).

Customers (all with provider acme):
- c1: segment A, service start 2020-01-15 (base fee 100.00 in January); job E1 on 2020-03-10
  (job fee 200.00 in March), voided by a row recorded 2020-04-05.
- c2: segment B, service start 2020-02-10 (150.00 in February).
- c3: referral recorded as segment A (100.00 in January), corrected on 2020-02-12 to
  segment B: 150.00, so February corrects +50.00.
"""

from __future__ import annotations

import os
import sqlite3
import textwrap
from datetime import date
from pathlib import Path

from conftest import CONTRACT_HEAD, EVENT_HEADER, contract_from, events_from

from rewardengine.contract.load import LoadedContract
from rewardengine.events.model import EventBase
from rewardengine.invoicing.periods import parse_period
from rewardengine.invoicing.run import IssueResult, issue_invoice

COMPONENTS = """
components:
  - id: base_fee
    kind: event_fee
    event: service_start
    amount: {A: 100.00, B: 150.00}
  - id: job_fee
    kind: event_fee
    event: employment
    per: each
    amount: 200.00
    window: service
"""

# event_id,customer_id,type,date,recorded,end,void,provider,segment,unemployed_since,
# birth_date,hours,activity,responded,kind,evidence,fte
ROWS = """
r1,c1,referral,2020-01-10,,,,acme,,2019-06-01
s1,c1,service_start,2020-01-15
r2,c2,referral,2020-02-03,,,,acme,,2018-01-01
s2,c2,service_start,2020-02-10
r3,c3,referral,2020-01-20,,,,acme,,2019-10-01
r3,c3,referral,2020-01-20,2020-02-12,,,acme,,2018-10-01
s3,c3,service_start,2020-01-25
E1,c1,employment,2020-03-10,,,,,,,,,,,open,register,1.0
E1,c1,employment,2020-03-10,2020-04-05,,true,,,,,,,,open,register,1.0
"""

TWO_PROVIDERS = CONTRACT_HEAD.replace(
    "    - {id: acme, name: Acme Oy}\n",
    "    - {id: acme, name: Acme Oy, business_id: 1234567-8}\n"
    "    - {id: beta, name: Beta Osuuskunta}\n")


def contract(extra: str = "", head: str = CONTRACT_HEAD) -> LoadedContract:
    return contract_from(COMPONENTS + textwrap.dedent(extra), head)


def events(rows: str = ROWS) -> list[EventBase]:
    return events_from(rows).events


def issue(loaded: LoadedContract, evs: list[EventBase], period: str, ledger: Path,
          **kw: object) -> IssueResult:
    return issue_invoice(loaded, evs, parse_period(period), ledger_path=str(ledger),
                         inputs_hash="0" * 64, **kw)  # type: ignore[arg-type]


def write_inputs(tmp: Path, extra: str = "", rows: str = ROWS) -> tuple[Path, Path]:
    """The contract and the events as files (for the CLI and subprocesses)."""
    c = tmp / "contract.yaml"
    c.write_text(CONTRACT_HEAD + textwrap.dedent(COMPONENTS + extra), encoding="utf-8")
    e = tmp / "events.csv"
    e.write_text(EVENT_HEADER + textwrap.dedent(rows).strip() + "\n", encoding="utf-8")
    return c, e


def ledger_rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def d(text: str) -> date:
    return date.fromisoformat(text)


SUBPROCESS_ISSUE = """
import sys
from rewardengine.pipeline import load_contract
from rewardengine.events.read import read_events
from rewardengine.invoicing.periods import parse_period
from rewardengine.invoicing.run import issue_invoice
loaded, problems = load_contract(sys.argv[1])
assert loaded is not None, problems
events = read_events([sys.argv[2]]).events
result = issue_invoice(loaded, events, parse_period(sys.argv[3]), ledger_path=sys.argv[4],
                       inputs_hash="h")
number = result.invoice.number if result.invoice is not None else "-"
print(result.status, number, flush=True)
"""


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
