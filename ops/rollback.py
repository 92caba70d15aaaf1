"""``python -m ops rollback SERVICE [--to REVISION]``: run the previous task definition revision again.

Every revision holds its image by digest, so the previous revision is the previous image and its
configuration. Task definitions keep their earlier revisions ACTIVE (``skip_destroy``,
components/service/task_definition.py) and each registry keeps its newest images (lifecycle policy),
so the revision and its image are still there. The command updates the ECS service to that revision
and waits until the service is steady (ECS waiter ``services_stable``).

What it does not undo: database migrations and data, queue messages, anything outside the task
definition. Pulumi's state still names the newer revision: the next ``pulumi up`` deploys it again
unless the change is reverted (or the stack pinned to the previous image) first.
"""

from __future__ import annotations

from typing import Any, TextIO

import botocore.exceptions

from ops.aws import Aws, aws_errors
from ops.ecs import describe_services
from ops.errors import OpsError
from ops.outputs import Stack

WAIT_SECONDS = 15
WAIT_ATTEMPTS = 80
"""20 minutes of ``services_stable`` polling: a rollout of a few tasks takes minutes."""


def revision_of(task_definition_arn: str) -> tuple[str, int]:
    """``(family, revision)`` of ``arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>``."""
    family, revision = task_definition_arn.rsplit("/", 1)[-1].rsplit(":", 1)
    return family, int(revision)


def previous_revision(aws: Aws, family: str, current: int, wanted: int | None) -> str:
    """The ARN of revision ``wanted``, else of the newest ACTIVE revision before ``current``."""
    ecs = aws.client("ecs")
    with aws_errors(f"listing the revisions of {family} (ecs:ListTaskDefinitions)"):
        pages = ecs.get_paginator("list_task_definitions").paginate(
            familyPrefix=family, status="ACTIVE", sort="DESC"
        )
        arns = [arn for page in pages for arn in page.get("taskDefinitionArns", [])]
    revisions = {revision_of(arn)[1]: arn for arn in arns if revision_of(arn)[0] == family}
    if wanted is not None:
        if wanted not in revisions:
            known = ", ".join(str(r) for r in sorted(revisions, reverse=True)) or "none"
            raise OpsError(f"{family} has no ACTIVE revision {wanted}; its ACTIVE revisions are: {known}.")
        return revisions[wanted]
    earlier = sorted((r for r in revisions if r < current), reverse=True)
    if not earlier:
        raise OpsError(
            f"{family}:{current} has no earlier ACTIVE revision to roll back to. Revisions registered "
            "before task definitions kept them (skipDestroy) were deregistered; redeploy the previous "
            "commit with `pulumi up` instead."
        )
    return revisions[earlier[0]]


def _images(aws: Aws, task_definition: str) -> list[str]:
    with aws_errors(f"reading {task_definition} (ecs:DescribeTaskDefinition)"):
        described = aws.client("ecs").describe_task_definition(taskDefinition=task_definition)
    return [c.get("image", "") for c in described["taskDefinition"].get("containerDefinitions", [])]


def wait_until_stable(ecs: Any, cluster: str, ecs_service: str) -> None:
    """ECS's ``services_stable`` waiter: one deployment left, as many tasks running as desired."""
    with aws_errors(f"waiting for {ecs_service} to be steady (ecs:DescribeServices)"):
        try:
            ecs.get_waiter("services_stable").wait(
                cluster=cluster,
                services=[ecs_service],
                WaiterConfig={"Delay": WAIT_SECONDS, "MaxAttempts": WAIT_ATTEMPTS},
            )
        except botocore.exceptions.WaiterError:
            raise OpsError(
                f"{ecs_service} is not steady after {WAIT_SECONDS * WAIT_ATTEMPTS // 60} minutes; the "
                "update to the earlier revision stands. See `python -m ops status` for why."
            ) from None


def rollback(aws: Aws, stack: Stack, key: str, to: int | None, out: TextIO, wait: bool = True) -> int:
    """Update ``key``'s ECS service to the previous (or ``to``) revision, then wait for steady state."""
    key, ecs_service = stack.service(key)
    service: dict[str, Any] = describe_services(aws, stack, [ecs_service])[ecs_service]
    current_arn = service["taskDefinition"]
    family, current = revision_of(current_arn)
    target = previous_revision(aws, family, current, to)
    print(f"{key}: {family}:{current} -> {family}:{revision_of(target)[1]}", file=out)
    print(f"  image now:   {', '.join(_images(aws, current_arn))}", file=out)
    print(f"  image after: {', '.join(_images(aws, target))}", file=out)
    ecs = aws.client("ecs")
    with aws_errors(f"updating {ecs_service} (ecs:UpdateService)"):
        ecs.update_service(cluster=stack.cluster, service=ecs_service, taskDefinition=target)
    if wait:
        print("  waiting for the service to be steady (ecs services-stable) ...", file=out)
        wait_until_stable(ecs, stack.cluster, ecs_service)
    print(
        f"{key} runs {family}:{revision_of(target)[1]}. Not undone: migrations and data. The next "
        "`pulumi up` deploys the newer revision again: revert the change first.",
        file=out,
    )
    return 0
