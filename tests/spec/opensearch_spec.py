"""Check HTTP requests and responses against the OpenSearch API specification (the vendored bundle).

`SPEC.check_request(method, path, query, body, content_type)` returns the rules a request breaks (an empty
list when it is valid): the operation exists for the method and path; every query parameter is one the
operation (or the global set) knows, of the right type, and the required ones are there; the body is
allowed, present when required, and validates against the operation's request schema (`_bulk` and
`_msearch` line by line). Request bodies are checked *strictly*: a key an object schema does not declare is
refused, as OpenSearch's parsers refuse unknown keys in the query DSL, aggregations, highlights, mappings.
`SPEC.check_response(...)` validates a response body against the schema of its status (not strictly:
servers add fields). The bundle is built by `build_opensearch_bundle.py` from the spec at the commit in
`opensearch_api_spec/COMMIT` (Apache-2.0, see the LICENSE and NOTICE there).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from jsonschema_rs import Draft202012Validator

BUNDLE_DIR = Path(__file__).resolve().parent / "opensearch_api_spec"
AMAZON_DISTRIBUTIONS = frozenset({"amazon-managed", "amazon-serverless"})
_NDJSON_GROUPS = frozenset({"bulk", "msearch"})


@dataclass(frozen=True)
class Operation:
    id: str
    group: str
    method: str
    path: str
    excluded: tuple[str, ...]
    parameters: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    request_body: Mapping[str, Any] | None = field(default=None, repr=False)
    responses: Mapping[str, Any] = field(default_factory=dict, repr=False)
    detailed: bool = False

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        parts = re.split(r"(\{[^}]+\})", self.path)
        regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
        return re.compile(f"^{regex}$")

    @cached_property
    def literal_segments(self) -> int:
        return sum(1 for part in self.path.split("/") if part and not part.startswith("{"))


@dataclass
class Spec:
    bundle: Mapping[str, Any]
    _validators: dict[tuple[str, bool], Draft202012Validator] = field(default_factory=dict, repr=False)

    @cached_property
    def operations(self) -> list[Operation]:
        return [
            Operation(
                id=op["id"],
                group=op["group"],
                method=op["method"],
                path=op["path"],
                excluded=tuple(op.get("excluded") or ()),
                parameters=tuple(op.get("parameters") or ()),
                request_body=op.get("requestBody"),
                responses=op.get("responses") or {},
                detailed="responses" in op,
            )
            for op in self.bundle["operations"]
        ]

    @property
    def commit(self) -> str:
        return str(self.bundle["commit"])

    @cached_property
    def _defs(self) -> dict[str, Any]:
        return dict(self.bundle["$defs"])

    @cached_property
    def _strict_defs(self) -> dict[str, Any]:
        in_all_of = _refs_in_all_of(self.bundle)
        return {
            name: schema if "#/$defs/" + _escape(name) in in_all_of else _strict(schema)
            for name, schema in self._defs.items()
        }

    # ------------------------------------------------------------------------------ operations

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation for a method and path (the most literal template wins: `/_alias` before `/{index}`)."""
        best: tuple[Operation, dict[str, str]] | None = None
        for op in self.operations:
            if op.method != method.upper():
                continue
            match = op.pattern.match(path)
            if match and (best is None or op.literal_segments > best[0].literal_segments):
                best = (op, {k: unquote(v) for k, v in match.groupdict().items()})
        return best

    def group(self, name: str) -> list[Operation]:
        return [op for op in self.operations if op.group == name]

    # ---------------------------------------------------------------------------------- checks

    def validator(self, schema: Mapping[str, Any], *, strict: bool) -> Draft202012Validator:
        key = (json.dumps(schema, sort_keys=True), strict)
        if key not in self._validators:
            root = dict(_strict(schema) if strict else schema)
            root["$defs"] = self._strict_defs if strict else self._defs
            self._validators[key] = Draft202012Validator(root, validate_formats=False)
        return self._validators[key]

    def check_request(
        self,
        method: str,
        path: str,
        query: str | Mapping[str, str] = "",
        body: bytes | str | None = None,
        content_type: str | None = None,
    ) -> tuple[Operation | None, list[str]]:
        found = self.find(method, path)
        if found is None:
            return None, [f"{method} {path}: no such operation in the OpenSearch API specification"]
        op, path_params = found
        where = f"{method} {path} ({op.id})"
        if not op.detailed:
            return op, [f"{where}: operation not in the vendored detail set (rebuild the bundle with it)"]
        errors: list[str] = []
        params = dict(parse_qsl(query, keep_blank_values=True)) if isinstance(query, str) else dict(query)
        known = {p["name"]: p for p in (*op.parameters, *self.bundle["global_parameters"]) if p["in"] == "query"}
        for name, value in params.items():
            spec = known.get(name)
            if spec is None:
                errors.append(f"{where}: unknown query parameter {name!r}")
            elif not self._param_ok(value, spec["schema"]):
                errors.append(f"{where}: query parameter {name}={value!r} does not match {spec['schema']}")
        for p in op.parameters:
            if p["in"] == "query" and p["required"] and p["name"] not in params:
                errors.append(f"{where}: required query parameter {p['name']!r} is missing")
            if (
                p["in"] == "path"
                and p["name"] in path_params
                and not self._param_ok(path_params[p["name"]], p["schema"])
            ):
                errors.append(f"{where}: path parameter {p['name']}={path_params[p['name']]!r} does not match")
        errors += self._check_body(op, where, body, content_type)
        return op, errors

    def _param_ok(self, raw: str, schema: Mapping[str, Any]) -> bool:
        validator = self.validator(schema, strict=False)
        return any(validator.is_valid(candidate) for candidate in _candidates(raw))

    def _check_body(self, op: Operation, where: str, body: bytes | str | None, content_type: str | None) -> list[str]:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        spec = op.request_body
        if not text:
            return [f"{where}: the request body is required"] if spec and spec.get("required") else []
        if not spec:
            return [f"{where}: the operation takes no request body"]
        content = spec["content"]
        if op.group in _NDJSON_GROUPS:
            schema = content.get("application/x-ndjson")
            if schema is None:
                return [f"{where}: no NDJSON body in the specification"]
            if content_type and "ndjson" not in content_type:
                return [f"{where}: content type {content_type!r}, the specification says application/x-ndjson"]
            return self._check_ndjson(op, where, text, schema)
        schema = content.get("application/json")
        if schema is None:
            return [f"{where}: no JSON body in the specification"]
        try:
            document = json.loads(text)
        except ValueError as exc:
            return [f"{where}: the body is not JSON: {exc}"]
        return [f"{where}: body {e}" for e in _errors(self.validator(schema, strict=True), document)]

    def _check_ndjson(self, op: Operation, where: str, text: str, schema: Mapping[str, Any]) -> list[str]:
        if not text.endswith("\n"):
            return [f"{where}: an NDJSON body must end with a newline"]
        try:
            lines = [json.loads(line) for line in text.split("\n")[:-1]]
        except ValueError as exc:
            return [f"{where}: a line is not JSON: {exc}"]
        errors = [f"{where}: body {e}" for e in _errors(self.validator(schema, strict=False), lines)]
        if op.group == "bulk":
            errors += self._check_bulk_lines(where, lines)
        else:
            header = self.validator({"$ref": "#/$defs/_core.msearch:MultisearchHeader"}, strict=True)
            body = self.validator({"$ref": "#/$defs/_core.msearch:MultisearchBody"}, strict=True)
            if len(lines) % 2:
                errors.append(f"{where}: _msearch lines come in header/body pairs")
            for n, line in enumerate(lines):
                errors += [f"{where}: line {n + 1}: {e}" for e in _errors(body if n % 2 else header, line)]
        return errors

    def _check_bulk_lines(self, where: str, lines: list[Any]) -> list[str]:
        """Each action line is one OperationContainer; index/create/update carry a source line, delete none."""
        errors: list[str] = []
        action_schema = self.validator({"$ref": "#/$defs/_core.bulk:OperationContainer"}, strict=True)
        update_schema = self.validator({"$ref": "#/$defs/_core.bulk:UpdateAction"}, strict=True)
        n = 0
        while n < len(lines):
            action = lines[n]
            problems = _errors(action_schema, action)
            if problems or not isinstance(action, dict) or len(action) != 1:
                errors += [f"{where}: line {n + 1} is not a bulk action: {p}" for p in problems or [repr(action)]]
                n += 1
                continue
            kind = next(iter(action))
            n += 1
            if kind == "delete":
                continue
            if n >= len(lines):
                errors.append(f"{where}: the {kind} action on line {n} has no source line")
                break
            source = lines[n]
            if kind == "update":
                errors += [f"{where}: line {n + 1}: {e}" for e in _errors(update_schema, source)]
            elif not isinstance(source, dict):
                errors.append(f"{where}: line {n + 1}: a {kind} source must be an object")
            n += 1
        return errors

    def check_response(self, op: Operation, status: int, body: Any) -> list[str]:
        where = f"{op.method} {op.path} ({op.id}) -> {status}"
        spec = op.responses.get(str(status))
        if spec is None and status >= 400:
            # The spec leaves most error statuses out (an index_not_found 404 of _count, ...): the common error shape
            spec = {"content": {"application/json": {"$ref": "#/$defs/_common:ErrorResponseBase"}}}
        if spec is None:
            return [f"{where}: status {status} is not a documented response"]
        if op.method == "HEAD" or body is None:
            return []
        schema = spec["content"].get("application/json")
        if schema is None:
            return []
        return [f"{where}: {e}" for e in _errors(self.validator(schema, strict=False), body)]

    def response_schema(self, op_id: str, status: int = 200) -> dict[str, Any]:
        """The response schema of an operation with its `$defs`: for generating responses."""
        op = next(o for o in self.operations if o.id == op_id)
        schema = dict(op.responses[str(status)]["content"]["application/json"])
        schema["$defs"] = self._defs
        return schema

    def definition(self, name: str) -> dict[str, Any]:
        return {"$ref": "#/$defs/" + _escape(name), "$defs": self._defs}


def _errors(validator: Draft202012Validator, instance: Any) -> list[str]:
    out = []
    for error in validator.iter_errors(instance):
        location = "/".join(str(p) for p in error.instance_path) or "(root)"
        out.append(f"at {location}: {error.message[:300]}")
        if len(out) == 5:
            break
    return out


def _candidates(raw: str) -> Iterable[Any]:
    """A query string value read as each JSON type it could stand for."""
    yield raw
    if raw in ("true", "false"):
        yield raw == "true"
    if re.fullmatch(r"-?\d+", raw):
        yield int(raw)
    if re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", raw):
        yield float(raw)
    yield raw.split(",")


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _refs_in_all_of(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "allOf":
                    found.update(m["$ref"] for m in value if isinstance(m, dict) and "$ref" in m)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


_OPEN_KEYS = ("additionalProperties", "patternProperties", "unevaluatedProperties")


def _strict(schema: Any, *, in_all_of: bool = False) -> Any:
    """Refuse keys an object schema does not declare (`unevaluatedProperties: false`), except in allOf parts."""
    if isinstance(schema, list):
        return [_strict(s, in_all_of=in_all_of) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = copy.copy(schema)
    declares = "properties" in schema or "allOf" in schema
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            out[key] = {k: _strict(v) for k, v in value.items()}
        elif key == "allOf":
            out[key] = [_strict(v, in_all_of=True) for v in value]
        elif key in ("anyOf", "oneOf"):
            # beside properties or allOf, a branch is a part of the object too
            out[key] = [_strict(v, in_all_of=in_all_of or declares) for v in value]
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = _strict(value)
    if declares and not in_all_of and not any(k in schema for k in _OPEN_KEYS):
        out["unevaluatedProperties"] = False
    return out


def load_spec(directory: Path = BUNDLE_DIR) -> Spec:
    return Spec(json.loads((directory / "bundle.json").read_text(encoding="utf-8")))


SPEC = load_spec()
