"""A contract as far as it validated (``Draft``), and a contract ready to evaluate
(``LoadedContract``).

The schema is checked part by part (metadata, segments, windows, each component, caps,
invoicing, accept), so a mistake in one part hides nothing in the others: the cross-checks
and lint then run on every part that is valid (``rewardengine.pipeline`` names the stages).
Every problem is located at ``FILE:LINE:COL``.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from ..errors import Problem, Source
from ..plainwords import plain_message
from ..shown import quoted
from ..yamlsource import YamlDocument
from .model import (
    PARTS,
    AcceptedWarning,
    Alternative,
    Caps,
    ComponentBase,
    ContractBase,
    Invoicing,
    Metadata,
    Path,
    Segmentation,
    Windows,
    WorkedExample,
)

# pydantic error type -> stable code
_CODES: dict[str, str] = {
    "missing": "C101",
    "extra_forbidden": "C102",
    "union_tag_invalid": "C103",
    "union_tag_not_found": "C103",
    "money_places": "C104",
    "money_negative": "C105",
    "decimal_float": "C106",
    "decimal_parsing": "C106",
    "decimal_type": "C106",
    "money_range": "C106",
    "number_range": "C106",
    "negative": "C106",
    "fraction_range": "C106",
    "date_from_datetime_parsing": "C107",
    "date_parsing": "C107",
    "date_type": "C107",
    "date_from_datetime_inexact": "C107",
    "duration": "C108",
    "identifier": "C111",
}
_DEFAULT_CODE = "C110"


@dataclass(frozen=True)
class LoadedContract:
    """A validated contract with where it came from, for clause locations and audit."""

    contract: ContractBase
    file: str
    sha256: str
    doc: YamlDocument = field(repr=False, compare=False)

    @cached_property
    def _clauses(self) -> dict[str, str]:
        # the file's name, not the path it was given by: results and invoices are then the
        # same bytes wherever they are computed, and carry no path of the machine that did it
        # (the contract's sha256 identifies the file)
        name = os.path.basename(self.file) or self.file
        return {comp.id: f"{name}:{self.doc.source(('components', i)).line}"
                for i, comp in enumerate(self.contract.components)}

    def clause(self, component_id: str) -> str:
        """``file:line`` of a component, the clause every line of it cites."""
        return self._clauses.get(component_id, self.file)

    @cached_property
    def _heads(self) -> dict[str, tuple[str, str, str]]:
        return {comp.id: (comp.id, comp.kind_name, self.clause(comp.id))
                for comp in self.contract.components}

    def line_head(self, component: ComponentBase) -> tuple[str, str, str]:
        """What every line of ``component`` names first: its id, kind and clause (worked
        out once per component: a customer's lines ask for them again and again)."""
        found = self._heads.get(component.id)
        if found is None:
            return component.id, component.kind_name, self.clause(component.id)
        return found

    def clause_at(self, *path: str | int) -> str:
        """``file:line`` of any part of the contract (by the file's name, as ``clause``)."""
        return f"{os.path.basename(self.file) or self.file}:{self.source(*path).line}"

    def source(self, *path: str | int) -> Source:
        return self.doc.source(tuple(path))


@dataclass
class Draft:
    """A contract as far as its schema is valid: each part, or nothing where it has errors.

    ``invalid`` names the parts with errors (``"windows"``, or ``("components", 3)``); the
    checks and lint skip what depends on them, and say so.
    """

    doc: YamlDocument
    sha256: str
    parts: dict[str, Any] = field(default_factory=dict)
    components: dict[int, ComponentBase] = field(default_factory=dict)
    component_count: int = 0
    invalid: set[str | Path] = field(default_factory=set)
    # the worked examples whose schema is valid, by their index in ``tests``: each is
    # checked on its own, so one example's mistake hides no other's
    examples: dict[int, WorkedExample] = field(default_factory=dict)
    # the parts (metadata, windows, ...) in which a cross-check found an error: valid as to
    # their schema, so checked on, but what reads them as a whole (lint) is skipped
    faulty: set[str] = field(default_factory=set)

    @property
    def file(self) -> str:
        return self.doc.file

    @property
    def metadata(self) -> Metadata | None:
        return self.parts.get("metadata")

    @property
    def segments(self) -> Segmentation | None:
        return self.parts.get("segments")

    @property
    def windows(self) -> Windows | None:
        return self.parts.get("windows")

    @property
    def alternatives(self) -> list[Alternative] | None:
        return self.parts.get("alternatives")

    @property
    def caps(self) -> Caps | None:
        return self.parts.get("caps")

    @property
    def accept(self) -> list[AcceptedWarning] | None:
        return self.parts.get("accept")

    @property
    def complete(self) -> bool:
        return not self.invalid

    def valid(self, part: str) -> bool:
        return part not in self.invalid

    def segment_ids(self) -> list[str] | None:
        """The segment ids; None while the segments have errors."""
        if not self.valid("segments"):
            return None
        seg = self.segments
        return [s.id for s in seg.tiers] if seg else ["default"]

    def provider_ids(self) -> list[str] | None:
        md = self.metadata
        return [p.id for p in md.providers] if md is not None else None

    def component_ids(self) -> list[str]:
        """Ids of every component whose id could be read, valid or not."""
        items = self.doc.data.get("components") if isinstance(self.doc.data, dict) else None
        if not isinstance(items, list):
            return []
        return [str(c["id"]) for c in items if isinstance(c, dict) and isinstance(c.get("id"),
                                                                                   str)]

    def items(self) -> Iterator[tuple[int, ComponentBase]]:
        """The valid components with their index in the file."""
        yield from sorted(self.components.items())

    def component(self, component_id: str) -> ComponentBase | None:
        return next((c for c in self.components.values() if c.id == component_id), None)

    def source(self, *path: str | int) -> Source:
        return self.doc.source(tuple(path))

    def key_source(self, *path: str | int) -> Source:
        return self.doc.key_source(tuple(path))

    def loaded(self, contract_cls: type[ContractBase]) -> LoadedContract:
        """The contract ready to evaluate; only for a complete draft."""
        assert self.complete
        contract = contract_cls(**{name: value for name, value in self.parts.items()},
                                components=[c for _, c in self.items()])
        return LoadedContract(contract, self.file, self.sha256, self.doc)

    @staticmethod
    def of(loaded: LoadedContract) -> Draft:
        """The draft of a contract that validated (every part present)."""
        c = loaded.contract
        parts = {"metadata": c.metadata, "segments": c.segments, "windows": c.windows,
                 "alternatives": c.alternatives, "caps": c.caps, "invoicing": c.invoicing,
                 "accept": c.accept, "tests": c.tests}
        return Draft(loaded.doc, loaded.sha256, parts, dict(enumerate(c.components)),
                     len(c.components), examples=dict(enumerate(c.tests)))


# --- the schema, part by part -----------------------------------------------------------------

# the top level alone: which keys are known and which are required (the parts are checked one
# by one below, so one wrong part does not hide the others)
_TOP = create_model(  # type: ignore[call-overload]
    "Top", __config__=ConfigDict(extra="forbid"),
    **{name: (Any, ... if ContractBase.model_fields[name].is_required() else None)
       for name in PARTS})

_PART_TYPES: dict[str, Any] = {
    "metadata": Metadata, "segments": Segmentation | None, "windows": Windows,
    "alternatives": list[Alternative], "caps": Caps, "invoicing": Invoicing | None,
    "accept": list[AcceptedWarning],
    "tests": list[WorkedExample],
}
_ADAPTERS = {name: TypeAdapter(tp) for name, tp in _PART_TYPES.items()}
_DEFAULTS: dict[str, Any] = {"segments": None, "alternatives": [], "caps": Caps(),
                             "invoicing": None, "accept": [], "tests": []}


def check_schema(doc: YamlDocument, sha256: str, contract_cls: type[ContractBase]
                 ) -> tuple[Draft | None, list[Problem]]:
    """Every part of the document against the language; a draft of the valid parts."""
    if not isinstance(doc.data, dict):
        return None, [Problem("C100", "a contract must be a mapping with keys metadata, "
                              "windows, components", doc.source(()))]
    errors = _Errors(doc, contract_cls)
    draft = Draft(doc, sha256)
    data: dict[str, Any] = doc.data
    try:
        _TOP.model_validate(data)
    except ValidationError as exc:
        errors.add(exc, ())
        draft.invalid |= {str(e["loc"][0]) for e in exc.errors() if e["type"] == "missing"}
    for name, adapter in _ADAPTERS.items():
        if name not in data:
            draft.parts[name] = _DEFAULTS.get(name)
            continue
        if name == "tests" and isinstance(data[name], list):
            _check_examples(data[name], draft, errors)
            continue
        try:
            draft.parts[name] = adapter.validate_python(data[name])
        except ValidationError as exc:
            errors.add(exc, (name,))
            draft.invalid.add(name)
    if "components" in data:
        _check_components(data["components"], draft, errors, contract_cls)
    return draft, errors.problems


_EXAMPLE: TypeAdapter[WorkedExample] = TypeAdapter(WorkedExample)


def _check_examples(items: list[Any], draft: Draft, errors: _Errors) -> None:
    """Each worked example on its own, as each component is: the valid ones are checked on
    (their names, their components, their rows) whatever another's mistakes."""
    _check_each(items, _EXAMPLE, "tests", draft.examples, draft, errors)
    draft.parts["tests"] = [draft.examples[i] for i in sorted(draft.examples)]


def _check_each(items: list[Any], adapter: TypeAdapter[Any], part: str,
                valid: dict[int, Any], draft: Draft, errors: _Errors) -> None:
    """The items of a list part one by one: each valid one into ``valid`` by its index, each
    other one's problems said and the item marked invalid."""
    for i, item in enumerate(items):
        try:
            valid[i] = adapter.validate_python(item)
        except ValidationError as exc:
            errors.add(exc, (part, i))
            draft.invalid.add((part, i))


def _check_components(items: Any, draft: Draft, errors: _Errors,
                      contract_cls: type[ContractBase]) -> None:
    annotation: Any = contract_cls.model_fields["components"].annotation
    if not isinstance(items, list) or not items:
        try:  # pydantic says what is wrong with the list itself (not a list, empty)
            TypeAdapter(Annotated[annotation, Field(min_length=1)]).validate_python(items)
        except ValidationError as exc:
            errors.add(exc, ("components",))
        draft.invalid.add("components")
        return
    (union,) = get_args(annotation)
    adapter: TypeAdapter[ComponentBase] = TypeAdapter(union)
    draft.component_count = len(items)
    _check_each(items, adapter, "components", draft.components, draft, errors)


# --- pydantic's errors in a person's words ------------------------------------------------------

class _Errors:
    """Collects pydantic errors as located problems, each said once."""

    def __init__(self, doc: YamlDocument, contract_cls: type[ContractBase]) -> None:
        self.doc = doc
        self.contract_cls = contract_cls
        self.models = _all_models(contract_cls)
        self.problems: list[Problem] = []
        self._seen: set[tuple[str, int | None, int | None, str]] = set()
        # per mapping: each model with the keys of the mapping it does not have
        self._missing: dict[Path, list[tuple[type[BaseModel], set[str]]]] = {}

    def add(self, exc: ValidationError, prefix: Path) -> None:
        for details in exc.errors(include_url=False):
            error: dict[str, Any] = dict(details)
            loc = (*prefix, *error["loc"])
            path = self.doc.resolve_loc(loc)
            code, src = self._where(error, path)
            message = _message(error, path, self)
            key = (code, src.line, src.col, message)
            if key not in self._seen:
                self._seen.add(key)
                self.problems.append(Problem(code, message, src))

    def _where(self, error: dict[str, Any], path: Path) -> tuple[str, Source]:
        etype = error["type"]
        code = _CODES.get(etype, _DEFAULT_CODE)
        if etype == "extra_forbidden":
            return code, self.doc.key_source(path)
        if etype == "union_tag_invalid" and not _is_kind_tag(error):
            return _DEFAULT_CODE, self.doc.source(path)
        if _is_kind_tag(error) and (*path, "kind") in self.doc.marks:
            return code, self.doc.source((*path, "kind"))  # point at the unknown kind itself
        return code, self.doc.source(path)

    def allowed_keys(self, parent: Path, unknown: str) -> list[str]:
        """The keys allowed where ``unknown`` stands: those of the models that hold every
        other key of its mapping. Each model's missing keys are found once per mapping, so a
        draft with many unknown keys is checked in linear time."""
        if parent not in self._missing:
            self._missing[parent] = _missing_keys(self.doc, parent, self.models)
        fits = [m for m, missing in self._missing[parent] if missing <= {unknown}]
        kind = self.doc.node((*parent, "kind"))
        if isinstance(kind, str):
            fits = [m for m in fits if "kind" in m.model_fields
                    and kind in get_args(m.model_fields["kind"].annotation)] or fits
        return sorted({k for m in fits for k in _keys(m)})


def _keys(model: type[BaseModel]) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


def _missing_keys(doc: YamlDocument, parent: Path, models: list[type[BaseModel]]
                  ) -> list[tuple[type[BaseModel], set[str]]]:
    node = doc.node(parent)
    present = set(node) if isinstance(node, dict) else set()
    return [(m, present - _keys(m)) for m in models]


def _belongs_under(errors: _Errors, path: Path, unknown: str) -> str:
    """Where a key written in the wrong mapping belongs: `` (it belongs under 'work:')`` for
    a key of a component beside the mapping of its kind that takes it (``starts_within`` at
    the component's level), `` (it belongs under 'caps:')`` for a section's key at the top,
    and `` (it belongs at the component's level, not under 'work:')`` for a component's key
    indented into one of its mappings."""
    if len(path) == 1:
        return _in_a_field(errors.contract_cls, unknown)
    if path[0] != "components" or len(path) not in (3, 4):
        return ""
    kind = errors.doc.node((*path[:2], "kind"))
    for model in errors.models:
        field = model.model_fields.get("kind")
        if field is None or kind not in get_args(field.annotation):
            continue
        if len(path) == 4:
            component = errors.doc.node(path[:2])
            written = isinstance(component, dict) and unknown in component
            return (f" (it belongs at the component's level, not under '{path[2]}:')"
                    if unknown in _keys(model) and not written else "")
        return _in_a_field(model, unknown)
    return ""


def _in_a_field(model: type[BaseModel], unknown: str) -> str:
    """`` (it belongs under 'caps:')`` when one mapping of ``model`` takes ``unknown`` (a
    list's items: `` (it belongs in an item of 'accept:')``); nothing when several do."""
    found = []
    for name, f in model.model_fields.items():
        listed = get_origin(f.annotation) is list or any(
            get_origin(a) is list for a in get_args(f.annotation))
        inner = [t for a in (f.annotation, *get_args(f.annotation))
                 for t in (a, *get_args(a))]
        if any(isinstance(t, type) and issubclass(t, BaseModel) and unknown in _keys(t)
               for t in inner):
            found.append((f.alias or name, listed))
    if len(found) != 1:
        return ""
    where, listed = found[0]
    return f" (it belongs in an item of '{where}:')" if listed else \
        f" (it belongs under '{where}:')"


def _did_you_mean(errors: _Errors, path: Path) -> str:
    """For an unknown key: the allowed key it most resembles, in the mapping it stands in."""
    node = errors.doc.node(path[:-1])
    if not isinstance(node, dict):
        return ""
    unknown = str(path[-1])
    under = _belongs_under(errors, path, unknown)
    if under:
        return under
    allowed = errors.allowed_keys(path[:-1], unknown)
    close = difflib.get_close_matches(unknown, allowed, n=1, cutoff=0.75)
    if not close:  # written in other capitals (min_FTE), the key in any case
        lower = {key.lower(): key for key in allowed}
        close = [lower[m] for m in difflib.get_close_matches(unknown.lower(), list(lower),
                                                              n=1, cutoff=0.75)]
    if not close:
        return ""
    if close[0] == unknown:  # a key of the same mapping in another kind, not in this one
        kind = errors.doc.node((*path[:2], "kind")) if path[:1] == ("components",) else None
        whose = f"{kind}'s" if isinstance(kind, str) else "this"
        return f" (other kinds take '{unknown}' here; {whose} does not)"
    if close[0] in node:
        return f" ('{close[0]}' is already given)"
    return f" (did you mean '{close[0]}'?)"


def _allowed_tags(error: dict[str, Any]) -> list[str]:
    ctx = error.get("ctx") or {}
    return list(ctx.get("expected_tags", "").replace("'", "").split(", ")) if ctx else []


def _is_kind_tag(error: dict[str, Any]) -> bool:
    """An unknown component ``kind`` (not a value of the wrong shape, e.g. a list for a price)."""
    ctx = error.get("ctx") or {}
    return error["type"] == "union_tag_invalid" and ctx.get("discriminator") == "'kind'"


def _models(tp: Any, seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    """Every model class reachable from a type annotation."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp not in seen:
            seen.add(tp)
            for f in tp.model_fields.values():
                _models(f.annotation, seen)
        return seen
    for arg in get_args(tp):
        _models(arg, seen)
    return seen


_MODELS_OF: dict[type[ContractBase], list[type[BaseModel]]] = {}


def _all_models(contract_cls: type[ContractBase]) -> list[type[BaseModel]]:
    if contract_cls not in _MODELS_OF:
        found = _models(contract_cls, set()) - {ContractBase}
        _MODELS_OF[contract_cls] = sorted(found, key=lambda m: m.__name__)
    return _MODELS_OF[contract_cls]


def _message(error: dict[str, Any], path: Path, errors: _Errors) -> str:
    etype = error["type"]
    key = str(error["loc"][-1])[:60] if error["loc"] else ""  # a hostile key may be huge
    if etype == "missing":
        return f"missing required key '{key}'"
    if etype == "extra_forbidden":
        return f"unknown key '{key}'{_did_you_mean(errors, path)}"
    where = ".".join(str(p) for p in path) or "document"
    if etype == "union_tag_invalid" and not _is_kind_tag(error):
        # a value of the wrong shape where a scalar/mapping/list union is expected
        got = (error.get("ctx") or {}).get("tag", "?")
        allowed = _allowed_tags(error)
        # a mapping of days written without ``values:``: the form a dated value takes
        value = error.get("input")
        dated = isinstance(value, dict) and bool(value) and all(
            isinstance(k, date) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(k)) for k in value)
        hint = ("; a value that changes on dates is written {values: {2013-01-01: 0.24, "
                "2024-09-01: 0.255}}" if dated and "a dated value" in allowed else "")
        return f"{where}: expected {' or '.join(allowed)}, got {got}{hint}"
    if etype == "union_tag_invalid":
        ctx = error.get("ctx") or {}
        tag = ctx.get("tag", "?")
        close = difflib.get_close_matches(str(tag), _allowed_tags(error), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown kind '{tag}'{hint}; expected one of {ctx.get('expected_tags', '')}"
    if etype == "union_tag_not_found":
        return "missing required key 'kind'"
    plain = plain_message(error)
    if plain is not None:
        return f"{where}: {plain}"
    msg = str(error["msg"])
    if etype.startswith(("date_", "decimal_", "int_", "bool_", "string_", "literal_")):
        value = error.get("input")
        # not when the message quotes the value already (cut, or named by what it looks like)
        shown = (f" '{value}'" if isinstance(value, str) and len(value) < 60
                 and f"'{value}'" not in msg and quoted(value) not in msg else "")
        return f"{where}:{shown} {msg[0].lower()}{msg[1:]}"
    return f"{where}: {msg}"


def part_of(path: Path) -> str | Path:
    """The part a document path belongs to: ``"windows"``, or ``("components", 3)``."""
    if len(path) >= 2 and path[0] == "components" and isinstance(path[1], int):
        return ("components", path[1])
    return str(path[0]) if path else ""


__all__ = ["Draft", "LoadedContract", "check_schema", "part_of"]
