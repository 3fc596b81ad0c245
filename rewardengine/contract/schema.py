"""The JSON Schema of the contract language, for editors, with the engine's own choices.

pydantic writes each union as ``oneOf``; when a branch fails, an editor can then only say "not
valid under any of the given schemas". The engine never tries branches: a component's ``kind``
picks its model, and the shape of what was written picks a union's branch (``by_shape``: a
mapping with ``values`` is a dated value, another mapping a table or a range, a list a list,
anything else a scalar). The schema says the same with ``if``/``then``, so an editor reports
the error of the one branch the engine would take: "property ``amout`` is not allowed" inside
an ``event_fee``.
"""

from __future__ import annotations

from typing import Any

from .model import ContractBase

Schema = dict[str, Any]
# pydantic keeps a field's bounds under their own names when the type brings its own schema
_BOUNDS = {"ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum"}
_SHAPES: dict[str, Schema] = {
    "dated": {"type": "object", "required": ["values"]},
    "mapping": {"type": "object"},
    "list": {"type": "array"},
}


def contract_schema(contract_cls: type[ContractBase]) -> Schema:
    """The JSON Schema of ``contract_cls`` with the engine's choices as `if`/`then`."""
    data = contract_cls.model_json_schema(by_alias=True)
    defs: dict[str, Schema] = data.get("$defs", {})
    data = dict(_rewrite(data, defs))
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "rewardengine contract"
    return data


def _rewrite(node: Any, defs: dict[str, Schema]) -> Any:
    if isinstance(node, list):
        return [_rewrite(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    node = {_BOUNDS.get(k, k) if isinstance(v, int | float) else k: _rewrite(v, defs)
            for k, v in node.items()}
    if "oneOf" in node and "discriminator" in node:
        return _by_kind(node)
    if "oneOf" in node:
        return _by_shape(node, defs)
    if "anyOf" in node:
        return _optional(node)
    return node


def _optional(node: Schema) -> Schema:
    """``X | None`` as "null, or else X", so an error is X's own."""
    branches = node["anyOf"]
    if len(branches) != 2 or {"type": "null"} not in branches:
        return node
    (other,) = [b for b in branches if b != {"type": "null"}]
    rest = {k: v for k, v in node.items() if k != "anyOf"}
    return {**rest, "if": {"type": "null"}, "else": other}


def _by_kind(node: Schema) -> Schema:
    """``kind`` picks the model: one ``if``/``then`` per kind."""
    disc = node["discriminator"]
    key, mapping = disc["propertyName"], disc["mapping"]
    rest = {k: v for k, v in node.items() if k not in ("oneOf", "discriminator")}
    return {**rest, "type": "object", "required": [key],
            "properties": {key: {"enum": sorted(mapping)}},
            "allOf": [{"if": {"properties": {key: {"const": name}}, "required": [key]},
                       "then": {"$ref": ref}} for name, ref in sorted(mapping.items())]}


def _shape(branch: Schema, defs: dict[str, Schema]) -> str:
    ref = branch.get("$ref", "")
    if ref.endswith("/Dated"):
        return "dated"
    target = defs.get(ref.rsplit("/", 1)[-1], {}) if ref else branch
    if target.get("type") == "object" or "properties" in target:
        return "mapping"
    if target.get("type") == "array":
        return "list"
    return "scalar"


def _by_shape(node: Schema, defs: dict[str, Schema]) -> Schema:
    """The shape of the value picks the branch, as ``by_shape`` does in the engine."""
    branches: dict[str, Schema] = {}
    for branch in node["oneOf"]:
        shape = _shape(branch, defs)
        if shape in branches:  # two branches of one shape: leave pydantic's choice
            return node
        branches[shape] = branch
    if "mapping" not in branches and "dated" in branches:
        # a mapping without `values` is still taken for a dated value (its error says so)
        branches["mapping"] = branches["dated"]
    allowed = [s for s in ("object", "array") if (s == "object" and "mapping" in branches)
               or (s == "array" and "list" in branches)]
    chain: Schema = branches.get("scalar", {"type": allowed})
    for shape in ("list", "mapping", "dated"):
        if shape in branches:
            chain = {"if": _SHAPES[shape], "then": branches[shape], "else": chain}
    rest = {k: v for k, v in node.items() if k != "oneOf"}
    return {**rest, **chain}
