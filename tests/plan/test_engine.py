"""The offline engine refuses what the real Pulumi engine and AWS refuse, so mistakes fail offline."""

from __future__ import annotations

import gc
import json
import logging
import subprocess
import sys
import weakref
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx
import pytest
import yaml

from components.pure import regions
from plan import engine, stack_files
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
