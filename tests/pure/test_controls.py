"""The control map (components/pure/controls.py) is whole and consistent: each AWS Security Hub FSBP
control appears once, with a rule that carries its ID or an exception (never both), every control ID a
rule carries is in the map, and the environment relaxations are exactly the policy pack's."""

import json
import re

from components.pure.controls import (
    ACCOUNT_LEVEL,
    CONTROLS,
    ENVIRONMENT_EXCEPTIONS,
    NO_FSBP_CONTROL,
    by_id,
    controls_for,
    unmapped,
)
from components.pure.guardrails import RULES
from plan.engine import PROJECT_ROOT

CONTROL_ID = re.compile(r"^[A-Za-z0-9]+\.\d+$")


def test_each_control_id_appears_once_in_the_map_or_the_account_level_list():
    ids = [control.id for control in CONTROLS] + [control for control, _ in ACCOUNT_LEVEL]
    assert len(ids) == len(set(ids))
    assert all(CONTROL_ID.match(control) for control in ids)


def test_each_control_is_either_enforced_by_a_rule_or_excepted_with_a_reason_never_both():
    neither = [c.id for c in CONTROLS if not c.enforced and not c.exception]
    both = [c.id for c in CONTROLS if c.enforced and c.exception]
    assert (neither, both) == ([], [])
    assert all(len(c.exception) > 20 for c in CONTROLS if c.exception)


def test_every_control_id_a_rule_carries_is_in_the_map():
    ids = by_id()
    assert [(rule.name, c) for rule in RULES for c in rule.controls if c not in ids] == []


def test_known_controls_are_enforced_by_the_rules_that_check_them():
    assert by_id()["ECS.2"].rules == ("ecs-services-no-public-ip",)
    assert by_id()["ELB.4"].rules == ("alb-drops-invalid-headers",)
    assert by_id()["RDS.3"].rules == ("databases-private-and-encrypted",)
    assert by_id()["S3.5"].rules == ("s3-policies-tls-only-and-private",)
    assert by_id()["CloudFront.13"].rules == ("cloudfront-distributions-hardened",)
    assert [c.id for c in controls_for("aws:sqs/queue:Queue")] == ["SQS.1"]


def test_the_map_already_covers_the_backup_and_efs_resources_other_changes_add():
    assert {c.id for c in controls_for("aws:efs/fileSystem:FileSystem")} >= {
        "EFS.1",
        "EFS.2",
        "EFS.7",
        "EFS.8",
    }
    assert {c.id for c in controls_for("aws:efs/accessPoint:AccessPoint")} == {"EFS.3", "EFS.4"}
    assert [c.id for c in controls_for("aws:backup/vault:Vault")] == ["Backup.1"]
    assert (
        unmapped(
            {"aws:efs/mountTarget:MountTarget", "aws:backup/plan:Plan", "aws:s3/bucketLogging:BucketLogging"}
        )
        == []
    )


def test_a_resource_type_without_a_row_is_reported_as_unmapped():
    assert unmapped({"aws:dynamodb/table:Table", "webstack:components:Cdn", "aws:kms/alias:Alias"}) == [
        "aws:dynamodb/table:Table"
    ]
    assert not set(NO_FSBP_CONTROL) & {t for c in CONTROLS for t in c.resource_types}


def test_dev_relaxes_exactly_the_controls_of_the_rules_the_dev_policy_config_makes_advisory():
    config = json.loads((PROJECT_ROOT / "policy" / "config.dev.json").read_text())
    advisory = {name for name, setting in config.items() if setting["enforcementLevel"] == "advisory"}
    controls = {c for rule in RULES if rule.name in advisory for c in rule.controls}
    assert set(ENVIRONMENT_EXCEPTIONS["dev"]) == controls == {"ELB.1"}
