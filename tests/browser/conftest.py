"""Real Chromium (Debian's `chromium`, installed by `make browser`) driven by Playwright against the local stack.

One local stack for this package's tests, serving the site from `web/` beside the API, loaded with the samples plus a
fresh three-source story (the samples are dated October-November 2026, outside What's Hot's window). The
machine has no internet: requests for the articles' images (on `.example` hosts) are answered by the test
with a placeholder image, and every other off-site request is recorded so that a test can fail on it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from newsflow.local.ingest_run import IngestSummary, queue_for_stack, run_ingest
from newsflow.local.sources import collect
from newsflow.local.stack import LocalStack

from tests.conftest import REPO_ROOT, SAMPLES

SITE_DIR = REPO_ROOT / "web"
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
PLACEHOLDER = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="9"><rect width="16" height="9" fill="#8da2b5"/></svg>'
)
FRESH_BODY = (
    "Regulators in three countries opened a joint review of the Halvard Grid battery storage tender on Monday. "
    "The tender covers 2.4 gigawatt-hours of storage across northern Europe. Officials said bids would be scored "
    "on price, delivery dates and grid stability services. Utilities welcomed the review, while developers warned "
    "that delays could push projects into 2028."
)
FRESH_SOURCES = (
    ("Northbridge Newswire", "northbridge.example"),
    ("Tech Ledger", "techledger.example"),
    ("Industry Insider", "industryinsider.example"),
)
FRESH_TITLE = "Regulators review Halvard Grid battery storage tender"
# Text the site must show as text, never as markup (the pipeline decodes entities in titles).
HOSTILE_TITLE = 'Why <script>alert("x")</script> & <img src=x onerror=alert(1)> stay text in tender filings'


def chromium_executable() -> str:
    found = os.environ.get("NEWSFLOW_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Chromium is not installed: run `make browser` (apt-get install chromium)", pytrace=False)
    return found


def fresh_items(now: datetime) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {
            "url": f"https://{domain}/energy/halvard-grid-storage-review",
            "title": FRESH_TITLE,
            "summary": "A joint review covers 2.4 GWh of battery storage across northern Europe.",
            "content_text": FRESH_BODY,
            "published": (now - timedelta(hours=1 + i)).isoformat(),
            "authors": ["Mara Quist"],
            "tags": ["Energy"],
            "language": "en",
            "source": {"name": name, "site_url": f"https://{domain}/"},
        }
        for i, (name, domain) in enumerate(FRESH_SOURCES)
    ]
    items.append(
        {
            "url": "https://policymonitor.example/briefs/tender-filings-markup",
            "title": HOSTILE_TITLE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
            "summary": "Procurement filings for grid tenders are published as plain text.",
            "content_html": (
                '<p>Procurement filings for the grid tender <a href="javascript:alert(1)">were</a> published.</p>'
                '<p onclick="alert(1)">Each filing lists the bidders\' storage capacity and delivery dates.</p>'
            ),
            "published": (now - timedelta(hours=30)).isoformat(),
            "authors": ["Policy Monitor staff"],
            "tags": ["Energy"],
            "language": "en",
            "source": {"name": "Policy Monitor", "site_url": "https://policymonitor.example/"},
        }
    )
    return items


@dataclass
class Site:
    stack: LocalStack
    summary: IngestSummary

    @property
    def url(self) -> str:
        assert self.stack.api_url
        return self.stack.api_url


# Package scope, not session: the local stack sets process-wide environment (AWS endpoint, table names), so it
# must be stopped before this worker runs any other test (the xdist group keeps this package's tests together).
@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data = tmp_path_factory.mktemp("site")
    fresh = data / "fresh.jsonl"
    fresh.write_text("\n".join(json.dumps(i) for i in fresh_items(datetime.now(UTC))) + "\n", encoding="utf-8")
    with LocalStack(data_dir=data / "stack", api_port=0, site_dir=SITE_DIR) as stack:
        summary = run_ingest(
            collect([str(SAMPLES), str(fresh)]), queue_for_stack(stack), stack.status, 180, progress=False
        )
        assert summary.completed, summary
        yield Site(stack, summary)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: Chromium's sandbox needs user namespaces, which a root shell in a container lacks.
        launched = playwright.chromium.launch(executable_path=chromium_executable(), args=["--no-sandbox"])
        yield launched
        launched.close()


@dataclass
class Visit:
    """A page plus everything it reported: console errors, uncaught exceptions, off-site requests."""

    page: Any
    base: str
    console_errors: list[str] = field(default_factory=list)
    offsite: list[tuple[str, str]] = field(default_factory=list)

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.wait()

    def wait(self) -> Any:
        self.page.wait_for_selector("html[data-ready]")
        self.page.wait_for_function("() => !document.querySelector('main[aria-busy]')")
        return self.page

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        assert self.console_errors == []
        assert [url for kind, url in self.offsite if kind != "image"] == [], "the site fetched something off-site"


@pytest.fixture
def visit(browser: Any, site: Site) -> Iterator[Callable[..., Visit]]:
    contexts: list[Any] = []

    def open_visit(width: int = 1280, height: int = 900) -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        seen = Visit(page, site.url)

        def offsite(route: Any) -> None:
            request = route.request
            seen.offsite.append((request.resource_type, request.url))
            if request.resource_type == "image":
                route.fulfill(status=200, content_type="image/svg+xml", body=PLACEHOLDER)
            else:
                route.abort()

        context.route(lambda url: not url.startswith(site.url + "/"), offsite)
        page.on("console", lambda m: m.type == "error" and seen.console_errors.append(m.text))
        page.on("pageerror", lambda e: seen.console_errors.append(f"uncaught: {e}"))
        return seen

    yield open_visit
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SCRIPT.is_file():
        pytest.fail("axe-core is not installed: run `npm install` (make test does)", pytrace=False)
    return AXE_SCRIPT.read_text(encoding="utf-8")
