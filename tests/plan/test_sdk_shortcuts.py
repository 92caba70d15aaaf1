"""plan/sdk_shortcuts.py: each shortcut the offline engine takes through the Pulumi SDK gives the SDK's
own answer (compared with the SDK function it stands for), is put in place only during a run and taken
back after it, and an SDK upgrade that changes what a shortcut copies fails here, not slowly."""

from __future__ import annotations

import asyncio
import copy
import enum
import hashlib
import inspect
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional, Union

import pulumi
import pulumi_aws as aws
import pytest
from google.protobuf import struct_pb2
from pulumi import _types as sdk_types  # pyright: ignore[reportPrivateUsage]
from pulumi.runtime import mocks as sdk_mocks
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc
from pulumi.runtime._context import wrap_with_context
from pulumi.runtime.proto import resource_pb2

from plan import sdk_shortcuts
from plan.engine import run_component


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
        # The SDK's Output keeps its value's failure in futures of its own that nobody reads: quiet.
        loop.set_exception_handler(lambda _loop, _context: None)
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


def test_a_resource_passed_as_an_input_is_recorded_as_the_resource_not_a_hang():
    # In a worker thread the mock monitor deserialized the reference into a Resource that needed the
    # program's loop, and the run never ended; on the loop's thread it is answered at once.
    def build() -> pulumi.Output[str]:
        bucket = aws.s3.BucketV2("b")
        return pulumi.CustomResource("test:index:Thing", "t", props={"ref": bucket, "out": None}).urn

    def stop(_signal: int, _frame: Any) -> None:
        raise TimeoutError("the run did not end in 20 s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(20)
    try:
        run = run_component(build)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert type(run.named("t").inputs["ref"]).__name__ == "BucketV2"


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
