"""The Database component: RDS for PostgreSQL in the isolated tier.

One ``aws.rds.Instance`` per database (not Aurora): the cheapest highly available PostgreSQL
(Multi-AZ instance), the smallest footprint (``db.t4g.micro``), and one engine to reason about.
Each trap below is from the provider's schema or AWS's documented errors (see the comments).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from .datastore import DataStoreLink, StoreBase, final_snapshot_name, store_base
from .encryption import encrypted_log_group
from .iam import service_trust
from .pure.guardrails import ENHANCED_MONITORING_POLICY_ARN
from .pure.inputs import args_of
from .pure.naming import IAM_PATH, child_name, type_token

POSTGRES_PORT = 5432
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7
"""The free tier (AWS accepts 7, 731 or a multiple of 31)."""
LOG_EXPORTS = ("postgresql", "upgrade")
"""What RDS for PostgreSQL instances can export to CloudWatch Logs."""

DEFAULT_INSTANCE_CLASS = "db.t4g.micro"
DEFAULT_ALLOCATED_STORAGE_GB = 20
"""The smallest gp3 volume RDS for PostgreSQL allocates."""
DEFAULT_MAX_ALLOCATED_STORAGE_GB = 100
DEFAULT_DB_NAME = "app"
DEFAULT_USERNAME = "webstack_admin"
DEFAULT_BACKUP_WINDOW = "01:00-02:00"
DEFAULT_MAINTENANCE_WINDOW = "sun:03:00-sun:04:00"
DEFAULT_BACKUP_RETENTION_DAYS = 7
DEFAULT_MONITORING_INTERVAL = 0
DEFAULT_LOG_RETENTION_DAYS = 30
DEFAULT_CA_BUNDLE_PATH = "/etc/ssl/certs/rds-global-bundle.pem"
"""Where the image holds the RDS global CA bundle (app/Dockerfile downloads it from
https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem at build time)."""
OS_METRICS_LOG_GROUP = "RDSOSMetrics"
"""Where Enhanced Monitoring writes every instance's OS metrics: one group per account and region, named
by RDS (AWS RDS ``USER_Monitoring.OS.html``; the AmazonRDSEnhancedMonitoringRole policy writes only
there)."""


@dataclass(frozen=True)
class DatabaseArgs:
    """What a Database builds: one PostgreSQL instance in the isolated subnets of ``vpc_id``."""

    store_name: str
    """The database's short name (e.g. ``main``): its key's description and the link services
    receive name it. Required."""
    identifier: str
    """The RDS instance identifier (explicit and stable: ForceNew, and its log groups are named after
    it). Required."""
    vpc_id: pulumi.Input[str]
    """The VPC of the database's security group. Required."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """The isolated subnets, one per zone (RDS needs two zones or more, even single-AZ). Required."""
    logs_key_arn: pulumi.Input[str]
    """The key that encrypts the exported log groups (see :mod:`components.encryption`). Required."""
    engine_version: str
    """PostgreSQL major version, major only (e.g. ``17``): RDS upgrades minor versions itself, and the
    parameter group's family is ``postgres<major>``. Required (a changed default would upgrade)."""
    instance_class: str = DEFAULT_INSTANCE_CLASS
    """RDS instance class. Default: db.t4g.micro."""
    allocated_storage: int = DEFAULT_ALLOCATED_STORAGE_GB
    """Initial gp3 storage in GB (RDS cannot shrink it later). Default: 20."""
    max_allocated_storage: int = DEFAULT_MAX_ALLOCATED_STORAGE_GB
    """Storage autoscaling ceiling in GB, above ``allocated_storage``. Default: 100."""
    db_name: str = DEFAULT_DB_NAME
    """The database created in the instance. Default: app."""
    username: str = DEFAULT_USERNAME
    """The master user (its password is managed by RDS in Secrets Manager). Default: webstack_admin."""
    maintenance_window: str = DEFAULT_MAINTENANCE_WINDOW
    """UTC window for minor upgrades and patches (ddd:hh:mm-ddd:hh:mm). Default: sun:03:00-sun:04:00."""
    backup_window: str = DEFAULT_BACKUP_WINDOW
    """UTC window of the daily backup (hh:mm-hh:mm), outside the maintenance window. Default:
    01:00-02:00."""
    multi_az: bool = False
    """A synchronous standby in another zone. Default: False."""
    deletion_protection: bool = True
    """RDS refuses to delete the instance. Default: True."""
    skip_final_snapshot: bool = False
    """Delete without a final snapshot (otherwise one named ``<identifier>-final-<creation time>`` is
    taken). Default: False."""
    backup_retention_days: int = DEFAULT_BACKUP_RETENTION_DAYS
    """Days of automated backups, 1 to 35. Default: 7."""
    performance_insights: bool = False
    """Performance Insights (7 days, encrypted with the database's key). Default: False."""
    monitoring_interval: int = DEFAULT_MONITORING_INTERVAL
    """Enhanced Monitoring seconds (0, 1, 5, 10, 15, 30 or 60); 0 turns it off and creates no
    monitoring role. Default: 0."""
    os_metrics_log_group: bool = False
    """Create the account-wide ``RDSOSMetrics`` log group (retention ``log_retention_days``, encrypted
    with ``logs_key_arn``) before the instance, instead of letting RDS create it with no expiry and no
    key. One per account and region: set it on one database of one stack per account (a second create
    fails with ResourceAlreadyExistsException; an existing group must be imported first). Only with
    monitoring on. Default: False."""
    apply_immediately: bool = False
    """Apply class, storage, Multi-AZ, engine version and parameter group changes in the update itself
    (with a restart or failover) instead of in the next maintenance window, when ``pulumi up`` has long
    reported success and previews repeat the diff until then. A major upgrade needs it. Default: False."""
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    """Days the exported PostgreSQL logs are kept (a CloudWatch Logs period). Default: 30."""
    ca_bundle_path: str = DEFAULT_CA_BUNDLE_PATH
    """The RDS CA bundle's path inside the services' images: linked services get ``PGSSLMODE=verify-full``
    and ``PGSSLROOTCERT`` set to it (libpq verifies the server certificate and its host name; AWS RDS
    ``UsingWithRDS.SSL.html``). Default: /etc/ssl/certs/rds-global-bundle.pem."""
    protect: bool = False
    """Pulumi refuses to delete or replace the instance (a replaced database is a new, empty one).
    Default: False."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every child, on top of the provider's default tags. Default: none."""
    instance_tags: Mapping[str, str] = field(default_factory=dict)
    """Further tags for the RDS instance only, e.g. the tag an AWS Backup selection matches (tags are
    updated in place: no restart). Default: none."""
    backup_copy_accounts: Sequence[str] = ()
    """Accounts that AWS Backup copies this database's recovery points to: RDS recovery points stay under
    the database's key, so each other account may use it for the copy (this account is skipped; an
    in-place key policy update). Default: none."""


class Database(pulumi.ComponentResource):
    """KMS key, security group, subnet group, TLS-only parameter group, log groups, monitoring role,
    the RDS instance and its managed master secret."""

    address: pulumi.Output[str]
    """The instance's DNS name (Multi-AZ fails over behind it)."""
    port: pulumi.Output[int]
    """The port PostgreSQL listens on (5432)."""
    secret_arn: pulumi.Output[str]
    """The RDS-managed master user secret (JSON with username and password)."""
    key_arn: pulumi.Output[str]
    """The customer-managed key of storage, secret, logs and Performance Insights."""
    security_group_id: pulumi.Output[str]
    """The database's security group (services add their ingress rule to it)."""
    identifier: str
    """The RDS instance identifier (the ``DBInstanceIdentifier`` dimension of its metrics)."""

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        args = args_of(DatabaseArgs, args)
        super().__init__(type_token("Database"), name, None, opts)
        self._store_name = args.store_name
        self._db_name = args.db_name
        self._ca_bundle_path = args.ca_bundle_path
        self.identifier = args.identifier
        base = store_base(
            self,
            name,
            args.vpc_id,
            args.tags,
            f"the {args.store_name} database and its secret",
            POSTGRES_PORT,
            copy_accounts=args.backup_copy_accounts,
        )
        subnet_group = self._subnet_group(name, args)
        parameters = self._parameter_group(name, args)
        waits_for = self._log_groups(name, args)
        if args.os_metrics_log_group and args.monitoring_interval:
            waits_for.append(self._os_metrics_log_group(name, args))
        monitoring_role_arn = self._monitoring_role(name, args, waits_for)
        instance = self._instance(name, args, base, subnet_group, parameters, monitoring_role_arn, waits_for)
        self.secret_arn = self._unrotated_secret(name, instance)

        self.address = instance.address
        self.port = instance.port
        self.key_arn = base.key.arn
        self.security_group_id = base.security_group.id
        self.register_outputs(
            {
                "address": self.address,
                "port": self.port,
                "secretArn": self.secret_arn,
                "keyArn": self.key_arn,
                "securityGroupId": self.security_group_id,
                "identifier": self.identifier,
            }
        )

    def link(self) -> DataStoreLink:
        """What a service that declares this database gets (see :class:`DataStoreLink`)."""
        return DataStoreLink(
            kind="database",
            name=self._store_name,
            security_group_id=self.security_group_id,
            port=POSTGRES_PORT,
            environment={
                "DB_HOST": self.address,
                "DB_PORT": str(POSTGRES_PORT),
                "DB_NAME": self._db_name,
                # libpq's variables: TLS with the certificate and host name verified against the bundle.
                "PGSSLMODE": "verify-full",
                "PGSSLROOTCERT": self._ca_bundle_path,
            },
            secrets={
                "DB_USER": pulumi.Output.concat(self.secret_arn, ":username::"),
                "DB_PASSWORD": pulumi.Output.concat(self.secret_arn, ":password::"),
            },
            secret_arn=self.secret_arn,
            key_arn=self.key_arn,
        )

    def _subnet_group(self, name: str, args: DatabaseArgs) -> aws.rds.SubnetGroup:
        return aws.rds.SubnetGroup(
            child_name(name, "subnets"),
            description=f"{name}: the isolated subnets",
            subnet_ids=list(args.subnet_ids),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _parameter_group(self, name: str, args: DatabaseArgs) -> aws.rds.ParameterGroup:
        # No `name`: family is ForceNew, and autonaming lets a major upgrade create the new group
        # before deleting the old one (a named group still attached fails: TF #6448).
        return aws.rds.ParameterGroup(
            child_name(name, "params"),
            family=f"postgres{args.engine_version}",
            description=f"{name}: TLS only",
            parameters=[
                # Explicit: the default differs by version (on from 15, off before).
                aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1", apply_method="immediate")
            ],
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _log_groups(self, name: str, args: DatabaseArgs) -> list[pulumi.Resource]:
        """The exact groups RDS writes exports to, created first so that we own retention and key
        (RDS would create them with no expiry and keep them after deletion: TF #5348)."""
        return [
            encrypted_log_group(
                child_name(name, f"{export}-logs"),
                args.log_retention_days,
                args.logs_key_arn,
                self,
                args.tags,
                log_group_name=f"/aws/rds/instance/{args.identifier}/{export}",
            )
            for export in LOG_EXPORTS
        ]

    def _os_metrics_log_group(self, name: str, args: DatabaseArgs) -> pulumi.Resource:
        """Enhanced Monitoring's account-wide group with our retention and key, before the instance."""
        return encrypted_log_group(
            child_name(name, "os-metrics-logs"),
            args.log_retention_days,
            args.logs_key_arn,
            self,
            args.tags,
            log_group_name=OS_METRICS_LOG_GROUP,
        )

    def _monitoring_role(
        self, name: str, args: DatabaseArgs, waits_for: list[pulumi.Resource]
    ) -> pulumi.Output[str] | None:
        """Enhanced Monitoring's role; the instance waits for its policy, or RDS reports the ARN invalid."""
        if args.monitoring_interval == 0:
            return None
        role = aws.iam.Role(
            child_name(name, "monitoring-role"),
            description=f"{name}: RDS Enhanced Monitoring writes OS metrics",
            assume_role_policy=service_trust("monitoring.rds.amazonaws.com", parent=self),
            path=IAM_PATH,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachment = aws.iam.RolePolicyAttachment(
            child_name(name, "monitoring-policy"),
            role=role.name,
            policy_arn=ENHANCED_MONITORING_POLICY_ARN,
            opts=pulumi.ResourceOptions(parent=self),
        )
        waits_for.append(attachment)
        return role.arn

    def _instance(
        self,
        name: str,
        args: DatabaseArgs,
        base: StoreBase,
        subnet_group: aws.rds.SubnetGroup,
        parameters: aws.rds.ParameterGroup,
        monitoring_role_arn: pulumi.Output[str] | None,
        waits_for: list[pulumi.Resource],
    ) -> aws.rds.Instance:
        insights = args.performance_insights
        return aws.rds.Instance(
            child_name(name, "instance"),
            identifier=args.identifier,
            engine="postgres",
            engine_version=args.engine_version,  # major only; RDS reports the minor in engineVersionActual
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage,
            max_allocated_storage=args.max_allocated_storage,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=base.key.arn,
            db_name=args.db_name,
            username=args.username,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=base.key.arn,
            iam_database_authentication_enabled=True,
            parameter_group_name=parameters.name,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[base.security_group.id],
            publicly_accessible=False,
            port=POSTGRES_PORT,
            multi_az=args.multi_az,  # never with availability_zone (TF #39225)
            backup_retention_period=args.backup_retention_days,
            backup_window=args.backup_window,
            maintenance_window=args.maintenance_window,
            copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True,
            # engine_version holds the major only, so a changed one is a deliberate major upgrade; without
            # this AWS refuses it (TF src rds/instance.go allow_major_version_upgrade; AWS RDS
            # USER_UpgradeDBInstance.PostgreSQL.MajorVersion.html). The new family's parameter group is
            # autonamed (see _parameter_group), so it is created before the old one is deleted.
            allow_major_version_upgrade=True,
            # False: class, storage, Multi-AZ, version and parameter-group changes wait for the
            # maintenance window (TF src rds/instance.go apply_immediately; the plan warns).
            apply_immediately=args.apply_immediately,
            deletion_protection=args.deletion_protection,
            skip_final_snapshot=args.skip_final_snapshot,
            final_snapshot_identifier=None
            if args.skip_final_snapshot
            else final_snapshot_name(self, name, args.identifier),
            performance_insights_enabled=insights,
            performance_insights_kms_key_id=base.key.arn if insights else None,
            performance_insights_retention_period=PERFORMANCE_INSIGHTS_RETENTION_DAYS if insights else None,
            database_insights_mode="standard",  # explicit: newer accounts default to advanced (paid)
            monitoring_interval=args.monitoring_interval,
            monitoring_role_arn=monitoring_role_arn,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            tags={**args.tags, **args.instance_tags},
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
                depends_on=waits_for,
            ),
        )

    def _unrotated_secret(self, name: str, instance: aws.rds.Instance) -> pulumi.Output[str]:
        """The managed master secret's ARN, with rotation explicitly off.

        ECS injects secrets only when a task starts, so rotation would break new connections of
        running tasks until a redeploy (AWS ECS secrets-envvar docs). Rotate on purpose instead:
        `aws secretsmanager rotate-secret`, then redeploy the services (see the README).
        """
        secret_arn = instance.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn or "")
        aws.secretsmanager.SecretRotation(
            child_name(name, "secret-rotation"),
            secret_id=secret_arn,
            rotation_enabled=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return secret_arn


__all__ = ["POSTGRES_PORT", "Database", "DatabaseArgs"]
