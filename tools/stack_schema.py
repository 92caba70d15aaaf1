"""The JSON Schema of a whole stack file (``Pulumi.<stack>.yaml``), for YAML editors.

``config:`` holds the ``webstack:*`` keys exactly as :class:`stack.config.WebstackConfig` declares them
(pydantic's own JSON Schema of the sections, plus CloudWatch's retention periods that a validator
checks), the ``aws:*`` keys webstack checks, loosely typed, any other ``aws:*`` key the provider reads,
and any other namespace's keys. Unknown ``webstack:*`` and ``aws:*`` keys are rejected, as the program
rejects them. Draft-07, the newest draft yaml-language-server documents ("Supports JSON Schema 7 and
below", its README), so the definitions live under ``definitions``.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from stack.aws import AWS_PROVIDER_KEYS, REQUIRED_TAGS
from stack.config import WebstackConfig
from stack.errors import PROJECT
from stack.schema import LOG_RETENTION_DAYS, _known_retention

SCHEMA_ID = "https://webstack.invalid/schema/stack-file.schema.json"
"""An identifier only (never fetched): editors read the committed file by its path."""


class _Generator(GenerateJsonSchema):
    """pydantic's generator, plus the retention periods ``RetentionDays``' validator enforces."""

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        result = super().function_after_schema(schema)
        if schema["function"].get("function") is _known_retention:
            result = {**result, "enum": list(LOG_RETENTION_DAYS)}
        return result


def _clean(node: Any, names: bool = False) -> Any:
    """Without ``default: null`` (an editor would offer to write it) and pydantic's generated titles;
    ``names``: ``node`` maps property names (a property may be called ``title`` or ``default``)."""
    if isinstance(node, dict):
        return {
            key: _clean(value, names=key in ("properties", "$defs") and not names)
            for key, value in node.items()
            if names
            or not ((key == "default" and value is None) or (key == "title" and isinstance(value, str)))
        }
    if isinstance(node, list):
        return [_clean(item) for item in node]
    return node


def _generated(key: str, value: Any) -> bool:
    return (key == "default" and value is None) or (key == "title" and isinstance(value, str))


def _aws_properties() -> dict[str, Any]:
    account = {"type": "string", "pattern": r"^\d{12}$"}
    known: dict[str, Any] = {f"aws:{key}": {} for key in AWS_PROVIDER_KEYS}
    known.update(
        {
            "aws:region": {"type": "string", "description": "Region of the stack, e.g. eu-west-1."},
            "aws:allowedAccountIds": {
                "type": "array",
                "items": account,
                "minItems": 1,
                "description": "The only account(s) this stack may touch: 12-digit ids, quoted.",
            },
            "aws:defaultTags": {
                "type": "object",
                "required": ["tags"],
                "properties": {
                    "tags": {
                        "type": "object",
                        "required": list(REQUIRED_TAGS),
                        "additionalProperties": {"type": "string"},
                    }
                },
                "description": f"{{tags: {{...}}}} with at least {', '.join(REQUIRED_TAGS)}.",
            },
            "aws:assumeRoles": {
                "type": "array",
                "items": {"type": "object", "properties": {"roleArn": {"type": "string"}}},
                "description": "[{roleArn, sessionName}]: a role in an allowed account.",
            },
        }
    )
    return known


def stack_file_schema() -> dict[str, Any]:
    """The schema of a whole stack file, its definitions from the webstack models."""
    webstack = _clean(
        WebstackConfig.model_json_schema(
            by_alias=True, schema_generator=_Generator, ref_template="#/definitions/{model}"
        )
    )
    definitions = webstack.pop("$defs", {})
    properties = {f"{PROJECT}:{key}": value for key, value in webstack["properties"].items()}
    required = [f"{PROJECT}:{key}" for key in webstack.get("required", [])]
    config = {
        "type": "object",
        "description": "The stack's configuration: webstack:* keys (docs/configuration-reference.md), "
        "aws:* provider keys, and any other namespace's keys.",
        "properties": {**_aws_properties(), **properties},
        "required": ["aws:region", "aws:allowedAccountIds", "aws:defaultTags", *required],
        # A key of our namespaces not listed above is a typo; other namespaces are not ours to judge.
        "patternProperties": {f"^(?!(aws|{PROJECT}):)": {}},
        "additionalProperties": False,
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "webstack stack file (Pulumi.<stack>.yaml)",
        "description": "Generated by `make docs` (tools/docs.py) from stack/; do not edit by hand.",
        "type": "object",
        "required": ["config"],
        "properties": {"config": config},
        "definitions": definitions,
    }
