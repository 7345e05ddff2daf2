"""DynamoDB implementation of FeedRepository: the registry the poller reads and the admin API edits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsflow.models import FeedConfig
from newsflow.store import keys
from newsflow.store.dynamo import deserialize, serialize

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoFeedRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def list_feeds(self) -> list[FeedConfig]:
        feeds: list[FeedConfig] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.FEEDS_PK}},
        }
        while True:
            response = self._client.query(**kwargs)
            feeds.extend(_to_feed(deserialize(item)) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return feeds
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def get_feed(self, feed_id: str) -> FeedConfig | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=serialize({"pk": keys.FEEDS_PK, "sk": keys.feed_sk(feed_id)}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return _to_feed(deserialize(item)) if item else None

    def save_feed(self, feed: FeedConfig) -> None:
        # A full put: the feed's state is owned by one writer at a time (poll runs with concurrency 1).
        body = {k: v for k, v in feed.model_dump(mode="json").items() if v is not None}
        item = {"pk": keys.FEEDS_PK, "sk": keys.feed_sk(feed.feed_id), **body}
        self._client.put_item(TableName=self._table, Item=serialize(item))

    def delete_feed(self, feed_id: str) -> bool:
        response = self._client.delete_item(
            TableName=self._table,
            Key=serialize({"pk": keys.FEEDS_PK, "sk": keys.feed_sk(feed_id)}),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" in response


def _to_feed(item: dict[str, Any]) -> FeedConfig:
    data = {k: (int(v) if hasattr(v, "as_integer_ratio") and not isinstance(v, bool) else v) for k, v in item.items()}
    data.pop("pk", None)
    data.pop("sk", None)
    return FeedConfig.model_validate(data)
