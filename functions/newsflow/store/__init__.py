"""Storage: DynamoDB single table (articles, body-hash keys, month shards, feeds) and SQS queues."""
