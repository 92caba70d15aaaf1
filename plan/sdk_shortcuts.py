"""Work the Pulumi SDK does for a real engine that an offline run throws away, skipped while the
offline engine runs a program (plan/engine.py). Nothing recorded changes: every fixture's recorded
graph is the same with and without them (tests/snapshots), and a test puts each one in place and
checks it is taken back, so an SDK upgrade that renames a hook fails there, not slowly.

* Source positions: for every resource the SDK walks the whole Python stack and reads each frame's
  source line (``traceback.extract_stack``) to tell the engine where the resource was declared, which
  mocks drop. That was a third of a run under pytest and hypothesis, whose stacks are deep.
* Debug messages: about five per resource, formatted and sent to the mock engine, whose logger drops
  everything below a warning (warnings and errors still reach it): about 7 % of a run.
* Output properties: for each output property of each resource (a ``pulumi_aws`` resource has about
  35) the SDK makes four futures and a task that gathers them into the property's ``Output``, tracks
  it, and resolves it when the registration answers; a program reads two or three of them. Here a
  property that the resource's class reads through ``pulumi.get`` (every generated property does)
  gets its ``Output`` when it is first read, before or after the answer, holding the same data in
  one future, as the SDK's own ``resource_output`` does for ``urn``; any other gets one at once.
* Unknown checks: every output's data is searched for unknown values (about 25 times per resource);
  here a value that is no dict or list is answered without building the search's closure and set.
* Output tracking: every ``Output`` (about 35 per resource) is added to, and once resolved removed
  from, the set of outstanding outputs the end of the program waits for, under a lock; the SDK reads
  the set and the lock each time through a context-variable descriptor (three calls per read, four
  reads per output) and makes a fresh callback closure per output. Here the same context variables
  are read inline with the descriptor's own fallback, and one module-level callback serves all; an
  output whose data has already resolved (a plain value made an ``Output``) is not added, since the
  callback would take it out again on the loop's next turn.
* Serializing inputs: every input value, however plain, goes through the SDK's whole chain of type
  checks (about 14 of them, two against abstract base classes) after its annotation is unwrapped.
  Here a value whose type is exactly ``str``, ``int``, ``float``, ``bool`` or ``None`` is returned
  as the chain would return it, after the same (memoized) unwrapping, which is the only step before
  it that can raise.
* Unwrapping annotations: ``Optional[Input[T]]`` and the like are unwrapped to ``T`` about twenty
  times per resource, each through several ``typing.get_origin`` calls; here each annotation object
  is unwrapped once per run and the answer kept by identity.
* Calls to the mock engine: the SDK hands each registration, invoke and output registration to a
  worker thread (``run_in_executor``) and wakes the loop from there when it answers; the mocks are
  in-process Python, so here the SDK's own call for the default executor runs at once on the loop's
  thread and its answer (or exception) is handed back in a finished future, as the thread pool would;
  a call made while one runs so (the SDK's serializer runs the loop inside a call) goes to the pool.
* The mock monitor's answers: Pulumi's mock monitor serializes the state and the invoke results the
  mocks return through an event loop (on the calling thread, now the program's own); ones that are
  only dicts, lists, tuples and scalars are serialized here without it (anything else still goes
  through the SDK).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any

import pulumi
from google.protobuf import struct_pb2
from pulumi import _types as sdk_types  # pyright: ignore[reportPrivateUsage]
from pulumi.output import Output, Unknown, _OutputData  # pyright: ignore[reportPrivateUsage]
from pulumi.runtime import mocks as sdk_mocks
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, resource_pb2, source_pb2
from pulumi.runtime.settings import Settings
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await  # pyright: ignore[reportPrivateUsage]

_FALLEN_BACK_ON = ("serialize_property", "unwrap_type", "run_in_executor")
"""The SDK functions a shortcut calls for what it does not answer itself (kept in ``_SDK``)."""


@contextlib.contextmanager
def offline_sdk() -> Iterator[None]:
    """The SDK without the pieces of work above, put back on leaving."""
    replaced = [
        (sdk_resource, "_get_stack_trace", source_pb2.StackTrace),  # an empty trace: no position
        (pulumi.log, "debug", _drop_debug_message),
        (rpc, "transfer_properties", transfer_properties),
        (rpc, "contains_unknowns", contains_unknowns),
        (sdk_types, "unwrap_type", unwrap_type),
        (rpc, "serialize_property", serialize_property),
        (sdk_mocks.MockMonitor, "RegisterResource", register_resource),
        (sdk_mocks.MockMonitor, "Invoke", invoke),
        (asyncio.BaseEventLoop, "run_in_executor", run_in_executor),
    ]
    if _SETTINGS_READABLE:  # the descriptor's internals as read below, else the SDK's own tracking
        replaced += [(Output, "_track", _track), (Output, "_untrack", _untrack)]
    originals = [(owner, name, getattr(owner, name, None)) for owner, name, _ in replaced]
    for owner, name, shortcut in replaced:  # what the shortcuts fall back on (not themselves, if nested)
        if name in _FALLEN_BACK_ON and getattr(owner, name) is not shortcut:
            _SDK[name] = getattr(owner, name)
    _unwrapped.clear()
    for owner, name, shortcut in replaced:
        if getattr(owner, name, None) is not None:  # an SDK without the hook is left as it is
            setattr(owner, name, shortcut)
    try:
        yield
    finally:
        for owner, name, original in originals:
            if original is not None:
                setattr(owner, name, original)
        _unwrapped.clear()


def run_in_executor(self: asyncio.AbstractEventLoop, executor: Any, func: Any, *args: Any) -> Any:
    """``loop.run_in_executor``: the SDK's own call to the mock engine (a registration, an invoke, a
    read, the stack's outputs: in-process Python, wrapped by the SDK's ``wrap_with_context``) for the
    default executor runs at once on the loop's thread, its answer or exception in a finished future,
    instead of going to a worker thread and waking the loop from there. Any other call, and any call
    made while one runs here (the SDK's serializer may run the loop inside a call, and with it other
    calls), goes to the executor as before: nothing nests more than one call deep."""
    if executor is not None or _inline.running or getattr(func, "__qualname__", "") != _SDK_CALL:
        return _SDK["run_in_executor"](self, executor, func, *args)
    self._check_closed()  # pyright: ignore[reportAttributeAccessIssue]
    answer = self.create_future()
    _inline.running = True
    try:
        answer.set_result(func(*args))
    except Exception as error:  # as the thread pool hands it back; KeyboardInterrupt still stops the run
        answer.set_exception(error)
    finally:
        _inline.running = False
    return answer


_SDK_CALL = "wrap_with_context.<locals>.wrapper"
"""The qualified name of what ``pulumi.runtime._context.wrap_with_context`` returns: every call the SDK
makes to the engine goes through it (tests/plan/test_sdk_shortcuts.py checks that registrations do)."""


class _Inline(threading.local):
    running = False
    """Whether this thread is inside a call :func:`run_in_executor` runs itself."""


_inline = _Inline()


def _drop_debug_message(*_args: Any, **_kwargs: Any) -> None:
    """What a mock run does with the SDK's debug messages (its logger drops them anyway)."""


def transfer_properties(res: Any, props: Any, custom: bool) -> dict[str, Any]:
    """``pulumi.runtime.rpc.transfer_properties`` with one future per property, made when the property
    is first read: the same resolvers (called as ``resolve(value, is_known, is_secret, deps, failed)``)
    and the same ``Output`` on the resource under the property's name, resolving to the same data (its
    dependencies plus the resource, the value, whether it is known and secret) or failing with the
    same exception. A name the class has no property for (read as a plain attribute) gets it at once."""
    resolvers: dict[str, Any] = {}
    attributes: _Attributes | None = None
    properties = _properties_of(type(res))
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue  # the SDK resolves these itself
        if name in properties:  # generated: ``pulumi.get(self, name)``, i.e. ``self.__dict__.get(name)``
            if attributes is None:
                attributes = res.__dict__ = _Attributes(res, res.__dict__)
            attributes.unread[name] = None
            resolvers[name] = functools.partial(attributes.resolve, name)
            continue
        data: asyncio.Future[Any] = asyncio.Future()
        resolvers[name] = functools.partial(_resolve, res, data)
        res.__dict__[name] = Output._from_data(data)  # pyright: ignore[reportPrivateUsage]
    return resolvers


@functools.cache
def _properties_of(cls: type) -> frozenset[str]:
    """The names ``cls`` (a resource class, for the life of the process) answers through a property."""
    return frozenset(name for name in dir(cls) if type(getattr(cls, name, None)) is property)


class _Attributes(dict[str, Any]):
    """A resource's ``__dict__`` without its unread output properties: ``get`` (which ``pulumi.get``
    calls, and through it every generated property) and ``d[name]`` make a property's ``Output`` on
    the first read and keep it; whatever looks at the whole dict (iterating, ``in``, ``len``, copying,
    pickling) makes them all first. ``unread`` holds, by name, what a property resolved to (None: not
    yet); ``waiting``, the data of an ``Output`` read before it resolved. A value written under a name
    wins over the registration's, as the SDK's ``Output`` would be overwritten."""

    __slots__ = ("loop", "resource", "unread", "waiting")

    def __init__(self, resource: Any, attributes: dict[str, Any]) -> None:
        super().__init__(attributes)
        self.resource = resource
        self.loop = asyncio.get_event_loop()
        self.unread: dict[str, Any] = {}
        self.waiting: dict[str, asyncio.Future[Any]] = {}

    def resolve(self, name: str, *outcome: Any) -> None:
        data = self.waiting.pop(name, None)
        if data is not None:
            _resolve(self.resource, data, *outcome)
        elif name in self.unread:
            self.unread[name] = outcome

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        if name in self.unread and not dict.__contains__(self, name):
            return self._read(name)
        return super().get(name, default)

    def __missing__(self, name: str) -> Any:
        if name in self.unread:
            return self._read(name)
        raise KeyError(name)

    def _read(self, name: str) -> Any:
        """The property's ``Output``, kept under its name before anything else can fail. One that is
        still to resolve is tracked as the SDK tracks every ``Output``; a resolved one is not (the SDK's
        tracking has let go of it by now), so no callback runs on a loop that may have closed."""
        outcome = self.unread.pop(name)
        data: asyncio.Future[Any] = self.loop.create_future()
        output = self[name] = object.__new__(Output)
        output._data = data  # pyright: ignore[reportPrivateUsage]
        if outcome is None:
            self.waiting[name] = data
            output._track()  # pyright: ignore[reportPrivateUsage]
        else:
            _resolve(self.resource, data, *outcome)
        return output

    def _read_all(self) -> None:
        for name in list(self.unread):
            if dict.__contains__(self, name):
                del self.unread[name]
            else:
                self._read(name)

    def __iter__(self) -> Iterator[str]:
        self._read_all()
        return super().__iter__()

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or name in self.unread

    def __len__(self) -> int:
        self._read_all()
        return super().__len__()

    def keys(self) -> Any:
        self._read_all()
        return super().keys()

    def values(self) -> Any:
        self._read_all()
        return super().values()

    def items(self) -> Any:
        self._read_all()
        return super().items()

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Copied or pickled as the plain dict the SDK would have."""
        self._read_all()
        return (dict, (dict(super().items()),))


def _resolve(
    res: Any,
    data: asyncio.Future[Any],
    value: Any,
    is_known: bool,
    is_secret: bool,
    deps: Any,
    failed: Exception | None,
) -> None:
    if failed is not None:
        data.set_exception(failed)
        return
    resources = set(deps) if deps else set()
    resources.add(res)
    data.set_result(_OutputData(resources=resources, value=value, is_known=is_known, is_secret=is_secret))


_CONTAINERS = (dict, list)


def contains_unknowns(value: Any) -> bool:
    """``pulumi.runtime.rpc.contains_unknowns``: whether ``value`` is, or holds in its dicts and lists,
    an unknown (each container looked at once, as the SDK does)."""
    if not isinstance(value, _CONTAINERS):
        return isinstance(value, Unknown)
    seen: set[int] = set()
    waiting: list[Any] = [value]
    while waiting:
        current = waiting.pop()
        if isinstance(current, Unknown):
            return True
        if isinstance(current, _CONTAINERS) and id(current) not in seen:
            seen.add(id(current))
            # ``current[key]``, not ``values()``: output types are dicts that may have a field named so
            waiting.extend([current[key] for key in current] if isinstance(current, dict) else current)
    return False


# --- Output tracking ---------------------------------------------------------------------------------

_LOCK: Any = Settings.__dict__.get("lock")
_OUTPUTS: Any = Settings.__dict__.get("outputs")
_SETTINGS_READABLE = all(
    hasattr(prop, "_data") and hasattr(prop, "_ContextProperty__default") for prop in (_LOCK, _OUTPUTS)
)
"""``SETTINGS.lock`` and ``SETTINGS.outputs`` are ``pulumi._utils.ContextProperty`` descriptors whose
``__get__`` answers ``self._data.get(self.__default)`` (the context variable, else the descriptor's
current default), or the descriptor itself when that value is a dict: read so by :func:`_setting`."""


def _setting(prop: Any) -> Any:
    """What ``SETTINGS.<prop>`` answers: the context variable, else the descriptor's current default,
    or the descriptor itself when that value is a dict (``ContextProperty.__get__``, inline)."""
    value = prop._data.get(prop._ContextProperty__default)
    return prop if isinstance(value, dict) else value


def _track(self: Any) -> None:
    """``Output._track``: add the output's data to ``SETTINGS.outputs`` under ``SETTINGS.lock`` and
    remove it once it resolves (a cancelled or failed one stays for the end of the program). Data that
    has already resolved is not added: the SDK's callback would take it out again on the loop's next
    turn (a plain value made an ``Output``, about a third of them)."""
    data = self._data
    if data.done() and not data.cancelled() and data.exception() is None:
        return
    with _setting(_LOCK):
        _setting(_OUTPUTS).add(self._data)
    self._data.add_done_callback(_cleanup)


def _cleanup(fut: asyncio.Future[Any]) -> None:
    """The SDK's ``cleanup`` closure, which uses nothing of the scope it is made in. The loop runs it in
    the context copied when it was added, as it ran the closure; the settings are read when it runs."""
    if fut.cancelled() or (fut.exception() is not None):
        return
    with _setting(_LOCK), contextlib.suppress(KeyError):  # KeyError: already taken by wait_for_rpcs
        _setting(_OUTPUTS).remove(fut)


def _untrack(self: Any) -> None:
    """``Output._untrack``: a derived output has taken over this one's data."""
    with _setting(_LOCK):
        _setting(_OUTPUTS).discard(self._data)


# --- Serializing inputs --------------------------------------------------------------------------------

_SDK: dict[str, Any] = {}
"""The SDK functions of ``_FALLEN_BACK_ON``, as found when the shortcuts went in."""
_unwrapped: dict[int, tuple[Any, Any]] = {}
"""id(annotation) -> (the annotation, kept alive so its id is not reused; its unwrapped type)."""


def unwrap_type(val: Any) -> Any:
    """``pulumi._types.unwrap_type``, a function of the annotation object alone (its origin, its args
    and whether the first is an input type), each object's answer kept. Keyed by identity: typing's
    unions compare equal in any order, and the answer is the first arg. A raise is not kept."""
    kept = _unwrapped.get(id(val))
    if kept is not None and kept[0] is val:
        return kept[1]
    unwrapped = _SDK["unwrap_type"](val)
    _unwrapped[id(val)] = (val, unwrapped)
    return unwrapped


_SCALARS = frozenset({str, int, float, bool, type(None)})


async def serialize_property(
    value: Any,
    deps: Any,
    property_key: Any,
    resource_obj: Any = None,
    input_transformer: Any = None,
    typ: Any = None,
    keep_output_values: bool = False,
    exclude_resource_refs_from_deps: bool = False,
    return_protobuf_value: bool = False,
) -> Any:
    """``pulumi.runtime.rpc.serialize_property``. A value of exactly one of the scalar types passes
    none of its checks (not a sequence but str, not unknown, a resource, an asset, an archive,
    awaitable, an output, an input type, a mapping or a protobuf value) and is returned as it is,
    with no dependency added; only the annotation's unwrapping before them can raise, so it is done."""
    if type(value) in _SCALARS and not return_protobuf_value:
        if typ:
            sdk_types.unwrap_type(typ)
        return value
    return await _SDK["serialize_property"](
        value,
        deps,
        property_key,
        resource_obj,
        input_transformer,
        typ,
        keep_output_values,
        exclude_resource_refs_from_deps,
        return_protobuf_value,
    )


# --- The mock monitor's answer -----------------------------------------------------------------------

_NOT_PLAIN = object()


def _plain(value: Any) -> Any:
    """What ``serialize_property`` with no type, key translation or resource makes of plain data (a
    tuple becomes a list, a None inside a dict or list is kept), or _NOT_PLAIN for anything else."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list or kind is tuple:
        items = []
        for item in value:
            item = _plain(item)
            if item is _NOT_PLAIN:
                return _NOT_PLAIN
            items.append(item)
        return items
    if kind is dict:
        fields = {}
        for key in value:  # keys as they are: an untyped mapping's keys are not translated
            item = _plain(value[key])
            if item is _NOT_PLAIN:
                return _NOT_PLAIN
            fields[key] = item
        return fields
    return _NOT_PLAIN


def _plain_struct(state: Any) -> struct_pb2.Struct | None:
    """``rpc.serialize_properties(state, {})`` for a dict of plain data (its None values left out, the
    rest set key by key as the SDK sets them), or None when the SDK must do it."""
    if type(state) is not dict:
        return None
    fields = _plain(state)
    if fields is _NOT_PLAIN:
        return None
    struct = struct_pb2.Struct()
    for key, value in fields.items():
        if value is not None:
            struct[key] = value
    return struct


def _serialized(state: Any) -> struct_pb2.Struct:
    """``rpc.serialize_properties(state, {})``, by :func:`_plain_struct` when the state is plain data."""
    plain = _plain_struct(state)
    return plain if plain is not None else _sync_await(rpc.serialize_properties(state, {}))


def register_resource(self: Any, request: Any) -> Any:
    """``pulumi.runtime.mocks.MockMonitor.RegisterResource``, the mocks' state serialized by
    :func:`_plain_struct` when it can be."""
    urn = self.make_urn(request.parent, request.type, request.name)
    if request.type == "pulumi:pulumi:Stack":
        return resource_pb2.RegisterResourceResponse(urn=urn)
    # An event loop on this thread: deserializing resource references needs one.
    _ensure_event_loop()
    inputs = rpc.deserialize_properties(request.object)
    resource_args = sdk_mocks.MockResourceArgs(
        typ=request.type,
        name=request.name,
        inputs=inputs,
        provider=request.provider,
        resource_id=request.importId,
        custom=request.custom or False,
        transforms=sdk_mocks._resolve_callbacks(request.transforms),  # pyright: ignore[reportPrivateUsage]
    )
    id_, state = self.mocks.new_resource(resource_args)
    obj_proto = _serialized(state)
    self.resources[urn] = sdk_mocks.MockMonitor.ResourceRegistration(urn, id_, state)
    return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj_proto)


def invoke(self: Any, request: Any) -> Any:
    """``pulumi.runtime.mocks.MockMonitor.Invoke``, the mocks' answer serialized by :func:`_plain_struct`
    when it can be: without it, each invoke would wait for the SDK's serializer on the program's own
    loop (the call runs on it, see :func:`run_in_executor`) and run other work nested inside."""
    _ensure_event_loop()
    args = rpc.deserialize_properties(request.args)
    if request.tok == "pulumi:pulumi:getResource":
        registered = self.resources.get(args["urn"])
        if registered is None:
            raise Exception(f"unknown resource {args['urn']}")
        return _invoke_response(None, _serialized(registered._asdict()))
    call = sdk_mocks.MockCallArgs(token=request.tok, args=args, provider=request.provider)
    answered = self.mocks.call(call)
    if isinstance(answered, dict):
        result, failures = answered, None
    else:
        result = answered[0]
        failures = [provider_pb2.CheckFailure(property=f[0], reason=f[1]) for f in answered[1]]  # as the SDK
    return _invoke_response(failures, _serialized(result))


def _invoke_response(failures: Any, answer: struct_pb2.Struct) -> Any:
    fields: dict[str, Any] = {"failures": failures, "return": answer}  # ``return`` is a keyword
    return resource_pb2.ResourceInvokeResponse(**fields)
