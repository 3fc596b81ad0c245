"""Bill verification: read a provider's bill and class every line against the computed invoice.

Every bill line is one of ``match``, ``amount_differs`` (both amounts and the reason),
``not_payable`` (the rule that denies it, with its clause) or ``duplicate`` (already invoiced,
or repeated in the bill); every payable line the bill leaves out is ``underbilled``. The bill is
right only when every line matches, nothing is underbilled and every row could be read.

A bill is CSV (a header row) or JSON (the invoice JSON ``rewardengine invoice`` writes, a list
of objects, or an object with a ``lines`` list). It needs a customer (empty for a
contract-level line such as a capacity fee), a component, an occurrence or a date, and an
amount; other columns are ignored. Other column names are mapped
with ``customer=asiakas,amount=summa`` (``--map``), see docs/invoicing.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic_core import PydanticCustomError

from ..errors import Problem, Source
from ..evaluate.engine import Evaluation
from ..evaluate.lines import Line
from ..values import money_text, parse_date, round_cents
from .invoice import ZERO, Invoice, Key, Note, PriorState, line_provider
from .periods import BillingPeriod

FIELDS = ("customer", "component", "occurrence", "date", "amount", "provider", "type")
REQUIRED = ("customer", "component", "amount")
# names accepted without a mapping, per field (the invoice CSV's own names come first)
DEFAULT_NAMES: dict[str, tuple[str, ...]] = {
    "customer": ("customer_id", "customer"),
    "component": ("component",),
    "occurrence": ("occurrence",),
    "date": ("date",),
    "amount": ("amount",),
    "provider": ("provider",),
    "type": ("type",),
}
# rows that state the bill's sums rather than an earning: checked against the lines
TOTAL_TYPES = ("subtotal", "vat", "total")
MAX_BILL_BYTES = 50_000_000
_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")
_NEUTRALISED = re.compile(r"^'[=+\-@\t\r]")

Class = Literal["match", "amount_differs", "not_payable", "duplicate", "underbilled"]
CLASSES: tuple[Class, ...] = ("match", "amount_differs", "not_payable", "duplicate",
                              "underbilled")


class MappingError(ValueError):
    """A ``--map`` option written wrongly."""


def parse_mapping(specs: str | Sequence[str] | None) -> dict[str, str]:
    """``"customer=asiakas,amount=summa"`` (or several such strings) -> field -> column."""
    if specs is None:
        return {}
    items = [specs] if isinstance(specs, str) else list(specs)
    out: dict[str, str] = {}
    for spec in items:
        for part in spec.split(","):
            if not part.strip():
                continue
            name, sep, column = part.partition("=")
            name, column = name.strip().lower(), column.strip()
            if not sep or not column:
                raise MappingError(f"'{part.strip()[:40]}' is not FIELD=COLUMN "
                                   "(e.g. customer=asiakas)")
            if name not in FIELDS:
                raise MappingError(f"unknown bill field '{name[:40]}'; fields are "
                                   f"{', '.join(FIELDS)}")
            if name in out and out[name] != column:
                raise MappingError(f"field '{name}' is mapped twice")
            out[name] = column
    return out


# --- reading a bill ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BillLine:
    row: int
    customer_id: str
    component: str
    occurrence: str | None
    date: date | None
    amount: Decimal
    provider: str | None = None
    type: str | None = None


@dataclass
class Bill:
    file: str
    lines: list[BillLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # the sums the bill states (subtotal / vat / total rows): type -> (row, amount)
    stated: dict[str, tuple[int | None, Decimal]] = field(default_factory=dict)

    @property
    def unreadable(self) -> bool:
        """The bill as a whole could not be read (no file, no required columns)."""
        return any(p.code in ("B001", "B005") for p in self.problems)

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)


def _unescape(text: str) -> str:
    """Undo the spreadsheet neutralisation (a leading apostrophe before = + - @)."""
    text = text.strip()
    return text[1:] if _NEUTRALISED.match(text) else text


def parse_amount(text: str) -> Decimal | None:
    """``150.00``, ``-12.5``, ``1 234,50`` (spaces and a decimal comma allowed); else None."""
    value = _unescape(text)
    for ch in (" ", "\u00a0", "\u202f", "€"):
        value = value.replace(ch, "")
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    if value.startswith("\u2212"):  # a typographic minus
        value = "-" + value[1:]
    if not _AMOUNT.match(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _columns(names: Iterable[str], mapping: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """field -> the column it is read from; and the problems (as messages)."""
    present = list(names)
    out: dict[str, str] = {}
    missing: list[str] = []
    for name in FIELDS:
        if name in mapping:
            if mapping[name] in present:
                out[name] = mapping[name]
            else:
                missing.append(f"column '{mapping[name][:40]}' (mapped to {name}) is not in "
                               "the bill")
            continue
        found = next((c for c in DEFAULT_NAMES[name] if c in present), None)
        if found is not None:
            out[name] = found
        elif name in REQUIRED:
            missing.append(f"no {name} column (looked for "
                           f"{', '.join(DEFAULT_NAMES[name])}; map another with "
                           f"--map {name}=COLUMN)")
    if "occurrence" not in out and "date" not in out and not any(
            "(mapped to occurrence)" in m or "(mapped to date)" in m for m in missing):
        missing.append("no occurrence or date column: a bill line needs one to be matched")
    return out, missing


def _bill_line(raw: dict[str, Any], columns: dict[str, str], src: Source
               ) -> tuple[BillLine | None, list[Problem]]:
    def cell(name: str) -> str:
        column = columns.get(name)
        value = raw.get(column) if column is not None else None
        return "" if value is None else _unescape(str(value))

    kind = cell("type").lower() or None
    problems: list[Problem] = []
    if kind in TOTAL_TYPES:
        stated = parse_amount(cell("amount")) if cell("amount") else None
        if stated is None:
            return None, [Problem("B002", f"the {kind} row has no readable amount", src)]
        return BillLine(src.row or 0, "", kind, None, None, stated, type=kind), []
    for name in ("component", "amount"):  # no customer: a contract line (capacity fee)
        if not cell(name):
            problems.append(Problem("B004", f"no {name} on this bill line", src))
    occurrence = cell("occurrence") or None
    day: date | None = None
    if cell("date"):
        try:
            day = parse_date(cell("date"))
        except PydanticCustomError:
            problems.append(Problem("B003", f"date '{cell('date')[:40]}' is not written "
                                    "YYYY-MM-DD", src))
    if occurrence is None and day is None and not any(p.code == "B003" for p in problems):
        problems.append(Problem("B004", "a bill line needs an occurrence or a date", src))
    amount = parse_amount(cell("amount")) if cell("amount") else None
    if cell("amount") and amount is None:
        problems.append(Problem("B002", f"amount '{cell('amount')[:40]}' is not an amount "
                                "like 150.00", src))
    if problems or amount is None:
        return None, problems
    return BillLine(row=src.row or 0, customer_id=cell("customer"),
                    component=cell("component"), occurrence=occurrence, date=day,
                    amount=amount, provider=cell("provider") or None, type=kind), []


def _read_rows(rows: Iterator[tuple[int, dict[str, Any]]], names: list[str], file: str,
               mapping: dict[str, str], per_row: bool = False) -> Bill:
    """``per_row``: JSON objects may each name a field differently (customer_id/customer)."""
    bill = Bill(file)
    columns, missing = _columns(names, mapping)
    if missing:
        bill.problems.extend(Problem("B001", m, Source(file, row=1)) for m in missing)
        return bill
    for row, raw in rows:
        own = {**columns, **_columns(raw, mapping)[0]} if per_row else columns
        line, problems = _bill_line(raw, own, Source(file, row=row))
        bill.problems.extend(problems)
        if line is not None and line.type in TOTAL_TYPES:
            bill.stated[line.type] = (row, line.amount)
        elif line is not None:
            bill.lines.append(line)
    return bill


def read_bill_csv(text: str, file: str, mapping: dict[str, str] | None = None) -> Bill:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return Bill(file, problems=[Problem("B005", "the bill is empty", Source(file))])
    except csv.Error as exc:
        return Bill(file, problems=[Problem("B005", f"unreadable CSV: {exc}", Source(file))])
    header = [_unescape(h) for h in header]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for i, cells in enumerate(reader, start=2):
            if cells and any(c.strip() for c in cells):
                yield i, dict(zip(header, cells, strict=False))

    try:
        return _read_rows(rows(), header, file, mapping or {})
    except csv.Error as exc:
        return Bill(file, problems=[Problem("B005", f"unreadable CSV: {exc}", Source(file))])


def _json_rows(data: Any) -> list[dict[str, Any]] | None:
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict)]
    if isinstance(data, dict) and isinstance(data.get("sections"), list):  # an invoice
        out: list[dict[str, Any]] = []
        for section in data["sections"]:
            for kind in ("lines", "corrections"):
                for r in section.get(kind, []):
                    out.append({**r, "type": "line" if kind == "lines" else "correction"})
        return out
    if isinstance(data, dict) and isinstance(data.get("lines"), list):
        return [r for r in data["lines"] if isinstance(r, dict)]
    return None


def read_bill_json(text: str, file: str, mapping: dict[str, str] | None = None) -> Bill:
    try:
        data = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, RecursionError) as exc:
        return Bill(file, problems=[Problem("B005", f"invalid JSON: "
                                            f"{getattr(exc, 'msg', exc)}", Source(file))])
    rows = _json_rows(data)
    if rows is None:
        return Bill(file, problems=[Problem(
            "B005", "a JSON bill is a list of line objects, an object with 'lines', or an "
            "invoice written by rewardengine", Source(file))])
    names = sorted({k for r in rows for k in r}) if rows else list(
        (mapping or {}).values()) or [n[0] for n in DEFAULT_NAMES.values()]
    bill = _read_rows(((i, r) for i, r in enumerate(rows, start=1)), names, file,
                      mapping or {}, per_row=True)
    if isinstance(data, dict):  # an invoice or {"lines": ...} may state its sums
        for kind in TOTAL_TYPES:
            value = data.get(kind)
            if value is not None:
                amount = parse_amount(str(value))
                if amount is None:
                    bill.problems.append(Problem("B002", f"the bill's {kind} '{value}' is "
                                                 "not an amount", Source(file)))
                else:
                    bill.stated[kind] = (None, amount)
    return bill


def read_bill(path: str, mapping: dict[str, str] | None = None) -> Bill:
    """Read a CSV or JSON bill file (by extension, else by its first character)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BILL_BYTES + 1)
    except OSError as exc:
        return Bill(path, problems=[Problem("B005", f"cannot read file: "
                                            f"{exc.strerror or exc}", Source(path))])
    if len(raw) > MAX_BILL_BYTES:
        return Bill(path, problems=[Problem("B005", "the bill is too large", Source(path))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Bill(path, problems=[Problem("B005", f"the bill is not UTF-8 (byte {exc.start})",
                                            Source(path))])
    lower = path.lower()
    as_json = lower.endswith(".json") or (not lower.endswith(".csv")
                                          and text.lstrip().startswith(("[", "{")))
    return read_bill_json(text, path, mapping) if as_json else read_bill_csv(text, path,
                                                                             mapping)


# --- classing ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Finding:
    cls: Class
    row: int | None  # the bill row; None for an underbilled line
    provider: str | None
    customer_id: str
    component: str
    occurrence: str | None
    date: date | None
    billed: Decimal | None
    computed: Decimal | None
    reason: str
    clause: str | None = None
    evidence: tuple[str, ...] = ()
    ref: str | None = None  # the invoice line it is, corrects, or repeats

    @property
    def difference(self) -> Decimal:
        return (self.billed or ZERO) - (self.computed or ZERO)

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.cls, "row": self.row, "provider": self.provider,
            "customer_id": self.customer_id, "component": self.component,
            "occurrence": self.occurrence,
            "date": self.date.isoformat() if self.date else None,
            "billed": money_text(self.billed) if self.billed is not None else None,
            "computed": money_text(self.computed) if self.computed is not None else None,
            "difference": money_text(self.difference), "reason": self.reason,
            "clause": self.clause, "evidence": list(self.evidence), "ref": self.ref,
        }


@dataclass(frozen=True)
class VerifyReport:
    contract_id: str
    contract_version: str
    contract_sha256: str
    period: BillingPeriod
    as_of: date
    providers: tuple[str, ...]
    ledger: str  # what the bill was compared against, in words
    bill_file: str
    expected_number: str
    findings: tuple[Finding, ...]
    billed_total: Decimal
    computed_total: Decimal
    problems: tuple[Problem, ...] = ()

    @property
    def difference(self) -> Decimal:
        return self.billed_total - self.computed_total

    @property
    def ok(self) -> bool:
        return not self.problems and all(f.cls == "match" for f in self.findings)

    def count(self, cls: Class) -> int:
        return sum(f.cls == cls for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "contract": {"id": self.contract_id, "version": self.contract_version,
                         "sha256": self.contract_sha256},
            "period": self.period.to_dict(), "as_of": self.as_of.isoformat(),
            "providers": list(self.providers), "ledger": self.ledger, "bill": self.bill_file,
            "expected_invoice": self.expected_number,
            "findings": [f.to_dict() for f in self.findings],
            "counts": {c: self.count(c) for c in CLASSES},
            "totals": {"billed": money_text(self.billed_total),
                       "computed": money_text(self.computed_total),
                       "difference": money_text(self.difference)},
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(frozen=True, slots=True)
class _Expected:
    provider: str
    key: Key
    amount: Decimal
    date: date | None
    reason: str
    clause: str
    evidence: tuple[str, ...]
    ref: str
    before: Decimal | None = None  # for a correction: invoiced so far
    now: Decimal | None = None


def _expected(invoice: Invoice) -> dict[tuple[str, Key], _Expected]:
    out: dict[tuple[str, Key], _Expected] = {}
    for ln in invoice.lines:
        out[(ln.provider, ln.key)] = _Expected(
            ln.provider, ln.key, ln.amount, ln.date, ln.reason, ln.clause, ln.evidence,
            f"{invoice.number}/{ln.no}")
    for c in invoice.corrections:
        out[(c.provider, c.key)] = _Expected(
            c.provider, c.key, c.amount, c.date, c.reason, c.clause, c.evidence,
            f"{invoice.number}/{c.no} (corrects {c.corrects})", c.invoiced_before, c.now)
    return out


def classify(bill: Bill, expected_invoice: Invoice, evaluation: Evaluation,
             prior: PriorState) -> VerifyReport:
    """Class every bill line against ``expected_invoice`` (computed for the same period and
    ledger state); pure."""
    loaded = evaluation.loaded
    providers = expected_invoice.providers
    expected = _expected(expected_invoice)
    uncorrected: dict[tuple[str, Key], Note] = {
        (n.provider, (n.customer_id or "", n.component, n.occurrence)): n
        for s in expected_invoice.sections for n in s.uncorrected}
    by_key: dict[Key, Line] = {}
    for ln in evaluation.all_lines():
        if ln.key not in by_key or ln.status == "payable":
            by_key[ln.key] = ln
    customers = {c.customer_id for c in evaluation.customers}
    matched: dict[tuple[str, Key], int] = {}
    findings: list[Finding] = []
    last_day = expected_invoice.period.last_day

    def resolve(bl: BillLine) -> tuple[str | None, Key | None]:
        provs = [bl.provider] if bl.provider else list(providers)
        if bl.occurrence is not None:
            key: Key = (bl.customer_id, bl.component, bl.occurrence)
            for p in provs:
                if (p, key) in expected or prior.entry(p, key) is not None:
                    return p, key
            return (provs[0] if provs else None), key
        # by date: an unmatched expected line first (the same amount preferred), then one
        # already invoiced, then any computed line
        same = [(p, e.key) for (p, k), e in expected.items()
                if p in provs and k[0] == bl.customer_id and k[1] == bl.component
                and e.date == bl.date and (p, k) not in matched]
        same.sort(key=lambda pk: expected[pk].amount != bl.amount)
        if same:
            return same[0]
        old = [(p, k) for (p, k), e in prior.entries.items()
               if p in provs and k[0] == bl.customer_id and k[1] == bl.component
               and e.date == bl.date]
        if old:
            return old[0]
        for ln in evaluation.all_lines():
            if (ln.customer_id or "") == bl.customer_id and ln.component == bl.component \
                    and ln.date == bl.date:
                return (provs[0] if provs else None), ln.key
        return (provs[0] if provs else None), None

    for bl in bill.lines:
        provider, key = resolve(bl)

        def emit(cls: Class, computed: Decimal | None, reason: str, *,
                 clause: str | None = None, evidence: tuple[str, ...] = (),
                 ref: str | None = None, when: date | None = None,
                 bl: BillLine = bl, provider: str | None = provider,
                 key: Key | None = key) -> None:
            if clause is None and loaded.contract.component(bl.component) is not None:
                clause = loaded.clause(bl.component)
            findings.append(Finding(
                cls, row=bl.row, provider=provider, customer_id=bl.customer_id,
                component=bl.component, occurrence=key[2] if key else bl.occurrence,
                date=bl.date or when, billed=bl.amount, computed=computed, reason=reason,
                clause=clause, evidence=evidence, ref=ref))

        if bl.provider is not None and bl.provider not in providers:
            emit("not_payable", None, f"provider {bl.provider} is not on this invoice "
                 f"(providers: {', '.join(providers)})")
            continue
        ident = (provider or "", key) if key is not None else None
        if ident is not None and ident in matched:
            emit("duplicate", ZERO, f"repeats bill row {matched[ident]} (the same customer, "
                 "component and occurrence)", ref=f"row {matched[ident]}")
            continue
        if ident is not None and ident in expected:
            matched[ident] = bl.row
            e = expected[ident]
            if bl.amount == e.amount:
                emit("match", e.amount, e.reason, clause=e.clause, evidence=e.evidence,
                     ref=e.ref, when=e.date)
                continue
            why = f"billed {money_text(bl.amount)}, computed {money_text(e.amount)}: {e.reason}"
            if e.before is not None and e.now is not None and bl.amount == e.now:
                why = (f"billed the full {money_text(e.now)} but {money_text(e.before)} was "
                       f"already invoiced, so {money_text(e.amount)} is due: {e.reason}")
            emit("amount_differs", e.amount, why, clause=e.clause, evidence=e.evidence,
                 ref=e.ref, when=e.date)
            continue
        if ident is not None and ident in uncorrected:
            matched[ident] = bl.row
            emit("not_payable", ZERO, uncorrected[ident].reason,
                 clause=loaded.clause(bl.component))
            continue
        entry = prior.entry(provider, key) if provider and key else None
        if ident is not None and entry is not None:
            matched[ident] = bl.row
            emit("duplicate", ZERO, f"already invoiced on {entry.invoice} line {entry.line} "
                 f"({money_text(entry.net)} so far) and unchanged since",
                 evidence=entry.evidence, ref=f"{entry.invoice}/{entry.line}", when=entry.date)
            continue
        if ident is not None:
            matched[ident] = bl.row
        reason, clause, evidence = _denial(
            bl, by_key.get(key) if key else None, provider=provider, last_day=last_day,
            customers=customers, evaluation=evaluation)
        emit("not_payable", ZERO, reason, clause=clause, evidence=evidence)
    for ident, e in expected.items():
        if ident in matched:
            continue
        findings.append(Finding(
            "underbilled", row=None, provider=e.provider, customer_id=e.key[0],
            component=e.key[1], occurrence=e.key[2], date=e.date, billed=None,
            computed=e.amount, reason=f"payable but not on the bill: {e.reason}",
            clause=e.clause, evidence=e.evidence, ref=e.ref))
    return VerifyReport(
        contract_id=loaded.contract.metadata.id,
        contract_version=loaded.contract.metadata.version, contract_sha256=loaded.sha256,
        period=expected_invoice.period, as_of=evaluation.as_of, providers=providers,
        ledger="", bill_file=bill.file, expected_number=expected_invoice.number,
        findings=tuple(findings), billed_total=bill.total,
        computed_total=expected_invoice.subtotal,
        problems=(*bill.problems, *_stated_sums(bill, expected_invoice.vat_rate)))


def _stated_sums(bill: Bill, vat_rate: Decimal) -> list[Problem]:
    """The subtotal, VAT and total a bill states must follow from its own lines: the total
    is what gets paid, so a sum that does not add up makes the bill wrong (B006)."""
    subtotal = bill.total
    vat = round_cents(subtotal * vat_rate)
    due = {"subtotal": subtotal, "vat": vat, "total": subtotal + vat}
    how = {"subtotal": "its lines add up to", "vat": f"VAT {vat_rate} of its lines is",
           "total": "its lines plus VAT make"}
    out = []
    for kind in TOTAL_TYPES:
        if kind in bill.stated:
            row, amount = bill.stated[kind]
            if amount != due[kind]:
                out.append(Problem(
                    "B006", f"the bill's {kind} says {money_text(amount)} but "
                    f"{how[kind]} {money_text(due[kind])}", Source(bill.file, row=row)))
    return out


def _denial(bl: BillLine, line: Line | None, *, provider: str | None, last_day: date,
            customers: set[str], evaluation: Evaluation
            ) -> tuple[str, str | None, tuple[str, ...]]:
    """Why a billed line is not payable: (reason, clause, evidence)."""
    loaded = evaluation.loaded
    as_of = evaluation.as_of
    comp = loaded.contract.component(bl.component)
    clause = loaded.clause(bl.component) if comp is not None else None
    if line is not None:
        owner = line_provider(loaded, line)
        if line.status == "pending":
            return f"not payable yet: {line.reason}", line.clause, line.evidence
        if line.status == "not_earned":
            return f"not earned: {line.reason}", line.clause, line.evidence
        if owner != provider:
            return (f"earned by provider {owner}, not {provider}: {line.reason}", line.clause,
                    line.evidence)
        if line.date is not None and line.date > last_day:
            return (f"accrues on {line.date}, after the period ends on {last_day}: "
                    f"{line.reason}", line.clause, line.evidence)
        if line.amount == 0:
            return f"nothing is payable: {line.cap or line.reason}", line.clause, line.evidence
    if comp is None:
        known = ", ".join(c.id for c in loaded.contract.components)
        return f"the contract has no component '{bl.component}' (it has {known})", None, ()
    if not bl.customer_id:
        what = f"'{bl.occurrence}'" if bl.occurrence is not None else f"dated {bl.date}"
        return (f"no contract-level {bl.component} earning {what} as of {as_of} (a line "
                "without a customer)"), clause, ()
    if bl.customer_id not in customers:
        return f"no events for customer {bl.customer_id} recorded by {as_of}", clause, ()
    computed = sorted((ln for ln in evaluation.all_lines()
                       if (ln.customer_id or "") == bl.customer_id
                       and ln.component == bl.component), key=lambda ln: ln.occurrence)
    what = f"'{bl.occurrence}'" if bl.occurrence is not None else f"dated {bl.date}"
    if computed:
        shown = "; ".join(f"{ln.occurrence} {ln.status.replace('_', ' ')}: {ln.reason}"
                          for ln in computed[:3])
        more = f" (and {len(computed) - 3} more)" if len(computed) > 3 else ""
        known_text = f"; what it computes: {shown}{more}"
    else:
        known_text = "; the component computes nothing for this customer"
    return (f"no {bl.component} earning {what} for customer {bl.customer_id} as of {as_of}"
            f"{known_text}", clause, tuple(sorted({e for ln in computed[:3]
                                                   for e in ln.evidence})))
