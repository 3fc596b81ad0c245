"""Every problem code, once: its title, its severity and where it is documented.

A ``Problem`` names one of these codes; a test holds this registry against docs/errors.md and
docs/lint.md, so a code cannot be added, dropped or renamed without its documentation. Codes
are stable: a code is never reused for another meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"  # a lint finding that is common and usually harmless on small contracts,
    # or a note (F005: which encoding a file was read in)


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    title: str
    severity: Severity
    doc: str  # the documentation page and anchor

    @property
    def family(self) -> str:
        return self.code[0]


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
_ERRORS = "errors.md"
_LINT = "lint.md"

_TABLE: tuple[tuple[str, str, Severity, str], ...] = (
    # files
    ("F001", "the file cannot be opened or read", _E, "file-problems-f0xx"),
    ("F002", "a contract file is larger than the limit", _E, "file-problems-f0xx"),
    ("F003", "the file is not in the expected text encoding", _E, "file-problems-f0xx"),
    ("F004", "a line or row longer than the limit", _E, "file-problems-f0xx"),
    ("F005", "a file read in an encoding other than UTF-8", _I, "file-problems-f0xx"),
    # YAML
    ("Y001", "YAML syntax error", _E, "yaml-problems-y0xx"),
    ("Y002", "nested too deeply", _E, "yaml-problems-y0xx"),
    ("Y003", "the file is empty", _E, "yaml-problems-y0xx"),
    ("Y004", "a key that is not a plain word, or a merge key", _E, "yaml-problems-y0xx"),
    ("Y005", "a key given twice in one mapping", _E, "yaml-problems-y0xx"),
    ("Y006", "aliases expand the document too far", _E, "yaml-problems-y0xx"),
    # cohort files (synthetic events, forecasts)
    ("G101", "a required key of a cohort is missing", _E, "cohort-problems-g1xx"),
    ("G102", "an unknown key in a cohort", _E, "cohort-problems-g1xx"),
    ("G103", "a cohort value that is not valid", _E, "cohort-problems-g1xx"),
    ("G104", "a cohort that does not fit its contract", _E, "cohort-problems-g1xx"),
    ("G105", "estimates fitted from events that kept their defaults (too few customers)", _I,
     "cohort-problems-g1xx"),
    ("G106", "cohort referrals outside the contract's referral window", _W,
     "cohort-problems-g1xx"),
    ("G107", "a cohort's mix of shares that does not add up to 1 (taken in proportion)", _W,
     "cohort-problems-g1xx"),
    ("G108", "a cohort fitted from events that end before many customers' stories do", _I,
     "cohort-problems-g1xx"),
    ("G109", "events with no customer to fit a cohort from", _E, "cohort-problems-g1xx"),
    # contract schema
    ("C100", "the document is not a mapping", _E, "contract-schema-problems-c1xx"),
    ("C101", "a required key is missing", _E, "contract-schema-problems-c1xx"),
    ("C102", "an unknown key", _E, "contract-schema-problems-c1xx"),
    ("C103", "an unknown component kind", _E, "contract-schema-problems-c1xx"),
    ("C104", "an amount with more than 2 decimal places", _E,
     "contract-schema-problems-c1xx"),
    ("C105", "a negative amount", _E, "contract-schema-problems-c1xx"),
    ("C106", "not a valid number", _E, "contract-schema-problems-c1xx"),
    ("C107", "not a valid date", _E, "contract-schema-problems-c1xx"),
    ("C108", "not a valid duration", _E, "contract-schema-problems-c1xx"),
    ("C110", "a wrong value", _E, "contract-schema-problems-c1xx"),
    ("C111", "an identifier that fails its check (its form or check digit)", _E,
     "contract-schema-problems-c1xx"),
    # contract cross-checks
    ("C201", "two components with the same id", _E, "contract-cross-checks-c2xx"),
    ("C202", "a price table or reference that does not fit", _E, "contract-cross-checks-c2xx"),
    ("C203", "a price by segment lacks a segment", _E, "contract-cross-checks-c2xx"),
    ("C204", "a phase that is empty or too long", _E, "contract-cross-checks-c2xx"),
    ("C205", "dates in the wrong order", _E, "contract-cross-checks-c2xx"),
    ("C206", "segments overlap", _E, "contract-cross-checks-c2xx"),
    ("C207", "segments leave a gap", _E, "contract-cross-checks-c2xx"),
    ("C208", "a capacity fee's provider is unknown or missing", _E,
     "contract-cross-checks-c2xx"),
    ("C209", "a survey adjustment applies to an unknown component or to itself", _E,
     "contract-cross-checks-c2xx"),
    ("C210", "steps or bands out of order", _E, "contract-cross-checks-c2xx"),
    ("C211", "a value the engine cannot count with", _E, "contract-cross-checks-c2xx"),
    ("C212", "two providers, segments or extent bands with the same id", _E,
     "contract-cross-checks-c2xx"),
    ("C213", "an unknown or mixed segment attribute", _E, "contract-cross-checks-c2xx"),
    ("C214", "a tier has rules although segments come from the referral", _E,
     "contract-cross-checks-c2xx"),
    ("C215", "segments too complex to check for coverage", _W, "contract-cross-checks-c2xx"),
    ("C216", "an event fee filters on a field the event does not have", _E,
     "contract-cross-checks-c2xx"),
    ("C217", "a key that needs another key", _E, "contract-cross-checks-c2xx"),
    ("C218", "keys that contradict each other", _E, "contract-cross-checks-c2xx"),
    ("C219", "thresholds in the wrong order", _E, "contract-cross-checks-c2xx"),
    ("C220", "a value that changes on dates starts after the contract", _E,
     "contract-cross-checks-c2xx"),
    ("C221", "a worked example that names an unknown component or repeats a name", _E,
     "contract-cross-checks-c2xx"),
    ("C222", "a step asks for more periods than its window holds", _E,
     "contract-cross-checks-c2xx"),
    ("C225", "an invoice number longer than an e-invoice allows", _E,
     "contract-cross-checks-c2xx"),
    ("C226", "a party an e-invoice needs is missing or incomplete", _E,
     "contract-cross-checks-c2xx"),
    ("C227", "services not subject to VAT with a VAT id, or mixed with taxed ones", _E,
     "contract-cross-checks-c2xx"),
    ("C228", "a Finnish VAT id that is not the party's own business id", _E,
     "contract-cross-checks-c2xx"),
    ("C229", "an OVT e-invoice address of another business id than the party's", _W,
     "contract-cross-checks-c2xx"),
    ("C230", "alternatives that name an unknown component, or one component twice", _E,
     "contract-cross-checks-c2xx"),
    ("C231", "a party without an e-invoice address, or a Finnish one without its operator",
     _W, "contract-cross-checks-c2xx"),
    ("C232", "an e-invoice address of a scheme Peppol no longer delivers to", _W,
     "contract-cross-checks-c2xx"),
    # events
    ("E001", "an unknown, repeated or missing column", _E, "event-problems-e0xx"),
    ("E002", "an unknown event type", _E, "event-problems-e0xx"),
    ("E003", "a required field is missing", _E, "event-problems-e0xx"),
    ("E004", "a value in a field that does not belong to the row's type", _E,
     "event-problems-e0xx"),
    ("E005", "a value that is not valid", _E, "event-problems-e0xx"),
    ("E006", "end is before date", _E, "event-problems-e0xx"),
    ("E007", "an event id repeats with the same recorded date", _E, "event-problems-e0xx"),
    ("E008", "an event id reused for another customer or event type", _E,
     "event-problems-e0xx"),
    ("E010", "an unreadable row", _E, "event-problems-e0xx"),
    ("E011", "an empty event file", _E, "event-problems-e0xx"),
    ("E012", "a CSV row with more cells than the header", _E, "event-problems-e0xx"),
    ("E013", "a provider or segment not in the contract", _E, "event-problems-e0xx"),
    ("E014", "a referral the contract cannot place in one segment", _E,
     "event-problems-e0xx"),
    ("E015", "customer ids that look like personal identity codes", _W,
     "event-problems-e0xx"),
    ("E016", "customer ids that look like e-mail addresses or phone numbers", _W,
     "event-problems-e0xx"),
    ("E017", "a Parquet column of a type not read exactly, or source_row numbers that do "
     "not grow", _E, "event-problems-e0xx"),
    ("E018", "a CSV file whose last row has no line end (cut short?)", _W,
     "event-problems-e0xx"),
    ("E019", "an event id or evidence id pseudonymize cannot rewrite without risk of "
     "making it another's", _E, "event-problems-e0xx"),
    ("E020", "event ids or evidence ids that hold what looks like personal data", _W,
     "event-problems-e0xx"),
    ("E021", "a bill's reason, occurrence or problem that would keep a raw customer id "
     "after pseudonymize", _E, "event-problems-e0xx"),
    # evaluation
    ("V001", "a customer cannot be evaluated", _E, "evaluation-problems-v0xx"),
    ("V002", "a fact the evaluation passes over", _W, "evaluation-problems-v0xx"),
    ("V003", "two lines of one customer share one identity", _E, "evaluation-problems-v0xx"),
    ("V004", "a forecast, an invoice or a bill check well after the last day the events "
     "record", _W,
     "evaluation-problems-v0xx"),
    ("V005", "a forecast of events that record no referral", _E, "evaluation-problems-v0xx"),
    ("V006", "a forecast ahead of more than the contract ceiling leaves", _W,
     "evaluation-problems-v0xx"),
    ("V007", "a forecast of a provider with no customer in progress", _W,
     "evaluation-problems-v0xx"),
    ("V008", "jobs naming no employer under a contract that tells employers apart", _W,
     "evaluation-problems-v0xx"),
    ("V009", "a customer whose service began before the contract, or who entered after its "
     "last referral day", _W, "evaluation-problems-v0xx"),
    # what a stage of loading did not check
    ("P001", "a check not made because what it needs has errors", _I,
     "what-was-not-checked-p0xx"),
    # bills
    ("B001", "a required bill column is missing", _E, "bill-problems-b0xx"),
    ("B002", "an amount that is not an amount", _E, "bill-problems-b0xx"),
    ("B003", "a bill date that is not valid", _E, "bill-problems-b0xx"),
    ("B004", "a bill line without a component, an amount, or an occurrence and a date", _E,
     "bill-problems-b0xx"),
    ("B005", "the bill cannot be read", _E, "bill-problems-b0xx"),
    ("B006", "the bill's stated sums do not follow from its lines", _E, "bill-problems-b0xx"),
    ("B007", "a JSON bill line of the wrong shape", _E, "bill-problems-b0xx"),
    ("B008", "a bill line's VAT is not the VAT of the line it bills", _E,
     "bill-problems-b0xx"),
    ("B009", "the bill says it is for another period than the one verified", _W,
     "bill-problems-b0xx"),
    ("B010", "the bill says it is for another contract or provider than the one verified",
     _W, "bill-problems-b0xx"),
    # ledgers
    ("L001", "the file is not a ledger", _E, "ledger-problems-l0xx"),
    ("L002", "a ledger written by a newer engine", _E, "ledger-problems-l0xx"),
    ("L003", "SQLite finds the ledger file damaged", _E, "ledger-problems-l0xx"),
    ("L004", "the ledger's schema or marks are not as the engine wrote them", _E,
     "ledger-problems-l0xx"),
    ("L005", "a stored value that is not valid", _E, "ledger-problems-l0xx"),
    ("L006", "an invoice document that does not match its sha256 or its rows", _E,
     "ledger-problems-l0xx"),
    ("L007", "the hash chain of invoices is broken", _E, "ledger-problems-l0xx"),
    ("L008", "invoice numbers with a gap or a repeat", _E, "ledger-problems-l0xx"),
    ("L009", "lines and corrections that do not fit together", _E, "ledger-problems-l0xx"),
    ("L010", "an unfinished transaction that a read-only command cannot recover", _E,
     "ledger-problems-l0xx"),
    ("L011", "a ledger of an earlier engine version, not yet marked", _I,
     "ledger-problems-l0xx"),
    ("L012", "an invoice made with another contract file than the invoices before it", _W,
     "ledger-problems-l0xx"),
    ("L013", "no ledger at the path given (a new ledger is started only when asked for)", _E,
     "ledger-problems-l0xx"),
    ("L014", "a new ledger asked for where a file is", _E, "ledger-problems-l0xx"),
    ("L015", "lines an invoice made before could have billed, billed now", _I,
     "ledger-problems-l0xx"),
)

_LINT_TABLE: tuple[tuple[str, str, Severity], ...] = (
    ("W000", "accept entry that matches no warning", _W),
    ("W001", "outcome or phase that cannot be reached", _W),
    ("W002", "full price for self-reported evidence", _I),
    ("W003", "a fee without bound and no cap", _W),
    ("W004", "no cap at all", _I),
    ("W005", "periodic fee lost when the customer does not answer", _W),
    ("W006", "outcome fee that requires serving a customer who already works", _I),
    ("W007", "price falls as distance from the labour market grows", _W),
    ("W008", "late referrals cannot reach the outcome before the deadline", _W),
    ("W009", "subsidised work counted at full weight", _W),
    ("W010", "capacity fee outside the contract's validity", _W),
    ("W011", "grace longer than the follow-up", _W),
    ("W012", "survey multiplier above 2", _W),
    ("W013", "fee paid on referral", _W),
    ("W014", "published prices without a source", _W),
    ("W015", "monthly fee lost for a month cut short", _W),
    ("W016", "a single fee larger than a cap", _W),
    ("W017", "outcomes reachable after the contract ends, with no cut-off", _I),
    ("W018", "a service period that a VAT rate change splits", _W),
    ("W019", "two fees for the same service months", _W),
    ("W020", "a service month between two monthly fees that none pays", _W),
    ("W021", "a start fee that closes with the contract before the last referral can start",
     _W),
    ("W022", "calendar months one short of those a service touches", _W),
    ("W023", "a calendar month begun or ended paid whole", _W),
)


def _anchor(code: str, title: str) -> str:
    """The GitHub-style anchor of a lint.md heading ``## W001 title``."""
    text = f"{code} {title}".lower()
    kept = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


CODES: dict[str, Code] = {
    **{c: Code(c, t, s, f"{_ERRORS}#{a}") for c, t, s, a in _TABLE},
    **{c: Code(c, t, s, f"{_LINT}#{_anchor(c, t)}") for c, t, s in _LINT_TABLE},
}


def code(name: str) -> Code:
    """The registered code ``name``; an unknown code is a bug (KeyError)."""
    return CODES[name]
