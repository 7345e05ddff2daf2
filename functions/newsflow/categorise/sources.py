"""Source names, bylines and wire furniture are not evidence: they are removed before scoring.

"NEW YORK (Reuters) -", "AP -", "(Dow Jones/AP)", "(Update2)", "By Gregg Keizer, TechWeb.", a closing
"Reuter", ticker furniture such as "(CMCSA.O: Quote, Profile, Research)" or "<KMRT.O>", and the
entity debris some feeds carry ("#39;", "quot;") say who wrote or moved the story, not what it is
about: "Dow Jones" as a source must not count as banking, "(AP)" as nothing at all. The text that
remains is what the lexicon and the model read (the stored article is untouched).
"""

from __future__ import annotations

import re
from typing import Final

_SOURCES: Final = (
    r"Reuters?|AP|AFP|UPI|Bloomberg|Dow Jones(?:/AP)?|Dow Jones Newswires|CBS\.?MW|MarketWatch|PA|"
    r"SPACE\.com|Space\.com|NewsFactor|Ziff Davis|USATODAY\.com|USA TODAY|TechWeb|Computerworld|"
    r"COMPUTERWORLD|InfoWorld|eWEEK|PC World|Newsweek|Forbes\.com|washingtonpost\.com|NYT|CNET News\.com|"
    r"Sports Network|TheStreet\.com|IDG News Service|Canadian Press|CP|Xinhua|Kyodo|EFE|ANSA|dpa|DPA"
)
# Only at the start of a text (read from its first LEAD_CHARS characters):
_LEAD: Final = re.compile(
    # a dateline with a source: "NEW YORK (Reuters) - ", "LONDON (Dow Jones/AP) -- ", "TOKYO, June 3 (AFP) -"
    r"^\s*(?:(?:[A-Z][A-Za-z.' ]{1,40}(?:,\s*[A-Za-z.]+(?:\s+\d{1,2})?)?\s*)?"
    rf"\(\s*(?:{_SOURCES})\s*\)\s*[-\u2013\u2014]+\s*"
    # or a leading source with a dash: "AP - ", "Reuters - ", "SPACE.com - "
    rf"|(?:{_SOURCES})\s+[-\u2013\u2014]+\s*)"
)
LEAD_CHARS: Final = 120
# Anywhere, in one pass. Every branch starts with a literal "(", "<" or "B": the regex engine then skips
# ahead to those characters by itself (a lookahead in front would hide them and cost 2.5x).
_ANYWHERE: Final = re.compile(
    r"(?:"
    # a parenthesised source or update marker: "(AP)", "(Reuters)", "(Update2)", "(Update 3)"
    rf"\(\s*(?:{_SOURCES}|Update\s*\d*|UPDATE\s*\d*|RPT|CORRECTED)\s*\)"
    # a byline: "By Gregg Keizer, TechWeb." / "By Jane Smith, Reuters"
    rf"|By\s+[A-Z][a-z]+(?:\s+[A-Z][a-z.]+){{0,2}},\s*(?:{_SOURCES})\b\.?"
    # ticker furniture: "(CMCSA.O: Quote, Profile, Research)", "(Quote, Chart)", "<KMRT.O>", "(NYSE: GE)"
    r"|\(\s*[A-Z.]*:?\s*Quote,[^)]*\)|<[A-Z0-9.]{1,8}>|\((?:NYSE|Nasdaq|NASDAQ|AMEX|LSE)\s*:\s*[A-Z.]+\)"
    # links and HTML tags that leaked into text
    r"|<A HREF[^>]*>[^<]*</A>|<[a-zA-Z/][^>]{0,200}>"
    r")"
)
_SIGN_OFF: Final = re.compile(r"\s+(?:Reuter|REUTER)\s*$")
_ENTITIES: Final = [(re.compile(r"\s?#39;"), "'"), (re.compile(r"\bquot;"), '"'), (re.compile(r"\bamp;"), "&")]


def strip_sources(text: str) -> str:
    """`text` without source names, bylines, ticker furniture and entity debris (see the module doc)."""
    if not text:
        return text
    if "#39;" in text or "quot;" in text or "amp;" in text:
        for pattern, replacement in _ENTITIES:
            text = pattern.sub(replacement, text)
    head = text[:LEAD_CHARS]
    stripped = _LEAD.sub(" ", head, count=1)
    if stripped is not head and stripped != head:
        text = stripped + text[LEAD_CHARS:]
    text = _ANYWHERE.sub(" ", text)
    if text.endswith(("Reuter", "REUTER", " ", "\n")):
        text = _SIGN_OFF.sub("", text)
    return text
