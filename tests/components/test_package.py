"""The components as an installable distribution and as a Pulumi component package.

The package schema is generated here exactly as the component provider host generates it (the SDK's
own analyzer and schema generator), for every component the package hosts. What each check expects is
derived from the code: the components found in components/, their Args dataclasses, their annotated
outputs and the enums and nested types these reach. A new component, field, output or enum is
therefore checked the moment it exists, and one without a description fails here.
"""

import ast
import dataclasses
import enum
import importlib
import importlib.util
import inspect
import json
import pkgutil
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import grpc
import pulumi
import pytest
from google.protobuf import empty_pb2
from pulumi.provider.experimental import component as component_provider
from pulumi.provider.experimental.analyzer import Analyzer
from pulumi.provider.experimental.schema import generate_schema
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

import components
from components.cluster import CapacityStrategy, Cluster, ClusterArgs, ContainerInsights, OffHoursArgs
from components.frontdoor import Edge, EdgeArgs, EdgeRoute, TargetHealthCheck
from components.network import NatMode, Network, NetworkArgs
from components.queue import Queue, QueueArgs
from components.service import ContainerHealthCheck, Service, ServiceArgs, TaskSchedule
from plan.engine import Run, run_component

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PACKAGE_DIR = ROOT / "package"
DEFAULT_MARK = "Default:"
REQUIRED_MARK = re.compile(r"\bRequired\b")
"""A field without a default says so: ``Required.`` or ``Required (why).``"""


def load_package_main() -> ModuleType:
    """package/__main__.py as a module (its ``if __name__ == "__main__"`` does not run)."""
    spec = importlib.util.spec_from_file_location("webstack_package_main", PACKAGE_DIR / "__main__.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def package_main() -> ModuleType:
    return load_package_main()


def defined_components() -> list[type[pulumi.ComponentResource]]:
    """Every ComponentResource class defined in a module of components/."""
    found: dict[str, type[pulumi.ComponentResource]] = {}
    for info in pkgutil.walk_packages(components.__path__, "components."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, pulumi.ComponentResource)
                and value.__module__ == module.__name__
            ):
                found[value.__qualname__] = value
    return [found[name] for name in sorted(found)]


def build_schema(hosted: list[type[pulumi.ComponentResource]], name: str, version: str) -> dict[str, Any]:
    """The schema the plugin serves: what ``ComponentProvider.__init__`` does, with the SDK's analyzer
    as the package adjusts it (a field with a default is optional)."""
    result = package_main().DefaultsAreOptional(name).analyze(hosted)
    dependencies = sorted(result["dependencies"], key=lambda d: f"{d.name}{d.version}")
    spec = generate_schema(
        name, version, None, result["component_definitions"], result["type_definitions"], dependencies
    )
    return spec.to_json()


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    main = package_main()
    return build_schema(main.COMPONENTS, main.NAME, main.VERSION)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def args_type(component: type) -> type:
    return inspect.get_annotations(component.__init__)["args"]


def output_annotations(component: type) -> dict[str, Any]:
    """The component's public annotated attributes, its package outputs (bases included)."""
    found: dict[str, Any] = {}
    for cls in reversed(component.__mro__):
        if cls not in (object, pulumi.Resource, pulumi.ComponentResource):
            found.update(inspect.get_annotations(cls))
    return {name: hint for name, hint in found.items() if not name.startswith("_")}


def reachable(hint: Any) -> Iterator[type]:
    """The dataclasses and enums an annotation mentions (through Input, Sequence, X | None ...)."""
    if inspect.isclass(hint) and (dataclasses.is_dataclass(hint) or issubclass(hint, enum.Enum)):
        yield hint
    for arg in get_args(hint):
        yield from reachable(arg)


def named_types() -> dict[str, type]:
    """Every nested dataclass and enum reachable from a component's Args or outputs, by name."""
    hints = [
        hint
        for component in package_main().COMPONENTS
        for hint in (
            *output_annotations(component).values(),
            *inspect.get_annotations(args_type(component)).values(),
        )
    ]
    found: dict[str, type] = {}
    while hints:
        for kind in reachable(hints.pop()):
            if kind.__name__ not in found:
                found[kind.__name__] = kind
                if dataclasses.is_dataclass(kind):
                    hints.extend(field.type for field in dataclasses.fields(kind))
    return found


def field_problems(kind: type, properties: dict[str, Any], where: str) -> Iterator[str]:
    """Each field of dataclass ``kind``: in ``properties`` (camelCase), described, default documented."""
    for field in dataclasses.fields(kind):
        prop = properties.get(camel(field.name))
        if prop is None:
            yield f"{where}: {kind.__name__}.{field.name} is not in the schema as {camel(field.name)}"
            continue
        description = (prop.get("description") or "").strip()
        if not description:
            yield f"{where}: {kind.__name__}.{field.name} has no description (a docstring under the field)"
        elif (problem := default_problem(field, description)) is not None:
            yield f"{where}: {kind.__name__}.{field.name}: {problem}"


def default_problem(field: dataclasses.Field[Any], description: str) -> str | None:
    """Why the description does not state the field's default (or that it is required), or None."""
    if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
        return None if REQUIRED_MARK.search(description) else "no default, so it should say 'Required.'"
    if DEFAULT_MARK not in description:
        return f"has a default, so it should say {DEFAULT_MARK!r} and the value: {description!r}"
    stated = description.rsplit(DEFAULT_MARK, 1)[1].lower()
    value = field.default if field.default is not dataclasses.MISSING else field.default_factory()  # type: ignore[misc]
    spellings = default_spellings(value)
    if spellings and not any(spelling.lower() in stated for spelling in spellings):
        return f"its default is {value!r}, but the description says {DEFAULT_MARK}{stated!r}"
    return None


def default_spellings(value: Any) -> list[str]:
    """How a description may write a default; empty when any wording will do (None, empty, objects)."""
    if isinstance(value, enum.Enum):
        return [str(value.value), value.name]
    if isinstance(value, bool):
        return [str(value)]
    if isinstance(value, int | float):
        number = int(value) if float(value).is_integer() else value
        return [str(number), f"{number:,}"]
    if isinstance(value, str) and value:
        return [value]
    return []


# --- the distribution ---------------------------------------------------------------------------------


def test_the_distribution_lists_every_folder_of_components_that_has_an_init_as_a_package():
    folders = sorted(
        ".".join(("webstack_components", *path.parent.relative_to(ROOT / "components").parts))
        for path in (ROOT / "components").rglob("__init__.py")
        if "__pycache__" not in path.parts
    )
    assert sorted(PYPROJECT["tool"]["setuptools"]["packages"]) == folders
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"webstack_components": "components"}


def requirement_ranges(lines: Iterable[str]) -> dict[str, str]:
    """``{distribution: version range}`` of requirement lines (comments and ``-c``/``-r`` lines skipped)."""
    ranges: dict[str, str] = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            name, spec = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", line).groups()  # type: ignore[union-attr]
            ranges[name.lower().replace("_", "-")] = spec.replace(" ", "")
    return ranges


DISTRIBUTION_DEPENDENCIES = requirement_ranges(PYPROJECT["project"]["dependencies"])


def _third_party_imports_of_components() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "components").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name != "__future__"}


def test_the_distribution_depends_on_what_components_import_with_the_ranges_of_requirements_txt():
    program = requirement_ranges((ROOT / "requirements.txt").read_text().splitlines())
    assert {name: program.get(name) for name in DISTRIBUTION_DEPENDENCIES} == DISTRIBUTION_DEPENDENCIES
    imported = {name.replace("_", "-") for name in _third_party_imports_of_components()}
    assert imported == set(DISTRIBUTION_DEPENDENCIES), "what components/ imports, and what it declares"


# --- the component package ----------------------------------------------------------------------------


def test_the_plugin_runs_python_and_installs_the_distributions_dependencies():
    manifest = (PACKAGE_DIR / "PulumiPlugin.yaml").read_text()
    assert re.search(r"^runtime: python$", manifest, re.MULTILINE)
    plugin = requirement_ranges((PACKAGE_DIR / "requirements.txt").read_text().splitlines())
    assert plugin == DISTRIBUTION_DEPENDENCIES


def test_the_package_hosts_every_component_of_components_under_the_distributions_version():
    main = package_main()
    assert [c.__qualname__ for c in main.COMPONENTS] == [c.__qualname__ for c in defined_components()]
    assert main.NAME == "webstack"
    assert PYPROJECT["project"]["version"] == main.VERSION


def test_every_component_is_a_described_resource_of_the_schema(schema: dict[str, Any]):
    problems = []
    for component in package_main().COMPONENTS:
        resource = schema["resources"].get(f"webstack:index:{component.__name__}")
        if resource is None:
            problems.append(f"{component.__name__} is not in the schema")
        elif not resource.get("isComponent") or not (resource.get("description") or "").strip():
            problems.append(f"{component.__name__} has no description (its class docstring)")
    assert problems == []


def test_every_args_field_is_an_input_with_a_description_that_states_its_default(schema: dict[str, Any]):
    problems = []
    for component in package_main().COMPONENTS:
        resource = schema["resources"].get(f"webstack:index:{component.__name__}", {})
        kind = args_type(component)
        assert dataclasses.is_dataclass(kind), f"{component.__name__}'s args is not a dataclass"
        problems += field_problems(kind, resource.get("inputProperties", {}), component.__name__)
        extra = set(resource.get("inputProperties", {})) - {camel(f.name) for f in dataclasses.fields(kind)}
        problems += [f"{component.__name__}: input {name} is no field of {kind.__name__}" for name in extra]
    assert problems == []


def test_every_nested_args_type_is_a_described_type_whose_fields_are_described(schema: dict[str, Any]):
    problems = []
    for name, kind in named_types().items():
        if not dataclasses.is_dataclass(kind):
            continue
        spec = schema["types"].get(f"webstack:index:{name}")
        if spec is None:
            problems.append(f"{name} is not in the schema's types")
            continue
        if not (spec.get("description") or "").strip():
            problems.append(f"{name} has no description (its class docstring)")
        problems += field_problems(kind, spec.get("properties", {}), name)
    assert problems == []


def test_every_output_is_a_described_property(schema: dict[str, Any]):
    problems = []
    for component in package_main().COMPONENTS:
        properties = schema["resources"].get(f"webstack:index:{component.__name__}", {}).get("properties", {})
        for name in output_annotations(component):
            prop = properties.get(camel(name))
            if prop is None:
                problems.append(f"{component.__name__}.{name} is not an output {camel(name)}")
            elif not (prop.get("description") or "").strip():
                problems.append(f"{component.__name__}.{name} has no description (a docstring under it)")
    assert problems == []


def test_every_enum_is_a_described_type_with_every_value(schema: dict[str, Any]):
    problems = []
    for name, kind in named_types().items():
        if not issubclass(kind, enum.Enum):
            continue
        spec = schema["types"].get(f"webstack:index:{name}")
        if spec is None:
            problems.append(f"enum {name} is not in the schema's types")
            continue
        if not (spec.get("description") or "").strip():
            problems.append(f"enum {name} has no description (its class docstring)")
        values = [member["value"] for member in spec.get("enum", [])]
        if values != [member.value for member in kind]:
            problems.append(f"enum {name}: the schema lists {values}")
    assert problems == []


def test_the_plugin_serves_the_schema_checked_here(schema: dict[str, Any], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(component_provider, "Analyzer", Analyzer)  # the SDK's again after the test
    main = package_main()
    main.install_analyzer()
    served = component_provider.ComponentProvider(main.COMPONENTS, main.NAME, version=main.VERSION)
    assert served.schema is not None and json.loads(served.schema) == schema


def test_a_field_may_be_left_out_exactly_when_it_has_a_default_or_admits_none(schema: dict[str, Any]):
    def problems(kind: type, required: list[str], where: str) -> Iterator[str]:
        for field in dataclasses.fields(kind):
            optional = package_main().has_default(field) or type(None) in get_args(field.type)
            if (camel(field.name) in required) == optional:
                yield f"{where}: {kind.__name__}.{field.name} required={camel(field.name) in required}"

    found = []
    for component in package_main().COMPONENTS:
        resource = schema["resources"].get(f"webstack:index:{component.__name__}", {})
        found += problems(args_type(component), resource.get("requiredInputs", []), component.__name__)
    for name, kind in named_types().items():
        if dataclasses.is_dataclass(kind):
            spec = schema["types"].get(f"webstack:index:{name}", {})
            found += problems(kind, spec.get("required", []), name)
    assert found == []


def test_the_plugin_started_as_the_cli_starts_it_serves_that_schema(schema: dict[str, Any], tmp_path: Path):
    # `pulumi package add` runs `python __main__.py <engine address>` and reads the port from stdout.
    plugin = subprocess.Popen(
        [sys.executable, str(PACKAGE_DIR / "__main__.py"), "127.0.0.1:1"],
        cwd=tmp_path,  # not the repository: the plugin finds the components from its own location
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert plugin.stdout is not None
        port = plugin.stdout.readline().strip()
        assert port.isdigit(), plugin.stderr.read() if plugin.stderr else port
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            version = stub.GetPluginInfo(empty_pb2.Empty(), timeout=30).version
            served = stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=30).schema
        assert version == PYPROJECT["project"]["version"]
        assert json.loads(served) == schema
    finally:
        plugin.kill()
        plugin.wait()


# --- constructed through the provider -----------------------------------------------------------------


def wire(value: Any) -> Any:
    """A Python Args value as the engine hands it to the component provider: camelCase keys, enums as
    their values, every number a float, sequences as lists; None and fields at their default left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            camel(field.name): wire(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if getattr(value, field.name) is not None and not at_default(field, getattr(value, field.name))
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, list | tuple):
        return [wire(item) for item in value]
    if isinstance(value, dict):
        return {key: wire(item) for key, item in value.items()}  # map keys are not renamed
    return value


def at_default(field: dataclasses.Field[Any], value: Any) -> bool:
    if field.default is not dataclasses.MISSING:
        return value == field.default
    return field.default_factory is not dataclasses.MISSING and value == field.default_factory()  # type: ignore[misc]


def recorded_graph(run: Run) -> list[str]:
    """Every resource's URN, parent, inputs and options, comparable (``dependsOn`` is a set: sorted)."""
    return sorted(
        json.dumps(
            [r.urn, r.parent, r.inputs, {**r.options, "dependsOn": sorted(r.options["dependsOn"])}],
            sort_keys=True,
            default=str,
        )
        for r in run.resources
    )


def constructed_through_the_provider(component: type, args: Any) -> Run:
    """What a TypeScript, Go or YAML program that declares ``component`` with ``args`` gets."""
    main = package_main()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(component_provider, "Analyzer", Analyzer)  # the SDK's again afterwards
        main.install_analyzer()
        provider = component_provider.ComponentProvider(main.COMPONENTS, main.NAME, version=main.VERSION)
    token = f"{main.NAME}:index:{component.__name__}"
    return run_component(lambda: provider.construct("sample", token, wire(args), None).urn)


KEY_ARN = "arn:aws:kms:eu-west-1:111111111111:key/sample"
ZONES = ("eu-west-1a", "eu-west-1b")


def samples() -> list[tuple[type, Any]]:
    """Args values that exercise what crosses the provider: enums, nested objects, lists of objects,
    ints, maps, and fields left at their defaults (a Queue with all but one)."""
    return [
        (Queue, QueueArgs(visibility_timeout_seconds=60)),
        (
            Network,
            NetworkArgs(
                cidr="10.20.0.0/16",
                zones=ZONES,
                nat_mode=NatMode.PER_AZ,
                flow_log_retention_days=30,
                region="eu-west-1",
                kms_key_arn=KEY_ARN,
                interface_endpoints=("logs", "ecr.api"),
                tags={"team": "web"},
            ),
        ),
        (
            Cluster,
            ClusterArgs(
                capacity=CapacityStrategy.BALANCED,
                container_insights=ContainerInsights.ENHANCED,
                exec_enabled=True,
                exec_log_retention_days=14,
                kms_key_arn=KEY_ARN,
                off_hours=OffHoursArgs(
                    timezone="Europe/Dublin", stop="0 20 ? * MON-FRI *", start="0 7 ? * MON-FRI *"
                ),
            ),
        ),
        (
            Edge,
            EdgeArgs(
                vpc_id="vpc-1",
                subnet_ids=("subnet-a", "subnet-b"),
                routes=(
                    EdgeRoute(name="web", port=8080, priority=100),
                    EdgeRoute(
                        name="api",
                        port=9000,
                        priority=10,
                        path_patterns=("/api/*",),
                        health_check=TargetHealthCheck(path="/health", interval=15),
                    ),
                ),
                access_logs=True,
            ),
        ),
        (
            Service,
            ServiceArgs(
                cluster_arn="arn:aws:ecs:eu-west-1:111111111111:cluster/apps",
                cluster_name="apps",
                vpc_id="vpc-1",
                subnet_ids=("subnet-a", "subnet-b"),
                region="eu-west-1",
                kms_key_arn=KEY_ARN,
                image="public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine",
                cpu=512,
                memory=1024,
                environment={"MODE": "worker"},
                container_health_check=ContainerHealthCheck(command=("CMD-SHELL", "true")),
                schedules=(TaskSchedule(name="nightly", expression="cron(0 3 * * ? *)"),),
            ),
        ),
    ]


@pytest.mark.parametrize("component, args", samples(), ids=lambda value: getattr(value, "__name__", ""))
def test_a_program_in_another_language_gets_the_resources_a_python_program_gets(component: type, args: Any):
    remote = constructed_through_the_provider(component, args)
    local = run_component(lambda: component("sample", args))
    assert remote.resources and recorded_graph(remote) == recorded_graph(local)
