"""Adapting webstack as a new user would keeps every invariant the user's stack files are tested for.

Each case edits copies of the example stacks (tests/stacks) the way users adapt them (account ids,
region, zones, NAT mode, an extra service, a public image, HTTPS in dev, scaling limits), saves them
as Pulumi.dev.yaml / Pulumi.prod.yaml in a scratch folder and checks them with the same invariants
tests/stack/test_stacks.py applies to the real files: every case must come out clean. The last case shows
that the same checks do fail, naming the file and the key, when an edit breaks an invariant.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from plan.stack_files import read_yaml
from tests.support import stack_invariants
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES

Config = dict[str, Any]
Edit = Callable[[Config, Config], None]
"""Changes the dev and prod configs in place, as a user editing both stack files would."""

CERTIFICATE = "arn:aws:acm:{region}:{account}:certificate/11111111-2222-3333-4444-555555555555"


def write_stacks(folder: Path, edit: Edit) -> list[str]:
    """The example stacks, edited, as ``folder/Pulumi.{dev,prod}.yaml``; returns the stack names."""
    dev = read_yaml(FIXTURES / f"Pulumi.{EXAMPLE_DEV}.yaml")
    prod = read_yaml(FIXTURES / f"Pulumi.{EXAMPLE_PROD}.yaml")
    edit(dev["config"], prod["config"])
    for name, document in (("dev", dev), ("prod", prod)):
        (folder / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return ["dev", "prod"]


def new_accounts(dev: Config, prod: Config) -> None:
    for config, account in ((dev, "333333333333"), (prod, "444444444444")):
        config["aws:allowedAccountIds"] = [account]
    prod["webstack:edge"]["certificateArn"] = CERTIFICATE.format(region="eu-west-1", account="444444444444")


def region(name: str) -> Edit:
    def edit(dev: Config, prod: Config) -> None:
        dev["aws:region"] = prod["aws:region"] = name
        prod["webstack:edge"]["certificateArn"] = CERTIFICATE.format(region=name, account="222222222222")

    return edit


def three_zones_without_nat_or_services(dev: Config, _prod: Config) -> None:
    dev["webstack:network"].update(azCount=3, natMode="none")
    del dev["webstack:services"]


def three_zones_with_a_nat_each(dev: Config, _prod: Config) -> None:
    dev["webstack:network"].update(azCount=3, natMode="per_az")


def six_zones_in_us_east_1(dev: Config, prod: Config) -> None:
    region("us-east-1")(dev, prod)
    prod["webstack:network"]["azCount"] = 6


def an_admin_service(dev: Config, prod: Config) -> None:
    for config in (dev, prod):
        config["webstack:services"]["admin"] = {
            "build": {"context": "app"},
            "port": 8081,
            "healthCheckPath": "/healthz",
            "routing": {"pathPatterns": ["/admin/*"]},
        }


def a_public_image(dev: Config, prod: Config) -> None:
    for config in (dev, prod):
        web = config["webstack:services"]["web"]
        del web["build"]
        web["image"] = "public.ecr.aws/nginx/nginx:1.27.3"


def https_in_dev(dev: Config, _prod: Config) -> None:
    dev["webstack:edge"] = {"certificateArn": CERTIFICATE.format(region="eu-west-1", account="111111111111")}


def other_scaling_limits(dev: Config, prod: Config) -> None:
    dev["webstack:services"]["web"].update(minCount=2, maxCount=4, desiredCount=2)
    prod["webstack:services"]["api"].update(minCount=3, maxCount=20, desiredCount=3)
    prod["webstack:services"]["web"]["autoscaling"] = {"cpuTarget": 55}


ADAPTATIONS: dict[str, Edit] = {
    "new account ids": new_accounts,
    "region us-east-2": region("us-east-2"),
    "region ap-southeast-2": region("ap-southeast-2"),
    "3 zones, no NAT, no services in dev": three_zones_without_nat_or_services,
    "3 zones with a NAT each in dev": three_zones_with_a_nat_each,
    "6 zones in us-east-1 prod": six_zones_in_us_east_1,
    "an admin service": an_admin_service,
    "a public image instead of a build": a_public_image,
    "HTTPS in dev": https_in_dev,
    "other scaling limits": other_scaling_limits,
}


_runs: dict[tuple[str, str], stack_invariants.Synthesized] = {}


def synthesized(folder: Path, edit: Edit) -> dict[str, stack_invariants.Synthesized]:
    """Each edited stack, run once per distinct file text (a stack the edit left alone is reused)."""
    found = {}
    for name in write_stacks(folder, edit):
        key = (name, (folder / f"Pulumi.{name}.yaml").read_text())
        if key not in _runs:
            _runs[key] = stack_invariants.synthesize(name, folder)
        found[name] = _runs[key]
    return found


@pytest.mark.parametrize("edit", ADAPTATIONS.values(), ids=ADAPTATIONS.keys())
def test_an_adapted_stack_keeps_every_invariant_the_users_stack_files_are_tested_for(edit, tmp_path):
    assert stack_invariants.every_problem(synthesized(tmp_path, edit)) == []


def test_an_edit_that_breaks_an_invariant_is_reported_naming_the_stack_file_and_the_key(tmp_path):
    def same_account_and_wrong_tag(dev: Config, prod: Config) -> None:
        prod["aws:allowedAccountIds"] = dev["aws:allowedAccountIds"]
        prod["webstack:edge"]["certificateArn"] = CERTIFICATE.format(
            region="eu-west-1", account="111111111111"
        )
        dev["aws:defaultTags"]["tags"]["ManagedBy"] = "hand"

    assert stack_invariants.every_problem(synthesized(tmp_path, same_account_and_wrong_tag)) == [
        "Pulumi.dev.yaml: aws:defaultTags.tags.ManagedBy is 'hand'; set it to 'pulumi'",
        "Pulumi.prod.yaml and Pulumi.dev.yaml both pin account 111111111111 in aws:allowedAccountIds; "
        "give each stack its own account",
    ]
