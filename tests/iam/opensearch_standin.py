"""An OpenSearch stand-in on 127.0.0.1 that authorizes like Amazon OpenSearch Service, then answers.

Each request is an IAM request for `es:ESHttp<Method>` on `arn:aws:es:<region>:<account>:domain/<name>/<path>`.
It must be allowed by the acting role's identity policy AND by the domain's access policy for that
role's ARN (the deployed stack keeps both deliberate; a grant present in only one of them is a finding).
A denied request gets the 403 body the service returns. Allowed requests are answered from a small
in-memory index with the response shapes the adapter reads (index lifecycle, `_bulk`, `_doc`,
`_search` with sort/search_after/point in time, `_count`, aggregations with empty buckets): enough
for every handler path to complete, nothing that judges relevance.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cmp_to_key
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.iam.policy import Decision, Grant, Policy
from tests.iam.template import ACCOUNT, PARTITION, REGION


@dataclass(frozen=True)
class EsRequest:
    role: str
    method: str
    path: str
    action: str
    resource: str
    identity: Decision
    domain: Decision

    @property
    def allowed(self) -> bool:
        return self.identity.allowed and self.domain.allowed


class OpenSearchStandIn:
    def __init__(
        self, domain_name: str, identity: Mapping[str, Policy], domain_policy: Policy, role_arns: Mapping[str, str]
    ) -> None:
        self.domain_arn = f"arn:{PARTITION}:es:{REGION}:{ACCOUNT}:domain/{domain_name}"
        self.identity = dict(identity)
        self.domain_policy = domain_policy
        self.role_arns = dict(role_arns)
        self.role: str | None = None
        self.records: list[EsRequest] = []
        self.indices: dict[str, dict[str, dict[str, Any]]] = {}  # concrete index -> id -> source
        self.aliases: dict[str, str] = {}  # alias -> concrete index
        self.pits: set[str] = set()
        self.down = False  # an outage: every allowed request answers 503
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> OpenSearchStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @contextmanager
    def acting_as(self, role: str) -> Iterator[None]:
        previous, self.role = self.role, role
        try:
            yield
        finally:
            self.role = previous

    @contextmanager
    def outage(self) -> Iterator[None]:
        self.down = True
        try:
            yield
        finally:
            self.down = False

    def denied(self) -> list[EsRequest]:
        return [r for r in self.records if not r.allowed]

    def used_grants(self) -> set[Grant]:
        return {g for r in self.records for g in (*r.identity.grants, *r.domain.grants)}

    # ------------------------------------------------------------------------------ authorization

    def authorize(self, method: str, path: str) -> EsRequest:
        if self.role is None:
            raise AssertionError(f"OpenSearch called outside a role: {method} {path}")
        action = f"es:ESHttp{method.title()}"
        resource = f"{self.domain_arn}{path if path != '/' else '/'}"
        request = EsRequest(
            role=self.role,
            method=method,
            path=path,
            action=action,
            resource=resource,
            identity=self.identity[self.role].decide(action, resource),
            domain=self.domain_policy.decide(action, resource, principal=self.role_arns[self.role]),
        )
        with self._lock:
            self.records.append(request)
        return request

    # ------------------------------------------------------------------------------ the index

    def _concrete(self, name: str) -> list[str]:
        if name in self.aliases:
            return [self.aliases[name]]
        if name.endswith("*"):
            return [n for n in self.indices if n.startswith(name[:-1])]
        return [name] if name in self.indices else []

    def answer(self, method: str, path: str, query: str, body: bytes) -> tuple[int, Any]:
        parts = [unquote(p) for p in path.strip("/").split("/") if p]
        payload: Any = None
        if body:
            text = body.decode()
            payload = (
                [json.loads(line) for line in text.splitlines() if line.strip()]
                if parts[-1:] == ["_bulk"]
                else json.loads(text)
            )
        with self._lock:
            return self._route(method, parts, payload)

    def _route(self, method: str, parts: list[str], payload: Any) -> tuple[int, Any]:
        if not parts:
            return 200, {
                "name": "standin",
                "cluster_name": "newsflow",
                "version": {"number": "3.7.0", "distribution": "opensearch"},
            }
        if parts == ["_search", "point_in_time"] and method == "DELETE":
            ids = [str(i) for i in (payload or {}).get("pit_id", [])]
            gone = [{"pit_id": i, "successful": i in self.pits} for i in ids]
            self.pits.difference_update(ids)
            return 200, {"pits": gone}
        if parts == ["_search"] and method in {"GET", "POST"}:
            pit = str(((payload or {}).get("pit") or {}).get("id", ""))
            if pit not in self.pits:
                return 404, _error("search_context_missing_exception", f"no search context found for id [{pit}]")
            return 200, self._search(self.pit_index, payload or {}) | {"pit_id": pit}
        if len(parts) == 2 and parts[0] == "_alias" and method in {"HEAD", "GET"}:
            alias = parts[1]
            if alias not in self.aliases:
                return 404, (
                    None if method == "HEAD" else _error("aliases_not_found_exception", f"alias [{alias}] missing")
                )
            return 200, (None if method == "HEAD" else {self.aliases[alias]: {"aliases": {alias: {}}}})
        if parts == ["_aliases"] and method == "POST":
            for action in (payload or {}).get("actions", []):
                ((kind, spec),) = action.items()
                if kind == "add":
                    self.aliases[spec["alias"]] = spec["index"]
                elif kind == "remove":
                    self.aliases.pop(spec["alias"], None)
                elif kind == "remove_index":
                    self.indices.pop(spec["index"], None)
            return 200, {"acknowledged": True}
        name, rest = parts[0], parts[1:]
        concrete = self._concrete(name)
        if not rest:
            if method == "HEAD":
                return (200 if concrete else 404), None
            if method == "PUT":
                if name in self.indices:
                    return 400, _error("resource_already_exists_exception", f"index [{name}] already exists")
                self.indices[name] = {}
                for alias in (payload or {}).get("aliases", {}):
                    self.aliases[alias] = name
                return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}
            if method == "GET":
                return 200, {n: {"aliases": {a: {} for a, c in self.aliases.items() if c == n}} for n in concrete}
            if method == "DELETE":
                for n in concrete:
                    self.indices.pop(n, None)
                return 200, {"acknowledged": True}
        if not concrete:
            return 404, _error("index_not_found_exception", f"no such index [{name}]")
        docs = self.indices[concrete[0]]
        if rest == ["_bulk"] and method in {"POST", "PUT"}:
            return 200, self._bulk(docs, payload or [])
        if rest[:1] == ["_doc"] and len(rest) == 2 and method == "GET":
            doc_id = rest[1]
            if doc_id not in docs:
                return 404, {"_index": concrete[0], "_id": doc_id, "found": False}
            return 200, {"_index": concrete[0], "_id": doc_id, "_version": 1, "found": True, "_source": docs[doc_id]}
        if rest == ["_count"]:
            return 200, {"count": len(docs), "_shards": _shards()}
        if rest == ["_search", "point_in_time"] and method == "POST":
            pit = uuid.uuid4().hex
            self.pits.add(pit)
            self.pit_index = concrete[0]
            return 200, {"pit_id": pit, "_shards": _shards(), "creation_time": 0}
        if rest == ["_search"] and method in {"GET", "POST"}:
            return 200, self._search(concrete[0], payload or {})
        if rest == ["_refresh"]:
            return 200, {"_shards": _shards()}
        return 400, _error("illegal_argument_exception", f"stand-in does not answer {method} /{'/'.join(parts)}")

    pit_index = ""

    def _bulk(self, docs: dict[str, dict[str, Any]], lines: list[dict[str, Any]]) -> dict[str, Any]:
        items = []
        i = 0
        while i < len(lines):
            ((op, meta),) = lines[i].items()
            doc_id = str(meta["_id"])
            if op == "delete":
                found = docs.pop(doc_id, None) is not None
                items.append(
                    {
                        "delete": {
                            "_id": doc_id,
                            "status": 200 if found else 404,
                            "result": "deleted" if found else "not_found",
                        }
                    }
                )
                i += 1
                continue
            source = lines[i + 1]
            created = doc_id not in docs
            docs[doc_id] = source
            items.append(
                {op: {"_id": doc_id, "status": 201 if created else 200, "result": "created" if created else "updated"}}
            )
            i += 2
        return {"took": 1, "errors": False, "items": items}

    def _search(self, index: str, body: Mapping[str, Any]) -> dict[str, Any]:
        docs = list(self.indices.get(index, {}).values())
        # Both sort forms: {"field": "desc"} and {"field": {"order": "desc"}}
        sort_spec = [
            (field, spec if isinstance(spec, dict) else {"order": spec})
            for field, spec in (next(iter(s.items())) for s in body.get("sort", []))
        ]

        def key(doc: Mapping[str, Any]) -> list[Any]:
            return [1.0 if f == "_score" else doc.get(f) for f, _ in sort_spec]

        def compare(left: list[Any], right: list[Any]) -> int:
            for a, b, (_, order) in zip(left, right, sort_spec, strict=True):
                if a != b:
                    sign = -1 if (order or {}).get("order") == "desc" else 1
                    return sign * (-1 if (a is None, a) < (b is None, b) else 1)
            return 0

        docs.sort(key=cmp_to_key(lambda x, y: compare(key(x), key(y))))
        total = len(docs)  # matches of the query, whatever page this is
        after = body.get("search_after")
        if after:
            docs = [d for d in docs if compare(key(d), list(after)) > 0]
        start = int(body.get("from", 0))
        page = docs[start : start + int(body.get("size", 10))]
        return {
            "took": 1,
            "timed_out": False,
            "_shards": _shards(),
            "hits": {
                "total": {"value": total, "relation": "eq"},
                "max_score": 1.0,
                "hits": [{"_index": index, "_id": d["id"], "_score": 1.0, "_source": d, "sort": key(d)} for d in page],
            },
            "aggregations": {name: _empty_agg(spec) for name, spec in (body.get("aggs") or {}).items()},
        }

    # ------------------------------------------------------------------------------ HTTP

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = standin.authorize(self.command, url.path or "/")
                if not request.allowed:
                    status, payload = 403, {"Message": f"User: {request.role} is not authorized to perform: "
                                            f"{request.action} on resource: {request.resource}"}  # fmt: skip
                elif standin.down:
                    status, payload = 503, _error("cluster_block_exception", "the stand-in is down")
                else:
                    status, payload = standin.answer(self.command, url.path or "/", url.query, body)
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def _shards() -> dict[str, int]:
    return {"total": 1, "successful": 1, "skipped": 0, "failed": 0}


def _error(kind: str, reason: str) -> dict[str, Any]:
    return {"error": {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason}, "status": 400}


def _empty_agg(spec: Mapping[str, Any]) -> dict[str, Any]:
    kind = next(k for k in spec if k not in {"aggs", "aggregations"})
    return {"value": None} if kind in {"max", "min", "avg", "sum", "cardinality"} else {"buckets": []}
