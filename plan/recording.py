"""What the offline engine records of a run, and what it refuses while recording (plan/engine.py runs).

The monitor is Pulumi's mock monitor plus the parent, options and aliases of each registration, the
stack outputs and the warnings; it refuses, as the Pulumi engine and the provider do and mocks do not,
two resources with the same URN (including the ``docker-build:index:Image`` child that
``awsx.ecr.Image`` creates, which mocks never see) and a logical name too long to autoname.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from plan.mocks import AWSX_IMAGE, DOCKER_BUILD_IMAGE, WebstackMocks, mock_id


class EngineError(RuntimeError):
    """What the Pulumi engine or provider refuses before any AWS call: the whole update stops."""


class DuplicateUrnError(EngineError):
    """Two resources got the same URN: the Pulumi engine stops the whole update on this."""


class AutonameTooLongError(EngineError):
    """A resource without an explicit name whose logical name leaves no room for the random suffix."""


AUTONAME_RANDOM_CHARS = 7
"""pulumi-terraform-bridge autonaming appends ``-`` and 7 random hex characters to the logical name
and fails when the result exceeds the field's limit (``resource.NewUniqueHex``: "name '<prefix>' plus
7 random chars is longer than maximum length N")."""
AUTONAME_MAX_LENGTH = {
    # pulumi-aws provider, legacy_aliases: aws_lb_target_group "name": tfbridge.AutoName("name", 32, "-");
    # AWS CreateTargetGroup: at most 32 characters.
    "aws:lb/targetGroup:TargetGroup": ("name", 32),
    # AWS CreateLoadBalancer / pulumi_aws lb.LoadBalancer docs: "can have a maximum of 32 characters".
    "aws:lb/loadBalancer:LoadBalancer": ("name", 32),
    # AWS CreateFunction FunctionName: a name of at most 64 characters.
    "aws:lambda/function:Function": ("name", 64),
}
"""Resource type -> (name property, maximum length) for the autonamed types webstack creates."""


@dataclass
class Recorded:
    """One resource the program registered."""

    type: str
    name: str
    urn: str
    parent: str | None
    """The parent's URN, None for resources directly under the stack."""
    custom: bool
    inputs: dict[str, Any]
    state: dict[str, Any]
    options: dict[str, Any]

    @property
    def id(self) -> str:
        return mock_id(self.name)


@dataclass
class Run:
    """Everything one mocked run produced."""

    resources: list[Recorded] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    invokes: set[str] = field(default_factory=set)
    """The token of every invoke (data source) the program called."""

    def of_type(self, type_: str) -> list[Recorded]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> Recorded:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(
                f"{len(matches)} resources named {name!r}; names: {[r.name for r in self.resources]}"
            )
        return matches[0]

    def by_id(self, id_: str) -> Recorded:
        matches = [r for r in self.resources if r.custom and r.id == id_]
        if len(matches) != 1:
            raise KeyError(f"no single resource with id {id_!r}")
        return matches[0]

    def by_urn(self, urn: str) -> Recorded:
        return next(r for r in self.resources if r.urn == urn)

    def children_of(self, parent: Recorded) -> list[Recorded]:
        return [r for r in self.resources if r.parent == parent.urn]


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Pulumi's mock monitor, plus the parent, options and stack outputs it is told about."""

    def __init__(self, mocks: WebstackMocks, run: Run, project: str, stack: str) -> None:
        super().__init__(mocks)
        self.run = run
        self.project = project
        self.stack = stack
        self._urns: set[str] = set()
        self._urns_lock = threading.Lock()
        self._aliases: dict[str, list[str]] = {}
        """Resource URN -> the alias URNs the engine matches against the old state for it."""

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        if request.type != "pulumi:pulumi:Stack":
            self._refuse_duplicate(self._urn_of(request.type, request.name, request.parent or None))
            self._refuse_long_autoname(request)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        registration = self.resources[response.urn]
        options = {
            "protect": request.protect,
            "dependsOn": list(request.dependencies),
            "ignoreChanges": list(request.ignoreChanges),
            "deleteBeforeReplace": request.deleteBeforeReplace,
            "retainOnDelete": request.retainOnDelete,
            "aliases": self._alias_urns(request, response.urn),
            # How many transforms the program registered on it (they reach a remote component's children).
            "transforms": len(getattr(request, "transforms", ())),
        }
        self.run.resources.append(
            Recorded(
                type=request.type,
                name=request.name,
                urn=response.urn,
                parent=request.parent or None,
                custom=request.custom,
                inputs=dict(rpc.deserialize_properties(request.object)),
                state=dict(registration.state),
                options=options,
            )
        )
        if request.type == AWSX_IMAGE:
            self._awsx_image_child(response.urn, self.run.resources[-1].inputs)
        return response

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        self.run.invokes.add(request.tok)
        return super().Invoke(request)

    def _urn_of(self, type_: str, name: str, parent: str | None) -> str:
        """The URN the engine gives a resource: the parent's type chain (not its name) plus type and name."""
        chain = type_
        if parent:
            parent_chain = parent.split("::")[2]
            if parent_chain != "pulumi:pulumi:Stack":
                chain = f"{parent_chain}${type_}"
        return f"urn:pulumi:{self.stack}::{self.project}::{chain}::{name}"

    def _alias_urns(self, request: Any, urn: str) -> list[str]:
        """The URNs the Pulumi engine looks up in the old state for this resource, as its step generator
        computes them (pulumi/pulumi pkg/resource/deploy/step_generator.go ``generateAliases`` and
        ``collapseAliasToUrn``): each alias (a URN, or a spec whose empty name, type and parent default
        to the resource's own), then the resource and each alias under every alias of its parent
        (children inherit their parent's aliases). URNs are spelled as the mock spells the others."""
        parent = request.parent or ""
        own: list[tuple[str, str, str]] = []
        for alias in request.aliases:
            if alias.WhichOneof("alias") == "urn":
                parts = alias.urn.split("::")
                own.append((parts[2].split("$")[-1], parts[-1], parent))
                continue
            spec = alias.spec
            alias_parent = "" if spec.noParent else spec.parentUrn or parent
            own.append((spec.type or request.type, spec.name or request.name, alias_parent))
        found = [self.make_urn(p, t, n) for t, n, p in own]
        parent_name = parent.split("::")[-1]
        for parent_alias in self._aliases.get(parent, []):
            for type_, name in [(request.type, request.name), *((t, n) for t, n, _ in own)]:
                # A child named after its parent follows the parent's old name (inheritedChildAlias).
                if parent_name and name.startswith(parent_name):
                    name = parent_alias.split("::")[-1] + name.removeprefix(parent_name)
                found.append(self.make_urn(parent_alias, type_, name))
        unique = list(dict.fromkeys(alias for alias in found if alias != urn))
        self._aliases[urn] = unique
        return unique

    def _refuse_duplicate(self, urn: str) -> None:
        """Reserve a URN, or refuse it as the engine does (registrations arrive on several threads)."""
        with self._urns_lock:
            taken = urn in self._urns
            self._urns.add(urn)
        if taken:
            raise DuplicateUrnError(
                f"Duplicate resource URN '{urn}'; try giving it a unique name (the Pulumi engine "
                "stops the update here)"
            )

    @staticmethod
    def _refuse_long_autoname(request: Any) -> None:
        """Refuse, as the provider does, a logical name too long to autoname within the type's limit."""
        limit = AUTONAME_MAX_LENGTH.get(request.type)
        if limit is None:
            return
        field_name, maximum = limit
        given = request.object.fields
        if field_name in given or f"{field_name}Prefix" in given:
            return  # an explicit name or prefix: the provider does not autoname
        prefix = f"{request.name}-"
        if len(prefix) + AUTONAME_RANDOM_CHARS > maximum:
            raise AutonameTooLongError(
                f"could not make instance of '{request.type}': name '{prefix}' plus "
                f"{AUTONAME_RANDOM_CHARS} random chars is longer than maximum length {maximum} "
                f"(the provider stops the update here; shorten the logical name to at most "
                f"{maximum - AUTONAME_RANDOM_CHARS - 1} characters)"
            )

    def _awsx_image_child(self, image_urn: str, inputs: Mapping[str, Any]) -> None:
        """Record the docker-build image awsx.ecr.Image creates: mocks never see it, the engine does.

        awsx names it ``imageName``, else ``imageTag``, else a hash of the build inputs
        (pulumi-awsx ``awsx/ecr/image.ts``, ``computeImageFromAsset``); its URN carries only the
        parents' types, so two images with the same tag collide (pulumi-awsx issue 1793).
        """
        name = inputs.get("imageName") or inputs.get("imageTag")
        if not name:
            signature = f"{inputs.get('context', '.')};dockerfile={inputs.get('dockerfile')}{self.stack}"
            name = f"{hashlib.sha1(signature.encode()).hexdigest()}-container"
        urn = self._urn_of(DOCKER_BUILD_IMAGE, str(name), image_urn)
        self._refuse_duplicate(urn)
        self.run.resources.append(
            Recorded(
                type=DOCKER_BUILD_IMAGE,
                name=str(name),
                urn=urn,
                parent=image_urn,
                custom=True,
                inputs={
                    "tags": [f"{inputs.get('repositoryUrl')}:{name}"],
                    "context": {"location": inputs.get("context", ".")},
                    "dockerfile": {"location": inputs.get("dockerfile")},
                    "platforms": [inputs["platform"]] if inputs.get("platform") else [],
                    "push": True,
                },
                state={},
                options={"modelled": True},
            )
        )


class WarningCollector(logging.Handler):
    def __init__(self, run: Run) -> None:
        super().__init__(logging.WARNING)
        self.run = run

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self.run.warnings.append(record.getMessage())
