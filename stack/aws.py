"""The ``aws:*`` keys webstack insists on: a known region, pinned account ids, the required default
tags, deploy roles in the stack's own account, and no key pulumi-aws 7 would silently ignore."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.pure import regions
from stack.errors import decode, did_you_mean
from stack.schema import Environment

REQUIRED_TAGS = ("Environment", "Project", "ManagedBy")


@dataclass(frozen=True)
class AwsSettings:
    """The provider settings webstack insists on (read from ``aws:*``, which the provider uses)."""

    region: str
    allowed_account_ids: tuple[str, ...]
    default_tags: Mapping[str, str]
    assume_role_arns: tuple[str, ...]


AWS_PROVIDER_KEYS = (
    "accessKey", "allowedAccountIds", "assumeRoleWithWebIdentity", "assumeRoles", "customCaBundle",
    "defaultTags", "ec2MetadataServiceEndpoint", "ec2MetadataServiceEndpointMode", "endpoints",
    "forbiddenAccountIds", "httpProxy", "httpsProxy", "ignoreTags", "insecure", "maxRetries", "noProxy",
    "profile", "region", "retryMode", "s3UsEast1RegionalEndpoint", "s3UsePathStyle", "secretKey",
    "sharedConfigFiles", "sharedCredentialsFiles", "skipCredentialsValidation", "skipMetadataApiCheck",
    "skipRegionValidation", "skipRequestingAccountId", "stsRegion", "tagPolicyCompliance", "token",
    "tokenBucketRateLimiterCapacity", "useDualstackEndpoint", "useFipsEndpoint", "userAgents",
)  # fmt: skip
"""Every ``aws:*`` key pulumi-aws 7 reads (pulumi_aws/config/vars.py; tests/config/test_config.py compares the
installed package). Any other ``aws:`` key is a typo the provider would silently ignore."""

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+$")


def parse_aws(raw: Mapping[str, Any], environment: Environment | None) -> tuple[AwsSettings, list[str]]:
    """The aws:* keys webstack insists on (region, pinned accounts, tags, deploy roles), and problems."""
    problems: list[str] = []
    region = _region(raw, problems)
    accounts = _accounts(raw, problems)
    tags = _tags(raw, environment, problems)
    problems += _unknown_keys(raw)
    role_arns = _roles(raw, accounts, problems)
    return AwsSettings(region, accounts, tags, tuple(role_arns)), problems


def _region(raw: Mapping[str, Any], problems: list[str]) -> str:
    region = raw.get("aws:region")
    if not isinstance(region, str) or not _REGION.match(region):
        shown = "missing" if region is None else f"got {json.dumps(region)}, but it is not an AWS region"
        problems.append(
            f"aws:region: {shown}; set the region this stack deploys to, e.g. aws:region: eu-west-1"
        )
        return ""
    if region not in regions.ZONE_LETTERS:
        problems.append(regions.unknown_region_problem(region))
    return region


def _accounts(raw: Mapping[str, Any], problems: list[str]) -> tuple[str, ...]:
    accounts_raw = decode(raw.get("aws:allowedAccountIds"))
    if accounts_raw is None:
        problems.append(
            "aws:allowedAccountIds: missing; webstack refuses to run without it so that no stack can "
            "deploy into an account it did not name. Add aws:allowedAccountIds: ['<12-digit id>']"
        )
        return ()
    if (
        not isinstance(accounts_raw, list)
        or not accounts_raw
        or not all(isinstance(item, str) and _ACCOUNT_ID.match(item) for item in accounts_raw)
    ):
        problems.append(
            f"aws:allowedAccountIds: got {json.dumps(accounts_raw)}, but it must be a non-empty list of "
            "12-digit account ids written as quoted strings, e.g. ['111111111111']"
        )
        return ()
    return tuple(accounts_raw)


def _tags(raw: Mapping[str, Any], environment: Environment | None, problems: list[str]) -> dict[str, str]:
    default_tags = decode(raw.get("aws:defaultTags"))
    tag_map = default_tags.get("tags") if isinstance(default_tags, dict) else None
    if default_tags is None:
        problems.append(
            f"aws:defaultTags: missing; add aws:defaultTags: {{tags: {{...}}}} with "
            f"{', '.join(REQUIRED_TAGS)} so every resource says whose it is"
        )
        return {}
    if not isinstance(tag_map, dict) or not all(isinstance(v, str) for v in tag_map.values()):
        problems.append(
            f"aws:defaultTags: got {json.dumps(default_tags)}, but it must be an object "
            f"{{tags: {{...}}}} with text values including {', '.join(REQUIRED_TAGS)}"
        )
        return {}
    tags = dict(tag_map)
    missing = [tag for tag in REQUIRED_TAGS if tag not in tags]
    if missing:
        problems.append(
            f"aws:defaultTags.tags: missing {', '.join(missing)}; every stack tags all "
            f"resources with {', '.join(REQUIRED_TAGS)}"
        )
    if environment is not None and "Environment" in tags and tags["Environment"] != environment.value:
        problems.append(
            f"aws:defaultTags.tags.Environment: got {json.dumps(tags['Environment'])}, but "
            f"webstack:environment is '{environment.value}'; make them the same"
        )
    return tags


def _unknown_keys(raw: Mapping[str, Any]) -> list[str]:
    problems = [
        f"{key}: unknown key; {did_you_mean(key, [f'aws:{known}' for known in AWS_PROVIDER_KEYS])}"
        for key in raw
        if key.startswith("aws:") and key != "aws:assumeRole" and key[4:] not in AWS_PROVIDER_KEYS
    ]
    if "aws:assumeRole" in raw:
        problems.append(
            "aws:assumeRole: pulumi-aws 7 rejects this key; use the list form aws:assumeRoles: "
            "[{roleArn: ..., sessionName: ...}]"
        )
    return problems


def _roles(raw: Mapping[str, Any], accounts: tuple[str, ...], problems: list[str]) -> list[str]:
    roles = decode(raw.get("aws:assumeRoles"))
    if roles is None:
        return []
    if not isinstance(roles, list) or not all(isinstance(role, dict) for role in roles):
        problems.append(
            f"aws:assumeRoles: got {json.dumps(roles)}, but it must be a list of "
            "{roleArn: ..., sessionName: ...} objects"
        )
        return []
    role_arns: list[str] = []
    for index, role in enumerate(roles):
        arn = role.get("roleArn")
        match = _ROLE_ARN.match(arn) if isinstance(arn, str) else None
        if not match:
            problems.append(
                f"aws:assumeRoles[{index}].roleArn: got {json.dumps(arn)}, but it "
                "must be an IAM role ARN such as arn:aws:iam::111111111111:role/deploy"
            )
        elif accounts and match.group(1) not in accounts:
            problems.append(
                f"aws:assumeRoles[{index}].roleArn: got {arn}, but account {match.group(1)} is "
                f"not in aws:allowedAccountIds {list(accounts)}; assume a role in this "
                "stack's own account"
            )
        else:
            role_arns.append(arn)
    return role_arns
