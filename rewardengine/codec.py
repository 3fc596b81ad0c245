"""One codec between frozen dataclasses and JSON data, instead of hand-written pairs.

A dataclass's fields are written under their names; a field's ``metadata`` may rename it
(``key``), put it inside a nested object (``group``, e.g. ``corrects.invoice``) or format it
(``fmt="money"``: two decimals, as every amount in the engine's outputs;
``fmt="last_day"``: an exclusive end written as the inclusive last day). Read-only
properties listed in ``__derived__`` (a subtotal) are written too, as money, and ignored when
read back. Reading checks every value against the field's type and says where a value is
wrong (``CodecError``): what is read back (an invoice from the ledger) is validated, never
trusted.
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from .errors import Problem
from .values import money_text

T = TypeVar("T")
ONE_DAY = timedelta(days=1)


class CodecError(ValueError):
    """Data that does not have the shape of the dataclass it is read as."""


def meta(*, key: str | None = None, group: str | None = None, fmt: str | None = None,
         omit_none: bool = False) -> dict[str, str]:
    """Field metadata for the codec: ``field(metadata=meta(key="line"))``; ``omit_none``: a
    field added later is not written while it is None, so documents that never had it are
    written as before (read back, a missing field takes its default)."""
    out = {k: v for k, v in (("key", key), ("group", group), ("fmt", fmt)) if v is not None}
    return out | {"omit_none": "1"} if omit_none else out


# --- writing ---------------------------------------------------------------------------------

def to_data(obj: Any) -> Any:
    """A dataclass (or a value inside one) as JSON data."""
    if type(obj) in _PLAIN:  # most values: text, numbers, None
        return obj
    if isinstance(obj, Problem):  # a problem is written in its own flat form
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return _object(obj)
    if isinstance(obj, tuple | list):
        return [to_data(x) for x in obj]
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return str(obj)
    return obj


_PLAIN = frozenset({str, int, bool, float, type(None)})


def _object(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields, derived = _plan(type(obj))  # type: ignore[arg-type]  # a class is hashable
    for name, key, group, fmt, omit_none in fields:
        value = getattr(obj, name)
        if value is None:
            if omit_none:
                continue
            encoded = None
        elif fmt is None:
            encoded = to_data(value)
        else:
            encoded = _encode(value, fmt)
        if group is None:
            out[key] = encoded
        else:
            out.setdefault(group, {})[key] = encoded
    for name in derived:
        out[name] = money_text(getattr(obj, name))
    return out


_Field = tuple[str, str, str | None, str | None, bool]  # name, key, group, fmt, omit_none


@cache
def _plan(cls: type) -> tuple[tuple[_Field, ...], tuple[str, ...]]:
    """How a dataclass is written, worked out once per class: its fields' names, keys,
    groups, formats and whether None is left out; its derived properties."""
    fields = tuple((f.name, f.metadata.get("key", f.name), f.metadata.get("group"),
                    f.metadata.get("fmt"), bool(f.metadata.get("omit_none")))
                   for f in dataclasses.fields(cls))
    return fields, tuple(getattr(cls, "__derived__", ()))


def _encode(value: Any, fmt: str | None) -> Any:
    if value is None or fmt is None:
        return to_data(value)
    if fmt == "money":
        return money_text(value)
    if fmt == "last_day":
        return (value - ONE_DAY).isoformat()
    raise ValueError(f"unknown codec format {fmt}")


# --- reading ---------------------------------------------------------------------------------

def from_data(cls: type[T], data: Any, where: str = "") -> T:
    """Read ``data`` as a ``cls``, checking every value; ``CodecError`` says where it is
    wrong."""
    if not isinstance(data, dict):
        raise CodecError(f"{where or 'document'}: expected an object")
    hints = _hints(cls)  # type: ignore[arg-type]  # a class is hashable
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        key = f.metadata.get("key", f.name)
        group = f.metadata.get("group")
        source = data.get(group) if group is not None else data
        path = ".".join(p for p in (where, group, key) if p)
        if not isinstance(source, dict) or key not in source:
            if f.default is not dataclasses.MISSING or \
                    f.default_factory is not dataclasses.MISSING:
                continue
            raise CodecError(f"{path}: missing")
        value = _value(hints[f.name], source[key], path)
        if f.metadata.get("fmt") == "last_day" and value is not None:
            value = value + ONE_DAY
        values[f.name] = value
    return cls(**values)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _value(tp: Any, value: Any, where: str) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if value is None:
            if len(args) < len(get_args(tp)):
                return None
            raise CodecError(f"{where}: missing")
        return _value(args[0], value, where)
    if origin is tuple:
        if not isinstance(value, list):
            raise CodecError(f"{where}: expected a list")
        (item, *_) = get_args(tp)
        return tuple(_value(item, x, f"{where}[{i}]") for i, x in enumerate(value))
    return _scalar(tp, value, where)


def _scalar(tp: Any, value: Any, where: str) -> Any:
    if tp is Problem:
        return _problem(value, where)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return from_data(tp, value, where)
    if tp is Decimal:
        return _decimal(value, where)
    if tp is date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise CodecError(f"{where}: not a date") from None
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise CodecError(f"{where}: not a whole number")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise CodecError(f"{where}: not a text")
        return value
    if tp is bool and isinstance(value, bool):
        return value
    raise CodecError(f"{where}: cannot be read")


def _decimal(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or len(value) > 40:
        raise CodecError(f"{where}: not a number")
    return number


def _problem(value: Any, where: str) -> Problem:
    if isinstance(value, str):  # a document written before problems were kept as data
        return Problem.parse(value)
    if not isinstance(value, dict):
        raise CodecError(f"{where}: not a problem")
    try:
        return Problem.from_dict(value)
    except (KeyError, TypeError, ValueError):
        raise CodecError(f"{where}: not a problem") from None
