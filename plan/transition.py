"""A change to a running stack, applied in ``pulumi up``'s order, and what AWS would refuse or undo.

Pure functions over two captured graphs of the same stack (before and after an edit). The engine
creates new resources and updates existing ones first (a replacement creates the new resource before
deleting the old, unless ``deleteBeforeReplace``) and deletes last. AWS then refuses a create whose
physical key an old resource still holds (a collision), lets some creates overwrite what exists so
that the later delete removes the new object (a silent removal), refuses some deletes (undeletable),
loses the contents of stateful resources it deletes (data loss), and refuses to take away what a
running service still uses (ordering). Each :class:`Finding` names the resources, the key and the fix.
The tables are in plan/transition_keys.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from plan import pairing
from plan.graph import Graph
from plan.graph_index import short_type
from plan.transition_keys import DELETION_GUARDS, GUARD_FIXES, KEYS, STATEFUL, Mode

CAPACITY_PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
CAPACITY_PROVIDER = "aws:ecs/capacityProvider:CapacityProvider"
ECS_SERVICE = "aws:ecs/service:Service"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DB_INSTANCE = "aws:rds/instance:Instance"
VPC = "aws:ec2/vpc:Vpc"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"

KINDS = ("collision", "silent-removal", "undeletable", "data-loss", "ordering", "refused-update")
"""Finding kinds that stop a change (``plan --compare`` exits 3 on any)."""
NOTICES = ("data-removed", "orphaned", "precondition")
"""What a change does on purpose and the report says: a removed store's data goes, a retained one stays;
a step to take in AWS before the change (the graphs cannot see live state)."""

Resource = dict[str, Any]

HOLDS = {"retained": "for good", "deleted": "until the delete phase", "kept": "and keeps it"}
"""How long an old resource holds a key: retainOnDelete, deleted last, or kept by the change."""


@dataclass(frozen=True)
class Finding:
    """One thing AWS would refuse or undo while ``pulumi up`` applies the change."""

    kind: str
    resources: tuple[str, ...]
    """``short type + logical name`` of each resource involved, the one acting first."""
    key: str
    """The physical key (or the state) at stake, with placeholder ids shown as logical names."""
    detail: str
    fix: str

    @property
    def blocking(self) -> bool:
        return self.kind in KINDS

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "blocking": self.blocking,
            "resources": list(self.resources),
            "key": self.key,
            "detail": self.detail,
            "fix": self.fix,
        }


def _label(resource: Resource) -> str:
    return f"{short_type(resource['type'])} {resource['name']}"


class _Ids:
    """Placeholder ids (``<name>-id``) shown as logical names; those of created or replaced resources
    as ``new <name>``, because AWS gives the new object another id than the old one's."""

    def __init__(self, before: Graph, after: Graph, fresh: Iterable[str]) -> None:
        self.names = {
            str(r["outputs"]["id"]): str(r["name"])
            for g in (before, after)
            for r in g["resources"]
            if r["custom"] and isinstance(r.get("outputs", {}).get("id"), str)
        }
        self.fresh = set(fresh)

    def show(self, value: Any, new_side: bool) -> str:
        """Every placeholder id in ``value``, by logical name and in order (``cluster-ecs/api-service``
        for ``service/cluster-ecs-id/api-service-id``); the value itself when it holds none. Each id
        counts: two scalable targets of one cluster differ by their service, not only their cluster."""
        if not isinstance(value, str):
            return json.dumps(value, sort_keys=True)
        shown = [
            f"{'new ' if new_side and token in self.fresh else ''}{self.names[token]}"
            for token in re.split(r"[/:]", value)
            if token in self.names
        ]
        return "/".join(shown) if shown else value


def physical_keys(resource: Resource, ids: _Ids, new_side: bool) -> list[tuple[Mode, str]]:
    """The keys this resource holds in AWS (none when autonamed or keyless), with their mode."""
    spec = KEYS.get(resource["type"])
    inputs = resource["inputs"]
    if spec is None or (spec.named_by and inputs.get(spec.named_by) in (None, "")):
        return []
    mode = Mode.PUT if spec.put_when and inputs.get(spec.put_when) else spec.mode
    defaults = dict(spec.defaults)
    parts, each = [], []
    for name in spec.fields:
        if name.endswith("[]"):
            each = [str(v) for v in inputs.get(name[:-2]) or []]
            continue
        value = inputs.get(name, defaults.get(name))
        if value is not None:
            parts.append(f"{name}={ids.show(value, new_side)}")
    head = f"{short_type(resource['type'])} {' '.join(parts)}".strip()
    if any(name.endswith("[]") for name in spec.fields):
        return [(mode, f"{head} {name}".strip()) for name in each]
    return [(mode, head)]


@dataclass
class _Apply:
    """The change as the engine applies it."""

    before: Graph
    after: Graph
    paired: pairing.Pairing
    ids: _Ids

    @property
    def old(self) -> dict[str, Resource]:
        return self.paired.old

    @property
    def new(self) -> dict[str, Resource]:
        return self.paired.new

    def old_of(self, new_key: str) -> Resource:
        return self.old[self.paired.pairs[new_key]]

    def delete_first(self, new_key: str) -> bool:
        return new_key in self.paired.replaced and bool(
            self.new[new_key]["options"].get("deleteBeforeReplace")
        )

    def deleted(self) -> list[tuple[Resource, str]]:
        """Old resources the change deletes, with why: ``removed``, ``replaced`` or ``moved`` (removed
        while a created resource of the same type and logical name takes its place: a new URN)."""
        created = {(self.new[k]["type"], self.new[k]["name"]) for k in self.paired.created}
        found = []
        for old_key in self.paired.removed:
            resource = self.old[old_key]
            moved = (resource["type"], resource["name"]) in created
            found.append((resource, "moved" if moved else "removed"))
        found += [(self.old_of(k), "replaced") for k in sorted(self.paired.replaced)]
        return found


def _apply(before: Graph, after: Graph) -> _Apply:
    paired = pairing.pair(before, after)
    fresh = [
        str(paired.new[k]["outputs"].get("id"))
        for k in [*paired.created, *paired.replaced]
        if paired.new[k]["outputs"].get("id")
    ]
    return _Apply(before, after, paired, _Ids(before, after, fresh))


# --- Collisions and silent removals -----------------------------------------------------------------


def _holders(change: _Apply) -> dict[str, list[tuple[Resource, str]]]:
    """Physical key -> the old resources that still hold it while the creates run, and until when:
    ``deleted`` (the delete phase), ``retained`` (forever: retainOnDelete) or ``kept``."""
    holders: dict[str, list[tuple[Resource, str]]] = {}
    retained = {id(r) for r, _ in change.deleted() if r["options"].get("retainOnDelete")}
    first = {id(change.old_of(k)) for k in change.paired.replaced if change.delete_first(k)}
    for new_key, old_key in change.paired.pairs.items():
        if new_key in change.paired.replaced:
            continue
        kept = {key for _, key in physical_keys(change.new[new_key], change.ids, new_side=True)}
        for _, key in physical_keys(change.old[old_key], change.ids, new_side=False):
            if key in kept:
                holders.setdefault(key, []).append((change.old[old_key], "kept"))
    for resource, _ in change.deleted():
        if id(resource) in first and id(resource) not in retained:
            continue
        until = "retained" if id(resource) in retained else "deleted"
        for _, key in physical_keys(resource, change.ids, new_side=False):
            holders.setdefault(key, []).append((resource, until))
    return holders


def _collision_fix(creator: Resource, holder: Resource, itself: bool, until: str) -> str:
    if until == "retained":
        return (
            f"The old {holder['name']} is kept in AWS (retainOnDelete) and keeps the key: import it into "
            "the new resource (`pulumi import`) or delete it by hand first, or give the new one another name."
        )
    if itself:
        return (
            "A ForceNew change replaces it under the same key: change its name together with the "
            "ForceNew input (or leave the name out so the provider autonames it), or set "
            "deleteBeforeReplace on it where a short gap is acceptable."
        )
    if (creator["type"], creator["name"]) == (holder["type"], holder["name"]) or creator["type"] == holder[
        "type"
    ]:
        return (
            f"Keep one logical resource for this key: give {creator['name']} `aliases` to the old "
            f"URN of {holder['name']} (same logical resource, new name/parent/type) so the engine updates "
            "it in place; or apply the change in two `pulumi up` runs (remove, then add)."
        )
    return (
        "Apply it in two `pulumi up` runs: the first removes the old resource, the second adds the new one."
    )


def _collisions(change: _Apply) -> list[Finding]:
    holders = _holders(change)
    found = []
    for new_key in [*change.paired.created, *sorted(change.paired.replaced)]:
        creator = change.new[new_key]
        own = change.old_of(new_key) if new_key in change.paired.pairs else None
        for mode, key in physical_keys(creator, change.ids, new_side=True):
            for holder, until in holders.get(key, []):
                itself = holder is own
                if mode is Mode.EXCLUSIVE:
                    detail = (
                        f"{_label(creator)} is {'replaced' if itself else 'created'} while "
                        f"{'its old self' if itself else _label(holder)} still holds the key "
                        f"({HOLDS[until]}): "
                        f"AWS refuses the create ({KEYS[creator['type']].source})."
                    )
                    fix = _collision_fix(creator, holder, itself, until)
                    found.append(Finding("collision", (_label(creator), _label(holder)), key, detail, fix))
                elif until == "deleted":
                    detail = (
                        f"{_label(creator)}'s create overwrites what {_label(holder)} set "
                        f"({KEYS[creator['type']].source}); deleting {holder['name']} afterwards removes it."
                    )
                    fix = _collision_fix(creator, holder, itself, until)
                    found.append(
                        Finding("silent-removal", (_label(creator), _label(holder)), key, detail, fix)
                    )
    return found


# --- Deletes --------------------------------------------------------------------------------------


def _undeletable(change: _Apply) -> list[Finding]:
    found = []
    for resource, why in change.deleted():
        label = _label(resource)
        # Protect wins over retainOnDelete: the engine's DeleteStep refuses a protected resource before
        # it looks at retainOnDelete (pulumi pkg/resource/deploy/step.go, DeleteStep.Apply).
        if resource["options"].get("protect"):
            detail = f"{label} is {why} but protected: the engine refuses the whole update."
            found.append(Finding("undeletable", (label,), "protect", detail, GUARD_FIXES["protect"]))
        if resource["options"].get("retainOnDelete"):
            continue  # no delete call reaches AWS, so its own guards do not matter
        guard = DELETION_GUARDS.get(resource["type"])
        if guard and bool(resource["inputs"].get(guard.field)) == guard.refuses:
            detail = f"{label} is {why}, but {guard.why}."
            key = f"{guard.field}={json.dumps(resource['inputs'].get(guard.field))}"
            found.append(Finding("undeletable", (label,), key, detail, guard.fix))
    return found


def _data_loss(change: _Apply) -> list[Finding]:
    found = []
    for resource, why in change.deleted():
        lost = STATEFUL.get(resource["type"])
        if lost is None:
            continue
        label = _label(resource)
        if resource["options"].get("retainOnDelete"):
            detail = f"{label} is {why}; retainOnDelete keeps it in AWS, orphaned (no stack manages it)."
            fix = "Delete it by hand once its data is no longer needed, or import it into another stack."
            found.append(Finding("orphaned", (label,), resource["type"], detail, fix))
        elif why == "removed":
            detail = f"{label} is removed from the stack: {lost} goes with it."
            fix = "Intended when the feature is removed; export what must be kept first."
            found.append(Finding("data-removed", (label,), resource["type"], detail, fix))
        else:
            detail = f"{label} is {why}: the new one starts empty and {lost} is deleted with the old one."
            fix = (
                "Keep the resource: alias it if its URN moved, or avoid the ForceNew change (ignoreChanges "
                "for existing stacks); if it must be replaced, migrate the data first (snapshot and restore)."
            )
            found.append(Finding("data-loss", (label,), resource["type"], detail, fix))
    return found


# --- Ordering -------------------------------------------------------------------------------------


def _providers_of(service: Resource, default: list[str]) -> set[str]:
    strategies = service["inputs"].get("capacityProviderStrategies") or []
    if strategies:
        return {str(s.get("capacityProvider")) for s in strategies}
    return set() if service["inputs"].get("launchType") else set(default)


def _capacity_ordering(change: _Apply) -> list[Finding]:
    found = []
    services = [r for r in change.old.values() if r["type"] == ECS_SERVICE]
    for new_key, old_key in change.paired.pairs.items():
        old = change.old[old_key]
        if old["type"] != CAPACITY_PROVIDERS:
            continue
        leaving = set(old["inputs"].get("capacityProviders") or []) - set(
            change.new[new_key]["inputs"].get("capacityProviders") or []
        )
        default = [
            str(s.get("capacityProvider"))
            for s in old["inputs"].get("defaultCapacityProviderStrategies") or []
        ]
        for service in services:
            using = sorted(_providers_of(service, default) & leaving)
            if using:
                detail = (
                    f"{_label(old)} drops {', '.join(using)} from the cluster while {_label(service)} still "
                    "runs on it (services are updated or deleted later): ECS refuses, the capacity provider "
                    "is in use."
                )
                fix = (
                    "Two steps: first move the services off the provider (their capacity provider strategy, "
                    "or remove them) and run `pulumi up`; then remove the provider from the cluster. In a "
                    "webstack stack: set compute: fargate and keep webstack:cluster.ec2 for one deploy, then "
                    "remove webstack:cluster.ec2 in the next."
                )
                found.append(
                    Finding("ordering", (_label(old), _label(service)), ", ".join(using), detail, fix)
                )
    listed = {
        str(name)
        for r in change.old.values()
        if r["type"] == CAPACITY_PROVIDERS
        for name in r["inputs"].get("capacityProviders") or []
    }
    for new_key in sorted(change.paired.replaced):
        old = change.old_of(new_key)
        if (
            old["type"] == CAPACITY_PROVIDER
            and change.delete_first(new_key)
            and old["inputs"].get("name") in listed
        ):
            detail = (
                f"{_label(old)} is replaced delete-first while the cluster still lists it: "
                "ECS DeleteCapacityProvider refuses a provider associated with a cluster."
            )
            fix = (
                "Two steps: first take it out of the cluster's capacity providers (and the services off "
                "it) and run `pulumi up`; then make the change that replaces it."
            )
            found.append(Finding("ordering", (_label(old),), str(old["inputs"].get("name")), detail, fix))
    return found


def _security_group_ordering(change: _Apply) -> list[Finding]:
    found = []
    staying = [change.old[k] for k in change.paired.pairs.values() if change.old[k]["type"] == ECS_SERVICE]
    for group, why in change.deleted():
        if group["type"] != SECURITY_GROUP or not group["outputs"].get("id"):
            continue
        for service in staying:
            groups = (service["inputs"].get("networkConfiguration") or {}).get("securityGroups") or []
            if group["outputs"]["id"] in groups:
                detail = (
                    f"{_label(group)} is {why} while the tasks of {_label(service)} use it: EC2 refuses "
                    "to delete a group attached to network interfaces (DependencyViolation) until the old "
                    "tasks are gone."
                )
                fix = (
                    "Keep the group (no value that changes in its ForceNew inputs, such as a port in its "
                    "description) and change its rules, which update in place."
                )
                found.append(
                    Finding("ordering", (_label(group), _label(service)), group["name"], detail, fix)
                )
    return found


def _major(version: Any) -> int | None:
    head = str(version or "").split(".")[0]
    return int(head) if head.isdigit() else None


def _refused_updates(change: _Apply) -> list[Finding]:
    """Updates AWS refuses. RDS ModifyDBInstance: "AllowMajorVersionUpgrade ... must be set to true when
    you specify a value for the EngineVersion parameter that is a different major version than the DB
    instance's current version"; RDS has no downgrade (restore a snapshot of the old major instead)."""
    found = []
    for new_key, old_key in change.paired.pairs.items():
        new, old = change.new[new_key], change.old[old_key]
        if new["type"] != DB_INSTANCE or new_key in change.paired.replaced:
            continue
        was, now = _major(old["inputs"].get("engineVersion")), _major(new["inputs"].get("engineVersion"))
        if was is None or now is None or was == now:
            continue
        key = f"engineVersion {was} -> {now}"
        if now < was:
            detail = f"{_label(new)} would go from PostgreSQL {was} down to {now}: RDS cannot downgrade."
            fix = "Keep the version; to go back, restore a snapshot taken before the upgrade into a new DB."
            found.append(Finding("refused-update", (_label(new),), key, detail, fix))
        elif not new["inputs"].get("allowMajorVersionUpgrade"):
            detail = (
                f"{_label(new)} goes from PostgreSQL {was} to {now} without allowMajorVersionUpgrade: "
                "RDS ModifyDBInstance refuses a major version change (InvalidParameterCombination)."
            )
            fix = (
                "Allow the major upgrade for this change (allowMajorVersionUpgrade, with applyImmediately "
                "or the maintenance window) after a snapshot and a test restore; check the extensions."
            )
            found.append(Finding("refused-update", (_label(new),), key, detail, fix))
        elif not new["inputs"].get("applyImmediately"):
            found.append(_major_upgrade_in_the_window(new, key))
    return found


def _major_upgrade_in_the_window(instance: Resource, key: str) -> Finding:
    """A major upgrade moves the instance to a parameter group of the new family. Without
    applyImmediately, RDS keeps both changes pending until the maintenance window, so the instance is
    still a member of the old group when ``pulumi up`` deletes it at the end (RDS
    DeleteDBParameterGroup: InvalidDBParameterGroupState, "one or more database instances are still
    members of this parameter group")."""
    detail = (
        f"{_label(instance)} upgrades {key.removeprefix('engineVersion ')} with applyImmediately off: the "
        "upgrade and the new family's parameter group wait for the maintenance window, and the delete of "
        "the old parameter group at the end of `pulumi up` fails while the instance still uses it."
    )
    fix = (
        "Upgrade with applyImmediately: true in the same `pulumi up` (after a snapshot and a test restore), "
        "then set it back in the next one if you want changes to wait for the window."
    )
    return Finding("refused-update", (_label(instance),), key, detail, fix)


def _version(value: Any) -> tuple[int, ...]:
    return tuple(int(part) for part in str(value or "").split(".") if part.isdigit())


def _replaced_vpcs_and_cache_downgrades(change: _Apply) -> list[Finding]:
    """A VPC cannot change its CIDR in place: its replacement moves every subnet, group, load balancer
    and data store, and AWS refuses to move a DB subnet group, a DB instance or a load balancer to
    another VPC (terraform-provider-aws issue 16419: "The new Subnets are not in the same Vpc"). A
    Valkey/Redis version going down replaces the replication group (terraform-provider-aws
    replication_group.go customizeDiffEngineVersionForceNewOnDowngrade): the new cache starts empty."""
    found = []
    for new_key, old_key in change.paired.pairs.items():
        new, old = change.new[new_key], change.old[old_key]
        if new["type"] == VPC and new_key in change.paired.replaced:
            key = f"cidrBlock {old['inputs'].get('cidrBlock')} -> {new['inputs'].get('cidrBlock')}"
            detail = (
                f"{_label(new)} is replaced: every subnet, security group, load balancer and data store "
                "moves to a new VPC, which AWS refuses for DB subnet groups, instances and load balancers."
            )
            fix = (
                "Keep the VPC's CIDR. To change it, deploy a new stack with the new range, move the data "
                "(snapshot and restore), switch DNS to it, then destroy the old stack."
            )
            found.append(Finding("refused-update", (_label(new),), key, detail, fix))
        was, now = _version(old["inputs"].get("engineVersion")), _version(new["inputs"].get("engineVersion"))
        if new["type"] == REPLICATION_GROUP and was and now and now < was:
            key = (
                f"engineVersion {old['inputs'].get('engineVersion')} -> {new['inputs'].get('engineVersion')}"
            )
            detail = (
                f"{_label(new)} goes down a version: the provider replaces it and the new cache starts empty."
            )
            fix = "Keep the version; ElastiCache upgrades in place but cannot downgrade."
            found.append(Finding("data-loss", (_label(new),), key, detail, fix))
    return found


def _strategy(service: Resource) -> str:
    return str((service["inputs"].get("deploymentConfiguration") or {}).get("strategy") or "ROLLING")


def _leaving_traffic_shift(change: _Apply) -> list[Finding]:
    """A service leaving blue/green, canary or linear for rolling: the update is in place (neither
    deployment_configuration nor load_balancer is ForceNew, terraform-provider-aws ecs/service.go), but
    the production rule keeps the weights of the last shift, which Pulumi does not manage (ECS owns the
    rule's actions). If they favour the alternate target group, the rolling deployment fills the
    primary one while production still goes to the alternate, which it drains: an outage."""
    found = []
    for new_key, old_key in change.paired.pairs.items():
        new, old = change.new[new_key], change.old[old_key]
        if new["type"] != ECS_SERVICE or _strategy(old) == "ROLLING" or _strategy(new) != "ROLLING":
            continue
        detail = (
            f"{_label(new)} goes from {_strategy(old)} to ROLLING in place; its production rule keeps the "
            "forward weights of the last deployment, which may send all traffic to the alternate target "
            "group (edge-bg-*) that a rolling deployment no longer fills."
        )
        fix = (
            "Before `pulumi up`: `aws elbv2 describe-rules --rule-arns <the service's edge-rule ARN>`; if "
            "the edge-bg-* group has the weight, run one more deployment with the current strategy "
            "(`aws ecs update-service --cluster <cluster> --service <service> --force-new-deployment`, "
            "wait for it to finish), which moves production back to edge-tg-*; then `pulumi up`."
        )
        found.append(
            Finding("precondition", (_label(new),), f"strategy {_strategy(old)} -> ROLLING", detail, fix)
        )
    return found


# --- The whole change -----------------------------------------------------------------------------


def judge(before: Graph, after: Graph) -> list[Finding]:
    """Everything AWS would refuse or undo while ``pulumi up`` takes ``before`` to ``after``, and the
    notices (data a removal deletes on purpose, orphans); blocking findings first."""
    change = _apply(before, after)
    found = [
        *_collisions(change),
        *_undeletable(change),
        *_data_loss(change),
        *_capacity_ordering(change),
        *_security_group_ordering(change),
        *_refused_updates(change),
        *_replaced_vpcs_and_cache_downgrades(change),
        *_leaving_traffic_shift(change),
    ]
    unique = list(dict.fromkeys(found))
    order = {kind: n for n, kind in enumerate((*KINDS, *NOTICES))}
    return sorted(unique, key=lambda f: (order[f.kind], f.resources, f.key))


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]


def render(findings: list[Finding]) -> list[str]:
    """The Transition section of the compare report."""
    stops = blocking(findings)
    lines = ["Transition (pulumi up order: creates and updates first, deletes last):"]
    if not stops:
        lines.append("  applies cleanly: no create collides, no delete is refused or loses data unintended.")
    for finding in findings:
        lines.append(f"  {finding.kind}: {' / '.join(finding.resources)} [{finding.key}]")
        lines.append(f"    {finding.detail}")
        lines.append(f"    fix: {finding.fix}")
    return lines


def to_json(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [finding.to_json() for finding in findings]
