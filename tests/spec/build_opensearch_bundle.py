"""Build the small, vendored extract of the OpenSearch API specification that tests/spec reads.

    .venv/bin/python tests/spec/build_opensearch_bundle.py [SPEC_DIR]   # default ../shared/opensearch-api-spec

It writes `tests/spec/opensearch_api_spec/`:
- `bundle.json`: every operation of every namespace as (operationId, group, method, path, distributions
  excluded), and for the operation groups in `DETAILED_GROUPS` (what the OpenSearch adapter may call) also
  its parameters (with the global ones), request body and response schemas. Every `$ref` across the spec's
  files is rewritten to `#/$defs/<file stem>:<name>` and only the schemas reachable from those operations
  are kept, annotations (descriptions, examples, `x-*`) dropped: one self-contained JSON Schema 2020-12
  document, no file resolution at test time.
- `stories/`: the spec's test stories for those operations (recorded request/response pairs).
- `LICENSE.txt`, `NOTICE.txt`, `COMMIT` copied from the spec.
`make test` reads only this copy, so a clean clone needs no ../shared.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "opensearch_api_spec"
DEFAULT_SPEC = HERE.parent.parent.parent / "shared" / "opensearch-api-spec"

# The operation groups the adapter calls, or could call (msearch, get_all_pits: for the check that it does not).
DETAILED_GROUPS = frozenset(
    {
        "ping",
        "info",
        "bulk",
        "search",
        "count",
        "msearch",
        "get",
        "create_pit",
        "delete_pit",
        "get_all_pits",
        "delete_all_pits",
        "indices.create",
        "indices.delete",
        "indices.exists",
        "indices.get",
        "indices.exists_alias",
        "indices.get_alias",
        "indices.update_aliases",
        "indices.refresh",
    }
)
# Stories with recorded responses of those operations.
STORIES = [
    "tests/default/_core/bulk.yaml",
    "tests/default/_core/count.yaml",
    "tests/default/_core/search.yaml",
    "tests/default/_core/search/search_after.yaml",
    "tests/default/_core/search/point_in_time.yaml",
    "tests/default/_core/search/point_in_time/all.yaml",
    "tests/default/_core/search/sort_by_field.yaml",
    "tests/default/_core/search/aggregations/max.yaml",
    "tests/default/_core/search/aggregations/terms.yaml",
    "tests/default/_core/search/aggregations/historgram.yaml",
    "tests/default/indices/create.yaml",
    "tests/default/indices/aliases",
    "tests/default/indices/alias",
    "tests/default/indices/doc.yaml",
    "tests/default/indices/bulk.yaml",
]
METHODS = ("get", "put", "post", "delete", "head", "patch")
_ANNOTATIONS = frozenset({"description", "title", "externalDocs", "examples", "example", "deprecated", "$comment"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_SCHEMA_ONE = frozenset(
    {"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties"}
)
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})


class Bundler:
    def __init__(self, spec: Path) -> None:
        self.spec = spec
        self.files: dict[Path, Any] = {}
        self.defs: dict[str, Any] = {}

    def load(self, path: Path) -> Any:
        path = path.resolve()
        if path not in self.files:
            self.files[path] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return self.files[path]

    def resolve(self, ref: str, base: Path) -> tuple[Any, Path]:
        file_part, _, pointer = ref.partition("#")
        target = (base.parent / file_part).resolve() if file_part else base
        node = self.load(target)
        for token in pointer.strip("/").split("/"):
            if token:
                node = node[token.replace("~1", "/").replace("~0", "~")]
        return node, target

    def schema(self, node: Any, base: Path) -> Any:
        """A schema with refs rewritten to local $defs (collecting what they point at)."""
        if isinstance(node, list):
            return [self.schema(item, base) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref":
                out["$ref"] = self.define(value, base)
            elif key in _ANNOTATIONS or key.startswith("x-"):
                continue
            elif key in _SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {name: self.schema(sub, base) for name, sub in value.items()}
            elif key in _SCHEMA_ONE or key in _SCHEMA_LISTS:
                out[key] = self.schema(value, base)
            else:
                out[key] = value
        return out

    def define(self, ref: str, base: Path) -> str:
        _, target = self.resolve(ref, base)
        name = f"{target.stem}:{ref.rsplit('/', 1)[-1]}"
        if name not in self.defs:
            self.defs[name] = {}  # placeholder first: schemas are recursive
            node, target = self.resolve(ref, base)
            self.defs[name] = self.schema(node, target)
        return "#/$defs/" + name.replace("~", "~0").replace("/", "~1")

    def component(self, node: Any, base: Path) -> tuple[Any, Path]:
        """An OpenAPI component (parameter, request body, response), following `$ref`s."""
        while isinstance(node, dict) and "$ref" in node:
            node, base = self.resolve(node["$ref"], base)
        return node, base

    def parameter(self, node: Any, base: Path) -> dict[str, Any]:
        param, where = self.component(node, base)
        out = {"name": param["name"], "in": param["in"], "required": bool(param.get("required", False))}
        out["schema"] = self.schema(param.get("schema", {}), where)
        return out

    def content(self, node: Any, base: Path) -> dict[str, Any]:
        body, where = self.component(node, base)
        return {
            "required": bool(body.get("required", False)),
            "content": {
                ctype: self.schema(media.get("schema", {}), where)
                for ctype, media in (body.get("content") or {}).items()
            },
        }

    def build(self) -> dict[str, Any]:
        global_file = self.spec / "spec" / "_global_parameters.yaml"
        global_params = [
            self.parameter(p, global_file) for p in self.load(global_file)["components"]["parameters"].values()
        ]
        operations: list[dict[str, Any]] = []
        for namespace in sorted((self.spec / "spec" / "namespaces").glob("*.yaml")):
            doc = self.load(namespace)
            for path, item in (doc.get("paths") or {}).items():
                for method in METHODS:
                    op = item.get(method)
                    if not op:
                        continue
                    entry: dict[str, Any] = {
                        "id": op["operationId"],
                        "group": op.get("x-operation-group", op["operationId"].split(".")[0]),
                        "method": method.upper(),
                        "path": path,
                        "excluded": op.get("x-distributions-excluded", []),
                        "version_added": op.get("x-version-added"),
                    }
                    if entry["group"] in DETAILED_GROUPS:
                        entry["parameters"] = [self.parameter(p, namespace) for p in op.get("parameters", [])]
                        if "requestBody" in op:
                            entry["requestBody"] = self.content(op["requestBody"], namespace)
                        entry["responses"] = {
                            status: self.content(resp, namespace) for status, resp in op.get("responses", {}).items()
                        }
                    operations.append(entry)
        return {"operations": operations, "global_parameters": global_params, "$defs": self.defs}


def main(argv: list[str]) -> int:
    spec = Path(argv[1]).resolve() if len(argv) > 1 else DEFAULT_SPEC
    if not (spec / "spec" / "namespaces").is_dir():
        print(f"no OpenSearch API specification at {spec}", file=sys.stderr)
        return 2
    bundle = Bundler(spec).build()
    bundle["commit"] = (spec / "COMMIT").read_text().strip()
    OUT.mkdir(exist_ok=True)
    (OUT / "bundle.json").write_text(json.dumps(bundle, sort_keys=True, separators=(",", ":")) + "\n")
    stories = OUT / "stories"
    shutil.rmtree(stories, ignore_errors=True)
    for rel in STORIES:
        source = spec / rel
        for file in sorted(source.rglob("*.yaml")) if source.is_dir() else [source]:
            target = stories / file.relative_to(spec / "tests")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
    for name in ("LICENSE.txt", "NOTICE.txt", "COMMIT"):
        shutil.copyfile(spec / name, OUT / name)
    detailed = sum(1 for op in bundle["operations"] if "responses" in op)
    print(f"{len(bundle['operations'])} operations ({detailed} detailed), {len(bundle['$defs'])} schemas -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
