"""The library's front door: the pipeline load -> validate -> evaluate, as plain functions.

The CLI is a thin layer over these; tests and notebooks call them directly. Nothing here
prints or reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .contract.load import LoadedContract, load_contract
from .contract.model import Contract
from .errors import Problem, has_errors, sorted_problems
from .evaluate.context import assign_segment
from .evaluate.engine import Evaluation, evaluate
from .events.model import Referral
from .events.read import EventSet, read_events
from .events.timeline import group_by_customer, timeline
from .invoicing import audit as ledger_audit
from .invoicing import run as billing
from .invoicing.audit import ExportFormat, LedgerReport
from .invoicing.bill import Bill, MappingError, parse_mapping, read_bill
from .invoicing.invoice import Invoice
from .invoicing.ledger import LedgerError
from .invoicing.periods import BillingPeriod, PeriodError, resolve_period
from .invoicing.render import (
    class_label,
    invoice_csv,
    invoice_html,
    invoice_json,
    report_html,
    report_json,
)
from .invoicing.run import InvoicingError, IssueResult
from .invoicing.verify import CLASSES, VerifyReport
from .values import MAX_DATE


@dataclass
class Inputs:
    """A loaded contract and events, with every problem found while reading them."""

    contract: LoadedContract | None
    events: EventSet
    problems: list[Problem] = field(default_factory=list)

    @property
    def unreadable(self) -> bool:
        """A file could not be read at all (exit code 2 rather than 1)."""
        return any(p.code.startswith("F") for p in self.problems)

    @property
    def ok(self) -> bool:
        return self.contract is not None and not has_errors(self.problems)


def contract_schema() -> dict[str, Any]:
    """The JSON Schema of the contract language, for editors checking drafts."""
    data = Contract.model_json_schema(by_alias=True)
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "rewardengine contract"
    return data


def lint_problems(loaded: LoadedContract) -> list[Problem]:
    from .contract.lint import lint

    return lint(loaded)


def load_inputs(contract_path: str, event_paths: Sequence[str], with_lint: bool = False
                ) -> Inputs:
    """Load the contract and every event file; collect all problems (lint warnings too)."""
    loaded, problems = load_contract(contract_path)
    if loaded is not None and with_lint:
        problems = [*problems, *lint_problems(loaded)]
    events = read_events(event_paths) if event_paths else EventSet()
    if loaded is not None:
        problems.extend(_referral_checks(loaded, events))
    return Inputs(loaded, events, sorted_problems([*problems, *events.problems]))


def _referral_checks(loaded: LoadedContract, events: EventSet) -> list[Problem]:
    """Event values the contract must know: providers and segments named on rows."""
    providers = {p.id for p in loaded.contract.metadata.providers}
    segments = set(loaded.contract.segment_ids())
    out = []
    # the referral that decides each customer's segment: the first live one, corrections
    # applied (a re-referral is passed over, a corrected row replaces the one it corrects)
    referrals = group_by_customer(e for e in events.events if isinstance(e, Referral))
    for customer_id, rows in referrals.items():
        first = timeline(customer_id, rows, MAX_DATE).referral
        if first is not None:
            # a referral the contract cannot place in exactly one segment cannot be priced
            _, _, problem = assign_segment(loaded, first)
            if problem is not None and (first.segment is None or first.segment in segments):
                out.append(Problem("E014", problem, first.source))
    for e in events.events:
        provider = getattr(e, "provider", None)
        if provider is not None and provider not in providers:
            out.append(Problem("E013", f"provider '{provider}' is not in the contract "
                               f"({', '.join(sorted(providers))})", e.source))
        segment = getattr(e, "segment", None)
        if segment is not None and segment not in segments:
            out.append(Problem("E013", f"segment '{segment}' is not in the contract "
                               f"({', '.join(sorted(segments))})", e.source))
    return out


def run_evaluation(contract_path: str, event_paths: Sequence[str], as_of: date,
                   customers: Sequence[str] | None = None
                   ) -> tuple[Evaluation | None, Inputs]:
    """Load and evaluate; ``None`` when the inputs have errors (see ``Inputs.problems``)."""
    inputs = load_inputs(contract_path, event_paths)
    if not inputs.ok:
        return None, inputs
    assert inputs.contract is not None
    return evaluate(inputs.contract, inputs.events.events, as_of, customers), inputs


# --- billing ---------------------------------------------------------------------------------

class BillingError(Exception):
    """A billing request that cannot be served as asked: a bad period or mapping, a provider
    the contract lacks, a ledger that cannot be used. The message says why (exit code 2)."""


def billing_period(period: str | None, first_day: str | None, last_day: str | None
                   ) -> BillingPeriod:
    """``--period`` (a month or a quarter) or ``--from``/``--to`` as a billing period."""
    try:
        return resolve_period(period, first_day, last_day)
    except PeriodError as exc:
        raise BillingError(str(exc)) from None


def issue_invoice(contract_path: str, event_paths: Sequence[str], period: BillingPeriod, *,
                  ledger_path: str, provider: str | None = None, joint: bool = False,
                  issue_date: date | None = None, dry_run: bool = False,
                  prepare: Callable[[Invoice], Callable[[], None]] | None = None
                  ) -> tuple[IssueResult | None, Inputs]:
    """Invoice ``period`` against the ledger (``None`` when the inputs have errors).

    ``prepare(invoice)`` runs inside the ledger transaction, before the commit: it writes the
    rendered invoice aside and returns the step that puts it in place once the invoice is
    committed. A failing write (it raises) therefore leaves the ledger untouched."""
    inputs = load_inputs(contract_path, event_paths)
    if not inputs.ok:
        return None, inputs
    assert inputs.contract is not None
    try:
        result = billing.issue_invoice(
            inputs.contract, inputs.events.events, period, ledger_path=ledger_path,
            inputs_hash=billing.inputs_sha256(event_paths), provider=provider, joint=joint,
            issue_date=issue_date, dry_run=dry_run, prepare=prepare)
    except (InvoicingError, LedgerError) as exc:
        raise BillingError(str(exc)) from None
    return result, inputs


def show_invoice(ledger_path: str, number: str) -> Invoice | None:
    """An issued invoice from the ledger, exactly as it was issued (``None``: no such one)."""
    try:
        return billing.show_invoice(ledger_path, number)
    except LedgerError as exc:
        raise BillingError(str(exc)) from None


def read_bill_file(bill_path: str, mapping: Sequence[str] | None = None) -> Bill:
    """A provider's bill, with every problem found reading it (``Bill.unreadable``)."""
    try:
        columns = parse_mapping(mapping)
    except MappingError as exc:
        raise BillingError(f"--map: {exc}") from None
    return read_bill(bill_path, columns)


def verify_bill(contract_path: str, event_paths: Sequence[str], bill: Bill,
                period: BillingPeriod, *, ledger_path: str | None,
                provider: str | None = None, joint: bool = False
                ) -> tuple[VerifyReport | None, Inputs]:
    """Class every line of ``bill`` against what the contract makes payable for ``period``
    (``None`` when the inputs have errors)."""
    inputs = load_inputs(contract_path, event_paths)
    if not inputs.ok:
        return None, inputs
    assert inputs.contract is not None
    try:
        report = billing.verify_bill(inputs.contract, inputs.events.events, bill, period,
                                     ledger_path=ledger_path, provider=provider, joint=joint)
    except (InvoicingError, LedgerError) as exc:
        raise BillingError(str(exc)) from None
    return report, inputs


# --- the ledger ------------------------------------------------------------------------------

def check_ledger(ledger_path: str) -> LedgerReport:
    """Every problem of the ledger at ``ledger_path`` and what it holds (``ledger check``).
    Read-only; ``LedgerReport.unreadable`` when it is not a ledger or cannot be read now."""
    return ledger_audit.check_ledger(ledger_path)


def export_ledger(ledger_path: str, fmt: ExportFormat = "json"
                  ) -> tuple[str | None, LedgerReport]:
    """The ledger's whole audit trail as JSON or CSV, every row with its hash and its link of
    the export's hash chain (``None`` when it cannot be read), and the check of the same
    snapshot (``ledger export``)."""
    return ledger_audit.export_ledger(ledger_path, fmt)


__all__ = [
    "CLASSES", "Bill", "BillingError", "BillingPeriod", "Evaluation", "Inputs", "Invoice",
    "IssueResult", "VerifyReport", "billing_period", "class_label", "contract_schema",
    "invoice_csv", "invoice_html", "invoice_json", "issue_invoice", "lint_problems",
    "load_inputs", "read_bill_file", "report_html", "report_json", "run_evaluation",
    "show_invoice", "verify_bill",
]
# the ledger's own commands (``ledger check``, ``ledger export``)
__all__ += ["ExportFormat", "LedgerReport", "check_ledger", "export_ledger"]
