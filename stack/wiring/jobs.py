"""Scheduled-only jobs: each ``webstack:jobs`` entry as a Job component in the stack's cluster, reaching
the data stores and queues it declares, failures to the alarm topic."""

from __future__ import annotations

from collections.abc import Mapping

from components.cluster import Cluster
from components.job import Job, JobArgs
from components.queue import Queue
from components.service import CapacityProviderShare, ImageBuild, QueueAccess, TaskPolicyStatement
from stack.config import StackSettings
from stack.jobs import JobSettings
from stack.wiring.data import DataTier
from stack.wiring.foundation import Foundation, tags_of


def build_jobs(
    settings: StackSettings,
    foundation: Foundation,
    data: DataTier,
    cluster: Cluster | None,
    queues: Mapping[str, Queue],
) -> dict[str, Job]:
    """One Job per ``webstack:jobs`` entry (the cluster exists whenever a stack has jobs)."""
    if cluster is None or not settings.jobs:
        return {}
    return {
        job.name: Job(job.component_name, job_args(settings, job, foundation, data, cluster, queues))
        for job in settings.jobs
    }


def job_args(
    settings: StackSettings,
    job: JobSettings,
    foundation: Foundation,
    data: DataTier,
    cluster: Cluster,
    queues: Mapping[str, Queue],
) -> JobArgs:
    """One job's settings, and what it attaches to, as the Job component's Args."""
    config = job.config
    build = config.build
    return JobArgs(
        cluster_arn=cluster.arn,
        cluster_name=cluster.cluster_name,
        vpc_id=foundation.network.vpc_id,
        subnet_ids=foundation.network.private_subnet_ids,
        region=settings.aws.region,
        kms_key_arn=cluster.kms_key_arn,
        schedule=config.schedule,
        command=config.command,
        timezone=config.timezone,
        retries=config.retries,
        timeout=config.timeout,
        launch_compatibility=cluster.launch_compatibility,
        capacity_provider_strategy=[
            CapacityProviderShare(provider, base, weight)
            for provider, base, weight in cluster.capacity_strategy
        ],
        platform_version=cluster.platform_version,
        image=config.image,
        build=ImageBuild(
            context=build.context,
            context_path=str(job.build_context),
            dockerfile=build.dockerfile,
            platform=build.platform,
            keep_images=job.keep_images,
            prebuilt=job.promoted_image,
        )
        if build is not None and job.build_context is not None
        else None,
        force_delete_images=job.delete_images_with_repository,
        cpu=config.cpu,
        memory=config.memory,
        environment=config.environment,
        secrets=config.secrets,
        secrets_kms_key_arns=config.secrets_kms_key_arns,
        task_policy_statements=[
            TaskPolicyStatement(actions=s.actions, resources=s.resources, effect=s.effect)
            for s in config.task_policy_statements
        ],
        log_retention_days=job.log_retention_days,
        sends_to=[
            QueueAccess(name=name, arn=queue.arn, url=queue.url, queue_name=queue.queue_name)
            for name, queue in ((name, queues[name]) for name in config.sends_to)
        ],
        data_stores=tuple(
            store.link()
            for store in (data.databases.get(config.database or ""), data.caches.get(config.cache or ""))
            if store is not None
        ),
        topic_arn=foundation.alarm_topic,
        tags=tags_of(settings),
    )
