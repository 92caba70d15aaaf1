"""The stack's outputs (``pulumi stack output --json``, or a saved file) and what the commands need of them.

The export names are stack/exports.py's; a missing one is an error naming it, never a guessed name.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ops.errors import OpsError

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


def _pulumi(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=False)


@dataclass(frozen=True)
class Stack:
    """One deployed stack as its outputs describe it."""

    name: str
    """The Pulumi stack name (or the outputs file's name when read from a file)."""
    outputs: Mapping[str, Any]
    """``pulumi stack output --json`` (no secrets: the commands never need them)."""
    pinned_accounts: tuple[str, ...]
    """The accounts the stack may run in (``allowedAccountIds`` output, else Pulumi.<stack>.yaml)."""

    def require(self, key: str) -> Any:
        if key not in self.outputs:
            raise OpsError(
                f"stack {self.name}: its outputs have no {key!r}. It was deployed by an older webstack or "
                "the deploy did not finish; run `pulumi up` with this version, then try again."
            )
        return self.outputs[key]

    @property
    def region(self) -> str:
        return self.require("region")

    @property
    def cluster(self) -> str:
        return self.require("clusterName")

    @property
    def services(self) -> dict[str, str]:
        """Service key (as in webstack:services) -> ECS service name."""
        return dict(self.require("serviceNames"))

    def service(self, key: str | None) -> tuple[str, str]:
        """``(key, ECS service name)``; no key means the only service (or an error listing them)."""
        services = self.services
        known = ", ".join(sorted(services)) or "none"
        if key is None:
            if len(services) == 1:
                return next(iter(services.items()))
            raise OpsError(f"stack {self.name} has several services; name one of: {known}.")
        if key not in services:
            raise OpsError(f"stack {self.name} has no service {key!r}; its services are: {known}.")
        return key, services[key]

    def log_group(self, key: str) -> str:
        return self.require("logGroups")[key]

    def alarm_prefixes(self) -> dict[str, str]:
        return dict(self.outputs.get("alarmPrefixes") or {})


def load(
    stack: str | None,
    outputs_file: str | None,
    project_dir: Path | None = None,
    run: Runner = _pulumi,
) -> Stack:
    """The stack's outputs from ``outputs_file`` or the Pulumi CLI, with the accounts it is pinned to."""
    if outputs_file:
        try:
            text = Path(outputs_file).read_text()
        except OSError as error:
            raise OpsError(f"cannot read the outputs file {outputs_file}: {error.strerror}.") from None
        name = stack or Path(outputs_file).stem
    else:
        if not stack:
            raise OpsError("name the stack with --stack NAME (or give a saved --outputs FILE).")
        text = _pulumi_outputs(stack, run)
        name = stack
    try:
        outputs = json.loads(text)
    except json.JSONDecodeError as error:
        raise OpsError(
            f"stack {name}: the outputs are not JSON ({error.msg} at line {error.lineno})."
        ) from None
    if not isinstance(outputs, dict) or not outputs:
        raise OpsError(
            f"stack {name} has no outputs: it is not deployed yet (run `pulumi up --stack {name}`), or "
            "its last deploy failed before exporting them."
        )
    return Stack(name, outputs, _pinned_accounts(name, outputs, project_dir or Path.cwd()))


def _pulumi_outputs(stack: str, run: Runner) -> str:
    argv = ["pulumi", "stack", "output", "--json", "--stack", stack]
    try:
        done = run(argv)
    except FileNotFoundError:
        raise OpsError(
            "the Pulumi CLI is not installed (https://www.pulumi.com/docs/iac/download-install/); install "
            "it, or pass the outputs saved with `pulumi stack output --json > outputs.json` as --outputs."
        ) from None
    if done.returncode != 0:
        detail = " ".join((done.stderr or "").split())[:300]
        raise OpsError(
            f"`{' '.join(argv)}` failed: {detail or 'no message'}. Check the stack name (`pulumi stack ls`) "
            "and that you are logged in to the stack's backend (`pulumi login`)."
        )
    return done.stdout


def _pinned_accounts(name: str, outputs: Mapping[str, Any], project_dir: Path) -> tuple[str, ...]:
    if outputs.get("allowedAccountIds"):
        return tuple(str(a) for a in outputs["allowedAccountIds"])
    stack_file = project_dir / f"Pulumi.{name}.yaml"
    if stack_file.is_file():
        config = (yaml.safe_load(stack_file.read_text()) or {}).get("config") or {}
        return tuple(str(a) for a in config.get("aws:allowedAccountIds") or ())
    return ()
