"""Turning pydantic's validation errors into webstack's one-line messages: the full key, the bad value,
the reason and the fix (``webstack:network.azCount: got 7, but ...; use 2 or 3.``)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel

PROJECT = "webstack"
"""The config namespace of this project (``webstack:<key>``)."""


def decode(value: Any) -> Any:
    """Stack-file objects and lists reach the program as JSON text; plain strings stay as they are."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known keys are: {', '.join(choices)}"


def _aliases(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _model_inside(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model an annotation holds (through Optional, tuple and dict) and whether a dict key comes first."""
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if origin is dict:
        model, _ = _model_inside(get_args(annotation)[1])
        return model, True
    if origin in (tuple, list, Union) or str(origin) == "<class 'types.UnionType'>":
        for arg in get_args(annotation):
            model, keyed = _model_inside(arg)
            if model is not None:
                return model, keyed
    return None, False


def _field_for(model: type[BaseModel], loc: Sequence[int | str]) -> tuple[type[BaseModel], str | None]:
    """The model and field alias that a pydantic error location points at."""
    current: type[BaseModel] = model
    alias: str | None = None
    skip_key = False
    for part in loc:
        if not isinstance(part, str):
            continue
        if skip_key:  # a map key, e.g. the service name in services.<name>.port
            skip_key, alias = False, None
            continue
        fields = {field.alias or name: field for name, field in current.model_fields.items()}
        if part not in fields:
            return current, None
        alias = part
        inner, skip_key = _model_inside(fields[part].annotation)
        if inner is not None:
            current = inner
        elif get_origin(fields[part].annotation) is dict:
            return current, alias  # a map of plain values (services.api.buckets.<name>): the map's fix
    return current, alias


def _key(loc: Sequence[int | str], namespace: str = PROJECT) -> str:
    """``webstack:services.api.taskPolicyStatements[0].actions`` from a pydantic location."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return f"{namespace}:{text}"


def _fix(model: type[BaseModel], alias: str | None) -> str:
    for name, field in model.model_fields.items():
        if (field.alias or name) == alias and isinstance(field.json_schema_extra, dict):
            return str(field.json_schema_extra.get("fix", ""))
    return ""


def explain(error: Any, schema: type[BaseModel], namespace: str = PROJECT) -> str:
    """One line for one pydantic error of ``schema``: full key, bad value, reason, fix."""
    loc = [part for part in error["loc"] if isinstance(part, int | str) and not str(part).startswith("[")]
    key = _key(loc, namespace)
    kind = error["type"]
    if kind == "extra_forbidden":
        owner, _ = _field_for(schema, [*loc[:-1], "\0"])
        return f"{key}: unknown key; {did_you_mean(str(loc[-1]), _aliases(owner))}"
    owner, alias = _field_for(schema, loc)
    fix = _fix(owner, alias)
    if kind == "missing":
        return f"{key}: missing; {fix}"
    reason = str(error["msg"]).removeprefix("Value error, ")
    if kind in ("int_type", "int_from_float", "int_parsing"):
        reason = "it must be a whole number"
    elif kind == "enum":
        reason = "that is not one of the allowed values"
    elif kind in ("model_type", "model_attributes_type"):
        reason = "it must be an object"
    elif kind in ("tuple_type", "list_type"):
        reason = "it must be a list"
    elif kind == "string_type" and isinstance(error["input"], bool | int | float):
        name = loc[-1] if loc else "key"
        kind_read = "true/false" if isinstance(error["input"], bool) else "a number"
        reason = f"YAML reads it as {kind_read}, and this must be text: quote it"
        shown = json.dumps(error["input"])
        return f'{key}: got {shown}, but {reason}, e.g. {name}: "{shown}"'
    elif kind == "string_type":
        reason = "it must be text"
    elif kind in ("bool_type", "bool_parsing"):
        reason = "it must be true or false"
    elif kind in ("greater_than_equal", "less_than_equal"):
        bound = error.get("ctx", {}).get("ge", error.get("ctx", {}).get("le"))
        reason = f"it must be {'at least' if kind == 'greater_than_equal' else 'at most'} {bound}"
    elif kind == "too_short":
        reason = "it must not be empty"
    line = f"{key}: got {json.dumps(error['input'])}, but {reason}"
    # Validators that know the fix already say it after a semicolon.
    return f"{line}; {fix}" if fix and "; " not in reason and fix not in reason else line


ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_namespace(
    raw: Mapping[str, Any], schema: type[ModelT], namespace: str = PROJECT
) -> tuple[ModelT | None, list[str]]:
    """Validate every ``<namespace>:*`` key of a stack's config against ``schema``."""
    prefix = f"{namespace}:"
    document = {key[len(prefix) :]: decode(value) for key, value in raw.items() if key.startswith(prefix)}
    try:
        return schema.model_validate(document), []
    except pydantic.ValidationError as error:
        return None, [explain(item, schema, namespace) for item in error.errors()]
