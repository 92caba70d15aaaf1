"""The Cdn component: static content from a private S3 bucket through a CloudFront distribution on its
own host.

Only CloudFront (through origin access control, for this distribution alone) may read the bucket.
The bucket keeps its one policy (TLS-only plus the CloudFront read grant); the grant names the
distribution, which is created after the bucket, so the policy takes the distribution's ARN through a
deferred output (S3 holds one policy per bucket: a second ``BucketPolicy`` would overwrite the first).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..buckets import private_bucket
from ..iam import Statement
from ..pure.frontdoor import BucketRemoval, PriceClass
from ..pure.inputs import args_of
from ..pure.naming import child_name, tags_with_name, type_token
from .domain import CLOUDFRONT_REGION

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
"""AWS managed cache policy Managed-CachingOptimized."""
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
"""AWS managed response headers policy Managed-SecurityHeadersPolicy (HSTS, nosniff, frame options,
XSS protection, referrer policy)."""
CLOUDFRONT_HOSTED_ZONE = "Z2FDTNDATAQYW2"
"""The canonical zone of every CloudFront distribution (alias targets)."""
MINIMUM_TLS = "TLSv1.2_2021"
ORIGIN_ID = "static-bucket"
NONCURRENT_DAYS = 30
"""Overwritten or deleted static files stay recoverable this long."""
DEFAULT_LOG_EXPIRATION_DAYS = 90
"""Days before access logs expire unless told otherwise."""


@dataclass(frozen=True)
class CdnArgs:
    """What the Cdn builds."""

    host: str
    """The host name the distribution serves, e.g. static.example.com. Required."""
    certificate_arn: pulumi.Input[str]
    """A validated ACM certificate for the host, in us-east-1 (CloudFront takes no other region).
    Required."""
    log_delivery_name: str
    """Name of the access-log delivery source and destination (unique per account and region).
    Required."""
    price_class: PriceClass = PriceClass.NORTH_AMERICA_EUROPE
    """Which edge locations serve the content. Default: PriceClass_100 (North America and Europe)."""
    log_expiration_days: int = DEFAULT_LOG_EXPIRATION_DAYS
    """Days before access logs expire. Default: 90."""
    bucket_removal: BucketRemoval = BucketRemoval.RETAIN
    """What removing the content and log buckets (the CDN) does to them and their objects. Default:
    RETAIN (kept in AWS)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child, on top of the provider's default tags. Default: none."""


class Cdn(pulumi.ComponentResource):
    """Private bucket, origin access control, CloudFront distribution and its access logs."""

    domain_name: pulumi.Output[str]
    """The distribution's ``*.cloudfront.net`` name (alias target)."""
    hosted_zone_id: pulumi.Output[str]
    """The distribution's canonical zone (alias target)."""
    bucket_name: pulumi.Output[str]
    """Where to upload the static content."""
    distribution_id: pulumi.Output[str]
    """The distribution (to invalidate cached content after an upload)."""

    def __init__(self, name: str, args: CdnArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(CdnArgs, args)
        super().__init__(type_token("Cdn"), name, None, opts)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        distribution_arn, resolve_distribution_arn = pulumi.deferred_output()
        content, _ = private_bucket(
            child_name(name, "content"),
            parent=self,
            lifecycle_rule=_expire_noncurrent("expire-old-versions"),
            extra_statements=lambda arn: pulumi.Output.all(arn, distribution_arn).apply(
                lambda values: [_cloudfront_read(values[0], values[1])]
            ),
            tags=args.tags,
            removal=args.bucket_removal,
        )
        access = aws.cloudfront.OriginAccessControl(
            child_name(name, "oac"),
            description="CloudFront signs every request to the static bucket",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=pulumi.ResourceOptions(parent=self),
        )
        distribution = self._distribution(name, args, content, access)
        resolve_distribution_arn(distribution.arn)
        self._access_logs(name, args, distribution, account_id)
        self.domain_name = distribution.domain_name
        self.hosted_zone_id = distribution.hosted_zone_id
        self.bucket_name = content.bucket
        self.distribution_id = distribution.id
        self.register_outputs(
            {
                "domainName": self.domain_name,
                "bucketName": self.bucket_name,
                "distributionId": self.distribution_id,
            }
        )

    def _distribution(
        self,
        name: str,
        args: CdnArgs,
        content: aws.s3.Bucket,
        access: aws.cloudfront.OriginAccessControl,
    ) -> aws.cloudfront.Distribution:
        """HTTPS only (HTTP redirects), HTTP/2 and 3, IPv6, cached and compressed GET/HEAD from the
        bucket, with the managed security headers."""
        return aws.cloudfront.Distribution(
            child_name(name, "distribution"),
            enabled=True,
            comment=f"static content of {args.host}",
            aliases=[args.host],
            is_ipv6_enabled=True,
            http_version="http2and3",
            default_root_object="index.html",
            price_class=args.price_class.value,
            origins=[
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=ORIGIN_ID,
                    domain_name=content.bucket_regional_domain_name,  # not the website endpoint
                    origin_access_control_id=access.id,
                )
            ],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=ORIGIN_ID,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD"],
                cached_methods=["GET", "HEAD"],
                compress=True,
                cache_policy_id=CACHING_OPTIMIZED,  # with a cache policy: no forwarded_values or TTLs
                response_headers_policy_id=SECURITY_HEADERS,
            ),
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
                    restriction_type="none"
                )
            ),
            viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
                acm_certificate_arn=args.certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version=MINIMUM_TLS,
            ),
            tags=tags_with_name(child_name(name, "distribution"), args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _access_logs(
        self,
        name: str,
        args: CdnArgs,
        distribution: aws.cloudfront.Distribution,
        account_id: pulumi.Output[str],
    ) -> None:
        """Standard logging v2 (CloudWatch vended logs) into a private bucket: legacy logging needs an
        ACL-enabled bucket, which BucketOwnerEnforced buckets are not (CloudFront developer guide,
        standard-logging-legacy-s3). Delivery sources for CloudFront live in us-east-1."""
        bucket, policy = private_bucket(
            child_name(name, "logs"),
            parent=self,
            lifecycle_rule=_expire_noncurrent("expire-access-logs", args.log_expiration_days),
            extra_statements=lambda arn: pulumi.Output.all(arn, account_id).apply(
                lambda values: _log_delivery_statements(values[0], values[1])
            ),
            tags=args.tags,
            removal=args.bucket_removal,
        )
        child = pulumi.ResourceOptions(parent=self)
        source = aws.cloudwatch.LogDeliverySource(
            child_name(name, "log-source"),
            name=args.log_delivery_name,
            log_type="ACCESS_LOGS",
            resource_arn=distribution.arn,
            region=CLOUDFRONT_REGION,
            tags=args.tags,
            opts=child,
        )
        destination = aws.cloudwatch.LogDeliveryDestination(
            child_name(name, "log-destination"),
            name=args.log_delivery_name,
            delivery_destination_configuration=aws.cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
                destination_resource_arn=bucket.arn
            ),
            region=CLOUDFRONT_REGION,
            tags=args.tags,
            opts=child,
        )
        # The bucket policy must admit log delivery before the delivery is created.
        aws.cloudwatch.LogDelivery(
            child_name(name, "log-delivery"),
            delivery_source_name=source.name,
            delivery_destination_arn=destination.arn,
            region=CLOUDFRONT_REGION,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )


def _expire_noncurrent(rule_id: str, days: int | None = None) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    """Old versions expire; with ``days``, current objects too (logs)."""
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=rule_id,
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days) if days else None,
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=NONCURRENT_DAYS
        ),
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=1
        ),
    )


def _cloudfront_read(bucket_arn: str, distribution_arn: str) -> Statement:
    """CloudFront may read objects for this distribution only (AWS CloudFront developer guide,
    private-content-restricting-access-to-s3: OAC bucket policy)."""
    return Statement(
        sid="CloudFrontReadsForThisDistribution",
        actions=["s3:GetObject"],
        principals=[
            aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                type="Service", identifiers=["cloudfront.amazonaws.com"]
            )
        ],
        resources=[f"{bucket_arn}/*"],
        conditions=[
            aws.iam.GetPolicyDocumentStatementConditionArgs(
                test="StringEquals", variable="AWS:SourceArn", values=[distribution_arn]
            )
        ],
    )


def _log_delivery_statements(bucket_arn: str, account_id: str) -> list[Statement]:
    """Vended-log delivery writes this account's CloudFront logs (AWS CloudWatch Logs
    AWS-logs-infrastructure-V2-S3: PutObject plus the ACL check, SourceAccount and SourceArn)."""
    principal = [
        aws.iam.GetPolicyDocumentStatementPrincipalArgs(
            type="Service", identifiers=["delivery.logs.amazonaws.com"]
        )
    ]
    condition = aws.iam.GetPolicyDocumentStatementConditionArgs
    scoped = [
        condition(test="StringEquals", variable="aws:SourceAccount", values=[account_id]),
        condition(
            test="ArnLike",
            variable="aws:SourceArn",
            values=[f"arn:aws:logs:{CLOUDFRONT_REGION}:{account_id}:delivery-source:*"],
        ),
    ]
    return [
        Statement(
            sid="LogDeliveryWrite",
            actions=["s3:PutObject"],
            principals=principal,
            resources=[f"{bucket_arn}/AWSLogs/{account_id}/CloudFront/*"],
            conditions=[
                *scoped,
                condition(test="StringEquals", variable="s3:x-amz-acl", values=["bucket-owner-full-control"]),
            ],
        ),
        Statement(
            sid="LogDeliveryAclCheck",
            actions=["s3:GetBucketAcl", "s3:ListBucket"],
            principals=principal,
            resources=[bucket_arn],
            conditions=scoped,
        ),
    ]
