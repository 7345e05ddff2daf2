"""CloudFront in front of the read API and the reference site, on one origin.

- `/v1/*` (and the NewsAPI-compatible `/v2/*`) go to the API stage. The cache key is the path and
  every query string; TTLs come from the API's own Cache-Control (default TTL 0: a response that says
  nothing is not cached). CloudFront adds the site's own API key (an origin header from a generated
  secret), so the site's JavaScript carries none; every reader gets the same news, and a cached answer
  costs neither API Gateway nor Lambda. Clients with their own keys call the API's URL.
  Only GET, HEAD and OPTIONS pass: admin calls are SigV4-signed for the execute-api host and go to the
  API's own URL.
- Everything else is the reference site (web/) from a private S3 bucket through origin access control.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.config import StageConfig
from infra.nag import acknowledge

API_PATH_PATTERNS = ("/v1/*", "/v2/*")
MAX_API_TTL = Duration.hours(1)


class SiteDistribution(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        rest_api: apigw.RestApi,
        site_dir: Path,
        site_key: secretsmanager.ISecret | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE if config.is_production else RemovalPolicy.DESTROY
        self.logs = s3.Bucket(
            self,
            "Logs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,  # CloudFront standard logs need ACLs
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(config.log_retention_days))],
            removal_policy=removal,
            auto_delete_objects=False,
        )
        self.bucket = s3.Bucket(
            self,
            "Site",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=self.logs,
            server_access_logs_prefix="s3/",
            removal_policy=removal,
        )

        api_cache = cloudfront.CachePolicy(
            self,
            "ApiCache",
            comment="newsflow API: path + query string, TTL from the API's Cache-Control",
            query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
            header_behavior=cloudfront.CacheHeaderBehavior.none(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            default_ttl=Duration.seconds(0),
            min_ttl=Duration.seconds(0),
            max_ttl=MAX_API_TTL,
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
        api_request = cloudfront.OriginRequestPolicy(
            self,
            "ApiRequest",
            comment="newsflow API: query strings reach API Gateway",
            query_string_behavior=cloudfront.OriginRequestQueryStringBehavior.all(),
            header_behavior=cloudfront.OriginRequestHeaderBehavior.none(),
            cookie_behavior=cloudfront.OriginRequestCookieBehavior.none(),
        )
        # Reads through CloudFront are keyed with the site's own key, added here as an origin header.
        # Origin Shield in the API's region: the regional caches' misses meet in one cache before API Gateway.
        # It pays for itself in bench_cost_api's model at every rate (a shield request is cheaper than an origin
        # request: API Gateway + WAF + Lambda).
        api_origin = origins.RestApiOrigin(
            rest_api,
            custom_headers={"x-api-key": site_key.secret_value.unsafe_unwrap()} if site_key is not None else None,
            origin_shield_enabled=True,
            origin_shield_region=Stack.of(self).region,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"newsflow {config.stage}: site and read API",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                compress=True,
            ),
            additional_behaviors={
                pattern: cloudfront.BehaviorOptions(
                    origin=api_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
                    cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
                    cache_policy=api_cache,
                    origin_request_policy=api_request,
                    compress=True,
                )
                for pattern in API_PATH_PATTERNS
            },
            enable_logging=True,
            log_bucket=self.logs,
            log_file_prefix="cloudfront/",
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100
            if not config.is_production
            else cloudfront.PriceClass.PRICE_CLASS_ALL,
        )
        for rule, reason in (
            ("AwsSolutions-CFR1", "A public news site serves every country; there is no region to restrict."),
            (
                "AwsSolutions-CFR2",
                "The API origin is protected by the regional WAF on its stage (rate limit, managed rules); the "
                "site origin is static files. A second, CLOUDFRONT-scope web ACL must live in us-east-1.",
            ),
            (
                "AwsSolutions-CFR4",
                "The distribution uses the default *.cloudfront.net certificate, for which CloudFront itself "
                "fixes the viewer TLS policy; a custom domain with an ACM certificate sets TLSv1.2_2021.",
            ),
        ):
            acknowledge(self.distribution, rule, reason)

        if (site_dir / "index.html").is_file():
            self.deployment = s3deploy.BucketDeployment(
                self,
                "Deploy",
                sources=[s3deploy.Source.asset(str(site_dir))],
                destination_bucket=self.bucket,
                distribution=self.distribution,
                distribution_paths=["/*"],
                prune=True,
                memory_limit=256,
            )
            self._acknowledge_deployment()

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"

    def _acknowledge_deployment(self) -> None:
        # The custom resource's Lambda and its awscli layer are stack-level singletons.
        stack = Stack.of(self)
        singletons = [child for child in stack.node.children if child.node.id.startswith("Custom::CDKBucketDeployment")]
        reason = (
            "CDK's BucketDeployment custom resource (a CDK-owned singleton Lambda that copies web/ into the "
            "site bucket at deploy time and invalidates the distribution): its role, runtime and managed "
            "policy are fixed by aws-cdk-lib and it only runs during deployments."
        )
        site_bucket = stack.get_logical_id(cast(s3.CfnBucket, self.bucket.node.default_child))
        rules = [
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "AwsSolutions-L1",
            *(
                f"AwsSolutions-IAM5[Action::s3:{verb}*]"
                for verb in ("Abort", "DeleteObject", "GetBucket", "GetObject", "List")
            ),
            "AwsSolutions-IAM5[Resource::*]",
            f"AwsSolutions-IAM5[Resource::<{site_bucket}.Arn>/*]",
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]",
        ]
        for scope in singletons:
            for rule in rules:
                acknowledge(scope, rule, reason)
