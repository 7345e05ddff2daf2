"""The full-text stage: teaser items from feeds get their article page fetched and extracted.

`policy` decides which items go (a teaser, or a feed set to always); `robots` honours robots.txt (cached
per host); `hosts` spaces requests to one host (the fetch workers' shared host record); `enrich` fetches,
extracts and returns the item with the page's text (`body_source="page"`) or with the feed's and the reason
(`body_source="feed"`). No AWS here: `handlers/fulltext.py` wires it to SQS.
"""

from newsflow.fulltext.enrich import Enricher, PageFetcher
from newsflow.fulltext.hosts import HostBusy, HostGate, SharedHostGate
from newsflow.fulltext.policy import feed_body_words, needs_full_text, split_for_full_text
from newsflow.fulltext.robots import RobotsCache

__all__ = [
    "Enricher",
    "HostBusy",
    "HostGate",
    "PageFetcher",
    "RobotsCache",
    "SharedHostGate",
    "feed_body_words",
    "needs_full_text",
    "split_for_full_text",
]
