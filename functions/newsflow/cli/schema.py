"""`newsflow schema`: the JSON schema of the queue message (FeedItem) or the stored Article."""

from __future__ import annotations

import argparse
import json


def _cmd_schema(args: argparse.Namespace) -> int:
    from newsflow.models import Article, FeedItem

    model = FeedItem if args.model == "feed-item" else Article
    print(json.dumps(model.model_json_schema(), indent=2))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schema = commands.add_parser("schema", help="print the JSON schema of a message model")
    schema.add_argument("model", nargs="?", choices=["feed-item", "article"], default="feed-item")
    schema.set_defaults(func=_cmd_schema)
