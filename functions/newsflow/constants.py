"""Names shared by the runtime, the local stack and the CDK stack.

infra/ imports this module (names only, no runtime code) so that the deployed stack and the
local emulation can never disagree about an environment variable or a resource name.
"""

from typing import Final

# Environment variables read by settings.py and set by the CDK stack / local stack.
ENV_TABLE_NAME: Final = "NEWSFLOW_TABLE_NAME"
ENV_QUEUE_URL: Final = "NEWSFLOW_QUEUE_URL"
ENV_DLQ_URL: Final = "NEWSFLOW_DLQ_URL"
ENV_INDEX_FAILURES_URL: Final = "NEWSFLOW_INDEX_FAILURES_URL"  # the stream on-failure queue (ops function)
ENV_SEARCH_BACKEND: Final = "NEWSFLOW_SEARCH_BACKEND"  # "opensearch" | "tantivy"
ENV_OPENSEARCH_URL: Final = "NEWSFLOW_OPENSEARCH_URL"
ENV_OPENSEARCH_INDEX: Final = "NEWSFLOW_OPENSEARCH_INDEX"
ENV_TANTIVY_PATH: Final = "NEWSFLOW_TANTIVY_PATH"
ENV_FETCH_TIMEOUT: Final = "NEWSFLOW_FETCH_TIMEOUT_SECONDS"
ENV_INGEST_PREPARE_PROCESSES: Final = "NEWSFLOW_INGEST_PREPARE_PROCESSES"  # local stack only: ingest's prepare workers
ENV_ALLOW_PRIVATE_FETCH: Final = "NEWSFLOW_ALLOW_PRIVATE_FETCH"  # local dev/test only: lets the poller read 127.0.0.1
ENV_POLL_MAX_FEEDS: Final = "NEWSFLOW_POLL_MAX_FEEDS"  # ignored since the fan-out (no per-run cap)
ENV_FETCH_QUEUE_URL: Final = "NEWSFLOW_FETCH_QUEUE_URL"  # the scheduler's fetch requests (one per due feed)
ENV_FETCH_DLQ_URL: Final = "NEWSFLOW_FETCH_DLQ_URL"
# Feed scheduling, health and politeness (feeds/policy.py reads them; infra sets them from CDK context).
ENV_FEED_MIN_INTERVAL: Final = "NEWSFLOW_FEED_MIN_INTERVAL_MINUTES"
ENV_FEED_MAX_INTERVAL: Final = "NEWSFLOW_FEED_MAX_INTERVAL_MINUTES"
ENV_FEED_DISABLE_FAILURES: Final = "NEWSFLOW_FEED_DISABLE_AFTER_FAILURES"
ENV_FEED_DISABLE_HOURS: Final = "NEWSFLOW_FEED_DISABLE_AFTER_HOURS"
ENV_HOST_MAX_IN_FLIGHT: Final = "NEWSFLOW_HOST_MAX_IN_FLIGHT"
ENV_HOST_MIN_GAP: Final = "NEWSFLOW_HOST_MIN_GAP_SECONDS"
# The full-text stage (teaser items -> article page -> items queue).
ENV_FULLTEXT_QUEUE_URL: Final = "NEWSFLOW_FULLTEXT_QUEUE_URL"  # unset: teasers go straight to ingest
ENV_FULLTEXT_DLQ_URL: Final = "NEWSFLOW_FULLTEXT_DLQ_URL"
ENV_FULLTEXT_MODE: Final = "NEWSFLOW_FULLTEXT_MODE"  # default for feeds/items that set none: auto | always | never
ENV_FULLTEXT_MIN_WORDS: Final = "NEWSFLOW_FULLTEXT_MIN_WORDS"  # a feed body under this many words is a teaser
ENV_FULLTEXT_HOST_GAP: Final = "NEWSFLOW_FULLTEXT_HOST_GAP_SECONDS"  # min seconds between two pages of one host
ENV_FULLTEXT_TIMEOUT: Final = "NEWSFLOW_FULLTEXT_TIMEOUT_SECONDS"
ENV_FULLTEXT_MAX_BYTES: Final = "NEWSFLOW_FULLTEXT_MAX_BYTES"
ENV_STAGE: Final = "NEWSFLOW_STAGE"
ENV_CORS_ORIGINS: Final = "NEWSFLOW_CORS_ORIGINS"  # comma-separated origins the API allows (CORS)
ENV_TAXONOMY_PATH: Final = "NEWSFLOW_TAXONOMY_PATH"  # a replacement taxonomy.toml (default: the packaged one)
ENV_CATEGORY_MODEL_PATH: Final = "NEWSFLOW_CATEGORY_MODEL_PATH"  # a replacement category model artifact

# Default resource names (the CDK stack lets CloudFormation name things; local uses these).
LOCAL_TABLE_NAME: Final = "newsflow-local"
LOCAL_QUEUE_NAME: Final = "newsflow-items"
LOCAL_DLQ_NAME: Final = "newsflow-items-dlq"
LOCAL_INDEX_DLQ_NAME: Final = "newsflow-index-failures"
LOCAL_FETCH_QUEUE_NAME: Final = "newsflow-fetch"
LOCAL_FETCH_DLQ_NAME: Final = "newsflow-fetch-dlq"
FETCH_TIMEOUT_SECONDS: Final = 60  # the fetch worker Lambda's timeout
FETCH_BATCH_SIZE: Final = 5
LOCAL_FULLTEXT_QUEUE_NAME: Final = "newsflow-fulltext"
LOCAL_FULLTEXT_DLQ_NAME: Final = "newsflow-fulltext-dlq"
FULLTEXT_TIMEOUT_SECONDS: Final = 120
FULLTEXT_BATCH_SIZE: Final = 5

# Redrive policy: how many receives before SQS parks a message in the DLQ.
MAX_RECEIVE_COUNT: Final = 5
INGEST_TIMEOUT_SECONDS: Final = 60
INGEST_BATCH_SIZE: Final = 10

# DLQ message attributes carrying why an item was parked.
DLQ_REASON_ATTRIBUTE: Final = "newsflow-reason"
DLQ_DETAIL_ATTRIBUTE: Final = "newsflow-detail"
# When the feed showed the item (epoch ms): the full-text stage re-queues a teaser with the page's text, and
# passes its own message's sighting time on, so ingest orders it by the poll, not by the page fetch.
SIGHTING_ATTRIBUTE: Final = "newsflow-seen"

# DynamoDB single-table layout (see store/keys.py).
GSI_CATEGORY: Final = "gsi1-category"
# What the category GSI projects. It is read only by the table fallback of the listings (the search index
# serves them normally), which pages keys from the GSI and reads the articles with BatchGetItem: KEYS_ONLY
# keeps its write at 1 WRU and lets a version bump that keeps category and date write no GSI at all. The
# "latest" fallback merges its category partitions (store/dynamo.py list_latest); the month-sharded
# `gsi2-latest` that served it is gone (one index write per article less). gsi2 is not reused.
GSI_PROJECTION: Final = "KEYS_ONLY"
# The feeds scheduler's sparse index: only enabled feeds carry gsi3pk; gsi3sk is "<next poll ISO>#<feed id>".
GSI_DUE: Final = "gsi3-due"
GSI_DUE_ATTRIBUTES: Final = ("host", "consecutive_failures")  # INCLUDE projection: what the scheduler reads

# Lambda handler entry points (module:function) inside the functions/ asset.
HANDLER_INGEST: Final = "newsflow.handlers.ingest.lambda_handler"
HANDLER_INDEX: Final = "newsflow.handlers.index.lambda_handler"
HANDLER_API: Final = "newsflow.handlers.api.lambda_handler"
HANDLER_POLL: Final = "newsflow.handlers.poll.lambda_handler"
HANDLER_FETCH: Final = "newsflow.handlers.fetch.lambda_handler"
HANDLER_OPS: Final = "newsflow.handlers.ops.lambda_handler"
HANDLER_FULLTEXT: Final = "newsflow.handlers.fulltext.lambda_handler"

# CloudFormation outputs of NewsflowStack-<stage> that the operator CLI reads (`newsflow --stage X ...`).
OUTPUT_API_URL: Final = "ApiUrl"
OUTPUT_QUEUE_URL: Final = "QueueUrl"
OUTPUT_DLQ_URL: Final = "DlqUrl"
OUTPUT_TABLE_NAME: Final = "TableName"
OUTPUT_FETCH_QUEUE_URL: Final = "FetchQueueUrl"
OUTPUT_OPENSEARCH_ENDPOINT: Final = "OpenSearchEndpoint"
OUTPUT_READ_API_KEY_ID: Final = "ReadApiKeyId"
OUTPUT_INDEX_FAILURES_URL: Final = "IndexFailuresQueueUrl"
OUTPUT_OPS_FUNCTION_NAME: Final = "OpsFunctionName"
OUTPUT_READ_USAGE_PLAN_ID: Final = "ReadUsagePlanId"
STACK_NAME_PREFIX: Final = "NewsflowStack-"

POWERTOOLS_SERVICE_NAME: Final = "newsflow"
METRICS_NAMESPACE: Final = "Newsflow"

# NewsAPI-compatible routes (/v2; see newsflow/api/newsapi/mapping.py and the README).
ENV_NEWSAPI_MAPPING_PATH: Final = "NEWSFLOW_NEWSAPI_MAPPING_PATH"  # JSON {"categories": {...}, "countries": {...}}
ENV_NEWSAPI_CONTENT: Final = "NEWSFLOW_NEWSAPI_CONTENT"  # "truncated" (default) | "full"
ENV_NEWSAPI_MAX_DEPTH: Final = "NEWSFLOW_NEWSAPI_MAX_DEPTH"  # page x pageSize limit (default 1000)
ENV_NEWSAPI_HEADLINES_WINDOW: Final = "NEWSFLOW_NEWSAPI_HEADLINES_WINDOW"  # "24h" (default) | "7d"
HANDLER_AUTHORIZER: Final = "newsflow.handlers.authorizer.lambda_handler"  # API key from apiKey / X-Api-Key / Bearer
