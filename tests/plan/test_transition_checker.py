"""plan/transition.py on small hand-made graphs: each kind of finding fires on its minimal example and
not on its safe twin, and every provider type a fixture stack registers is judged by a key table row
or listed as having no physical key."""

from typing import Any

import pytest

from plan import graph, pairing, transition
from plan.transition_keys import KEYS, NO_PHYSICAL_KEY
from tests.support.fixture_stacks import FIXTURES

LISTENER = "aws:lb/listener:Listener"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
BUCKET = "aws:s3/bucket:Bucket"
DATABASE = "aws:rds/instance:Instance"
CAPACITY = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
SERVICE = "aws:ecs/service:Service"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/alb-id/0123abcd"


def res(type_: str, name: str, options: dict[str, Any] | None = None, /, **inputs: Any) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:t::webstack::{type_}::{name}",
        "type": type_,
        "name": name,
        "parent": None,
        "custom": True,
        "inputs": inputs,
        "options": options or {},
        "outputs": {"id": f"{name}-id", "arn": f"arn:aws:x:eu-west-1:111111111111:{name}-id"},
    }


def g(*resources: dict[str, Any]) -> graph.Graph:
    return {"format": graph.FORMAT, "stack": "t", "resources": list(resources)}


def kinds(before: graph.Graph, after: graph.Graph) -> list[tuple[str, str]]:
    return [(f.kind, f.key) for f in transition.judge(before, after)]


ALB = res(LOAD_BALANCER, "alb")


def test_a_listener_renamed_on_the_same_port_collides_with_the_old_one_until_the_delete_phase():
    before = g(ALB, res(LISTENER, "http", loadBalancerArn=LB_ARN, port=80))
    renamed = g(ALB, res(LISTENER, "http-redirect", loadBalancerArn=LB_ARN, port=80))
    assert kinds(before, renamed) == [("collision", "lb:Listener loadBalancerArn=alb port=80")]
    kept = g(ALB, res(LISTENER, "http", loadBalancerArn=LB_ARN, port=80, protocol="HTTP"))
    assert kinds(before, kept) == []


def test_a_renamed_listener_with_an_alias_to_its_old_urn_is_updated_in_place_not_recreated():
    old = res(LISTENER, "http", loadBalancerArn=LB_ARN, port=80)
    aliased = res(LISTENER, "http-redirect", {"aliases": [old["urn"]]}, loadBalancerArn=LB_ARN, port=80)
    assert kinds(g(ALB, old), g(ALB, aliased)) == []


def test_a_listener_on_a_replaced_load_balancer_takes_no_key_the_old_one_holds():
    before = g(ALB, res(LISTENER, "http", loadBalancerArn=LB_ARN, port=80))
    after = g(
        res(LOAD_BALANCER, "alb", internal=True), res(LISTENER, "http", loadBalancerArn=LB_ARN, port=80)
    )
    assert [k for k, _ in kinds(before, after)] == []


def test_a_named_resource_replaced_under_its_unchanged_name_collides_with_itself_unless_delete_first():
    before = g(res(LOG_GROUP, "logs", name="/app", logGroupClass="STANDARD"))
    after = g(res(LOG_GROUP, "logs", name="/app", logGroupClass="INFREQUENT_ACCESS"))
    findings = transition.judge(before, after)
    assert [(f.kind, f.key) for f in findings if f.blocking] == [
        ("collision", "cloudwatch:LogGroup name=/app"),
        ("data-loss", LOG_GROUP),
    ]
    assert "ForceNew" in findings[0].fix
    delete_first = g(
        res(LOG_GROUP, "logs", {"deleteBeforeReplace": True}, name="/app", logGroupClass="INFREQUENT_ACCESS")
    )
    assert [k for k, _ in kinds(before, delete_first)] == ["data-loss"]


def test_an_autonamed_resource_replaced_takes_a_fresh_name_and_collides_with_nothing():
    before = g(res(LOG_GROUP, "logs", logGroupClass="STANDARD"))
    after = g(res(LOG_GROUP, "logs", logGroupClass="INFREQUENT_ACCESS"))
    assert [k for k, _ in kinds(before, after)] == ["data-loss"]


def test_a_new_alarm_under_an_old_alarms_name_is_silently_removed_by_the_old_ones_delete():
    before = g(res(ALARM, "api-5xx", name="stack-api-5xx"))
    moved = g(res(ALARM, "api-alarm-5xx", name="stack-api-5xx"))
    assert kinds(before, moved) == [("silent-removal", "cloudwatch:MetricAlarm name=stack-api-5xx")]
    renamed_too = g(res(ALARM, "api-alarm-5xx", name="stack-api-5xx-rate"))
    assert kinds(before, renamed_too) == []


def test_a_deleted_load_balancer_with_deletion_protection_is_undeletable_and_the_fix_gives_two_steps():
    before = g(res(LOAD_BALANCER, "alb", enableDeletionProtection=True))
    (finding,) = transition.judge(before, g())
    assert (finding.kind, finding.key) == ("undeletable", "enableDeletionProtection=true")
    assert "webstack:edge.deletionProtection: false" in finding.fix
    assert kinds(g(res(LOAD_BALANCER, "alb", enableDeletionProtection=False)), g()) == []


def test_a_protected_resource_or_a_bucket_without_force_destroy_is_undeletable():
    assert ("undeletable", "protect") in kinds(g(res(LISTENER, "l", {"protect": True})), g())
    assert ("undeletable", "forceDestroy=false") in kinds(g(res(BUCKET, "b", forceDestroy=False)), g())
    assert [k for k, _ in kinds(g(res(BUCKET, "b", forceDestroy=True)), g())] == ["data-removed"]


def test_a_protected_bucket_is_undeletable_even_when_retained_and_a_retained_one_skips_s3s_guard():
    """The engine refuses a protected resource before it looks at retainOnDelete (pulumi
    pkg/resource/deploy/step.go, DeleteStep.Apply), so a prod app bucket's removal stops the update;
    a retained, unprotected bucket is never deleted in S3, so forceDestroy does not matter."""
    protected = g(res(BUCKET, "b", {"protect": True, "retainOnDelete": True}, forceDestroy=False))
    assert kinds(protected, g()) == [("undeletable", "protect"), ("orphaned", BUCKET)]
    retained = g(res(BUCKET, "b", {"retainOnDelete": True}, forceDestroy=False))
    assert kinds(retained, g()) == [("orphaned", BUCKET)]


def test_a_replaced_database_loses_its_data_a_removed_one_is_a_notice_and_a_retained_one_an_orphan():
    before = g(res(DATABASE, "db", engine="postgres"))
    assert kinds(before, g(res(DATABASE, "db", engine="mysql"))) == [("data-loss", DATABASE)]
    removed = transition.judge(before, g())
    assert [(f.kind, f.blocking) for f in removed] == [("data-removed", False)]
    retained = g(res(DATABASE, "db", {"retainOnDelete": True}, engine="postgres"))
    assert [(f.kind, f.blocking) for f in transition.judge(retained, g())] == [("orphaned", False)]


def test_a_capacity_provider_leaving_the_cluster_while_a_service_runs_on_it_is_an_ordering_finding():
    strategy = [{"capacityProvider": "ec2", "weight": 1}]
    fargate = [{"capacityProvider": "FARGATE", "weight": 1}]
    before = g(
        res(CAPACITY, "capacity", clusterName="c", capacityProviders=["FARGATE", "ec2"]),
        res(SERVICE, "api", capacityProviderStrategies=strategy),
    )
    after = g(
        res(CAPACITY, "capacity", clusterName="c", capacityProviders=["FARGATE"]),
        res(SERVICE, "api", capacityProviderStrategies=fargate),
    )
    assert kinds(before, after) == [("ordering", "ec2")]
    moved_first = g(
        res(CAPACITY, "capacity", clusterName="c", capacityProviders=["FARGATE", "ec2"]),
        res(SERVICE, "api", capacityProviderStrategies=fargate),
    )
    assert kinds(moved_first, after) == []


def test_a_security_group_replaced_while_a_service_keeps_running_is_an_ordering_finding():
    service = res(SERVICE, "api", networkConfiguration={"securityGroups": ["api-sg-id"]})
    before = g(res(GROUP, "api-sg", description="port 80", vpcId="vpc"), service)
    after = g(res(GROUP, "api-sg", description="port 81", vpcId="vpc"), service)
    assert kinds(before, after) == [("ordering", "api-sg")]
    assert (
        kinds(before, g(res(GROUP, "api-sg", description="port 80", vpcId="vpc", tags={"a": "b"}), service))
        == []
    )


def test_a_major_engine_upgrade_needs_allow_major_version_upgrade_and_a_downgrade_is_refused():
    v16, v17 = res(DATABASE, "db", engineVersion="16"), res(DATABASE, "db", engineVersion="17")
    assert kinds(g(v16), g(v17)) == [("refused-update", "engineVersion 16 -> 17")]
    allowed = res(DATABASE, "db", engineVersion="17", allowMajorVersionUpgrade=True, applyImmediately=True)
    assert kinds(g(v16), g(allowed)) == []
    allowed_down = res(DATABASE, "db", engineVersion="16", allowMajorVersionUpgrade=True)
    (down,) = transition.judge(g(v17), g(allowed_down))
    assert (down.kind, down.key) == ("refused-update", "engineVersion 17 -> 16")
    assert "cannot downgrade" in down.detail and "restore a snapshot" in down.fix


def test_a_new_vpc_cidr_is_refused_with_the_new_stack_procedure():
    before = g(res("aws:ec2/vpc:Vpc", "vpc", cidrBlock="10.0.0.0/16"))
    after = g(res("aws:ec2/vpc:Vpc", "vpc", cidrBlock="10.1.0.0/16"))
    (finding,) = transition.judge(before, after)
    assert (finding.kind, finding.key) == ("refused-update", "cidrBlock 10.0.0.0/16 -> 10.1.0.0/16")
    assert "new stack" in finding.fix
    assert transition.judge(before, before) == []


def test_a_cache_version_going_down_replaces_it_and_loses_its_data_while_going_up_is_an_update():
    group = "aws:elasticache/replicationGroup:ReplicationGroup"
    v8, v72 = res(group, "cache", engineVersion="8.0"), res(group, "cache", engineVersion="7.2")
    assert kinds(g(v8), g(v72)) == [("data-loss", "engineVersion 8.0 -> 7.2")]
    assert kinds(g(v72), g(v8)) == []


def test_a_major_upgrade_left_for_the_maintenance_window_is_refused_with_the_two_steps():
    """The old parameter group is deleted at the end of `pulumi up` while the instance, whose upgrade
    waits for the window, is still a member of it
    (RDS DeleteDBParameterGroup: InvalidDBParameterGroupState)."""
    v16 = res(DATABASE, "db", engineVersion="16", allowMajorVersionUpgrade=True)
    waiting = res(DATABASE, "db", engineVersion="17", allowMajorVersionUpgrade=True, applyImmediately=False)
    (finding,) = transition.judge(g(v16), g(waiting))
    assert (finding.kind, finding.key) == ("refused-update", "engineVersion 16 -> 17")
    assert "maintenance window" in finding.detail and "applyImmediately: true" in finding.fix


def test_a_graph_compared_with_itself_applies_cleanly():
    before = g(
        ALB, res(LISTENER, "http", loadBalancerArn=LB_ARN, port=80), res(DATABASE, "db", identifier="x")
    )
    assert transition.judge(before, before) == []
    assert transition.render([])[1].startswith("  applies cleanly")


@pytest.fixture(scope="module")
def registered_types() -> set[str]:
    return {
        resource["type"]
        for stack in graph.stacks(FIXTURES)
        for resource in graph.capture(stack, FIXTURES)["resources"]
        if resource["custom"]
    }


def test_every_provider_type_a_fixture_stack_registers_has_a_physical_key_or_is_listed_as_keyless(
    registered_types,
):
    unjudged = sorted(t for t in registered_types if t not in KEYS and t not in NO_PHYSICAL_KEY)
    assert unjudged == [], "add each to plan/transition_keys.py KEYS or NO_PHYSICAL_KEY, with its evidence"
    assert not set(KEYS) & set(NO_PHYSICAL_KEY)


def test_the_keys_an_aliased_resource_may_match_include_its_own_for_every_fixture_resource():
    """The SDK's URN rule (parent type $ type), so an alias that changes only the name or type is
    matched; the engine-modelled docker-build child of awsx.ecr.Image follows awsx's rule instead."""
    captured = graph.capture("reference-apigw-ec2", FIXTURES)
    by_urn = {r["urn"]: r for r in captured["resources"]}
    missing = [
        r["urn"]
        for r in captured["resources"]
        if pairing.key(r["urn"]) not in pairing.alias_keys(r, by_urn) and not r["options"].get("modelled")
    ]
    assert missing == []


TARGET = "aws:appautoscaling/target:Target"


def test_a_renamed_service_takes_a_scaling_target_key_of_its_own_not_the_old_services():
    """Application Auto Scaling keys a target by namespace, ``resourceId`` (``service/<cluster>/<service>``)
    and dimension (RegisterScalableTarget); the new service's target is another key, so deleting the old
    service's target removes nothing the new one registered."""

    def target(name: str, service: str) -> dict[str, Any]:
        return res(
            TARGET,
            f"{name}-scaling",
            serviceNamespace="ecs",
            resourceId=f"service/cluster-ecs-id/{service}-id",
            scalableDimension="ecs:service:DesiredCount",
        )

    cluster = res("aws:ecs/cluster:Cluster", "cluster-ecs")
    worker, processor = res(SERVICE, "worker-service"), res(SERVICE, "processor-service")
    before = g(cluster, worker, target("worker", "worker-service"))
    renamed = g(cluster, processor, target("processor", "processor-service"))
    assert [k for k, _ in kinds(before, renamed)] == []
    same_service = g(cluster, worker, target("processor", "worker-service"))
    assert kinds(before, same_service) == [
        (
            "silent-removal",
            "appautoscaling:Target serviceNamespace=ecs resourceId=cluster-ecs/worker-service "
            "scalableDimension=ecs:service:DesiredCount",
        )
    ]
