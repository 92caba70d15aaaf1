"""What the preview role may read, derived from the deploy table: per Pulumi type, the reads its row in
``DEPLOY_ACTIONS`` lists (Describe*, Get*, List*, tag reads), which are what the provider's Read calls on
``pulumi refresh`` (the drift check, ``pulumi refresh --preview-only``) and ``pulumi preview --refresh``.

One table, so a type added to the deploy role is readable by the preview role in the same change. The
rows' reads are those of terraform-provider-aws's ``resource<Type>Read`` functions (the resource files
under ``internal/service/<service>/``, cited per row in bootstrap/deploy_actions.py and action_sets.py),
e.g. s3/bucket.go (HeadBucket = s3:ListBucket, GetBucket*, Get*Configuration), secretsmanager/secret.go
(DescribeSecret, GetResourcePolicy), iam/instance_profile.go (GetInstanceProfile, then GetRole of its
role), iam/service_linked_role.go (GetRole), efs/mount_target.go (DescribeMountTargets), lambda/function.go
(GetFunction, ListVersionsByFunction, GetFunctionCodeSigningConfig), events/rule.go (DescribeRule),
kms/grant.go (ListGrants), backup/vault.go (DescribeBackupVault); tags are read by each service's
ListTags*/DescribeTags call (the provider's transparent tagging) or come back with the Describe call.
A read that returns stored data rather than configuration is never granted (NOT_PREVIEW_READS).

``bootstrap/permissions.py`` scopes these reads like the deploy role scopes its actions (iam to the
stack's roles and instance profiles, s3 to its buckets, secretsmanager to its secrets, lambda to its
functions) and grants the rest on "*".
"""

from __future__ import annotations

from bootstrap.deploy_actions import DEPLOY_ACTIONS, INVOKE_ACTIONS

READ_VERBS = ("Describe", "Get", "List", "BatchGet", "BatchCheck", "View", "GET")
"""The verbs of calls that read configuration (budgets:ViewBudget; API Gateway's read is its HTTP GET)."""
NOT_PREVIEW_READS: dict[str, str] = {
    # terraform-provider-aws secretsmanager/secret_version.go reads the version back with GetSecretValue:
    # refreshing a SecretVersion needs the deploy role (the drift check cannot read it, by design).
    "secretsmanager:GetSecretValue": "the secret's value",
    "ecr:GetDownloadUrlForLayer": "image layers (a pull), never called by a Read",
    # s3/delete.go emptyBucket lists the versions only to delete them (force_destroy), never in a Read.
    "s3:ListBucketVersions": "the objects' keys and versions, listed only to empty a bucket",
}
"""Reads a deploy row lists that the preview role never gets: stored data, not configuration."""


def is_read(action: str) -> bool:
    """A call that reads (by its verb)."""
    return action.split(":")[1].startswith(READ_VERBS)


def refresh_reads(type_token: str) -> tuple[str, ...]:
    """The reads of one type's row the preview role may make: every read but NOT_PREVIEW_READS."""
    row = DEPLOY_ACTIONS[type_token] if type_token in DEPLOY_ACTIONS else INVOKE_ACTIONS[type_token]
    return tuple(a for a in row if is_read(a) and a not in NOT_PREVIEW_READS)


def preview_reads() -> list[str]:
    """Every read of every row and invoke the preview role may make, once each, sorted; an action a
    wildcard of the same list covers (ec2:DescribeSubnets under ec2:Describe*) is left out."""
    reads = {a for token in (*DEPLOY_ACTIONS, *INVOKE_ACTIONS) for a in refresh_reads(token)}
    wildcards = [r.removesuffix("*") for r in reads if r.endswith("*")]
    return sorted(r for r in reads if r.endswith("*") or not r.startswith(tuple(wildcards)))
