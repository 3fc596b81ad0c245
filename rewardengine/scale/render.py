"""Evaluation outputs written as customers stream by, the same bytes as written whole.

- ``json``: the document ``canonical_json(evaluation.to_dict())``, byte for byte. Each
  customer is written as its element of the ``customers`` list, indented as there: its
  fields and its lines' fields written one by one in the order json sorts them
  (``customer_element``; a dict per line and json's sorting cost twice as much), strings
  escaped by json's own C function and amounts formatted once per value; the head
  (``as_of``, ``contract``, ``contract_lines``) and the tail (``problems``, ``totals``)
  are written once every customer is known. Tests hold each writer to json's bytes.
- ``jsonl``: one JSON object per line, keys sorted, no spaces: first
  ``{"record": "evaluation", "as_of", "contract"}``, then each contract line
  (``"record": "contract_line"``), each customer (``"record": "customer"``, the same keys as
  in ``json``), each customer problem (``"record": "problem"``), and last the totals
  (``"record": "totals"``).
- ``csv``: the rows of ``evaluate --format csv``: a header, then every line, contract lines
  first.

Shards of a sorted file hold consecutive customers: their files are copied in turn. Buckets
of the partition pass (``indexed``) each hold customers in id order but interleave with the
others': each writes its customers' texts without separators and an index (customer id,
the length of its text in each format), and ``merged`` copies the texts back in customer
order, a k-way merge that holds one index batch per bucket.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import os
import pickle
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from json.encoder import encode_basestring
from typing import IO, Any, BinaryIO

from ..contract.load import LoadedContract
from ..csvsafe import safe_cell
from ..engine import CustomerResult
from ..errors import Problem
from ..evaluate.lines import Line, Totals
from ..jsonout import canonical_json, json_escaped
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
    """A customer as an element of the document's ``customers`` list: the text of
    ``indented(result.to_dict(), _INDENT)``, written field by field (tests hold the two
    equal)."""
    ind = _INDENT + "  "
    totals = result.totals
    if result.lines:
        lines = "[\n" + ",\n".join([_line_indented(ln, ind + "  ") for ln in result.lines]) \
            + f"\n{ind}]"
    else:
        lines = "[]"
    payable = _money(totals.payable)
    inner = ind + "  "
    return json_escaped(
        f'{_INDENT}{{\n{ind}"customer_id": {_text(result.customer_id)},\n{ind}"lines": {lines},'
        f'\n{ind}"provider": {_text(result.provider)},\n{ind}"segment": '
        f'{_text(result.segment)},\n{ind}"total": {payable},\n{ind}"totals": {{\n'
        f'{inner}"not_earned": {_money(totals.not_earned)},\n{inner}"payable": {payable},\n'
        f'{inner}"pending": {_money(totals.pending)}\n{ind}}}\n{_INDENT}}}')


def customer_record(result: CustomerResult) -> str:
    """A customer's JSON Lines record: the text of ``jsonl_record("customer",
    result.to_dict())``, written field by field (tests hold the two equal)."""
    totals = result.totals
    payable = _money(totals.payable)
    lines = ",".join([_line_compact(ln) for ln in result.lines])
    return json_escaped(
        f'{{"customer_id":{_text(result.customer_id)},"lines":[{lines}],"provider":'
        f'{_text(result.provider)},"record":"customer","segment":{_text(result.segment)},'
        f'"total":{payable},"totals":{{"not_earned":{_money(totals.not_earned)},'
        f'"payable":{payable},"pending":{_money(totals.pending)}}}}}\n')


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _money(value: Decimal) -> str:
    """An amount as its JSON string; the texts of amounts seen before are remembered (a
    contract's prices and totals repeat: formatting costs more than looking up). Equal
    amounts have one text, so remembering by value is exact."""
    text = _MONEY_TEXTS.get(value)
    if text is None:
        if len(_MONEY_TEXTS) >= 4096:
            _MONEY_TEXTS.clear()
        text = _MONEY_TEXTS[value] = f'"{money_text(value)}"'
    return text


_MONEY_TEXTS: dict[Decimal, str] = {}


def _date(value: date | None) -> str:
    return "null" if value is None else f'"{value.isoformat()}"'


def _line_compact(ln: Line) -> str:
    """``Line.to_dict`` as ``json.dumps(..., sort_keys=True, separators=(",", ":"))``."""
    cap = "null" if ln.cap is None else \
        f'{{"note":{encode_basestring(ln.cap)},"uncapped":{_money(ln.uncapped or _ZERO)}}}'
    period = "null" if ln.period_start is None else \
        f'{{"end":{_date(ln.period_end)},"start":"{ln.period_start.isoformat()}"}}'
    evidence = ",".join([encode_basestring(e) for e in ln.evidence])
    return (f'{{"amount":{_money(ln.amount)},"cap":{cap},"clause":{encode_basestring(ln.clause)},'
            f'"component":{encode_basestring(ln.component)},"date":{_date(ln.date)},'
            f'"evidence":[{evidence}],"kind":{encode_basestring(ln.kind)},"occurrence":'
            f'{encode_basestring(ln.occurrence)},"period":{period},"provider":'
            f'{_text(ln.provider)},"quantity":"{ln.quantity}","reason":'
            f'{encode_basestring(ln.reason)},"status":"{ln.status}","unit_price":'
            f'"{ln.unit_price}"}}')


def _line_indented(ln: Line, indent: str) -> str:
    """``Line.to_dict`` as ``indented`` writes it at ``indent`` (the line's own place)."""
    ind = indent + "  "
    inner = ind + "  "
    cap = "null" if ln.cap is None else \
        (f'{{\n{inner}"note": {encode_basestring(ln.cap)},\n{inner}"uncapped": '
         f'{_money(ln.uncapped or _ZERO)}\n{ind}}}')
    period = "null" if ln.period_start is None else \
        (f'{{\n{inner}"end": {_date(ln.period_end)},\n{inner}"start": '
         f'"{ln.period_start.isoformat()}"\n{ind}}}')
    evidence = "[]" if not ln.evidence else "[\n" + ",\n".join(
        [inner + encode_basestring(e) for e in ln.evidence]) + f"\n{ind}]"
    return (f'{indent}{{\n{ind}"amount": {_money(ln.amount)},\n{ind}"cap": {cap},\n{ind}'
            f'"clause": {encode_basestring(ln.clause)},\n{ind}"component": '
            f'{encode_basestring(ln.component)},\n{ind}"date": {_date(ln.date)},\n{ind}'
            f'"evidence": {evidence},\n{ind}"kind": {encode_basestring(ln.kind)},\n{ind}'
            f'"occurrence": {encode_basestring(ln.occurrence)},\n{ind}"period": {period},'
            f'\n{ind}"provider": {_text(ln.provider)},\n{ind}"quantity": "{ln.quantity}",'
            f'\n{ind}"reason": {encode_basestring(ln.reason)},\n{ind}"status": '
            f'"{ln.status}",\n{ind}"unit_price": "{ln.unit_price}"\n{indent}}}')


_ZERO = Decimal(0)


def jsonl_record(record: str, data: dict[str, Any]) -> str:
    return json_escaped(json.dumps({"record": record, **data}, sort_keys=True,
                                   ensure_ascii=False, separators=(",", ":"))) + "\n"


def csv_rows(lines: Iterable[Line], currency: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    cell = _cell
    # dates in ISO form never start like a formula: they need no ``safe_cell``
    writer.writerows([[
        safe_cell(ln.customer_id or ""), cell(ln.segment or ""), cell(ln.provider or ""),
        cell(ln.component), cell(ln.kind), cell(ln.status), safe_cell(ln.occurrence),
        ln.date.isoformat() if ln.date else "",
        ln.period_start.isoformat() if ln.period_start else "",
        ln.period_end.isoformat() if ln.period_end else "", cell(str(ln.quantity)),
        _money_cell(ln.unit_price), _money_cell(ln.amount), cell(currency),
        _money_cell(ln.uncapped) if ln.uncapped is not None else "", safe_cell(ln.cap or ""),
        safe_cell(" ".join(ln.evidence)), cell(ln.clause), safe_cell(ln.reason)]
        for ln in lines])
    return out.getvalue()


def _cell(text: str) -> str:
    """``safe_cell`` of a text that repeats from line to line (a component, a price),
    remembered."""
    done = _CELLS.get(text)
    if done is None:
        if len(_CELLS) >= 4096:
            _CELLS.clear()
        done = _CELLS[text] = safe_cell(text)
    return done


def _money_cell(value: Decimal) -> str:
    """``safe_cell(money_text(value))``, remembered by value as ``_money`` is."""
    done = _MONEY_CELLS.get(value)
    if done is None:
        if len(_MONEY_CELLS) >= 4096:
            _MONEY_CELLS.clear()
        done = _MONEY_CELLS[value] = safe_cell(money_text(value))
    return done


_CELLS: dict[str, str] = {}
_MONEY_CELLS: dict[Decimal, str] = {}


def csv_header() -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([safe_cell(h) for h in CSV_COLUMNS])
    return out.getvalue()


class Renderers:
    """A shard's customers written in each format asked for, one file per format; with
    ``indexed``, each customer's text alone and an index of the texts (see above)."""

    def __init__(self, loaded: LoadedContract, formats: Sequence[str], folder: str,
                 index: int, suffix: str = "", indexed: bool = False) -> None:
        self.currency = loaded.contract.metadata.currency
        self.files = {f: os.path.join(folder, f"{f}-{index}{suffix}.part") for f in formats}
        self.handles: dict[str, IO[str]] = {
            f: open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            for f, path in self.files.items()}
        self.first = True
        self.index_file = os.path.join(folder, f"index-{index}{suffix}.pkl") \
            if indexed and formats else None
        self._index: BinaryIO | None = open(self.index_file, "wb") \
            if self.index_file else None  # noqa: SIM115
        self._batch: list[tuple[str, tuple[int, ...]]] = []
        # each customer's text length in each format (without the separator before it)
        self.lengths = [array("q") for _ in formats]

    def customer(self, index: int, result: CustomerResult) -> None:
        self.put(result.customer_id, self.texts(result))

    def texts(self, result: CustomerResult) -> list[str]:
        """A customer's text in each format, in the order of ``files``."""
        out = []
        for fmt in self.handles:
            if fmt == "json":
                out.append(customer_element(result))
            elif fmt == "jsonl":
                out.append(customer_record(result))
            else:
                out.append(csv_rows(result.lines, self.currency))
        return out

    def put(self, customer_id: str, texts: Sequence[str]) -> None:
        """A customer's texts (``texts``) written, each format's to its file."""
        for n, (fmt, fh) in enumerate(self.handles.items()):
            text = texts[n]
            if fmt == "json" and not self.first and self._index is None:
                fh.write(",\n")
            fh.write(text)
            self.lengths[n].append(len(text))
        self.first = False
        if self._index is not None:
            self._batch.append((customer_id, tuple(len(t) for t in texts)))
            if len(self._batch) >= _INDEX_BATCH:
                self._flush()

    def skip(self, index: int) -> None:
        """A customer evaluated for the ceiling but not shown (``--customer``)."""

    def _flush(self) -> None:
        if self._index is not None and self._batch:
            pickle.dump(self._batch, self._index, protocol=5)
            self._batch = []

    def close(self) -> None:
        self._flush()
        if self._index is not None:
            self._index.close()
        for fh in self.handles.values():
            fh.close()


_INDEX_BATCH = 1024


def written(files: dict[str, str], lengths: Sequence[bytes], index_file: str | None
            ) -> Iterator[tuple[str, list[str]]]:
    """What ``Renderers`` wrote (``files``: format -> file), read back a customer at a time:
    (its id, its texts in each format); the id is known only with an index, else it is ''."""
    sizes = [array("q", b) for b in lengths]
    ids = (cid for cid, _, _ in _index_entries(index_file, 0)) if index_file else None
    handles = {fmt: open(p, encoding="utf-8", newline="")  # noqa: SIM115
               for fmt, p in files.items()}
    try:
        for n in range(len(sizes[0]) if sizes else 0):
            texts = []
            for (fmt, fh), size in zip(handles.items(), sizes, strict=True):
                if n and fmt == "json" and index_file is None:
                    fh.read(2)  # the separator before every customer but the first
                texts.append(fh.read(size[n]))
            yield (next(ids) if ids is not None else ""), texts
    finally:
        for fh in handles.values():
            fh.close()


def _index_entries(path: str, shard: int) -> Iterator[tuple[str, int, tuple[int, ...]]]:
    with open(path, "rb") as fh:
        while True:
            try:
                batch: list[tuple[str, tuple[int, ...]]] = pickle.load(fh)
            except EOFError:
                return
            for cid, lengths in batch:
                yield cid, shard, lengths


def merged(out: IO[str], fmt_at: int, parts: Sequence[str], indexes: Sequence[str | None],
           separator: str = "") -> None:
    """The customers' texts of every shard (format number ``fmt_at`` of their indexes)
    written in customer id order, ``separator`` between two."""
    streams = [_index_entries(ix, n) for n, ix in enumerate(indexes) if ix is not None]
    handles = [open(p, encoding="utf-8", newline="") for p in parts]  # noqa: SIM115
    try:
        first = True
        for _, shard, lengths in heapq.merge(*streams):
            if not first and separator:
                out.write(separator)
            out.write(handles[shard].read(lengths[fmt_at]))
            first = False
    finally:
        for fh in handles:
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


# writes a format's customers to ``out`` in order (copied in turn, or merged)
Body = Callable[[IO[str]], None]


def copied(parts: Sequence[str], separator: str = "") -> Body:
    """The shards' files copied in turn (``separator`` between two non-empty ones)."""
    def write(out: IO[str]) -> None:
        first = True
        for path in parts:
            if os.path.getsize(path) == 0:
                continue
            if not first and separator:
                out.write(separator)
            _copy(path, out)
            first = False
    return write


def write_document(out: IO[str], head: dict[str, Any], shown: int, body: Body,
                   problems: list[Problem], totals: Totals) -> None:
    """The whole JSON document, its ``shown`` customers written by ``body``."""
    if not shown:
        out.write(canonical_json({**head, "customers": [],
                                  "problems": [p.to_dict() for p in problems],
                                  "totals": totals.to_dict()}))
        return
    before, between, after = document_head_tail(head, problems, totals)
    out.write(before)
    body(out)
    out.write(between + after)


def write_jsonl(out: IO[str], head: dict[str, Any], body: Body,
                problems: list[Problem], totals: Totals) -> None:
    out.write(jsonl_record("evaluation", {"as_of": head["as_of"],
                                          "contract": head["contract"]}))
    for line in head["contract_lines"]:
        out.write(jsonl_record("contract_line", line))
    body(out)
    for p in problems:
        out.write(jsonl_record("problem", p.to_dict()))
    out.write(jsonl_record("totals", totals.to_dict()))


def write_csv(out: IO[str], contract_lines: list[Line], currency: str, body: Body) -> None:
    out.write(csv_header())
    out.write(csv_rows(contract_lines, currency))
    body(out)


def _copy(path: str, out: IO[str]) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                return
            out.write(chunk)
