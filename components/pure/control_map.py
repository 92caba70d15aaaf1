# ruff: noqa: E501 (a table of AWS's control titles and exception reasons: one row, one line)
"""The control map's table: every AWS Security Hub control of the "AWS Foundational Security Best Practices
v1.0.0" (FSBP) standard that applies to a resource type webstack creates or may create, with the
guardrail rule that enforces it (the rule carries the control ID: :mod:`.guardrails`,
:mod:`.control_rules`) or the exception and its reason. Pure data, no Pulumi imports;
:mod:`.controls` adds the account-level controls, the types with no control and the lookups;
docs/security-controls.md is generated from both (``make docs``) and the plan's verdict counts them.

Source: AWS Security Hub user guide, "AWS Foundational Security Best Practices (FSBP) standard",
https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html (read 2026-12-06), with
each control's page of the "Security Hub controls reference" (e.g. ecs-controls.html, s3-controls.html,
efs-controls.html, backup-controls.html) for what it evaluates; cross-checked with the archived
awsdocs/aws-security-hub-user-guide doc_source/fsbp-standard.md. Controls AWS has since retired from the
standard but scanners still report (e.g. S3.9, S3.10, S3.11, SNS.2) are kept, marked by their reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from .guardrails import RULES

SOURCE_URL = "https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html"
SOURCE_DATE = "2026-12-06"
"""When the control list was last read from AWS's page (also the date of the "no FSBP control" list)."""

ALB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
CLASSIC_LB = "aws:elb/loadBalancer:LoadBalancer"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"
SCHEDULE = "aws:scheduler/schedule:Schedule"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
SECURITY_GROUPS = (
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
)
VPC = "aws:ec2/vpc:Vpc"
RDS = "aws:rds/instance:Instance"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
KEY = "aws:kms/key:Key"
SECRET = "aws:secretsmanager/secret:Secret"
STAGE = "aws:apigatewayv2/stage:Stage"
ROUTE = "aws:apigatewayv2/route:Route"
HTTP_API = "aws:apigatewayv2/api:Api"
REPOSITORY = "aws:ecr/repository:Repository"
TOPIC = "aws:sns/topic:Topic"
EFS = "aws:efs/fileSystem:FileSystem"
MOUNT_TARGET = "aws:efs/mountTarget:MountTarget"
BACKUP_VAULT = "aws:backup/vault:Vault"
BACKUP_PLAN = "aws:backup/plan:Plan"
LAMBDA = "aws:lambda/function:Function"
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
CERTIFICATE = "aws:acm/certificate:Certificate"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
CLUSTER = "aws:ecs/cluster:Cluster"


@dataclass(frozen=True)
class Control:
    """One FSBP control: what AWS calls it, the webstack resource types it evaluates, and either the
    rules that enforce it (found through the rules' ``controls``) or ``exception``, why webstack does not."""

    id: str
    title: str
    resource_types: tuple[str, ...]
    exception: str | None = None

    @property
    def rules(self) -> tuple[str, ...]:
        """The guardrail rules that carry this control's ID."""
        return tuple(rule.name for rule in RULES if self.id in rule.controls)

    @property
    def enforced(self) -> bool:
        return bool(self.rules)


def _c(id: str, title: str, *types: str, exception: str | None = None) -> Control:
    return Control(id, title, types, exception)


CLASSIC = "Classic Load Balancers only: webstack creates Application Load Balancers, never classic ones."
REST_ONLY = "REST APIs only: webstack's API Gateway is an HTTP API (apigatewayv2), which has no such setting."
RUNTIME = "A runtime state, not a planned setting: Security Hub reports it once the stack runs."
BY_CONSTRUCTION = "By construction (component tests pin it): "

CONTROLS: tuple[Control, ...] = (
    _c(
        "ACM.1",
        "Imported and ACM-issued certificates should be renewed after a specified time period",
        CERTIFICATE,
        exception="Certificates are ACM-issued and DNS-validated: ACM renews them automatically while the validation record stays (the Domain component keeps it).",
    ),
    _c(
        "ACM.2", "RSA certificates managed by ACM should use a key length of at least 2,048 bits", CERTIFICATE
    ),
    _c(
        "APIGateway.1",
        "API Gateway REST and WebSocket API execution logging should be enabled",
        STAGE,
        exception=REST_ONLY,
    ),
    _c(
        "APIGateway.2",
        "API Gateway REST API stages should be configured to use SSL certificates for backend authentication",
        STAGE,
        exception=REST_ONLY,
    ),
    _c(
        "APIGateway.3",
        "API Gateway REST API stages should have AWS X-Ray tracing enabled",
        STAGE,
        exception=REST_ONLY,
    ),
    _c(
        "APIGateway.4",
        "API Gateway should be associated with a WAF Web ACL",
        STAGE,
        exception="AWS WAF cannot be associated with HTTP APIs; the HTTP API throttles per stage and route (api-stages-throttled-and-logged) and its JWT authorizer guards the API routes.",
    ),
    _c(
        "APIGateway.5",
        "API Gateway REST API cache data should be encrypted at rest",
        STAGE,
        exception=REST_ONLY,
    ),
    _c(
        "APIGateway.8",
        "API Gateway routes should specify an authorization type",
        ROUTE,
        exception="The $default route serves the public web service (a website takes anonymous visitors); routes to services that declare an authorizer carry JWT authorization.",
    ),
    _c("APIGateway.9", "Access logging should be configured for API Gateway V2 Stages", STAGE),
    _c(
        "AutoScaling.1",
        "Auto Scaling groups associated with a Classic Load Balancer should use load balancer health checks",
        ASG,
        exception="The container instances' group has no load balancer (ECS registers tasks, not instances, with target groups); ECS replaces unhealthy tasks and the capacity provider drains instances.",
    ),
    _c("AutoScaling.2", "Amazon EC2 Auto Scaling group should cover multiple Availability Zones", ASG),
    _c(
        "AutoScaling.3",
        "Auto Scaling group launch configurations should configure EC2 instances to require IMDSv2",
        LAUNCH_TEMPLATE,
    ),
    _c(
        "AutoScaling.4",
        "Auto Scaling group launch configuration should not have a metadata response hop limit greater than 1",
        LAUNCH_TEMPLATE,
    ),
    _c(
        "AutoScaling.5",
        "Amazon EC2 instances launched using Auto Scaling group launch configurations should not have Public IP addresses",
        LAUNCH_TEMPLATE,
    ),
    _c(
        "AutoScaling.6",
        "Auto Scaling groups should use multiple instance types in multiple Availability Zones",
        ASG,
    ),
    _c("AutoScaling.9", "Amazon EC2 Auto Scaling groups should use Amazon EC2 launch templates", ASG),
    _c(
        "Backup.1",
        "AWS Backup recovery points should be encrypted at rest",
        BACKUP_VAULT,
        BACKUP_PLAN,
        exception="AWS Backup always encrypts recovery points with the vault's KMS key (aws/backup unless a customer key is given; AWS Backup developer guide, encryption.html): no setting can turn it off.",
    ),
    _c("CloudFront.1", "CloudFront distributions should have a default root object configured", DISTRIBUTION),
    _c("CloudFront.3", "CloudFront distributions should require encryption in transit", DISTRIBUTION),
    _c(
        "CloudFront.4",
        "CloudFront distributions should have origin failover configured",
        DISTRIBUTION,
        exception="No origin failover: the one origin is an S3 bucket in the stack's region (S3's own availability); a second bucket in another region would need cross-region replication, which webstack does not do (see the choices above).",
    ),
    _c(
        "CloudFront.5",
        "CloudFront distributions should have logging enabled",
        DISTRIBUTION,
        exception="Logging is on, as CloudFront standard logging v2 (a CloudWatch Logs delivery into the CDN's log bucket); the control reads only the legacy logging setting, so Security Hub may report FAILED: suppress it with this reason.",
    ),
    _c(
        "CloudFront.6",
        "CloudFront distributions should have WAF enabled",
        DISTRIBUTION,
        exception="The distribution serves static files from a private bucket (GET and HEAD only, no origin logic to attack); the WAF protects the load balancer, where the application runs.",
    ),
    _c("CloudFront.7", "CloudFront distributions should use custom SSL/TLS certificates", DISTRIBUTION),
    _c("CloudFront.8", "CloudFront distributions should use SNI to serve HTTPS requests", DISTRIBUTION),
    _c("CloudFront.9", "CloudFront distributions should encrypt traffic to custom origins", DISTRIBUTION),
    _c(
        "CloudFront.10",
        "CloudFront distributions should not use deprecated SSL protocols between edge locations and custom origins",
        DISTRIBUTION,
    ),
    _c(
        "CloudFront.12",
        "CloudFront distributions should not point to non-existent S3 origins",
        DISTRIBUTION,
        exception=BY_CONSTRUCTION
        + "the only origin is the content bucket the Cdn component creates in the same stack (its regional domain name is an output of that bucket).",
    ),
    _c("CloudFront.13", "CloudFront distributions should use origin access control", DISTRIBUTION),
    _c(
        "EC2.2",
        "VPC default security groups should not allow inbound or outbound traffic",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    ),
    _c("EC2.3", "Attached Amazon EBS volumes should be encrypted at-rest", LAUNCH_TEMPLATE),
    _c(
        "EC2.6",
        "VPC flow logging should be enabled in all VPCs",
        VPC,
        exception=BY_CONSTRUCTION
        + "the Network component always creates a flow log of ALL traffic into an encrypted log group (tests/components/test_network.py).",
    ),
    _c("EC2.8", "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)", LAUNCH_TEMPLATE),
    _c("EC2.9", "Amazon EC2 instances should not have a public IPv4 address", LAUNCH_TEMPLATE),
    _c(
        "EC2.10",
        "Amazon EC2 should be configured to use VPC endpoints that are created for the Amazon EC2 service",
        VPC,
        exception="No EC2 interface endpoint: nothing in the stack calls the EC2 API except the ECS agent on container instances, which reaches it through the NAT; an interface endpoint costs per AZ-hour.",
    ),
    _c(
        "EC2.15",
        "Amazon EC2 subnets should not automatically assign public IP addresses",
        "aws:ec2/subnet:Subnet",
    ),
    _c(
        "EC2.17",
        "Amazon EC2 instances should not use multiple ENIs",
        LAUNCH_TEMPLATE,
        exception="Each launch template has one interface; ECS attaches one ENI per awsvpc task to container instances (AWS's task networking), which this control reports.",
    ),
    _c(
        "EC2.18",
        "Security groups should only allow unrestricted incoming traffic for authorized ports",
        *SECURITY_GROUPS,
    ),
    _c(
        "EC2.19",
        "Security groups should not allow unrestricted access to ports with high risk",
        *SECURITY_GROUPS,
    ),
    _c(
        "EC2.21",
        "Network ACLs should not allow ingress from 0.0.0.0/0 to port 22 or port 3389",
        VPC,
        exception="webstack creates no network ACL rules: the VPC's default ACL stays as AWS makes it and security groups do the filtering (no-admin-ports refuses 22 and 3389 in every group).",
    ),
    _c(
        "EC2.25",
        "Amazon EC2 launch templates should not assign public IPs to network interfaces",
        LAUNCH_TEMPLATE,
    ),
    _c(
        "EC2.53",
        "EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server administration ports",
        *SECURITY_GROUPS,
    ),
    _c(
        "EC2.54",
        "EC2 security groups should not allow ingress from ::/0 to remote server administration ports",
        *SECURITY_GROUPS,
    ),
    _c(
        "EC2.170",
        "EC2 launch templates should use Instance Metadata Service Version 2 (IMDSv2)",
        LAUNCH_TEMPLATE,
    ),
    _c("ECR.1", "ECR private repositories should have image scanning configured", REPOSITORY),
    _c("ECR.2", "ECR private repositories should have tag immutability configured", REPOSITORY),
    _c(
        "ECR.3",
        "ECR repositories should have at least one lifecycle policy configured",
        REPOSITORY,
        exception=BY_CONSTRUCTION
        + "every repository webstack creates gets its aws:ecr/lifecyclePolicy (components/service/image.py).",
    ),
    _c(
        "ECS.1",
        "Amazon ECS task definitions should have secure networking modes and user definitions",
        TASK_DEFINITION,
    ),
    _c(
        "ECS.2",
        "ECS services should not have public IP addresses assigned to them automatically",
        ECS_SERVICE,
        SCHEDULE,
    ),
    _c("ECS.3", "ECS task definitions should not share the host's process namespace", TASK_DEFINITION),
    _c("ECS.4", "ECS containers should run as non-privileged", TASK_DEFINITION),
    _c("ECS.5", "ECS containers should be limited to read-only access to root filesystems", TASK_DEFINITION),
    _c("ECS.8", "Secrets should not be passed as container environment variables", TASK_DEFINITION),
    _c("ECS.9", "ECS task definitions should have a logging configuration", TASK_DEFINITION),
    _c("ECS.10", "ECS Fargate services should run on the latest Fargate platform version", ECS_SERVICE),
    _c("ECS.12", "ECS clusters should use Container Insights", CLUSTER),
    _c("EFS.1", "Elastic File System should be configured to encrypt file data at-rest using AWS KMS", EFS),
    _c(
        "EFS.2",
        "Amazon EFS volumes should be in backup plans",
        EFS,
        exception="Backups of EFS volumes belong to the stack's AWS Backup plan (webstack's backup settings select them); a file system outside any plan is reported by Security Hub.",
    ),
    _c("EFS.3", "EFS access points should enforce a root directory", "aws:efs/accessPoint:AccessPoint"),
    _c("EFS.4", "EFS access points should enforce a user identity", "aws:efs/accessPoint:AccessPoint"),
    _c(
        "EFS.6",
        "EFS mount targets should not be associated with a public subnet",
        MOUNT_TARGET,
        exception=BY_CONSTRUCTION
        + "mount targets go in the private subnets, and no subnet maps public IPs (EC2.15 is enforced).",
    ),
    _c(
        "EFS.7",
        "EFS file systems should have automatic backups enabled",
        EFS,
        exception="As EFS.2: the stack's AWS Backup plan backs volumes up.",
    ),
    _c("EFS.8", "EFS file systems should be encrypted at rest", EFS),
    _c("ElastiCache.1", "ElastiCache (Redis OSS) clusters should have automatic backups scheduled", CACHE),
    _c("ElastiCache.2", "ElastiCache clusters should have automatic minor version upgrades enabled", CACHE),
    _c(
        "ElastiCache.3",
        "ElastiCache replication groups should have automatic failover enabled",
        CACHE,
        exception="On in prod (two or more nodes, multi-AZ, the prod defaults); a dev cache may run one node, which cannot fail over.",
    ),
    _c("ElastiCache.4", "ElastiCache replication groups should be encrypted at rest", CACHE),
    _c("ElastiCache.5", "ElastiCache replication groups should be encrypted in transit", CACHE),
    _c(
        "ElastiCache.6",
        "ElastiCache (Redis OSS) replication groups of earlier versions should have Redis OSS AUTH enabled",
        CACHE,
        exception="Applies below Redis 6.0 only; webstack runs Valkey 8 and still sets an AUTH token kept in Secrets Manager.",
    ),
    _c("ElastiCache.7", "ElastiCache clusters should not use the default subnet group", CACHE),
    _c(
        "ELB.1",
        "Application Load Balancer should be configured to redirect all HTTP requests to HTTPS",
        LISTENER,
    ),
    _c(
        "ELB.2",
        "Classic Load Balancers with SSL/HTTPS listeners should use a certificate provided by AWS Certificate Manager",
        CLASSIC_LB,
        exception=CLASSIC,
    ),
    _c(
        "ELB.3",
        "Classic Load Balancer listeners should be configured with HTTPS or TLS termination",
        CLASSIC_LB,
        exception=CLASSIC,
    ),
    _c("ELB.4", "Application Load Balancer should be configured to drop invalid http headers", ALB),
    _c(
        "ELB.5",
        "Application and Classic Load Balancers logging should be enabled",
        ALB,
        exception="On in prod (access logs to a private bucket, the prod defaults); dev stacks leave it off to save the bucket.",
    ),
    _c(
        "ELB.6",
        "Application, Gateway, and Network Load Balancers should have deletion protection enabled",
        ALB,
        exception="On in prod (the prod defaults); dev stacks are torn down freely.",
    ),
    _c(
        "ELB.7",
        "Classic Load Balancers should have connection draining enabled",
        CLASSIC_LB,
        exception=CLASSIC,
    ),
    _c(
        "ELB.8",
        "Classic Load Balancers with SSL listeners should use a predefined security policy that has strong AWS Configuration",
        CLASSIC_LB,
        exception=CLASSIC,
    ),
    _c(
        "ELB.9",
        "Classic Load Balancers should have cross-zone load balancing enabled",
        CLASSIC_LB,
        exception=CLASSIC,
    ),
    _c(
        "ELB.10",
        "Classic Load Balancer should span multiple Availability Zones",
        CLASSIC_LB,
        exception=CLASSIC,
    ),
    _c(
        "ELB.12",
        "Application Load Balancer should be configured with defensive or strictest desync mitigation mode",
        ALB,
    ),
    _c(
        "ELB.13",
        "Application, Network and Gateway Load Balancers should span multiple Availability Zones",
        ALB,
    ),
    _c(
        "ELB.14",
        "Classic Load Balancer should be configured with defensive or strictest desync mitigation mode",
        CLASSIC_LB,
        exception=CLASSIC,
    ),
    _c(
        "IAM.1",
        'IAM policies should not allow full "*" administrative privileges',
        ROLE_POLICY,
        MANAGED_POLICY,
    ),
    _c(
        "IAM.21",
        "IAM customer managed policies that you create should not allow wildcard actions for services",
        MANAGED_POLICY,
    ),
    _c(
        "KMS.1",
        "IAM customer managed policies should not allow decryption actions on all KMS keys",
        MANAGED_POLICY,
    ),
    _c(
        "KMS.2",
        "IAM principals should not have IAM inline policies that allow decryption actions on all KMS keys",
        ROLE_POLICY,
    ),
    _c(
        "KMS.3",
        "AWS KMS keys should not be deleted unintentionally",
        KEY,
        exception="A key is scheduled for deletion only when its stack or data store is removed, and then with a 30-day window (deletionWindowInDays: 30) in which `aws kms cancel-key-deletion` restores it.",
    ),
    _c("Lambda.1", "Lambda function policies should prohibit public access", LAMBDA, LAMBDA_PERMISSION),
    _c("Lambda.2", "Lambda functions should use supported runtimes", LAMBDA),
    _c("Lambda.5", "VPC Lambda functions should operate in multiple Availability Zones", LAMBDA),
    _c(
        "RDS.2",
        "RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration",
        RDS,
    ),
    _c("RDS.3", "RDS DB instances should have encryption at-rest enabled", RDS),
    _c(
        "RDS.4",
        "RDS cluster snapshots and database snapshots should be encrypted at rest",
        RDS,
        exception="Snapshots of an encrypted instance are encrypted with its key (RDS.3 is enforced); webstack copies no snapshot.",
    ),
    _c(
        "RDS.5",
        "RDS DB instances should be configured with multiple Availability Zones",
        RDS,
        exception="On in prod (the prod defaults); dev runs one zone to halve the cost.",
    ),
    _c(
        "RDS.6",
        "Enhanced monitoring should be configured for RDS DB instances",
        RDS,
        exception="On in prod (60 s, the prod defaults); dev leaves it off (it bills CloudWatch Logs).",
    ),
    _c(
        "RDS.8",
        "RDS DB instances should have deletion protection enabled",
        RDS,
        exception="On in prod (the prod defaults); dev stacks are torn down freely (a final snapshot is still taken).",
    ),
    _c("RDS.9", "RDS DB instances should publish logs to CloudWatch Logs", RDS),
    _c("RDS.10", "IAM authentication should be configured for RDS instances", RDS),
    _c("RDS.11", "RDS instances should have automatic backups enabled", RDS),
    _c("RDS.13", "RDS automatic minor version upgrades should be enabled", RDS),
    _c("RDS.17", "RDS DB instances should be configured to copy tags to snapshots", RDS),
    _c("RDS.18", "RDS instances should be deployed in a VPC", RDS),
    _c(
        "RDS.23",
        "RDS instances should not use a database engine default port",
        RDS,
        exception="The engine's port stays (5432): the instance is in isolated subnets, its group admits only the services that declare it, and a changed port hides nothing from a scan inside the VPC.",
    ),
    _c("RDS.25", "RDS database instances should use a custom administrator username", RDS),
    _c("RDS.36", "RDS for PostgreSQL DB instances should publish logs to CloudWatch Logs", RDS),
    _c("S3.2", "S3 general purpose buckets should block public read access", BUCKET_POLICY),
    _c("S3.3", "S3 general purpose buckets should block public write access", BUCKET_POLICY),
    _c("S3.5", "S3 general purpose buckets should require requests to use SSL", BUCKET_POLICY),
    _c(
        "S3.6",
        "S3 general purpose bucket policies should restrict access to other AWS accounts",
        BUCKET_POLICY,
    ),
    _c(
        "S3.8",
        "S3 general purpose buckets should block public access",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ),
    _c(
        "S3.9",
        "S3 general purpose buckets should have server access logging enabled",
        BUCKET,
        exception="The static site's content bucket logs every request to the CDN's log bucket; log buckets do not log their own access (that would log the logging, without end), and data buckets record access in CloudTrail if the account enables data events.",
    ),
    _c(
        "S3.10",
        "S3 general purpose buckets with versioning enabled should have Lifecycle configurations",
        BUCKET,
        exception=BY_CONSTRUCTION
        + "components/buckets.py private_bucket versions every bucket and refuses a lifecycle rule that does not expire noncurrent versions.",
    ),
    _c(
        "S3.11",
        "S3 general purpose buckets should have event notifications enabled",
        BUCKET,
        exception="No bucket event notifications: nothing in webstack reacts to object changes; who changed what is in the server access logs (S3.9) and CloudTrail.",
    ),
    _c(
        "S3.12",
        "ACLs should not be used to manage user access to S3 general purpose buckets",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    ),
    _c(
        "S3.13",
        "S3 general purpose buckets should have Lifecycle configurations",
        BUCKET,
        exception=BY_CONSTRUCTION
        + "private_bucket gives every bucket a lifecycle configuration (components/buckets.py).",
    ),
    _c(
        "SecretsManager.1",
        "Secrets Manager secrets should have automatic rotation enabled",
        SECRET,
        exception="The database master secret is RDS-managed (RDS rotates it); the cache AUTH token rotates when its version is raised (authTokenWoVersion), because ElastiCache must be told of each new token.",
    ),
    _c(
        "SecretsManager.2",
        "Secrets Manager secrets configured with automatic rotation should rotate successfully",
        SECRET,
        exception=RUNTIME,
    ),
    _c("SecretsManager.3", "Remove unused Secrets Manager secrets", SECRET, exception=RUNTIME),
    _c(
        "SecretsManager.4",
        "Secrets Manager secrets should be rotated within a specified number of days",
        SECRET,
        exception="As SecretsManager.1: rotation is the owning service's (RDS) or an explicit token version bump.",
    ),
    _c("SNS.1", "SNS topics should be encrypted at-rest using AWS KMS", TOPIC),
    _c(
        "SNS.2",
        "Logging of delivery status should be enabled for notification messages sent to a topic",
        TOPIC,
        exception="Alarm topics deliver to e-mail and chat webhooks; delivery-status logging covers HTTP/S, SQS, Lambda and mobile push, and alarm history already records each notification.",
    ),
    _c("SQS.1", "Amazon SQS queues should be encrypted at rest", "aws:sqs/queue:Queue"),
    _c(
        "SSM.1",
        "Amazon EC2 instances should be managed by AWS Systems Manager",
        LAUNCH_TEMPLATE,
        exception=BY_CONSTRUCTION
        + "container instances get AmazonSSMManagedInstanceCore (no-broad-managed-policies allows it on the cluster's instances only).",
    ),
    _c("WAF.10", "AWS WAF web ACLs should have at least one rule or rule group", WEB_ACL),
    _c("WAF.12", "AWS WAF rules should have CloudWatch metrics enabled", WEB_ACL),
)
"""Every applicable FSBP control, by service then number."""
