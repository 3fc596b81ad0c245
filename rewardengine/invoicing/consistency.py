"""The ledger's rows held against each other: what makes a ledger whole.

- Every invoice's stored document matches its sha256, reads as an invoice, and says what the
  invoice's row and its line and correction rows say (``L006``): the rows the engine bills
  from are the rows of the document that was issued.
- Every invoice is a link of the hash chain, ``sha256(previous link + document sha256)`` in
  ledger order (``L007``), so no issued invoice can be changed or taken out unnoticed.
- Numbers run 1, 2, 3, ... per contract and series, with no gap and no repeat (``L008``).
- Lines and corrections fit together (``L009``): every row belongs to an invoice of its
  contract and provider, an identity is billed on one line, and a correction corrects a line
  of the same identity invoiced before it.

Messages name tables, invoices, lines and columns, never the customer data in them.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..codec import CodecError
from ..errors import Problem, Source
from ..values import money_text
from .invoice import Invoice
from .ledgerfile import CHAIN_START, chain_next
from .stored import Stored, StoredInvoice, StoredLine, rows_sha256


def check(stored: Stored, *, chained: bool, full: bool = True) -> list[Problem]:
    """Every problem of ``stored`` (read for the whole ledger or for one contract). Not
    ``full`` (in a chained ledger, before each use): each document is held against its
    sha256 only, and its rows against their seal in the chain, rather than each document
    read and held against its rows — the same guarantee, without reading every document."""
    found = documents(stored) if full or not chained else document_hashes(stored)
    return [*found, *numbering(stored), *fitting(stored), *(chain(stored) if chained else [])]


def _problem(stored: Stored, code: str, message: str) -> Problem:
    return Problem(code, message, Source(stored.path))


# --- documents -------------------------------------------------------------------------------

def documents(stored: Stored) -> list[Problem]:
    """Each read document against its hash and its rows."""
    rows: dict[int, list[StoredLine]] = defaultdict(list)
    for line in stored.lines:
        rows[line.invoice_id].append(line)
    return [_problem(stored, "L006", f"invoice {inv.number}: {what}")
            for inv in stored.invoices if inv.document is not None
            for what in _document(inv, rows[inv.id], {
                (table, no) for table, invoice_id, no in stored.unreadable_lines
                if invoice_id == inv.id})]


_CHANGED = "the stored document does not match its sha256 (it was changed after it was issued)"


def document_hashes(stored: Stored) -> list[Problem]:
    """Each read document against its sha256 only."""
    return [_problem(stored, "L006", f"invoice {inv.number}: {_CHANGED}")
            for inv in stored.invoices if inv.document is not None
            and hashlib.sha256(inv.document.encode("utf-8")).hexdigest() != inv.document_sha256]


def _document(inv: StoredInvoice, rows: list[StoredLine], unreadable: set[tuple[str, object]]
              ) -> list[str]:
    assert inv.document is not None
    if hashlib.sha256(inv.document.encode("utf-8")).hexdigest() != inv.document_sha256:
        return [_CHANGED]
    try:
        data = json.loads(inv.document)
        doc = Invoice.from_dict(data)
    except CodecError as exc:  # says where: "sections[0].lines[0].amount: not a number"
        where = str(exc)[:80]
        if where.endswith("not a number"):
            return [f"the stored document holds an amount that is not a number ({where})"]
        return [f"the stored document cannot be read as an invoice ({where})"]
    except ValueError as exc:
        return [f"the stored document is not valid JSON ({str(exc).split(':')[0]})"
                if isinstance(exc, json.JSONDecodeError)
                else "the stored document cannot be read as an invoice"]
    except (KeyError, TypeError, AttributeError, ArithmeticError, IndexError):
        return ["the stored document cannot be read as an invoice"]
    return [*_header_differences(inv, doc), *_money_differences(inv, doc, data),
            *_line_differences(doc, rows, unreadable)]


def _header_differences(inv: StoredInvoice, doc: Invoice) -> list[str]:
    pairs = {
        "number": (inv.number, doc.number), "contract_id": (inv.contract_id, doc.contract_id),
        "series": (inv.series, doc.series), "seq": (inv.seq, doc.seq),
        "providers": (inv.providers, doc.providers), "period": (inv.period, doc.period),
        "as_of": (inv.as_of, doc.as_of), "issue_date": (inv.issue_date, doc.issue_date),
        "contract_version": (inv.contract_version, doc.contract_version),
        "contract_sha256": (inv.contract_sha256, doc.contract_sha256),
        "inputs_sha256": (inv.inputs_sha256, doc.inputs_sha256),
        "engine_version": (inv.engine_version, doc.engine_version)}
    return [f"the invoices row's {name} differs from the stored document's"
            for name, (row, document) in pairs.items() if row != document]


def _amounts(doc: Invoice) -> Iterable[Decimal]:
    yield doc.vat_rate
    for s in doc.sections:
        for ln in s.lines:
            yield from (ln.quantity, ln.unit_price, ln.amount)
        for c in s.corrections:
            yield from (c.invoiced_before, c.now, c.amount)
        yield from (n.amount for n in (*s.pending, *s.uncorrected))


def _money_differences(inv: StoredInvoice, doc: Invoice, data: dict[str, Any]) -> list[str]:
    if not all(isinstance(a, Decimal) and a.is_finite() for a in _amounts(doc)):
        return ["the stored document holds an amount that is not a number"]
    out = []
    for name, row, computed in (("subtotal", inv.subtotal, doc.subtotal),
                                ("vat", inv.vat, doc.vat), ("total", inv.total, doc.total)):
        if data.get(name) != money_text(computed):
            out.append(f"the stored document's {name} does not follow from its lines")
        elif row != computed:
            out.append(f"column {name} says {money_text(row)} but the stored document "
                       f"{money_text(computed)}")
    return out


def _line_differences(doc: Invoice, rows: list[StoredLine],
                      unreadable: set[tuple[str, object]]) -> list[str]:
    """Rows against the document's lines; a row left out as unreadable (L005) is not
    reported again."""
    stated: dict[tuple[str, int], tuple[object, ...]] = {}
    for ln in doc.lines:
        stated[("invoice_lines", ln.no)] = (ln.provider, ln.customer_id or "", ln.component,
                                            ln.occurrence, ln.date, ln.amount, ln.evidence)
    for c in doc.corrections:
        stated[("corrections", c.no)] = (c.provider, c.customer_id or "", c.component,
                                         c.occurrence, c.date, c.amount, c.evidence,
                                         (c.corrects_invoice, c.corrects_line))
    held: dict[tuple[str, int], tuple[object, ...]] = {}
    for r in rows:
        fields: tuple[object, ...] = (r.provider, r.customer_id, r.component, r.occurrence,
                                      r.accrued, r.amount, r.evidence)
        if r.corrects_invoice_id is not None:
            fields += ((r.corrects_invoice, r.corrects_line),)
        held[(r.table, r.line_no)] = fields
    out = []
    for key in sorted(stated.keys() | held.keys()):
        table, no = key
        if key in unreadable:
            continue
        if key not in held:
            out.append(f"line {no} of the stored document has no row in {table}")
        elif key not in stated:
            out.append(f"{table} line {no} is not in the stored document")
        elif held[key] != stated[key]:
            names = ("provider", "customer_id", "component", "occurrence", "accrued", "amount",
                     "evidence", "corrects")
            differ = [n for n, a, b in zip(names, held[key], stated[key], strict=False)
                      if a != b]
            out.append(f"{table} line {no} differs from the stored document in "
                       f"{', '.join(differ)}")
    return out


# --- numbering, fitting, chain ----------------------------------------------------------------

def numbering(stored: Stored) -> list[Problem]:
    """Per contract and series, in ledger order: 1, 2, 3, ... and numbers that say so."""
    series: dict[tuple[str, str], list[StoredInvoice]] = defaultdict(list)
    for inv in stored.invoices:
        series[(inv.contract_id, inv.series)].append(inv)
    out: list[Problem] = []
    if stored.unreadable:
        return out  # an invoice left out would show as a gap: fix its values first (L005)
    for invoices in series.values():
        for expected, inv in enumerate(invoices, start=1):
            if inv.seq != expected:
                out.append(_problem(stored, "L008", f"invoice {inv.number} has sequence "
                                    f"{inv.seq} where {expected} comes next in its series"))
                break  # one gap or repeat shifts every later number: report it once
        for inv in invoices:
            if not inv.number.endswith(f"-{inv.series}-{inv.seq:04d}"):
                out.append(_problem(stored, "L008", f"invoice {inv.number} does not end with "
                                    f"its series and sequence ({inv.series}, {inv.seq})"))
    return out


def fitting(stored: Stored) -> list[Problem]:
    """Lines and corrections against their invoices and each other."""
    by_id = {inv.id: inv for inv in stored.invoices}
    originals = {(ln.invoice_id, ln.line_no): ln for ln in stored.lines
                 if ln.table == "invoice_lines"}
    # rows of an invoice left out (L005) are not held against it again
    lines = [ln for ln in stored.lines if ln.invoice_id not in stored.unreadable]
    billed: dict[tuple[str, ...], StoredLine] = {}
    numbered: set[tuple[int, int]] = set()
    out = []
    for ln in lines:
        what = _misfit(ln, by_id.get(ln.invoice_id), billed, originals, numbered,
                       stored.unreadable_lines)
        if what:
            out.append(_problem(stored, "L009", f"{ln.where}: {what}"))
    return out


def _misfit(ln: StoredLine, inv: StoredInvoice | None, billed: dict[tuple[str, ...],
            StoredLine], originals: dict[tuple[int, int], StoredLine],
            numbered: set[tuple[int, int]], unreadable: set[tuple[str, int, int]]
            ) -> str | None:
    if inv is None:
        return ("belongs to no invoice" if not ln.invoice
                else "its invoice is of another contract than the row says")
    if ln.contract_id != inv.contract_id:
        return "its contract_id differs from its invoice's"
    if ln.provider not in inv.providers:
        return "its provider is not one of its invoice's providers"
    if (ln.invoice_id, ln.line_no) in numbered:
        return "its line number is used twice on the invoice"
    numbered.add((ln.invoice_id, ln.line_no))
    if ln.table == "invoice_lines":
        first = billed.setdefault(ln.identity, ln)
        return None if first is ln else f"bills an identity already billed on {first.where}"
    corrected = originals.get((ln.corrects_invoice_id or 0, ln.corrects_line or 0))
    if corrected is None and ("invoice_lines", ln.corrects_invoice_id,
                              ln.corrects_line) in unreadable:
        return None  # the line it corrects was left out, and reported (L005)
    if corrected is None:
        return f"corrects line {ln.corrects_line} of " \
               f"{ln.corrects_invoice or f'#{ln.corrects_invoice_id}'}, which is not an " \
               "invoice line of the ledger"
    if corrected.identity != ln.identity:
        return f"corrects {corrected.where}, which is another identity"
    if corrected.invoice_id >= ln.invoice_id:
        return f"corrects {corrected.where}, which is not an earlier invoice"
    return None


def chain(stored: Stored) -> list[Problem]:
    """Every invoice of the ledger, in ledger order, as a link of the hash chain; and the
    rows read of each invoice against the seal of its rows in its link."""
    out = []
    previous = CHAIN_START
    for link in stored.links:
        name = link.number or f"#{link.invoice_id}"
        if link.chain_sha256 is None or link.rows_sha256 is None:
            out.append(_problem(stored, "L007", f"invoice {name} has no link in the hash "
                                "chain"))
            continue
        expected = chain_next(previous, link.document_sha256, link.rows_sha256)
        if link.chain_sha256 != expected:
            out.append(_problem(stored, "L007", f"the hash chain breaks at invoice {name}: "
                                "its link does not follow from the one before, its "
                                "document's sha256 and the seal of its rows"))
        previous = link.chain_sha256  # report each break once
    for invoice_id in stored.orphan_links:
        out.append(_problem(stored, "L007", f"the hash chain has a link for invoice "
                            f"#{invoice_id}, which is not in the ledger (an invoice was "
                            "taken out)"))
    return out + _row_seals(stored)


def _row_seals(stored: Stored) -> list[Problem]:
    seals = {link.invoice_id: link.rows_sha256 for link in stored.links}
    rows: dict[int, list[tuple[str, object, str]]] = defaultdict(list)
    for inv in stored.invoices:
        rows[inv.id].append(("invoices", inv.id, inv.seal))
    for ln in stored.lines:
        rows[ln.invoice_id].append((ln.table, ln.line_no, ln.seal))
    damaged = {invoice_id for _, invoice_id, _ in stored.unreadable_lines}
    return [_problem(stored, "L006", f"invoice {inv.number}: its rows in invoices, "
                     "invoice_lines and corrections are not the ones it was issued with (they "
                     "do not match the seal in its link of the hash chain)")
            for inv in stored.invoices
            if inv.id not in damaged and seals.get(inv.id) is not None
            and rows_sha256(rows[inv.id]) != seals[inv.id]]


def head(stored: Stored) -> tuple[str, str] | None:
    """(number, link) of the last invoice: the value that identifies the whole ledger."""
    if not stored.links or stored.links[-1].chain_sha256 is None:
        return None
    last = stored.links[-1]
    return last.number, str(last.chain_sha256)
