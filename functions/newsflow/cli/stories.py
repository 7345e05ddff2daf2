"""`newsflow stories explain ID1 ID2`: the similarity of two stored articles and why they were (not) merged."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from newsflow.models import Article
from newsflow.stories.match import StoryThresholds, decide
from newsflow.stories.sketch import sketch


def explain(first: Article, second: Article, thresholds: StoryThresholds) -> str:
    verdict = decide(sketch(first.title, first.body_text), sketch(second.title, second.body_text), thresholds)
    sim = verdict.similarity
    same_stored = first.story_id is not None and first.story_id == second.story_id
    lines = [
        f"A {first.id}  [{first.source_name}] {first.title[:70]}",
        f"  story {first.story_id}",
        f"B {second.id}  [{second.source_name}] {second.title[:70]}",
        f"  story {second.story_id}",
        "",
        f"body resemblance (MinHash Jaccard)  {sim.body_jaccard:.3f}   threshold {thresholds.body_jaccard}",
        f"containment of the shorter body      {sim.containment:.3f}   threshold {thresholds.containment}"
        f" (with resemblance >= {thresholds.containment_min_jaccard})",
        f"lead resemblance                     {sim.lead_jaccard:.3f}   threshold {thresholds.lead_jaccard}",
        f"shingles in the shorter body         {sim.shorter_shingles}   minimum {thresholds.min_shingles}",
        "",
        f"verdict: {'SAME STORY' if verdict.same_story else 'different stories'} ({verdict.reason})",
        f"stored:  {'in the same story' if same_stored else 'in different stories'}",
    ]
    if verdict.same_story != same_stored:
        lines.append(
            "note: the stored grouping differs from today's verdict: candidates are looked up through LSH keys at "
            "ingest (a pair can be missed), or the thresholds changed since."
        )
    return "\n".join(lines)


def _repository(args: argparse.Namespace) -> Any:
    from newsflow.store.dynamo import DynamoArticleRepository

    if args.table:
        from newsflow import aws

        return DynamoArticleRepository(aws.dynamodb(), args.table)
    from newsflow.local.stack import client_for, read_state

    state = read_state(args.data_dir)
    if state is None:
        raise SystemExit("no local stack running: start `newsflow dev`, or pass --table for a deployed table")
    client = client_for(state, "dynamodb")
    return DynamoArticleRepository(client, state.resources.table_name)


def _cmd_explain(args: argparse.Namespace) -> int:
    repository = _repository(args)
    articles = []
    for article_id in (args.first, args.second):
        article = repository.get(article_id)
        if article is None:
            print(f"no article with id {article_id}", file=sys.stderr)
            return 1
        articles.append(article)
    print(explain(articles[0], articles[1], StoryThresholds.from_env()))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stories = commands.add_parser("stories", help="story clusters (near-duplicates)")
    actions = stories.add_subparsers(dest="stories_command", required=True)
    explain_cmd = actions.add_parser("explain", help="why two articles were or were not merged into one story")
    explain_cmd.add_argument("first", metavar="ID1")
    explain_cmd.add_argument("second", metavar="ID2")
    explain_cmd.add_argument("--table", help="a deployed table (AWS credentials from the environment)")
    explain_cmd.set_defaults(func=_cmd_explain)
