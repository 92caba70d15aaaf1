"""Changing a running stack's front door, both ways: HTTP <-> HTTPS and ``edge.kind`` alb <-> apigateway.

Each test plans the fixture stack before and after the change and applies ``pulumi up``'s order to the
two graphs: resources are matched by URN or alias (the same resource), a matched resource whose ForceNew
input changes is replaced (plan/replacement.py; a replacement also changes every ARN it had, so what
names that ARN in a ForceNew input is replaced too), and replacements are created before the old
resource is deleted unless ``deleteBeforeReplace``. AWS then refuses:

* a listener created on a load balancer + port an old listener still holds (``DuplicateListener``);
* a rule created at a listener + priority an old rule still holds (``PriorityInUse``);
* a target group joined to a second load balancer while the first still uses it
  (``TargetGroupAssociationLimit``; terraform-provider-aws issue 22005);
* an explicit name of a load balancer or target group an old one still holds;
* deleting a load balancer with deletion protection on (``OperationNotPermitted``).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from plan import replacement
from plan.engine import Recorded, Run, run_stack
from stack.edge import UNPROTECTED_PROD_WARNING

STACKS = Path(__file__).parents[1] / "stacks"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
BUCKET = "aws:s3/bucket:Bucket"
CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
PROD_CERTIFICATE = CERTIFICATE.replace("111111111111", "222222222222")
"""Pulumi.example-prod.yaml's."""


def _references(resource: Recorded) -> set[str]:
    return {str(resource.id), *(str(resource.state[k]) for k in ("arn", "id") if resource.state.get(k))}


@dataclass
class Transition:
    """One ``pulumi up`` from the ``before`` graph to the ``after`` graph."""

    before: Run
    after: Run
    old: dict[str, Recorded] = field(init=False)
    """New URN -> the old resource it is (same URN, or an alias)."""
    replaced: set[str] = field(init=False)
    """New URNs of matched resources that are replaced."""

    def __post_init__(self) -> None:
        olds = {r.urn: r for r in self.before.resources}
        self.old = {}
        for new in self.after.resources:
            match = next((olds[u] for u in (new.urn, *new.options.get("aliases", [])) if u in olds), None)
            if match is not None:
                self.old[new.urn] = match
        self.replaced = set()
        while True:  # a replacement changes the ARN every dependent names: to a fixed point
            gone = {ref for urn in self.replaced for ref in _references(self.old[urn])}
            more = {
                new.urn
                for new in self.after.resources
                if new.urn in self.old and new.urn not in self.replaced and self._replaces(new, gone)
            }
            if not more:
                break
            self.replaced |= more

    def _replaces(self, new: Recorded, gone: set[str]) -> bool:
        old = self.old[new.urn]
        if replacement.replacing_changes(new.type, old.inputs, new.inputs):
            return True
        pointing = [k for k, v in new.inputs.items() if any(ref in json.dumps(v) for ref in gone)]
        return bool(replacement.forcing(new.type, pointing))

    @property
    def created(self) -> list[Recorded]:
        """New resources, and the new halves of replacements."""
        return [r for r in self.after.resources if r.urn not in self.old or r.urn in self.replaced]

    @property
    def deleted(self) -> list[Recorded]:
        """Old resources that go: unmatched ones and the old halves of replacements."""
        kept = {self.old[urn].urn for urn in self.old if urn not in self.replaced}
        return [r for r in self.before.resources if r.urn not in kept]

    def identity(self, new: Recorded) -> str:
        """The old URN of a matched resource, else the new one (a new resource)."""
        return self.old[new.urn].urn if new.urn in self.old else new.urn

    def _held(self, new: Recorded) -> bool:
        """Whether the old half of ``new`` still exists when ``new`` is created."""
        return not (new.urn in self.replaced and new.options.get("deleteBeforeReplace"))

    def _by_reference(self, run: Run, value: Any) -> Recorded | None:
        return next((r for r in run.resources if r.custom and str(value) in _references(r)), None)

    def collisions(self) -> list[str]:
        """Every create AWS refuses because an old resource still holds its key."""
        found = []
        deleted = {r.urn for r in self.deleted}
        keys = ((LISTENER, "loadBalancerArn", "port"), (RULE, "listenerArn", "priority"))
        for kind, key_input, slot in keys:
            holders = {}
            for old in (r for r in self.before.resources if r.type == kind and r.urn in deleted):
                owner = self._by_reference(self.before, old.inputs[key_input])
                holders[(owner.urn if owner else None, old.inputs[slot])] = old
            for new in (r for r in self.created if r.type == kind):
                owner = self._by_reference(self.after, new.inputs[key_input])
                if owner is None or owner.urn not in self.old or owner.urn in self.replaced:
                    continue  # on a new parent: nothing holds the key
                holder = holders.get((self.old[owner.urn].urn, new.inputs[slot]))
                if holder is not None and (holder.urn != self.identity(new) or self._held(new)):
                    found.append(f"{new.name}: {slot} {new.inputs[slot]} still held by {holder.name}")
        found += self._second_load_balancer()
        for new in (r for r in self.created if r.type in (LOAD_BALANCER, TARGET_GROUP)):
            if new.inputs.get("name") and any(
                old.type == new.type and old.inputs.get("name") == new.inputs["name"]
                for old in self.before.resources
            ):
                found.append(f"{new.name}: name {new.inputs['name']} still held")
        return found

    def _second_load_balancer(self) -> list[str]:
        """A kept target group forwarded to from a new load balancer while an old rule on the old one
        still forwards to it."""
        found = []
        for new in (r for r in self.created if r.type == RULE):
            group = self._by_reference(self.after, new.inputs["actions"][0]["targetGroupArn"])
            if group is None or group.urn not in self.old or group.urn in self.replaced:
                continue
            old_arn = self.old[group.urn].state["arn"]
            still = [
                old.name
                for old in self.before.resources
                if old.type == RULE
                and old.inputs["actions"][0].get("targetGroupArn") == old_arn
                and (old.urn != self.identity(new) or self._held(new))
            ]
            if still and self._load_balancer_of(new) in self.replaced:
                found.append(f"{new.name}: {group.name} is still used by {still} on the old load balancer")
        return found

    def _load_balancer_of(self, rule: Recorded) -> str | None:
        listener = self._by_reference(self.after, rule.inputs["listenerArn"])
        owner = self._by_reference(self.after, listener.inputs["loadBalancerArn"]) if listener else None
        return owner.urn if owner else None

    def undeletable(self) -> list[str]:
        """Load balancers deleted (or replaced) while their deletion protection is on."""
        return [
            r.name
            for r in self.deleted
            if r.type == LOAD_BALANCER and r.inputs.get("enableDeletionProtection") is True
        ]

    def replaced_names(self, type_: str) -> list[str]:
        return sorted(r.name for r in self.after.resources if r.urn in self.replaced and r.type == type_)


def plan(stack: str, edge: dict[str, Any] | None = None) -> Run:
    return run_stack(stack, {"webstack:edge": edge} if edge is not None else None, root=STACKS)


def both_ways(a: Run, b: Run) -> list[Transition]:
    return [Transition(a, b), Transition(b, a)]


@pytest.fixture(scope="module")
def dev_http() -> Run:
    return plan("example-dev")


@pytest.fixture(scope="module")
def dev_https() -> Run:
    return plan("example-dev", {"certificateArn": CERTIFICATE})


@pytest.fixture(scope="module")
def dev_api() -> Run:
    return plan("example-dev", {"kind": "apigateway"})


def test_http_to_https_and_back_updates_the_one_port_80_listener_and_collides_on_nothing(dev_http, dev_https):
    for change in both_ways(dev_http, dev_https):
        (port_80,) = [r for r in change.after.of_type(LISTENER) if r.inputs["port"] == 80]
        assert port_80.name == "edge-http"
        assert port_80.urn in change.old and port_80.urn not in change.replaced
        assert change.replaced_names(LOAD_BALANCER) == change.replaced_names(TARGET_GROUP) == []
        # The rules move to the other listener (HTTPS <-> HTTP) and nothing else is replaced.
        assert change.replaced_names(RULE) == ["edge-rule-api", "edge-rule-web"]
        assert change.collisions() == []


def test_a_port_80_listener_deployed_as_the_https_redirect_is_the_same_resource(dev_https):
    (port_80,) = [r for r in dev_https.of_type(LISTENER) if r.inputs["port"] == 80]
    assert port_80.options["aliases"][0] == port_80.urn.replace("::edge-http", "::edge-http-redirect")
    assert port_80.inputs["defaultActions"][0]["type"] == "redirect"


def test_switching_edge_kind_keeps_every_edge_urn_and_replaces_only_what_aws_cannot_change(dev_http, dev_api):
    for change in both_ways(dev_http, dev_api):
        edge_children = {
            r.urn for r in change.before.resources if r.parent and "components:" in r.parent.split("::")[2]
        }
        edge_children = {u for u in edge_children if "Edge$" in u}
        gone = {r.name for r in change.deleted if r.urn in edge_children} - {
            change.old[u].name for u in change.replaced
        }
        # Only what the other kind has no use for goes: the internet's ingress rule.
        assert gone <= {"edge-in-80"}
        assert change.replaced_names(LOAD_BALANCER) == ["edge-alb"]  # internal is ForceNew
        assert change.replaced_names(TARGET_GROUP) == []
        assert change.collisions() == []
        (balancer,) = change.after.of_type(LOAD_BALANCER)
        assert "name" not in balancer.inputs and "namePrefix" not in balancer.inputs  # autonamed


def test_rules_are_deleted_before_they_are_replaced_so_kept_target_groups_change_load_balancer(dev_api):
    rules = dev_api.of_type(RULE)
    assert rules and all(rule.options.get("deleteBeforeReplace") for rule in rules)


@pytest.fixture(scope="module")
def prod_steps() -> list[Run]:
    """Prod behind an internet-facing load balancer, then the three ups to an internal one."""
    return [
        plan("example-prod"),
        plan("example-prod", {"certificateArn": PROD_CERTIFICATE, "deletionProtection": False}),
        plan("example-prod", {"kind": "apigateway", "deletionProtection": False}),
        plan("example-prod", {"kind": "apigateway"}),
    ]


def test_in_prod_switching_edge_kind_in_one_up_would_delete_a_protected_load_balancer(prod_steps):
    alb, _, _, api = prod_steps
    for change in both_ways(alb, api):
        assert change.undeletable() == ["edge-alb"]


def test_in_prod_edge_kind_switches_in_three_ups_with_deletion_protection_off_in_the_middle(prod_steps):
    for steps in (prod_steps, prod_steps[::-1]):
        first, second, third = (Transition(a, b) for a, b in itertools.pairwise(steps))
        for toggle in (first, third):  # protection off, then on again: updates only
            assert toggle.replaced == set() and toggle.deleted == [] and toggle.collisions() == []
        assert second.replaced_names(LOAD_BALANCER) == ["edge-alb"]
        assert second.undeletable() == [] and second.collisions() == []
        access_logs = next(r for r in second.after.of_type(BUCKET) if r.name == "edge-access-logs")
        assert access_logs.urn in second.old and access_logs.urn not in second.replaced


def test_an_unprotected_prod_load_balancer_is_a_warning_that_gives_the_three_steps(prod_steps):
    assert not [w for w in prod_steps[0].warnings if "deletionProtection" in w]
    assert any(UNPROTECTED_PROD_WARNING in w for w in prod_steps[1].warnings)
