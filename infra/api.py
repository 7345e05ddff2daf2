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
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct
from newsflow import constants as c

from infra.config import StageConfig
from infra.ingestion import Queues
from infra.lambdas import FunctionSpec, NewsflowFunction, VpcPlacement
from infra.log_groups import log_group
from infra.nag import acknowledge
from infra.search import SearchDomain
from infra.storage import Storage

API_VERSION_PATH = "v1"
ADMIN_PATH = "admin"
READ_METHODS = ("GET",)
API_TIMEOUT = Duration.seconds(15)  # below API Gateway's 29 s integration limit

API_TABLE_READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")  # BatchGetItem: the GSI fallback
API_TABLE_WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")  # admin feeds endpoints

ERROR_BODY = '{"status":"error","code":"$context.error.responseType","message":$context.error.messageString}'
CORS_ALLOW_HEADERS = ("Content-Type", "X-Api-Key", "Authorization", "X-Amz-Date", "X-Amz-Security-Token")

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
        code: lambda_.Code,
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
            code=code,
            config=config,
            # Browsers may read the API from these origins only (the function answers CORS itself too).
            environment={**environment, c.ENV_CORS_ORIGINS: ",".join(config.cors_origins)}
            if config.cors_origins
            else environment,
            placement=placement,
        )
        table = storage.table
        self.handler.add_to_policy(API_TABLE_READ, [table.table_arn, *storage.index_arns])
        self.handler.add_to_policy(API_TABLE_WRITE, [table.table_arn])
        queues.items.grant_send_messages(self.handler.role)
        search.allow_read(self.handler, config.opensearch_index)

        self.access_logs = log_group(self, "AccessLogs", config)
        origins = list(config.cors_origins)
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=f"newsflow-{config.stage}",
            description=f"newsflow {config.stage}: news articles, categories, latest posts and search",
            endpoint_types=[apigw.EndpointType.REGIONAL],
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
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
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

        def options(auth: apigw.AuthorizationType, params: dict[str, bool] | None) -> dict[str, Any]:
            return {
                "authorization_type": auth,
                "api_key_required": auth == apigw.AuthorizationType.NONE and not config.public_read_api,
                "request_validator": validator,
                "request_parameters": params,
            }

        v1 = self.rest_api.root.add_resource(API_VERSION_PATH)
        reads = v1.add_resource("{proxy+}")
        for method in READ_METHODS:
            v1.add_method(method, integration, **options(apigw.AuthorizationType.NONE, None))
            reads.add_method(method, integration, **options(apigw.AuthorizationType.NONE, proxy_param))

        admin = v1.add_resource(ADMIN_PATH)
        admin.add_method("ANY", integration, **options(apigw.AuthorizationType.IAM, None))
        admin.add_resource("{proxy+}").add_method(
            "ANY", integration, **options(apigw.AuthorizationType.IAM, proxy_param)
        )

        self.api_key: apigw.IApiKey | None = None
        if not config.public_read_api:
            self.api_key = self.rest_api.add_api_key(
                "ReadApiKey", description=f"newsflow {config.stage}: read access for websites and apps"
            )
            plan = self.rest_api.add_usage_plan(
                "ReadUsagePlan",
                name=f"newsflow-{config.stage}-read",
                description="Per-key throttling for the read API",
                throttle=apigw.ThrottleSettings(
                    rate_limit=config.api_throttle_rate, burst_limit=config.api_throttle_burst
                ),
                api_stages=[apigw.UsagePlanPerApiStage(api=self.rest_api, stage=self.stage)],
            )
            plan.add_api_key(self.api_key)

        self.web_acl = self._add_web_acl(config)
        self._acknowledge_method_authorization(config)

    @property
    def url(self) -> str:
        return self.rest_api.url_for_path(f"/{API_VERSION_PATH}")

    def _add_gateway_responses(self, origins: list[str]) -> None:
        headers = {"Content-Type": "'application/json'"}
        if len(origins) == 1:
            # A gateway response cannot pick among several origins; with one, errors stay readable by it.
            headers |= {"Access-Control-Allow-Origin": f"'{origins[0]}'", "Vary": "'Origin'"}
        responses: tuple[tuple[str, apigw.ResponseType, dict[str, str]], ...] = (
            ("Default4xx", apigw.ResponseType.DEFAULT_4_XX, {}),
            ("Default5xx", apigw.ResponseType.DEFAULT_5_XX, {}),
            ("Throttled", apigw.ResponseType.THROTTLED, {"Retry-After": "'1'"}),
        )
        for construct_id, response_type, extra in responses:
            self.rest_api.add_gateway_response(
                construct_id,
                type=response_type,
                templates={"application/json": ERROR_BODY},
                response_headers=headers | extra,
            )

    def _add_web_acl(self, config: StageConfig) -> wafv2.CfnWebACL:
        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            )

        def managed(name: str, priority: int) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=name
                    )
                ),
                visibility_config=visibility(name),
            )

        rate_limit = wafv2.CfnWebACL.RuleProperty(
            name="RateLimitPerIp",
            priority=10,
            action=wafv2.CfnWebACL.RuleActionProperty(
                block=wafv2.CfnWebACL.BlockActionProperty(
                    custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                        response_code=429, custom_response_body_key="rateLimited"
                    )
                )
            ),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=config.waf_rate_limit, aggregate_key_type="IP", evaluation_window_sec=300
                )
            ),
            visibility_config=visibility("RateLimitPerIp"),
        )
        acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            description=f"newsflow {config.stage}: AWS common + known-bad-input rules, per-IP rate limit",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility(f"newsflow-{config.stage}-api"),
            custom_response_bodies={
                "rateLimited": wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON",
                    content='{"status":"error","code":"RATE_LIMITED","message":"Too many requests"}',
                )
            },
            rules=[
                managed("AWSManagedRulesCommonRuleSet", 0),
                managed("AWSManagedRulesKnownBadInputsRuleSet", 1),
                rate_limit,
            ],
        )
        wafv2.CfnWebACLAssociation(
            self, "WebAclAssociation", resource_arn=self.stage.stage_arn, web_acl_arn=acl.attr_arn
        )
        return acl

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
                    "to authorize, so neither an authorizer nor Cognito applies."
                )
                acknowledge(method, "AwsSolutions-APIG4", reason)
                acknowledge(method, "AwsSolutions-COG4", reason)
