"""The local site origin: static files from web/ beside the API on one port, keyed API, no path escapes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from newsflow.local.http_front import ApiFront
from newsflow.local.site import SiteFiles, default_site_dir

from tests.conftest import REPO_ROOT


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    root = tmp_path / "web"
    (root / "js").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>t</title>", encoding="utf-8")
    (root / "js" / "app.js").write_text("export {};", encoding="utf-8")
    (root / "config.json").write_text(json.dumps({"siteName": "Test", "apiKey": ""}), encoding="utf-8")
    (root / "notes.md").write_text("not served", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside the site", encoding="utf-8")
    return root


def test_the_checkout_has_a_site_the_local_stack_serves_by_default() -> None:
    assert default_site_dir() == REPO_ROOT / "web"


def test_index_and_assets_are_served_with_their_types(site_dir: Path) -> None:
    files = SiteFiles(site_dir)
    index = files.lookup("GET", "/?article=abc")
    script = files.lookup("HEAD", "/js/app.js")
    assert index is not None
    assert index.body.startswith(b"<!doctype html>")
    assert index.headers["Content-Type"] == "text/html; charset=utf-8"
    assert index.headers["X-Content-Type-Options"] == "nosniff"
    assert script is not None
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/articles",  # the API's
        "/_local/status",
        "/missing.html",
        "/notes.md",  # a type the site does not serve
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/js/../../secret.txt",
        "//etc/passwd",
        "/index.html%00.js",
    ],
)
def test_paths_that_are_not_site_files_are_left_to_the_api(site_dir: Path, path: str) -> None:
    assert SiteFiles(site_dir).lookup("GET", path) is None


def test_only_get_and_head_read_files(site_dir: Path) -> None:
    assert SiteFiles(site_dir).lookup("POST", "/index.html") is None


def test_config_carries_the_local_api_key_when_one_is_required(site_dir: Path) -> None:
    plain = SiteFiles(site_dir).lookup("GET", "/config.json")
    keyed = SiteFiles(site_dir, api_key="k-local").lookup("GET", "/config.json")
    assert plain is not None
    assert json.loads(plain.body) == {"siteName": "Test", "apiKey": ""}
    assert keyed is not None
    assert json.loads(keyed.body) == {"siteName": "Test", "apiKey": "k-local"}


class RecordingApi:
    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.paths.append(event["path"])
        return {"statusCode": 404, "headers": {"Content-Type": "application/json"}, "body": '{"code":"routeNotFound"}'}


@pytest.fixture
def keyed_front(site_dir: Path) -> Iterator[tuple[str, RecordingApi]]:
    handler = RecordingApi()
    front = ApiFront(handler, dict, port=0, api_key="k-local", site=SiteFiles(site_dir, "k-local"))
    front.start()
    try:
        yield front.url, handler
    finally:
        front.stop()


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_keyed_front_serves_the_site_without_the_key_and_the_api_only_with_it(
    keyed_front: tuple[str, RecordingApi],
) -> None:
    url, handler = keyed_front
    assert fetch(url + "/")[0] == 200
    status, body = fetch(url + "/config.json")
    assert status == 200
    assert json.loads(body)["apiKey"] == "k-local"
    status, body = fetch(url + "/v1/categories")
    assert status == 403
    assert json.loads(body)["code"] == "apiKeyInvalid"
    assert fetch(url + "/v1/categories", {"x-api-key": "k-local"})[0] == 404
    # an unknown file is the API's 404 (with the key), never a file from outside the site
    assert fetch(url + "/missing.js", {"x-api-key": "k-local"})[0] == 404
    assert handler.paths == ["/v1/categories", "/missing.js"]


def test_the_front_serves_concurrent_requests_in_parallel(site_dir: Path) -> None:
    # Given a handler that notes how many calls overlap (it keeps no request state: calls may overlap)
    import threading
    import time

    active = 0
    overlaps: list[int] = []
    guard = threading.Lock()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        nonlocal active
        with guard:
            active += 1
            overlaps.append(active)
        time.sleep(0.02)
        with guard:
            active -= 1
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}

    front = ApiFront(handler, dict, port=0, site=SiteFiles(site_dir))
    front.start()
    try:
        # When a browser fires eight API requests at once
        threads = [threading.Thread(target=fetch, args=(f"{front.url}/v1/x?i={i}",)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        front.stop()
    # Then every request reached the handler, several at once, as parallel Lambda instances would
    assert len(overlaps) == 8
    assert max(overlaps) > 1
