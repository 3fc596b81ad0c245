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
from ...model import EVIDENCE_LEVELS, Dated, Path, price_dimension
from ..base import Finding, Lint, Rule, change_dates, leaf_at


def cells(price: Any, segment_ids: list[str], path: Path = (), who: tuple[str, ...] = ()
          ) -> Iterator[tuple[Path, tuple[str, ...], Any]]:
    """(path suffix, who it prices, cell): a cell is an amount or an evidence table, found
    under the segments and employment kinds a table is keyed by ("segment A", "open work")."""
    if isinstance(price, dict):
        dims = {k: price_dimension(k, segment_ids) for k in price}
        if any(d in ("segment", "kind") for d in dims.values()):
            for key, cell in price.items():
                if dims[key] == "segment":
                    yield from cells(cell, segment_ids, (*path, key), (*who, f"segment {key}"))
                elif dims[key] == "kind":
                    yield from cells(cell, segment_ids, (*path, key), (*who, f"{key} work"))
            return
    yield path, who, price


def _shown(leaf: Any) -> str:
    return str(leaf) if isinstance(leaf, Dated) else money_text(leaf)


def _issue(cell: Any) -> tuple[Path, str] | None:
    if isinstance(cell, Decimal | Dated):
        return (), (f"pays {_shown(cell)} whatever the evidence, so a self-reported job "
                    "earns as much as a register-verified one")
    if not isinstance(cell, dict) or "self_report" not in cell:
        return None
    own = cell["self_report"]
    others = {k: v for k, v in cell.items() if k != "self_report"}
    if not others:
        return ("self_report",), (f"pays {_shown(own)} for self-reported work and has no "
                                  "price for verified work")
    for day in change_dates(own, *others.values()):  # on every day a price changes
        mine = leaf_at(own, day)
        priced = {k: v for k, leaf in others.items() if (v := leaf_at(leaf, day)) is not None}
        if mine is None or not priced:
            continue
        level, top = max(priced.items(), key=lambda kv: (kv[1], -EVIDENCE_LEVELS.index(kv[0])))
        if mine >= top:
            when = f" from {day}" if day is not None else ""
            return ("self_report",), (f"pays {money_text(mine)} for self-reported work{when}, "
                                      f"as much as for {level} evidence ({money_text(top)})")
    return None


def _who(names: tuple[str, ...]) -> str:
    return f"({', '.join(names)}) " if names else ""


def check(lint: Lint) -> Iterator[Finding]:
    segment_ids = lint.draft.segment_ids() or []
    for base, comp in lint.components():
        # every cell of the first table that pays self-reports in full: each segment said in
        # one run (the second was said only once the first was mended)
        found = next((found for table in comp.price_tables() if table.by_evidence
                      if (found := [(table, suffix, names, issue)
                                    for suffix, names, cell in cells(table.price, segment_ids)
                                    if (issue := _issue(cell)) is not None])), None)
        if not found:
            continue
        table, suffix, _, (tail, _) = found[0]
        said = "; ".join(_who(names) + words for _, _, names, (_, words) in found)
        yield lint.warn("W002", f"{comp.name} {said}: the buyer pays in full for "
                        "unverified claims; price each evidence level (e.g. register: "
                        "750.00, self_report: 190.00) — a later register confirmation then "
                        "pays the difference", (*base, *table.path, *suffix, *tail), comp.id)


RULE = Rule("W002", check, needs=("segments",))
