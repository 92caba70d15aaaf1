"""Work the Pulumi SDK does for a real engine that an offline run throws away, skipped while the
offline engine runs a program (plan/engine.py). Nothing recorded changes: every fixture's recorded
graph is the same with and without them (tests/snapshots), and a test puts each one in place and
checks it is taken back, so an SDK upgrade that renames a hook fails there, not slowly.

* Source positions: for every resource the SDK walks the whole Python stack and reads each frame's
  source line (``traceback.extract_stack``) to tell the engine where the resource was declared, which
  mocks drop. That was a third of a run under pytest and hypothesis, whose stacks are deep.
* Debug messages: about five per resource, formatted and sent to the mock engine, whose logger drops
  everything below a warning (warnings and errors still reach it): about 7 % of a run.
* Output properties: for each output property of each resource (a ``pulumi_aws`` resource has tens)
  the SDK makes four futures and a task that gathers them into the property's ``Output``. Here one
  future holds the property's resolved data, as the SDK's own ``resource_output`` does for ``urn``.
* Unknown checks: every output's data is searched for unknown values (about 25 times per resource);
  here a value that is no dict or list is answered without building the search's closure and set.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import pulumi
from pulumi.output import Output, Unknown, _OutputData  # pyright: ignore[reportPrivateUsage]
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc
from pulumi.runtime.proto import source_pb2


@contextlib.contextmanager
def offline_sdk() -> Iterator[None]:
    """The SDK without the three pieces of work above, put back on leaving."""
    replaced = [
        (sdk_resource, "_get_stack_trace", source_pb2.StackTrace),  # an empty trace: no position
        (pulumi.log, "debug", _drop_debug_message),
        (rpc, "transfer_properties", transfer_properties),
        (rpc, "contains_unknowns", contains_unknowns),
    ]
    originals = [(owner, name, getattr(owner, name, None)) for owner, name, _ in replaced]
    for owner, name, shortcut in replaced:
        if getattr(owner, name, None) is not None:  # an SDK without the hook is left as it is
            setattr(owner, name, shortcut)
    try:
        yield
    finally:
        for owner, name, original in originals:
            if original is not None:
                setattr(owner, name, original)


def _drop_debug_message(*_args: Any, **_kwargs: Any) -> None:
    """What a mock run does with the SDK's debug messages (its logger drops them anyway)."""


def transfer_properties(res: Any, props: Any, custom: bool) -> dict[str, Any]:
    """``pulumi.runtime.rpc.transfer_properties`` with one future per property: the same resolvers
    (called as ``resolve(value, is_known, is_secret, deps, failed)``) and the same ``Output`` on the
    resource under the property's name, resolving to the same data (its dependencies plus the
    resource, the value, whether it is known and secret) or failing with the same exception."""
    resolvers: dict[str, Any] = {}
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue  # the SDK resolves these itself
        data: asyncio.Future[Any] = asyncio.Future()
        resolvers[name] = functools.partial(_resolve, res, data)
        res.__dict__[name] = Output._from_data(data)  # pyright: ignore[reportPrivateUsage]
    return resolvers


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


def contains_unknowns(value: Any) -> bool:
    """``pulumi.runtime.rpc.contains_unknowns``: whether ``value`` is, or holds in its dicts and lists,
    an unknown (each container looked at once, as the SDK does)."""
    if not isinstance(value, dict | list):
        return isinstance(value, Unknown)
    seen: set[int] = set()
    waiting: list[Any] = [value]
    while waiting:
        current = waiting.pop()
        if isinstance(current, Unknown):
            return True
        if isinstance(current, dict | list) and id(current) not in seen:
            seen.add(id(current))
            # ``current[key]``, not ``values()``: output types are dicts that may have a field named so
            waiting.extend([current[key] for key in current] if isinstance(current, dict) else current)
    return False
