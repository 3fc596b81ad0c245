"""A cohort file's problems in the words of the person who wrote it by hand.

Providers and procurement officers write cohort YAML from docs/cohort.md. pydantic's
messages speak of its own machinery ("missing key '1'", "expected a mapping"); here each is
said as what was wrong, where and how to write it: what a distribution looks like, how many
numbers ``uniform`` takes, that ``1.200,00`` has a decimal comma, that a mix of shares adds
up to something else than 1. The models are passed in (this module imports no cohort model,
so the cohort module may import it).
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .errors import Problem
from .plainwords import plain_message
from .shown import brief, quoted
from .values import comma_advice
from .yamlsource import Path, YamlDocument

FORMS = ("fixed", "uniform", "normal", "lognormal", "exponential", "poisson", "empirical")
FORMS_TEXT = ("a number, or one of fixed: 12, uniform: [low, high], normal: {mean, sd}, "
              "lognormal: {median, sigma}, exponential: {mean}, poisson: {mean}, "
              "empirical: [q0, q5, ..., q100]")
# the parameters of each form with a fixed number of them, and an example of each
PARAMETERS = {"uniform": ("low", "high"), "normal": ("mean", "sd"),
              "lognormal": ("median", "sigma"), "exponential": ("mean",),
              "poisson": ("mean",)}
_EXAMPLES = {"fixed": "{fixed: 37.5}", "uniform": "{uniform: [1, 21]}",
             "normal": "{normal: {mean: 32, sd: 8}}",
             "lognormal": "{lognormal: {median: 150, sigma: 0.9}}",
             "exponential": "{exponential: {mean: 120}}", "poisson": "{poisson: {mean: 1.5}}",
             "empirical": "{empirical: [0, 10, 30, 90]}"}
SHARE_WORDS = "a share or a chance is written from 0 to 1 (55 % is 0.55)"
# a mix whose shares are off 1 by no more than this is taken as adding up (a fitted cohort
# writes each share to four places)
MIX_SLACK = Decimal("0.001")
_CODES = {"missing": "G101", "extra_forbidden": "G102"}

_DIGITS = re.compile(r"^\d+$", re.ASCII)
_POINT_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)*$", re.ASCII)


def _where(path: Path | tuple[Any, ...]) -> str:
    """A key path as a message names it: each key short (a name may be long or personal)."""
    return ".".join(brief(p) for p in path)


def split_numbers(data: Any, path: Path = ()) -> list[tuple[Path, str, Path]]:
    """Numbers with a decimal comma inside a flow mapping: YAML reads ``{fixed: 1.200,00}``
    as ``fixed: 1.200`` and a key ``00`` with no value. Each as (the number's path, the
    number as written, the stray key's path)."""
    found: list[tuple[Path, str, Path]] = []
    if isinstance(data, dict):
        items = list(data.items())
        for (key, value), (before, number) in zip(items[1:], items, strict=False):
            if (value is None and _DIGITS.match(key) and isinstance(number, str)
                    and _POINT_NUMBER.match(number)):
                found.append(((*path, before), f"{number},{key}", (*path, key)))
        for key, value in items:
            found += split_numbers(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += split_numbers(value, (*path, i))
    return found


# the text before a key YAML read twice: ``b: 0,`` of ``{a: 0,5, b: 0,5}``
# (the comma between the digits, as a decimal comma is written: ``b: 0, 5`` is two entries)
_SPLIT_BEFORE = re.compile(r"([^\s{},:]+)\s*:\s*([+-]?\d+(?:\.\d+)*),$", re.ASCII)
_TAIL = 120  # the characters before a key that a split number and its key are looked for in


def split_duplicates(problems: list[Problem], doc: YamlDocument, text: str,
                     said: set[Path]) -> tuple[list[Problem], list[Problem], set[Path]]:
    """``{a: 0,5, b: 0,5}``: the second ``5`` (the decimals of ``b``) is a key YAML finds
    twice, which it says as a bare duplicate key (Y005). Such a problem becomes what was
    meant, a G103 at ``b``'s line; (the problems kept, the G103s, the paths said with
    ``said``'s). A number whose G103 is said already (in ``said``, or ``{a: 0,5, a: 0,5}``:
    a key written twice, said as such) is not said again."""
    lines, kept, found = text.splitlines(), [], []
    told = set(said)
    for p in problems:
        at, key = p.source, p.message.removeprefix("duplicate key '").removesuffix("'")
        # the line's tail before the key (a key and a number are short: a long line is not
        # searched whole, which takes time growing with the square of its length)
        before = (lines[at.line - 1][max(0, at.col - 1 - _TAIL):at.col - 1]
                  if p.code == "Y005" and _DIGITS.match(key) and at.line and at.col
                  and at.line <= len(lines) else "")
        split = _SPLIT_BEFORE.search(before)
        # the key as written, its quotes off: ``{"b": 0,5}`` splits as ``{b: 0,5}`` does
        name = re.sub(r"""^(["'])(.*)\1$""", r"\2", split.group(1)) if split else None
        path = next((k for k, (line, _) in doc.key_marks.items()
                     if split and k and k[-1] == name and line == at.line), None)
        if split is None or path is None:
            kept.append(p)
            continue
        if path in told:
            continue
        told.add(path)
        written = f"{split.group(2)},{key}"
        has, advice = comma_advice(written) or ("a decimal comma", "write a point for the "
                                                "decimals")
        found.append(Problem(
            "G103", f"{_where(path)}: {written[:20]} has {has}, which YAML reads as two "
            f"entries; {advice}", doc.source(path)))
    return kept, found, told


def comma_problems(doc: YamlDocument, text: str) -> tuple[list[Problem], set[Path]]:
    """A G103 for each number split by its decimal comma, at its line, and the paths whose
    other errors that problem says already. Only where the text has the comma, right
    before the key of the decimals (a key ``12:`` with no value after ``b: 150`` in a block
    is a key of its own)."""
    problems, said = [], set()
    lines = text.splitlines()
    for at, written, stray in split_numbers(doc.data):
        key = doc.key_source(stray)
        line = lines[key.line - 1] if key.line and key.line <= len(lines) else ""
        if not key.col or key.col < 3 or line[key.col - 2:key.col - 1] != "," \
                or not line[key.col - 3].isdigit():
            continue
        where = _where(at)
        shown = written if len(written) <= 20 else written[:20] + "…"
        has, advice = comma_advice(written) or ("a decimal comma", "write a point for the "
                                                "decimals")
        problems.append(Problem(
            "G103", f"{where}: {shown} has {has}, which YAML reads as two entries; {advice}",
            doc.source(at)))
        said |= {at, stray}
    return problems, said


def _bare(tp: Any) -> Any:
    """A type without ``Annotated`` and ``None``."""
    while True:
        origin = get_origin(tp)
        if origin is not None and getattr(origin, "__name__", "") == "Annotated":
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            rest = [a for a in get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return tp
            tp = rest[0]
        else:
            return tp


def distribution_at(root: type[BaseModel], dist: type[BaseModel], loc: tuple[Any, ...]
                    ) -> tuple[int, Any] | None:
    """Where in ``loc`` a distribution key stands (its index) and its default, or None."""
    tp: Any = root
    for i, part in enumerate(loc):
        tp = _bare(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            if _bare(field.annotation) is dist:
                return i, field.default
            tp = field.annotation
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            return None
    return None


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def written(d: Any) -> str:
    """A distribution as a cohort file writes it (flow style): ``{poisson: {mean: 1.5},
    max: 8}``."""
    parts = []
    for form in FORMS:
        value = getattr(d, form, None)
        if value is None:
            continue
        if isinstance(value, (tuple, list)):
            parts.append(f"{form}: [{', '.join(_number(v) for v in value)}]")
        elif isinstance(value, BaseModel):
            inner = ", ".join(f"{k}: {_number(v)}" for k, v in value.model_dump().items())
            parts.append(f"{form}: {{{inner}}}")
        else:
            parts.append(f"{form}: {_number(value)}")
    parts += [f"{k}: {_number(getattr(d, k))}" for k in ("min", "max")
              if getattr(d, k, None) is not None]
    return "{" + ", ".join(parts) + "}"


def _example(form: str, default: Any) -> str:
    """The field's own default when it is of this form, else a common one."""
    if default is not None and getattr(default, form, None) is not None:
        return written(default)
    return _EXAMPLES[form]


def _not_a_number(value: object, etype: str = "float_parsing") -> str:
    if etype == "finite_number":
        return f"{quoted(value, 20)} is not a finite number; write it like 12 or 1234.5"
    comma = comma_advice(value)
    if comma is not None:
        return f"{quoted(value, 20)} has {comma[0]}; {comma[1]}"
    if value is None:
        return "is empty; write a number"
    return f"{quoted(value, 20)} is not a number; write it like 12 or 1234.5"


def _shape(value: object) -> str:
    if isinstance(value, list):
        return f"{len(value)} number{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else quoted(value, 20)


def distribution_message(error: dict[str, Any], at: int, default: Any,
                         doc: YamlDocument) -> str:
    """What is wrong with a distribution, and how one is written (``at``: the index of the
    distribution's key in the error's location)."""
    loc, etype, value = tuple(error["loc"]), error["type"], error.get("input")
    path = doc.resolve_loc(loc[:at + 1])
    where = _where(path)
    rest = loc[at + 1:]
    eg = written(default) if default is not None else _EXAMPLES["poisson"]
    if not rest:
        if etype == "value_error":
            said = str(error["msg"]).removeprefix("Value error, ")
            form = said.split(":")[0]
            hint = (f"; e.g. {eg}" if said.startswith("give exactly one")
                    else f"; e.g. {_EXAMPLES[form]}" if form in _EXAMPLES else "")
            return f"{where}: {said}{hint}"
        if comma_advice(value) is not None or (isinstance(value, str) and not value.strip()):
            return f"{where}: {_not_a_number(value)}"
        what = "is empty" if value is None else f"{_shape(value)} is not a distribution"
        return f"{where}: {what}; write {FORMS_TEXT}, e.g. {eg}"
    form = str(rest[0])
    if etype == "extra_forbidden" and len(rest) == 1:
        close = difflib.get_close_matches(form, [*FORMS, "min", "max"], n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return (f"{where}: unknown distribution '{form[:40]}'{hint}; write {FORMS_TEXT}, "
                "clamped by min and max if need be")
    if form in PARAMETERS:
        return f"{where}: {_parameters(form, rest, error, doc, path, default)}"
    return f"{where}.{_where(rest)}: {_not_a_number(value, etype)}" \
        if etype in ("float_parsing", "float_type", "finite_number") else \
        f"{where}.{_where(rest)}: {plain_message(error) or error['msg']}"


def _parameters(form: str, rest: tuple[Any, ...], error: dict[str, Any], doc: YamlDocument,
                path: Path, default: Any) -> str:
    """A form with a fixed number of parameters: say which, and how many."""
    names = PARAMETERS[form]
    eg = _example(form, default)
    given = doc.node((*path, form))
    etype, value = error["type"], error.get("input")
    takes = (f"{form} takes two numbers [low, high]" if form == "uniform"
             else f"{form} takes {{{', '.join(names)}}}")
    if form == "uniform" and etype not in ("float_parsing", "float_type", "finite_number"):
        return f"{takes}, got {_shape(given)}; e.g. {eg}"
    if etype in ("float_parsing", "float_type", "finite_number"):
        what = names[rest[1]] if form == "uniform" and len(rest) > 1 \
            and isinstance(rest[1], int) and rest[1] < 2 else str(rest[-1])
        return f"{form} {what}: {_not_a_number(value, etype)}"
    if etype == "missing":
        return f"{takes}: {str(rest[-1])[:20]} is missing; e.g. {eg}"
    if etype == "extra_forbidden":
        return f"{takes}: '{str(rest[-1])[:20]}' is not one of them; e.g. {eg}"
    if etype in ("greater_than_equal", "greater_than"):
        floor = "0 or more" if etype == "greater_than_equal" else "above 0"
        return (f"the {rest[-1]} of {form} is {quoted(value, 20)}; it must be {floor}, "
                f"e.g. {eg}")
    if etype in ("model_type", "dict_type"):
        if isinstance(given, list) and len(given) == len(names):
            inner = ", ".join(f"{n}: {str(v)[:20]}" for n, v in zip(names, given, strict=True))
            return f"{takes}, not a list; write {form}: {{{inner}}}"
        if len(names) == 1 and isinstance(given, str):
            return f"{takes}; write {form}: {{{names[0]}: {quoted(given, 20).strip(chr(39))}}}"
        return f"{takes}, got {_shape(given)}; e.g. {eg}"
    return f"{takes}: {plain_message(error) or error['msg']}; e.g. {eg}"


def _message(error: dict[str, Any], path: Path, doc: YamlDocument,
             root: type[BaseModel]) -> str:
    """Any other problem of a cohort: a key, a share, a number."""
    etype, value = error["type"], error.get("input")
    where = _where(path) or "cohort"
    key = str(error["loc"][-1])[:60] if error["loc"] else ""
    if etype == "missing":
        return f"missing required key '{key}'"
    if etype == "extra_forbidden":
        return f"unknown key '{key}'{_did_you_mean(root, tuple(error['loc']))}"
    comma = comma_advice(value)
    if comma is not None:
        return f"{where}: {quoted(value, 20)} has {comma[0]}; {comma[1]}"
    if etype in ("float_parsing", "float_type", "finite_number"):
        return f"{where}: {_not_a_number(value, etype)}"
    said = plain_message(error) or str(error["msg"])
    if etype == "fraction_range":  # pydantic's message holds the whole number
        said = f"{brief(value, 20)} is not between 0 and 1; {SHARE_WORDS}"
    return f"{where}: {said.removeprefix('Value error, ')}"


def _did_you_mean(root: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """The key of the model an unknown key stands in that it most resembles."""
    tp: Any = root
    for part in loc[:-1]:
        tp = _bare(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            field = tp.model_fields.get(part)
            tp = field.annotation if field is not None else None
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
    tp = _bare(tp)
    if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return ""
    close = difflib.get_close_matches(str(loc[-1]), list(tp.model_fields), n=1, cutoff=0.75)
    if close:
        return f" (did you mean '{close[0]}'?)"
    places = sorted(set(_places(root, str(loc[-1]))))
    # said only where the key has one place: a share or a length is a key of many parts
    return f" ({loc[-1]} belongs under {places[0]})" if len(places) == 1 else ""


def _places(model: type[BaseModel], key: str, prefix: str = "") -> list[str]:
    """Where ``key`` is a key of the cohort: each parent's path (``profiles.<segment>``)."""
    out = []
    for name, field in model.model_fields.items():
        tp, at = _bare(field.annotation), f"{prefix}{name}"
        if get_origin(tp) is dict:
            tp, at = _bare(get_args(tp)[1]), f"{at}.<{'segment' if name == 'profiles' else 'name'}>"
        if name == key:
            out.append(prefix.removesuffix(".") or "the file's top level")
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            out += _places(tp, key, f"{at}.")
    return out


def located(exc: ValidationError, doc: YamlDocument, root: type[BaseModel],
            dist: type[BaseModel], said: set[Path]) -> list[Problem]:
    """Every validation error of a cohort as a located problem in plain words, each said
    once (a list of one number for ``uniform`` fails twice), none about a path in ``said``."""
    out: list[Problem] = []
    seen: set[str] = set()
    for details in exc.errors(include_url=False):
        error: dict[str, Any] = dict(details)
        loc = tuple(error["loc"])
        path = doc.resolve_loc(loc)
        if any(path[:len(p)] == p for p in said):
            continue
        code = _CODES.get(error["type"], "G103")
        found = distribution_at(root, dist, loc)
        message = distribution_message(error, *found, doc) if found is not None \
            else _message(error, path, doc, root)
        # an unknown key, or a key that is not one of the allowed words: located at the key;
        # a form's problem at the form
        at_key = code == "G102" or (loc and loc[-1] == "[key]")
        if found is not None and len(loc) > found[0] + 1 and code != "G102":
            path = doc.resolve_loc(loc[:found[0] + 2])
        src = doc.key_source(path) if at_key else doc.source(path)
        problem = Problem(code, message, src)
        if str(problem) not in seen:
            seen.add(str(problem))
            out.append(problem)
    return out


def mix_problems(mixes: list[tuple[Path, Mapping[str, Decimal]]], doc: YamlDocument
                 ) -> list[Problem]:
    """A mix of shares (segments, providers, the evidence of jobs) is taken in proportion:
    one adding up to 0 draws nobody (an error); one adding up to another number than 1 is
    said (a warning), with the shares it is taken as."""
    out = []
    for path, mix in mixes:
        total = sum(mix.values(), Decimal(0))
        where = _where(path)
        if total == 0:
            out.append(Problem("G103", f"{where}: the shares add up to 0, so none can be "
                               "drawn; give at least one a share above 0",
                               doc.source(path)))
        elif abs(total - 1) > MIX_SLACK:
            taken = ", ".join(f"{str(k)[:20]} {mix[k] / total * 100:.1f} %"
                              for k in list(mix)[:4]) + (", …" if len(mix) > 4 else "")
            out.append(Problem("G107", f"{where}: the shares add up to {total}, not 1; they "
                               f"are taken in proportion ({taken}); write shares that add "
                               "up to 1", doc.source(path)))
    return out
