"""Headlines without the site's decoration: "Oil jumps | Example News" -> "Oil jumps".

The ingest Lambda is stateless, so "this suffix repeats across the source" is judged from what the item
itself carries: the source name, the page's site name (og:site_name / application-name / JSON-LD
publisher), and the domain ("example-news.com" names "Example News"). A segment split off by a
separator is removed when:
- it names the site (equal to one of those names once case, spaces and punctuation are ignored, or the
  domain's label spelled with spaces), at the end or at the start of the title, after any separator
  (" | ", "|", " - ", en and em dashes, " :: ", " · ", " • ", " / "); a short segment (<= 4 words) that
  starts with a site name also counts ("BBC News" on bbc.co.uk);
- or it is a short section label after a pipe ("... |Conflict News", "... | Markets"): at most four
  words and 30 characters, and the headline before it keeps at least three words. A pipe is almost
  never part of a headline; dashes and colons are, so they only go when they name the site.
"""

from __future__ import annotations

import re
from typing import Final

MAX_SECTION_WORDS: Final = 4
MAX_SECTION_CHARS: Final = 30
MIN_HEADLINE_WORDS: Final = 3

_SEPARATORS = re.compile(r"\s*\|\s*|\s+[-\u2013\u2014:\u00b7\u2022/]\s+|\s+::\s+|(?<=\w):\s+")
_PIPE_SUFFIX = re.compile(r"\s*\|\s*([^|]+?)\s*$")
_ALNUM = re.compile(r"[^\W_]+")


def _key(text: str) -> str:
    return "".join(_ALNUM.findall(text.casefold()))


def site_keys(*names: str | None, domain: str | None = None) -> set[str]:
    """Comparison keys of the names a site goes by (and of its domain's main label)."""
    keys = {_key(name) for name in names if name}
    if domain:
        labels = domain.lower().split(".")
        if len(labels) >= 2:
            # "www.example-news.co.uk" -> "examplenews"; "bbc.com" -> "bbc"; both also with the TLD.
            main = (
                labels[-3]
                if len(labels) >= 3 and labels[-2] in ("co", "com", "org", "net", "ac", "gov")
                else labels[-2]
            )
            keys.add(_key(main))
            keys.add(_key(".".join(labels[-2:])))
    return {k for k in keys if len(k) >= 2}


def _names_site(segment: str, keys: set[str]) -> bool:
    key = _key(segment)
    if key in keys:
        return True
    # "BBC News" on bbc.co.uk, "Reuters.com": a short segment that starts with a site key.
    return len(segment.split()) <= MAX_SECTION_WORDS and any(len(k) >= 3 and key.startswith(k) for k in keys)


def strip_site_suffix(title: str, keys: set[str]) -> str:
    """The headline with a trailing (or leading) site name or pipe-separated section label removed."""
    if not title:
        return title
    for _ in range(2):  # "Headline | Section | Site"
        parts = _SEPARATORS.split(title)
        if len(parts) < 2:
            break
        separators = _SEPARATORS.findall(title)
        last, first = parts[-1], parts[0]
        if keys and _names_site(last, keys):
            title = title[: len(title) - len(last) - len(separators[-1])].strip()
            continue
        if keys and _names_site(first, keys) and len(" ".join(parts[1:]).split()) >= MIN_HEADLINE_WORDS:
            title = title[len(first) + len(separators[0]) :].strip()
            continue
        pipe = _PIPE_SUFFIX.search(title)
        if pipe:
            label = pipe.group(1)
            head = title[: pipe.start()].strip()
            if (
                len(label.split()) <= MAX_SECTION_WORDS
                and len(label) <= MAX_SECTION_CHARS
                and len(head.split()) >= MIN_HEADLINE_WORDS
            ):
                title = head
                continue
        break
    return title
