"""Assertions on the synthesized NewsflowStack-dev template (see conftest.py for the context used)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk.assertions import Match, Template
from newsflow import constants as c

from infra.search import ENGINE_VERSION
from tests.infra.helpers import (
    actions_of,
    find,
    find_one,
    function_by_handler,
    logical_id_of_function,
    ref_target,
)

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("cdk")]

Resources = dict[str, dict[str, Any]]

HANDLERS = {
    c.HANDLER_INGEST, c.HANDLER_INDEX, c.HANDLER_API, c.HANDLER_POLL, c.HANDLER_FETCH, c.HANDLER_OPS,
    c.HANDLER_AUTHORIZER, c.HANDLER_FULLTEXT,
}  # fmt: skip


# --- storage --------------------------------------------------------------------------------------


def test_table_is_on_demand_encrypted_recoverable_and_streams_both_images(template: Template) -> None:
    # Given the dev stack / When it is synthesized / Then the single table has the agreed settings
    template.resource_count_is("AWS::DynamoDB::Table", 1)
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
        },
    )


def test_table_has_the_named_string_keyed_gsis_the_article_one_projecting_keys_only(resources: Resources) -> None:
    # Given the table / When its GSIs are read / Then they match store/keys.py by name and key, and project
    # keys only (their one reader fetches the articles from the table: every GSI write stays at 1 WRU)
    _, table = find_one(resources, "AWS::DynamoDB::Table")
    props = table["Properties"]
    indexes = {gsi["IndexName"]: gsi for gsi in props["GlobalSecondaryIndexes"]}
    expected = {c.GSI_CATEGORY: "gsi1", c.GSI_DUE: "gsi3"}
    assert set(indexes) == set(expected)
    for name, prefix in expected.items():
        assert indexes[name]["KeySchema"] == [
            {"AttributeName": f"{prefix}pk", "KeyType": "HASH"},
            {"AttributeName": f"{prefix}sk", "KeyType": "RANGE"},
        ]
    # (no "latest" GSI: the table fallback's latest listing merges the category partitions)
    assert indexes[c.GSI_CATEGORY]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    # The scheduler's sparse due index carries what the scheduler reads: the host and the failure count
    assert indexes[c.GSI_DUE]["Projection"] == {
        "ProjectionType": "INCLUDE", "NonKeyAttributes": list(c.GSI_DUE_ATTRIBUTES)
    }  # fmt: skip
    types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    assert types == {name: "S" for name in ("pk", "sk", "gsi1pk", "gsi1sk", "gsi3pk", "gsi3sk")}


def test_dev_table_is_disposable(resources: Resources) -> None:
    # Given the dev stage / Then the table can be torn down with the stack
    _, table = find_one(resources, "AWS::DynamoDB::Table")
    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"].get("DeletionProtectionEnabled") is not True


def test_prod_table_is_protected_and_retained(prod_parts: Any) -> None:
    # Given the prod stage / When its table is synthesized / Then it is deletion-protected and retained
    prod_parts.template.has_resource(
        "AWS::DynamoDB::Table",
        {"DeletionPolicy": "Retain", "Properties": Match.object_like({"DeletionProtectionEnabled": True})},
    )


# --- queues ---------------------------------------------------------------------------------------


def test_every_queue_is_encrypted_and_refuses_plain_http(resources: Resources) -> None:
    # Given the seven queues (items, DLQ, index failures, fetch requests and their DLQ, full-text and its DLQ)
    queues = find(resources, "AWS::SQS::Queue")
    assert len(queues) == 7
    # Then each has SSE and a queue policy denying requests without TLS
    for _, queue in queues:
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
    secured: set[str] = set()
    for _, policy in find(resources, "AWS::SQS::QueuePolicy"):
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}:
                secured.update(ref_target(q) for q in policy["Properties"]["Queues"])
    assert secured == {logical_id for logical_id, _ in queues}


def test_items_queue_redrives_to_a_14_day_dlq_and_outlasts_six_ingest_timeouts(resources: Resources) -> None:
    # Given the queues that have a redrive policy: the items queue (and the fetch and full-text queues)
    redriven = [(i, q) for i, q in find(resources, "AWS::SQS::Queue") if "RedrivePolicy" in q["Properties"]]
    assert len(redriven) == 3
    items = [q for i, q in redriven if i.startswith("QueuesItems")]
    assert len(items) == 1
    props = items[0]["Properties"]
    # Then it redrives after MAX_RECEIVE_COUNT receives, to a DLQ kept for 14 days
    assert props["RedrivePolicy"]["maxReceiveCount"] == c.MAX_RECEIVE_COUNT
    dlq_id = props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert resources[dlq_id]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    # And a message stays invisible long enough for six ingest attempts to time out
    assert props["VisibilityTimeout"] >= 6 * c.INGEST_TIMEOUT_SECONDS


# --- functions ------------------------------------------------------------------------------------


def test_newsflow_functions_are_arm64_on_the_configured_python(resources: Resources, synthesized: Any) -> None:
    # (CDK's own BucketDeployment handler, which copies web/ at deploy time, is not ours.)
    functions = [
        f for f in find(resources, "AWS::Lambda::Function") if f[1]["Properties"]["Handler"].startswith("newsflow.")
    ]
    assert {f["Properties"]["Handler"] for _, f in functions} == HANDLERS
    for _, fn in functions:
        props = fn["Properties"]
        assert props["Runtime"] == f"python{synthesized.config.lambda_python}"
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        # Each function logs to its own explicit log group, which has a retention period
        log_group_id = ref_target(props["LoggingConfig"]["LogGroup"])
        assert resources[log_group_id]["Properties"]["RetentionInDays"] == 14


def test_functions_share_the_environment_contract_of_newsflow_constants(resources: Resources) -> None:
    # The key authorizer reads no setting: it only finds a key in the request (its env is the service name).
    for _, fn in find(resources, "AWS::Lambda::Function"):
        if fn["Properties"]["Handler"] in {c.HANDLER_AUTHORIZER} or not fn["Properties"]["Handler"].startswith(
            "newsflow."
        ):
            continue
        env = fn["Properties"]["Environment"]["Variables"]
        for name in (c.ENV_TABLE_NAME, c.ENV_QUEUE_URL, c.ENV_DLQ_URL, c.ENV_OPENSEARCH_URL):
            assert env[name], name
        assert env[c.ENV_SEARCH_BACKEND] == "opensearch"
        assert env[c.ENV_OPENSEARCH_INDEX] == "articles"
        assert env[c.ENV_STAGE] == "dev"
        assert env["POWERTOOLS_SERVICE_NAME"] == c.POWERTOOLS_SERVICE_NAME
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == c.METRICS_NAMESPACE
        assert env["POWERTOOLS_LOG_LEVEL"] in {"DEBUG", "INFO"}
        # The OpenSearch URL is https:// + the domain endpoint
        url = env[c.ENV_OPENSEARCH_URL]["Fn::Join"][1]
        assert url[0] == "https://"
        assert url[1]["Fn::GetAtt"][1] == "DomainEndpoint"


def test_only_the_functions_that_use_the_search_index_run_inside_the_vpc(resources: Resources) -> None:
    in_vpc = {
        f["Properties"]["Handler"]
        for _, f in find(resources, "AWS::Lambda::Function")
        if "VpcConfig" in f["Properties"]
    }
    # ingest reads story candidates from the index; poll, fetch and full-text fetch from the internet
    assert in_vpc == {c.HANDLER_INDEX, c.HANDLER_API, c.HANDLER_OPS, c.HANDLER_INGEST}


def test_poller_runs_one_at_a_time_on_the_configured_schedule(resources: Resources, synthesized: Any) -> None:
    _, poll = function_by_handler(resources, c.HANDLER_POLL)
    assert poll["Properties"]["ReservedConcurrentExecutions"] == 1
    poll_id = logical_id_of_function(resources, c.HANDLER_POLL)
    rules = [r for _, r in find(resources, "AWS::Events::Rule")]
    (rule,) = [r for r in rules if r["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0] == poll_id]
    assert rule["Properties"]["ScheduleExpression"] == f"rate({synthesized.config.poll_rate_minutes} minutes)"


def test_ops_replays_index_failures_every_15_minutes_and_reconciles_daily(resources: Resources) -> None:
    ops_id = logical_id_of_function(resources, c.HANDLER_OPS)
    rules = [r["Properties"] for _, r in find(resources, "AWS::Events::Rule")]
    targets = {
        json.loads(r["Targets"][0]["Input"])["action"]: r
        for r in rules
        if r["Targets"][0]["Arn"]["Fn::GetAtt"][0] == ops_id
    }
    assert set(targets) == {"replay-index-failures", "reconcile"}
    assert targets["replay-index-failures"]["ScheduleExpression"] == "rate(15 minutes)"
    assert targets["reconcile"]["ScheduleExpression"].startswith("cron(")
    assert all(r["Targets"][0]["RetryPolicy"]["MaximumRetryAttempts"] == 4 for r in targets.values())


def _sqs_mapping_of(resources: Resources, handler: str) -> dict[str, Any]:
    function_id = logical_id_of_function(resources, handler)
    (mapping,) = [
        m["Properties"]
        for _, m in find(resources, "AWS::Lambda::EventSourceMapping")
        if "StartingPosition" not in m["Properties"] and ref_target(m["Properties"]["FunctionName"]) == function_id
    ]
    return mapping


def test_fetch_workers_drain_the_fetch_queue_with_bounded_concurrency(resources: Resources, synthesized: Any) -> None:
    # Given the fetch worker's mapping / Then it reports partial failures, is capped by fetchMaxConcurrency,
    # and reads the fetch queue, which redrives to its own DLQ
    props = _sqs_mapping_of(resources, c.HANDLER_FETCH)
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BatchSize"] == c.FETCH_BATCH_SIZE
    assert props["ScalingConfig"] == {"MaximumConcurrency": synthesized.config.feeds.fetch_max_concurrency}
    queue = resources[props["EventSourceArn"]["Fn::GetAtt"][0]]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == c.MAX_RECEIVE_COUNT
    assert queue["VisibilityTimeout"] >= 6 * c.FETCH_TIMEOUT_SECONDS
    _, fetch = function_by_handler(resources, c.HANDLER_FETCH)
    env = fetch["Properties"]["Environment"]["Variables"]
    assert {c.ENV_FETCH_QUEUE_URL, c.ENV_FETCH_DLQ_URL, c.ENV_HOST_MAX_IN_FLIGHT, c.ENV_HOST_MIN_GAP} <= set(env)
    assert fetch["Properties"]["Timeout"] == c.FETCH_TIMEOUT_SECONDS


def test_ingest_consumes_the_items_queue_in_batches_with_partial_failures(resources: Resources) -> None:
    props = _sqs_mapping_of(resources, c.HANDLER_INGEST)
    assert ref_target(props["FunctionName"]) == logical_id_of_function(resources, c.HANDLER_INGEST)
    assert props["BatchSize"] == c.INGEST_BATCH_SIZE
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["MaximumBatchingWindowInSeconds"] > 0
    queue_id = props["EventSourceArn"]["Fn::GetAtt"][0]
    assert "RedrivePolicy" in resources[queue_id]["Properties"]  # the items queue, not a DLQ


def test_the_full_text_stage_consumes_its_own_queue_which_redrives_to_its_dlq(resources: Resources) -> None:
    fulltext = logical_id_of_function(resources, c.HANDLER_FULLTEXT)
    [props] = [
        m["Properties"] for _, m in find(resources, "AWS::Lambda::EventSourceMapping")
        if ref_target(m["Properties"]["FunctionName"]) == fulltext
    ]  # fmt: skip
    assert props["BatchSize"] == c.FULLTEXT_BATCH_SIZE
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = resources[props["EventSourceArn"]["Fn::GetAtt"][0]]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == c.MAX_RECEIVE_COUNT
    assert queue["VisibilityTimeout"] >= 6 * c.FULLTEXT_TIMEOUT_SECONDS
    function = resources[fulltext]["Properties"]
    assert "VpcConfig" not in function  # it reads the public web, like the fetch workers
    assert c.ENV_FULLTEXT_DLQ_URL in function["Environment"]["Variables"]
    fetch = resources[logical_id_of_function(resources, c.HANDLER_FETCH)]["Properties"]
    assert c.ENV_FULLTEXT_QUEUE_URL in fetch["Environment"]["Variables"]  # the fetch workers route teasers


def test_index_reads_the_table_stream_safely_and_only_for_articles(resources: Resources) -> None:
    stream_mappings = [
        m for _, m in find(resources, "AWS::Lambda::EventSourceMapping") if "StartingPosition" in m["Properties"]
    ]
    assert len(stream_mappings) == 1
    props = stream_mappings[0]["Properties"]
    assert ref_target(props["FunctionName"]) == logical_id_of_function(resources, c.HANDLER_INDEX)
    assert props["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn"
    assert props["StartingPosition"] == "TRIM_HORIZON"
    assert props["BisectBatchOnFunctionError"] is True
    assert 0 < props["MaximumRetryAttempts"] <= 10
    assert 0 < props["MaximumRecordAgeInSeconds"] <= 24 * 3600
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Failures go to the index-failure queue (a queue without a redrive policy of its own)
    failure_queue = props["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert resources[failure_queue]["Type"] == "AWS::SQS::Queue"
    assert "RedrivePolicy" not in resources[failure_queue]["Properties"]
    pattern = json.loads(props["FilterCriteria"]["Filters"][0]["Pattern"])
    assert pattern == {"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "ART#"}]}}}}


# --- IAM: least privilege -------------------------------------------------------------------------


def test_lambda_roles_use_no_aws_managed_policies(resources: Resources) -> None:
    for handler in HANDLERS:
        role_id = function_by_handler(resources, handler)[1]["Properties"]["Role"]["Fn::GetAtt"][0]
        assert "ManagedPolicyArns" not in resources[role_id]["Properties"], handler


def test_grants_never_use_wildcard_actions(resources: Resources) -> None:
    # (CDK's BucketDeployment custom resource, which copies web/ at deploy time, has its own fixed policy.)
    for logical_id, policy in find(resources, "AWS::IAM::Policy"):
        if logical_id.startswith("CustomCDKBucketDeployment"):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert not [a for a in actions_of(statement) if "*" in a], logical_id


# Which calls each function may make is checked by running the handlers against the synthesized
# policies: see test_permissions.py (a missing grant and an unused one both fail there).


# --- search ---------------------------------------------------------------------------------------


def test_domain_runs_the_newest_engine_cdk_offers(template: Template) -> None:
    offered = [name for name in dir(opensearch.EngineVersion) if name.startswith("OPENSEARCH_")]
    newest = max(offered, key=lambda name: tuple(int(part) for part in name.split("_")[1:]))
    assert ENGINE_VERSION.version == getattr(opensearch.EngineVersion, newest).version
    template.has_resource_properties("AWS::OpenSearchService::Domain", {"EngineVersion": ENGINE_VERSION.version})


def test_domain_is_encrypted_https_only_logged_and_private(resources: Resources) -> None:
    _, domain = find_one(resources, "AWS::OpenSearchService::Domain")
    props = domain["Properties"]
    assert props["EncryptionAtRestOptions"] == {"Enabled": True}
    assert props["NodeToNodeEncryptionOptions"] == {"Enabled": True}
    assert props["DomainEndpointOptions"]["EnforceHTTPS"] is True
    assert props["DomainEndpointOptions"]["TLSSecurityPolicy"].startswith("Policy-Min-TLS-1-2")
    assert {k for k, v in props["LogPublishingOptions"].items() if v["Enabled"]} == {
        "SEARCH_SLOW_LOGS",
        "INDEX_SLOW_LOGS",
        "ES_APPLICATION_LOGS",
    }
    # Dev: one small node in one private subnet
    assert props["ClusterConfig"]["InstanceCount"] == 1
    assert props["ClusterConfig"]["DedicatedMasterEnabled"] is False
    assert len(props["VPCOptions"]["SubnetIds"]) == 1


def test_domain_access_policy_names_only_the_index_api_ops_and_ingest_roles(resources: Resources) -> None:
    _, domain = find_one(resources, "AWS::OpenSearchService::Domain")
    statements = domain["Properties"]["AccessPolicies"]["Statement"]
    principals = set()
    for statement in statements:
        named = statement["Principal"]["AWS"]
        principals |= {p["Fn::GetAtt"][0] for p in (named if isinstance(named, list) else [named])}
    roles = {
        function_by_handler(resources, h)[1]["Properties"]["Role"]["Fn::GetAtt"][0]
        for h in (c.HANDLER_INDEX, c.HANDLER_API, c.HANDLER_OPS, c.HANDLER_INGEST)
    }
    assert principals == roles
    assert all(s["Effect"] == "Allow" and "Condition" not in s for s in statements)


def test_opensearch_logs_are_delivered_without_a_custom_resource(resources: Resources) -> None:
    _, policy = find_one(resources, "AWS::Logs::ResourcePolicy")
    document = json.dumps(policy["Properties"]["PolicyDocument"])
    assert "es.amazonaws.com" in document
    assert not find(resources, "Custom::CloudwatchLogResourcePolicy")
    assert not find(resources, "Custom::OpenSearchAccessPolicy")


def test_prod_domain_is_zone_aware_with_dedicated_masters(prod_parts: Any) -> None:
    size = prod_parts.config.opensearch
    prod_parts.template.has_resource_properties(
        "AWS::OpenSearchService::Domain",
        {
            "ClusterConfig": Match.object_like(
                {
                    "DedicatedMasterEnabled": True,
                    "DedicatedMasterCount": 3,
                    "InstanceCount": size.data_nodes,
                    "ZoneAwarenessEnabled": True,
                    "ZoneAwarenessConfig": {"AvailabilityZoneCount": 2},
                }
            ),
            "VPCOptions": Match.object_like({"SubnetIds": Match.any_value()}),
        },
    )


# --- network --------------------------------------------------------------------------------------


def test_vpc_is_isolated_with_flow_logs_and_service_endpoints(template: Template, resources: Resources) -> None:
    template.resource_count_is("AWS::EC2::NatGateway", 0)
    template.resource_count_is("AWS::EC2::InternetGateway", 0)
    template.resource_count_is("AWS::EC2::Subnet", 2)
    template.resource_count_is("AWS::EC2::FlowLog", 1)
    endpoints = {
        e["Properties"]["ServiceName"]["Fn::Join"][1][-1]: e["Properties"]
        for _, e in find(resources, "AWS::EC2::VPCEndpoint")
    }
    assert endpoints[".dynamodb"]["VpcEndpointType"] == "Gateway"
    assert endpoints[".sqs"]["VpcEndpointType"] == "Interface"
    assert endpoints[".sqs"]["PrivateDnsEnabled"] is True


def test_security_groups_admit_only_https_from_the_lambdas(resources: Resources) -> None:
    ingress = [r["Properties"] for _, r in find(resources, "AWS::EC2::SecurityGroupIngress")]
    for rule in ingress:
        assert (rule["FromPort"], rule["ToPort"], rule["IpProtocol"]) == (443, 443, "tcp")
        assert "SourceSecurityGroupId" in rule
        assert "CidrIp" not in rule
    for _, group in find(resources, "AWS::EC2::SecurityGroup"):
        assert not group["Properties"].get("SecurityGroupIngress"), "no inline (CIDR) ingress"


# --- API ------------------------------------------------------------------------------------------


def test_stage_is_named_after_the_stage_logged_traced_and_throttled(resources: Resources, synthesized: Any) -> None:
    _, stage = find_one(resources, "AWS::ApiGateway::Stage")
    props = stage["Properties"]
    assert props["StageName"] == "dev"
    assert props["TracingEnabled"] is True
    access_format = json.loads(props["AccessLogSetting"]["Format"])
    assert {"requestId", "ip", "status", "httpMethod", "resourcePath"} <= set(access_format)
    settings = props["MethodSettings"][0]
    assert settings["LoggingLevel"] == "ERROR"
    assert settings["ThrottlingRateLimit"] == synthesized.config.api_throttle_rate
    assert settings["ThrottlingBurstLimit"] == synthesized.config.api_throttle_burst


def _path(resources: Resources, resource_id: dict[str, Any]) -> str:
    """The URL path of an AWS::ApiGateway::Resource (the root is referenced by GetAtt, not Ref)."""
    if "Ref" not in resource_id:
        return ""
    props = resources[resource_id["Ref"]]["Properties"]
    return f"{_path(resources, props['ParentId'])}/{props['PathPart']}"


def _methods(resources: Resources) -> dict[tuple[str, str], dict[str, Any]]:
    """(path, HTTP verb) -> method properties."""
    return {
        (_path(resources, m["Properties"]["ResourceId"]) or "/", m["Properties"]["HttpMethod"]): m["Properties"]
        for _, m in find(resources, "AWS::ApiGateway::Method")
    }


def test_reads_need_an_api_key_and_admin_needs_sigv4(resources: Resources) -> None:
    methods = _methods(resources)
    # The key authorizer finds the key (x-api-key, ?apiKey=, bearer); API Gateway validates it
    _, api = find_one(resources, "AWS::ApiGateway::RestApi")
    assert api["Properties"]["ApiKeySourceType"] == "AUTHORIZER"
    _, authorizer = find_one(resources, "AWS::ApiGateway::Authorizer")
    assert authorizer["Properties"]["Type"] == "REQUEST"
    assert authorizer["Properties"]["AuthorizerResultTtlInSeconds"] == 0
    for path in ("/v1", "/v1/{proxy+}", "/v2/{proxy+}"):
        for verb in ("GET", "HEAD"):
            read = methods[(path, verb)]
            assert read["AuthorizationType"] == "CUSTOM"
            assert read["ApiKeyRequired"] is True
            assert read["Integration"]["Type"] == "AWS_PROXY"
    for path in ("/v1/admin", "/v1/admin/{proxy+}"):
        admin = methods[(path, "ANY")]
        assert admin["AuthorizationType"] == "AWS_IAM"
    # Nothing but preflight answers on paths that are neither read nor admin routes
    assert {m for (_, m) in methods} <= {"GET", "HEAD", "ANY", "OPTIONS"}
    assert not [k for k in methods if k[1] == "ANY" and not k[0].startswith("/v1/admin")]


def test_key_and_throttling_errors_use_newsapi_codes(resources: Resources) -> None:
    bodies = {
        r["Properties"]["ResponseType"]: json.loads(r["Properties"]["ResponseTemplates"]["application/json"])
        for _, r in find(resources, "AWS::ApiGateway::GatewayResponse")
        if r["Properties"]["ResponseType"] in {"UNAUTHORIZED", "INVALID_API_KEY", "THROTTLED", "QUOTA_EXCEEDED"}
    }
    assert {k: v["code"] for k, v in bodies.items()} == {
        "UNAUTHORIZED": "apiKeyMissing",
        "INVALID_API_KEY": "apiKeyInvalid",
        "THROTTLED": "rateLimited",
        "QUOTA_EXCEEDED": "rateLimited",
    }


def test_every_backend_method_validates_requests(resources: Resources) -> None:
    _, validator = find_one(resources, "AWS::ApiGateway::RequestValidator")
    assert validator["Properties"]["ValidateRequestBody"] is True
    assert validator["Properties"]["ValidateRequestParameters"] is True
    for (path, verb), method in _methods(resources).items():
        if verb != "OPTIONS":
            assert "RequestValidatorId" in method, (path, verb)


def test_cors_preflight_allows_only_the_configured_origin(resources: Resources) -> None:
    preflights = [m for (_, verb), m in _methods(resources).items() if verb == "OPTIONS"]
    assert preflights
    for preflight in preflights:
        headers = preflight["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == "'https://news.example.com'"


def test_preflight_needs_no_key_and_every_route_of_the_table_has_its_auth(resources: Resources) -> None:
    from newsflow.api.routes import ROUTES

    methods = _methods(resources)
    for (path, verb), method in methods.items():
        if verb == "OPTIONS":  # a browser's preflight never carries the key: never blocked by the authorizer
            assert method["AuthorizationType"] == "NONE", path
            assert not method.get("ApiKeyRequired"), path
            assert "AuthorizerId" not in method, path
    for route in ROUTES:  # the route table's auth is what API Gateway enforces on that path
        resource = "/v1/admin/{proxy+}" if route.path.startswith("/v1/admin/") else "/v1/{proxy+}"
        if route.path.startswith("/v2/"):
            resource = "/v2/{proxy+}"
        method = methods[(resource, "ANY" if route.auth == "iam" else route.method)]
        assert method["AuthorizationType"] == ("AWS_IAM" if route.auth == "iam" else "CUSTOM"), route.path


def test_answers_pass_compressed_and_errors_expose_retry_after(resources: Resources) -> None:
    _, api = find_one(resources, "AWS::ApiGateway::RestApi")
    assert api["Properties"]["BinaryMediaTypes"] == ["*/*"]
    for _, response in find(resources, "AWS::ApiGateway::GatewayResponse"):
        headers = response["Properties"]["ResponseParameters"]
        assert headers["gatewayresponse.header.Vary"] == "'Origin'"
        assert "Retry-After" in headers["gatewayresponse.header.Access-Control-Expose-Headers"]


def test_gateway_errors_use_the_json_error_envelope(resources: Resources) -> None:
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"] for _, r in find(resources, "AWS::ApiGateway::GatewayResponse")
    }
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "THROTTLED"} <= set(responses)
    for response in responses.values():
        body = response["ResponseTemplates"]["application/json"]
        if response["ResponseType"] in {"DEFAULT_4XX", "DEFAULT_5XX"}:
            assert body.startswith('{"status":"error","code":"$context.error.responseType","message":')
        else:  # key and throttling answers carry fixed codes (see test_key_and_throttling_errors_use_newsapi_codes)
            assert set(json.loads(body)) == {"status", "code", "message"}
        assert response["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == (
            "'https://news.example.com'"
        )
    assert responses["THROTTLED"]["ResponseParameters"]["gatewayresponse.header.Retry-After"] == "'1'"


def test_a_dev_stage_without_waf_has_no_web_acl(public_api_template: Template) -> None:
    public_api_template.resource_count_is("AWS::WAFv2::WebACL", 0)


def test_public_read_api_drops_the_key_but_keeps_admin_signed(public_api_template: Template) -> None:
    # Given context publicReadApi=true / When the API is synthesized
    resources = public_api_template.to_json()["Resources"]
    methods = _methods(resources)
    # Then reads need no key (and no key or usage plan exists), while admin still requires SigV4
    assert methods[("/v1/{proxy+}", "GET")]["ApiKeyRequired"] is False
    assert methods[("/v1/admin/{proxy+}", "ANY")]["AuthorizationType"] == "AWS_IAM"
    public_api_template.resource_count_is("AWS::ApiGateway::ApiKey", 0)
    public_api_template.resource_count_is("AWS::ApiGateway::UsagePlan", 0)


def test_read_key_is_bound_to_the_stage_by_a_usage_plan(template: Template) -> None:
    # The read key for clients, and the site's key that CloudFront sends
    template.resource_count_is("AWS::ApiGateway::ApiKey", 2)
    template.resource_count_is("AWS::ApiGateway::UsagePlanKey", 2)
    template.has_resource_properties(
        "AWS::ApiGateway::UsagePlan",
        {"ApiStages": [Match.object_like({"Stage": Match.any_value()})], "Throttle": Match.any_value()},
    )


def test_waf_protects_the_stage_with_managed_rules_and_a_rate_limit(resources: Resources) -> None:
    _, acl = find_one(resources, "AWS::WAFv2::WebACL")
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL"
    rules = {rule["Name"]: rule for rule in props["Rules"]}
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= set(rules)
    rate = rules["RateLimitPerClient"]["Statement"]["RateBasedStatement"]
    # Behind CloudFront the client is the forwarded address, not the edge that connects
    assert rate["AggregateKeyType"] == "FORWARDED_IP"
    assert rate["ForwardedIPConfig"] == {"HeaderName": "X-Forwarded-For", "FallbackBehavior": "MATCH"}
    assert "Block" in rules["RateLimitPerClient"]["Action"]
    _, association = find_one(resources, "AWS::WAFv2::WebACLAssociation")
    assert association["Properties"]["WebACLArn"]["Fn::GetAtt"][0] == find_one(resources, "AWS::WAFv2::WebACL")[0]
    stage_id = find_one(resources, "AWS::ApiGateway::Stage")[0]
    arn_parts = association["Properties"]["ResourceArn"]["Fn::Join"][1]
    assert arn_parts[-2:] == ["/stages/", {"Ref": stage_id}]


def test_waf_body_rules_do_not_block_signed_admin_calls(resources: Resources) -> None:
    # Given the common rule set's body rules (8 KB limit, script in bodies)
    _, acl = find_one(resources, "AWS::WAFv2::WebACL")
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}
    managed = rules["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]
    # Then they only count (label) inside the managed group ...
    overridden = {o["Name"]: o["ActionToUse"] for o in managed["RuleActionOverrides"]}
    assert overridden == {"SizeRestrictions_BODY": {"Count": {}}, "CrossSiteScripting_BODY": {"Count": {}}}
    # ... and our rule, evaluated right after, blocks a labelled request unless it is a signed /v1/admin/ call
    scoped = rules["BodyRulesOutsideSignedAdmin"]
    assert scoped["Priority"] == rules["AWSManagedRulesCommonRuleSet"]["Priority"] + 1
    assert "Block" in scoped["Action"]
    labels, not_admin = scoped["Statement"]["AndStatement"]["Statements"]
    assert {s["LabelMatchStatement"]["Key"] for s in labels["OrStatement"]["Statements"]} == {
        "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
        "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body",
    }
    path, signature = not_admin["NotStatement"]["Statement"]["AndStatement"]["Statements"]
    assert path["ByteMatchStatement"]["SearchString"] == "/v1/admin/"
    assert signature["ByteMatchStatement"]["FieldToMatch"] == {"SingleHeader": {"Name": "authorization"}}
    assert signature["ByteMatchStatement"]["SearchString"] == "AWS4-HMAC-SHA256"


# --- monitoring -----------------------------------------------------------------------------------


def test_alarm_topic_is_encrypted_tls_only_and_mails_ops(resources: Resources) -> None:
    _, topic = find_one(resources, "AWS::SNS::Topic")
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    assert resources[key_id]["Properties"]["EnableKeyRotation"] is True
    # CloudWatch must be able to use the key, or alarms cannot publish to the topic
    key_policy = json.dumps(resources[key_id]["Properties"]["KeyPolicy"])
    assert "cloudwatch.amazonaws.com" in key_policy
    _, topic_policy = find_one(resources, "AWS::SNS::TopicPolicy")
    deny = topic_policy["Properties"]["PolicyDocument"]["Statement"][0]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    _, subscription = find_one(resources, "AWS::SNS::Subscription")
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == "ops@example.com"


def _alarms(resources: Resources) -> dict[str, dict[str, Any]]:
    return {
        a["Properties"]["AlarmDescription"].split(": ", 1)[1]: a["Properties"]
        for _, a in find(resources, "AWS::CloudWatch::Alarm")
    }


def _metric_names(alarm: dict[str, Any]) -> set[str]:
    if "MetricName" in alarm:
        return {alarm["MetricName"]}
    return {q["MetricStat"]["Metric"]["MetricName"] for q in alarm["Metrics"] if "MetricStat" in q}


def test_alarms_cover_every_failure_an_operator_must_hear_about(resources: Resources) -> None:
    alarms = list(_alarms(resources).values())
    for alarm in alarms:
        assert alarm["AlarmActions"], alarm["AlarmDescription"]
        assert alarm["OKActions"], alarm["AlarmDescription"]
    watched = set().union(*(_metric_names(a) for a in alarms))
    assert {
        "ApproximateNumberOfMessagesVisible",  # DLQ and index failures
        "ApproximateAgeOfOldestMessage",
        "IteratorAge",
        "Errors",
        "Invocations",
        "Throttles",
        "FeedFetchFailed",
        "FetchPolled",
        "FeedsFailing",
        "FeedsDisabled",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
        "5XXError",
        "Latency",
        "BlockedRequests",
        "ClusterStatus.red",
        "ClusterIndexWritesBlocked",
        "FreeStorageSpace",
        "JVMMemoryPressure",
        "OldGenJVMMemoryPressure",
        "IndexDrift",  # the daily reconciliation repaired drift
    } <= watched


def test_no_alarm_pages_on_a_single_blip(resources: Resources) -> None:
    # A single datapoint may only alarm where one is already an outage (red cluster, blocked writes, disk)
    single = {
        a["AlarmDescription"]
        for a in _alarms(resources).values()
        if a.get("DatapointsToAlarm", a["EvaluationPeriods"]) == 1
    }
    # (and the daily reconciliation's drift: it has one datapoint a day, and any drift is a real event;
    # "A feed was disabled" is an event, not a level: it happens in one period, and needs an operator once.)
    outages = ("unassigned", "blocks writes", "volume free", "daily reconciliation", "A feed was disabled")
    assert all(any(word in d for word in outages) for d in single), single
    error_rates = [a for a in _alarms(resources).values() if "Errors" in _metric_names(a)]
    assert len(error_rates) == len(HANDLERS)  # one per function, as a rate of its invocations
    for alarm in error_rates:
        assert alarm["Threshold"] == 5
        assert (alarm["DatapointsToAlarm"], alarm["EvaluationPeriods"]) == (3, 5)


def test_dashboard_exists(template: Template) -> None:
    template.resource_count_is("AWS::CloudWatch::Dashboard", 1)


def test_stack_outputs_what_operators_and_producers_need(template: Template) -> None:
    outputs = template.to_json()["Outputs"]
    assert {"ApiUrl", "QueueUrl", "DlqUrl", "TableName", "OpenSearchEndpoint", c.OUTPUT_FETCH_QUEUE_URL} <= set(outputs)
    stage_id = find_one(template.to_json()["Resources"], "AWS::ApiGateway::Stage")[0]
    assert outputs["ApiUrl"]["Value"]["Fn::Join"][1][-2:] == [{"Ref": stage_id}, "/v1"]


# --- CloudFront -----------------------------------------------------------------------------------


def test_cloudfront_caches_api_reads_by_query_string_as_the_api_says(resources: Resources) -> None:
    _, distribution = find_one(resources, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/v1/*"]
    # Reads only: admin calls are SigV4-signed for the execute-api host and go there directly
    assert api["AllowedMethods"] == ["GET", "HEAD", "OPTIONS"]
    assert api["ViewerProtocolPolicy"] == "https-only"
    cache = resources[ref_target(api["CachePolicyId"])]["Properties"]["CachePolicyConfig"]
    # TTL from the API's Cache-Control (0 when it says nothing), key = path + every query string
    assert (cache["DefaultTTL"], cache["MinTTL"]) == (0, 0)
    key = cache["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["EnableAcceptEncodingGzip"] is True
    assert key["EnableAcceptEncodingBrotli"] is True
    # CloudFront adds the site's own API key, a dynamic reference to a generated secret (no key in the template)
    request = resources[ref_target(api["OriginRequestPolicyId"])]["Properties"]["OriginRequestPolicyConfig"]
    assert request["HeadersConfig"] == {"HeaderBehavior": "none"}
    (api_origin,) = [o for o in config["Origins"] if o["Id"] == api["TargetOriginId"]]
    (header,) = api_origin["OriginCustomHeaders"]
    assert header["HeaderName"] == "x-api-key"
    assert "{{resolve:secretsmanager:" in json.dumps(header["HeaderValue"])
    # The regional caches' misses meet in Origin Shield, in the API's own region, before API Gateway
    assert api_origin["OriginShield"] == {"Enabled": True, "OriginShieldRegion": {"Ref": "AWS::Region"}}
    site_keys = [k for _, k in find(resources, "AWS::ApiGateway::ApiKey") if "Value" in k["Properties"]]
    assert len(site_keys) == 1
    assert "{{resolve:secretsmanager:" in json.dumps(site_keys[0]["Properties"]["Value"])
    # The site is the default behaviour, from a private bucket through origin access control
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    s3_origins = [o for o in config["Origins"] if "S3OriginConfig" in o]
    assert len(s3_origins) == 1
    assert "OriginAccessControlId" in s3_origins[0]
    assert config["Logging"]["Bucket"]
