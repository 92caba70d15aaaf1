"""``python -m ops.release``: a service's release task (``services.<name>.release``), run by the deploy.

The service's ``pulumi_command.local.Command`` (components/service/release.py) runs this module during
``pulumi up``, before the ECS service is updated, with ``WEBSTACK_RELEASE`` set to a JSON document: the
cluster, the NEW task definition, the container, the command, the network and the timeout. It runs the
task with the caller's AWS credentials (the deploy role in CI, your profile on a laptop), streams its
log, and exits with the container's exit code: anything but 0 fails the Command, so the service is
not updated and the old version keeps serving. The error names the task's log stream and its console
link (pulumi-command puts the command's output into the error it reports).

IAM calls (bootstrap/deploy_actions.py, row ``command:local:Command``): ecs:DescribeTaskDefinition,
ecs:RunTask, iam:PassRole (the task and execution roles, to ecs-tasks.amazonaws.com), ecs:DescribeTasks,
ecs:StopTask (timeout), logs:FilterLogEvents.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import quote

import boto3

from ops.aws import Aws, aws_errors
from ops.errors import OpsError
from ops.run import Finished, run_task_to_end

ENVIRONMENT = "WEBSTACK_RELEASE"
"""The variable the Command passes the release's JSON document in."""
STARTED_BY = "webstack-release"
"""startedBy of a release task: `aws ecs list-tasks --started-by webstack-release` finds them."""


@dataclass(frozen=True)
class Release:
    """What to run, and where (the JSON document of ``WEBSTACK_RELEASE``)."""

    service: str
    region: str
    cluster: str
    task_definition: str
    command: tuple[str, ...]
    timeout: int
    placement: Mapping[str, Any]
    """RunTask's placement: capacityProviderStrategy, platformVersion, networkConfiguration."""
    assume_roles: tuple[str, ...] = ()
    """The stack's aws:assumeRoles: assumed in turn, so the task runs as the deployment does."""

    @classmethod
    def parse(cls, text: str | None) -> Release:
        if not text:
            raise OpsError(
                f"{ENVIRONMENT} is not set: this command is run by a service's release task during "
                "`pulumi up`; to run a command by hand use `python -m ops run SERVICE -- COMMAND`."
            )
        try:
            document = json.loads(text)
            return cls(
                service=str(document["service"]),
                region=str(document["region"]),
                cluster=str(document["cluster"]),
                task_definition=str(document["taskDefinition"]),
                command=tuple(str(word) for word in document["command"]),
                timeout=int(document["timeout"]),
                placement=dict(document["placement"]),
                assume_roles=tuple(str(arn) for arn in document.get("assumeRoles", ())),
            )
        except (ValueError, KeyError, TypeError) as error:
            problem = f"{type(error).__name__}: {error}"
            raise OpsError(f"{ENVIRONMENT} is not a release document ({problem}).") from None


def console_link(region: str, group: str, stream: str) -> str:
    """The CloudWatch console page of one log stream (the console escapes path parts twice, % as $)."""
    escape = lambda text: quote(quote(text, safe=""), safe="").replace("%", "$")  # noqa: E731
    return (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#logsV2:log-groups/log-group/{escape(group)}/log-events/{escape(stream)}"
    )


def failure(release: Release, finished: Finished) -> str:
    """The paragraph `pulumi up` shows when the release fails: what failed, where its log is, what now."""
    if finished.log_stream is None:
        logs = "the container does not log through awslogs"
    else:
        group, stream = finished.log_stream
        logs = f"log stream {stream} in {group}: {console_link(release.region, group, stream)}"
    return (
        f"release of {release.service} failed: {finished.summary} Its {logs}. The service was not "
        "updated: the old version keeps serving. Fix the release command or the image and run "
        "`pulumi up` again (it re-runs the release task)."
    )


def run_release(aws: Aws, release: Release, out: TextIO, err: TextIO) -> int:
    """Run the release task to its end; 0 when its container exited 0."""
    print(
        f"# release of {release.service}: {' '.join(release.command)} "
        f"(timeout {release.timeout} s, task definition {release.task_definition.rsplit('/', 1)[-1]})",
        file=err,
        flush=True,
    )
    finished = run_task_to_end(
        aws,
        release.cluster,
        release.task_definition,
        release.placement,
        release.command,
        out,
        err,
        container_key=release.service,
        timeout=release.timeout,
        started_by=STARTED_BY,
    )
    if finished.code != 0:
        print(failure(release, finished), file=err, flush=True)
        return finished.code
    print(f"# release of {release.service} done: {finished.summary}", file=err, flush=True)
    return 0


def session(release: Release, base: Any = None) -> Any:
    """A boto3 session in the stack's region: the caller's credentials, then each of the stack's
    aws:assumeRoles in turn (sts:AssumeRole), as the AWS provider chains them."""
    current = base or boto3.Session(region_name=release.region)
    for arn in release.assume_roles:
        with aws_errors(f"assuming {arn} (sts:AssumeRole), as the stack's aws:assumeRoles asks"):
            credentials = current.client("sts").assume_role(
                RoleArn=arn, RoleSessionName=f"webstack-release-{release.service}"
            )["Credentials"]
        current = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=release.region,
        )
    return current


def main(
    environ: Mapping[str, str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    stdout, stderr = out or sys.stdout, err or sys.stderr
    try:
        release = Release.parse((os.environ if environ is None else environ).get(ENVIRONMENT))
        aws = Aws(session(release))
        return run_release(aws, release, stdout, stderr)
    except OpsError as error:
        print(f"python -m ops.release: {error}", file=stderr, flush=True)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
