"""The generated configuration reference and the editor schema say what the schema says: every key,
no other, each environment's default as the section's defaults table has it, and a stack file the
program would refuse is refused by the editor too."""

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from plan.engine import PROJECT_ROOT
from stack.config import WebstackConfig
from tests.support.fixture_stacks import FIXTURES
from tools import docs, reference, stack_schema

REFERENCE = (PROJECT_ROOT / "docs" / "configuration-reference.md").read_text()
STACK_FILES = sorted([*PROJECT_ROOT.glob("Pulumi.*.yaml"), *FIXTURES.glob("Pulumi.*.yaml")])
VALIDATOR = jsonschema.Draft7Validator(stack_schema.stack_file_schema())


class _Yaml12Loader(yaml.SafeLoader):
    """YAML as editors (yaml-language-server) and the Pulumi CLI read it: YAML 1.2, where only
    true/false are booleans (``sqli: off`` is the text "off"; PyYAML's 1.1 reads it as false)."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(), Loader=_Yaml12Loader)


@pytest.mark.parametrize("path", sorted(docs.GENERATED))
def test_each_generated_file_is_what_make_docs_writes_now(path: str):
    committed = PROJECT_ROOT / path
    assert committed.exists() and committed.read_text() == docs.GENERATED[path](), (
        f"{path} is stale: run make docs"
    )


def test_the_reference_documents_every_webstack_key_of_the_schema():
    keys = reference.keys()
    assert "webstack:network.natMode" in keys
    assert "webstack:services.<name>.taskPolicyStatements[].actions" in keys
    assert "webstack:edge.apiGateway.routeThrottling.<name>.burstLimit" in keys
    assert [key for key in keys if f"| `{key}` |" not in REFERENCE] == []


def test_the_reference_documents_no_key_the_schema_does_not_have():
    documented = re.findall(r"^\| `(webstack:[^`]+)` \|", REFERENCE, re.M)
    keys = set(reference.keys())
    assert documented and [key for key in documented if key not in keys] == []


def test_a_key_with_environment_defaults_shows_the_defaults_table_values():
    rows = {row.key: row for row in reference.walk()}
    assert (rows["webstack:network.natMode"].dev, rows["webstack:network.natMode"].prod) == (
        "`single`",
        "`per_az`",
    )
    assert (
        rows["webstack:services.<name>.maxCount"].dev,
        rows["webstack:services.<name>.maxCount"].prod,
    ) == (
        "`2`",
        "`6`",
    )
    assert rows["webstack:network.natMode"].allowed == "`none` \\| `single` \\| `per_az`"
    assert rows["webstack:queues.<name>.retentionDays"].allowed == ">= 1, <= 14"
    assert rows["webstack:environment"].fix == "set webstack:environment to dev or prod"


def test_a_description_that_restates_an_environment_default_agrees_with_the_defaults_table():
    """Where a description says "Default: dev X, prod Y" and a defaults table decides, they agree."""
    disagreements = []
    for row in reference.walk():
        said = re.search(r"Default:? dev ([^,]+), prod ([^ .(]+)", row.meaning)
        if said and row.dev.startswith("`") and (f"`{said[1]}`", f"`{said[2]}`") != (row.dev, row.prod):
            disagreements.append(f"{row.key}: description {said[1]}/{said[2]}, table {row.dev}/{row.prod}")
    assert disagreements == []


def test_the_editor_schema_is_a_valid_draft_07_schema():
    jsonschema.Draft7Validator.check_schema(stack_schema.stack_file_schema())


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_every_shipped_and_fixture_stack_file_validates_against_the_editor_schema(path: Path):
    assert [error.message for error in VALIDATOR.iter_errors(read_yaml(path))] == []


def _example() -> dict[str, Any]:
    return copy.deepcopy(read_yaml(FIXTURES / "Pulumi.workers-dev.yaml"))


def _errors(document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in VALIDATOR.iter_errors(document)
    ]


def test_the_editor_schema_rejects_a_misspelt_webstack_key_and_a_misspelt_nested_key():
    document = _example()
    document["config"]["webstack:netwrok"] = {"cidr": "10.0.0.0/16"}
    document["config"]["webstack:services"]["web"]["prot"] = 8080
    errors = _errors(document)
    assert any("webstack:netwrok" in error for error in errors), errors
    assert any("'prot' was unexpected" in error for error in errors), errors


def test_the_editor_schema_rejects_a_wrong_type_and_an_out_of_range_value():
    document = _example()
    document["config"]["webstack:network"]["azCount"] = "three"
    document["config"]["webstack:queues"]["jobs"]["retentionDays"] = 15
    document["config"]["webstack:services"]["web"]["logRetentionDays"] = 31
    errors = _errors(document)
    assert any(e.startswith("config/webstack:network/azCount:") for e in errors), errors
    assert any(e.startswith("config/webstack:queues/jobs/retentionDays: 15 is greater") for e in errors), (
        errors
    )
    assert any(e.startswith("config/webstack:services/web/logRetentionDays:") for e in errors), errors


def test_the_editor_schema_rejects_an_unknown_aws_key_and_a_missing_environment_but_allows_other_namespaces():
    document = _example()
    document["config"]["aws:regoin"] = "eu-west-1"
    document["config"]["other:setting"] = {"anything": [1]}
    del document["config"]["webstack:environment"]
    errors = _errors(document)
    assert any("aws:regoin" in error for error in errors), errors
    assert any("'webstack:environment' is a required property" in error for error in errors), errors
    assert not [error for error in errors if "other:setting" in error]


def test_the_editor_schema_has_a_property_for_every_top_level_webstack_key():
    properties = stack_schema.stack_file_schema()["properties"]["config"]["properties"]
    expected = {f"webstack:{field.alias or name}" for name, field in WebstackConfig.model_fields.items()}
    assert expected <= set(properties)
