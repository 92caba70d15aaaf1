"""The Cache component on its own (built from its Args under the mock engine), and the bounds of the
``webstack:caches`` section that AWS imposes."""

import re
from typing import Any

import pulumi
import pytest

from components.cache import Cache, CacheArgs
from components.pure.guardrails import policy_statements
from plan.engine import Run, run_component
from stack.config import parse_settings
from tests.config.test_config import IMAGE, problems_of, raw

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SECRET = "aws:secretsmanager/secret:Secret"
IDENTIFIER = "webstack-test-cache-main"
REQUIRED: dict[str, Any] = {
    "store_name": "main",
    "identifier": IDENTIFIER,
    "vpc_id": "vpc-0123",
    "subnet_ids": ("subnet-a", "subnet-b"),
    "engine_version": "8.0",
}
MAX_SNAPSHOT_RETENTION_DAYS = 35
"""ElastiCache keeps automatic snapshots 0 (none) to 35 days (CreateReplicationGroup
SnapshotRetentionLimit)."""
SECRET_RECOVERY_WINDOW_DAYS = (7, 30)
"""Secrets Manager refuses a recovery window outside 7-30 days (DeleteSecret RecoveryWindowInDays)."""


class Built:
    """One Cache's recorded graph and what a service linked to it receives."""

    kind: str
    name: str
    port: int

    def __init__(self, **changes: Any) -> None:
        self.link: dict[str, Any] = {}

        def build() -> pulumi.Output[Any]:
            cache = Cache("cache-main", CacheArgs(**{**REQUIRED, **changes}))
            link = cache.link()
            self.kind, self.name, self.port = link.kind, link.name, link.port
            return pulumi.Output.all(
                environment=link.environment,
                secrets=link.secrets,
                security_group_id=link.security_group_id,
                secret_arn=link.secret_arn,
                key_arn=link.key_arn,
                address=cache.address,
                replication_group_id=cache.replication_group_id,
            ).apply(self.link.update)

        self.run: Run = run_component(build)
        self.component = self.run.named("cache-main")
        self.group = self.run.named("cache-main-valkey")
        self.key = self.run.named("cache-main-key")
        self.secret = self.run.named("cache-main-auth-token")
        self.token = self.run.named("cache-main-auth-token-value")
        self.password = self.run.named("cache-main-auth-token-random")
        self.subnets = self.run.named("cache-main-subnets")
        self.security_group = self.run.named("cache-main-sg")


def plain(value: Any) -> Any:
    """A secret input as the mock engine records it ({signature: ..., "value": v}) made plain."""
    return value["value"] if isinstance(value, dict) and "value" in value else value


@pytest.fixture(scope="module")
def replicated() -> Built:
    """What prod asks for: a replica, snapshots, a final snapshot and protection."""
    return Built(
        nodes=2,
        snapshot_retention_days=7,
        final_snapshot=True,
        protect=True,
        auth_token_version=3,
        tags={"Stack": "test"},
    )


@pytest.fixture(scope="module")
def single() -> Built:
    """What dev asks for: one node, no snapshots, nothing kept on deletion."""
    return Built(nodes=1, snapshot_retention_days=0, final_snapshot=False, protect=False)


# --- Shape and ownership ------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["replicated", "single"])
def test_a_cache_is_exactly_its_key_group_subnets_secret_token_value_and_replication_group(variant, request):
    built: Built = request.getfixturevalue(variant)
    assert sorted((r.type, r.name) for r in built.run.resources if r is not built.component) == [
        ("aws:ec2/securityGroup:SecurityGroup", "cache-main-sg"),
        ("aws:elasticache/replicationGroup:ReplicationGroup", "cache-main-valkey"),
        ("aws:elasticache/subnetGroup:SubnetGroup", "cache-main-subnets"),
        ("aws:kms/key:Key", "cache-main-key"),
        ("aws:secretsmanager/secret:Secret", "cache-main-auth-token"),
        ("aws:secretsmanager/secretVersion:SecretVersion", "cache-main-auth-token-value"),
        ("random:index/randomPassword:RandomPassword", "cache-main-auth-token-random"),
        *(
            [("random:index/randomString:RandomString", "cache-main-final-snapshot-suffix")]
            if variant == "replicated"
            else []
        ),
    ]
    assert built.component.type == "webstack:components:Cache"


@pytest.mark.parametrize("variant", ["replicated", "single"])
def test_every_child_of_a_cache_has_the_cache_as_its_parent(variant, request):
    built: Built = request.getfixturevalue(variant)
    children = [r for r in built.run.resources if r is not built.component]
    assert {r.name: r.parent for r in children} == {r.name: built.component.urn for r in children}
    assert len(built.run.children_of(built.component)) == (8 if variant == "replicated" else 7)


# --- Failover -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("nodes", [2, 3, 6])
def test_with_more_than_one_node_the_cache_fails_over_automatically_to_a_replica_in_another_zone(nodes):
    inputs = Built(nodes=nodes).group.inputs
    assert inputs["numCacheClusters"] == nodes
    assert inputs["automaticFailoverEnabled"] is True
    assert inputs["multiAzEnabled"] is True


def test_a_single_node_cache_neither_fails_over_nor_claims_multi_az(single: Built):
    inputs = single.group.inputs
    assert inputs["numCacheClusters"] == 1
    assert inputs["automaticFailoverEnabled"] is False
    assert inputs["multiAzEnabled"] is False


# --- Snapshots ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 1, 7, MAX_SNAPSHOT_RETENTION_DAYS])
def test_snapshot_retention_reaches_the_group_as_given_within_awss_0_to_35_days(days):
    limit = Built(snapshot_retention_days=days).group.inputs["snapshotRetentionLimit"]
    assert limit == days
    assert 0 <= limit <= MAX_SNAPSHOT_RETENTION_DAYS


def test_snapshots_are_taken_at_night_outside_the_sunday_maintenance_window(replicated: Built):
    inputs = replicated.group.inputs
    assert inputs["snapshotWindow"] == "01:00-02:00"
    assert inputs["maintenanceWindow"] == "sun:04:00-sun:05:00"


def test_a_final_snapshot_named_after_the_identifier_and_a_suffix_drawn_once_into_state_is_kept_on_deletion(
    replicated: Built,
):
    """ElastiCache names: a letter first, letters, digits and single hyphens, no trailing hyphen
    (CreateSnapshot SnapshotName); the suffix is a RandomString redrawn only when the identifier changes."""
    name = replicated.group.inputs["finalSnapshotIdentifier"]
    suffix = replicated.run.named("cache-main-final-snapshot-suffix")
    assert name == f"{IDENTIFIER}-final-{suffix.state['result']}"
    assert re.fullmatch(r"[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*", name), name
    assert suffix.inputs["keepers"] == {"identifier": IDENTIFIER}
    assert (suffix.inputs["length"], suffix.inputs["special"], suffix.inputs["upper"]) == (8, False, False)


def test_without_a_final_snapshot_the_group_names_none(single: Built):
    assert "finalSnapshotIdentifier" not in single.group.inputs


@pytest.mark.parametrize("variant", ["replicated", "single"])
def test_no_input_of_the_group_is_hidden_from_diffs_by_ignore_changes(variant, request):
    """The final snapshot's name is stable by construction (a suffix kept in state), not by ignoreChanges."""
    built: Built = request.getfixturevalue(variant)
    assert built.group.options["ignoreChanges"] == []


def test_a_protected_cache_refuses_deletion_and_an_unprotected_one_does_not(replicated: Built, single: Built):
    assert replicated.group.options["protect"] is True
    assert single.group.options["protect"] is False


# --- The AUTH token -----------------------------------------------------------------------------------


def test_the_auth_token_secret_can_be_recovered_for_30_days_the_longest_secrets_manager_accepts(
    replicated: Built,
):
    window = replicated.secret.inputs["recoveryWindowInDays"]
    lowest, highest = SECRET_RECOVERY_WINDOW_DAYS
    assert lowest <= window <= highest
    assert window == highest


def test_the_auth_token_secret_is_encrypted_with_the_caches_own_key(replicated: Built):
    inputs = replicated.secret.inputs
    assert inputs["kmsKeyId"] == replicated.key.state["arn"]
    assert inputs["description"] == "cache-main: the Valkey AUTH token"
    assert inputs["tags"] == {"Stack": "test", "Name": "cache-main-auth-token"}


def test_one_64_character_token_kept_in_state_goes_write_only_to_the_group_and_its_secret(replicated: Built):
    """A RandomPassword (letters and digits: AUTH allows 16-128 printable characters without @, " or /)
    is drawn once per version and kept in state, so cache and secret read the same value in every run."""
    group, value, password = replicated.group.inputs, replicated.token.inputs, replicated.password
    token = plain(value["secretStringWo"])
    assert re.fullmatch(r"[A-Za-z0-9]{64}", token)
    assert token == password.state["result"]
    assert plain(group["authTokenWo"]) == token
    assert (password.inputs["length"], password.inputs["special"]) == (64, False)
    assert password.inputs["keepers"] == {"authTokenVersion": "3"}
    assert value["secretId"] == replicated.secret.id
    assert "secretString" not in value and "authToken" not in group


def test_a_token_version_bump_rotates_so_old_and_new_tokens_both_work_while_services_roll(replicated: Built):
    """ModifyReplicationGroup AuthTokenUpdateStrategy: ROTATE adds the token, SET is allowed only after
    ROTATE (AWS API reference); the write-only versions move so the provider sends the new token."""
    group, value = replicated.group.inputs, replicated.token.inputs
    assert group["authTokenUpdateStrategy"] == "ROTATE"
    assert value["secretStringWoVersion"] == group["authTokenWoVersion"] == 6


def test_set_after_a_rotation_resends_the_same_token_under_a_new_group_version_and_leaves_the_secret_alone(
    replicated: Built,
):
    after = Built(nodes=2, auth_token_version=3, auth_token_strategy="SET")
    assert after.group.inputs["authTokenUpdateStrategy"] == "SET"
    assert after.group.inputs["authTokenWoVersion"] == replicated.group.inputs["authTokenWoVersion"] + 1
    assert after.token.inputs["secretStringWoVersion"] == replicated.token.inputs["secretStringWoVersion"]
    assert plain(after.group.inputs["authTokenWo"]) == plain(replicated.group.inputs["authTokenWo"])
    assert after.link["environment"] == replicated.link["environment"]


def test_a_new_token_version_draws_a_new_token_and_changes_the_linked_services_environment(replicated: Built):
    bumped = Built(nodes=2, auth_token_version=4)
    assert plain(bumped.group.inputs["authTokenWo"]) != plain(replicated.group.inputs["authTokenWo"])
    assert bumped.link["environment"]["CACHE_AUTH_TOKEN_VERSION"] == "4"
    assert replicated.link["environment"]["CACHE_AUTH_TOKEN_VERSION"] == "3"


def test_the_same_args_built_twice_give_the_same_token_and_snapshot_name():
    first, second = Built(nodes=2), Built(nodes=2)
    assert plain(first.group.inputs["authTokenWo"]) == plain(second.group.inputs["authTokenWo"])
    assert first.group.inputs["finalSnapshotIdentifier"] == second.group.inputs["finalSnapshotIdentifier"]


# --- The replication group ----------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "family"), [("8.0", "default.valkey8"), ("7.2", "default.valkey7")])
def test_the_group_runs_valkey_of_the_given_version_with_its_majors_default_parameter_group(version, family):
    inputs = Built(engine_version=version, node_type="cache.m7g.large").group.inputs
    assert (inputs["engine"], inputs["engineVersion"], inputs["parameterGroupName"]) == (
        "valkey",
        version,
        family,
    )
    assert inputs["nodeType"] == "cache.m7g.large"
    assert inputs["autoMinorVersionUpgrade"] is True


def test_the_group_is_encrypted_at_rest_with_the_caches_own_key_and_in_transit(replicated: Built):
    inputs = replicated.group.inputs
    assert inputs["atRestEncryptionEnabled"] is True
    assert inputs["kmsKeyId"] == replicated.key.state["arn"]
    assert inputs["transitEncryptionEnabled"] is True


def test_the_group_listens_on_6379_in_the_given_subnets_behind_only_the_caches_security_group(
    replicated: Built,
):
    inputs = replicated.group.inputs
    assert inputs["port"] == 6379
    assert inputs["subnetGroupName"] == replicated.subnets.id
    assert replicated.subnets.inputs["subnetIds"] == ["subnet-a", "subnet-b"]
    assert replicated.subnets.inputs["description"] == "cache-main: the isolated subnets"
    assert inputs["securityGroupIds"] == [replicated.security_group.id]
    assert inputs["description"] == "cache-main: Valkey for the services that declare it"


def test_the_security_group_is_in_the_given_vpc_and_has_no_rule_of_its_own(replicated: Built):
    inputs = replicated.security_group.inputs
    assert inputs["vpcId"] == "vpc-0123"
    assert inputs["description"] == "cache-main: in only from the services that use it, on 6379; no egress"
    assert "ingress" not in inputs and "egress" not in inputs


def test_the_caches_key_rotates_and_only_the_account_administers_it(replicated: Built):
    inputs = replicated.key.inputs
    assert inputs["enableKeyRotation"] is True and inputs["deletionWindowInDays"] == 30
    assert inputs["description"] == "cache-main: encrypts the main cache and its AUTH token"
    (statement,) = policy_statements(inputs["policy"])
    assert statement["Sid"] == "AccountAdministersTheKey" and statement["Effect"] == "Allow"
    assert statement["Action"] == ["kms:*"] and statement["Resource"] == ["*"]
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::111111111111:root"]}


def test_the_given_tags_reach_every_taggable_child_and_named_ones_get_a_name_tag(replicated: Built):
    tags = {r.name: r.inputs.get("tags") for r in replicated.run.resources if r.custom}
    assert tags == {
        "cache-main-sg": {"Stack": "test", "Name": "cache-main-sg"},
        "cache-main-key": {"Stack": "test", "Name": "cache-main-key"},
        "cache-main-subnets": {"Stack": "test"},
        "cache-main-auth-token": {"Stack": "test", "Name": "cache-main-auth-token"},
        "cache-main-valkey": {"Stack": "test"},
        "cache-main-auth-token-value": None,
        "cache-main-auth-token-random": None,
        "cache-main-final-snapshot-suffix": None,
    }


# --- The link a declaring service receives ------------------------------------------------------------


def test_a_linked_service_gets_the_primary_endpoint_port_tls_flag_and_the_token_secret(replicated: Built):
    link = replicated.link
    assert (replicated.kind, replicated.name, replicated.port) == ("cache", "main", 6379)
    assert link["environment"] == {
        "CACHE_HOST": link["address"],
        "CACHE_PORT": "6379",
        "CACHE_TLS": "true",
        "CACHE_AUTH_TOKEN_VERSION": "3",
    }
    assert link["address"].startswith("master.cache-main-valkey-id.")
    assert link["secrets"] == {"CACHE_AUTH_TOKEN": replicated.secret.state["arn"]}
    assert link["secret_arn"] == replicated.secret.state["arn"]
    assert link["key_arn"] == replicated.key.state["arn"]
    assert link["security_group_id"] == replicated.security_group.id
    assert link["replication_group_id"] == replicated.group.id


# --- Defaults -----------------------------------------------------------------------------------------


def test_a_cache_built_from_its_required_args_alone_is_one_micro_node_with_no_snapshots_but_a_final_one():
    built = Built()
    inputs = built.group.inputs
    assert (inputs["nodeType"], inputs["numCacheClusters"], inputs["snapshotRetentionLimit"]) == (
        "cache.t4g.micro",
        1,
        0,
    )
    assert inputs["automaticFailoverEnabled"] is False
    assert inputs["finalSnapshotIdentifier"].startswith(f"{IDENTIFIER}-final-")
    assert inputs["authTokenWoVersion"] == 2 and built.token.inputs["secretStringWoVersion"] == 2
    assert inputs["authTokenUpdateStrategy"] == "ROTATE"
    assert built.group.options["protect"] is False


# --- webstack:caches: the bounds AWS imposes ----------------------------------------------------------


def caches(environment: str, **cache: Any) -> dict[str, str]:
    return raw(
        environment,
        webstack__caches={"main": cache},
        webstack__services={"web": {"image": IMAGE, "port": 8080, "cache": "main"}},
    )


@pytest.mark.parametrize("days", [0, MAX_SNAPSHOT_RETENTION_DAYS])
def test_a_dev_cache_may_keep_snapshots_from_0_to_35_days(days):
    (cache,) = parse_settings(caches("dev", snapshotRetentionDays=days), "dev").caches
    assert cache.snapshot_retention_days == days


@pytest.mark.parametrize(("days", "reason"), [(-1, "at least 0"), (36, "at most 35")])
def test_snapshot_retention_outside_awss_0_to_35_days_is_refused_naming_the_key(days, reason):
    (problem,) = problems_of(caches("dev", snapshotRetentionDays=days))
    assert problem.startswith(
        f"webstack:caches.main.snapshotRetentionDays: got {days}, but it must be {reason}"
    )


@pytest.mark.parametrize(
    ("environment", "nodes", "days", "protect"), [("dev", 1, 0, False), ("prod", 2, 7, True)]
)
def test_caches_default_to_one_node_in_dev_and_a_protected_replicated_pair_with_snapshots_in_prod(
    environment, nodes, days, protect
):
    (cache,) = parse_settings(caches(environment), environment).caches
    assert (cache.nodes, cache.failover, cache.snapshot_retention_days, cache.protect) == (
        nodes,
        nodes > 1,
        days,
        protect,
    )
