"""W002 full price for self-reported evidence

Catches an employment-based fee that pays a self-reported job as much as a verified one: a
plain amount (the same whatever the evidence), or a table by evidence level in which
`self_report` is priced at least as high as a verified level.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ....values import money_text
from ...model import EVIDENCE_LEVELS, Path
from ..base import Finding, Lint, Rule


def cells(price: Any, segment_ids: list[str]) -> Iterator[tuple[Path, str | None, Any]]:
    """(path suffix, segment or None, cell): a cell is an amount or an evidence table."""
    if not isinstance(price, dict):
        yield (), None, price
        return
    if any(k in segment_ids for k in price):
        for seg, cell in price.items():
            yield (seg,), seg, cell
    else:
        yield (), None, price


def _issue(cell: Any) -> tuple[Path, str] | None:
    if isinstance(cell, Decimal):
        return (), (f"pays {money_text(cell)} whatever the evidence, so a self-reported job "
                    "earns as much as a register-verified one")
    if not isinstance(cell, dict) or "self_report" not in cell:
        return None
    own = cell["self_report"]
    others = {k: v for k, v in cell.items() if k != "self_report"}
    if not others:
        return ("self_report",), (f"pays {money_text(own)} for self-reported work and has no "
                                  "price for verified work")
    level, top = max(others.items(), key=lambda kv: (kv[1], -EVIDENCE_LEVELS.index(kv[0])))
    if own >= top:
        return ("self_report",), (f"pays {money_text(own)} for self-reported work, as much as "
                                  f"for {level} evidence ({money_text(top)})")
    return None


def check(lint: Lint) -> Iterator[Finding]:
    segment_ids = lint.draft.segment_ids() or []
    for base, comp in lint.components():
        found = next(((table, suffix, seg, issue)
                      for table in comp.price_tables() if table.by_evidence
                      for suffix, seg, cell in cells(table.price, segment_ids)
                      if (issue := _issue(cell)) is not None), None)
        if found is None:
            continue
        table, suffix, seg, (tail, words) = found
        who = f" (segment {seg})" if seg is not None else ""
        yield lint.warn("W002", f"{comp.name}{who} {words}: the buyer pays in full for "
                        "unverified claims; price each evidence level (e.g. register: "
                        "750.00, self_report: 190.00) — a later register confirmation then "
                        "pays the difference", (*base, *table.path, *suffix, *tail), comp.id)


RULE = Rule("W002", check, needs=("segments",))
