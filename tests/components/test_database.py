"""The Database component on its own, built from its Args under the mock engine."""

import re
from typing import Any

import pulumi
import pytest

from components.database import Database, DatabaseArgs
from components.pure.guardrails import policy_statements
from plan.engine import Run, run_component

IDENTIFIER = "webstack-test-orders"
LOGS_KEY = "arn:aws:kms:eu-west-1:111111111111:key/stack-logs"
REQUIRED: dict[str, Any] = {
    "store_name": "orders",
    "identifier": IDENTIFIER,
    "vpc_id": "vpc-0123",
    "subnet_ids": ("subnet-a", "subnet-b"),
    "logs_key_arn": LOGS_KEY,
    "engine_version": "16",
}
SAFE: dict[str, Any] = {
    "instance_class": "db.m7g.large",
    "allocated_storage": 50,
    "max_allocated_storage": 200,
    "db_name": "shop",
    "username": "orders_admin",
    "maintenance_window": "sat:03:00-sat:04:00",
    "backup_window": "00:30-01:30",
    "multi_az": True,
    "deletion_protection": True,
    "skip_final_snapshot": False,
    "backup_retention_days": 14,
    "performance_insights": True,
    "monitoring_interval": 60,
    "os_metrics_log_group": True,
    "log_retention_days": 365,
    "protect": True,
    "tags": {"Stack": "test"},
}
"""What prod asks for: a standby, protection, backups, insights, monitoring, a final snapshot."""
CHEAP: dict[str, Any] = {
    "multi_az": False,
    "deletion_protection": False,
    "skip_final_snapshot": True,
    "backup_retention_days": 1,
    "performance_insights": False,
    "monitoring_interval": 0,
    "log_retention_days": 14,
    "protect": False,
}
"""What dev asks for: every shortcut."""


class Built:
    """One Database's recorded graph and what a service linked to it receives."""

    kind: str
    name: str
    port: int
    identifier: str

    def __init__(self, **changes: Any) -> None:
        self.link: dict[str, Any] = {}

        def build() -> pulumi.Output[Any]:
            database = Database("db-orders", DatabaseArgs(**{**REQUIRED, **changes}))
            link = database.link()
            self.kind, self.name, self.port = link.kind, link.name, link.port
            self.identifier = database.identifier
            return pulumi.Output.all(
                environment=link.environment,
                secrets=link.secrets,
                security_group_id=link.security_group_id,
                secret_arn=link.secret_arn,
                key_arn=link.key_arn,
                address=database.address,
                port=database.port,
            ).apply(self.link.update)

        self.run: Run = run_component(build)
        self.component = self.run.named("db-orders")
        self.instance = self.run.named("db-orders-instance")
        self.key = self.run.named("db-orders-key")
        self.security_group = self.run.named("db-orders-sg")
        self.subnets = self.run.named("db-orders-subnets")
        self.params = self.run.named("db-orders-params")
        self.rotation = self.run.named("db-orders-secret-rotation")


@pytest.fixture(scope="module")
def safe() -> Built:
    return Built(**SAFE)


@pytest.fixture(scope="module")
def cheap() -> Built:
    return Built(**CHEAP)


# --- Shape and ownership ------------------------------------------------------------------------------

MONITORING = [
    ("aws:iam/role:Role", "db-orders-monitoring-role"),
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "db-orders-monitoring-policy"),
    ("aws:cloudwatch/logGroup:LogGroup", "db-orders-os-metrics-logs"),
    ("random:index/randomString:RandomString", "db-orders-final-snapshot-suffix"),
]


@pytest.mark.parametrize(("variant", "monitoring"), [("safe", MONITORING), ("cheap", [])])
def test_a_database_is_exactly_its_key_group_subnets_parameters_log_groups_instance_and_secret_rotation(
    variant, monitoring, request
):
    built: Built = request.getfixturevalue(variant)
    assert sorted((r.type, r.name) for r in built.run.resources if r is not built.component) == sorted(
        [
            ("aws:ec2/securityGroup:SecurityGroup", "db-orders-sg"),
            ("aws:kms/key:Key", "db-orders-key"),
            ("aws:rds/subnetGroup:SubnetGroup", "db-orders-subnets"),
            ("aws:rds/parameterGroup:ParameterGroup", "db-orders-params"),
            ("aws:cloudwatch/logGroup:LogGroup", "db-orders-postgresql-logs"),
            ("aws:cloudwatch/logGroup:LogGroup", "db-orders-upgrade-logs"),
            ("aws:rds/instance:Instance", "db-orders-instance"),
            ("aws:secretsmanager/secretRotation:SecretRotation", "db-orders-secret-rotation"),
            *monitoring,
        ]
    )
    assert built.component.type == "webstack:components:Database"


@pytest.mark.parametrize("variant", ["safe", "cheap"])
def test_every_child_of_a_database_has_the_database_as_its_parent(variant, request):
    built: Built = request.getfixturevalue(variant)
    children = [r for r in built.run.resources if r is not built.component]
    assert {r.name: r.parent for r in children} == {r.name: built.component.urn for r in children}


# --- The instance -------------------------------------------------------------------------------------


def test_the_instance_runs_the_given_postgres_major_and_size_on_encrypted_gp3_storage(safe: Built):
    inputs = safe.instance.inputs
    assert (inputs["identifier"], inputs["engine"], inputs["engineVersion"]) == (IDENTIFIER, "postgres", "16")
    assert (inputs["instanceClass"], inputs["allocatedStorage"], inputs["maxAllocatedStorage"]) == (
        "db.m7g.large",
        50,
        200,
    )
    assert (inputs["storageType"], inputs["storageEncrypted"]) == ("gp3", True)
    assert inputs["kmsKeyId"] == safe.key.state["arn"]
    assert (inputs["dbName"], inputs["username"]) == ("shop", "orders_admin")
    assert inputs["autoMinorVersionUpgrade"] is True


def test_a_changed_engine_version_may_upgrade_the_major_with_a_new_families_parameter_group():
    """engineVersion holds the major only, so any change is a major upgrade: RDS refuses it unless
    AllowMajorVersionUpgrade is set (AWS RDS USER_UpgradeDBInstance.PostgreSQL.MajorVersion.html; TF src
    rds/instance.go). The new family is a new, autonamed parameter group (family is ForceNew), created
    before the old one is deleted, so the two never share a name."""
    before, after = Built(engine_version="16"), Built(engine_version="17")
    for built, family in ((before, "postgres16"), (after, "postgres17")):
        assert built.instance.inputs["allowMajorVersionUpgrade"] is True
        assert built.params.inputs["family"] == family and "name" not in built.params.inputs
        assert built.instance.inputs["parameterGroupName"] == built.params.state["name"]
        assert built.params.options["deleteBeforeReplace"] is False


@pytest.mark.parametrize("apply_immediately", [True, False])
def test_apply_immediately_reaches_the_instance_as_given_and_defaults_to_the_maintenance_window(
    apply_immediately,
):
    assert Built(apply_immediately=apply_immediately).instance.inputs["applyImmediately"] is apply_immediately
    assert Built().instance.inputs["applyImmediately"] is False


def test_the_master_password_is_managed_by_rds_under_the_databases_key_and_iam_auth_is_on(safe: Built):
    inputs = safe.instance.inputs
    assert inputs["manageMasterUserPassword"] is True
    assert "password" not in inputs and "passwordWo" not in inputs
    assert inputs["masterUserSecretKmsKeyId"] == safe.key.state["arn"]
    assert inputs["iamDatabaseAuthenticationEnabled"] is True


@pytest.mark.parametrize("variant", ["safe", "cheap"])
def test_the_managed_secret_is_never_rotated_under_running_tasks(variant, request):
    built: Built = request.getfixturevalue(variant)
    rotation = built.rotation.inputs
    assert rotation["rotationEnabled"] is False
    assert rotation["secretId"] == built.instance.state["masterUserSecrets"][0]["secretArn"]
    assert rotation["secretId"] == built.link["secret_arn"]


def test_the_instance_is_private_on_5432_in_the_given_subnets_behind_only_its_security_group(safe: Built):
    inputs = safe.instance.inputs
    assert inputs["publiclyAccessible"] is False and inputs["port"] == 5432
    assert inputs["dbSubnetGroupName"] == safe.subnets.state["name"]
    assert safe.subnets.inputs["subnetIds"] == ["subnet-a", "subnet-b"]
    assert safe.subnets.inputs["description"] == "db-orders: the isolated subnets"
    assert inputs["vpcSecurityGroupIds"] == [safe.security_group.id]
    group = safe.security_group.inputs
    assert group["vpcId"] == "vpc-0123" and "ingress" not in group and "egress" not in group
    assert group["description"] == "db-orders: in only from the services that use it, on 5432; no egress"


def test_the_parameter_group_forces_tls_for_the_majors_family_and_is_autonamed(safe: Built):
    params = safe.params.inputs
    assert params["family"] == "postgres16" and "name" not in params
    assert params["description"] == "db-orders: TLS only"
    assert params["parameters"] == [{"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"}]
    assert safe.instance.inputs["parameterGroupName"] == safe.params.state["name"]


# --- Availability, backups, deletion ------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "multi_az", "days"), [("safe", True, 14), ("cheap", False, 1)])
def test_standby_and_backup_retention_are_as_given_and_tags_are_copied_to_snapshots(
    variant, multi_az, days, request
):
    inputs = request.getfixturevalue(variant).instance.inputs
    assert inputs["multiAz"] is multi_az and "availabilityZone" not in inputs
    assert inputs["backupRetentionPeriod"] == days
    assert inputs["copyTagsToSnapshot"] is True


def test_backup_and_maintenance_windows_are_the_given_ones(safe: Built):
    inputs = safe.instance.inputs
    assert (inputs["backupWindow"], inputs["maintenanceWindow"]) == ("00:30-01:30", "sat:03:00-sat:04:00")


def test_a_protected_database_refuses_deletion_and_keeps_a_final_snapshot_named_with_a_suffix_kept_in_state(
    safe: Built,
):
    """RDS snapshot identifiers: 1-255 letters, digits and hyphens, a letter first, no trailing hyphen and
    no "--" (CreateDBSnapshot DBSnapshotIdentifier); unique per account and region, hence the suffix
    drawn once per identifier."""
    inputs = safe.instance.inputs
    assert inputs["deletionProtection"] is True and inputs["skipFinalSnapshot"] is False
    suffix = safe.run.named("db-orders-final-snapshot-suffix")
    name = inputs["finalSnapshotIdentifier"]
    assert name == f"{IDENTIFIER}-final-{suffix.state['result']}"
    assert re.fullmatch(r"[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,254}", name), name
    assert suffix.inputs["keepers"] == {"identifier": IDENTIFIER}
    assert safe.instance.options["protect"] is True


def test_a_database_taking_the_shortcuts_may_be_deleted_without_a_final_snapshot(cheap: Built):
    inputs = cheap.instance.inputs
    assert inputs["deletionProtection"] is False and inputs["skipFinalSnapshot"] is True
    assert "finalSnapshotIdentifier" not in inputs
    assert cheap.instance.options["protect"] is False


@pytest.mark.parametrize("variant", ["safe", "cheap"])
def test_no_input_of_the_instance_is_hidden_from_diffs_by_ignore_changes(variant, request):
    """final_snapshot_identifier is not ForceNew (TF src rds/instance.go: Optional, validated only), so
    the stable suffix replaces ignoreChanges and an existing instance takes it as an in-place update."""
    built: Built = request.getfixturevalue(variant)
    assert built.instance.options["ignoreChanges"] == []


def test_the_same_args_built_twice_give_the_same_final_snapshot_name(safe: Built):
    assert (
        Built(**SAFE).instance.inputs["finalSnapshotIdentifier"]
        == safe.instance.inputs["finalSnapshotIdentifier"]
    )


# --- Logs, insights, monitoring -----------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "days"), [("safe", 365), ("cheap", 14)])
def test_the_instance_exports_its_logs_to_groups_it_created_first_with_retention_and_the_logs_key(
    variant, days, request
):
    built: Built = request.getfixturevalue(variant)
    assert built.instance.inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    for export in ("postgresql", "upgrade"):
        group = built.run.named(f"db-orders-{export}-logs")
        assert group.inputs["name"] == f"/aws/rds/instance/{IDENTIFIER}/{export}"
        assert (group.inputs["retentionInDays"], group.inputs["kmsKeyId"]) == (days, LOGS_KEY)
        assert group.urn in built.instance.options["dependsOn"]


def test_performance_insights_keep_7_free_days_under_the_databases_key(safe: Built):
    inputs = safe.instance.inputs
    assert inputs["performanceInsightsEnabled"] is True
    assert inputs["performanceInsightsRetentionPeriod"] == 7
    assert inputs["performanceInsightsKmsKeyId"] == safe.key.state["arn"]
    assert inputs["databaseInsightsMode"] == "standard"


def test_without_performance_insights_no_key_or_retention_is_set(cheap: Built):
    inputs = cheap.instance.inputs
    assert inputs["performanceInsightsEnabled"] is False
    assert "performanceInsightsKmsKeyId" not in inputs and "performanceInsightsRetentionPeriod" not in inputs
    assert inputs["databaseInsightsMode"] == "standard"


def test_enhanced_monitoring_gets_a_role_rds_assumes_and_the_instance_waits_for_its_policy(safe: Built):
    inputs = safe.instance.inputs
    role = safe.run.named("db-orders-monitoring-role")
    attachment = safe.run.named("db-orders-monitoring-policy")
    assert inputs["monitoringInterval"] == 60 and inputs["monitoringRoleArn"] == role.state["arn"]
    (trust,) = policy_statements(role.inputs["assumeRolePolicy"])
    assert trust["Principal"] == {"Service": ["monitoring.rds.amazonaws.com"]}
    assert role.inputs["path"] == "/webstack/"
    assert role.inputs["description"] == "db-orders: RDS Enhanced Monitoring writes OS metrics"
    assert attachment.inputs["role"] == role.state["name"]
    assert attachment.inputs["policyArn"].endswith(":policy/service-role/AmazonRDSEnhancedMonitoringRole")
    assert attachment.urn in safe.instance.options["dependsOn"]


def test_enhanced_monitorings_rdsosmetrics_group_is_created_first_with_retention_and_the_logs_key(
    safe: Built,
):
    """RDS writes OS metrics to the log group RDSOSMetrics, creating it with no expiry if absent (AWS RDS
    USER_Monitoring.OS.html); created first, it gets the database's log retention and the stack key."""
    group = safe.run.named("db-orders-os-metrics-logs")
    assert group.inputs["name"] == "RDSOSMetrics"
    assert (group.inputs["retentionInDays"], group.inputs["kmsKeyId"]) == (365, LOGS_KEY)
    assert group.urn in safe.instance.options["dependsOn"]


@pytest.mark.parametrize(
    ("changes", "why"),
    [({"os_metrics_log_group": False}, "not asked"), ({"monitoring_interval": 0}, "monitoring off")],
)
def test_the_rdsosmetrics_group_is_left_alone_unless_asked_for_with_monitoring_on(changes, why):
    built = Built(**{**SAFE, **changes})
    assert not [r for r in built.run.resources if r.inputs.get("name") == "RDSOSMetrics"], why


def test_with_monitoring_off_there_is_no_role_and_no_role_arn(cheap: Built):
    inputs = cheap.instance.inputs
    assert inputs["monitoringInterval"] == 0 and "monitoringRoleArn" not in inputs


# --- Key, tags, link ----------------------------------------------------------------------------------


def test_the_databases_key_rotates_and_only_the_account_administers_it(safe: Built):
    inputs = safe.key.inputs
    assert inputs["enableKeyRotation"] is True and inputs["deletionWindowInDays"] == 30
    assert inputs["description"] == "db-orders: encrypts the orders database and its secret"
    (statement,) = policy_statements(inputs["policy"])
    assert (statement["Sid"], statement["Effect"], statement["Action"], statement["Resource"]) == (
        "AccountAdministersTheKey",
        "Allow",
        ["kms:*"],
        ["*"],
    )
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::111111111111:root"]}


def test_the_given_tags_reach_every_taggable_child_and_named_ones_get_a_name_tag(safe: Built):
    tags = {r.name: r.inputs.get("tags") for r in safe.run.resources if r.custom}
    plain = {"Stack": "test"}
    assert tags == {
        "db-orders-key": {**plain, "Name": "db-orders-key"},
        "db-orders-sg": {**plain, "Name": "db-orders-sg"},
        "db-orders-subnets": plain,
        "db-orders-params": plain,
        "db-orders-postgresql-logs": plain,
        "db-orders-upgrade-logs": plain,
        "db-orders-monitoring-role": plain,
        "db-orders-monitoring-policy": None,
        "db-orders-instance": plain,
        "db-orders-secret-rotation": None,
        "db-orders-os-metrics-logs": plain,
        "db-orders-final-snapshot-suffix": None,
    }


def test_a_linked_service_gets_host_port_and_name_and_its_credentials_from_the_managed_secret(safe: Built):
    link = safe.link
    secret = safe.instance.state["masterUserSecrets"][0]["secretArn"]
    assert (safe.kind, safe.name, safe.port) == ("database", "orders", 5432)
    assert link["environment"] == {
        "DB_HOST": safe.instance.state["address"],
        "DB_PORT": "5432",
        "DB_NAME": "shop",
        "PGSSLMODE": "verify-full",
        "PGSSLROOTCERT": "/etc/ssl/certs/rds-global-bundle.pem",
    }
    assert link["address"] == safe.instance.state["address"] and link["port"] == 5432
    assert link["secrets"] == {"DB_USER": f"{secret}:username::", "DB_PASSWORD": f"{secret}:password::"}
    assert (link["secret_arn"], link["key_arn"]) == (secret, safe.key.state["arn"])
    assert link["security_group_id"] == safe.security_group.id
    assert safe.identifier == IDENTIFIER


# --- Defaults -----------------------------------------------------------------------------------------


def test_a_database_built_from_its_required_args_alone_is_small_single_az_and_keeps_its_data():
    built = Built()
    inputs = built.instance.inputs
    assert (inputs["instanceClass"], inputs["allocatedStorage"], inputs["maxAllocatedStorage"]) == (
        "db.t4g.micro",
        20,
        100,
    )
    assert (inputs["dbName"], inputs["username"]) == ("app", "webstack_admin")
    assert (inputs["backupWindow"], inputs["maintenanceWindow"]) == ("01:00-02:00", "sun:03:00-sun:04:00")
    assert inputs["multiAz"] is False and inputs["backupRetentionPeriod"] == 7
    assert inputs["deletionProtection"] is True and inputs["skipFinalSnapshot"] is False
    assert inputs["finalSnapshotIdentifier"].startswith(f"{IDENTIFIER}-final-")
    assert inputs["performanceInsightsEnabled"] is False and inputs["monitoringInterval"] == 0
    assert built.run.named("db-orders-postgresql-logs").inputs["retentionInDays"] == 30
    assert built.instance.options["protect"] is False
