"""The transition matrix: documented changes to a running stack, each applied both ways (A -> B and
B -> A) over the fixture stacks, judged in ``pulumi up``'s order by plan/transition.py (and listed by
plan/changes.py). Each must apply cleanly or be refused by config with the steps.

A pair that fails today because of a finding being fixed elsewhere is a strict xfail whose reason is
the exact finding the checker reports (kind and key): when the fix lands the xfail turns red and its
mark is removed. The list is the documented changes, not the ones that pass.
"""

import copy
import itertools
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from plan import changes, graph, transition
from plan.stack_files import read_yaml
from tests.support.fixture_stacks import FIXTURES

DELETE = "<delete>"
Edit = tuple[tuple[tuple[str, ...], str], ...]
"""``((path, JSON value), ...)``: set ``config[path]`` to the value (``DELETE`` removes it); hashable,
so each edited stack is captured once per process."""

ADMIN_IMAGE = "ghcr.io/example/admin:1.0.0"
CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Change:
    """A documented change: the fixture ``stack`` edited as ``a`` and as ``b``."""

    name: str
    stack: str
    a: Edit
    b: Edit


def _apply(config: dict[str, Any], edit: Edit) -> dict[str, Any]:
    config = copy.deepcopy(config)
    for path, value in edit:
        *parents, last = path
        node = config
        for part in parents:
            node = node.setdefault(part, {})
        if value == DELETE:
            node.pop(last, None)
        else:
            node[last] = json.loads(value)
    return config


@cache
def _fixture_config(stack: str) -> dict[str, Any]:
    return read_yaml(FIXTURES / f"Pulumi.{stack}.yaml")["config"]


@cache
def graph_of(stack: str, edit: Edit) -> graph.Graph:
    """The fixture stack with ``edit`` applied, captured through the memoized runs (overrides of the
    top-level keys the edit touches)."""
    original = _fixture_config(stack)
    edited = _apply(original, edit)
    overrides = {k: edited.get(k) for k in set(original) | set(edited) if original.get(k) != edited.get(k)}
    return graph.capture(stack, FIXTURES, overrides=overrides)


def _s(*path: str) -> tuple[str, ...]:
    return ("webstack:" + path[0], *path[1:])


def _set(path: str, value: Any) -> tuple[tuple[str, ...], str]:
    """One step of an edit: ``edge.kind`` (a dotted path under ``webstack:``) set to ``value``."""
    return _s(*path.split(".")), json.dumps(value)


def _drop(path: str) -> tuple[tuple[str, ...], str]:
    return _s(*path.split(".")), DELETE


NONE: Edit = ()
CHANGES = [
    Change(
        "http <-> https (certificate)", "example-dev", NONE, (_set("edge", {"certificateArn": CERTIFICATE}),)
    ),
    Change(
        "http <-> https (domain)",
        "example-dev",
        NONE,
        (_set("domain", {"zone": "example.com", "host": "dev.example.com"}),),
    ),
    Change(
        "edge.kind alb <-> apigateway (prod)",
        "example-prod",
        NONE,
        (_set("edge.kind", "apigateway"), _drop("edge.certificateArn")),
    ),
    Change("edge.kind alb <-> apigateway (dev)", "example-dev", NONE, (_set("edge.kind", "apigateway"),)),
    Change("cluster.compute fargate <-> ec2", "example-dev", NONE, (_set("cluster.compute", "ec2"),)),
    Change("natMode single <-> per_az", "cheap-dev", NONE, (_set("network.natMode", "per_az"),)),
    Change(
        "natMode none <-> single",
        "private-dev",
        NONE,
        (_set("network.natMode", "single"), _set("network.interfaceEndpoints", False)),
    ),
    Change(
        "add <-> remove a database", "data-dev", (_drop("databases"), _drop("services.web.database")), NONE
    ),
    Change("add <-> remove a cache", "data-prod", (_drop("caches"), _drop("services.api.cache")), NONE),
    Change(
        "add <-> remove a queue",
        "workers-dev",
        (_drop("queues"), _drop("services.worker.autoscaling")),
        NONE,
    ),
    Change(
        "add <-> remove a bucket",
        "data-dev",
        (_drop("buckets"), _drop("services.web.buckets")),
        NONE,
    ),
    Change(
        "add <-> remove a bucket (prod)",
        "data-prod",
        (_drop("buckets"), _drop("services.web.buckets"), _drop("services.api.buckets")),
        NONE,
    ),
    Change("a service starts <-> stops using a bucket", "data-prod", (_drop("services.web.buckets"),), NONE),
    Change(
        "add <-> remove a volume",
        "workers-dev",
        (_drop("volumes"), _drop("services.web.volumes"), _drop("services.worker.volumes")),
        NONE,
    ),
    Change(
        "a service starts <-> stops mounting a volume",
        "workers-dev",
        (_drop("services.worker.volumes"),),
        NONE,
    ),
    Change(
        "add <-> remove a service",
        "example-dev",
        NONE,
        (
            _set(
                "services.admin",
                {"image": ADMIN_IMAGE, "port": 8081, "routing": {"pathPatterns": ["/admin/*"]}},
            ),
        ),
    ),
    Change("add <-> remove an extra port", "workers-dev", (_drop("services.api.extraPorts"),), NONE),
    Change("add <-> remove the static site", "frontdoor-prod", (_drop("static"),), NONE),
    Change("add <-> remove the WAF", "example-dev", NONE, (_set("waf", {"enabled": True}),)),
    Change(
        "PostgreSQL major version 16 <-> 17",
        "data-dev",
        (_set("databases.main.engineVersion", "16"),),
        (_set("databases.main.engineVersion", "17"),),
    ),
    Change(
        "prod PostgreSQL 16 -> 17 without applyImmediately",
        "data-prod",
        (_set("databases.main.engineVersion", "16"),),
        (_set("databases.main.engineVersion", "17"),),
    ),
    Change(
        "DB instance class",
        "data-dev",
        (_set("databases.main.instanceClass", "db.t4g.micro"),),
        (_set("databases.main.instanceClass", "db.t4g.small"),),
    ),
    Change("a service's port", "example-dev", NONE, (_set("services.web.port", 8081),)),
    Change(
        "a worker <-> an HTTP service",
        "example-dev",
        NONE,
        (_drop("services.api.port"), _drop("services.api.routing"), _drop("services.api.healthCheckPath")),
    ),
    Change("calls on <-> off", "workers-dev", NONE, (_drop("services.web.calls"),)),
    Change("add <-> remove a release task", "data-dev", (_drop("services.web.release"),), NONE),
    Change(
        "a release task's command",
        "data-dev",
        NONE,
        (_set("services.web.release", {"command": ["python", "server.py", "migrate", "--verbose"]}),),
    ),
    # Scheduled-only jobs (webstack:jobs): adding one to a running stack with an alarm topic also
    # widens the topic's and the key's policies (in place); removing it narrows them after the rule is
    # gone. A job's schedule and size change in place (new task definition revision, same schedule).
    Change("add <-> remove a job", "data-prod", (_drop("jobs"),), NONE),
    Change(
        "a job's schedule and size",
        "data-prod",
        NONE,
        (
            _set("jobs.report.schedule", "rate(6 hours)"),
            _set("jobs.report.cpu", 1024),
            _set("jobs.report.memory", 2048),
        ),
    ),
    # A running service changes its deployment strategy in place (docs/deployments.md).
    Change(
        "deployment rolling <-> blue_green",
        "example-dev",
        NONE,
        (_set("services.web.deployment", {"strategy": "blue_green", "bakeTimeMinutes": 5}),),
    ),
    Change(
        "deployment rolling <-> canary",
        "example-dev",
        NONE,
        (_set("services.web.deployment", {"strategy": "canary", "canary": {"percent": 10}}),),
    ),
    Change(
        "deployment rolling <-> linear",
        "example-dev",
        NONE,
        (_set("services.web.deployment", {"strategy": "linear"}),),
    ),
    # Backups on a running stack (docs/data-and-backups.md): turning them on applies; turning them off
    # would delete a vault that holds recovery points (and, in prod, its lock), which AWS refuses.
    Change("backups off <-> on (dev)", "data-dev", NONE, (_set("backup", {"enabled": True}),)),
    Change("backups on <-> off (prod)", "data-prod", NONE, (_set("backup.enabled", False),)),
    # The check's function, roles and network path come and go; the service updates in place
    # (components/service/pre_traffic.py, docs/deployments.md "Pre-traffic check").
    Change(
        "add <-> remove a pre-traffic check",
        "frontdoor-prod",
        (_drop("services.web.deployment.preTrafficCheck"),),
        NONE,
    ),
    Change(
        "deployment blue_green <-> rolling (prod)",
        "example-prod",
        NONE,
        (_set("services.web.deployment", {"strategy": "rolling"}),),
    ),
]
"""The documented day-two changes (docs/changing-a-running-stack.md)."""

KNOWN: dict[tuple[str, str], str] = {}
"""(change name, ``a->b`` or ``b->a``) -> a finding it shows today, ``kind [key]`` (strict xfail; the
fix that makes the pair pass removes its entry)."""

REFUSED: dict[tuple[str, str], str | tuple[str, ...]] = {
    # Prod waits for the maintenance window: the old parameter group would still be in use at its delete.
    ("prod PostgreSQL 16 -> 17 without applyImmediately", "a->b"): "refused-update [engineVersion 16 -> 17]",
    ("prod PostgreSQL 16 -> 17 without applyImmediately", "b->a"): "refused-update [engineVersion 17 -> 16]",
    # Inherently two steps: the internal load balancer (ForceNew `internal`) is replaced while prod's
    # deletion protection is on; config cannot see the previous state, so plan --compare refuses it.
    ("edge.kind alb <-> apigateway (prod)", "a->b"): "undeletable [enableDeletionProtection=true]",
    ("edge.kind alb <-> apigateway (prod)", "b->a"): "undeletable [enableDeletionProtection=true]",
    # ECS refuses to drop a capacity provider that services still run on, and Pulumi updates the
    # cluster's list before the services that depend on it: one deploy with compute: fargate and
    # cluster.ec2 kept, then one without cluster.ec2.
    ("cluster.compute fargate <-> ec2", "b->a"): "ordering [webstack-example-dev-ec2]",
    # A prod store is protected: removing it is a decision made outside the stack file (snapshot,
    # `pulumi state unprotect`, then the removal), never a side effect of an edit.
    ("add <-> remove a cache", "b->a"): "undeletable [protect]",
    # A prod bucket is protected (and retained): removing it is the documented procedure of
    # docs/app-storage.md (empty it, `pulumi state unprotect`, then the removal), never an edit alone.
    ("add <-> remove a bucket (prod)", "b->a"): "undeletable [protect]",
    # RDS has no downgrade: the way back is a restore.
    ("PostgreSQL major version 16 <-> 17", "b->a"): "refused-update [engineVersion 17 -> 16]",
    # A vault that holds recovery points cannot be deleted (and the deploy role cannot delete them);
    # prod's lock cannot be lifted by the deploy role either: the plan says so, with the steps.
    ("backups off <-> on (dev)", "b->a"): "undeletable [forceDestroy=false]",
    ("backups on <-> off (prod)", "a->b"): (
        "undeletable [forceDestroy=false]",
        "undeletable [minRetentionDays=7]",
    ),
}
"""Changes that can never apply in one `pulumi up`: ``plan --compare`` refuses them with the steps."""


def _params() -> list[Any]:
    found = []
    for change in CHANGES:
        for direction in ("a->b", "b->a"):
            reason = KNOWN.get((change.name, direction))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            found.append(pytest.param(change, direction, marks=marks, id=f"{change.name}: {direction}"))
    return found


BY_NAME = {change.name: change for change in CHANGES}


def _graphs(change: Change, direction: str) -> tuple[graph.Graph, graph.Graph]:
    a, b = graph_of(change.stack, change.a), graph_of(change.stack, change.b)
    return (a, b) if direction == "a->b" else (b, a)


def _verdict(change: Change, direction: str) -> list[str]:
    """``kind [key]`` of each blocking finding."""
    return [f"{f.kind} [{f.key}]" for f in transition.blocking(transition.judge(*_graphs(change, direction)))]


@pytest.mark.parametrize(("change", "direction"), _params())
def test_each_documented_change_applies_cleanly_in_both_directions_or_is_refused_with_the_steps(
    change: Change, direction: str
):
    verdict = _verdict(change, direction)
    refused = REFUSED.get((change.name, direction), ())
    expected = (refused,) if isinstance(refused, str) else refused
    for finding in expected:
        assert finding in verdict
    assert [finding for finding in verdict if finding not in expected] == []


@pytest.mark.parametrize(("name", "direction"), sorted(KNOWN))
def test_the_checker_reports_the_real_problem_of_each_pair_that_fails_today(name: str, direction: str):
    assert KNOWN[(name, direction)] in _verdict(BY_NAME[name], direction)


@pytest.mark.parametrize(("name", "direction"), sorted(REFUSED))
def test_a_change_that_cannot_apply_in_one_up_is_refused_with_the_steps(name: str, direction: str):
    findings = transition.judge(*_graphs(BY_NAME[name], direction))
    expected = REFUSED[(name, direction)]
    for wanted in (expected,) if isinstance(expected, str) else expected:
        refused = next(f for f in findings if f"{f.kind} [{f.key}]" == wanted)
        assert "pulumi up" in refused.fix or "restore" in refused.fix


LEAVING_TRAFFIC_SHIFT = [
    ("deployment rolling <-> blue_green", "b->a", "BLUE_GREEN"),
    ("deployment rolling <-> canary", "b->a", "CANARY"),
    ("deployment rolling <-> linear", "b->a", "LINEAR"),
    ("deployment blue_green <-> rolling (prod)", "a->b", "BLUE_GREEN"),
]


@pytest.mark.parametrize(("name", "direction", "strategy"), LEAVING_TRAFFIC_SHIFT)
def test_leaving_a_traffic_shifting_strategy_applies_but_names_the_step_to_take_before(
    name: str, direction: str, strategy: str
):
    """The production rule's weights are ECS's (ignore_changes), so the change cannot see them: the
    compare report says how to put production back on edge-tg-* first (a notice, not a stop)."""
    findings = transition.judge(*_graphs(BY_NAME[name], direction))
    (notice,) = [f for f in findings if f.kind == "precondition"]
    assert notice.key == f"strategy {strategy} -> ROLLING"
    assert notice.resources == ("ecs:Service web-service",)
    assert "--force-new-deployment" in notice.fix and "pulumi up" in notice.fix
    assert not notice.blocking


@pytest.mark.parametrize("name", [n for n, _, _ in LEAVING_TRAFFIC_SHIFT])
def test_moving_to_a_traffic_shifting_strategy_needs_no_step_and_replaces_nothing(name: str):
    direction = "b->a" if name.endswith("(prod)") else "a->b"
    before, after = _graphs(BY_NAME[name], direction)
    assert [f for f in transition.judge(before, after) if f.kind == "precondition"] == []
    replaced = [c for c in changes.resource_changes(before, after) if c.action == "replace"]
    assert replaced == []


def test_a_change_and_its_reverse_list_the_same_resources_added_and_removed_the_other_way():
    change = CHANGES[0]
    forward = changes.resource_changes(*_graphs(change, "a->b"))
    backward = changes.resource_changes(*_graphs(change, "b->a"))
    added = {(c.type, c.name) for c in forward if c.action == "add"}
    removed = {(c.type, c.name) for c in backward if c.action == "remove"}
    assert added and added == removed


@dataclass(frozen=True)
class Procedure:
    """A documented change that takes several ``pulumi up``s: each step must apply cleanly."""

    name: str
    stack: str
    steps: tuple[Edit, ...]


PROCEDURES = [
    Procedure(
        "prod PostgreSQL major upgrade",
        "data-prod",
        (
            (_set("databases.main.engineVersion", "16"),),
            (_set("databases.main.engineVersion", "17"), _set("databases.main.applyImmediately", True)),
            (_set("databases.main.engineVersion", "17"),),
        ),
    ),
    Procedure(
        "ec2 -> fargate in two deploys",
        "example-dev",
        (
            (_set("cluster.compute", "ec2"), _set("cluster.ec2", {})),
            (_set("cluster.compute", "fargate"), _set("cluster.ec2", {})),
            NONE,
        ),
    ),
    Procedure(
        "prod edge.kind alb -> apigateway in three deploys",
        "example-prod",
        (
            NONE,
            (_set("edge.deletionProtection", False),),
            (
                _set("edge.deletionProtection", False),
                _set("edge.kind", "apigateway"),
                _drop("edge.certificateArn"),
            ),
            (_set("edge.kind", "apigateway"), _drop("edge.certificateArn")),
        ),
    ),
    Procedure(
        "prod edge.kind apigateway -> alb in three deploys",
        "example-prod",
        (
            (_set("edge.kind", "apigateway"), _drop("edge.certificateArn")),
            (
                _set("edge.deletionProtection", False),
                _set("edge.kind", "apigateway"),
                _drop("edge.certificateArn"),
            ),
            (_set("edge.deletionProtection", False),),
            NONE,
        ),
    ),
]
"""The documented multi-step procedures for the changes REFUSED in one step."""


@pytest.mark.parametrize("procedure", PROCEDURES, ids=lambda p: p.name)
def test_each_documented_procedure_applies_cleanly_step_by_step(procedure: Procedure):
    graphs = [graph_of(procedure.stack, step) for step in procedure.steps]
    verdicts = {
        f"step {i + 1}": [f"{f.kind} [{f.key}]" for f in transition.blocking(transition.judge(before, after))]
        for i, (before, after) in enumerate(itertools.pairwise(graphs))
    }
    assert verdicts == {step: [] for step in verdicts}


PAGE = FIXTURES.parents[1] / "docs" / "changing-a-running-stack.md"


def test_every_change_and_procedure_of_the_matrix_is_documented_on_the_changing_a_running_stack_page():
    """The page's table names each pair and procedure exactly (`<name>` in backticks), so a change
    added here without its steps for users fails, and so does a documented row the matrix lost."""
    documented = set(re.findall(r"^\| `([^`]+)` \|", PAGE.read_text(), re.M))
    assert documented == {c.name for c in CHANGES} | {p.name for p in PROCEDURES}


@pytest.mark.parametrize("direction", ["a->b", "b->a"])
def test_adding_or_removing_a_pre_traffic_check_updates_the_service_in_place_and_replaces_nothing(
    direction: str,
):
    """The check's ten resources (with the internet-facing load balancer, its path to the EC2 API) are
    added or removed; web-service only updates its lifecycle hooks (``deployment_configuration`` is not
    ForceNew: terraform-provider-aws ecs/service.go)."""
    found = changes.resource_changes(*_graphs(BY_NAME["add <-> remove a pre-traffic check"], direction))
    assert [c for c in found if c.action == "replace"] == []
    moved = {(c.name, c.action) for c in found if c.action in ("add", "remove")}
    action = "add" if direction == "a->b" else "remove"
    assert moved == {
        (name, action)
        for name in (
            "web-pre-traffic-sg",
            "web-pre-traffic-out-8443",
            "web-pre-traffic-in-8443",
            "web-pre-traffic-to-ec2",
            "web-pre-traffic-logs",
            "web-pre-traffic-fn-role",
            "web-pre-traffic-policy",
            "web-pre-traffic-fn",
            "web-hook-role",
            "web-hook-policy",
        )
    }
    assert ("web-service", "update") in {(c.name, c.action) for c in found}


def test_changing_the_vault_locks_retention_bounds_is_refused_as_a_replaced_lock_in_both_directions():
    """terraform-provider-aws backup/vault_lock_configuration.go has no update (every argument ForceNew):
    the new lock is put on the same vault, then the old one's delete lifts it (and the deploy role may not
    delete it anyway). plan/replacement.py must know the type, or the compare says only ``update?``."""
    change = Change(
        "vault lock minimum 7 <-> 14 days (prod)",
        "data-prod",
        NONE,
        (_set("backup.lockMinRetentionDays", 14),),
    )
    for direction in ("a->b", "b->a"):
        verdict = _verdict(change, direction)
        assert "undeletable [minRetentionDays=7]" in verdict or "undeletable [minRetentionDays=14]" in verdict
        assert any(v.startswith("silent-removal [backup:VaultLockConfiguration") for v in verdict), verdict
