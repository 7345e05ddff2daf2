"""A fake OpenSearch on 127.0.0.1 that checks every request and every answer against the API specification.

`FakeOpenSearch` is a real HTTP server (a thread), so the adapter's real opensearch-py client, connection
class and serialisation build the requests: what is checked is what would go over the wire. Each request is
recorded (`requests`) with the rules it breaks (`Exchange.errors`), and each answer the fake gives is
validated against the response schema of its operation and status, so the parsers downstream only ever
see spec-shaped responses.

The fake keeps just enough state to answer consistently: indices with their aliases and documents (from
`_bulk`), and points in time. It cannot evaluate queries: `_search` answers with the body queued by
`answer_next_search` (the mirror in `mirror.py` queues what the tantivy index found), else with no hits.
Faults can be injected: `fail_bulk_items` (partial `_bulk` failures), `shard_failures` (a `_search` that
only some shards answered) and `expire_pits` (every open point in time is gone).

Set NEWSFLOW_SPEC_RECORD=path.jsonl to append every exchange to that file (for checking a whole run).
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from tests.spec.opensearch_spec import SPEC, Operation

RECORD_ENV = "NEWSFLOW_SPEC_RECORD"
_SHARDS = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}


@dataclass
class Exchange:
    method: str
    path: str
    query: dict[str, str]
    body: str | None
    content_type: str | None
    operation: str | None
    status: int = 0
    response: Any = None
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query.items())
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")


@dataclass
class _Index:
    aliases: set[str] = field(default_factory=set)
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)


def error_body(status: int, kind: str, reason: str, **extra: Any) -> dict[str, Any]:
    cause = {"type": kind, "reason": reason, **extra}
    return {"error": {"root_cause": [cause], **cause}, "status": status}


class FakeOpenSearch:
    def __init__(self) -> None:
        self.requests: list[Exchange] = []
        self.crashes: list[str] = []
        self.indices: dict[str, _Index] = {}
        self.pits: dict[str, list[str]] = {}
        self.fail_bulk_items: dict[str, tuple[int, str]] = {}
        self.shard_failures = False
        self._next_search: list[dict[str, Any]] = []
        self._pit_ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._record = os.environ.get(RECORD_ENV)

    # --------------------------------------------------------------------------- life cycle

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeOpenSearch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @contextmanager
    def running(self) -> Iterator[FakeOpenSearch]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    # ------------------------------------------------------------------------------ control

    def answer_next_search(self, body: dict[str, Any]) -> None:
        self._next_search.append(body)

    def drop_unanswered(self) -> None:
        """Forget queued answers no search took (one the fake refused, e.g. 404 before the index exists), so
        the next search does not get another search's answer."""
        self._next_search.clear()

    def expire_pits(self) -> None:
        self.pits.clear()

    def violations(self) -> list[str]:
        return self.crashes + [f"{x.line()}: {e}" for x in self.requests for e in x.errors]

    def operations_called(self) -> set[tuple[str, str]]:
        found = (SPEC.find(x.method, x.path) for x in self.requests)
        return {(op.method, op.path) for op, _ in filter(None, found)}

    # ------------------------------------------------------------------------------ serving

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                path, _, query = self.path.partition("?")
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else None
                try:
                    status, payload = fake.handle(self.command, path, query, raw, self.headers.get("Content-Type"))
                except Exception as exc:  # a bug of the fake must fail the test, not hang the client
                    fake.crashes.append(f"{self.command} {self.path}: {type(exc).__name__}: {exc}")
                    status, payload = 500, error_body(500, "fake_crashed", str(exc))
                data = b"" if payload is None else json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def handle(self, method: str, path: str, query: str, body: str | None, ctype: str | None) -> tuple[int, Any]:
        op, errors = SPEC.check_request(method, path, query, body, ctype)
        params = dict(parse_qsl(query, keep_blank_values=True))
        exchange = Exchange(method, path, params, body, ctype, op.id if op else None, errors=list(errors))
        with self._lock:
            if op is None:
                status, payload = 400, error_body(400, "illegal_argument_exception", f"no handler for {method} {path}")
            else:
                found = SPEC.find(method, path)
                path_params = found[1] if found else {}
                status, payload = self._answer(op, path_params, params, body)
                exchange.errors += SPEC.check_response(op, status, payload)
            exchange.status, exchange.response = status, payload
            self.requests.append(exchange)
            if self._record:
                with open(self._record, "a", encoding="utf-8") as out:
                    out.write(json.dumps(exchange.__dict__, default=str) + "\n")
        return status, None if method == "HEAD" else payload

    # ------------------------------------------------------------------------------ answers

    def _resolve(self, name: str) -> list[str]:
        """Concrete indices for a name, an alias or a wildcard pattern."""
        names = set()
        for expression in name.split(","):
            for index, state in self.indices.items():
                if fnmatch.fnmatchcase(index, expression) or expression in state.aliases:
                    names.add(index)
        return sorted(names)

    def _answer(self, op: Operation, path: dict[str, str], params: dict[str, str], body: str | None) -> tuple[int, Any]:
        handler = getattr(self, "_op_" + op.group.replace(".", "_"), None)
        if handler is None:
            return 400, error_body(400, "illegal_argument_exception", f"the fake does not serve {op.group}")
        result: tuple[int, Any] = handler(path, params, json.loads(body) if body and op.group != "bulk" else body)
        return result

    def _missing(self, name: str) -> tuple[int, Any]:
        return 404, error_body(404, "index_not_found_exception", f"no such index [{name}]", index=name)

    def _op_ping(self, *_: Any) -> tuple[int, Any]:
        return 200, None

    def _op_indices_exists(self, path: dict[str, str], *_: Any) -> tuple[int, Any]:
        return (200 if self._resolve(path["index"]) else 404), None

    def _op_indices_create(self, path: dict[str, str], _: Any, body: Any) -> tuple[int, Any]:
        name = path["index"]
        if name in self.indices or self._resolve(name):
            return 400, error_body(400, "resource_already_exists_exception", f"index [{name}] already exists")
        self.indices[name] = _Index(aliases=set((body or {}).get("aliases", {})))
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def _op_indices_get(self, path: dict[str, str], params: dict[str, str], _: Any) -> tuple[int, Any]:
        names = self._resolve(path["index"])
        if not names and "*" not in path["index"] and params.get("ignore_unavailable") != "true":
            return self._missing(path["index"])
        return 200, {
            n: {"aliases": {a: {} for a in self.indices[n].aliases}, "mappings": {}, "settings": {}} for n in names
        }

    def _op_indices_exists_alias(self, path: dict[str, str], *_: Any) -> tuple[int, Any]:
        return (200 if any(path["name"] in s.aliases for s in self.indices.values()) else 404), None

    def _op_indices_get_alias(self, path: dict[str, str], *_: Any) -> tuple[int, Any]:
        found = {n: {"aliases": {path["name"]: {}}} for n, s in self.indices.items() if path["name"] in s.aliases}
        if not found:
            return 404, {"error": f"alias [{path['name']}] missing", "status": 404}
        return 200, found

    def _op_indices_update_aliases(self, _: Any, __: Any, body: Any) -> tuple[int, Any]:
        for action in body["actions"]:
            ((kind, spec),) = action.items()
            if kind == "add":
                self.indices[spec["index"]].aliases.add(spec["alias"])
            elif kind == "remove":
                self.indices[spec["index"]].aliases.discard(spec["alias"])
            elif kind == "remove_index":
                self.indices.pop(spec["index"], None)
        return 200, {"acknowledged": True}

    def _op_indices_delete(self, path: dict[str, str], params: dict[str, str], _: Any) -> tuple[int, Any]:
        name = path["index"]
        concrete = [n for n in name.split(",") if n in self.indices]
        if any(name in s.aliases for s in self.indices.values()):
            # OpenSearch refuses to delete indices through an alias
            return 400, error_body(
                400, "illegal_argument_exception", f"The provided expression [{name}] matches an alias"
            )
        if not concrete and params.get("ignore_unavailable") != "true":
            return self._missing(name)
        for n in concrete:
            del self.indices[n]
        return 200, {"acknowledged": True}

    def _op_indices_refresh(self, *_: Any) -> tuple[int, Any]:
        return 200, {"_shards": _SHARDS}

    def _write_target(self, name: str) -> str | None:
        names = self._resolve(name)
        return names[0] if len(names) == 1 else None

    def _op_bulk(self, path: dict[str, str], _: Any, body: str) -> tuple[int, Any]:
        lines = [json.loads(line) for line in body.split("\n") if line.strip()]
        items: list[dict[str, Any]] = []
        n = 0
        while n < len(lines):
            ((kind, meta),) = lines[n].items()
            n += 1
            source = None
            if kind != "delete":
                source, n = lines[n], n + 1
            name = meta.get("_index") or path.get("index", "")
            target = self._write_target(name)
            if target is None:  # auto-create: a dynamic mapping, which the adapter must never rely on
                self.indices[name] = _Index()
                target = name
            doc_id = str(meta["_id"])
            docs = self.indices[target].docs
            item: dict[str, Any] = {"_index": target, "_id": doc_id, "_version": 1, "_shards": {**_SHARDS}}
            if doc_id in self.fail_bulk_items:
                status, kind_of_error = self.fail_bulk_items[doc_id]
                item |= {"status": status, "error": {"type": kind_of_error, "reason": f"injected {kind_of_error}"}}
                item.pop("_shards")
            elif kind == "delete":
                found = docs.pop(doc_id, None) is not None
                item |= {"result": "deleted" if found else "not_found", "status": 200 if found else 404}
            else:
                created = doc_id not in docs
                docs[doc_id] = source
                item |= {"result": "created" if created else "updated", "status": 201 if created else 200}
            item["_seq_no"], item["_primary_term"] = len(items), 1
            items.append({kind: item})
        errors = any("error" in next(iter(i.values())) for i in items)
        return 200, {"took": 1, "errors": errors, "items": items}

    def _op_get(self, path: dict[str, str], *_: Any) -> tuple[int, Any]:
        target = self._write_target(path["index"])
        if target is None:
            return self._missing(path["index"])
        source = self.indices[target].docs.get(path["id"])
        if source is None:
            return 404, {"_index": target, "_id": path["id"], "found": False}
        return 200, {
            "_index": target,
            "_id": path["id"],
            "_version": 1,
            "_seq_no": 0,
            "_primary_term": 1,
            "found": True,
            "_source": source,
        }

    def _op_count(self, path: dict[str, str], *_: Any) -> tuple[int, Any]:
        names = self._resolve(path.get("index", "*"))
        if not names:
            return self._missing(path.get("index", ""))
        return 200, {"count": sum(len(self.indices[n].docs) for n in names), "_shards": _SHARDS}

    def _op_create_pit(self, path: dict[str, str], *_: Any) -> tuple[int, Any]:
        names = self._resolve(path["index"])
        if not names:
            return self._missing(path["index"])
        pit_id = f"pit-{next(self._pit_ids)}"
        self.pits[pit_id] = names
        return 200, {"pit_id": pit_id, "_shards": _SHARDS, "creation_time": 1_763_640_000_000}

    def _op_delete_pit(self, _: Any, __: Any, body: Any) -> tuple[int, Any]:
        pits = [{"pit_id": p, "successful": self.pits.pop(p, None) is not None} for p in body["pit_id"]]
        return 200, {"pits": pits}

    def _op_search(self, path: dict[str, str], _: Any, body: Any) -> tuple[int, Any]:
        body = body or {}
        pit = body.get("pit")
        if pit is not None:
            if pit["id"] not in self.pits:
                return 404, error_body(
                    404, "search_context_missing_exception", f"No search context found for id [{pit['id']}]"
                )
        elif not self._resolve(path.get("index", "")):
            return self._missing(path.get("index", ""))
        response = self._next_search.pop(0) if self._next_search else {}
        response.setdefault("hits", {"total": {"value": 0, "relation": "eq"}, "max_score": None, "hits": []})
        shards = {**_SHARDS}
        if self.shard_failures:
            shards = {
                "total": 2,
                "successful": 1,
                "skipped": 0,
                "failed": 1,
                "failures": [
                    {
                        "shard": 1,
                        "index": "articles-v1",
                        "node": "n1",
                        "reason": {"type": "node_disconnected_exception", "reason": "gone"},
                    }
                ],
            }
        response = {"took": 1, "timed_out": False, "_shards": shards, **response}
        if pit is not None:
            response["pit_id"] = pit["id"]
        return 200, response
