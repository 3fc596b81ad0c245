"""A compiled per-column reader for the common, valid event row: the same event the pydantic
models make, about ten times faster.

``fast_event(raw, file, row)`` checks every value of one row with a plain function per column
(dates, decimals, whole numbers, booleans, the literal kinds and evidence levels, lengths,
ranges and the rules between fields) and returns the event built without pydantic, or None
whenever it is not certain the row is valid as written. A None sends the row to the pydantic
models, which say what is wrong with the usual located problem: so the fast path only ever
accepts a subset of what the models accept, and never words a problem itself.
``tests/test_fast_reader.py`` holds the two paths equal on the fuzz corpus: the same events,
the same problems.

``compile_header(header, dialect)`` does the same for a CSV file's rows as they come, once
per header: for each event type, the columns it takes (with their checks, after the
dialect's conversion of dates and numbers) and the columns it must find empty, so a row is
read by position from its list of cells, with no dict of cells and no ``Source`` per row.
Values that repeat (dates, amounts, kinds) are checked once and remembered (they are
immutable), and events that set the same fields share one fields-set object. A row it is
unsure of is read as field -> value by the usual path (``events/read.py``), which asks
``fast_event`` and then the models.

``read_rows(readers, rows, ...)`` reads a block of such rows (a few hundred) column by
column: the rows of each type are turned into columns, each checked column is looked up at
once among the values its check gave before (a value new to it is checked and remembered),
the text columns are stripped at once, and the events are built a field at a time over the
whole block (the loops run in C: ``map`` over the block). Any row the block is unsure of — a
value its check refuses, spaces around a value, a value in a column its type does not take,
an id too long, an end before the date, a rule between fields — is read alone by the row's
reader above, which decides as ever; so a block gives exactly the events its rows read one
at a time give (``tests/test_fast_reader.py`` holds them equal).

``drawn_events(event_type, fields, ...)`` does the same for rows the generator drew, given as
each field's column of texts (no line, no CSV): the same checks, remembered, the same rules
between fields and the same construction; what the generator cannot write (spaces around a
value, a value in a column a type does not take) is not looked for.

Accepted as written (anything else goes to the models): ISO dates ``YYYY-MM-DD`` of the years
1900 to 2199; decimals of ASCII digits with an optional point (``37.5``, no sign, no ``_``);
whole numbers of ASCII digits; ``true``/``false`` (or JSON booleans).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from itertools import compress, groupby, repeat
from operator import is_, itemgetter, ne, truth
from typing import Any, Final, cast

from pydantic import BaseModel

from ..tabular import ISO_DATES, MAX_ID_CHARS, MAX_NUMBER_CHARS, Dialect
from .model import EVENT_MODELS, MAX_BENEFIT_DAYS, EventBase

_MIN_YEAR, _MAX_YEAR = 1900, 2199
_BIG: Final = Decimal("1e15")
_ONE: Final = Decimal(1)
_DATES: dict[str, dt.date] = {}  # the same dates repeat on every row: one object each
_MAX_CACHED_DATES: Final = 200_000
_DIGITS: Final = frozenset("0123456789")
Check = Callable[[Any], Any]
_MAX_REMEMBERED: Final = 20_000  # values a compiled reader keeps per check (text -> value)
# the columns read as numbers and as dates: a dialect converts them, and a number may have
# at most MAX_NUMBER_CHARS characters (none reaches Decimal arithmetic of thousands of digits)
NUMBER_FIELDS = frozenset({"hours", "hours_per_week", "fte", "wage", "amount", "score", "days",
                           "benefit_days"})
DATE_FIELDS = frozenset({"date", "recorded", "end", "unemployed_since", "birth_date"})


class _Unsure(Exception):
    """The value may be valid, but only the models can say: read the row with them."""


def _date(value: Any) -> dt.date:
    if type(value) is not str:
        raise _Unsure
    cached = _DATES.get(value)
    if cached is not None:
        return cached
    if len(value) != 10 or value[4] != "-" or value[7] != "-" \
            or not _DIGITS.issuperset(value[:4] + value[5:7] + value[8:]):
        raise _Unsure
    try:
        parsed = _in_years(dt.date(int(value[:4]), int(value[5:7]), int(value[8:])))
    except ValueError:
        raise _Unsure from None
    if len(_DATES) >= _MAX_CACHED_DATES:
        _DATES.clear()
    _DATES[value] = parsed
    return parsed


def _in_years(day: Any) -> dt.date:
    """A date (a ``datetime`` is not one) of the years read."""
    if type(day) is not dt.date or not _MIN_YEAR <= day.year <= _MAX_YEAR:
        raise _Unsure
    return day


def _decimal(value: Any) -> Decimal:
    """A plain decimal (``12``, ``37.5``); >= 0 and below 1e15."""
    if type(value) is not str or not value or len(value) > MAX_NUMBER_CHARS:
        raise _Unsure
    whole, point, fraction = value.partition(".")
    if not whole or not _DIGITS.issuperset(whole) or (point and (
            not fraction or not _DIGITS.issuperset(fraction))):
        raise _Unsure
    return _below_big(Decimal(value))


def _below_big(number: Decimal) -> Decimal:
    if number >= _BIG:
        raise _Unsure
    return number


def _money(value: Any) -> Decimal:
    return _cents(_decimal(value))


def _cents(number: Decimal) -> Decimal:
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise _Unsure
    return number


def _fraction(value: Any) -> Decimal:
    return _at_most_one(_decimal(value))


def _at_most_one(number: Decimal) -> Decimal:
    if number > _ONE:
        raise _Unsure
    return number


def _whole(value: Any) -> int:
    if type(value) is not str or not value or len(value) > MAX_NUMBER_CHARS \
            or not _DIGITS.issuperset(value):
        raise _Unsure
    return int(value)


def _days(value: Any) -> int:
    return _month_of_days(_whole(value))


def _month_of_days(number: int) -> int:
    if number > 31:
        raise _Unsure
    return number


def _cumulative_days(value: Any) -> int:
    return _benefit_days_bound(_whole(value))


def _benefit_days_bound(number: int) -> int:
    if number > MAX_BENEFIT_DAYS:
        raise _Unsure
    return number


def _score(value: Any) -> Decimal:
    """A survey score: a plain decimal, perhaps negative (no bound)."""
    if type(value) is str and value.startswith("-"):
        _decimal_any(value[1:])
        return Decimal(value)  # "-0" stays -0, as the models read it
    return _decimal_any(value)


def _decimal_any(value: Any) -> Decimal:
    if type(value) is not str or not value or len(value) >= MAX_NUMBER_CHARS:
        raise _Unsure
    whole, point, fraction = value.partition(".")
    if not whole or not _DIGITS.issuperset(whole) or (point and (
            not fraction or not _DIGITS.issuperset(fraction))):
        raise _Unsure
    return Decimal(value)


def _bool(value: Any) -> bool:
    if value is True or value == "true":
        return True
    if value is False or value == "false":
        return False
    raise _Unsure


def _text(value: Any) -> str:
    if type(value) is not str:
        raise _Unsure
    return value


def _nonempty_text(value: Any) -> str:
    if type(value) is not str or not value:
        raise _Unsure
    return value


def _id(value: Any) -> str:
    """An id (its length of at most MAX_ID_CHARS is checked with the whole row)."""
    if type(value) is not str or not value:
        raise _Unsure
    return value


def _short_id(value: Any) -> str:
    """An id of at most MAX_ID_CHARS characters (an employer's)."""
    if type(value) is not str or not 1 <= len(value) <= MAX_ID_CHARS:
        raise _Unsure
    return value


def _one_of(*allowed: str) -> Callable[[Any], str]:
    choices = frozenset(allowed)

    def check(value: Any) -> str:
        if type(value) is not str or value not in choices:
            raise _Unsure
        return value
    return check


_COMMON: dict[str, Callable[[Any], Any]] = {
    "event_id": _id, "customer_id": _id, "date": _date, "recorded": _date, "end": _date,
    "spell_id": _text, "void": _bool, "type": _text,
}
_BY_TYPE: dict[str, dict[str, Callable[[Any], Any]]] = {
    "referral": {"provider": _text, "segment": _text, "unemployed_since": _date,
                 "birth_date": _date, "partial_work_ability": _bool, "benefit_days": _whole},
    "service_start": {"provider": _text},
    "service_end": {"reason": _text},
    "hours": {"hours": _decimal, "activity": _text, "provider": _text},
    "contact": {"responded": _bool, "provider": _text},
    "employment": {"hours_per_week": _decimal, "fte": _fraction,
                   "kind": _one_of("open", "subsidised", "entrepreneur", "apprenticeship"),
                   "evidence": _one_of("register", "te_office", "employer", "self_report"),
                   "wage": _money, "employer": _short_id},
    "education": {"kind": _text},
    "benefit": {"days": _days, "amount": _money, "cumulative_days": _cumulative_days},
    "survey": {"instrument": _nonempty_text, "score": _score},
    "expense": {"amount": _money, "description": _text, "category": _text,
                "provider": _text},
    "earnings": {"amount": _money,
                 "evidence": _one_of("register", "te_office", "employer", "self_report"),
                 "kind": _one_of("open", "subsidised", "entrepreneur", "apprenticeship")},
}
# what each type must have besides the common four (what it needs one of: _BETWEEN)
_REQUIRED = {"hours": ("hours",), "contact": ("responded",), "employment": ("kind", "evidence"),
             "survey": ("instrument", "score"), "expense": ("amount",),
             "earnings": ("amount", "evidence")}
_CHECKS = {t: {**_COMMON, **fields} for t, fields in _BY_TYPE.items()}
# every field with its default, in the models' order, so an event built here equals theirs
_TEMPLATES = {t: {name: None if f.is_required() or f.default_factory is not None
                  else f.default for name, f in m.model_fields.items()}
              for t, m in EVENT_MODELS.items()}
# the fields a row of each type must have (None in its template until given)
_NEEDED = {t: frozenset({"event_id", "customer_id", "date", *_REQUIRED.get(t, ())})
           for t in _CHECKS}
_ALWAYS_GIVEN = frozenset({"file", "row"})
_GIVEN: dict[frozenset[str], set[str]] = {}  # the fields rows set -> one set for their events
# an instance's parts, set through the slots pydantic declares (as ``model_construct`` does)
_NEW = object.__new__
_SET_DICT = BaseModel.__dict__["__dict__"].__set__
_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__


def fast_event(raw: dict[str, Any], file: str, row: int) -> EventBase | None:
    """The event of a row given as field -> value (empty values removed), or None when only
    the models can decide (the row may be invalid, or written in a form read only there)."""
    event_type = raw.get("type")
    if type(event_type) is not str or event_type not in _CHECKS:
        return None
    checks = _CHECKS[event_type]
    data = _TEMPLATES[event_type].copy()  # the models' field order; updating keeps it
    given = {"file", "row"}
    attributes: dict[str, str] | None = None
    try:
        for key, value in raw.items():
            check = checks.get(key)
            if check is not None:
                data[key] = check(value)
                given.add(key)
            elif event_type == "referral" and key.startswith("attr_") and len(key) > 5:
                if attributes is None:
                    attributes = {}
                attributes[key] = str(value)
            else:
                return None
    except _Unsure:
        return None
    if attributes is not None:
        given.add("attributes")
    if not _complete(event_type, data, given):
        return None
    return _build(event_type, data, _shared(given), attributes, file, row)


def _complete(event_type: str, data: dict[str, Any], given: set[str]) -> bool:
    """The rules between a row's fields, on its values over the template (``given``: the
    fields the row set): True when the models surely accept them."""
    return _NEEDED[event_type] <= given and _fits(event_type, data)


def _fits(event_type: str, data: dict[str, Any]) -> bool:
    """The rules between a row's fields that ask for their values (``_complete``'s)."""
    if len(data["event_id"]) > MAX_ID_CHARS or len(data["customer_id"]) > MAX_ID_CHARS:
        return False
    end = data["end"]
    if end is not None and (end < data["date"] or event_type == "earnings"):
        return False  # an earnings row has no end: the models say so
    between = _BETWEEN.get(event_type)
    return between is None or between(data)


def _employment(data: dict[str, Any]) -> bool:
    return data["hours_per_week"] is not None or data["fte"] is not None


def _benefit(data: dict[str, Any]) -> bool:
    cumulative, days = data["cumulative_days"], data["days"]
    if days is None:
        return data["amount"] is not None
    return cumulative is None or cumulative >= days


_BETWEEN: dict[str, Callable[[dict[str, Any]], bool]] = {
    "employment": _employment, "benefit": _benefit}


def _shared(names: Iterable[str]) -> set[str]:
    """The fields a row set, with ``file`` and ``row``: one set object for every event that
    set the same fields (a set per event costs its memory and the garbage collector's
    time). Sharing is safe: the models are frozen, and pydantic copies the set before
    changing it (``model_copy``)."""
    key = frozenset(names)
    given = _GIVEN.get(key)
    if given is None:
        if len(_GIVEN) >= _MAX_REMEMBERED:
            _GIVEN.clear()
        given = _GIVEN[key] = set(key | _ALWAYS_GIVEN)
    return given


def _build(event_type: str, data: dict[str, Any], given: set[str],
           attributes: dict[str, str] | None, file: str, row: int) -> EventBase:
    """The event of checked values over the template; ``given``: the fields the row set."""
    data["file"] = file
    data["row"] = row
    if event_type == "referral":
        data["attributes"] = attributes if attributes is not None else {}
    model = EVENT_MODELS[event_type]
    event: EventBase = _NEW(model)
    _SET_DICT(event, data)
    _SET_FIELDS_SET(event, given)
    _SET_EXTRA(event, None)
    _SET_PRIVATE(event, None)
    return event


# --- a row of CSV cells, read by columns compiled once per header ----------------------------

RowReader = Callable[[list[str], str, int], EventBase | None]


def compile_header(header: Sequence[str], dialect: Dialect) -> dict[str, TypeReader]:
    """For each event type, the reader of a row's cells under ``header`` (the columns' names;
    the row has as many cells): its event, or None when only the models can decide (the row
    is then read as field -> value by the usual path). Per type: the columns it takes with
    their checks in the dialect, and the columns it must find empty. Values that repeat
    (dates, amounts, hours, kinds) are remembered per column (at most _MAX_REMEMBERED
    each): they are immutable, so one object serves every row."""
    remembered: dict[Any, dict[str, Any]] = {}
    return {t: TypeReader(t, header, dialect, remembered) for t in _CHECKS}


class TypeReader:
    """A type's reader of rows under one header: a row at a time (a call), or a block of
    rows column by column (``block``), which reads the rows a row at a time would read
    alike and leaves every other row to that reading."""

    def __init__(self, event_type: str, header: Sequence[str], dialect: Dialect,
                 remembered: dict[Any, dict[str, Any]]) -> None:
        checks = _CHECKS[event_type]
        taken: list[tuple[int, _Column]] = []
        attribute_columns: list[tuple[int, str]] = []
        self.unused: list[int] = []  # columns this type must find empty
        self.width = len(header)
        for i, name in enumerate(header):
            check = checks.get(name)
            if name == "type":
                continue  # the row's type chose this reader
            if check is not None:
                taken.append((i, _column(name, check, dialect, remembered)))
            elif event_type == "referral" and name.startswith("attr_") and len(name) > 5:
                attribute_columns.append((i, name))
            else:
                self.unused.append(i)
        self.careful = _careful_reader(event_type, taken, attribute_columns)
        self.event_type, self.model = event_type, EVENT_MODELS[event_type]
        template = _TEMPLATES[event_type]
        self.fields = tuple(template)
        self.defaults = template
        self.checked = [(i, name, known, template[name], check)
                        for i, (name, check, known) in taken if known is not None]
        self.texts = [(i, name) for i, (name, _, known) in taken if known is None]
        self.attribute_columns = attribute_columns

    def __call__(self, cells: list[str], file: str, row: int) -> EventBase | None:
        return self.careful(cells, file, row)

    def block(self, rows: Sequence[Sequence[str]], file: str, numbers: Sequence[int]
              ) -> list[EventBase | None]:
        """The events of rows of this type (each of the header's width), or None for a row
        only the models can decide. Each column is checked at once against the values its
        check has given before; a row with a value not seen yet, spaces around a value, a
        value where this type takes none, or a rule between fields that fails is read a row
        at a time (which checks, remembers and decides as ever)."""
        n = len(rows)
        columns = list(zip(*rows, strict=True))
        troubled: set[int] = set()
        for i in self.unused:
            if columns[i].count("") != n:
                troubled.update(k for k, cell in enumerate(columns[i]) if cell)
        values = self._checked(columns, troubled)
        texts = self._texts(columns, troubled)
        givens = self._givens(columns, n, troubled)
        attributes = self._attributes(columns, n, troubled)
        _ends_fit(self.event_type, values, troubled)
        base = {**self.defaults, "type": self.event_type, "file": file}
        datas = list(map(dict.copy, repeat(base, n)))  # the models' field order
        for name, found in [*values.items(), *texts.items(), ("row", numbers),
                            *((("attributes", attributes),) if attributes else ())]:
            if found is not None:  # None: every row has the field's default
                _consume(map(_SET_ITEM, datas, repeat(name, n), found), 0)
        between = _BETWEEN.get(self.event_type)
        if between is not None:
            troubled.update(k for k, data in enumerate(datas) if not between(data))
        events = _made(self.model, datas, givens)
        for k in sorted(troubled):
            events[k] = self.careful(cast("list[str]", rows[k]), file, numbers[k])
        return events

    def _checked(self, columns: list[tuple[str, ...]], troubled: set[int]
                 ) -> dict[str, list[Any] | None]:
        """The checked columns' values, each looked up among those remembered (empty: the
        field's default); a row with a value not found is troubled."""
        values: dict[str, list[Any] | None] = {}
        for i, name, known, default, check in self.checked:
            cells = columns[i]
            empty = cells.count("")
            if empty == len(cells):
                values[name] = None  # the field's default in every row
                continue
            found = list(map(known.get, cells))  # a check never gives None
            if sum(map(is_, found, repeat(None))) != empty:  # by identity: no Decimal ==
                _learn_column(found, cells, known, check, troubled)
            if default is not None and empty:
                found = list(map({None: default}.get, found, found))
            values[name] = found
        return values

    def _texts(self, columns: list[tuple[str, ...]], troubled: set[int]
               ) -> dict[str, list[str | None] | None]:
        """The text columns' values (empty: the field's default; None for a column empty in
        every row); a row with spaces around one, or an id longer than MAX_ID_CHARS, is
        troubled."""
        texts: dict[str, list[str | None] | None] = {}
        for i, name in self.texts:
            cells = columns[i]
            empty = cells.count("")
            if empty == len(cells):
                texts[name] = None  # the field's default (None) in every row
                continue
            stripped: list[Any] = list(map(_STRIP, cells))
            if any(map(ne, stripped, cells)):
                troubled.update(k for k, (text, cell)
                                in enumerate(zip(stripped, cells, strict=True)) if text != cell)
            if name in _IDS and max(map(len, stripped), default=0) > MAX_ID_CHARS:
                troubled.update(k for k, text in enumerate(stripped) if len(text) > MAX_ID_CHARS)
            # an empty cell gives the field's default, as a row read alone leaves it
            texts[name] = list(map({"": self.defaults[name]}.get, stripped, stripped)) \
                if empty else stripped
        return texts

    def _givens(self, columns: list[tuple[str, ...]], n: int, troubled: set[int]
                ) -> list[set[str]]:
        """Each row's fields set (one shared set per pattern of filled cells); a row without
        a field its type needs is troubled."""
        always: set[str] = {"type"}
        mixed: list[tuple[str, tuple[str, ...]]] = []
        for i, name in [(c[0], c[1]) for c in self.checked] + self.texts:
            empty = columns[i].count("")
            if empty == 0:
                always.add(name)
            elif empty < n:
                mixed.append((name, columns[i]))
        for i, _ in self.attribute_columns:
            empty = columns[i].count("")
            if empty == 0:
                always.add("attributes")
            elif empty < n:
                mixed.append(("attributes", columns[i]))
        keys: list[tuple[bool, ...]] = list(zip(*(map(truth, cells) for _, cells in mixed),
                                                strict=True)) \
            if mixed else [()] * n
        names = [name for name, _ in mixed]
        needed = _NEEDED[self.event_type]
        by_key: dict[tuple[bool, ...], set[str]] = {}
        for key in set(keys):
            given = _shared(always.union(compress(names, key)))
            by_key[key] = given
            if not needed <= given:
                troubled.update(k for k, other in enumerate(keys) if other == key)
        return list(map(by_key.__getitem__, keys))

    def _attributes(self, columns: list[tuple[str, ...]], n: int, troubled: set[int]
                    ) -> list[dict[str, str]]:
        """Each row's attributes (a referral's: its filled attribute cells, by name)."""
        if "attributes" not in self.defaults:
            return []  # not a referral: no attributes
        if not self.attribute_columns:
            return list(map(dict, repeat((), n)))
        names = [name for _, name in self.attribute_columns]
        cells = [columns[i] for i, _ in self.attribute_columns]
        for column in cells:
            if any(map(ne, map(_STRIP, column), column)):
                troubled.update(k for k, cell in enumerate(column) if cell.strip() != cell)
        return [{name: value for name, value in zip(names, row, strict=True) if value}
                for row in zip(*cells, strict=True)]


def _made(model: type[EventBase], datas: list[dict[str, Any]], givens: list[set[str]]
          ) -> list[EventBase | None]:
    """The events of checked values (``datas``, each over its type's template, and the
    fields each row set), built as ``_build`` builds one, the loops in C."""
    n = len(datas)
    events: list[EventBase | None] = list(map(_NEW, repeat(model, n)))
    _consume(map(_SET_DICT, events, datas), 0)
    _consume(map(_SET_FIELDS_SET, events, givens), 0)
    _consume(map(_SET_EXTRA, events, repeat(None, n)), 0)
    _consume(map(_SET_PRIVATE, events, repeat(None, n)), 0)
    return events


def _learn_column(found: list[Any], cells: Sequence[str], known: dict[str, Any],
                  check: Check, troubled: set[int]) -> None:
    """A column's values not remembered yet, checked and remembered; a row whose value is
    refused, or has spaces around it, is troubled (read a row at a time, which says so)."""
    for k in compress(range(len(found)), map(is_, found, repeat(None))):  # empty or new
        cell = cells[k]
        if cell:
            if cell.strip() != cell:
                troubled.add(k)
                continue
            try:  # a value twice in the column is remembered by the first
                hit = known.get(cell)
                found[k] = hit if hit is not None else _learn(known, check, cell)
            except _Unsure:
                troubled.add(k)


_SET_ITEM: Final = dict.__setitem__
_IDS: Final = frozenset({"event_id", "customer_id"})
_STRIP: Final = str.strip


def _ends_fit(event_type: str, values: dict[str, list[Any] | None], troubled: set[int]
              ) -> None:
    """A row whose end is before its date, or an earnings row with an end, is troubled."""
    ends = values.get("end")
    if ends is None or ends.count(None) == len(ends):
        return
    dates = values.get("date") or [None] * len(ends)
    earnings = event_type == "earnings"
    troubled.update(k for k, (end, date) in enumerate(zip(ends, dates, strict=True))
                    if end is not None and (earnings or date is None or end < date))


def read_rows(readers: dict[str, TypeReader], rows: Sequence[Sequence[str] | None],
              type_at: int, file: str, numbers: Sequence[int]) -> list[EventBase | None]:
    """The events of a block of rows (``numbers``: theirs), by their types' readers, or None
    for a row only the models can decide (or not of the readers' width, or None)."""
    results: list[EventBase | None] = [None] * len(rows)
    if not readers or not rows:
        return results
    width = next(iter(readers.values())).width
    if None in rows or set(map(len, rows)) != {width}:  # type: ignore[arg-type]
        picked = [k for k, cells in enumerate(rows) if cells is not None and len(cells) == width]
    else:
        picked = list(range(len(rows)))
    types = [rows[k][type_at] for k in picked]  # type: ignore[index]
    by_type = sorted(range(len(picked)), key=types.__getitem__)  # stable: rows in order
    for event_type, group in groupby(by_type, key=types.__getitem__):
        reader = readers.get(event_type)
        if reader is None:
            continue
        places = [picked[k] for k in group]
        events = reader.block(list(map(rows.__getitem__, places)),  # type: ignore[arg-type]
                              file, list(map(numbers.__getitem__, places)))
        _consume(map(results.__setitem__, places, events), 0)
    return results


def _careful_reader(event_type: str, taken: list[tuple[int, _Column]],
                    attribute_columns: list[tuple[int, str]]) -> RowReader:
    """A row read cell by cell: each value stripped, checked and remembered (a block reads
    a row this way when it is unsure of one of its cells)."""
    pick = _cells([i for i, _ in taken])
    columns = tuple(column for _, column in taken)
    attribute_cells = _cells([i for i, _ in attribute_columns])
    template = _TEMPLATES[event_type]

    def read(cells: list[str], file: str, row: int) -> EventBase | None:
        written = pick(cells)
        # a value in a column this type does not take (or that only the models read): the
        # row's filled cells are its type's, those it takes and its attributes
        filled = len(written) - written.count("") + 1
        if attribute_columns:
            attribute_values = attribute_cells(cells)
            filled += len(attribute_values) - attribute_values.count("")
        if len(cells) - cells.count("") != filled:
            return None
        values: dict[str, Any] = {"type": event_type}
        try:
            for column, value in zip(columns, written):  # noqa: B905 (same length)
                if value:
                    value = value.strip()
                    if not value:
                        continue
                    name, check, known = column
                    if known is None:
                        values[name] = value  # text: any string
                        continue
                    found = known.get(value)
                    values[name] = found if found is not None else _learn(known, check, value)
        except _Unsure:
            return None
        data = template.copy()  # the models' field order; updating keeps it
        data.update(values)
        attributes = _attributes(cells, attribute_columns) if attribute_columns else None
        if attributes is not None:
            values["attributes"] = attributes
        given = _shared(values)
        if not _complete(event_type, data, given):
            return None
        return _build(event_type, data, given, attributes, file, row)
    return read


# a column a compiled reader takes: its field, its check, and the values the check gave
# (None for text, which any string is)
_Column = tuple[str, Check, dict[str, Any] | None]
_TEXT = frozenset({_text, _nonempty_text, _id})  # a CSV cell is a nonempty string here


def _column(name: str, check: Check, dialect: Dialect, remembered: dict[Any, dict[str, Any]]
            ) -> _Column:
    """A column's check, after the dialect's conversion of dates and numbers (a value the
    dialect cannot convert goes to the usual path, which says why)."""
    if check in _TEXT:
        return name, check, None  # the lengths of ids are checked with the whole row
    # each column remembers its own values (the types' columns of one name share them): in
    # one memory for every date column, a large cohort's birth dates alone would fill it,
    # and it would be emptied and learned again over and over
    key: Any = (name, check)
    if name in DATE_FIELDS and dialect.date_format != ISO_DATES:
        check = _converted(check, dialect.date)
    elif name in NUMBER_FIELDS and dialect.decimal_comma:
        check = _converted(check, _short(dialect.number))
    return name, check, remembered.setdefault(key, {})


def _learn(known: dict[str, Any], check: Check, value: str) -> Any:
    """A value's check, remembered (a value refused raises and is not)."""
    found = check(value)
    if len(known) >= _MAX_REMEMBERED:
        known.clear()
    known[value] = found
    return found


def _cells(indices: Sequence[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """The cells at ``indices`` of a row, as a tuple (itemgetter gives a bare one for one)."""
    if len(indices) == 1:
        only = indices[0]
        return lambda cells: (cells[only],)
    if not indices:
        return lambda cells: ()
    return itemgetter(*indices)


def _attributes(cells: list[str], columns: Iterable[tuple[int, str]]) -> dict[str, str] | None:
    found = {}
    for i, name in columns:
        value = cells[i].strip()
        if value:
            found[name] = value
    return found or None


def _short(convert: Callable[[str], str]) -> Callable[[str], str]:
    """A number's conversion, for at most MAX_NUMBER_CHARS characters (as the usual path)."""
    def short(value: str) -> str:
        if len(value) > MAX_NUMBER_CHARS:
            raise _Unsure
        return convert(value)
    return short


def _converted(check: Check, convert: Callable[[str], str]) -> Check:
    def converted(value: str) -> Any:
        try:
            text = convert(value)
        except ValueError:
            raise _Unsure from None
        return check(text)
    return converted


_consume = deque  # deque(iterator, 0) runs an iterator to its end, keeping nothing


# --- rows drawn by the generator, as columns of texts (no CSV line) --------------------------

_DRAWN: dict[tuple[str, Check], dict[str, Any]] = {}  # each checked field's values, remembered
Drawn = Sequence[str] | str  # a field's texts: one a row, or one for every row


def drawn_events(event_type: str, fields: dict[str, Drawn], n: int, file: str,
                 numbers: Sequence[int]) -> list[EventBase | None]:
    """The events of ``n`` rows of one type drawn as columns (``fields``: each field's
    texts, as the generator writes them in a file, in its columns' order), or None for a row
    only the models can decide, as ``TypeReader.block`` reads the same rows as CSV: each
    value by its field's check, remembered (a value refused leaves its row to the models),
    an empty text the field's default, and the rules between fields. No cell is stripped or
    looked for in columns the type does not take: the generator writes no such thing."""
    checks = _CHECKS.get(event_type)
    if checks is None or any(name not in checks and not _attribute(event_type, name)
                             for name in fields):
        return [None] * n  # a field the type does not take: the models say so
    troubled: set[int] = set()
    defaults = _TEMPLATES[event_type]
    columns = {name: [cells] * n if type(cells) is str else cells
               for name, cells in fields.items() if name != "type"}
    values: dict[str, list[Any]] = {}
    for name, cells in columns.items():
        check = checks.get(name)
        if check is not None:
            values[name] = _drawn_column(name, check, cells, defaults[name], troubled)
    _ends_fit(event_type, cast("dict[str, list[Any] | None]", values), troubled)
    attributes = _drawn_attributes(columns, checks, n) if event_type == "referral" else None
    givens = _drawn_givens(event_type, columns, attributes, n, troubled)
    base = {**defaults, "type": event_type, "file": file}
    datas = list(map(dict.copy, repeat(base, n)))
    for name, found in [*values.items(), ("row", numbers),
                        *((("attributes", attributes),) if attributes is not None else ())]:
        _consume(map(_SET_ITEM, datas, repeat(name, n), found), 0)
    between = _BETWEEN.get(event_type)
    if between is not None:
        troubled.update(k for k, data in enumerate(datas) if not between(data))
    events = _made(EVENT_MODELS[event_type], datas, givens)
    for k in troubled:
        events[k] = None
    return events


def _attribute(event_type: str, name: str) -> bool:
    return event_type == "referral" and name.startswith("attr_") and len(name) > 5


def _drawn_column(name: str, check: Check, cells: Sequence[str], default: Any,
                  troubled: set[int]) -> list[Any]:
    """A field's values: text as it is (an id of at most MAX_ID_CHARS), else each value by
    its check, remembered; an empty text gives the field's default."""
    if check in _TEXT:
        if name in _IDS and max(map(len, cells), default=0) > MAX_ID_CHARS:
            troubled.update(k for k, text in enumerate(cells) if len(text) > MAX_ID_CHARS)
        return list(map({"": default}.get, cells, cells)) if "" in cells else list(cells)
    known = _DRAWN.setdefault((name, check), {})
    found = list(map(known.get, cells))  # a check never gives None
    for k in compress(range(len(found)), map(is_, found, repeat(None))):  # empty or new
        cell = cells[k]
        if not cell:
            found[k] = default
            continue
        try:
            found[k] = _learn(known, check, cell)
        except _Unsure:
            troubled.add(k)
    return found


def _drawn_attributes(columns: dict[str, Sequence[str]], checks: dict[str, Check], n: int
                      ) -> list[dict[str, str]]:
    """A referral's attributes: its filled attribute cells, by name (in the columns' order)."""
    names = [name for name in columns if name not in checks]
    if not names:
        return list(map(dict, repeat((), n)))
    return [{name: value for name, value in zip(names, row, strict=True) if value}
            for row in zip(*(columns[name] for name in names), strict=True)]


def _drawn_givens(event_type: str, columns: dict[str, Sequence[str]],
                  attributes: list[dict[str, str]] | None, n: int, troubled: set[int]
                  ) -> list[set[str]]:
    """Each row's fields set (its filled cells'; one shared set per pattern, as
    ``TypeReader._givens``); a row without a field its type needs is troubled."""
    always: set[str] = {"type"}
    mixed: list[tuple[str, Sequence[Any]]] = []
    for name, cells in columns.items():
        if _attribute(event_type, name):
            continue
        empty = cells.count("")
        if empty == 0:
            always.add(name)
        elif empty < n:
            mixed.append((name, cells))
    if attributes is not None and any(attributes):
        mixed.append(("attributes", attributes))
    keys: list[tuple[bool, ...]] = list(zip(*(map(truth, cells) for _, cells in mixed),
                                            strict=True)) if mixed else [()] * n
    names = [name for name, _ in mixed]
    needed = _NEEDED[event_type]
    by_key: dict[tuple[bool, ...], set[str]] = {}
    for key in set(keys):
        given = by_key[key] = _shared(always.union(compress(names, key)))
        if not needed <= given:
            troubled.update(k for k, other in enumerate(keys) if other == key)
    return list(map(by_key.__getitem__, keys))
