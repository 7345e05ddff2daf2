"""Hypothesis strategies for instances of the spec's (inlined) JSON schemas.

hypothesis-jsonschema 0.23.1 does not run on the Hypothesis this project pins (it uses internals that have
changed), so this is a small generator for the keywords the response schemas use: type, properties,
required, items, additionalProperties, enum, const, minimum/maximum, allOf (merged), anyOf/oneOf. It only
approximates: `spec_instances` keeps what the spec's validator accepts, so every instance drawn is valid.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from tests.spec.opensearch_spec import SPEC

_SCALARS = st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=8)


def inline(name: str, depth: int = 6) -> dict[str, Any]:
    """A spec schema with its `$ref`s inlined; deeper than `depth`, an empty object (recursive schemas)."""
    defs = SPEC.bundle["$defs"]

    def walk(node: Any, level: int) -> Any:
        if isinstance(node, list):
            return [walk(n, level) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            if level >= depth:
                return {"type": "object", "maxProperties": 0}
            target = node["$ref"].removeprefix("#/$defs/").replace("~1", "/").replace("~0", "~")
            rest = {k: v for k, v in node.items() if k != "$ref"}
            resolved = walk(copy.deepcopy(defs[target]), level + 1)
            return _merge(resolved, walk(rest, level)) if rest else resolved
        return {k: walk(v, level) for k, v in node.items()}

    return walk(defs[name], 0)  # type: ignore[no-any-return]


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    a, b = _flatten(a), _flatten(b)
    out = {**a, **{k: v for k, v in b.items() if k not in ("properties", "required", "allOf")}}
    if "type" in a and "type" in b and a["type"] != b["type"]:
        out["type"] = "never"  # both cannot hold: nothing to draw
    if isinstance(a.get("items"), dict) and isinstance(b.get("items"), dict):
        out["items"] = _merge(a["items"], b["items"])
    props = dict(a.get("properties", {}))
    for key, sub in b.get("properties", {}).items():
        props[key] = _merge(props[key], sub) if key in props else sub
    if props:
        out["properties"] = props
    required = [*a.get("required", []), *b.get("required", [])]
    if required:
        out["required"] = sorted(set(required))
    return out


def _flatten(schema: dict[str, Any]) -> dict[str, Any]:
    parts = schema.get("allOf")
    if not parts:
        return schema
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for part in parts:
        merged = _merge(merged, _flatten(part))
    return merged


def strategy(schema: Any) -> st.SearchStrategy[Any]:
    if not isinstance(schema, dict) or not schema:
        return _SCALARS
    schema = _flatten(schema)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("oneOf", "anyOf"):
        if key in schema:
            rest = {k: v for k, v in schema.items() if k != key}
            return st.one_of([strategy(_merge(rest, branch) if rest else branch) for branch in schema[key]])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([strategy({**schema, "type": k}) for k in kind])
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    if kind == "object":
        return _object(schema)
    if kind == "array":
        return st.lists(strategy(schema.get("items", {})), min_size=schema.get("minItems", 0), max_size=3)
    if kind == "string":
        return st.text(max_size=12)
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**40)), schema.get("maximum", 2**40))
    if kind == "number":
        low, high = schema.get("minimum", -1e12), schema.get("maximum", 1e12)
        return st.floats(low, high, allow_nan=False, allow_infinity=False) | st.integers(int(low), int(high))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "never":
        return st.nothing()
    return _SCALARS


def _object(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    props = schema.get("properties", {})
    if schema.get("maxProperties") == 0:
        return st.just({})
    required = set(schema.get("required", []))
    extra = schema.get("additionalProperties")
    if schema.get("maxProperties") == 1 and props and not required:  # a container: one of its keys
        return st.one_of([st.fixed_dictionaries({k: strategy(v)}) for k, v in props.items()])
    if not props and isinstance(extra, dict):
        return st.dictionaries(st.text(min_size=1, max_size=6), strategy(extra), max_size=3)
    return st.fixed_dictionaries(
        {k: strategy(v) for k, v in props.items() if k in required},
        optional={k: strategy(v) for k, v in props.items() if k not in required},
    )


def spec_instances(name: str, schema: dict[str, Any] | None = None, depth: int = 6) -> st.SearchStrategy[Any]:
    """Valid instances of the spec definition `name`; with `schema` (inlined from the spec, adjusted by the
    caller), instances of that, checked against it."""
    from jsonschema_rs import Draft202012Validator

    if schema is None:
        validator = SPEC.validator({"$ref": "#/$defs/" + name}, strict=False)
        return strategy(inline(name, depth)).filter(validator.is_valid)
    return strategy(schema).filter(Draft202012Validator(schema, validate_formats=False).is_valid)
