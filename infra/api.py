"""REST API: API Gateway (key-gated reads, IAM-signed admin) -> api Lambda, behind a WAF web ACL.

Routes (all proxied to one Lambda, which owns the routing):
  GET /v1, GET /v1/{proxy+}        reads; API key + usage plan unless context publicReadApi=true
  ANY /v1/admin, /v1/admin/{proxy+} operator routes (feeds registry, ...); SigV4 (AuthorizationType.IAM)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct
from newsflow import constants as c

from infra.config import StageConfig
from infra.ingestion import Queues, feeds_partition_only
from infra.lambdas import FunctionAssets, FunctionSpec, NewsflowFunction, VpcPlacement
from infra.log_groups import log_group
from infra.nag import acknowledge
from infra.search import API_ACCESS, SearchDomain
from infra.storage import Storage
from infra.waf import api_web_acl

API_VERSION_PATH = "v1"
NEWSAPI_PATH = "v2"
ADMIN_PATH = "admin"
READ_METHODS = ("GET", "HEAD")  # HEAD: every GET route answers it (headers only)
# The function compresses its answers itself (br or gzip, as the client asks): every media type passes as
# binary so API Gateway returns the encoded bytes unchanged (and a request body arrives base64-encoded, which
# the function decodes).
BINARY_MEDIA_TYPES = ["*/*"]
EXPOSE_HEADERS = "ETag, Last-Modified, Retry-After"
API_TIMEOUT = Duration.seconds(15)  # below API Gateway's 29 s integration limit

API_TABLE_READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")  # BatchGetItem: the GSI fallback
# Admin feed endpoints write the feeds registry only (one partition, enforced by an IAM condition).
API_FEED_WRITE = ("dynamodb:PutItem", "dynamodb:DeleteItem")

ERROR_BODY = '{"status":"error","code":"$context.error.responseType","message":$context.error.messageString}'
# X-No-Cache and Access-Control-Allow-Origin: request headers the npm `newsapi` client sends.
CORS_ALLOW_HEADERS = (
    "Content-Type",
    "X-Api-Key",
    "Authorization",
    "X-Amz-Date",
    "X-Amz-Security-Token",
    "X-No-Cache",
    "Access-Control-Allow-Origin",
    "If-None-Match",  # conditional requests (ETag -> 304) are not CORS-safelisted
    "If-Modified-Since",
)

KEY_MISSING = "Your API key is missing. Append it to the URL with ?apiKey=, or use the x-api-key header."
KEY_INVALID = "Your API key is invalid or incorrect."
RATE_LIMITED = "Too many requests: slow down and retry after the Retry-After header's seconds."


def _error_body(code: str, message: str) -> str:
    return json.dumps({"status": "error", "code": code, "message": message})


_ACCESS_LOG_FIELDS = {
    "requestId": apigw.AccessLogField.context_request_id(),
    "extendedRequestId": apigw.AccessLogField.context_extended_request_id(),
    "requestTime": apigw.AccessLogField.context_request_time(),
    "ip": apigw.AccessLogField.context_identity_source_ip(),
    "userAgent": apigw.AccessLogField.context_identity_user_agent(),
    "caller": apigw.AccessLogField.context_identity_caller(),
    "apiKeyId": apigw.AccessLogField.context_identity_api_key_id(),
    "httpMethod": apigw.AccessLogField.context_http_method(),
    "resourcePath": apigw.AccessLogField.context_resource_path(),
    "path": apigw.AccessLogField.context_path(),
    "protocol": apigw.AccessLogField.context_protocol(),
    "status": apigw.AccessLogField.context_status(),
    "responseLength": apigw.AccessLogField.context_response_length(),
    "responseLatency": apigw.AccessLogField.context_response_latency(),
    "integrationLatency": apigw.AccessLogField.context_integration_latency(),
    "errorType": apigw.AccessLogField.context_error_response_type(),
    "errorMessage": apigw.AccessLogField.context_error_message(),
    "wafStatus": apigw.AccessLogField.context_waf_response_code(),
}


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        assets: FunctionAssets,
        environment: Mapping[str, str],
        storage: Storage,
        queues: Queues,
        search: SearchDomain,
        placement: VpcPlacement,
    ) -> None:
        super().__init__(scope, construct_id)
        self.handler = NewsflowFunction(
            self,
            "Handler",
            spec=FunctionSpec(
                handler=c.HANDLER_API,
                description="Serves the news API (articles, categories, latest, search, admin feeds)",
                memory_mb=1024,
                timeout=API_TIMEOUT,
            ),
            assets=assets,
            config=config,
            # Browsers may read the API from these origins only (the function answers CORS itself too).
            environment={**environment, c.ENV_CORS_ORIGINS: ",".join(config.cors_origins)}
            if config.cors_origins
            else environment,
            placement=placement,
        )
        table = storage.table
        self.handler.add_to_policy(API_TABLE_READ, [table.table_arn])
        # Latest and section listings fall back to these GSIs when the search index is down.
        fallback_indexes = [f"{table.table_arn}/index/{name}" for name in (c.GSI_CATEGORY,)]
        self.handler.add_to_policy(["dynamodb:Query"], fallback_indexes)
        self.handler.add_to_policy(API_FEED_WRITE, [table.table_arn], conditions=feeds_partition_only())
        self.handler.add_to_policy(["sqs:SendMessage"], [queues.items.queue_arn])  # POST /v1/admin/items
        # POST /v1/admin/feeds/{feedId}/poll-now queues the feed's fetch request at once.
        self.handler.add_to_policy(["sqs:SendMessage"], [queues.fetch.queue_arn])
        search.allow(self.handler, API_ACCESS, config.opensearch_index)

        self.access_logs = log_group(self, "AccessLogs", config)
        origins = list(config.cors_origins)
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=f"newsflow-{config.stage}",
            description=f"newsflow {config.stage}: news articles, categories, latest posts and search",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            binary_media_types=BINARY_MEDIA_TYPES,
            # The key may come as x-api-key, ?apiKey= or a bearer token (NewsAPI's clients): the key
            # authorizer finds it and hands it to API Gateway, which checks it against the usage plan.
            api_key_source_type=None if config.public_read_api else apigw.ApiKeySourceType.AUTHORIZER,
            cloud_watch_role=True,
            deploy_options=apigw.StageOptions(
                stage_name=config.stage,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.custom(json.dumps(_ACCESS_LOG_FIELDS)),
                throttling_rate_limit=config.api_throttle_rate,
                throttling_burst_limit=config.api_throttle_burst,
                tracing_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                metrics_enabled=True,
                data_trace_enabled=False,
            ),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=origins,
                allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                allow_headers=list(CORS_ALLOW_HEADERS),
                max_age=Duration.hours(1),
            )
            if origins
            else None,
        )
        # The stack declares its own ApiUrl output; drop the auto-generated duplicate.
        self.rest_api.node.try_remove_child("Endpoint")
        self.stage = self.rest_api.deployment_stage
        self._acknowledge_cloudwatch_role()
        self._add_gateway_responses(origins)

        validator = self.rest_api.add_request_validator(
            "RequestValidator",
            request_validator_name="params-and-body",
            validate_request_body=True,
            validate_request_parameters=True,
        )
        integration = apigw.LambdaIntegration(self.handler.function, proxy=True, allow_test_invoke=False)

        proxy_param = {"method.request.path.proxy": True}
        self.authorizer_function: NewsflowFunction | None = None
        self.key_authorizer = None if config.public_read_api else self._key_authorizer(config, assets)

        def options(auth: apigw.AuthorizationType, params: dict[str, bool] | None) -> dict[str, Any]:
            keyed = auth == apigw.AuthorizationType.NONE and self.key_authorizer is not None
            return {
                "authorization_type": apigw.AuthorizationType.CUSTOM if keyed else auth,
                "authorizer": self.key_authorizer if keyed else None,
                "api_key_required": keyed,
                "request_validator": validator,
                "request_parameters": params,
            }

        v1 = self.rest_api.root.add_resource(API_VERSION_PATH)
        reads = v1.add_resource("{proxy+}")
        # NewsAPI-compatible reads (/v2/everything, /v2/top-headlines, /v2/sources ...) on the same function.
        newsapi = self.rest_api.root.add_resource(NEWSAPI_PATH).add_resource("{proxy+}")
        for method in READ_METHODS:
            v1.add_method(method, integration, **options(apigw.AuthorizationType.NONE, None))
            reads.add_method(method, integration, **options(apigw.AuthorizationType.NONE, proxy_param))
            newsapi.add_method(method, integration, **options(apigw.AuthorizationType.NONE, proxy_param))

        admin = v1.add_resource(ADMIN_PATH)
        admin.add_method("ANY", integration, **options(apigw.AuthorizationType.IAM, None))
        admin.add_resource("{proxy+}").add_method(
            "ANY", integration, **options(apigw.AuthorizationType.IAM, proxy_param)
        )

        self.api_key: apigw.IApiKey | None = None
        self.site_key_secret: secretsmanager.Secret | None = None
        self.usage_plan: apigw.UsagePlan | None = None
        if not config.public_read_api:
            self.api_key = self.rest_api.add_api_key(
                "ReadApiKey", description=f"newsflow {config.stage}: read access for websites and apps"
            )
            plan = self.usage_plan = self.rest_api.add_usage_plan(
                "ReadUsagePlan",
                name=f"newsflow-{config.stage}-read",
                description="Per-key throttling for the read API",
                throttle=apigw.ThrottleSettings(
                    rate_limit=config.api_throttle_rate, burst_limit=config.api_throttle_burst
                ),
                api_stages=[apigw.UsagePlanPerApiStage(api=self.rest_api, stage=self.stage)],
            )
            plan.add_api_key(self.api_key)
            # The reference site's own key: CloudFront sends it to API Gateway as an origin header, so the
            # site's JavaScript carries none. Generated by Secrets Manager at deploy time (never in the repo
            # or the template: the template holds a dynamic reference that CloudFormation resolves).
            self.site_key_secret = secretsmanager.Secret(
                self,
                "SiteApiKeySecret",
                description=f"newsflow {config.stage}: the read API key CloudFront sends for the site",
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    exclude_punctuation=True, include_space=False, password_length=40
                ),
            )
            acknowledge(
                self.site_key_secret,
                "AwsSolutions-SMG4",
                "This is an API Gateway read key that CloudFront adds to the site's API requests, not a "
                "credential: it only attributes requests to the usage plan. Rotate it by putting a new secret "
                "version and redeploying (the key and the distribution read it at deploy time).",
            )
            self.site_api_key = self.rest_api.add_api_key(
                "SiteApiKey",
                description=f"newsflow {config.stage}: the reference site behind CloudFront",
                value=self.site_key_secret.secret_value.unsafe_unwrap(),
            )
            plan.add_api_key(self.site_api_key)

        self.web_acl = api_web_acl(self, "WebAcl", config, self.stage.stage_arn) if config.waf_enabled else None
        if self.web_acl is None:
            acknowledge(
                self.stage,
                "AwsSolutions-APIG3",
                f"Stage '{config.stage}' runs without a web ACL (context wafEnabled=false) to keep a development "
                "stack's fixed cost low; API keys, the usage plan and stage throttling still apply. Prod enables it.",
            )
        self._acknowledge_method_authorization(config)

    @property
    def url(self) -> str:
        return self.rest_api.url_for_path(f"/{API_VERSION_PATH}")

    def _key_authorizer(self, config: StageConfig, assets: FunctionAssets) -> apigw.RequestAuthorizer:
        """A REQUEST authorizer that only finds the key; API Gateway validates it (usage plan, throttle).
        Uncached: the key's location varies, so no identity source could be its cache key."""
        self.authorizer_function = NewsflowFunction(
            self,
            "KeyAuthorizer",
            spec=FunctionSpec(
                handler=c.HANDLER_AUTHORIZER,
                description="Finds the read API key in x-api-key, ?apiKey= or a bearer token",
                memory_mb=256,
                timeout=Duration.seconds(3),
            ),
            assets=assets,
            config=config,
            environment={"POWERTOOLS_SERVICE_NAME": c.POWERTOOLS_SERVICE_NAME},
        )
        return apigw.RequestAuthorizer(
            self,
            "KeyAuthorizerRule",
            handler=self.authorizer_function.function,
            identity_sources=[apigw.IdentitySource.context("requestId")],
            results_cache_ttl=Duration.seconds(0),
        )

    def _add_gateway_responses(self, origins: list[str]) -> None:
        headers = {"Content-Type": "'application/json'", "Vary": "'Origin'"}
        if len(origins) == 1:
            # A gateway response cannot pick among several origins; with one (or `*`: public read), errors stay
            # readable by it, and a page's script can read Retry-After on a 429.
            headers |= {
                "Access-Control-Allow-Origin": f"'{origins[0]}'",
                "Access-Control-Expose-Headers": f"'{EXPOSE_HEADERS}'",
            }
        # The key and throttling answers carry the codes NewsAPI's clients (and ours) recognise.
        responses: tuple[tuple[str, apigw.ResponseType, str, dict[str, str]], ...] = (
            ("Default4xx", apigw.ResponseType.DEFAULT_4_XX, ERROR_BODY, {}),
            ("Default5xx", apigw.ResponseType.DEFAULT_5_XX, ERROR_BODY, {}),
            ("KeyMissing", apigw.ResponseType.UNAUTHORIZED, _error_body("apiKeyMissing", KEY_MISSING), {}),
            ("KeyInvalid", apigw.ResponseType.INVALID_API_KEY, _error_body("apiKeyInvalid", KEY_INVALID), {}),
            ("Throttled", apigw.ResponseType.THROTTLED, _error_body("rateLimited", RATE_LIMITED),
             {"Retry-After": "'1'"}),
            ("QuotaExceeded", apigw.ResponseType.QUOTA_EXCEEDED, _error_body("rateLimited", RATE_LIMITED),
             {"Retry-After": "'60'"}),
        )  # fmt: skip
        for construct_id, response_type, body, extra in responses:
            self.rest_api.add_gateway_response(
                construct_id,
                type=response_type,
                templates={"application/json": body},
                response_headers=headers | extra,
            )

    def _acknowledge_cloudwatch_role(self) -> None:
        role = self.rest_api.node.try_find_child("CloudWatchRole")
        if role is None:
            return
        acknowledge(
            cast(Construct, role),
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "This is the account-level role API Gateway itself assumes to write execution logs (required "
            "by APIG6); AmazonAPIGatewayPushToCloudWatchLogs is the AWS-documented policy for exactly "
            "that and cannot be scoped to one API because the role is shared by the whole account region.",
        )

    def _acknowledge_method_authorization(self, config: StageConfig) -> None:
        for method in self.rest_api.methods:
            if method.http_method == "OPTIONS":
                continue  # CORS preflight mocks: cdk-nag treats them as not applicable
            if "/admin" in method.resource.path:
                acknowledge(
                    method,
                    "AwsSolutions-COG4",
                    "Admin routes are for operators and automation, authorized with SigV4 "
                    "(AuthorizationType.IAM) against IAM policies; there are no end-user identities, so "
                    "a Cognito user pool would add nothing.",
                )
            else:
                keyed = "an API key under a usage plan, " if not config.public_read_api else ""
                reason = (
                    "Read routes serve published news articles to anonymous website visitors; they are "
                    f"guarded by {keyed}stage throttling and the WAF rate limit. There is no user identity "
                    "to authorize (the key authorizer only locates the API key), so Cognito adds nothing."
                )
                if config.public_read_api:  # keyed reads go through the key authorizer, which satisfies APIG4
                    acknowledge(method, "AwsSolutions-APIG4", reason)
                acknowledge(method, "AwsSolutions-COG4", reason)
