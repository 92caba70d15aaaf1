"""The mutation check (tools/mutation.py, ``make mutation``) makes the mutants it promises."""

from tools import mutation


def _changes(module: str) -> list[str]:
    return [mutant.change for mutant in mutation.mutants(module)]


def test_removing_the_vpc_of_a_target_group_and_the_roles_of_a_task_definition_are_mutants():
    assert "aws.lb.TargetGroup: removed vpc_id=" in _changes("frontdoor.edge")
    service = _changes("service.task_definition")
    assert "aws.ecs.TaskDefinition: removed task_role_arn=" in service
    assert "aws.ecs.TaskDefinition: removed execution_role_arn=" in service
    assert "dict: removed key 'essential'" in service


def test_messages_and_docstrings_are_not_mutated_but_ports_and_flags_are():
    guardrails = _changes("pure.guardrails")
    assert "literal 22 -> 23" in guardrails
    assert not any("webstack never opens" in change or "SSH" in change for change in guardrails)


def test_each_mutant_changes_exactly_what_it_says_and_still_parses():
    import ast

    original = ast.unparse(mutation._tree("frontdoor.edge"))
    found = mutation.mutants("frontdoor.edge")
    removal = next(m for m in found if m.change == "aws.lb.TargetGroup: removed vpc_id=")
    source = mutation.source_of(removal)
    ast.parse(source)
    assert source.count("vpc_id=") == original.count("vpc_id=") - 1
    literal = next(m for m in found if m.kind == "literal" and m.change.startswith("literal 80 ->"))
    assert mutation.source_of(literal) != original


def test_a_mutated_module_reimports_every_module_that_imports_it_and_nothing_else():
    stale = mutation.dependents("network.component")
    assert {"components.network.component", "components.network", "stack.wiring.foundation"} <= stale
    assert "components.pure.regions" not in stale and "plan.engine" not in stale


def test_the_scores_leave_out_mutants_that_change_no_graph_and_those_a_timeout_ended():
    mutant = mutation.Mutant("frontdoor.edge", 0, 1, "literal", "x")
    outcomes = [
        mutation.Outcome(mutant, "killed", "", 1.0),
        mutation.Outcome(mutant, "survived", "", 1.0),
        mutation.Outcome(mutant, "unchanged", "", 1.0),
        mutation.Outcome(mutant, "timeout", "", 1.0),
    ]
    assert mutation.summary(outcomes)["frontdoor.edge"] == {
        "mutants": 4,
        "infra_changing": 2,
        "killed": 1,
        "timeout": 1,
        "score": "50.0%",
    }


def test_a_mutant_run_ended_by_the_timeout_is_a_timeout_not_a_kill():
    """On a busy machine a survivor's whole-suite run can outlast the timeout; counting it killed (as
    a mutant that hangs the program) inflated the scores."""
    import time

    assert mutation._in_child(lambda: time.sleep(5), timeout=0.2) == {"timeout": "no answer within 0.2s"}
    assert mutation._in_child(lambda: {"status": "killed"}, timeout=5) == {"status": "killed"}


def test_own_tests_are_the_test_files_named_after_the_module_its_own_folder_first():
    every = [
        "tests/components/service/test_scaling.py",
        "tests/components/test_queue.py",
        "tests/components/test_release.py",
        "tests/ops/test_release.py",
        "tests/stack/test_upgrade.py",
    ]
    assert mutation._own_tests("service.scaling", every) == ["tests/components/service/test_scaling.py"]
    assert mutation._own_tests("service.release", every) == [
        "tests/components/test_release.py",
        "tests/ops/test_release.py",
    ]
    assert mutation._test_files("service.schedules", True, own_only=True) == [
        "tests/components/service/test_schedules.py"
    ]
    assert mutation._test_files("queue", True)[:3] == [
        "tests/stack/test_upgrade.py",
        "tests/components/service/test_queues.py",
        "tests/components/test_queue.py",
    ]


def test_only_reruns_exactly_the_named_mutants_and_a_limit_takes_the_same_sample_each_time():
    args = mutation.parser().parse_args(["--only", "frontdoor.edge:3,frontdoor.edge:151", "--limit", "5"])
    only = mutation.wanted(args.only)
    assert only == {("frontdoor.edge", 3), ("frontdoor.edge", 151)}
    assert [m.index for m in mutation.choose("frontdoor.edge", args.limit, args.seed, only)] == [3, 151]
    sample = mutation.choose("frontdoor.edge", 5, 9, set())
    assert len(sample) == 5 and sample == mutation.choose("frontdoor.edge", 5, 9, set())
