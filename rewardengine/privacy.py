"""Personal identities in event data and bills: spotting them, and keyed pseudonyms.

Event data is personal; a customer id should be a pseudonym. A customer id that is a Finnish
personal identity code (henkilötunnus) is warned about (``E015``), never echoed. ``pseudonym``
replaces an id with a keyed HMAC-SHA256, so the buyer and the provider, who share the key, get
the same pseudonym for the same customer in every file without exchanging identities. Event
ids are often made from the customer id, so it is replaced inside a row's event ids (and a
bill's evidence ids) too, as a whole token (``IdRewrite``).

Ground layer: imports only ``errors``, ``tabular``, ``shown`` and ``csvsafe`` (and
python-stdnum, which checks the henkilötunnus with every century sign in use since 2023:
``+ - A B C D E F X Y W V U``).
"""

from __future__ import annotations

import bisect
import codecs
import csv
import hashlib
import hmac
import io
import itertools
import json
import os
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import BinaryIO

from stdnum.fi import hetu

from .csvsafe import needs_apostrophe
from .errors import Problem, Source
from .shown import EMAIL, PHONE, PHONE_AFTER_DASH, personal_shape
from .tabular import (
    MAX_FIELD_CHARS,
    MAX_ID_CHARS,
    LineTooLong,
    Progress,
    TextSource,
    Undecodable,
    delimiter_hint,
    sep_line,
    sum_label,
    trim_header,
    undecodable_message,
)

HETU_LENGTH = 11  # DDMMYY, the century sign, three digits, the check character
HETU_WORDS = "a Finnish personal identity code (henkilötunnus)"
_CENTURY_SIGNS = frozenset("+-ABCDEFXYWVUabcdefxywvu")


def looks_like_hetu(value: str) -> bool:
    """A henkilötunnus: a real date, a century sign, an individual number (temporary ones,
    900-999, too) and the right check character; spaces around it (a JSON Lines id is
    not trimmed) do not hide it."""
    value = value.strip()
    return (len(value) == HETU_LENGTH and value[6] in _CENTURY_SIGNS
            and hetu.is_valid(value, allow_temporary=True))


def personal_kind(value: str) -> str | None:
    """What a customer id looks like when it looks personal: the kind, or None (spaces
    around it do not hide it)."""
    value = value.strip()
    if looks_like_hetu(value):
        return HETU_WORDS
    if EMAIL.match(value):
        return "an e-mail address"
    if PHONE.match(value):
        return "a phone number"
    return None


@dataclass
class PersonalIdWatch:
    """Customer ids of one file that look like a henkilötunnus: how many, and the first row.
    The ids are kept only to count them; they are never shown."""

    ids: set[str] = field(default_factory=set)
    first_row: int | None = None

    def see(self, value: str, row: int) -> None:
        if looks_like_hetu(value):
            self.ids.add(value)
            if self.first_row is None:
                self.first_row = row

    def problem(self, file: str, row: str = "row") -> Problem | None:
        """E015 at the first such id; ``row``: what the file's rows are called."""
        if not self.ids:
            return None
        return Problem("E015", f"{_ids(len(self.ids))} like {HETU_WORDS}, the first in {row} "
                       f"{self.first_row}; customer ids should be pseudonyms (rewardengine "
                       "pseudonymize)", Source(file, row=self.first_row))


def _ids(many: int) -> str:
    return f"{many} customer ids look" if many != 1 else "1 customer id looks"


# --- keyed pseudonyms ----------------------------------------------------------------------

MIN_KEY_BYTES = 32
MAX_KEY_BYTES = 1024
PSEUDONYM_PREFIX = "ps_"


class KeyFileError(ValueError):
    """The key file cannot be used (the message never holds the key)."""


def read_key(path: str) -> bytes:
    """The key: the file's bytes, less trailing line ends, at least 32 bytes."""
    how = ("make one with 32 random bytes, e.g. "
           "python3 -c \"import secrets; print(secrets.token_hex(32))\" > KEYFILE, "
           "and share it only with the other party")
    try:
        with open(path, "rb") as fh:
            key = fh.read(MAX_KEY_BYTES + 1)
    except OSError as exc:
        raise KeyFileError(f"--key-file {path}: cannot read it ({exc.strerror or exc}); "
                        f"{how}") from None
    if len(key) > MAX_KEY_BYTES:
        raise KeyFileError(f"--key-file {path}: longer than {MAX_KEY_BYTES} bytes; is it the "
                        "key file?")
    key = key.rstrip(b"\r\n")
    if len(key) < MIN_KEY_BYTES:
        raise KeyFileError(f"--key-file {path}: shorter than {MIN_KEY_BYTES} bytes; {how}")
    return key


def pseudonym(key: bytes, customer_id: str) -> str:
    """``ps_`` and 32 hex digits (128 bits) of HMAC-SHA256(key, id): the same id and key
    always give the same pseudonym; without the key it cannot be reversed or recomputed."""
    digest = hmac.new(key, customer_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:32]


class Pseudonyms:
    """``pseudonym`` under one key, worked out once for a run of rows of one customer (rows
    come grouped by customer: one HMAC per run, not per cell)."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._last: tuple[str | None, str] = (None, "")

    def __call__(self, customer_id: str) -> str:
        if self._last[0] != customer_id:
            self._last = (customer_id, pseudonym(self.key, customer_id))
        return self._last[1]


# --- replacing the customer ids of a file ------------------------------------------------

Replace = Callable[[str, int], str]  # (customer id as read, row) -> what is written instead


@dataclass
class Findings:
    """Customer ids that look personal, by kind: the distinct ids (counted, never shown) and
    the first row of each kind."""

    ids: dict[str, set[str]] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)

    def see(self, value: str, row: int) -> str:
        kind = personal_kind(value)
        if kind is not None:
            self.ids.setdefault(kind, set()).add(value)
            self.first.setdefault(kind, row)
        return value

    def problems(self, file: str) -> list[Problem]:
        out = []
        for kind, ids in sorted(self.ids.items()):
            code = "E015" if kind == HETU_WORDS else "E016"
            out.append(Problem(code, f"{_ids(len(ids))} like {kind}, the first in row "
                               f"{self.first[kind]}", Source(file, row=self.first[kind])))
        return out


class RewriteError(Exception):
    """A file whose customer ids cannot all be found: nothing of it is written."""

    def __init__(self, code: str, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.code, self.row = code, row


def replacing(key: bytes | None, findings: Findings, longest: int | None = None) -> Replace:
    """What replaces a customer id: with a key, its pseudonym; without, the id itself, seen
    by ``findings``. An id longer than the reader takes is refused, not pseudonymized: its
    pseudonym would make a row the reader refuses look readable (``E010`` over the
    characters a cell may have; ``E005`` over ``longest``, an event file's id length, given
    the id as the reader takes it)."""
    if key is None:
        return findings.see
    named = Pseudonyms(key)

    def replace(value: str, row: int) -> str:
        refuse_too_long(value, row)
        if longest is not None and len(value) > longest:
            raise RewriteError("E005", f"a customer id of {len(value):,} characters: an id "
                               f"may have at most {longest}, so the reader refuses the row, "
                               "which its pseudonym would make readable; shorten the id",
                               row)
        return named(value)
    return replace


def refuse_too_long(cell: str, row: int) -> None:
    """``E010`` for a customer cell longer than the reader takes, measured as written (spaces
    around it count, as they do for the reader)."""
    if len(cell) > MAX_FIELD_CHARS:
        raise RewriteError("E010", f"a customer id of {len(cell):,} characters; at most "
                           f"{MAX_FIELD_CHARS:,} are read", row)


# --- the customer id inside the row's other ids ------------------------------------------

# the cells of a row that hold its event ids: an event file's event id, a bill's evidence
EVENT_ID_KEYS = ("event_id",)
SPELL_ID_KEYS = ("spell_id",)  # an event's own grouping, often made from the customer id
EVIDENCE_KEYS = ("evidence",)
PROBLEM_KEYS = ("problems",)  # a JSON bill's list of problems (an invoice's)
PSEUDONYM_SHAPE = re.compile(r"ps_[0-9a-f]{32}")


def replace_token(text: str, old: str, new: str) -> tuple[str, int]:
    """``text`` with ``old`` replaced by ``new`` where it stands as a whole token: after the
    start or a character that is not a letter or a digit, before the end or such a
    character (a customer ``1`` is not replaced in ``e10``); and how many times it was."""
    if not old or old not in text:
        return text, 0
    parts: list[str] = []
    at, end = 0, len(text)
    i = text.find(old)
    while i != -1:
        j = i + len(old)
        if (i == 0 or not text[i - 1].isalnum()) and (j == end or not text[j].isalnum()):
            parts += [text[at:i], new]
            at = j
            i = text.find(old, j)
        else:
            i = text.find(old, i + 1)
    return "".join(parts) + text[at:], len(parts) // 2


def _unmergeable(new: str, count: int, what: str, row: int) -> None:
    """Refuse an id whose rewrite could equal another id's: one that held text shaped like
    a pseudonym besides the ``count`` pseudonyms written in. Without it, every pseudonym
    in the rewritten id stands for the customer id it replaced, so two different ids of a
    customer (a correction reuses its event's id on purpose) stay different."""
    if "ps_" in new and len(PSEUDONYM_SHAPE.findall(new)) != count:
        raise RewriteError("E019", f"the {what} holds text shaped like a pseudonym (ps_ and 32 "
                           "hex digits) that is not its customer's id: rewritten, it could "
                           f"become the same as another {what} of the customer; rename it "
                           "or pseudonymize the file it came from", row)


@dataclass
class HeldFindings:
    """Event ids (or evidence ids) that hold what looks personal — a henkilötunnus (by its
    shape, as messages tell it), an e-mail address, a phone number (also glued on with a
    dash, ``x-040 123 4567``, which messages echo as an id) — by kind: the distinct ids
    (counted, never shown) and the first row of each kind. A pseudonym in an id is no
    finding (its hex digits may look like anything)."""

    what: str
    ids: dict[str, set[str]] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)

    def see(self, value: str, row: int) -> None:
        kind = _held_shape(PSEUDONYM_SHAPE.sub("_", value)) if value else None
        if kind is not None:
            self.ids.setdefault(kind, set()).add(value)
            self.first.setdefault(kind, row)

    def problems(self, file: str) -> list[Problem]:
        out = []
        for kind, ids in sorted(self.ids.items()):
            many = f"{len(ids)} {self.what}s hold" if len(ids) != 1 else f"1 {self.what} holds"
            out.append(Problem("E020", f"{many} what looks like {kind}, the first in row "
                               f"{self.first[kind]}; an id should hold no personal data but "
                               "its own customer id, which rewardengine pseudonymize "
                               "replaces", Source(file, row=self.first[kind])))
        return out


def _held_shape(text: str) -> str | None:
    """What an id looks like when it holds what may be personal (``personal_shape``, or a
    phone number glued on with a dash), or None."""
    kind = personal_shape(text)
    if kind is None and "-" in text and PHONE_AFTER_DASH.search(text):
        return "a phone number"
    return kind


class IdRewrite:
    """The row's customer id replaced where it stands as a whole token in the row's event
    ids (an event file's ``event_id``, a bill's evidence ids) by the same pseudonym as the
    customer cell, so events and bills pseudonymized apart still match. A bill's
    occurrence and reason name its evidence ids: each is replaced there as it was in the
    evidence (in the occurrence as ``escape`` writes an event id into it)."""

    def __init__(self, key: bytes | None, what: str, escape: Callable[[str], str] = str,
                 many: bool = False, known: dict[str, set[str]] | None = None) -> None:
        self.key, self.what, self.escape, self.many = key, what, escape, many
        # event ids holding their customer id, by customer, from the event files of the
        # run: a bill's reason may name one its line does not list as evidence
        self.known = known
        self.held = HeldFindings(what)  # without a key: the ids are only looked at
        self._pseudonym = Pseudonyms(key or b"")
        # a bill's customers and its evidence ids holding them, for its problems' texts
        self.customers: set[str] = set()
        self._evidence: dict[str, set[str]] = {}
        self._run: _RunIds | None = None

    def ids(self, customer: str, value: str, row: int, limited: bool = True) -> str:
        """``value`` (one id, or with ``many`` ids split by spaces) with the customer id
        replaced; without a key, seen by ``held`` and kept. ``limited``: an event id, which
        may have 128 characters (a spell id has no limit of its own)."""
        if self.key is None:
            for one in value.split() if self.many else [value.strip()]:
                self.held.see(one, row)
            return value
        token = customer.strip()  # a JSON Lines id " c1 " is c1 inside its event ids
        if not token:
            return value
        new, count = replace_token(value, token, self._pseudonym(customer)) \
            if token in value else (value, 0)
        _unmergeable(new, count, self.what, row)
        if count and limited and not self.many and (len(new.strip()) > MAX_ID_CHARS) != (
                len(value.strip()) > MAX_ID_CHARS):  # a row read, or refused, as it was
            raise RewriteError("E005", f"the {self.what} is {len(value.strip())} characters, "
                               f"{len(new.strip())} once its customer id is replaced: an id "
                               f"may have at most {MAX_ID_CHARS}, so the reader would "
                               f"{'refuse' if len(new.strip()) > MAX_ID_CHARS else 'read'} "
                               "the row it did not; shorten the id", row)
        if count and limited and not self.many and self.known is not None:
            self.known.setdefault(customer, set()).add(value.strip())
        if count and self.many:
            self._evidence.setdefault(customer, set()).update(
                one for one in value.split() if replace_token(one, token, "")[1])
        return new

    def problem(self, value: str, row: int, files: Collection[str] = ()) -> str:
        """A problem's text (a problem has no customer) with each event id it names that
        holds its customer's id — known by the run's event files or the bill's evidence,
        as written or as the engine writes it into an occurrence — rewritten as it is
        there. Refused (``E021``) when it would still name a customer id of the run inside
        an id (``files``: what the problems are about, whose ``file:row`` is no id), or,
        in a run without event files (``known`` None), any word that may be an id."""
        if self.key is None:
            return value
        if self._run is None:  # once the bill's lines are read: the problems come last
            self._run = _RunIds.of(self.known or {}, self._evidence,
                                   customers=self.customers, escape=self.escape)
        said = _replace_owned(value, self._run, self._rewritten)
        _refuse_customer_left(said, self._run, files, row)
        if self.known is None:  # no event files in the run: other customers are unknown
            _refuse_unknown_ids(said, files, row)
        return said

    def _rewritten(self, customer: str, old: str, escaped: bool) -> str:
        new = replace_token(old, customer.strip(), self._pseudonym(customer))[0]
        return self.escape(new) if escaped else new

    def mentions(self, customer: str, evidence: Sequence[str], value: str, *,
                 escaped: bool, row: int = 0) -> str:
        token = customer.strip()  # as inside the ids (``ids``)
        if self.key is None or not token or (
                token not in value and self.escape(token) not in value):
            return value  # an occurrence holds the id escaped: "K:1" as "K%3A1"
        named = {e for e in evidence if token in e} | (self.known or {}).get(customer, set())
        if any(c.isspace() for c in token):  # its ids hold spaces: the evidence split
            named |= set(_runs(evidence, token, value, self.escape if escaped else str))
        write = self.escape if escaped else str
        pairs = []
        for old in sorted(named, key=len, reverse=True):
            new, count = replace_token(old, token, self._pseudonym(customer))
            if count:
                pairs.append((write(old), write(new)))
        said = _replace_tokens(value, pairs)
        _refuse_raw_id_left(said, write(token), self.what, row)
        return said


# what a reason says that is no id, though a customer id may stand in it: a date or a
# month (as the engine writes them), a number
_NOT_IDS = re.compile(r"\d{4}-\d{2}(?:-\d{2})?|\d+[.,]\d+")
_RUN_EDGES = "()[]{},;:.!?'\""


def _refuse_raw_id_left(said: str, customer: str, what: str, row: int) -> None:
    """Refuse (``E021``) an occurrence or a reason that still names the customer id inside
    an id once its ids known to the run are rewritten (the engine's reason names a job not
    counted, which is not the line's evidence): written, the bill would keep a raw id. A
    customer id standing alone as a word, or inside a date, a month or a number, is no id of
    it."""
    text = _NOT_IDS.sub(" ", PSEUDONYM_SHAPE.sub(" ", said))
    for run in text.split():
        run = run.strip(_RUN_EDGES)
        if run != customer and replace_token(run, customer, "")[1]:
            raise RewriteError("E021", f"a line's occurrence or reason names an id of its "
                               f"customer that is not among its {what}s: pseudonymized "
                               "alone, the bill would keep the raw customer id there; give "
                               "the event files in the same run (rewardengine pseudonymize "
                               "EVENTS... --bill BILL), whose event ids are then rewritten "
                               "in the bill too", row)


@dataclass(frozen=True)
class _RunIds:
    """The event ids a run knows to hold their customer's id, by how a text may name them
    (as written, or escaped as in an occurrence), each with its customer and whether it is
    the escaped form (None: two customers' ids written alike, rewritten for neither), and
    every customer id of the run (as inside ids)."""

    owners: dict[str, tuple[str, str, bool] | None]
    customers: frozenset[str]
    longest: int  # of the names, and of the customer ids

    @classmethod
    def of(cls, *by_customer: dict[str, set[str]], customers: set[str],
           escape: Callable[[str], str]) -> _RunIds:
        owners: dict[str, tuple[str, str, bool] | None] = {}
        for known in by_customer:
            for customer, ids in known.items():
                for old in ids:
                    for name, escaped in ((old, False), (escape(old), True)):
                        if name in owners and (owners[name] or ("",))[0] != customer:
                            owners[name] = None
                        elif name not in owners:
                            owners[name] = (customer, old, escaped and name != old)
        tokens = customers | {c.strip() for known in by_customer for c in known}
        tokens.discard("")
        return cls(owners, frozenset(tokens), max(map(len, [*owners, *tokens]), default=0))


def _token_spans(text: str, longest: int) -> Iterator[tuple[int, int]]:
    """Every span of ``text`` standing as a whole token (as ``replace_token`` tells one),
    at most ``longest`` characters, from the left, the longest first at each start."""
    ends = [j for j in range(1, len(text) + 1) if j == len(text) or not text[j].isalnum()]
    first = 0
    for i in range(len(text)):
        if i and text[i - 1].isalnum():
            continue
        while first < len(ends) and ends[first] <= i:
            first += 1
        last = bisect.bisect_right(ends, i + longest, first)
        for k in range(last - 1, first - 1, -1):
            yield i, ends[k]


def _replace_owned(text: str, run: _RunIds,
                   rewritten: Callable[[str, str, bool], str]) -> str:
    """``text`` with each name of ``run.owners`` (the longest that fits) rewritten where it
    stands as a whole token, in one pass."""
    if not run.owners:
        return text
    out, at = [], 0
    for i, j in _token_spans(text, run.longest):
        if i < at:
            continue
        owner = run.owners.get(text[i:j])
        if owner is not None:
            out += [text[at:i], rewritten(*owner)]
            at = j
    return "".join(out) + text[at:]


def _refuse_customer_left(said: str, run: _RunIds, files: Collection[str], row: int) -> None:
    """Refuse (``E021``) a problem's text that still names a customer id of the run inside
    an id, as ``_refuse_raw_id_left`` a line's; its ``file:row`` references are no ids."""
    if not run.customers:
        return
    text = PSEUDONYM_SHAPE.sub(" ", said)
    for file in sorted(files, key=len, reverse=True):
        text = re.sub(re.escape(file) + r"(?::\d+)+", " ", text)
    for word in _NOT_IDS.sub(" ", text).split():
        word = word.strip(_RUN_EDGES)
        if any((i, j) != (0, len(word)) and word[i:j] in run.customers
               for i, j in _token_spans(word, run.longest)):
            raise RewriteError("E021", "a problem the bill lists names an id of a customer "
                               "of the run that no event file of the run holds: "
                               "pseudonymized, the bill would keep the raw customer id "
                               "there; give the event files in the same run (rewardengine "
                               "pseudonymize EVENTS... --bill BILL), whose event ids are "
                               "then rewritten in the bill too", row)


def _refuse_unknown_ids(said: str, files: Collection[str], row: int) -> None:
    """Refuse (``E021``) a problem's text that names a word of several parts (letters and
    digits joined by other characters, as an event id holds its customer id: ``c13-r2``)
    when the run has no event files. A problem names customers with no line on the bill
    (one that cannot be evaluated has none), whose ids only the event files tell: such a
    word may keep one raw. Pseudonyms, dates, numbers and ``file:row`` are no such word."""
    text = PSEUDONYM_SHAPE.sub(" ", said)
    for file in sorted(files, key=len, reverse=True):
        text = re.sub(re.escape(file) + r"(?::\d+)*", " ", text)
    for word in _NOT_IDS.sub(" ", text).split():
        if sum(alnum for alnum, _ in itertools.groupby(word, str.isalnum)) > 1:
            raise RewriteError("E021", "a problem the bill lists names what may be an id of "
                               "a customer with no line on the bill (a word of several "
                               "parts, as an event id), and no event file in the run tells "
                               "whose it is: pseudonymized alone, the bill could keep a raw "
                               "customer id there; give the event files in the same run "
                               "(rewardengine pseudonymize EVENTS... --bill BILL), whose "
                               "event ids are then rewritten in the bill too", row)


def _replace_tokens(text: str, pairs: Sequence[tuple[str, str]]) -> str:
    """``text`` with each ``old`` of ``pairs`` (the first that fits, longest first) replaced
    by its ``new`` where it stands as a whole token, in one pass: a pseudonym written in is
    never looked in again (customer ``ps`` stands as a token in its own ``ps_...``)."""
    out, at, i = [], 0, 0
    while i < len(text):
        for old, new in pairs:
            j = i + len(old)
            if old and text.startswith(old, i) and (i == 0 or not text[i - 1].isalnum()) \
                    and (j == len(text) or not text[j].isalnum()):
                out += [text[at:i], new]
                at = i = j
                break
        else:
            i += 1
    return "".join(out) + text[at:]


def _runs(evidence: Sequence[str], customer: str, value: str,
          escape: Callable[[str], str]) -> Iterator[str]:
    """The ids a text names that the evidence, split by spaces, split apart: runs of the
    evidence's words, joined by a space, that hold the customer id and stand in ``value``
    (as ``escape`` writes them there)."""
    for i in range(len(evidence)):
        for j in range(i + 2, len(evidence) + 1):
            run = " ".join(evidence[i:j])
            if customer in run and escape(run) in value:
                yield run


@dataclass(frozen=True)
class IdColumns:
    """Where a file's ids are, by name (in any case): the cells of event ids (``ids``) and
    of text naming them (``mentions``, with whether event ids are written escaped there)."""

    ids: tuple[str, ...] = ()
    mentions: tuple[tuple[str, bool], ...] = ()
    more: tuple[str, ...] = ()  # other ids treated as ``ids`` are, but named by no text
    # JSON members listing problems, which carry no customer but may name any customer's
    # event ids (an invoice's ``problems``)
    problems: tuple[str, ...] = ()


def bill_ids(occurrence: str | None = None) -> IdColumns:
    """A bill's ids: its evidence, and its occurrence (``occurrence``, when mapped with
    ``--map``) and reason that name them."""
    return IdColumns(EVIDENCE_KEYS, ((occurrence or "occurrence", True), ("reason", False)),
                     problems=PROBLEM_KEYS)


EVENT_IDS = IdColumns(EVENT_ID_KEYS, more=SPELL_ID_KEYS)
BILL_IDS = bill_ids()


def rewrite_csv(source: TextSource, columns: Sequence[str], delimiter: str | None,
                replace: Replace, write: Callable[[str], object], bill: bool = False,
                ids: IdRewrite | None = None, where: IdColumns = IdColumns()) -> None:
    """Write ``source`` again with the customer column's cells replaced (and with ``ids``,
    the customer id inside the row's ids, ``where`` they are), every other character
    (other cells, quotes, spaces, line ends, a ``sep=`` line) as it was."""
    said, length = sep_line(source.head())
    if length:
        write(source.head()[:length])
        source.skip(length)
    if said is not None and delimiter is not None and said != delimiter:
        raise RewriteError("E001", f"the file's first line says sep={said!r} but the "
                           f"delimiter given is {delimiter!r}", 1)
    delimiter = delimiter or said or ","
    taken: list[str] = []
    source.progress = Progress()
    csv.field_size_limit(MAX_FIELD_CHARS)  # as the readers, in a process that ran none
    reader = csv.reader(_recording(source.lines(), taken), delimiter=delimiter)
    column: int | None = None
    found = _Found()
    for row, cells in _records(reader, source.progress):
        record = "".join(taken)
        taken.clear()
        if column is None:
            header = trim_header(cells)
            column = _header_column(header, columns, delimiter) if header else None
            found = _Found.of(header, where) if header and ids is not None else found
        elif column < len(cells) and cells[column].strip() and not (
                bill and sum_label(cells[column])):  # "Yhteensä" is no customer
            value = _bare(cells[column].strip(), bill)  # a bill cell neutralised for
            edits = {column: _customer_cell(replace(value, row))}  # spreadsheets
            if ids is not None:
                edits.update(found.edits(cells, value, ids, row, bill))
            record = _with_cells(record, delimiter, edits)
        elif ids is not None and ids.key is None:  # --check: a line with no customer (a
            found.look(cells, ids, row, bill)     # bill's contract-level line) too
        write(record)
    if column is None:
        raise RewriteError("E001", f"no customer column (looked for {', '.join(columns)})",
                           1)


def _bare(value: str, bill: bool) -> str:
    """A bill cell without the apostrophe a spreadsheet-safe CSV puts before ``-x1``."""
    return value[1:] if bill and value.startswith("'") and needs_apostrophe(value[1:]) \
        else value


def _rewritten(value: str, bill: bool, rewrite: Callable[[str], str]) -> str:
    """A cell as read with ``rewrite`` applied to its text: spaces around it, and a bill's
    apostrophe before a text that still needs it, kept."""
    body = value.strip()
    bare = _bare(body, bill)
    new = rewrite(bare)
    if new == bare:
        return value
    if bare is not body and needs_apostrophe(new):
        new = "'" + new
    return value[:len(value) - len(value.lstrip())] + new + value[len(value.rstrip()):]


@dataclass(frozen=True)
class _Found:
    """The columns (from 0) of a CSV file's ids and of the text that names them."""

    ids: int | None = None
    mentions: tuple[tuple[int, bool], ...] = ()
    more: tuple[int, ...] = ()

    @classmethod
    def of(cls, header: Sequence[str], where: IdColumns) -> _Found:
        at = id_column(header, where.ids)
        mentions = tuple((i, escaped) for name, escaped in where.mentions
                         for i in [id_column(header, (name,))] if i is not None)
        more = tuple(i for name in where.more for i in [id_column(header, (name,))]
                     if i is not None)
        return cls(at, mentions, more)

    def look(self, cells: Sequence[str], ids: IdRewrite, row: int, bill: bool) -> None:
        """The row's ids looked at (``--check``) where the row has no customer id."""
        for at in (self.ids, *self.more):
            if at is not None and at < len(cells):
                ids.ids("", _bare(cells[at].strip(), bill), row)

    def more_edits(self, cells: Sequence[str], customer: str, ids: IdRewrite, row: int
                   ) -> dict[int, Callable[[str], str]]:
        """How the row's other id cells (a spell id) that change are written."""
        out: dict[int, Callable[[str], str]] = {}
        for at in self.more:
            if at < len(cells):
                new = _rewritten(cells[at], False, lambda text: ids.ids(customer, text, row,
                                                                        limited=False))
                if new != cells[at]:
                    out[at] = _quoted_as(new)
        return out

    def edits(self, cells: Sequence[str], customer: str, ids: IdRewrite, row: int,
              bill: bool) -> dict[int, Callable[[str], str]]:
        """How the row's id cells that change are written."""
        out = self.more_edits(cells, customer, ids, row)
        if self.ids is None or self.ids >= len(cells):
            return out
        old = cells[self.ids]
        new = _rewritten(old, bill, lambda text: ids.ids(customer, text, row))
        if new == old:
            return out
        out[self.ids] = _quoted_as(new)
        evidence = _bare(old.strip(), bill).split()
        for at, escaped in self.mentions:
            if at < len(cells):
                said = _rewritten(cells[at], bill, partial(
                    ids.mentions, customer, evidence, escaped=escaped, row=row))
                if said != cells[at]:
                    out[at] = _quoted_as(said)
        return out


def id_column(header: Sequence[str], names: Sequence[str]) -> int | None:
    """Where the column named as one of ``names`` is (in any case), or None; two such
    columns are refused (``E001``), as one left as it was would keep raw ids."""
    found = _named(header, names)
    if len(found) > 1:
        raise RewriteError("E001", f"{len(found)} columns may hold {names[0]} values (columns "
                           f"{', '.join(str(i + 1) for i in found)}): rewriting one would "
                           "leave the others' customer ids as they are; keep one", 1)
    return found[0] if found else None


def _named(header: Sequence[str], names: Sequence[str]) -> list[int]:
    wanted = {c.casefold() for c in names}
    return [i for i, h in enumerate(header) if h.strip().casefold() in wanted]


def _customer_cell(new: str) -> Callable[[str], str]:
    """A customer cell written as ``new`` (which needs no quoting): its spaces and quotes
    kept."""
    def cell(old: str) -> str:
        if old.startswith('"'):
            return '"' + new + '"'
        return old[:len(old) - len(old.lstrip())] + new + old[len(old.rstrip()):]
    return cell


def _quoted_as(new: str) -> Callable[[str], str]:
    """A cell written as the value ``new``: quoted when it was (a quote doubled), as it is
    when not (a rewrite adds no delimiter, quote or line end)."""
    return lambda old: '"' + new.replace('"', '""') + '"' if old.startswith('"') else new


def _recording(lines: Iterator[str], taken: list[str]) -> Iterator[str]:
    for line in lines:
        taken.append(line)
        yield line


def _records(reader: Iterator[list[str]], progress: Progress
             ) -> Iterator[tuple[int, list[str]]]:
    row = 0
    while True:
        progress.rows = row
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RewriteError("E010", f"unreadable CSV row: {exc}", row) from None
        except LineTooLong as exc:
            raise RewriteError("F004", str(exc), row) from None
        yield row, cells


def _header_column(header: list[str], columns: Sequence[str], delimiter: str) -> int:
    """The customer column of a CSV header; a header that is one cell holding another
    delimiter says so and which option reads it, as the reader says (not 'no customer
    column' of a file that has one)."""
    try:
        return customer_column(header, columns, 1)
    except RewriteError:
        hint = delimiter_hint(header, delimiter)
        if hint is None:
            raise
        raise RewriteError("E001", hint, 1) from None


def customer_column(header: Sequence[str], columns: Sequence[str], row: int | None) -> int:
    """Where the customer column is (from 0): the one column named as one of ``columns``
    (in any case). None, or two (``customer_id`` and ``CUSTOMER_ID``, or ``customer_id``
    and ``customer``), is RewriteError: one left as it was would keep the raw ids."""
    found = _named(header, columns)
    if not found:
        raise RewriteError("E001", f"no customer column (looked for {', '.join(columns)})",
                           row)
    if len(found) > 1:
        raise RewriteError("E001", f"{len(found)} columns may hold customer ids (columns "
                           f"{', '.join(str(i + 1) for i in found)}): pseudonymizing one "
                           "would leave the others' ids as they are; keep one", row)
    return found[0]


def _with_cells(record: str, delimiter: str,
                edits: dict[int, Callable[[str], str]]) -> str:
    """``record`` with each cell ``column`` of ``edits`` written anew from its old text."""
    body = record.rstrip("\r\n")
    ending = record[len(body):]
    if '"' not in body:  # the common case: no quoting, the cells are what split gives
        cells = body.split(delimiter)
        for column, cell in edits.items():
            cells[column] = cell(cells[column])
        return delimiter.join(cells) + ending
    spans = sorted(((_cell_span(body, delimiter, column), cell)
                    for column, cell in edits.items()), key=lambda s: s[0], reverse=True)
    for (start, end), cell in spans:  # from the right: the spans to the left stay put
        body = body[:start] + cell(body[start:end]) + body[end:]
    return body + ending


def _cell_span(body: str, delimiter: str, column: int) -> tuple[int, int]:
    """Where cell ``column`` is in a record with quotes (as the csv module reads it)."""
    i, n = 0, len(body)
    for index in range(column + 1):
        start = i
        if i < n and body[i] == '"':  # a quoted cell: up to the closing quote ("" is a quote)
            i += 1
            while i < n and not (body[i] == '"' and body[i + 1:i + 2] != '"'):
                i += 2 if body[i] == '"' else 1
            i += 1
        j = body.find(delimiter, i)
        end = n if j == -1 else j
        if index == column:
            return start, end
        i = end + 1
    return n, n  # not reached: the column exists (csv read it)


def rewrite_jsonl(source: TextSource, keys: Sequence[str], replace: Replace,
                  write: Callable[[str], object], ids: IdRewrite | None = None,
                  where: IdColumns = IdColumns()) -> None:
    """Write JSON Lines again with the values of ``keys`` (at any depth) replaced (and with
    ``ids``, the customer id inside the object's ids, ``where`` they are)."""
    row, first = 0, True
    lines = source.lines()
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except LineTooLong as exc:
            raise RewriteError("F004", str(exc), row + 1) from None
        row += 1
        if line.strip():
            if first:  # told by its first line, as a document's opening
                _refuse_json_document(line, row)
                first = False
            line = rewrite_json_text(line, keys, replace, row, ids, where)
        write(line)


def _refuse_json_document(line: str, row: int) -> None:
    """A line of JSON Lines is an object: one that is a list, or that opens an object it
    does not close (an indented JSON document: a bill, as the docs' own example gives
    ``bill.csv``), is no event file's line; said so, not 'invalid JSON' of valid JSON."""
    text = line.strip()
    if text.startswith("[") or (text.startswith("{") and text.endswith(("{", "[", ","))):
        raise RewriteError("E010", "a JSON document, not JSON Lines (an event file has one "
                           "object per line): if it is a bill, give it with --bill", row)


_WS = re.compile(r"[ \t\n\r]*")
_SCALARS = json.JSONDecoder(parse_float=Decimal)
MAX_JSON_DEPTH = 100


def _skip(text: str, i: int) -> int:
    """Past the white space at ``i``."""
    m = _WS.match(text, i)
    return m.end() if m else i


@dataclass(frozen=True)
class _Span:
    """A JSON value to write anew: a customer id (``what`` None), or an id or a text naming
    ids (``what`` "ids", "more" for a spell id, or "mentions") of the object whose customer
    id is ``customer``, or a problem's text (``what`` "problem", ``evidence`` the file it
    is about)."""

    start: int
    stop: int
    what: str | None = None
    customer: str = ""
    evidence: tuple[str, ...] = ()
    escaped: bool = False


def rewrite_json_text(text: str, keys: Sequence[str], replace: Replace, row: int,
                      ids: IdRewrite | None = None, where: IdColumns = IdColumns()) -> str:
    """A JSON text with every string (or number) value of a member named in ``keys``
    replaced (and with ``ids``, the customer id inside the object's ids, ``where`` they
    are); every other character as it was."""
    spans: list[_Span] = []
    look = _Looking(frozenset(keys), where if ids is not None else IdColumns(),
                    ids is not None and ids.key is None)
    try:
        json.loads(text, parse_float=Decimal)  # only valid JSON is walked below
        end = _json_value(text, _skip(text, 0), look, spans, 0)
    except (ValueError, IndexError, RecursionError):
        raise RewriteError("E010", "invalid JSON", row) from None
    if text[_skip(text, end):].strip():
        raise RewriteError("E010", "invalid JSON: more after the value", row)
    files = frozenset(f for span in spans if span.what == "problem" for f in span.evidence)
    written: dict[int, str] = {}
    # a problem's texts last: they may name the ids of the lines' evidence (and customers)
    for span in sorted(spans, key=lambda s: (s.what == "problem", s.start)):
        written[span.start] = _anew(text, span, replace, row, ids, files)
    out, at = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        out += [text[at:span.start], written[span.start]]
        at = span.stop
    return "".join(out) + text[at:]


def _anew(text: str, span: _Span, replace: Replace, row: int, ids: IdRewrite | None,
          files: frozenset[str]) -> str:
    """The JSON value of ``span`` as it is written anew."""
    old = text[span.start:span.stop]
    value = json.loads(old, parse_float=Decimal)
    written = value if isinstance(value, str) else old
    if span.what is None:
        if ids is not None and ids.many:  # a bill's: its problems may name its ids
            ids.customers.add(written.strip())
        return json.dumps(replace(written, row))
    assert ids is not None  # spans of ids are only looked for with ``ids``
    if span.what == "problem":  # its row: the line of the document it is on
        said = ids.problem(written, row + text.count("\n", 0, span.start), files)
    elif span.what in ("ids", "more"):
        said = ids.ids(span.customer, written, row, span.what == "ids")
    else:
        said = ids.mentions(span.customer, span.evidence, written, escaped=span.escaped,
                            row=row)
    return old if said == written else '"' + said + '"' if "\\" not in old else \
        _json_string_again(old, said)


def _json_string_again(old: str, said: str) -> str:
    """The JSON string ``old`` (which has escapes) written as the value ``said``: the
    characters before and after what changed as ``old`` wrote them, what changed escaped as
    ASCII (so a lone surrogate or a character the bill's encoding lacks, written escaped in
    ``old``, is never written raw)."""
    units = list(_JSON_UNIT.findall(old[1:-1]))  # one character each, as written
    value = [json.loads('"' + u + '"') for u in units]
    keep = 0
    while keep < min(len(value), len(said)) and value[keep] == said[keep]:
        keep += 1
    tail = 0
    while tail < min(len(value), len(said)) - keep and value[-1 - tail] == said[-1 - tail]:
        tail += 1
    middle = json.dumps(said[keep:len(said) - tail])[1:-1]
    return '"' + "".join(units[:keep]) + middle + "".join(units[len(units) - tail:]) + '"'


# a character of a JSON string as written: a surrogate pair, another escape, or itself
_JSON_UNIT = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
                        r"|\\u[0-9a-fA-F]{4}|\\.|.", re.DOTALL)


@dataclass(frozen=True)
class _Looking:
    keys: frozenset[str]  # the customer id's names
    where: IdColumns
    all: bool = False  # the ids of objects without a customer id too (--check)


def _json_value(text: str, i: int, look: _Looking, spans: list[_Span], depth: int,
                within: str | None = None) -> int:
    """Parse the JSON value at ``i`` (of the member ``within``, or an item of its list);
    return where it ends; note the spans to replace."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError("nested too deeply")
    if text[i] == "{":
        i = _skip(text, i + 1)
        members: dict[str, tuple[int, int]] = {}
        while text[i] != "}":
            if text[i] != '"':
                raise ValueError("a key")
            key, i = _SCALARS.raw_decode(text, i)
            i = _skip(text, i)
            if text[i] != ":":
                raise ValueError("a colon")
            start = _skip(text, i + 1)
            i = _json_value(text, start, look, spans, depth + 1, key)
            if key in look.keys and text[start] in '"-0123456789':
                spans.append(_Span(start, i))
            members[key] = (start, i)
            i = _skip(text, i)
            if text[i] == ",":
                i = _skip(text, i + 1)
        if look.where.ids:
            _id_spans(text, members, look, spans, within)
        return i + 1
    if text[i] == "[":
        i = _skip(text, i + 1)
        while text[i] != "]":
            i = _skip(text, _json_value(text, i, look, spans, depth + 1, within))
            if text[i] == ",":
                i = _skip(text, i + 1)
        return i + 1
    _, end = _SCALARS.raw_decode(text, i)
    return int(end)


def _id_spans(text: str, members: dict[str, tuple[int, int]], look: _Looking,
              spans: list[_Span], within: str | None = None) -> None:
    """The spans of an object's ids (a string, or the strings of a list) and of its texts
    naming them, with the object's customer id; of a problem's texts, which has none."""
    customer = next((text[a:b] for k, (a, b) in members.items()
                     if k in look.keys and text[a] in '"-0123456789'), None)
    if customer is None and within in look.where.problems and not look.all:
        _problem_spans(text, members, spans)
        return
    if customer is None and not look.all:
        return
    if customer is not None:
        value = json.loads(customer, parse_float=Decimal)
        customer = value if isinstance(value, str) else customer
    else:
        customer = ""  # looked at only (--check): nothing of it is replaced
    evidence: list[str] = []
    for key in look.where.ids:
        if key not in members:
            continue
        start, stop = members[key]
        found = json.loads(text[start:stop])
        if isinstance(found, str):
            spans.append(_Span(start, stop, "ids", customer))
            evidence += found.split()
        elif isinstance(found, list):
            spans += [_Span(a, b, "ids", customer) for a, b in _strings_in(text, start)]
            evidence += [e for e in found if isinstance(e, str)]
        elif text[start] in "-0123456789":  # a number, read as its text (as the customer
            spans.append(_Span(start, stop, "ids", customer))  # id): rewritten, a text
            evidence.append(text[start:stop])
    for key in look.where.more:
        if key in members and text[members[key][0]] == '"':
            spans.append(_Span(*members[key], "more", customer))
    for key, escaped in look.where.mentions:
        if key in members and text[members[key][0]] == '"':
            spans.append(_Span(*members[key], "mentions", customer, tuple(evidence),
                               escaped))


# what a problem says that names no event: its code, its severity, the file it is about
_NOT_NAMING = frozenset(("code", "severity", "file"))


def _problem_spans(text: str, members: dict[str, tuple[int, int]], spans: list[_Span]
                   ) -> None:
    """The spans of a problem's texts (its message, an id it carries), each with the file
    the problem is about (its ``file:row`` references are no ids)."""
    where = members.get("file")
    file = json.loads(text[slice(*where)]) if where is not None else None
    files = (file,) if isinstance(file, str) and file else ()
    spans += [_Span(a, b, "problem", evidence=files) for key, (a, b) in members.items()
              if key not in _NOT_NAMING and text[a] == '"']


def _strings_in(text: str, i: int) -> Iterator[tuple[int, int]]:
    """The spans of the strings in the JSON list at ``i``."""
    i = _skip(text, i + 1)
    while text[i] != "]":
        start = i
        i = _json_value(text, i, _Looking(frozenset(), IdColumns()), [], 0)
        if text[start] == '"':
            yield start, i
        i = _skip(text, i)
        if text[i] == ",":
            i = _skip(text, i + 1)


# --- one file, end to end ----------------------------------------------------------------

BILL_KEYS = ("customer_id", "customer")
_IN_BILLS = {"E001": "B001", "E010": "B005"}


BillDecoder = Callable[[bytes], tuple[str, Callable[[str], bytes]]]  # text, how to write


def rewrite_file(path: str, out: BinaryIO | None, *, key: bytes | None, bill: bool,
                 columns: Sequence[str], encoding: str | None, delimiter: str | None,
                 max_json_bytes: int,
                 delimiter_of: Callable[[str], str | None] | None = None,
                 where: IdColumns | None = None,
                 escape: Callable[[str], str] = str,
                 bill_text: BillDecoder | None = None,
                 known: dict[str, set[str]] | None = None) -> list[Problem]:
    """Write the file at ``path`` to ``out`` with each customer id replaced by its keyed
    pseudonym, in the file's own encoding and format. Without a key nothing is written: the
    problems then say which ids look personal (``E015``, ``E016``). An event file is CSV or
    JSON Lines, a bill CSV or one JSON document; ``columns`` name the customer column;
    ``delimiter_of`` tells a CSV's delimiter from the file's head (read once, so a pipe
    works). The customer id is replaced inside the row's ids too (``where``: by default an
    event file's event id, a bill's evidence, occurrence and reason; ``escape`` writes an
    event id into an occurrence). ``bill_text`` reads a bill's bytes (at most
    ``max_json_bytes``) as ``verify`` does, and says how to write its text back. ``known``
    gathers the event ids of event files, by customer, and rewrites them in a bill's
    occurrences and reasons (pass the same one to the run's event files, then its bills)."""
    findings = Findings()
    replace = replacing(key, findings, None if bill else MAX_ID_CHARS)  # a bill's: any
    where = where if where is not None else BILL_IDS if bill else EVENT_IDS
    ids = IdRewrite(key, "evidence id" if bill else "event id", escape, many=bill,
                    known=known)
    lower = path.lower()

    def rewrite(source: TextSource, write: Callable[[str], object], size: int) -> None:
        head = source.head()
        if _is_json(lower, head, bill) and bill:
            if size > max_json_bytes:
                raise RewriteError("B005", "the bill is too large")
            write(rewrite_json_text(source.whole(), columns, replace, 1, ids, where))
        elif _is_json(lower, head, bill):
            rewrite_jsonl(source, columns, replace, write, ids, where)
        else:
            told = delimiter_of(head) if delimiter_of is not None else delimiter
            rewrite_csv(source, columns, told, replace, write, bill, ids, where)
    try:
        with open(path, "rb") as fh:
            if bill and bill_text is not None:
                _rewrite_bill(fh, out, bill_text, max_json_bytes, rewrite)
            else:
                source = TextSource(fh, encoding)
                source.head()
                rewrite(source, _writer(out, encoding, source.bom),
                        os.fstat(fh.fileno()).st_size)
    except OSError as exc:
        return [Problem("F001", f"cannot read file: {exc.strerror or exc}", Source(path))]
    except Undecodable as exc:
        return [Problem("F003", undecodable_message(exc, encoding), Source(path))]
    except RewriteError as exc:
        code = _IN_BILLS.get(exc.code, exc.code) if bill else exc.code
        return [Problem(code, str(exc), Source(path, row=exc.row))]
    return findings.problems(path) + ids.held.problems(path)


def _rewrite_bill(fh: BinaryIO, out: BinaryIO | None, bill_text: BillDecoder,
                  max_bytes: int,
                  rewrite: Callable[[TextSource, Callable[[str], object], int], None]) -> None:
    """A bill read whole as ``bill_text`` reads it, rewritten, and written back by the
    encoder it gives (the bill's byte-order mark and encoding)."""
    raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise RewriteError("B005", "the bill is too large")
    text, encode = bill_text(raw)
    parts: list[str] = []
    rewrite(TextSource(io.BytesIO(text.encode("utf-8")), None, sniff=False), parts.append,
            len(raw))
    if out is not None:
        out.write(encode("".join(parts)))


def _is_json(lower: str, head: str, bill: bool) -> bool:
    """As the readers tell: events by ``.jsonl``/``.ndjson``/``.json`` or a first ``{``;
    bills by ``.json`` or a first ``[`` or ``{``."""
    if bill:
        return lower.endswith(".json") or (not lower.endswith(".csv")
                                           and head.lstrip().startswith(("[", "{")))
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return True
    return not lower.endswith(".csv") and head.lstrip().startswith("{")


def _writer(out: BinaryIO | None, encoding: str | None, bom: bool) -> Callable[[str], object]:
    """Text to ``out`` in the input's encoding (its byte-order mark again, if it had one)."""
    if out is None:
        return lambda text: None
    if bom:
        out.write(codecs.BOM_UTF8)
    encoder = codecs.getincrementalencoder(encoding or "utf-8")()
    return lambda text: out.write(encoder.encode(text))
