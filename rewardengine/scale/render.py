"""Evaluation outputs written as customers stream by, the same bytes as written whole.

- ``json``: the document ``canonical_json(evaluation.to_dict())``, byte for byte. Each
  customer is written as its element of the ``customers`` list, indented as there; the head
  (``as_of``, ``contract``, ``contract_lines``) and the tail (``problems``, ``totals``) are
  written once every customer is known.
- ``jsonl``: one JSON object per line, keys sorted, no spaces: first
  ``{"record": "evaluation", "as_of", "contract"}``, then each contract line
  (``"record": "contract_line"``), each customer (``"record": "customer"``, the same keys as
  in ``json``), each customer problem (``"record": "problem"``), and last the totals
  (``"record": "totals"``).
- ``csv``: the rows of ``evaluate --format csv``: a header, then every line, contract lines
  first.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from typing import IO, Any

from ..contract.load import LoadedContract
from ..csvsafe import safe_cell
from ..engine import CustomerResult
from ..errors import Problem
from ..evaluate.lines import Line, Totals
from ..jsonout import canonical_json
from ..values import money_text

FORMATS = ("json", "jsonl", "csv")
CSV_COLUMNS = (
    "customer_id", "segment", "provider", "component", "kind", "status", "occurrence", "date",
    "period_start", "period_end", "quantity", "unit_price", "amount", "currency", "uncapped",
    "cap", "evidence", "clause", "reason",
)
_INDENT = "    "  # a customer's place in the document: inside "customers": [ ... ]
_SLOT = "\u0000slot\u0000"


def customer_element(result: CustomerResult) -> str:
    """A customer as an element of the document's ``customers`` list."""
    text = json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=False)
    return _INDENT + text.replace("\n", "\n" + _INDENT)


def jsonl_record(record: str, data: dict[str, Any]) -> str:
    return json.dumps({"record": record, **data}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")) + "\n"


def csv_rows(lines: Iterable[Line], currency: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for ln in lines:
        writer.writerow([safe_cell(v) for v in (
            ln.customer_id or "", ln.segment or "", ln.provider or "", ln.component, ln.kind,
            ln.status, ln.occurrence, ln.date.isoformat() if ln.date else "",
            ln.period_start.isoformat() if ln.period_start else "",
            ln.period_end.isoformat() if ln.period_end else "", str(ln.quantity),
            money_text(ln.unit_price), money_text(ln.amount), currency,
            money_text(ln.uncapped) if ln.uncapped is not None else "", ln.cap or "",
            " ".join(ln.evidence), ln.clause, ln.reason)])
    return out.getvalue()


def csv_header() -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([safe_cell(h) for h in CSV_COLUMNS])
    return out.getvalue()


class Renderers:
    """A shard's customers written in each format asked for, one file per format."""

    def __init__(self, loaded: LoadedContract, formats: Sequence[str], folder: str,
                 index: int, suffix: str = "") -> None:
        self.currency = loaded.contract.metadata.currency
        self.files = {f: os.path.join(folder, f"{f}-{index}{suffix}.part") for f in formats}
        self.handles: dict[str, IO[str]] = {
            f: open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            for f, path in self.files.items()}
        self.first = True

    def customer(self, index: int, result: CustomerResult) -> None:
        for fmt, fh in self.handles.items():
            if fmt == "json":
                fh.write(("" if self.first else ",\n") + customer_element(result))
            elif fmt == "jsonl":
                fh.write(jsonl_record("customer", result.to_dict()))
            else:
                fh.write(csv_rows(result.lines, self.currency))
        self.first = False

    def skip(self, index: int) -> None:
        """A customer evaluated for the ceiling but not shown (``--customer``)."""

    def close(self) -> None:
        for fh in self.handles.values():
            fh.close()


# --- the parts written once every customer is known --------------------------------------

def document_head_tail(head: dict[str, Any], problems: list[Problem], totals: Totals
                       ) -> tuple[str, str, str]:
    """The JSON document around its customers: (before the first customer, between the
    customers and the problems, after them), for a document with customers."""
    doc = {**head, "customers": _SLOT, "problems": [p.to_dict() for p in problems],
           "totals": totals.to_dict()}
    text = canonical_json(doc)
    before, _, after = text.partition(json.dumps(_SLOT))
    return before + "[\n", "\n  ]", after


def write_document(out: IO[str], head: dict[str, Any], parts: Sequence[str],
                   problems: list[Problem], totals: Totals) -> None:
    """The whole JSON document, its customers copied from the shards' ``parts``."""
    nonempty = [p for p in parts if os.path.getsize(p) > 0]
    if not nonempty:
        out.write(canonical_json({**head, "customers": [],
                                  "problems": [p.to_dict() for p in problems],
                                  "totals": totals.to_dict()}))
        return
    before, between, after = document_head_tail(head, problems, totals)
    out.write(before)
    for n, path in enumerate(nonempty):
        if n:
            out.write(",\n")
        _copy(path, out)
    out.write(between + after)


def write_jsonl(out: IO[str], head: dict[str, Any], parts: Sequence[str],
                problems: list[Problem], totals: Totals) -> None:
    out.write(jsonl_record("evaluation", {"as_of": head["as_of"],
                                          "contract": head["contract"]}))
    for line in head["contract_lines"]:
        out.write(jsonl_record("contract_line", line))
    for path in parts:
        _copy(path, out)
    for p in problems:
        out.write(jsonl_record("problem", p.to_dict()))
    out.write(jsonl_record("totals", totals.to_dict()))


def write_csv(out: IO[str], contract_lines: list[Line], currency: str,
              parts: Sequence[str]) -> None:
    out.write(csv_header())
    out.write(csv_rows(contract_lines, currency))
    for path in parts:
        _copy(path, out)


def _copy(path: str, out: IO[str]) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                return
            out.write(chunk)
