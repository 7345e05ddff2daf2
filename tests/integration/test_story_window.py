"""The story window through the real ingest path (moto DynamoDB): an article joins a story only within
`span_days` (default 7) of the story's first article, by the articles' own publication times."""

from __future__ import annotations

from typing import Any

from newsflow.handlers import ingest
from newsflow.local.resources import LocalResources
from newsflow.store.dynamo import DynamoArticleRepository

from tests.integration.helpers import body, context, receive_event, send_items

PARAGRAPHS = [
    "OPEC+ ministers agreed on Thursday to cut oil output by a further one million barrels a day from January.",
    "Brent crude rose 3% after the decision, which extends production quotas agreed earlier this year.",
    "Saudi Arabia will shoulder the largest share of the reduction, energy ministry officials said.",
    "Analysts expect inventories to tighten in the first quarter as refiners restock after maintenance.",
]


def _copy(n: int, published: str) -> str:
    return body(
        url=f"https://outlet{n}.example.net/oil/opec-cut",
        guid=f"copy-{n}",
        title=f"Oil output cut, version {n}",
        content_html=f"<p>Read more from outlet {n}</p>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS),
        source={"name": f"Outlet {n}"},
        published=published,
    )


def _stories(resources: LocalResources) -> dict[str, str | None]:
    from newsflow import aws

    items = aws.dynamodb().scan(TableName=resources.table_name)["Items"]
    repository = DynamoArticleRepository(aws.dynamodb(), resources.table_name)
    out = {}
    for item in items:
        if item["pk"]["S"].startswith("ART#"):
            article = repository.get(item["pk"]["S"].removeprefix("ART#"))
            assert article is not None
            out[article.url] = article.story_id
    return out


def _ingest(resources: LocalResources, message: str) -> dict[str, Any]:
    send_items(resources, [message])
    return ingest.lambda_handler(receive_event(resources), context("ingest"))


def test_a_copy_nine_days_after_the_first_article_starts_a_new_story(stack_env: LocalResources) -> None:
    # Given a story's first article (day 0) and a copy on day 5
    _ingest(stack_env, _copy(1, "Sun, 01 Nov 2026 10:00:00 GMT"))
    _ingest(stack_env, _copy(2, "Fri, 06 Nov 2026 10:00:00 GMT"))
    # When another copy is published on day 9 (4 days after the latest member), then one on day 10
    _ingest(stack_env, _copy(3, "Tue, 10 Nov 2026 10:00:00 GMT"))
    _ingest(stack_env, _copy(4, "Wed, 11 Nov 2026 10:00:00 GMT"))
    # Then day 0 and day 5 share a story; day 9 starts its own, which day 10 joins
    stories = _stories(stack_env)
    one, two, three, four = (stories[f"https://outlet{n}.example.net/oil/opec-cut"] for n in (1, 2, 3, 4))
    assert one == two
    assert three not in (None, one)
    assert four == three
