"""What the data components (:mod:`components.database`, :mod:`components.cache`) share: the
customer-managed key, the security group that admits only declaring services, and the link a service
receives to use a store.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from .encryption import KEY_DELETION_WINDOW_DAYS, copy_account_statements
from .iam import Statement, account_policy
from .pure.naming import child_name, tags_with_name

FINAL_SNAPSHOT_SUFFIX_LENGTH = 8
"""Lowercase letters and digits after ``<identifier>-final-``: RDS and ElastiCache snapshot names allow
letters, digits and single hyphens, start with a letter and end with neither a hyphen nor ``--``."""


def final_snapshot_name(
    component: pulumi.ComponentResource, name: str, identifier: str
) -> pulumi.Output[str]:
    """``<identifier>-final-k3x9q2ab``: a random suffix drawn once and kept in state (a RandomString).

    A fixed name fails the second deletion with DBSnapshotAlreadyExists (terraform-aws-rds PR #82); a
    clock value changes every run (so the plan would differ each time). The suffix is drawn when the
    store is first created and again only if ``identifier`` changes (``keepers``), so planning twice gives
    the same graph and a stack recreated after a deletion gets a new, unused name. Not ForceNew on either
    store (TF src rds/instance.go, elasticache/replication_group.go: final_snapshot_identifier is
    Optional only), so adopting it updates an existing store in place.
    """
    suffix = random.RandomString(
        child_name(name, "final-snapshot-suffix"),
        length=FINAL_SNAPSHOT_SUFFIX_LENGTH,
        special=False,
        upper=False,
        keepers={"identifier": identifier},
        opts=pulumi.ResourceOptions(parent=component),
    )
    return pulumi.Output.concat(identifier, "-final-", suffix.result)


@dataclass(frozen=True)
class DataStoreLink:
    """What a service that declares a data store receives: where it is and how to authenticate.

    The service adds the environment and secrets to its container, an egress rule to
    ``security_group_id`` on ``port`` and the matching ingress on the store's group, and lets its
    execution role read exactly ``secret_arn`` and decrypt with exactly ``key_arn``.
    """

    kind: str
    """``database`` or ``cache`` (names the service's rules). Required."""
    name: str
    """The store's short name (e.g. ``main``). Required."""
    security_group_id: pulumi.Input[str]
    """The store's security group: the service adds its ingress rule there. Required."""
    port: int
    """The port the store listens on. Required."""
    environment: Mapping[str, pulumi.Input[str]]
    """Plain variables, e.g. DB_HOST, DB_PORT, DB_NAME. Required."""
    secrets: Mapping[str, pulumi.Input[str]]
    """Variable -> ``valueFrom`` (the secret ARN, optionally with a JSON key: ``<arn>:username::``).
    Required."""
    secret_arn: pulumi.Input[str]
    """The one secret the service's execution role may read. Required."""
    key_arn: pulumi.Input[str]
    """The one key the service's execution role may decrypt with. Required."""


@dataclass(frozen=True)
class StoreBase:
    """The pieces every data component builds first."""

    key: aws.kms.Key
    security_group: aws.ec2.SecurityGroup


def store_base(
    component: pulumi.ComponentResource,
    name: str,
    vpc_id: pulumi.Input[str],
    tags: Mapping[str, str],
    purpose: str,
    port: int,
    copy_accounts: Sequence[str] = (),
) -> StoreBase:
    """A rotating customer-managed key for the store's data and secret, and a group with no rules.

    The key policy only lets the account administer the key through IAM (KMS's default first
    statement): RDS, ElastiCache and Secrets Manager use it on the caller's behalf (grants), and a
    declaring service's execution role gets ``kms:Decrypt`` on exactly this key. Services add their own
    ingress rule on ``port`` to the group (see :class:`DataStoreLink`); it has no egress rule (the
    provider removes AWS's default allow-all), since a data store only answers.
    """
    child = pulumi.ResourceOptions(parent=component)
    key = aws.kms.Key(
        child_name(name, "key"),
        description=f"{name}: encrypts {purpose}",
        enable_key_rotation=True,
        deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
        policy=account_policy(
            lambda account: [*_key_policy(account), *copy_account_statements(account, copy_accounts)],
            component,
        ),
        tags=tags_with_name(child_name(name, "key"), tags),
        opts=child,
    )
    security_group = aws.ec2.SecurityGroup(
        child_name(name, "sg"),
        vpc_id=vpc_id,
        description=f"{name}: in only from the services that use it, on {port}; no egress",
        tags=tags_with_name(child_name(name, "sg"), tags),
        opts=child,
    )
    return StoreBase(key=key, security_group=security_group)


def _key_policy(account: str) -> list[Statement]:
    return [
        Statement(
            sid="AccountAdministersTheKey",
            effect="Allow",
            actions=["kms:*"],
            principals=[
                aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                    type="AWS", identifiers=[f"arn:aws:iam::{account}:root"]
                )
            ],
            resources=["*"],
        )
    ]
