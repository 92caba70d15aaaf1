"""The Cdn component: static content from a private S3 bucket through a CloudFront distribution on its
own host.

Only CloudFront (through origin access control, for this distribution alone) may read the bucket.
The bucket keeps its one policy (TLS-only plus the CloudFront read grant); the grant names the
distribution, which is created after the bucket, so the policy takes the distribution's ARN through a
deferred output (S3 holds one policy per bucket: a second ``BucketPolicy`` would overwrite the first).

The content bucket is encrypted with the CDN's own customer-managed key, whose policy lets CloudFront
decrypt for this distribution only (the key, like the bucket policy, takes the distribution's ARN
through the deferred output), and logs every request (S3 server access logs: who changed which object)
into the log bucket under ``s3-access/``. The log bucket keeps SSE-S3: AWS documents SSE-S3 as the only
supported default encryption of a server access log destination bucket (Amazon S3 user guide,
enable-server-access-logging).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..buckets import private_bucket
from ..iam import Statement, account_policy
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
SERVER_ACCESS_LOG_PREFIX = "s3-access/"
"""Where the content bucket's S3 server access logs land in the log bucket (CloudFront's own logs are
under ``AWSLogs/``)."""
S3_LOGGING = "logging.s3.amazonaws.com"
KEY_DELETION_WINDOW_DAYS = 30
"""The longest window AWS allows: a key scheduled for deletion by mistake can still be saved."""


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
        key = self._content_key(name, args, distribution_arn)
        content, _ = private_bucket(
            child_name(name, "content"),
            parent=self,
            lifecycle_rule=_expire_noncurrent("expire-old-versions"),
            kms_key_arn=key.arn,
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
        self._access_logs(name, args, distribution, account_id, content)
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

    def _content_key(self, name: str, args: CdnArgs, distribution_arn: pulumi.Output[str]) -> aws.kms.Key:
        """The content bucket's key (rotation on): the account administers it (uploaders need
        kms:GenerateDataKey on it through IAM) and CloudFront may decrypt for this distribution only
        (CloudFront developer guide, private-content-restricting-access-to-s3: "SSE-KMS", the key
        policy statement for the OAC's service principal with AWS:SourceArn)."""
        policy = account_policy(
            lambda account: distribution_arn.apply(lambda arn: _content_key_statements(account, arn)), self
        )
        return aws.kms.Key(
            child_name(name, "key"),
            description=f"{args.host}: the static content bucket (CloudFront decrypts)",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=policy,
            tags=args.tags,
            # A kept bucket keeps its key: objects under a deleted key could never be read again.
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=_retained(args)),
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
        content: aws.s3.Bucket,
    ) -> None:
        """Standard logging v2 (CloudWatch vended logs) into a private bucket: legacy logging needs an
        ACL-enabled bucket, which BucketOwnerEnforced buckets are not (CloudFront developer guide,
        standard-logging-legacy-s3). Delivery sources for CloudFront live in us-east-1. The content
        bucket's server access logs go to the same bucket."""
        bucket, policy = private_bucket(
            child_name(name, "logs"),
            parent=self,
            lifecycle_rule=_expire_noncurrent("expire-access-logs", args.log_expiration_days),
            extra_statements=lambda arn: pulumi.Output.all(arn, account_id, content.arn).apply(
                lambda values: [
                    *_log_delivery_statements(values[0], values[1]),
                    _server_access_log_statement(values[0], values[1], values[2]),
                ]
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
        # Who changed (or read) which static object: S3 server access logs of the content bucket. The
        # log bucket's policy must admit S3's logging service first (S3 user guide,
        # enable-server-access-logging: bucket policy for logging.s3.amazonaws.com, no ACLs).
        aws.s3.BucketLogging(
            child_name(name, "access-logging"),
            bucket=content.id,
            target_bucket=bucket.id,
            target_prefix=SERVER_ACCESS_LOG_PREFIX,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy], retain_on_delete=_retained(args)),
        )


def _retained(args: CdnArgs) -> bool:
    """Whether the buckets (and so their key and logging setting) stay in AWS when the CDN leaves."""
    return args.bucket_removal is BucketRemoval.RETAIN


def _content_key_statements(account_id: str, distribution_arn: str) -> list[Statement]:
    """The account administers the key; CloudFront may decrypt for this distribution only."""
    principal = aws.iam.GetPolicyDocumentStatementPrincipalArgs
    return [
        Statement(
            sid="AccountAdministersTheKey",
            actions=["kms:*"],
            principals=[principal(type="AWS", identifiers=[f"arn:aws:iam::{account_id}:root"])],
            resources=["*"],
        ),
        Statement(
            sid="CloudFrontDecryptsForThisDistribution",
            actions=["kms:Decrypt"],
            principals=[principal(type="Service", identifiers=["cloudfront.amazonaws.com"])],
            resources=["*"],
            conditions=[
                aws.iam.GetPolicyDocumentStatementConditionArgs(
                    test="StringEquals", variable="AWS:SourceArn", values=[distribution_arn]
                )
            ],
        ),
    ]


def _server_access_log_statement(bucket_arn: str, account_id: str, source_bucket_arn: str) -> Statement:
    """S3's logging service writes the content bucket's access logs, for this account's content
    bucket only (S3 user guide, enable-server-access-logging: aws:SourceArn and aws:SourceAccount)."""
    condition = aws.iam.GetPolicyDocumentStatementConditionArgs
    return Statement(
        sid="S3ServerAccessLogs",
        actions=["s3:PutObject"],
        principals=[
            aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="Service", identifiers=[S3_LOGGING])
        ],
        resources=[f"{bucket_arn}/{SERVER_ACCESS_LOG_PREFIX}*"],
        conditions=[
            condition(test="ArnLike", variable="aws:SourceArn", values=[source_bucket_arn]),
            condition(test="StringEquals", variable="aws:SourceAccount", values=[account_id]),
        ],
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
