"""V008: a contract that tells employers apart, over data whose jobs name none.

Three rules read a job's ``employer``: ``work.one_employer`` (the jobs of one employer join
into a spell), ``work.exclude_earlier_employer`` (a job with an employer the customer
worked for before is kept out) and ``another_employer_each_time`` (a second outcome needs
another employer). A job naming no employer is an employment relationship of its own, as
documented, so data without the column still evaluates: but then an earlier employer is
never seen and every job is "another" one, and a bill recomputed from such data can pay
what the rule was written to refuse. The rows are counted over the whole input (every
shard adds its own counts, so the warning is the same for any ``--jobs``, shard count and
row order) and the warning is said once, at the first employment row naming none (of the
file first by name).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..contract.load import LoadedContract
from ..errors import Problem, Source
from ..events.model import Employment, EventBase

# what a job naming no employer means under each rule
_EFFECTS = {
    "work.one_employer": "it never joins another job with its employer into one spell",
    "work.exclude_earlier_employer": "it is never kept out as work for an earlier employer",
    "another_employer_each_time": "it always counts as another employer than the one paid "
                                  "before",
}


@dataclass
class EmployerRows:
    """Employment rows seen, how many name no employer, and the first row naming none in
    each file."""

    rows: int = 0
    unnamed: int = 0
    first: dict[str, int] = field(default_factory=dict)  # file -> row

    def see(self, events: Iterable[EventBase]) -> None:
        first = self.first
        for e in events:
            if not isinstance(e, Employment):
                continue
            self.rows += 1
            if e.employer is None:
                self.unnamed += 1
                if e.file not in first or e.row < first[e.file]:
                    first[e.file] = e.row

    def add(self, other: EmployerRows) -> None:
        self.rows += other.rows
        self.unnamed += other.unnamed
        for file, row in other.first.items():
            if file not in self.first or row < self.first[file]:
                self.first[file] = row


def telling_employers_apart(loaded: LoadedContract) -> list[tuple[str, list[str]]]:
    """Each component that tells employers apart, with its rules' keys."""
    return [(c.id, rules) for c in loaded.contract.components
            if (rules := c.employer_rules())]


def employer_problems(loaded: LoadedContract, seen: EmployerRows) -> list[Problem]:
    """``V008`` when the contract tells employers apart and some employment row names no
    employer; at the first such row of the file first by name (so the same whatever order
    the files are given in, as an invoice made of them is)."""
    components = telling_employers_apart(loaded)
    if not components or not seen.unnamed:
        return []
    file = min(seen.first)
    rules = "; ".join(f"{cid}: {', '.join(keys)}" for cid, keys in components)
    keys = dict.fromkeys(k for _, found in components for k in found)
    effects = "; ".join(_EFFECTS[k] for k in keys)
    rows = "row" if seen.rows == 1 else "rows"
    verb = "names" if seen.unnamed == 1 else "name"
    return [Problem("V008", f"{seen.unnamed} of {seen.rows} employment {rows} {verb} no "
                    f"employer, and the contract tells employers apart ({rules}): a job "
                    f"naming none is an employment relationship of its own, so {effects}",
                    Source(file, row=seen.first[file]))]

