"""pydantic's messages in the words of a person fixing a file, not of a library."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .shown import quoted


def plain_message(error: dict[str, Any]) -> str | None:
    """A plain message for the common error types, or None to keep pydantic's own."""
    etype = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    plain = isinstance(value, (str, int, Decimal)) and not isinstance(value, bool)
    shown = quoted(value, 60) if plain and len(str(value)) <= 60 else "the value"
    if etype == "bool_parsing" or etype == "bool_type":
        return f"{shown} is not true or false"
    if etype in ("int_parsing", "int_type", "int_from_float"):
        return f"{shown} is not a whole number"
    if etype == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}"
    if etype == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if etype == "string_too_short":
        return "must not be empty"
    if etype == "string_pattern_mismatch":
        return f"{shown} may hold only letters, digits, '_', '.' and '-', starting with a letter"
    if etype == "literal_error":
        return f"{shown} is not one of {ctx.get('expected', 'the allowed values')}"
    if etype in ("greater_than_equal", "greater_than"):
        return f"{shown} is below the smallest allowed, {ctx.get('ge', ctx.get('gt'))}"
    if etype in ("less_than_equal", "less_than"):
        return f"{shown} is above the largest allowed, {ctx.get('le', ctx.get('lt'))}"
    if etype in ("dict_type", "model_type"):
        return "expected a mapping of keys and values"
    if etype == "list_type":
        return "expected a list"
    if etype == "string_type":
        return "expected a text value"
    return None
