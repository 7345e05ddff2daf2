"""Site and section suffixes come off headlines; real headline punctuation stays."""

from __future__ import annotations

import pytest
from newsflow.normalise.titles import site_keys, strip_site_suffix


@pytest.mark.parametrize(
    ("title", "keys", "expected"),
    [
        # a section label after a pipe, even glued to it (the seed page's case)
        (
            "Russia recognizes the Taliban: which other countries can follow? |Conflict News",
            site_keys("USA Business Watch", domain="usabusinesswatch.com"),
            "Russia recognizes the Taliban: which other countries can follow?",
        ),
        ("Oil jumps on OPEC cut | Example News", site_keys("Example News"), "Oil jumps on OPEC cut"),
        ("Oil jumps on OPEC cut - Example News", site_keys("Example News"), "Oil jumps on OPEC cut"),
        ("Oil jumps on OPEC cut \u2013 BBC News", site_keys(domain="www.bbc.co.uk"), "Oil jumps on OPEC cut"),
        ("Example News: Oil jumps on OPEC cut", site_keys("Example News"), "Oil jumps on OPEC cut"),
        ("Oil jumps on OPEC cut | Markets | Reuters", site_keys("Reuters"), "Oil jumps on OPEC cut"),
        # from the domain alone
        ("Oil jumps on OPEC cut | Example-News.com", site_keys(domain="example-news.com"), "Oil jumps on OPEC cut"),
    ],
)
def test_site_and_section_suffixes_are_removed(title: str, keys: set[str], expected: str) -> None:
    assert strip_site_suffix(title, keys) == expected


@pytest.mark.parametrize(
    "title",
    [
        "Apple - the iPhone maker - beats estimates",  # dashes inside a headline
        "Fed: rates stay on hold until spring",  # a colon headline
        "Oil jumps | Brent",  # too little headline would remain
        "Q3 results | Strong growth in cloud and AI services across every region this year",  # long segment
    ],
)
def test_headline_punctuation_that_names_no_site_stays(title: str) -> None:
    assert strip_site_suffix(title, site_keys("Reuters", domain="reuters.com")) == title
