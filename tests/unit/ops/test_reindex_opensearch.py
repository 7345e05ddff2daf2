"""The resumable reindex on OpenSearch, over opensearch-py talking to an in-memory stand-in: the exact
requests it makes (what the ops function's domain access must allow) and the alias swap at the end."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from newsflow.ops.adapters import OpenSearchVersions
from newsflow.ops.models import ReindexRequest
from newsflow.ops.reindex import reindex_step
from newsflow.store.codec import article_to_item

from tests.unit.search.test_opensearch_index import fake_index
from tests.unit.search.test_query_service import article

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class MemoryTable:
    """ArticleTable over a list of items, paged by position (the key is the last item's pk/sk)."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items

    def get(self, key: dict[str, str]) -> dict[str, Any] | None:
        return next((i for i in self.items if i["pk"] == key["pk"] and i["sk"] == key["sk"]), None)

    def article_page(
        self, start_key: dict[str, str] | None, limit: int
    ) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
        start = 0
        if start_key:
            start = next(n for n, i in enumerate(self.items) if i["pk"] == start_key["pk"]) + 1
        page = self.items[start : start + limit]
        more = start + limit < len(self.items)
        return page, ({"pk": page[-1]["pk"], "sk": page[-1]["sk"]} if more else None)


class Cluster:
    """Just enough of OpenSearch: indices, one alias, bulk indexing."""

    def __init__(self) -> None:
        self.indices: dict[str, set[str]] = {"articles-v1": {"old"}}
        self.alias = {"articles-v1"}
        self.settings: dict[str, Any] = {}

    def __call__(self, method: str, url: str, params: dict[str, Any], body: Any) -> tuple[int, Any]:
        parts = url.strip("/").split("/")
        if (method, url) == ("GET", "/articles-v*"):
            return 200, {name: {} for name in self.indices}
        if method == "PUT" and len(parts) == 1:
            self.indices[parts[0]] = set()
            self.settings[parts[0]] = body["settings"]["index"]
            return 200, {"acknowledged": True}
        if method == "HEAD" and len(parts) == 1:
            return (200 if parts[0] in self.indices else 404), None
        if method == "POST" and parts[-1] == "_bulk":
            actions = [json.loads(line) for line in body.splitlines() if line.strip()][::2]
            ids = [a["index"]["_id"] for a in actions]
            self.indices[parts[0]].update(ids)
            return 200, {"errors": False, "items": [{"index": {"_id": i, "status": 201}} for i in ids]}
        if method == "POST" and parts[-1] == "_refresh":
            return 200, {}
        if (method, url) == ("HEAD", "/_alias/articles"):
            return 200, None
        if (method, url) == ("GET", "/_alias/articles"):
            return 200, {name: {"aliases": {"articles": {}}} for name in self.alias}
        if (method, url) == ("POST", "/_aliases"):
            for action in body["actions"]:
                if "remove" in action:
                    self.alias.discard(action["remove"]["index"])
                if "add" in action:
                    self.alias.add(action["add"]["index"])
            return 200, {"acknowledged": True}
        if method == "DELETE" and len(parts) == 1:
            self.indices.pop(parts[0])
            return 200, {"acknowledged": True}
        return 400, {"error": f"unexpected {method} {url}"}


def test_a_reindex_in_steps_builds_the_next_version_and_swaps_the_alias() -> None:
    items = [article_to_item(article(f"a{n}", f"Title {n}")) for n in range(5)]
    cluster, calls = Cluster(), []
    versions = OpenSearchVersions(fake_index(cluster, calls))
    request = ReindexRequest(page_size=2, delete_old=True, shards=3, replicas=2)

    steps = []
    while True:
        report = reindex_step(request, MemoryTable(items), versions, now=NOW, seconds_left=lambda: -1.0)
        steps.append(report)
        if report.done:
            break
        request = request.model_copy(update={"cursor": report.cursor})

    # 3 pages of fill + 3 pages of catch-up, one page per step; the last step also swaps
    assert len(steps) == 6
    assert (steps[-1].written, steps[-1].failed, steps[-1].caught_up) == (5, 0, 5)
    assert steps[-1].old_indices == ["articles-v1"]
    assert steps[-1].deleted_indices == ["articles-v1"]
    assert cluster.alias == {"articles-v2"}
    assert cluster.indices == {"articles-v2": {f"a{n}" for n in range(5)}}
    assert cluster.settings["articles-v2"]["number_of_shards"] == 3
    assert cluster.settings["articles-v2"]["number_of_replicas"] == 2
    # Every request it made (the ops function's OpenSearch grants must cover exactly these)
    assert {(method, url) for method, url, _, _ in calls} == {
        ("GET", "/articles-v*"),
        ("PUT", "/articles-v2"),
        ("HEAD", "/articles-v2"),
        ("POST", "/articles-v2/_bulk"),
        ("POST", "/articles-v2/_refresh"),
        ("HEAD", "/_alias/articles"),
        ("GET", "/_alias/articles"),
        ("POST", "/_aliases"),
        ("DELETE", "/articles-v1"),
    }
