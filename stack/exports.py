"""The stack outputs users and the operator tools read (``pulumi stack output``). Names never change."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.alarms import stack_prefix
from components.cluster import Cluster
from components.frontdoor.cdn import Cdn
from components.job import Job
from components.observability import Observability
from stack.config import StackSettings
from stack.wiring.data import DataTier
from stack.wiring.foundation import Foundation
from stack.wiring.front import FrontDoor
from stack.wiring.services import Apps


def export_network(settings: StackSettings, foundation: Foundation) -> None:
    network = foundation.network
    pulumi.export("environment", settings.environment.value)
    pulumi.export("region", settings.aws.region)
    # The operator tool (python -m ops) refuses to act with credentials for any other account.
    pulumi.export("allowedAccountIds", list(settings.aws.allowed_account_ids))
    pulumi.export("availabilityZones", list(settings.network.availability_zones or ()))
    pulumi.export("vpcId", network.vpc_id)
    pulumi.export("publicSubnetIds", network.public_subnet_ids)
    pulumi.export("privateSubnetIds", network.private_subnet_ids)
    pulumi.export("natGatewayIds", network.nat_gateway_ids)
    pulumi.export("cidrPlan", network.cidr_plan)


def export_data_tier(settings: StackSettings, foundation: Foundation, data: DataTier) -> None:
    if settings.data_tier:
        pulumi.export("isolatedSubnetIds", foundation.network.isolated_subnet_ids)
    if data.databases:
        pulumi.export(
            "databases",
            {
                name: {
                    "address": database.address,
                    "port": database.port,
                    "dbName": database.link().environment["DB_NAME"],
                    "secretArn": database.secret_arn,
                    "identifier": database.identifier,
                    "services": [s.name for s in settings.services if s.config.database == name],
                    **_jobs_using(settings, "database", name),
                }
                for name, database in data.databases.items()
            },
        )
    if data.caches:
        pulumi.export(
            "caches",
            {
                name: {
                    "address": cache.address,
                    "port": cache.link().port,
                    "secretArn": cache.secret_arn,
                    "services": [s.name for s in settings.services if s.config.cache == name],
                    **_jobs_using(settings, "cache", name),
                }
                for name, cache in data.caches.items()
            },
        )


def export_apps(
    settings: StackSettings, cluster: Cluster, front: FrontDoor, apps: Apps, cdn: Cdn | None
) -> None:
    if cdn is not None and settings.static:
        pulumi.export("staticUrl", f"https://{settings.static.host}")
        pulumi.export("staticBucket", cdn.bucket_name)
    gateway = front.gateway
    pulumi.export(
        "url",
        f"https://{settings.domain.host}" if settings.domain else gateway.url if gateway else front.edge.url,
    )
    services = apps.services
    pulumi.export("clusterName", cluster.cluster_name)
    pulumi.export("serviceNames", {name: service.service_name for name, service in services.items()})
    pulumi.export("logGroups", {name: service.log_group_name for name, service in services.items()})
    # Each service's alarms are "<prefix>-<role>" (components/alarms.py): `ops status` shows those in ALARM.
    pulumi.export("alarmPrefixes", {name: stack_prefix(name) for name in services})
    pulumi.export(
        "repositoryUrls",
        {
            name: service.repository_url
            for name, service in services.items()
            if service.repository_url is not None
        },
    )
    pulumi.export("images", {name: service.image for name, service in services.items()})
    if apps.queues:
        pulumi.export("queueUrls", {name: queue.url for name, queue in apps.queues.items()})
    if apps.buckets:
        pulumi.export("bucketNames", {name: bucket.bucket_name for name, bucket in apps.buckets.items()})
    if apps.volumes:
        pulumi.export("volumeIds", {name: volume.file_system_id for name, volume in apps.volumes.items()})


def _jobs_using(settings: StackSettings, kind: str, name: str) -> dict[str, list[str]]:
    """``{"jobs": [...]}`` naming the jobs that use the store, or nothing when none does."""
    jobs = [job.name for job in settings.jobs if getattr(job.config, kind) == name]
    return {"jobs": jobs} if jobs else {}


def export_jobs(settings: StackSettings, jobs: Mapping[str, Job]) -> None:
    """Each job's log group and task definition (``python -m ops`` runs one by hand); a built job's
    image joins the ``images`` output as ``jobs.<name>`` (promoted by digest like a service's)."""
    if not jobs:
        return
    pulumi.export("jobLogGroups", {name: job.log_group_name for name, job in jobs.items()})
    pulumi.export("jobTaskDefinitions", {name: job.task_definition_arn for name, job in jobs.items()})
    built = {job.image_key: jobs[job.name].image for job in settings.jobs if job.config.build is not None}
    if built:
        pulumi.export("jobImages", built)


def export_observability(foundation: Foundation, observability: Observability) -> None:
    pulumi.export("dashboard", observability.dashboard_name)
    if foundation.notifications is not None:
        pulumi.export("alarmTopicArn", foundation.notifications.topic_arn)
