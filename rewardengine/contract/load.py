"""Load a contract: read -> compose YAML -> validate with pydantic -> cross-checks.

Returns the contract (or ``None``) and every problem found, each with ``FILE:LINE:COL``.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from ..errors import Problem, Source, has_errors
from ..plainwords import plain_message
from ..yamlsource import MAX_CONTRACT_BYTES, YamlDocument, decode_utf8, parse_yaml, read_bytes
from .model import Contract

# pydantic error type -> (stable code, how to say it)
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
}
_DEFAULT_CODE = "C110"


@dataclass(frozen=True)
class LoadedContract:
    """A validated contract with where it came from, for clause locations and audit."""

    contract: Contract
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

    def source(self, *path: str | int) -> Source:
        return self.doc.source(tuple(path))


def _allowed_keys(error: dict[str, Any]) -> list[str]:
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


_ALL_MODELS = sorted(_models(Contract, set()), key=lambda m: m.__name__)


def _keys(model: type[BaseModel]) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


def _did_you_mean(doc: YamlDocument, path: tuple[str | int, ...]) -> str:
    """For an unknown key: the allowed key it most resembles, in the mapping it stands in."""
    node: Any = doc.data
    for part in path[:-1]:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            node = node[part]
        else:
            return ""
    if not isinstance(node, dict):
        return ""
    unknown = str(path[-1])
    present = set(node) - {unknown}
    fits = [m for m in _ALL_MODELS if present <= _keys(m)]
    kind = node.get("kind")
    if isinstance(kind, str):
        fits = [m for m in fits if "kind" in m.model_fields
                and kind in get_args(m.model_fields["kind"].annotation)] or fits
    allowed = sorted({k for m in fits for k in _keys(m)})
    close = difflib.get_close_matches(unknown, allowed, n=1, cutoff=0.75)
    if not close:
        return ""
    if close[0] in present:
        return f" ('{close[0]}' is already given)"
    return f" (did you mean '{close[0]}'?)"


def _message(error: dict[str, Any], doc: YamlDocument, path: tuple[str | int, ...]) -> str:
    etype = error["type"]
    loc = error["loc"]
    key = str(loc[-1])[:60]  # a hostile key may be huge; the position says where it is
    if etype == "missing":
        return f"missing required key '{key}'"
    if etype == "extra_forbidden":
        return f"unknown key '{key}'{_did_you_mean(doc, path)}"
    if etype == "union_tag_invalid" and not _is_kind_tag(error):
        # a value of the wrong shape where a scalar/mapping/list union is expected
        where = ".".join(str(p) for p in path) or "document"
        got = (error.get("ctx") or {}).get("tag", "?")
        return f"{where}: expected {' or '.join(_allowed_keys(error))}, got {got}"
    if etype == "union_tag_invalid":
        ctx = error.get("ctx") or {}
        tag = ctx.get("tag", "?")
        close = difflib.get_close_matches(str(tag), _allowed_keys(error), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown kind '{tag}'{hint}; expected one of {ctx.get('expected_tags', '')}"
    if etype == "union_tag_not_found":
        return "missing required key 'kind'"
    where = ".".join(str(p) for p in path) or "document"
    plain = plain_message(error)
    if plain is not None:
        return f"{where}: {plain}"
    msg = str(error["msg"])
    if etype.startswith(("date_", "decimal_", "int_", "bool_", "string_", "literal_")):
        value = error.get("input")
        shown = (f" '{value}'" if isinstance(value, str) and len(value) < 60
                 and f"'{value}'" not in msg else "")
        return f"{where}:{shown} {msg[0].lower()}{msg[1:]}"
    return f"{where}: {msg}"


def pydantic_problems(exc: ValidationError, doc: YamlDocument,
                      model: type[Contract] | None = None) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, int | None, int | None, str]] = set()
    for details in exc.errors(include_url=False):
        error: dict[str, Any] = dict(details)
        loc = tuple(error["loc"])
        etype = error["type"]
        code = _CODES.get(etype, _DEFAULT_CODE)
        path = doc.resolve_loc(loc)
        if etype == "extra_forbidden":
            src = doc.key_source(path)
        elif etype == "union_tag_invalid" and not _is_kind_tag(error):
            code = _DEFAULT_CODE
            src = doc.source(path)
        elif _is_kind_tag(error) and (*path, "kind") in doc.marks:
            src = doc.source((*path, "kind"))  # point at the unknown kind itself
        else:
            src = doc.source(path)
        message = _message(error, doc, path)
        key = (code, src.line, src.col, message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(code, message, src))
    return problems


def load_contract_text(text: str, file: str, sha256: str | None = None
                       ) -> tuple[LoadedContract | None, list[Problem]]:
    """Validate contract text; ``sha256`` is of the file's bytes (defaults to the UTF-8 text)."""
    doc, problems = parse_yaml(text, file)
    if doc is None:
        return None, problems
    if not isinstance(doc.data, dict):
        return None, [*problems,
                      Problem("C100", "a contract must be a mapping with keys metadata, "
                              "windows, components", doc.source(()))]
    try:
        contract = Contract.model_validate(doc.data)
    except ValidationError as exc:
        return None, [*problems, *pydantic_problems(exc, doc)]
    from .checks import check_contract  # cross-checks need the validated model

    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    loaded = LoadedContract(contract=contract, file=file, sha256=digest, doc=doc)
    problems.extend(check_contract(loaded))
    if has_errors(problems):
        return None, problems
    return loaded, problems


def load_contract(path: str) -> tuple[LoadedContract | None, list[Problem]]:
    """Load and validate a contract file; never raises on bad input."""
    raw, problem = read_bytes(path, MAX_CONTRACT_BYTES)
    if raw is None:
        assert problem is not None
        return None, [problem]
    text, problem = decode_utf8(raw, path)
    if text is None:
        assert problem is not None
        return None, [problem]
    return load_contract_text(text, path, hashlib.sha256(raw).hexdigest())
