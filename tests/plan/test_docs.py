"""The README stays true: its commands are what CI runs, its config table covers every key, its YAML
snippets parse and validate, and its resource counts are the plan's."""

import json
import re
from typing import Any, get_origin

from pydantic import BaseModel

from plan import benchmark, graph
from plan.engine import PROJECT_ROOT, stack_config
from plan.stack_files import parse_yaml
from stack.config import WebstackConfig, parse_settings
from stack.errors import _model_inside
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES

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


def test_the_readme_config_table_documents_no_key_the_schema_does_not_have():
    keys = set(schema_keys(WebstackConfig, "webstack:"))
    documented = re.findall(r"^\| `(webstack:[^`]+)` \|", README, re.M)
    assert documented and [key for key in documented if key not in keys] == []


def yaml_snippets() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", README, re.S)


def merge(base: Any, addition: Any) -> Any:
    """``addition`` laid over ``base``, mappings merged key by key (as a reader applies a snippet); a
    mapping with a ``port`` is a whole service definition and replaces the one it names."""
    if isinstance(base, dict) and isinstance(addition, dict) and "port" not in addition:
        return {**base, **{key: merge(base.get(key), value) for key, value in addition.items()}}
    return addition


def test_every_yaml_snippet_in_the_readme_parses_as_the_cli_reads_it_and_validates_with_the_loader():
    snippets = yaml_snippets()
    assert snippets, "the README shows at least one stack-file snippet"
    for snippet in snippets:
        fragment = parse_yaml(snippet)
        if isinstance(fragment, dict) and "config" in fragment:
            # A whole stack file (e.g. a reference design) is validated as it stands, not merged.
            whole = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fragment["config"].items()}
            parse_settings(whole, "readme")
            continue
        fragment = fragment.get("config", fragment)
        assert isinstance(fragment, dict) and all(":" in key for key in fragment), snippet
        environment = "prod" if "222222222222" in snippet else "dev"
        stack = EXAMPLE_PROD if environment == "prod" else EXAMPLE_DEV
        config = stack_config(stack, FIXTURES)
        for key, value in fragment.items():  # a snippet shows what to add to a stack: merge it in
            merged = merge(json.loads(config[key]) if key in config else None, value)
            config[key] = merged if isinstance(merged, str) else json.dumps(merged)
        parse_settings(config, stack)  # raises ConfigError naming the key when a snippet is wrong


def readme_resource_counts() -> dict[str, int]:
    return {
        label: int(count) for label, count in re.findall(r"^\| (example-[^|]+?) \| (\d+) \|", README, re.M)
    }


def test_the_readme_resource_counts_are_what_the_plan_counts():
    counts = readme_resource_counts()
    cases = benchmark.cases()
    assert sorted(counts) == sorted(label for label, _, _ in cases)
    planned = {
        label: len(graph.capture(stack, benchmark.EXAMPLES, overrides=overrides)["resources"])
        for label, stack, overrides in cases[:-1]
    }
    # The largest synthetic case only repeats identical services: extrapolate instead of planning it.
    (one, _, _), (ten, _, _), (last, _, _) = cases[-3:]
    per_service = (planned[ten] - planned[one]) // 9
    planned[last] = planned[ten] + per_service * (benchmark.SERVICE_COUNTS[-1] - 10)
    assert counts == planned
