"""The stages a merge to main deploys, in order: ``.github/stages.yml`` and the stack files.

A stage is a stack: ``Pulumi.<stage>.yaml`` in the repository root, its own AWS account, and a GitHub
Environment of the same name. ``.github/stages.yml`` lists them in the order of promotion; everything
else the workflows need (the defaults profile, the region, the policy config) comes from the stack
files, so ``make workflows`` (tools/workflows.py) writes the workflows from these two sources only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from plan.engine import PROJECT_ROOT
from plan.graph import stacks
from plan.stack_files import read_yaml, stack_config

STAGES_FILE = ".github/stages.yml"
"""The order of promotion, relative to the repository."""

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
"""A stage name that is also a GitHub job id and, upper-cased, part of a variable name."""

PROFILES = ("dev", "prod")
"""``webstack:environment`` values in the order they are promoted through (dev stages first)."""


class StagesError(ValueError):
    """The stages file and the stack files disagree; the message says what to change."""


@dataclass(frozen=True)
class Stage:
    """One stack as the workflows deploy it."""

    name: str
    """The stack name (``Pulumi.<name>.yaml``), its deploy job ``up-<name>`` and GitHub Environment."""
    environment: str
    """Its ``webstack:environment``: the defaults profile (dev or prod) it inherits."""
    region: str
    """Its ``aws:region``: the region of the workflow's AWS credentials."""
    policy_config: str
    """``policy/config.<name>.json`` if the repository has one, else ``policy/config.<environment>.json``."""

    @property
    def suffix(self) -> str:
        """The stage in its repository variables' names: ``AWS_DEPLOY_ROLE_ARN_<suffix>``."""
        return self.name.upper().replace("-", "_")


def promotion(root: Path = PROJECT_ROOT) -> list[str]:
    """The stage names of ``.github/stages.yml`` in order, checked against the stack files of ``root``."""
    path = root / STAGES_FILE
    document = read_yaml(path) if path.is_file() else None
    order = document.get("promotion") if isinstance(document, dict) else None
    if not isinstance(order, list) or not all(isinstance(name, str) for name in order):
        raise StagesError(
            f"{STAGES_FILE}: want `promotion: [<stage>, ...]`, the stacks in the order a merge deploys them"
        )
    problems = [
        f"{STAGES_FILE}: {name!r} is listed twice" for name in sorted(set(order)) if order.count(name) > 1
    ]
    problems += [
        f"{STAGES_FILE}: {name!r} has no Pulumi.{name}.yaml; add the stack file or remove {name}"
        for name in order
        if not (root / f"Pulumi.{name}.yaml").is_file()
    ]
    problems += [
        f"Pulumi.{name}.yaml is not in {STAGES_FILE}; add {name} to promotion where a merge should "
        "deploy it (dev stages first, prod last)"
        for name in stacks(root)
        if name not in order
    ]
    problems += [
        f"{STAGES_FILE}: {name!r} cannot name a GitHub job or variable; use letters, digits, - and _, "
        "starting with a letter"
        for name in order
        if not _NAME.match(name)
    ]
    suffixes = [name.upper().replace("-", "_") for name in order]
    problems += [
        f"{STAGES_FILE}: {name!r} and another stage share the variable suffix {suffix}; rename one"
        for name, suffix in zip(order, suffixes, strict=True)
        if suffixes.count(suffix) > 1
    ]
    if problems:
        raise StagesError("\n".join(problems))
    return list(order)


def stages(root: Path = PROJECT_ROOT) -> list[Stage]:
    """Every stage in order of promotion; a dev-profile stage after a prod-profile one is refused."""
    found = []
    for name in promotion(root):
        config = stack_config(name, root)
        environment = str(config.get("webstack:environment", ""))
        if environment not in PROFILES:
            raise StagesError(
                f"Pulumi.{name}.yaml: webstack:environment is {environment or 'missing'}; set dev or prod "
                "(the defaults the stage inherits)"
            )
        region = config.get("aws:region")
        if not region:
            raise StagesError(
                f"Pulumi.{name}.yaml: aws:region is missing; set the region the stage deploys to"
            )
        own = root / "policy" / f"config.{name}.json"
        policy = own if own.is_file() else root / "policy" / f"config.{environment}.json"
        found.append(Stage(name, environment, region, str(policy.relative_to(root))))
    first_prod = next((i for i, stage in enumerate(found) if stage.environment == "prod"), len(found))
    late = [stage.name for stage in found[first_prod:] if stage.environment == "dev"]
    if late:
        raise StagesError(
            f"{STAGES_FILE}: {', '.join(late)} (webstack:environment dev) comes after "
            f"{found[first_prod].name} (prod); promote the dev stages first"
        )
    return found
