"""Canonical URLs, source domains and deterministic article ids.

`canonical_url` maps the spellings of one article URL that a feed, a share button or a newsletter
produce onto one string, so that the id derived from it dedupes them:

- scheme and host lower-cased; an internationalised host becomes IDNA/punycode ("bücher.de" ->
  "xn--bcher-kva.de"); a trailing dot on the host and the default port (80/443) are dropped;
- user info ("user:pass@") is dropped: it never identifies an article and must never be stored;
- the fragment is dropped, except an AJAX "#!" fragment, which addresses content;
- percent-encoding is normalised (RFC 3986 section 6.2.2): escapes of unreserved characters are
  decoded, the remaining escapes are upper-cased, raw spaces and non-ASCII characters are encoded as
  UTF-8, "." and ".." path segments are resolved, and an empty path becomes "/";
- tracking parameters (utm_*, fbclid, gclid, mc_cid, mc_eid, igshid, ref_src, _hsenc, ...) are
  removed and the remaining ones sorted by name (stable: repeated names keep their order); a
  parameter without "=" keeps that form.

Deliberately *not* done: removing a trailing "index.html" or a trailing slash, lower-casing the path,
or dropping "www.". All are guesses about one server's behaviour; when a guess is wrong, two different
pages share one id and the second article is silently lost as a "duplicate". When we do not guess,
the cost is at worst a duplicate article, which the content fingerprint then catches. The same
reasoning keeps parameters such as "id" or "p" that some sites need.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final
from urllib.parse import urlsplit, urlunsplit

ID_HEX_CHARS: Final = 32

TRACKING_PARAMS: Final = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "mc_cid", "mc_eid", "igshid", "igsh", "ref_src", "ref_url", "_hsenc",
        "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking", "mkt_tok", "_ga", "_gl",
        "oly_anon_id", "oly_enc_id", "vero_conv", "vero_id", "wickedid", "spm", "cmpid", "ncid",
        "sr_share", "ito", "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3",
        "at_custom4", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "s_kwcid",
        "smid", "smtyp", "cid_source", "xtor", "soc_src", "soc_trk",
    }
)  # fmt: skip
TRACKING_PREFIXES: Final = ("utm_", "pk_", "mtm_", "hmb_")

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters left as they are in each component (RFC 3986 pchar / query); everything else is encoded.
_PATH_SAFE: Final = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
_QUERY_PART_SAFE: Final = _UNRESERVED | frozenset("!$'()*+,;:@/?")  # '&' and '=' are structure here
_FRAGMENT_SAFE: Final = _PATH_SAFE | frozenset("?")
_HEX: Final = frozenset("0123456789abcdefABCDEF")
_NEEDS_WORK = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%")
_HOST_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


def _normalise_escapes(component: str, safe: frozenset[str]) -> str:
    """RFC 3986 normalisation of one component, without changing what it means."""
    if not _NEEDS_WORK.search(component):
        return component
    out: list[str] = []
    i = 0
    n = len(component)
    while i < n:
        char = component[i]
        if char == "%":
            pair = component[i + 1 : i + 3]
            if len(pair) == 2 and pair[0] in _HEX and pair[1] in _HEX:
                decoded = chr(int(pair, 16))
                out.append(decoded if decoded in _UNRESERVED else "%" + pair.upper())
                i += 3
                continue
            out.append("%25")  # a stray '%' that starts no escape
        elif char in safe:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    segments = path.split("/")
    if not any(s in (".", "..") for s in segments):
        return path
    out: list[str] = []
    for segment in segments[1:]:
        if segment == ".":
            continue
        if segment == "..":
            if out:
                out.pop()
            continue
        out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")  # "/a/b/.." means the directory "/a/"
    return "/" + "/".join(out)


def _normalise_host(host: str) -> str | None:
    host = host.rstrip(".").lower()
    if not host:
        return None
    if ":" in host:  # an IPv6 literal (urlsplit has already validated and unbracketed it)
        return f"[{host}]"
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if not all(_HOST_LABEL.match(label) for label in host.split(".")):
        return None
    return host


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _normalise_query(query: str) -> str:
    kept: list[tuple[str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        name, eq, value = part.partition("=")
        name = _normalise_escapes(name, _QUERY_PART_SAFE)
        if is_tracking_param(name):
            continue
        value = _normalise_escapes(value, _QUERY_PART_SAFE | frozenset("="))
        kept.append((name, f"{name}{eq}{value}"))
    kept.sort(key=lambda pair: pair[0])
    return "&".join(text for _, text in kept)


def canonical_url(url: str | None) -> str | None:
    """The canonical form of an absolute http(s) URL (see the module doc), or None if it is not one."""
    if not url:
        return None
    url = url.strip()
    if any(c in url for c in "\t\r\n"):
        url = re.sub(r"[\t\r\n]", "", url)
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            return None
        port = parts.port
        hostname = parts.hostname
    except ValueError:  # an invalid port or IPv6 literal
        return None
    if not hostname:
        return None
    host = _normalise_host(hostname)
    if host is None:
        return None
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = _remove_dot_segments(_normalise_escapes(parts.path, _PATH_SAFE)) or "/"
    query = _normalise_query(parts.query) if parts.query else ""
    fragment = parts.fragment
    fragment = _normalise_escapes(fragment, _FRAGMENT_SAFE) if fragment.startswith("!") else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


def is_http_url(value: str | None) -> bool:
    return value is not None and value.strip().lower().startswith(("http://", "https://"))


def source_domain(url: str | None) -> str | None:
    """The host of `url` without a leading "www." (lower-case, punycode), or None."""
    canonical = canonical_url(url)
    if canonical is None:
        return None
    host = urlsplit(canonical).hostname or ""
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    return host or None


# Second-level labels under which registrations happen ("example.co.uk"): enough for news sites without
# shipping the whole Public Suffix List.
_SECOND_LEVEL: Final = frozenset(
    {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go", "gob", "nic", "mil", "nom", "ltd", "plc"}
)


def registrable_domain(url_or_host: str | None) -> str | None:
    """The domain a site registered: "news.bbc.co.uk" -> "bbc.co.uk", "www.example.com" -> "example.com".

    Heuristic: the last two labels, or three when the second-to-last is a common second-level label
    (co, com, org, gov, ...) under a two-letter country code.
    """
    if not url_or_host:
        return None
    host = url_or_host
    if "/" in host:
        canonical = canonical_url(url_or_host)
        host = urlsplit(canonical).hostname or "" if canonical else ""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) < 2 or not all(labels):
        return None
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(a: str | None, b: str | None) -> bool:
    """Both URLs are on one registrable domain."""
    first, second = registrable_domain(a), registrable_domain(b)
    return first is not None and first == second


def article_id(canonical: str | None, source_key: str | None, guid: str | None) -> str:
    """Deterministic 32-hex id: sha256 of the canonical URL; without one, of the source key and the guid.

    The guid form is prefixed ("guid", NUL separators) so it can never equal a URL-derived id.
    Raises ValueError when neither a canonical URL nor a guid is given.
    """
    if canonical:
        material = canonical
    elif guid:
        material = f"guid\x00{source_key or ''}\x00{guid}"
    else:
        raise ValueError("an article id needs a canonical URL or a guid")
    digest = hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:ID_HEX_CHARS]
