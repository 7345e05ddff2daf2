"""The API's WAF web ACL: AWS managed rules, body rules scoped off the signed admin routes, a rate limit.

The common rule set blocks request bodies over 8 KB (SizeRestrictions_BODY) and bodies that look like
HTML with script (CrossSiteScripting_BODY). Both are right for anonymous traffic and wrong for the
admin routes: `POST /v1/admin/items` carries up to 100 items of article HTML. Those two rules run in
count mode and label the request; a rule of ours then blocks a labelled request unless it is a SigV4
signed call to /v1/admin (API Gateway verifies the signature itself; an unsigned or forged one is
refused there with 403).

The rate limit counts per client IP. Behind CloudFront every request arrives from an edge address, so
the client is taken from X-Forwarded-For (CloudFront appends the viewer's address) and falls back to
the connection's address when the header is absent.
"""

from __future__ import annotations

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.config import StageConfig

COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet"
BODY_RULES = ("SizeRestrictions_BODY", "CrossSiteScripting_BODY")
# The labels those rules add (note the case: the rule is ..._BODY, its label ..._Body).
BODY_LABELS = (
    "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
    "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body",
)
ADMIN_PATH_MARKER = "/v1/admin/"
SIGV4_PREFIX = "AWS4-HMAC-SHA256"


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def _managed(name: str, priority: int, count_only: tuple[str, ...] = ()) -> wafv2.CfnWebACL.RuleProperty:
    overrides = [
        wafv2.CfnWebACL.RuleActionOverrideProperty(
            name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
        )
        for rule in count_only
    ]
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=name, rule_action_overrides=overrides or None
            )
        ),
        visibility_config=_visibility(name),
    )


def _signed_admin_call() -> wafv2.CfnWebACL.StatementProperty:
    text = wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
    return wafv2.CfnWebACL.StatementProperty(
        and_statement=wafv2.CfnWebACL.AndStatementProperty(
            statements=[
                wafv2.CfnWebACL.StatementProperty(
                    byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                        positional_constraint="CONTAINS",
                        search_string=ADMIN_PATH_MARKER,
                        text_transformations=[text],
                    )
                ),
                wafv2.CfnWebACL.StatementProperty(
                    byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": "authorization"}),
                        positional_constraint="STARTS_WITH",
                        search_string=SIGV4_PREFIX,
                        text_transformations=[text],
                    )
                ),
            ]
        )
    )


def _body_rules_outside_admin(priority: int) -> wafv2.CfnWebACL.RuleProperty:
    labelled = [
        wafv2.CfnWebACL.StatementProperty(
            label_match_statement=wafv2.CfnWebACL.LabelMatchStatementProperty(scope="LABEL", key=label)
        )
        for label in BODY_LABELS
    ]
    return wafv2.CfnWebACL.RuleProperty(
        name="BodyRulesOutsideSignedAdmin",
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            and_statement=wafv2.CfnWebACL.AndStatementProperty(
                statements=[
                    wafv2.CfnWebACL.StatementProperty(
                        or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=labelled)
                    ),
                    wafv2.CfnWebACL.StatementProperty(
                        not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=_signed_admin_call())
                    ),
                ]
            )
        ),
        visibility_config=_visibility("BodyRulesOutsideSignedAdmin"),
    )


def _rate_limit(config: StageConfig, priority: int) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name="RateLimitPerClient",
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=429,
                    custom_response_body_key="rateLimited",
                    response_headers=[wafv2.CfnWebACL.CustomHTTPHeaderProperty(name="Retry-After", value="60")],
                )
            )
        ),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=config.waf_rate_limit,
                aggregate_key_type="FORWARDED_IP",
                forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                    header_name="X-Forwarded-For", fallback_behavior="MATCH"
                ),
                evaluation_window_sec=300,
            )
        ),
        visibility_config=_visibility("RateLimitPerClient"),
    )


def api_web_acl(scope: Construct, construct_id: str, config: StageConfig, stage_arn: str) -> wafv2.CfnWebACL:
    acl = wafv2.CfnWebACL(
        scope,
        construct_id,
        scope="REGIONAL",
        name=f"newsflow-{config.stage}-api",  # the WAF metrics' WebACL dimension (alarmed in monitoring.py)
        description=f"newsflow {config.stage}: AWS common + known-bad-input rules, per-client rate limit",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=_visibility(f"newsflow-{config.stage}-api"),
        custom_response_bodies={
            "rateLimited": wafv2.CfnWebACL.CustomResponseBodyProperty(
                content_type="APPLICATION_JSON",
                content='{"status":"error","code":"rateLimited","message":"Too many requests"}',
            )
        },
        rules=[
            _managed(COMMON_RULE_SET, 0, count_only=BODY_RULES),
            _body_rules_outside_admin(1),
            _managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
            _rate_limit(config, 10),
        ],
    )
    wafv2.CfnWebACLAssociation(scope, f"{construct_id}Association", resource_arn=stage_arn, web_acl_arn=acl.attr_arn)
    return acl
