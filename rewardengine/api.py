"""The library's front door: the pipeline load -> validate -> evaluate, as plain functions.

The CLI is a thin layer over these; tests and notebooks call them directly. Nothing here
prints or reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from .contract.load import LoadedContract
from .contract.schema import contract_schema as json_schema
from .engine import Evaluation, evaluate
from .errors import Problem, Severity, Source, has_errors
from .evaluate.lines import Line
from .events.read import EventSet
from .explanation import ComponentView, Explanation, explain
from .invoicing import audit as ledger_audit
from .invoicing import run as billing
from .invoicing.audit import ExportFormat, LedgerReport
from .invoicing.bill import MAX_BILL_BYTES, Bill, MappingError, parse_mapping, read_bill
from .invoicing.einvoice import EInvoiceError
from .invoicing.invoice import Invoice, member_invoice
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
from .kinds import KINDS
from .pipeline import load
from .privacy import BILL_KEYS, KeyFileError, read_key, rewrite_file
from .tabular import PLAIN, Dialect, DialectError, make_dialect
from .worked import ExampleResult, run_examples


@dataclass
class Inputs:
    """A loaded contract and events, with every problem found while reading them."""

    contract: LoadedContract | None
    events: EventSet
    problems: list[Problem] = field(default_factory=list)
    # what the stages did not check because it depends on a part with errors (P001)
    skipped: list[Problem] = field(default_factory=list)

    @property
    def unreadable(self) -> bool:
        """A file could not be read at all (exit code 2 rather than 1); F005 is a note."""
        return any(p.code.startswith("F") and p.severity is Severity.ERROR
                   for p in self.problems)

    @property
    def ok(self) -> bool:
        return self.contract is not None and not has_errors(self.problems)


def contract_schema() -> dict[str, Any]:
    """The JSON Schema of the contract language, for editors checking drafts."""
    return json_schema(KINDS.contract_class)


def load_inputs(contract_path: str, event_paths: Sequence[str], with_lint: bool = False,
                dialect: Dialect = PLAIN) -> Inputs:
    """Load the contract and every event file (written in ``dialect``) through the stages of
    ``pipeline``, collecting every problem; with ``with_lint`` (validate) lint findings and
    what was not checked because it depends on a part with errors too."""
    state = load(contract_path, event_paths, with_lint=with_lint, dialect=dialect)
    return Inputs(state.contract, state.events, state.problems, state.skipped)


def run_evaluation(contract_path: str, event_paths: Sequence[str], as_of: date,
                   customers: Sequence[str] | None = None, dialect: Dialect = PLAIN
                   ) -> tuple[Evaluation | None, Inputs]:
    """Load and evaluate; ``None`` when the inputs have errors (see ``Inputs.problems``)."""
    inputs = load_inputs(contract_path, event_paths, dialect=dialect)
    if not inputs.ok:
        return None, inputs
    assert inputs.contract is not None
    return evaluate(inputs.contract, inputs.events.events, as_of, customers), inputs


def explain_customer(contract_path: str, event_paths: Sequence[str], customer: str,
                     as_of: date, dialect: Dialect = PLAIN
                     ) -> tuple[Explanation | None, Evaluation | None, Inputs]:
    """One customer's explanation (``None`` when the inputs have errors or the customer has
    no events recorded by ``as_of``), read from the evaluation."""
    ev, inputs = run_evaluation(contract_path, event_paths, as_of, [customer], dialect)
    if ev is None or not ev.customers:
        return None, ev, inputs
    return explain(ev, ev.customers[0]), ev, inputs


def test_contract(contract_path: str) -> tuple[list[ExampleResult] | None, Inputs]:
    """Run the contract's worked examples (``tests:``); ``None`` when the contract has
    errors."""
    inputs = load_inputs(contract_path, [])
    if not inputs.ok or inputs.contract is None:
        return None, inputs
    return run_examples(inputs.contract), inputs


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
                  prepare: Callable[[Invoice], Callable[[], None]] | None = None,
                  dialect: Dialect = PLAIN, einvoice: bool = False
                  ) -> tuple[IssueResult | None, Inputs]:
    """Invoice ``period`` against the ledger (``None`` when the inputs have errors).

    ``prepare(invoice)`` runs inside the ledger transaction, before the commit: it writes the
    rendered invoice aside and returns the step that puts it in place once the invoice is
    committed. A failing write (it raises) therefore leaves the ledger untouched.
    With ``einvoice`` (UBL or Finvoice is asked for) a contract that names no e-invoice
    parties is a problem (``C226``) before anything is computed."""
    inputs = load_inputs(contract_path, event_paths, dialect=dialect)
    if inputs.ok and einvoice and inputs.contract is not None:
        inputs.problems.extend(_einvoice_parties(inputs.contract))
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


def _einvoice_parties(loaded: LoadedContract) -> list[Problem]:
    inv = loaded.contract.invoicing
    if inv is not None and inv.buyer is not None:
        return []  # the cross-checks (C225, C226) hold the rest
    return [Problem("C226", "an e-invoice (UBL, Finvoice) needs the contract's parties: give "
                    "invoicing.buyer (its address and references) and each provider's "
                    "vat_id, address and bank", loaded.source("invoicing" if inv else
                                                              "metadata"))]


class EInvoiceUnavailable(Exception):
    """An invoice that cannot be rendered as an e-invoice (exit code 1): issued without
    parties, or a summary of member invoices rendered whole; the message says why."""


EINVOICE_FORMATS = ("ubl", "finvoice")


def render_invoice(invoice: Invoice, fmt: str, *, lang: str | None = None,
                   member: str | None = None) -> str | bytes:
    """``invoice`` in ``fmt`` (json, csv, html, ubl, finvoice: text; xlsx: bytes); with
    ``member``, that member's own invoice out of a summary of member invoices. UBL and
    Finvoice need the ``einvoice`` extra (lxml), XLSX the ``xlsx`` extra (XlsxWriter)."""
    if member is not None:
        if not invoice.member_invoices:
            raise BillingError(f"--member: {invoice.number} is not a joint invoice summing "
                               "its members' own invoices")
        if member not in invoice.providers:
            raise BillingError(f"--member: '{member[:40]}' is not a member of "
                               f"{invoice.number} ({', '.join(invoice.providers)})")
        invoice = member_invoice(invoice, member)
    try:
        return _render(invoice, fmt, lang)
    except ImportError as exc:
        extra = "xlsx" if fmt == "xlsx" else "einvoice"
        raise BillingError(f"--format {fmt} needs the Python package {exc.name}: install "
                           f"rewardengine[{extra}]") from None
    except EInvoiceError as exc:
        raise EInvoiceUnavailable(str(exc)) from None


def _render(invoice: Invoice, fmt: str, lang: str | None) -> str | bytes:
    if fmt == "ubl":
        from .invoicing.ubl import invoice_ubl
        return invoice_ubl(invoice)
    if fmt == "finvoice":
        from .invoicing.finvoice import invoice_finvoice
        return invoice_finvoice(invoice)
    if fmt == "xlsx":
        from .invoicing.xlsx import invoice_xlsx
        return invoice_xlsx(invoice, lang or "fi")
    if fmt == "html":
        return invoice_html(invoice, lang)
    if fmt == "csv":
        return invoice_csv(invoice)
    if fmt == "json":
        return invoice_json(invoice)
    raise BillingError(f"unknown invoice format '{fmt[:20]}'")


def show_invoice(ledger_path: str, number: str) -> Invoice | None:
    """An issued invoice from the ledger, exactly as it was issued (``None``: no such one)."""
    try:
        return billing.show_invoice(ledger_path, number)
    except LedgerError as exc:
        raise BillingError(str(exc)) from None


def read_bill_file(bill_path: str, mapping: Sequence[str] | None = None,
                   dialect: Dialect = PLAIN) -> Bill:
    """A provider's bill, with every problem found reading it (``Bill.unreadable``)."""
    try:
        columns = parse_mapping(mapping)
    except MappingError as exc:
        raise BillingError(f"--map: {exc}") from None
    return read_bill(bill_path, columns, dialect)


def verify_bill(contract_path: str, event_paths: Sequence[str], bill: Bill,
                period: BillingPeriod, *, ledger_path: str | None,
                provider: str | None = None, joint: bool = False,
                dialect: Dialect = PLAIN) -> tuple[VerifyReport | None, Inputs]:
    """Class every line of ``bill`` against what the contract makes payable for ``period``
    (``None`` when the inputs have errors)."""
    inputs = load_inputs(contract_path, event_paths, dialect=dialect)
    if not inputs.ok:
        return None, inputs
    assert inputs.contract is not None
    try:
        report = billing.verify_bill(inputs.contract, inputs.events.events, bill, period,
                                     ledger_path=ledger_path, provider=provider, joint=joint)
    except (InvoicingError, LedgerError) as exc:
        raise BillingError(str(exc)) from None
    return report, inputs


# --- privacy ---------------------------------------------------------------------------------

class PrivacyError(Exception):
    """A key file or a mapping that cannot be used; the message never holds the key."""


def read_pseudonym_key(path: str) -> bytes:
    """The shared secret of ``pseudonymize`` (at least 32 bytes; see docs/events.md)."""
    try:
        return read_key(path)
    except KeyFileError as exc:
        raise PrivacyError(str(exc)) from None


def pseudonymize_file(path: str, out: BinaryIO | None, *, key: bytes | None,
                      bill: bool = False, mapping: Sequence[str] | None = None,
                      dialect: Dialect = PLAIN) -> list[Problem]:
    """Write an event file or a bill to ``out`` with every customer id replaced by its keyed
    pseudonym, every other byte as it was; without a key only look for ids that look
    personal (``E015``/``E016``). The problems say what was found (errors: nothing usable
    was written)."""
    try:
        mapped = parse_mapping(mapping).get("customer")
    except MappingError as exc:
        raise PrivacyError(f"--map: {exc}") from None
    columns = ((mapped,) if mapped else ()) + BILL_KEYS
    problems = rewrite_file(path, out, key=key, bill=bill, columns=columns,
                            encoding=dialect.encoding, delimiter=dialect.delimiter,
                            max_json_bytes=MAX_BILL_BYTES)
    if dialect.encoding is not None and not has_errors(problems):
        problems.append(Problem("F005", f"read as {dialect.encoding} (named with --encoding)",
                                Source(path)))
    return problems


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
    "CLASSES",
    "EINVOICE_FORMATS",
    "PLAIN",
    "Bill",
    "BillingError",
    "BillingPeriod",
    "ComponentView",
    "Dialect",
    "DialectError",
    "EInvoiceUnavailable",
    "Evaluation",
    "ExampleResult",
    "Explanation",
    "Inputs",
    "Invoice",
    "IssueResult",
    "Line",
    "PrivacyError",
    "VerifyReport",
    "billing_period",
    "class_label",
    "contract_schema",
    "explain_customer",
    "invoice_csv",
    "invoice_html",
    "invoice_json",
    "issue_invoice",
    "load_inputs",
    "make_dialect",
    "pseudonymize_file",
    "read_bill_file",
    "read_pseudonym_key",
    "render_invoice",
    "report_html",
    "report_json",
    "run_evaluation",
    "show_invoice",
    "test_contract",
    "verify_bill",
]
# the ledger's own commands (``ledger check``, ``ledger export``)
__all__ += ["ExportFormat", "LedgerReport", "check_ledger", "export_ledger"]
