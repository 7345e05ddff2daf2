"""The local stand-in for the site's S3 + CloudFront origin: static files from `web/` beside the API.

Only GET and HEAD of paths outside the API's own prefixes are looked up here; a path that names no file
falls through to the API (whose 404 is `routeNotFound`). Files are read from inside the site directory
only (no `..`, no symlinks out of it). `/config.json` is generated when the local front requires an API
key, so that the site served beside it sends that key (an API Gateway key is a usage-plan identifier
that every browser of a keyed site receives, not a secret).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import unquote

API_PREFIXES: Final = ("/v1/", "/_local/")
CONFIG_PATH: Final = "/config.json"
CONTENT_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}
# What CloudFront's response headers policy should send too (the page also carries the CSP as a <meta>).
SECURITY_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


def default_site_dir() -> Path | None:
    """`web/` of the source checkout this package runs from (an editable install); None elsewhere."""
    candidate = Path(__file__).resolve().parents[3] / "web"
    return candidate if (candidate / "index.html").is_file() else None


@dataclass(frozen=True)
class StaticFile:
    headers: dict[str, str]
    body: bytes


class SiteFiles:
    def __init__(self, root: Path, api_key: str | None = None) -> None:
        self._root = root.resolve()
        self._api_key = api_key

    def lookup(self, method: str, raw_path: str) -> StaticFile | None:
        """The file a GET/HEAD of `raw_path` names, or None (not ours: the API answers)."""
        if method not in {"GET", "HEAD"}:
            return None
        path = unquote(raw_path.split("?", 1)[0].split("#", 1)[0])
        if path.startswith(API_PREFIXES) or not path.startswith("/") or "\x00" in path:
            return None
        if path == CONFIG_PATH and self._api_key is not None:
            config = self._config()
            config["apiKey"] = self._api_key
            return self._file(".json", json.dumps(config).encode())
        if path.endswith("/"):
            path += "index.html"
        candidate = (self._root / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(self._root) or not candidate.is_file():
            return None
        suffix = candidate.suffix.lower()
        if suffix not in CONTENT_TYPES:
            return None
        return self._file(suffix, candidate.read_bytes())

    def _config(self) -> dict[str, object]:
        try:
            loaded = json.loads((self._root / CONFIG_PATH.lstrip("/")).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    @staticmethod
    def _file(suffix: str, body: bytes) -> StaticFile:
        return StaticFile({"Content-Type": CONTENT_TYPES[suffix], **SECURITY_HEADERS}, body)
