"""The README stays true: its commands are what CI runs, and its config table covers every key."""

import re
from typing import get_origin

from pydantic import BaseModel

from components.config import WebstackConfig, _model_inside
from plan.engine import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()


def schema_keys(model: type[BaseModel], prefix: str) -> list[str]:
    """Every key a stack file can set, as the README writes it: ``services.<name>.port``."""
    keys = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        keys.append(key)
        inner, keyed = _model_inside(field.annotation)
        if inner is not None:
            is_list = get_origin(field.annotation) is tuple
            keys.extend(
                schema_keys(inner, f"{key}.<name>." if keyed else f"{key}[]." if is_list else f"{key}.")
            )
    return keys


def test_the_readme_opens_with_the_test_command_that_ci_runs():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    assert first_block.group(1).splitlines()[0].startswith("make test")
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci


def test_the_readme_config_table_documents_every_webstack_key():
    keys = schema_keys(WebstackConfig, "webstack:")
    assert "webstack:network.natMode" in keys
    assert "webstack:services.<name>.taskPolicyStatements[].actions" in keys
    missing = [key for key in keys if f"| `{key}` |" not in README]
    assert missing == []
