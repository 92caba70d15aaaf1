"""What the real provider or AWS refuses (or accepts but cannot run) that Pulumi mocks accept.

The offline engine checks every run against these rules after the program finished, so a test run,
and ``make plan``, fail where the first real ``pulumi up`` would. Each rule cites its evidence.
Pure functions over the recorded resources: ``(type, name, urn, inputs, options)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from components.pure.fargate import EXEC_AGENT_LOG_PATH, LAUNCH_EC2, exec_agent_paths


class Resource(Protocol):
    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    options: dict[str, Any]


class AwsRefusalError(RuntimeError):
    """The real engine, provider or AWS would refuse this graph (or accept it and then fail)."""


ECS_SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"


def capacity_strategy_needs_forced_deployment(resources: Sequence[Resource]) -> Iterable[str]:
    """The provider refuses to change a service's capacity provider strategy without
    force_new_deployment ("force_new_deployment should be true when capacity_provider_strategy is
    being updated": terraform-provider-aws PR 43533); webstack's strategy changes with config."""
    for service in _of(resources, ECS_SERVICE):
        if service.inputs.get("capacityProviderStrategies") and not service.inputs.get("forceNewDeployment"):
            yield (
                f"{service.name}: a capacity provider strategy without forceNewDeployment=True; changing "
                "webstack:cluster.capacity would fail at `pulumi up`"
            )


def listener_rule_priorities_are_unique(resources: Sequence[Resource]) -> Iterable[str]:
    """ELB answers PriorityInUse when two rules of one listener share a priority."""
    holders: dict[tuple[str, float], str] = {}
    for rule in _of(resources, LISTENER_RULE):
        key = (str(rule.inputs.get("listenerArn")), float(rule.inputs.get("priority") or 0))
        holder = holders.setdefault(key, rule.name)
        if holder != rule.name:
            yield f"{rule.name}: PriorityInUse: priority {int(key[1])} is already held by {holder}"


def internet_facing_load_balancers_wait_for_the_gateway(resources: Sequence[Resource]) -> Iterable[str]:
    """AWS intermittently answers ``InvalidSubnet: VPC ... has no internet gateway`` when an
    internet-facing load balancer is created before the gateway is attached."""
    gateways = {gateway.urn for gateway in _of(resources, INTERNET_GATEWAY)}
    for balancer in _of(resources, LOAD_BALANCER):
        if balancer.inputs.get("internal") or not gateways:
            continue
        if not gateways & set(balancer.options.get("dependsOn") or ()):
            yield f"{balancer.name}: internet-facing but does not depend on the internet gateway"


def access_logs_wait_for_the_bucket_policy(resources: Sequence[Resource]) -> Iterable[str]:
    """ELB checks it may write to the access-log bucket when logging is turned on: the bucket policy
    must exist first ("Access Denied for bucket ... Please check S3bucket permission")."""
    policies = {policy.inputs.get("bucket"): policy.urn for policy in _of(resources, BUCKET_POLICY)}
    buckets = {bucket.name: bucket for bucket in _of(resources, BUCKET)}
    for balancer in _of(resources, LOAD_BALANCER):
        logs = balancer.inputs.get("accessLogs") or {}
        if not logs.get("enabled"):
            continue
        bucket_name = logs.get("bucket")
        bucket = next((b for b in buckets.values() if f"{b.name}-id" == bucket_name), None)
        policy = policies.get(f"{bucket.name}-id") if bucket else None
        if policy is None or policy not in (balancer.options.get("dependsOn") or ()):
            yield f"{balancer.name}: access logs to {bucket_name} before that bucket's policy exists"


def exec_agents_can_write(resources: Sequence[Resource]) -> Iterable[str]:
    """ECS Exec's agent cannot start in a read-only root filesystem unless the paths it writes are
    volumes (the service deploys, then every `aws ecs execute-command` fails). Which paths depends on
    the launch type: on EC2 the ECS agent bind-mounts ``/var/log/amazon/ssm`` itself, and Docker refuses
    a task volume on the same path ("Duplicate mount point": amazon-ecs-agent
    agent/engine/execcmd/manager_init_task_linux.go, addRequiredBindMounts), so no task starts."""
    exec_tasks = [
        str(service.inputs.get("taskDefinition"))
        for service in _of(resources, ECS_SERVICE)
        if service.inputs.get("enableExecuteCommand")
    ]
    for task in _of(resources, TASK_DEFINITION):
        # The engine's ids and ARNs end in "<logical name>-id".
        if not any(reference.endswith(f"/{task.name}-id") for reference in exec_tasks):
            continue
        on_ec2 = LAUNCH_EC2 in (task.inputs.get("requiresCompatibilities") or ())
        for container in json.loads(task.inputs.get("containerDefinitions") or "[]"):
            mounted = {m.get("containerPath") for m in container.get("mountPoints") or ()}
            if on_ec2 and EXEC_AGENT_LOG_PATH in mounted:
                yield (
                    f"{task.name}: ECS Exec on EC2 capacity, but the task mounts {EXEC_AGENT_LOG_PATH}, "
                    "where the ECS agent bind-mounts the Exec agent's logs itself: Docker refuses the "
                    "duplicate mount point and no task starts"
                )
            if not container.get("readonlyRootFilesystem"):
                continue
            needed = exec_agent_paths(LAUNCH_EC2 if on_ec2 else "FARGATE")
            missing = [path for path in needed if path not in mounted]
            if missing:
                yield (
                    f"{task.name}: ECS Exec is on and the root filesystem is read-only, but "
                    f"{', '.join(missing)} are not writable volumes; the Exec agent would not start"
                )


API_STAGE = "aws:apigatewayv2/stage:Stage"
API_ROUTE = "aws:apigatewayv2/route:Route"
THROTTLING = ("throttlingBurstLimit", "throttlingRateLimit")


def stage_throttling_sets_burst_and_rate(resources: Sequence[Resource]) -> Iterable[str]:
    """An HTTP API stage's route settings with one throttling value unset deploy with that value 0,
    and API Gateway then answers every request with 429 (pulumi/pulumi-aws #2363; TF PR #43307)."""
    for stage in _of(resources, API_STAGE):
        settings = [("defaultRouteSettings", stage.inputs.get("defaultRouteSettings"))] + [
            (f"routeSettings {item.get('routeKey')}", item)
            for item in stage.inputs.get("routeSettings") or ()
        ]
        for where, setting in settings:
            if setting and any((setting.get(key) or 0) <= 0 for key in THROTTLING):
                yield f"{stage.name}: {where} leaves burst or rate throttling at 0: every request gets 429"


def stage_route_settings_wait_for_their_routes(resources: Sequence[Resource]) -> Iterable[str]:
    """API Gateway refuses stage route settings for a route key no route has yet (NotFoundException
    "Unable to find Route by key ... within the provided RouteSettings": terraform-aws-modules/
    terraform-aws-apigateway-v2 PR 80, aws/serverless-application-model issue 2479)."""
    routes = {route.urn: route.inputs.get("routeKey") for route in _of(resources, API_ROUTE)}
    for stage in _of(resources, API_STAGE):
        waited = {routes[urn] for urn in stage.options.get("dependsOn") or () if urn in routes}
        for item in stage.inputs.get("routeSettings") or ():
            if item.get("routeKey") not in waited:
                yield f"{stage.name}: route settings for {item.get('routeKey')} before that route exists"


API_INTEGRATION = "aws:apigatewayv2/integration:Integration"


def http_api_integrations_are_ones_aws_accepts(resources: Sequence[Resource]) -> Iterable[str]:
    """What CreateIntegration refuses for an HTTP API: no method on a non-MOCK integration (SDK
    apigatewayv2/integration.py "Must be specified if integration_type is not MOCK"), a payload other
    than 1.0 outside Lambda proxies (API reference PayloadFormatVersion: "For all other integrations,
    1.0 is the only supported value"), a VPC_LINK connection without its link id."""
    for integration in _of(resources, API_INTEGRATION):
        inputs, name = integration.inputs, integration.name
        kind = inputs.get("integrationType")
        if kind != "MOCK" and not inputs.get("integrationMethod"):
            yield f"{name}: a {kind} integration needs integrationMethod"
        if kind != "AWS_PROXY" and inputs.get("payloadFormatVersion", "1.0") != "1.0":
            yield f"{name}: a {kind} integration takes payloadFormatVersion 1.0 only"
        if inputs.get("connectionType") == "VPC_LINK" and not inputs.get("connectionId"):
            yield f"{name}: a VPC_LINK integration needs connectionId (the VPC link's id)"


def stage_access_logs_name_the_log_group_itself(resources: Sequence[Resource]) -> Iterable[str]:
    """API Gateway takes the log group's ARN without the ``:*`` stream wildcard that DescribeLogGroups
    adds (SDK cloudwatch/log_group.py: the provider strips it "for greater compatibility with other AWS
    services that do not accept the suffix"); pass ``LogGroup.arn``, not a hand-built ARN."""
    for stage in _of(resources, API_STAGE):
        destination = (stage.inputs.get("accessLogSettings") or {}).get("destinationArn") or ""
        if destination.endswith(":*"):
            yield f"{stage.name}: access log destination {destination} ends with :*"


RESTORE_TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"


def restore_testing_selections_choose_arns_or_conditions(resources: Sequence[Resource]) -> Iterable[str]:
    """The provider refuses a restore testing selection that sets both protectedResourceArns and
    protectedResourceConditions, or neither (terraform-provider-aws internal/service/backup/
    restore_testing_selection.go ConfigValidators: ``resourcevalidator.ExactlyOneOf``); with conditions
    alone AWS selects every resource of the type that matches them (the provider's acceptance test
    ``testAccRestoreTestingSelectionConfig_updates``)."""
    for selection in _of(resources, RESTORE_TESTING_SELECTION):
        given = [
            key
            for key in ("protectedResourceArns", "protectedResourceConditions")
            if selection.inputs.get(key)
        ]
        if len(given) != 1:
            yield (
                f"{selection.name}: set exactly one of protectedResourceArns and protectedResourceConditions "
                f"(got {', '.join(given) or 'neither'})"
            )


RULES: tuple[Callable[[Sequence[Resource]], Iterable[str]], ...] = (
    http_api_integrations_are_ones_aws_accepts,
    stage_access_logs_name_the_log_group_itself,
    stage_throttling_sets_burst_and_rate,
    stage_route_settings_wait_for_their_routes,
    capacity_strategy_needs_forced_deployment,
    listener_rule_priorities_are_unique,
    internet_facing_load_balancers_wait_for_the_gateway,
    access_logs_wait_for_the_bucket_policy,
    exec_agents_can_write,
    restore_testing_selections_choose_arns_or_conditions,
)


def refusals(resources: Sequence[Resource]) -> list[str]:
    """Every problem the real engine, provider or AWS would have with these resources."""
    return [problem for rule in RULES for problem in rule(resources)]


def check(resources: Sequence[Resource]) -> None:
    """Raise AwsRefusalError listing every problem, as the first real ``pulumi up`` would fail."""
    problems = refusals(resources)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise AwsRefusalError(f"the real `pulumi up` would fail or deploy something broken:\n{listed}")


def _of(resources: Sequence[Resource], type_: str) -> list[Resource]:
    return [resource for resource in resources if resource.type == type_]
