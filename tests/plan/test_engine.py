"""The offline engine refuses what the real Pulumi engine and AWS refuse, so mistakes fail offline."""

from __future__ import annotations

import asyncio
import copy
import enum
import gc
import hashlib
import inspect
import json
import logging
import subprocess
import sys
import threading
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Optional, Union

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx
import pytest
import yaml
from google.protobuf import struct_pb2
from pulumi import _types as sdk_types  # pyright: ignore[reportPrivateUsage]
from pulumi.runtime import mocks as sdk_mocks
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc
from pulumi.runtime._context import wrap_with_context
from pulumi.runtime.proto import resource_pb2

from components.pure import regions
from plan import engine, sdk_shortcuts, stack_files
from plan.engine import (
    PROJECT_ROOT,
    AutonameTooLongError,
    DuplicateUrnError,
    Run,
    run_component,
    run_stack,
    stack_config,
)
from plan.sources import sources_fingerprint, synthesis_sources
from plan.stack_files import parse_yaml
from stack.config import ConfigError, StackSettings
from stack.wiring.load import load_settings
from tests.support.fresh_interpreter import FreshRun
from tests.support.kept_runs import SOURCES_FINGERPRINT, kept_runs_folder, sources_seed

FIXTURES = Path(__file__).parents[1] / "stacks"


class _Box(pulumi.ComponentResource):
    def __init__(self, name: str, tag: str) -> None:
        super().__init__("test:index:Box", name)
        awsx.ecr.Image(
            f"{name}-image",
            repository_url="123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo",
            context="app",
            image_tag=tag,
            opts=pulumi.ResourceOptions(parent=self),
        )


def test_two_awsx_images_with_the_same_tag_under_same_typed_parents_collide_on_urn():
    with pytest.raises(DuplicateUrnError, match=r"Box\$awsx:ecr:Image\$docker-build:index:Image::same"):
        run_component(lambda: [_Box("one", "same"), _Box("two", "same")])


def test_awsx_images_with_distinct_tags_each_get_a_modelled_docker_build_child():
    run = run_component(lambda: [_Box("one", "one-1"), _Box("two", "two-1")])
    children = run.of_type("docker-build:index:Image")
    assert sorted(child.name for child in children) == ["one-1", "two-1"]
    for child in children:
        assert run.by_urn(child.parent or "").type == "awsx:ecr:Image"
        assert child.inputs["tags"] == [f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:{child.name}"]


def test_two_resources_with_the_same_type_and_name_collide_even_under_different_parents():
    def build() -> None:
        one, two = _Box("a", "a-1"), _Box("b", "b-1")
        for parent in (one, two):
            pulumi.ComponentResource("test:index:Leaf", "leaf", opts=pulumi.ResourceOptions(parent=parent))

    with pytest.raises(DuplicateUrnError, match="test:index:Leaf::leaf"):
        run_component(build)


def test_the_example_stacks_have_no_colliding_urns():
    for stack in ("example-dev", "example-prod"):
        run = run_stack(stack, root=FIXTURES)
        urns = [r.urn for r in run.resources]
        assert len(urns) == len(set(urns))
        assert len(run.of_type("docker-build:index:Image")) == 2, "both services build app/"


@pytest.mark.parametrize("region", regions.REGIONS)
def test_every_commercial_region_loads_with_two_of_the_zones_the_engine_offers_there(region: str):
    # The whole region-dependent path of a run before any resource: the config check, the engine's
    # getAvailabilityZones answer and the zone choice (stack/wiring/load.py), in each region.
    config = stack_config("example-dev", FIXTURES) | {"aws:region": region}
    loaded: list[StackSettings] = []
    run_component(lambda: loaded.append(load_settings()), config, stack="example-dev")
    zones = loaded[0].network.availability_zones or ()
    assert len(zones) == 2 and all(zone[:-1] == region for zone in zones)
    assert set(zones) <= set(regions.zones(region))


@pytest.mark.parametrize(
    "region",
    [
        "us-east-1",  # six zones
        "ap-northeast-1",  # zone letters a, c, d: no b
        "il-central-1",  # opt-in, no regional ELB account (log delivery by service principal)
        "ap-southeast-7",  # the newest in the table
    ],
)
def test_the_whole_program_runs_in_each_kind_of_region(region: str):
    # What else depends on the region (the access-log principal) is tested per region in
    # tests/components/frontdoor/test_edge.py; every region's zones above.
    run = run_stack("example-dev", {"aws:region": region}, root=FIXTURES)
    zones = run.outputs["availabilityZones"]
    assert len(zones) == 2 and all(zone[:-1] == region for zone in zones)
    assert {r.inputs["availabilityZone"] for r in run.of_type("aws:ec2/subnet:Subnet")} == set(zones)


def test_a_region_typo_is_a_config_error_naming_aws_region_with_a_did_you_mean():
    recorded = Run()
    with pytest.raises(ConfigError) as error:
        run_stack("example-dev", {"aws:region": "eu-wset-1"}, root=FIXTURES, run=recorded)
    assert "aws:region: got 'eu-wset-1'" in str(error.value)
    assert "did you mean eu-west-1?" in str(error.value)
    assert recorded.resources == [], "refused before any resource"


def test_a_region_the_table_does_not_know_is_refused_and_says_where_to_add_it():
    with pytest.raises(ConfigError, match=r"aws:region: got 'xx-nowhere-9'.*components/pure/regions.py"):
        run_stack("example-dev", {"aws:region": "xx-nowhere-9"}, root=FIXTURES)


def test_a_stack_file_with_a_duplicate_key_is_refused_as_the_cli_would(tmp_path: Path):
    (tmp_path / "Pulumi.twice.yaml").write_text("config:\n  aws:region: eu-west-1\n  aws:region: us-east-1\n")
    with pytest.raises(yaml.YAMLError, match=r"'aws:region' appears twice \(first at line 2\)"):
        stack_config("twice", tmp_path)


def test_a_yaml_mistake_is_reported_with_the_line_quoted_as_the_pure_python_parser_does():
    text = "config:\n  aws:region: eu-west-1\n  webstack:services: [web\n"
    with pytest.raises(yaml.YAMLError) as refused:
        parse_yaml(text)
    assert str(refused.value) == str(_pure_python_error(text))
    assert "line 4" in str(refused.value) and "^" in str(refused.value)
    twice = "config:\n  aws:region: eu-west-1\n  aws:region: us-east-1\n"
    with pytest.raises(stack_files.DuplicateKeyError) as duplicate:
        parse_yaml(twice)
    assert str(duplicate.value) == str(_pure_python_error(twice))


@pytest.mark.parametrize(
    "text",
    [
        "config:\n  aws:region: eu-west-1\t\n",  # libyaml accepts a tab after a value
        "config:\n  aws:region:\teu-west-1\n",
        "config:\n  webstack:services: [web,\tapi]\n",
        "config:\n  ? [aws:region]\n  : eu-west-1\n",  # a key that cannot be a key: no TypeError
    ],
)
def test_a_stack_file_the_pure_python_parser_refuses_is_refused_with_its_error(text: str):
    # Every reader of stack files (yaml.safe_load in ops/, the tests) must agree with the plan's.
    with pytest.raises(yaml.YAMLError) as refused:
        parse_yaml(text)
    assert str(refused.value) == str(_pure_python_error(text))


def _pure_python_error(text: str) -> yaml.YAMLError:
    try:
        yaml.load(text, Loader=stack_files._StrictLoader)  # pyright: ignore[reportPrivateUsage]
    except yaml.YAMLError as error:
        return error
    raise AssertionError("the pure-Python parser accepted it")


def test_every_yaml_file_of_the_project_reads_the_same_through_libyaml_and_each_caller_gets_its_own_copy():
    files = [p for p in PROJECT_ROOT.rglob("*.y*ml") if not {"venv", "node_modules", "out"} & set(p.parts)]
    assert len(files) > 20  # the stack files, fixtures, bootstrap stacks, workflows and schema
    for path in files:
        text = path.read_text()
        pure = yaml.load(text, Loader=stack_files._StrictLoader)  # pyright: ignore[reportPrivateUsage]
        assert parse_yaml(text) == pure, path
    first = parse_yaml(files[0].read_text())
    first["changed by one caller"] = True
    assert "changed by one caller" not in parse_yaml(files[0].read_text())


def test_a_folder_of_fixture_stack_files_uses_the_project_file_of_webstack():
    config = stack_config("example-dev", FIXTURES)
    assert config["webstack:environment"] == "dev"


def test_the_plan_command_ends_a_config_error_with_one_paragraph_and_no_stray_runtime_noise(tmp_path: Path):
    # In a folder of its own (--stacks-dir): a stack file in the project root would race the tests that
    # read every Pulumi.*.yaml there (the workflows are generated from them).
    text = (
        (FIXTURES / "Pulumi.example-dev.yaml")
        .read_text()
        .replace("cidr: 10.10.0.0/16", "cidr: 10.10.0.0/16\n    azCount: 5")
    )
    (tmp_path / "Pulumi.engine-test-tmp.yaml").write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "plan", "engine-test-tmp", "--no-diagram", "--stacks-dir", str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "webstack:network.azCount: got 5" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_an_autonamed_target_group_whose_logical_name_is_too_long_is_refused_as_the_provider_does():
    def build() -> None:
        aws.lb.TargetGroup("edge-tg-billing-api-metrics", port=80, protocol="HTTP", target_type="ip")

    with pytest.raises(AutonameTooLongError, match=r"'edge-tg-billing-api-metrics-' plus 7 random chars"):
        run_component(build)


def test_a_target_group_at_the_autoname_limit_or_with_an_explicit_name_is_accepted():
    def build() -> None:
        aws.lb.TargetGroup("edge-tg-abcdefghijklmnop", port=80, protocol="HTTP", target_type="ip")
        aws.lb.TargetGroup("a-very-long-logical-name-for-a-group", name="short", port=80, protocol="HTTP")

    run = run_component(build)
    assert len(run.of_type("aws:lb/targetGroup:TargetGroup")) == 2


# --- Memoized runs (the suite's cache_runs, turned on in conftest.py) -------------------------------


@pytest.fixture
def real_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stacks the engine really ran (rather than answered from memory) during the test, which
    starts with an empty memo (the suite's may hold these runs from an earlier session)."""
    monkeypatch.setattr(engine, "_run_cache", engine._RunCache(None))
    ran: list[str] = []
    configure = engine._configure

    def counting(run: Run, config, stack: str, project: str = engine.PROJECT) -> None:
        ran.append(stack)
        configure(run, config, stack, project)

    monkeypatch.setattr(engine, "_configure", counting)
    return ran


def test_a_memoized_run_is_a_private_copy_that_the_next_caller_never_sees_changed(real_runs):
    first = run_stack("example-dev", root=FIXTURES)
    again = run_stack("example-dev", root=FIXTURES)
    assert real_runs.count("example-dev") <= 1, "the same stack and config run once per session"
    assert again is not first and again == first
    again.named("webstack-vpc").inputs["cidrBlock"] = "0.0.0.0/0"
    again.outputs.clear()
    again.resources.pop()
    third = run_stack("example-dev", root=FIXTURES)
    assert third == first and third.named("webstack-vpc").inputs["cidrBlock"] == "10.10.0.0/16"
    recorded = Run()
    assert run_stack("example-dev", root=FIXTURES, run=recorded) is recorded and recorded == first


def test_an_edited_stack_file_or_other_overrides_run_the_program_again(real_runs, tmp_path: Path):
    (tmp_path / "Pulumi.example-dev.yaml").write_text((FIXTURES / "Pulumi.example-dev.yaml").read_text())
    before = run_stack("example-dev", root=tmp_path)  # the same config as the fixture: may be memoized
    ran = len(real_runs)
    stack_file = tmp_path / "Pulumi.example-dev.yaml"
    stack_file.write_text(stack_file.read_text().replace("cidr: 10.10.0.0/16", "cidr: 10.11.0.0/16"))
    after = run_stack("example-dev", root=tmp_path)
    assert before.named("webstack-vpc").inputs["cidrBlock"] == "10.10.0.0/16"
    assert after.named("webstack-vpc").inputs["cidrBlock"] == "10.11.0.0/16"
    overridden = run_stack("example-dev", {"webstack:network": {"cidr": "10.12.0.0/16"}}, root=tmp_path)
    assert overridden.named("webstack-vpc").inputs["cidrBlock"] == "10.12.0.0/16"
    assert len(real_runs) == ran + 2


def test_fresh_runs_and_failed_runs_are_never_answered_from_memory(real_runs):
    run_stack("example-dev", root=FIXTURES)
    with engine.fresh_runs():
        run_stack("example-dev", root=FIXTURES)
    for _ in range(2):
        with pytest.raises(ConfigError):
            run_stack("example-dev", {"aws:region": "xx-nowhere-9"}, root=FIXTURES)
    assert real_runs.count("example-dev") >= 3


def test_a_second_run_is_a_real_synthesis_of_its_own_made_once_and_shared(real_runs):
    """plan/engine.py second_runs: what tests that plan a stack twice compare the session's run with."""
    overrides = {"webstack:network": {"cidr": "10.13.0.0/16"}}  # a config no other test runs
    first = run_stack("example-dev", overrides, root=FIXTURES)
    with engine.second_runs():
        second = run_stack("example-dev", overrides, root=FIXTURES)
        again = run_stack("example-dev", overrides, root=FIXTURES)
    assert real_runs == ["example-dev", "example-dev"], "the first run and the second, each once"
    assert again == second and again is not second, "the one second run, a private copy each time"
    assert sorted(r.urn for r in second.resources) == sorted(r.urn for r in first.resources)
    assert run_stack("example-dev", overrides, root=FIXTURES) == first and len(real_runs) == 2


def test_a_change_to_any_file_of_a_build_context_the_config_names_is_a_new_run(tmp_path: Path):
    # The image tag hashes the build context's files (components/artifacts.py), so they are in the key.
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    config = {"webstack:services": json.dumps({"api": {"build": {"context": str(tmp_path)}, "port": 80}})}
    program = PROJECT_ROOT / "__main__.py"
    key = engine._cache_key(config, "dev", program, engine.PROJECT)
    assert key == engine._cache_key(dict(config), "dev", program, engine.PROJECT)
    (tmp_path / "app.py").write_text("print('hi')\n")
    assert engine._cache_key(config, "dev", program, engine.PROJECT) != key
    assert engine._cache_key(config, "prod", program, engine.PROJECT) != key


def test_bytecode_written_into_a_build_context_is_not_a_new_run(tmp_path: Path):
    """Importing a context's code (tests/delivery/test_example_app.py loads app/server.py) writes
    ``__pycache__`` there; no image tag hashes it (components/pure/artifacts.py ALWAYS_IGNORED), so
    the runs memoized before it stay valid."""
    (tmp_path / "server.py").write_text("print('hi')\n")
    config = {"webstack:services": json.dumps({"api": {"build": {"context": str(tmp_path)}, "port": 80}})}
    program = PROJECT_ROOT / "__main__.py"
    key = engine._cache_key(config, "dev", program, engine.PROJECT)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "server.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / "server.pyc").write_bytes(b"\0")
    assert engine._cache_key(config, "dev", program, engine.PROJECT) == key


def test_a_promotion_record_is_part_of_the_run_by_its_content_not_by_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    config = {"aws:region": "eu-west-1"}
    program = PROJECT_ROOT / "__main__.py"
    keys = []
    for folder, digest in (("one", "sha256:aa"), ("two", "sha256:aa"), ("three", "sha256:bb")):
        record = tmp_path / folder / "promotion.json"
        record.parent.mkdir()
        record.write_text(json.dumps({"api": digest}))
        monkeypatch.setenv("WEBSTACK_PROMOTION", str(record))
        keys.append(engine._cache_key(config, "prod", program, engine.PROJECT))
    assert keys[0] == keys[1] != keys[2]


def test_a_run_takes_the_sdk_shortcuts_keeps_its_warnings_and_puts_every_hook_back():
    # plan/sdk_shortcuts.py: an SDK upgrade that renames a hook fails here, not slowly.
    hooks = [
        (sdk_resource, "_get_stack_trace"),
        (pulumi.log, "debug"),
        (rpc, "transfer_properties"),
        (rpc, "contains_unknowns"),
        (sdk_types, "unwrap_type"),
        (rpc, "serialize_property"),
        (sdk_mocks.MockMonitor, "RegisterResource"),
        (sdk_mocks.MockMonitor, "Invoke"),
        (asyncio.BaseEventLoop, "run_in_executor"),
        (pulumi.Output, "_track"),
        (pulumi.Output, "_untrack"),
    ]
    originals = [getattr(owner, name) for owner, name in hooks]
    seen = []

    def build() -> aws.s3.Bucket:
        seen.append([getattr(owner, name) for owner, name in hooks])
        pulumi.log.warn("kept")
        return aws.s3.Bucket("b")

    run = run_component(build)
    assert seen and all(during is not before for during, before in zip(seen[0], originals, strict=True))
    assert [getattr(owner, name) for owner, name in hooks] == originals
    assert [r.name for r in run.resources] == ["b"]
    assert run.warnings == ["kept"]


def test_finished_runs_leave_no_logger_registered_and_do_not_pile_up_in_memory():
    # A registered logger per run outlived it, held its graph through the warning handler, and was
    # one more logger that pytest's log capture attached to in every phase of every later test.
    before = set(logging.root.manager.loggerDict)

    def build() -> aws.s3.Bucket:
        pulumi.log.warn("collected")
        return aws.s3.Bucket("b")

    finished = []
    for _ in range(8):
        run = run_component(build)
        assert run.warnings == ["collected"]
        finished.append(weakref.ref(run))
        del run
    gc.collect()
    assert set(logging.root.manager.loggerDict) == before
    # The SDK keeps the first monitor of a process as its default and the latest until the next run.
    assert sum(ref() is not None for ref in finished) <= 3


SDK_TRANSFER = rpc.transfer_properties
SDK_CONTAINS_UNKNOWNS = rpc.contains_unknowns
SDK_SERIALIZE_PROPERTY = rpc.serialize_property
SDK_UNWRAP_TYPE = sdk_types.unwrap_type
SDK_INVOKE = sdk_mocks.MockMonitor.Invoke
"""The SDK's own (this module is imported outside any run)."""


class _Registered:
    """Stands for a resource: the SDK only sets its attributes and puts it in dependency sets."""


class _Generated(pulumi.CustomResource):
    """A resource class as pulumi_aws generates them: each output property read through ``pulumi.get``."""

    arn = property(lambda self: pulumi.get(self, "arn"))
    tags = property(lambda self: pulumi.get(self, "tags"))
    policy = property(lambda self: pulumi.get(self, "policy"))


async def _transferred(transfer: Callable[..., dict[str, Any]], kind: type, read_first: bool) -> list[Any]:
    """What each output property of a resource resolves to, resolved as the SDK resolves them, each
    property read (as the program reads it) before or after it resolves."""
    resource, dependency = object.__new__(kind), _Registered()
    props = {"urn": None, "id": None, "arn": None, "tags": None, "policy": None}
    resolvers = transfer(resource, props, True)
    assert sorted(resolvers) == ["arn", "policy", "tags"]  # urn and id are the SDK's own

    def read(name: str) -> Any:
        return getattr(resource, name) if kind is _Generated else resource.__dict__[name]

    early = {name: read(name) for name in ("arn", "tags", "policy")} if read_first else {}
    resolvers["arn"]("arn:aws:s3:::b", True, False, {dependency}, None)
    resolvers["tags"](None, False, True, None, None)
    resolvers["policy"](None, False, False, None, RuntimeError("refused"))
    seen: list[Any] = []
    for name in ("arn", "tags"):
        output = read(name)
        assert isinstance(output, pulumi.Output) and output is read(name) is early.get(name, output)
        resources = await asyncio.wait_for(output.resources(), 10)  # a lost resolution fails, not hangs
        seen.append((await output.future(), await output.is_known(), await output.is_secret(), resources))
    with pytest.raises(RuntimeError, match="refused"):
        await read("policy").future()
    seen.append(("resources", resource, dependency))
    return seen


@pytest.mark.parametrize(
    ("kind", "read_first"),
    [(_Registered, False), (_Generated, False), (_Generated, True)],
    ids=["a plain attribute", "a property read after it resolves", "a property read before it resolves"],
)
def test_an_output_property_resolves_to_the_same_data_and_failure_with_the_shortcut_as_with_the_sdk(
    kind: type, read_first: bool
):
    for transfer in (SDK_TRANSFER, sdk_shortcuts.transfer_properties):
        loop = asyncio.new_event_loop()  # not asyncio.run: it would leave the SDK's runs no loop
        try:
            with sdk_shortcuts.offline_sdk():  # pulumi.get as a run has it
                arn, tags, (_, resource, dependency) = loop.run_until_complete(
                    _transferred(transfer, kind, read_first)
                )
        finally:
            loop.close()
        assert arn == ("arn:aws:s3:::b", True, False, {resource, dependency})
        assert tags == (None, False, True, {resource})


def test_an_output_property_nothing_reads_never_becomes_an_output():
    bucket: list[aws.s3.Bucket] = []
    arn: list[str] = []

    def build() -> pulumi.Output[Any]:
        bucket.append(aws.s3.Bucket("b"))
        return bucket[0].arn.apply(arn.append)

    run = run_component(build)
    assert arn == [run.named("b").state["arn"]] and arn[0].startswith("arn:aws:s3:::")
    made = {name for name, value in dict.items(vars(bucket[0])) if isinstance(value, pulumi.Output)}
    assert made == {"urn", "id", "arn"}, "the SDK's two and the one the program read"
    domain = bucket[0].bucket_domain_name  # read after the run: the SDK's answer too
    assert (
        isinstance(domain, pulumi.Output)
        and domain is bucket[0].bucket_domain_name
        and "bucket_domain_name" in vars(bucket[0])
    )
    data = domain._data.result()  # pyright: ignore[reportPrivateUsage]
    assert (data.value, data.is_known, data.resources) == (
        run.named("b").state.get("bucketDomainName"),
        True,
        {bucket[0]},
    )
    assert not dict.__contains__(vars(bucket[0]), "tags_all"), "still unread"


def test_whatever_reads_a_resources_dict_whole_or_by_key_sees_every_output_property_as_the_sdk_makes_it():
    loop = asyncio.new_event_loop()  # the loop of a run's registrations, closed before the reads
    resource = object.__new__(_Generated)
    props = {"arn": None, "tags": None, "policy": None}

    async def register() -> dict[str, Any]:
        return sdk_shortcuts.transfer_properties(resource, props, True)

    resolvers = loop.run_until_complete(register())
    resource.__dict__["policy"] = "written"  # a value set on the resource wins, as over the SDK's Output
    resolvers["arn"]("arn:aws:s3:::b", True, False, None, None)
    resolvers["policy"]("from the registration", True, False, None, None)
    loop.close()  # read after the run's loop is gone: nothing is scheduled on it
    arn = resource.__dict__["arn"]
    assert isinstance(arn, pulumi.Output) and resource.arn is arn and resource.policy == "written"
    assert arn._data.result().value == "arn:aws:s3:::b"  # pyright: ignore[reportPrivateUsage]
    assert (
        "tags" in vars(resource)
        and len(vars(resource)) == 3
        and sorted(vars(resource)) == ["arn", "policy", "tags"]
    )
    assert isinstance(copy.copy(resource).tags, pulumi.Output) and resource.tags is vars(resource)["tags"]
    assert type(copy.copy(vars(resource))) is dict


def test_the_sdks_calls_for_the_default_executor_run_on_the_loops_thread_one_deep_and_answer_as_the_pool():
    def answer(value: int) -> tuple[int, threading.Thread]:
        if value < 0:
            raise ValueError("negative")
        return value, threading.current_thread()

    async def calls(loop: asyncio.AbstractEventLoop) -> list[Any]:
        inner: list[Any] = []

        def nesting() -> tuple[int, threading.Thread]:  # a call made while the SDK's call runs
            inner.append(asyncio.run_coroutine_threadsafe(asyncio.sleep(0), loop))
            inner.append(loop.run_in_executor(None, wrap_with_context(answer), 5))
            return answer(4)

        sdk = wrap_with_context(answer)
        with ThreadPoolExecutor(1, thread_name_prefix="explicit") as explicit:
            seen = [await loop.run_in_executor(None, sdk, 1)]
            seen.append(await loop.run_in_executor(explicit, sdk, 2))
            seen.append(await loop.run_in_executor(None, answer, 3))  # not the SDK's: a pool thread
            seen.append(await loop.run_in_executor(None, wrap_with_context(nesting)))
            seen.append(await inner[1])
        with pytest.raises(ValueError, match="negative"):
            await loop.run_in_executor(None, sdk, -1)
        return seen

    loop = asyncio.new_event_loop()
    try:
        with sdk_shortcuts.offline_sdk():
            seen = loop.run_until_complete(calls(loop))
    finally:
        loop.close()
    here = threading.current_thread()
    assert [value for value, _ in seen] == [1, 2, 3, 4, 5]
    assert [thread is here for _, thread in seen] == [True, False, False, True, False]
    assert seen[1][1].name.startswith("explicit")


def test_a_runs_registrations_and_invokes_reach_the_mock_engine_on_the_programs_thread():
    # The SDK's calls go through wrap_with_context; if a Pulumi upgrade renames it, this fails here.
    threads: set[str] = set()
    register, invoke = sdk_mocks.MockMonitor.RegisterResource, sdk_mocks.MockMonitor.Invoke

    def build() -> pulumi.Output[Any]:
        threads.add(threading.current_thread().name)
        region = aws.get_region_output()
        return aws.s3.BucketV2("b", tags={"region": region.region}).arn

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            sdk_shortcuts, "register_resource", _on_thread(threads, sdk_shortcuts.register_resource)
        )
        patch.setattr(sdk_shortcuts, "invoke", _on_thread(threads, sdk_shortcuts.invoke))
        run = run_component(build)
    assert threads == {threading.current_thread().name} and run.named("b")
    assert (sdk_mocks.MockMonitor.RegisterResource, sdk_mocks.MockMonitor.Invoke) == (register, invoke)


def test_registrations_the_sdk_serializes_itself_do_not_nest_deeper_as_a_program_makes_more_of_them():
    # An asset in the mocks' state goes through the SDK's serializer, which runs the loop inside the call;
    # other registrations then go to the thread pool instead of nesting (100 of them nested overflowed).
    def deepest(count: int) -> int:
        depths: list[int] = []

        def measured(self: Any, request: Any) -> Any:
            depth, frame = 0, sys._getframe()  # pyright: ignore[reportPrivateUsage]
            while frame is not None:
                depth, frame = depth + 1, frame.f_back
            depths.append(depth)
            return register(self, request)

        def build() -> None:
            for index in range(count):
                aws.s3.BucketObjectv2(
                    f"o{index}", bucket="b", key=f"k{index}", source=pulumi.StringAsset("x")
                )

        register = sdk_shortcuts.register_resource
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sdk_shortcuts, "register_resource", measured)
            run_component(build)
        assert len(depths) > count  # and the stack
        return max(depths)

    assert deepest(40) <= deepest(2) + 10


def _on_thread(threads: set[str], method: Callable[..., Any]) -> Callable[..., Any]:
    def recorded(self: Any, request: Any) -> Any:
        threads.add(threading.current_thread().name)
        return method(self, request)

    return recorded


def test_a_registration_whose_state_the_sdk_serializes_itself_is_answered_on_the_loops_thread_too():
    # State that is not plain data (an asset) goes through the SDK's serializer, which waits on the
    # loop the call now runs on (pulumi.runtime.sync_await pumps a running loop).
    seen: list[Any] = []

    def build() -> pulumi.Output[Any]:
        bucket = aws.s3.BucketV2("b")
        source = pulumi.StringAsset("hello")
        return aws.s3.BucketObjectv2("o", bucket=bucket.id, key="k", source=source).source.apply(seen.append)

    run = run_component(build)
    assert [type(value).__name__ for value in seen] == ["StringAsset"] and seen[0].text == "hello"
    assert run.named("o").inputs["bucket"] == run.named("b").id


class _OutputType(dict):
    """Like a pulumi_aws output type: a dict with a field named ``values``."""

    @property
    def values(self) -> list[str]:  # type: ignore[override]
        return ["not the dict's values"]


def test_the_unknown_check_answers_what_the_sdks_answers_for_scalars_containers_cycles_and_output_types():
    cycle: list[Any] = ["a"]
    cycle.append(cycle)
    values = [
        None,
        "s",
        3,
        pulumi.UNKNOWN,
        [1, [2, {"k": pulumi.UNKNOWN}]],
        {"a": [1, 2]},
        cycle,
        [cycle, pulumi.UNKNOWN],
        _OutputType(tags={"Name": "x"}),
        _OutputType(tags={"Name": pulumi.UNKNOWN}),
    ]
    answers = [sdk_shortcuts.contains_unknowns(value) for value in values]
    assert answers == [SDK_CONTAINS_UNKNOWNS(value) for value in values]
    assert answers == [False, False, False, True, True, False, False, True, False, True]


class _Colour(str, enum.Enum):  # noqa: UP042 (as pulumi's generated enums are)
    RED = "red"


_ANNOTATIONS: list[Any] = [
    str,
    # Spelled as pulumi's generated SDKs spell them (typing's unions, not ``X | Y``).
    Optional[pulumi.Input[str]],  # noqa: UP045
    pulumi.Input[Optional[str]],  # noqa: UP045
    pulumi.Input[Union[str, int]],  # noqa: UP007
    pulumi.Output[str],
    Union[pulumi.Input[str], int],  # noqa: UP007
    list[pulumi.Input[str]],
    Any,
]


def test_unwrapped_annotations_and_serialized_scalars_are_the_sdks():
    # plan/sdk_shortcuts.py: the memo answers by identity (unions in another order compare equal).
    with sdk_shortcuts.offline_sdk():
        for annotation in _ANNOTATIONS * 2:
            assert sdk_shortcuts.unwrap_type(annotation) == SDK_UNWRAP_TYPE(annotation)
        as_input: Any = Union[int, Awaitable[int], pulumi.Output[int]]  # noqa: UP007 (Input[int])
        reordered: Any = Union[Awaitable[int], int, pulumi.Output[int]]  # noqa: UP007
        assert as_input == reordered and as_input is not reordered
        assert sdk_shortcuts.unwrap_type(as_input) is int
        assert sdk_shortcuts.unwrap_type(reordered) is reordered is SDK_UNWRAP_TYPE(reordered)
        with pytest.raises(AssertionError):  # an SDK raise is raised again, each time
            sdk_shortcuts.unwrap_type(Union[None, str])  # noqa: UP007
        with pytest.raises(AssertionError):
            sdk_shortcuts.unwrap_type(Union[None, str])  # noqa: UP007
    values = [None, "s", rpc.UNKNOWN, 0, 3, 2.5, True, False, _Colour.RED, [1, "a"], {"k": None}, ("t",)]
    loop = asyncio.new_event_loop()  # not asyncio.run: it would leave the SDK's runs no loop
    try:
        for annotation in [None, *_ANNOTATIONS]:
            for value in values:
                for protobuf in (False, True):
                    answers = []
                    for serialize in (SDK_SERIALIZE_PROPERTY, sdk_shortcuts.serialize_property):
                        deps: list[Any] = []
                        with sdk_shortcuts.offline_sdk():
                            try:
                                answer = loop.run_until_complete(
                                    serialize(
                                        value,
                                        deps,
                                        "k",
                                        None,
                                        None,
                                        annotation,
                                        return_protobuf_value=protobuf,
                                    )
                                )
                            except AssertionError as refused:  # e.g. a list where a str is annotated
                                answer = repr(refused)
                        answers.append((type(answer), answer, deps))
                    assert answers[0] == answers[1], (annotation, value, protobuf)
    finally:
        loop.close()


def test_the_mock_monitors_plain_state_is_serialized_as_the_sdk_serializes_it():
    plain = {
        "arn": "arn:aws:s3:::b",
        "skipped": None,
        "count": 3,
        "ratio": 0.5,
        "on": True,
        "tags": {"Name": "b", "Empty": None},
        "list": [1, None, ["x"], {"k": "v"}],
        "pair": ("a", 1),
    }
    loop = asyncio.new_event_loop()
    try:
        sdk = loop.run_until_complete(rpc.serialize_properties(plain, {}))
    finally:
        loop.close()
    mine = sdk_shortcuts._plain_struct(plain)  # pyright: ignore[reportPrivateUsage]
    assert mine is not None
    assert mine.SerializeToString(deterministic=True) == sdk.SerializeToString(deterministic=True)
    assert list(mine.keys()) == list(sdk.keys())
    for not_plain in ({"c": _Colour.RED}, {"a": pulumi.StringAsset("x")}, {"u": [pulumi.UNKNOWN]}, ["x"]):
        assert sdk_shortcuts._plain_struct(not_plain) is None  # pyright: ignore[reportPrivateUsage]


def test_the_mock_monitors_registration_is_the_one_the_shortcut_copies():
    # plan/sdk_shortcuts.py register_resource copies this method; an SDK that changes it fails here.
    source = inspect.getsource(sdk_mocks.MockMonitor.RegisterResource)
    assert hashlib.sha256(source.encode()).hexdigest() == (
        "756b6fbc95aee5833987b9b532b5d10c364e29c37c2f6a52363592ebab2565e5"
    )


def test_the_mock_monitors_invoke_is_the_one_the_shortcut_copies():
    # plan/sdk_shortcuts.py invoke copies this method; an SDK that changes it fails here.
    source = inspect.getsource(sdk_mocks.MockMonitor.Invoke)
    assert hashlib.sha256(source.encode()).hexdigest() == (
        "c40e8a053d1a7f27f3344290164e254f7268283ed23f20e9bcbcf29daa8ccce1"
    )


class _Answers(pulumi.runtime.Mocks):
    """Invoke answers of every shape the mock monitor takes: plain, with check failures, not plain."""

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        if args.token == "test:index:failing":
            return {"ok": False}, [("name", "too long")]
        if args.token == "test:index:colour":
            return {"colour": _Colour.RED, "asset": pulumi.StringAsset("x")}
        return {"echo": dict(args.args), "none": None, "list": [1, {"k": None}]}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return "id", {}


def test_an_invoke_is_answered_byte_for_byte_as_the_sdks_mock_monitor_answers_it():
    monitor = sdk_mocks.MockMonitor(_Answers())
    monitor.resources["urn:a"] = sdk_mocks.MockMonitor.ResourceRegistration("urn:a", "id-a", {"x": 1})
    requests = []
    for token, args in (
        ("aws:index/getRegion:getRegion", {"name": "eu-west-1", "tags": {"a": "b"}}),
        ("test:index:failing", {}),
        ("test:index:colour", {}),
        ("pulumi:pulumi:getResource", {"urn": "urn:a"}),
    ):
        struct = struct_pb2.Struct()
        struct.update(args)
        requests.append(resource_pb2.ResourceInvokeRequest(tok=token, args=struct))
    sdk = [SDK_INVOKE(monitor, request).SerializeToString(deterministic=True) for request in requests]
    mine = [
        sdk_shortcuts.invoke(monitor, request).SerializeToString(deterministic=True) for request in requests
    ]
    assert mine == sdk and len(set(sdk)) == 4


def test_an_output_of_data_already_resolved_is_not_tracked_and_one_still_to_resolve_is():
    from pulumi.runtime.settings import SETTINGS

    seen: list[bool] = []

    def tracked(output: pulumi.Output[Any]) -> bool:
        return output._data in SETTINGS.outputs  # pyright: ignore[reportPrivateUsage, reportAttributeAccessIssue]

    def build() -> pulumi.Output[Any]:
        known = pulumi.Output.from_input("plain")  # its data resolved when it is made
        seen.append(tracked(known))
        pending = known.apply(str.upper)  # resolved by the loop later (and takes over known's data)
        seen.append(tracked(pending))
        return pending

    run_component(build)
    assert seen == [False, True]


def test_an_output_that_fails_unawaited_still_fails_the_run_with_the_tracking_shortcut():
    def build() -> None:
        pulumi.Output.from_input(1).apply(lambda _: 1 / 0)  # nothing awaits it but the program's end

    with pytest.raises(ZeroDivisionError):
        run_component(build)


# --- Runs kept between sessions (tests/conftest.py, plan/sources.py) ------------------------------


def test_the_sources_fingerprint_changes_with_any_file_a_run_can_read_and_ignores_the_rest(
    tmp_path: Path,
):
    for folder in ("components/service/__pycache__", "plan", "ops", "tests/stacks", "docs"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "__main__.py").write_text("import components.queue\n")
    (tmp_path / "plan" / "engine.py").write_text("from plan import mocks\n")
    module = tmp_path / "components" / "queue.py"
    module.write_text("from .service import handler\nRETENTION = 1209600\n")
    beside = tmp_path / "components" / "service" / "handler_source.py"  # read as text, never imported
    beside.write_text("def handler(event, context): ...\n")
    mocks = tmp_path / "plan" / "mocks.py"
    mocks.write_text("ZONES = 3\n")
    first = sources_fingerprint(tmp_path)
    (tmp_path / "tests" / "test_queue.py").write_text("def test_it(): ...\n")
    (tmp_path / "docs" / "queue.md").write_text("# Queues\n")
    (tmp_path / "plan" / "cost.py").write_text("PRICE = 1\n")  # reads a finished run only
    (tmp_path / "ops" / "status.py").write_text("")
    (tmp_path / "components" / "service" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert sources_fingerprint(tmp_path) == first, "no run reads these"
    for path, text in ((module, "RETENTION = 1209601\n"), (beside, "# changed\n"), (mocks, "ZONES = 2\n")):
        before = path.read_text()
        path.write_text(text)
        assert sources_fingerprint(tmp_path) != first, f"{path.name} is an input of a run"
        path.write_text(before)
    (tmp_path / "components" / "cache.py").write_text("")
    assert sources_fingerprint(tmp_path) != first, "a new module of an imported package is new sources"


def test_every_project_file_a_real_run_imports_is_part_of_the_sources_fingerprint(fresh_run: FreshRun):
    # The fingerprint reads the imports from the code; the programs ran in a fresh interpreter
    # (tests/support/fresh_interpreter.py), so a kept run can never outlive its sources.
    assert len(fresh_run.imported) > 100, "the programs import webstack's modules"
    assert sorted(fresh_run.imported - set(synthesis_sources())) == []


def test_where_runs_are_kept_is_not_part_of_a_runs_key_but_other_webstack_variables_are(
    monkeypatch: pytest.MonkeyPatch,
):
    config, program = {"aws:region": "eu-west-1"}, engine.PROJECT_ROOT / "__main__.py"
    monkeypatch.setenv(engine.RUNS_FOLDER, "/tmp/one")
    key = engine._cache_key(config, "dev", program, engine.PROJECT)
    monkeypatch.setenv(engine.RUNS_FOLDER, "/tmp/two")
    assert engine._cache_key(config, "dev", program, engine.PROJECT) == key
    monkeypatch.setenv("WEBSTACK_SOMETHING", "1")
    assert engine._cache_key(config, "dev", program, engine.PROJECT) != key


def test_a_session_keeps_only_the_runs_of_the_current_sources(tmp_path: Path):
    stale = tmp_path / "old-fingerprint"
    stale.mkdir()
    (stale / "key.pickle").write_bytes(b"an old run")
    current = kept_runs_folder(tmp_path, "new-fingerprint")
    (current / "key.pickle").write_bytes(b"this run")
    assert current == tmp_path / "new-fingerprint"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new-fingerprint"]
    assert kept_runs_folder(tmp_path, "new-fingerprint") == current
    assert (current / "key.pickle").read_bytes() == b"this run", "the current sources' runs stay"


def test_the_hypothesis_stacks_are_drawn_anew_exactly_when_the_sources_fingerprint_changes(
    monkeypatch: pytest.MonkeyPatch,
):
    from tests.stack import test_properties

    name = "test_any_valid_stack_synthesizes_keeps_every_invariant_and_services_do_not_disturb_each_other"
    drawn = vars(test_properties)[name]
    assert drawn._hypothesis_internal_use_seed == sources_seed() != 0
    seeds = []
    for fingerprint in ("5496dc819eb09d6ad0bb45f33ce7ca99", "5496dc819eb09d6ad0bb45f33ce7ca99", "0" * 32):
        monkeypatch.setenv(SOURCES_FINGERPRINT, fingerprint)
        seeds.append(sources_seed())
    assert seeds[0] == seeds[1] != seeds[2]
