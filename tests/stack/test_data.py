"""The data tier on fixture stacks: the database, the cache, and their wiring into declaring services."""

import json
from pathlib import Path

import pytest

from components.pure.guardrails import policy_statements
from plan import graph, report
from plan.engine import PROJECT_ROOT, Recorded, Run, run_stack, second_runs
from stack.schema import ConfigError

STACKS = Path(__file__).parents[1] / "stacks"
INSTANCE = "aws:rds/instance:Instance"
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


@pytest.fixture(scope="module")
def prod() -> Run:
    """Multi-AZ database and a two-node cache, both used by api only (web uses neither)."""
    return run_stack("data-prod", root=STACKS)


@pytest.fixture(scope="module")
def dev() -> Run:
    """One single-AZ database used by web."""
    return run_stack("data-dev", root=STACKS)


def rules_on(run: Run, kind: str, group: Recorded) -> list[Recorded]:
    return [r for r in run.of_type(kind) if r.inputs["securityGroupId"] == group.id]


def container(run: Run, service: str) -> dict:
    (definition,) = json.loads(run.named(f"{service}-task").inputs["containerDefinitions"])
    return definition


# --- Database ---------------------------------------------------------------------------------------


def test_prod_database_is_encrypted_multi_az_protected_and_private(prod: Run):
    db = prod.named("db-main-instance")
    key = prod.named("db-main-key")
    inputs = db.inputs
    assert (inputs["engine"], inputs["engineVersion"]) == ("postgres", "17")
    assert inputs["identifier"] == "webstack-data-prod-main"
    assert inputs["storageEncrypted"] is True and inputs["kmsKeyId"] == key.state["arn"]
    assert (inputs["storageType"], inputs["allocatedStorage"], inputs["maxAllocatedStorage"]) == (
        "gp3",
        50,
        200,
    )
    assert inputs["publiclyAccessible"] is False
    assert inputs["multiAz"] is True and "availabilityZone" not in inputs
    assert inputs["deletionProtection"] is True and inputs["skipFinalSnapshot"] is False
    assert inputs["finalSnapshotIdentifier"].startswith("webstack-data-prod-main-final-")
    assert inputs["backupRetentionPeriod"] == 14 and inputs["copyTagsToSnapshot"] is True
    assert inputs["autoMinorVersionUpgrade"] is True and inputs["maintenanceWindow"] == "sun:03:00-sun:04:00"
    assert db.options["protect"] is True
    assert db.options["ignoreChanges"] == []
    suffix = prod.named("db-main-final-snapshot-suffix")
    assert inputs["finalSnapshotIdentifier"] == f"webstack-data-prod-main-final-{suffix.state['result']}"


def test_prod_database_changes_wait_for_the_maintenance_window_and_the_plan_says_so(prod: Run):
    """apply_immediately false: class, storage, Multi-AZ and version changes are applied in the window
    (TF src rds/instance.go apply_immediately; AWS RDS Overview.DBInstance.Modifying.html)."""
    inputs = prod.named("db-main-instance").inputs
    assert inputs["applyImmediately"] is False and inputs["allowMajorVersionUpgrade"] is True
    (warning,) = [w for w in prod.warnings if "applyImmediately" in w]
    assert warning.startswith(
        "database main: applyImmediately is false, so changes to instanceClass, allocatedStorage, multiAz "
        "and engineVersion wait for the maintenance window sun:03:00-sun:04:00 (UTC)"
    )


def test_a_prod_database_may_apply_changes_immediately_when_the_stack_asks_and_the_plan_is_silent():
    run = run_stack(
        "data-prod",
        root=STACKS,
        overrides={
            "webstack:databases": {
                "main": {
                    "instanceClass": "db.m7g.large",
                    "allocatedStorage": 50,
                    "maxAllocatedStorage": 200,
                    "applyImmediately": True,
                }
            }
        },
    )
    assert run.named("db-main-instance").inputs["applyImmediately"] is True
    assert not [w for w in run.warnings if "applyImmediately" in w]


def test_a_prod_stack_that_opts_in_owns_the_account_wide_rdsosmetrics_group_with_its_retention_and_key(
    prod: Run,
):
    group = prod.named("db-main-os-metrics-logs")
    assert group.inputs["name"] == "RDSOSMetrics"
    assert group.inputs["retentionInDays"] == 365
    assert group.inputs["kmsKeyId"] == prod.named("db-main-postgresql-logs").inputs["kmsKeyId"]
    assert group.urn in prod.named("db-main-instance").options["dependsOn"]


def test_the_database_that_asks_owns_rdsosmetrics_and_adding_another_database_leaves_it_there():
    """Ownership follows the one database with osMetricsLogGroup: true, never the order of the list: a
    database added before it (here "aaa") must not move the group to another component."""
    base = {"instanceClass": "db.m7g.large", "allocatedStorage": 50, "maxAllocatedStorage": 200}
    two = run_stack(
        "data-prod",
        root=STACKS,
        overrides={"webstack:databases": {"aaa": base, "main": {**base, "osMetricsLogGroup": True}}},
    )
    assert [r.name for r in two.resources if r.inputs.get("name") == "RDSOSMetrics"] == [
        "db-main-os-metrics-logs"
    ]
    opted_out = run_stack(
        "data-prod",
        root=STACKS,
        overrides={"webstack:databases": {"main": {**base, "osMetricsLogGroup": False}}},
    )
    assert not [r for r in opted_out.resources if r.inputs.get("name") == "RDSOSMetrics"]


def test_two_databases_asking_for_rdsosmetrics_is_a_named_error():
    base = {"instanceClass": "db.m7g.large", "allocatedStorage": 50, "osMetricsLogGroup": True}
    with pytest.raises(ConfigError) as caught:
        run_stack("data-prod", root=STACKS, overrides={"webstack:databases": {"main": base, "orders": base}})
    assert any(
        p.startswith("webstack:databases.orders.osMetricsLogGroup: got true, but main already owns")
        for p in caught.value.problems
    )


def test_the_master_password_is_managed_by_rds_under_the_databases_own_key_and_never_rotated_under_tasks(
    prod: Run,
):
    inputs = prod.named("db-main-instance").inputs
    assert inputs["manageMasterUserPassword"] is True
    assert "password" not in inputs and "passwordWo" not in inputs
    assert inputs["masterUserSecretKmsKeyId"] == prod.named("db-main-key").state["arn"]
    assert inputs["iamDatabaseAuthenticationEnabled"] is True
    rotation = prod.named("db-main-secret-rotation").inputs
    assert rotation["rotationEnabled"] is False
    assert rotation["secretId"] == prod.outputs["databases"]["main"]["secretArn"]


def test_the_parameter_group_forces_tls_for_the_engines_family_and_is_autonamed(prod: Run):
    params = prod.named("db-main-params").inputs
    assert params["family"] == "postgres17" and "name" not in params
    assert params["parameters"] == [{"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"}]
    assert prod.named("db-main-instance").inputs["parameterGroupName"] == prod.named("db-main-params").id


def test_prod_exports_logs_to_groups_it_created_first_with_retention_and_the_stack_key(prod: Run):
    db = prod.named("db-main-instance")
    assert db.inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    for export in ("postgresql", "upgrade"):
        group = prod.named(f"db-main-{export}-logs")
        assert group.inputs["name"] == f"/aws/rds/instance/webstack-data-prod-main/{export}"
        assert group.inputs["retentionInDays"] == 365
        assert group.inputs["kmsKeyId"] == prod.named("stack-key-key").state["arn"]
        assert group.urn in db.options["dependsOn"]


def test_prod_has_performance_insights_and_enhanced_monitoring_that_waits_for_its_role(prod: Run):
    db = prod.named("db-main-instance")
    inputs = db.inputs
    assert inputs["performanceInsightsEnabled"] is True
    assert inputs["performanceInsightsRetentionPeriod"] == 7
    assert inputs["performanceInsightsKmsKeyId"] == prod.named("db-main-key").state["arn"]
    assert inputs["databaseInsightsMode"] == "standard"
    assert inputs["monitoringInterval"] == 60
    role = prod.named("db-main-monitoring-role")
    assert inputs["monitoringRoleArn"] == role.state["arn"]
    (trust,) = policy_statements(role.inputs["assumeRolePolicy"])
    assert trust["Principal"] == {"Service": ["monitoring.rds.amazonaws.com"]}
    attachment = prod.named("db-main-monitoring-policy")
    assert attachment.inputs["policyArn"].endswith(":policy/service-role/AmazonRDSEnhancedMonitoringRole")
    assert attachment.urn in db.options["dependsOn"]


@pytest.mark.parametrize("store", ["db-main", "cache-main"])
def test_each_store_has_its_own_rotating_key_that_only_the_account_administers(prod: Run, store):
    key = prod.named(f"{store}-key").inputs
    assert key["enableKeyRotation"] is True and key["deletionWindowInDays"] == 30
    (statement,) = policy_statements(key["policy"])
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::222222222222:root"]}


def test_the_database_lives_in_the_isolated_subnets(prod: Run):
    subnet_group = prod.named("db-main-subnets")
    assert subnet_group.inputs["subnetIds"] == prod.outputs["isolatedSubnetIds"]
    assert prod.outputs["isolatedSubnetIds"] == [f"webstack-isolated-{z}-id" for z in "abc"]
    assert prod.named("db-main-instance").inputs["dbSubnetGroupName"] == subnet_group.id


def test_dev_database_takes_the_dev_shortcuts_and_the_plan_warns_about_each(dev: Run):
    inputs = dev.named("db-main-instance").inputs
    assert inputs["multiAz"] is False and inputs["skipFinalSnapshot"] is True
    assert "finalSnapshotIdentifier" not in inputs
    assert inputs["deletionProtection"] is False and inputs["backupRetentionPeriod"] == 1
    assert inputs["monitoringInterval"] == 0 and "monitoringRoleArn" not in inputs
    assert inputs["performanceInsightsEnabled"] is False
    assert inputs["instanceClass"] == "db.t4g.micro"
    assert inputs["applyImmediately"] is True
    assert not [r for r in dev.resources if r.inputs.get("name") == "RDSOSMetrics"]
    assert dev.named("db-main-instance").options["protect"] is False
    shortcuts = [w for w in dev.warnings if w.startswith("database main:")]
    assert [w.split(": ")[1].split(" (")[0] for w in shortcuts] == [
        "single-AZ",
        "no final snapshot",
        "no deletion protection",
    ]


# --- Cache ------------------------------------------------------------------------------------------


def test_prod_cache_is_valkey_encrypted_both_ways_with_failover_snapshots_and_protection(prod: Run):
    group = prod.named("cache-main-valkey")
    inputs = group.inputs
    key_arn = prod.named("cache-main-key").state["arn"]
    assert (inputs["engine"], inputs["engineVersion"], inputs["parameterGroupName"]) == (
        "valkey",
        "8.0",
        "default.valkey8",
    )
    assert inputs["atRestEncryptionEnabled"] is True and inputs["kmsKeyId"] == key_arn
    assert inputs["transitEncryptionEnabled"] is True
    assert inputs["numCacheClusters"] == 2
    assert inputs["automaticFailoverEnabled"] is True and inputs["multiAzEnabled"] is True
    assert inputs["snapshotRetentionLimit"] == 7
    assert inputs["finalSnapshotIdentifier"].startswith("webstack-data-prod-cache-main-final-")
    assert inputs["subnetGroupName"] == prod.named("cache-main-subnets").id
    assert prod.named("cache-main-subnets").inputs["subnetIds"] == prod.outputs["isolatedSubnetIds"]
    assert group.options["protect"] is True


def test_the_cache_auth_token_is_drawn_once_into_state_and_sent_write_only_to_the_cache_and_its_secret(
    prod: Run,
):
    inputs = prod.named("cache-main-valkey").inputs
    assert "authToken" not in inputs and inputs["authTokenWoVersion"] == 2
    assert inputs["authTokenUpdateStrategy"] == "ROTATE"
    secret = prod.named("cache-main-auth-token")
    assert secret.inputs["kmsKeyId"] == prod.named("cache-main-key").state["arn"]
    value = prod.named("cache-main-auth-token-value").inputs
    assert value["secretId"] == secret.id and value["secretStringWoVersion"] == 2
    assert "secretString" not in value
    token = prod.named("cache-main-auth-token-random").state["result"]
    assert value["secretStringWo"]["value"] == inputs["authTokenWo"]["value"] == token


def test_rotating_the_auth_token_is_a_version_bump_under_rotate_then_set_in_a_later_update():
    """ModifyReplicationGroup AuthTokenUpdateStrategy: ROTATE keeps the old token valid, SET is allowed
    only after ROTATE (AWS API reference). Step 1 draws a new token and redeploys the api service;
    step 2 resends the same token with SET and changes no task definition."""
    base = {"authTokenVersion": 2}
    rotate = run_stack("data-prod", root=STACKS, overrides={"webstack:caches": {"main": base}})
    settle = run_stack(
        "data-prod",
        root=STACKS,
        overrides={"webstack:caches": {"main": {**base, "authTokenStrategy": "SET"}}},
    )
    first, second = rotate.named("cache-main-valkey").inputs, settle.named("cache-main-valkey").inputs
    assert (first["authTokenUpdateStrategy"], first["authTokenWoVersion"]) == ("ROTATE", 4)
    assert (second["authTokenUpdateStrategy"], second["authTokenWoVersion"]) == ("SET", 5)
    assert first["authTokenWo"] == second["authTokenWo"]
    environment = {item["name"]: item["value"] for item in container(rotate, "api")["environment"]}
    assert environment["CACHE_AUTH_TOKEN_VERSION"] == "2"
    assert container(rotate, "api") == container(settle, "api")


@pytest.mark.parametrize("stack", ["data-prod", "data-dev"])
def test_a_data_stack_planned_twice_gives_the_same_graph(stack: str):
    """No clock and no process-random value reaches an input: the AUTH token and the final-snapshot
    suffixes are pulumi_random resources whose values live in state (deterministic under the mocks).
    Two real syntheses: the session's run and its second run (shared with tests/plan/test_idempotence.py)."""
    first = run_stack(stack, root=STACKS)
    with second_runs():
        second = run_stack(stack, root=STACKS)

    def recorded(run: Run) -> dict:
        # dependsOn is a set the engine fills from several threads: its order carries no meaning. Inputs
        # in their graph form: a Lambda's code archive by file and sha256 (the object has no equality).
        return {
            r.urn: (
                graph._plain(r.inputs),  # pyright: ignore[reportPrivateUsage]
                graph._plain(r.state),  # pyright: ignore[reportPrivateUsage]
                {**r.options, "dependsOn": sorted(r.options.get("dependsOn", []))},
            )
            for r in run.resources
        }

    assert recorded(first) == recorded(second)
    assert first.outputs == second.outputs


# --- Wiring -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("store", "port", "declaring"),
    [("db-main", 5432, ["api", "job-report"]), ("cache-main", 6379, ["api"])],
)
def test_a_data_store_admits_only_the_declaring_service_on_its_port_and_sends_nothing(
    prod: Run, store, port, declaring
):
    """The fixture's nightly job (webstack:jobs.report) declares the database too: it is admitted like a
    service, and the cache, which it does not declare, does not admit it."""
    group = prod.named(f"{store}-sg")
    ingress = rules_on(prod, INGRESS, group)
    assert sorted(rule.inputs["referencedSecurityGroupId"] for rule in ingress) == sorted(
        prod.named(f"{name}-sg").id for name in declaring
    )
    for rule in ingress:
        ports = (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"])
        assert ports == ("tcp", port, port)
        assert "cidrIpv4" not in rule.inputs
    assert rules_on(prod, EGRESS, group) == []
    assert "ingress" not in group.inputs and "egress" not in group.inputs


def test_the_declaring_service_may_send_to_each_store_on_its_port_and_the_other_service_may_not(prod: Run):
    stores = {prod.named("db-main-sg").id: 5432, prod.named("cache-main-sg").id: 6379}
    api_out = {
        r.inputs["referencedSecurityGroupId"]: r.inputs["fromPort"]
        for r in rules_on(prod, EGRESS, prod.named("api-sg"))
        if r.inputs.get("referencedSecurityGroupId")
    }
    assert api_out == stores
    web_out = rules_on(prod, EGRESS, prod.named("web-sg"))
    assert not any(r.inputs.get("referencedSecurityGroupId") in stores for r in web_out)


def test_the_declaring_service_gets_host_port_name_and_credentials_from_the_managed_secret(prod: Run):
    definition = container(prod, "api")
    environment = {item["name"]: item["value"] for item in definition["environment"]}
    secrets = {item["name"]: item["valueFrom"] for item in definition["secrets"]}
    database, cache = prod.outputs["databases"]["main"], prod.outputs["caches"]["main"]
    assert environment["DB_HOST"] == database["address"]
    assert (environment["DB_PORT"], environment["DB_NAME"]) == ("5432", "app")
    assert (environment["CACHE_HOST"], environment["CACHE_PORT"], environment["CACHE_TLS"]) == (
        cache["address"],
        "6379",
        "true",
    )
    assert environment["CACHE_AUTH_TOKEN_VERSION"] == "1"
    # libpq verifies the server certificate and host name against the RDS bundle the image holds.
    assert (environment["PGSSLMODE"], environment["PGSSLROOTCERT"]) == (
        "verify-full",
        "/etc/ssl/certs/rds-global-bundle.pem",
    )
    assert secrets == {
        "DB_USER": f"{database['secretArn']}:username::",
        "DB_PASSWORD": f"{database['secretArn']}:password::",
        "CACHE_AUTH_TOKEN": cache["secretArn"],
    }
    web = container(prod, "web")
    assert not [item for item in web["environment"] if item["name"].startswith(("DB_", "CACHE_"))]
    assert web["secrets"] == []


def test_the_execution_role_reads_exactly_the_stores_secrets_and_decrypts_with_exactly_their_keys(prod: Run):
    policy = prod.named("api-execution-data").inputs["policy"]
    statements = {s["Action"][0]: s for s in policy_statements(policy)}
    assert set(statements) == {"secretsmanager:GetSecretValue", "kms:Decrypt"}
    assert statements["secretsmanager:GetSecretValue"]["Action"] == ["secretsmanager:GetSecretValue"]
    assert statements["secretsmanager:GetSecretValue"]["Resource"] == [
        prod.outputs["databases"]["main"]["secretArn"],
        prod.outputs["caches"]["main"]["secretArn"],
    ]
    assert statements["kms:Decrypt"]["Action"] == ["kms:Decrypt"]
    assert statements["kms:Decrypt"]["Resource"] == [
        prod.named("db-main-key").state["arn"],
        prod.named("cache-main-key").state["arn"],
    ]
    assert prod.named("api-execution-data").urn in prod.named("api-service").options["dependsOn"]
    assert not [r for r in prod.resources if r.name == "web-execution-data"]


def test_the_plan_shows_each_store_reachable_only_from_its_declaring_service(prod: Run):
    captured = graph.graph_from_run(prod, "data-prod", {})
    matrix = report.exposure_matrix(captured)
    into_stores = {(s, d): p for (s, d), p in matrix.items() if d in ("db-main", "cache-main")}
    assert into_stores == {
        ("api", "db-main"): ["tcp/5432"],
        ("job-report", "db-main"): ["tcp/5432"],
        ("api", "cache-main"): ["tcp/6379"],
    }
    assert not [key for key in matrix if key[0] in ("db-main", "cache-main")]
    assert report.verdict(captured).startswith("Verdict: from 0.0.0.0/0 only edge on")
    header = report.exposure(captured)[1].split()
    assert "db-main" in header and "cache-main" in header


def test_the_plan_lists_isolated_subnets_with_no_route_out(prod: Run):
    rows = [
        row
        for row in report.subnet_rows(graph.graph_from_run(prod, "data-prod", {}))
        if row["tier"] == "isolated"
    ]
    assert [(row["zone"], row["cidr"], row["default route"]) for row in rows] == [
        ("eu-west-1a", "10.20.192.0/23", "none"),
        ("eu-west-1b", "10.20.194.0/23", "none"),
        ("eu-west-1c", "10.20.196.0/23", "none"),
    ]


def test_the_example_image_holds_the_rds_ca_bundle_where_pgsslrootcert_points():
    """verify-full needs the RDS CA bundle in the image (AWS RDS UsingWithRDS.SSL.html); the app user
    (uid 10001) must be able to read it."""
    from components.database import DEFAULT_CA_BUNDLE_PATH

    dockerfile = (PROJECT_ROOT / "app" / "Dockerfile").read_text().splitlines()
    assert (
        "ADD --chmod=644 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem "
        f"{DEFAULT_CA_BUNDLE_PATH}"
    ) in dockerfile
