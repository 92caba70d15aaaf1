"""Args from the Pulumi component provider, as the dataclasses the components are written against.

A Python program passes a component its frozen ``*Args`` dataclass. A TypeScript, Go, .NET or YAML
program reaches the same component through the component provider (``pulumi package add``), which
hands ``__init__`` a plain dict with snake_case keys, nested objects as dicts, absent optional keys,
and every number as a float (pulumi 3.272 ``provider/experimental/component.py``). :func:`args_of`
turns that dict into the dataclass, so each component has one code path. Values the engine passes as
Outputs are left as they are.
"""

import dataclasses
import enum
import inspect
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, Union, get_args, get_origin

ArgsT = TypeVar("ArgsT")


def args_of(kind: type[ArgsT], value: Any) -> ArgsT:
    """``value`` when it already is a ``kind``; else ``kind`` built from the provider's dict."""
    if isinstance(value, kind):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"{kind.__name__}: expected {kind.__name__} or a dict of its fields, got {value!r}")
    return typing.cast(ArgsT, _build(kind, value))


def _build(kind: type, value: Mapping[str, Any]) -> Any:
    hints = _field_annotations(kind)
    fields = {field.name for field in dataclasses.fields(kind)}
    unknown = sorted(set(value) - fields)
    if unknown:
        raise TypeError(f"{kind.__name__}: unknown fields {', '.join(unknown)}")
    given = {name: _coerce(hints[name], item) for name, item in value.items() if item is not None}
    # A field typed ``X | None`` is optional in the package schema even without a default, and the
    # provider omits an optional key it was not given: absent, it is None.
    absent = {
        field.name: None
        for field in dataclasses.fields(kind)
        if field.name not in given and _required(field) and _admits_none(hints[field.name])
    }
    return kind(**absent, **given)


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _admits_none(hint: Any) -> bool:
    return get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)


def _field_annotations(kind: type) -> dict[str, Any]:
    """The annotations of ``kind`` and its bases as written. Not ``typing.get_type_hints``: it evaluates
    the forward reference ``'Output[T]'`` inside ``pulumi.Input[T]`` in the Args module, where
    ``Output`` is usually not a name, and fails with NameError."""
    hints: dict[str, Any] = {}
    for cls in reversed(kind.__mro__):
        hints.update(inspect.get_annotations(cls, eval_str=True))
    return hints


def _coerce(hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [option for option in get_args(hint) if option is not type(None)]
        return _coerce(options[0], value) if len(options) == 1 else value
    if dataclasses.is_dataclass(hint) and isinstance(value, Mapping):
        return _build(typing.cast(type, hint), value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum) and not isinstance(value, hint):
        return hint(value)
    if hint is int and isinstance(value, float) and value.is_integer():
        return int(value)  # the provider sends every number as a float
    if origin in (Sequence, list, tuple) and isinstance(value, list | tuple):
        (item,) = get_args(hint)[:1] or (Any,)
        return tuple(_coerce(item, element) for element in value)
    if origin in (Mapping, dict) and isinstance(value, Mapping):
        item = get_args(hint)[1] if len(get_args(hint)) == 2 else Any
        return {key: _coerce(item, element) for key, element in value.items()}
    return value
