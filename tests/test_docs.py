"""The README stays true: its commands are what CI runs, and its config table covers every key."""

import re

from pydantic import BaseModel

from components.config import WebstackConfig
from tests.mocks import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()


def schema_keys(model: type[BaseModel], prefix: str) -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        keys.append(key)
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            keys.extend(schema_keys(field.annotation, f"{key}."))
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
    missing = [key for key in keys if f"| `{key}` |" not in README]
    assert missing == []
