"""The configuration reference, read from the schema itself: every ``webstack:*`` key of
:class:`stack.config.WebstackConfig` (its sections' pydantic models), its type, its dev and prod
defaults (the field's default, its section's dev/prod defaults table, or the default its description
declares), the values it allows (enums, literals, ``Field`` bounds, CloudWatch's retention periods),
its meaning (the field's description) and the fix its error suggests (``json_schema_extra["fix"]``).

Nothing here restates a key: a key added to a section's model appears in the reference (and in the
editor schema, :mod:`tools.stack_schema`) the next time ``make docs`` runs.
"""

from __future__ import annotations

import enum
import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from stack.aws import AWS_PROVIDER_KEYS, REQUIRED_TAGS
from stack.config import WebstackConfig
from stack.errors import PROJECT
from stack.schema import LOG_RETENTION_DAYS, Environment, _known_retention

AWS_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("aws:region", "string", "required", "Region of the stack (any commercial region; a typo gets a "
     "did-you-mean)."),
    ("aws:allowedAccountIds", "list of strings", "required", "The only account(s) this stack may touch: "
     "12-digit ids, quoted. The program refuses to run without it."),
    ("aws:defaultTags", "object", "required", "`{tags: {...}}` with at least "
     f"{', '.join(REQUIRED_TAGS)}; `Environment` must equal `webstack:environment`."),
    ("aws:assumeRoles", "list of objects", "none", "`[{roleArn, sessionName}]`: a role the provider "
     "assumes to deploy; it must be in an allowed account (the old `aws:assumeRole` is refused)."),
)  # fmt: skip
"""The ``aws:*`` keys webstack checks (stack/aws.py reads them; they have no pydantic model)."""


@dataclass(frozen=True)
class Key:
    """One row of the reference."""

    key: str
    type: str
    dev: str
    prod: str
    allowed: str
    meaning: str
    fix: str


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """The annotation without Optional and Annotated, the Annotated metadata, and whether None is allowed."""
    metadata: list[Any] = []
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            metadata.extend(extra)
        elif origin in (Union, types.UnionType):
            arguments = [arg for arg in get_args(annotation) if arg is not type(None)]
            optional = optional or len(arguments) < len(get_args(annotation))
            if len(arguments) != 1:
                return annotation, metadata, optional
            annotation = arguments[0]
        else:
            return annotation, metadata, optional


def type_text(annotation: Any) -> str:
    """``integer``, ``list of strings``, ``map of name -> object``, ... as a reader says it."""
    inner, _, _ = _unwrap(annotation)
    origin = get_origin(inner)
    if origin in (tuple, list):
        return f"list of {_plural(type_text(get_args(inner)[0]))}"
    if origin is dict:
        return f"map of name -> {type_text(get_args(inner)[1])}"
    if origin is Literal:
        return "string"
    if isinstance(inner, type):
        if issubclass(inner, BaseModel):
            return "object"
        if issubclass(inner, enum.Enum):
            return "string"
        return {bool: "boolean", int: "integer", float: "number", str: "string"}.get(inner, inner.__name__)
    return str(inner)


def _plural(word: str) -> str:
    return word if word.startswith(("list", "map")) else f"{word}s"


def allowed_text(info: FieldInfo) -> str:
    """The values the schema itself allows: enum members, literals, bounds, retention periods."""
    inner, metadata, _ = _unwrap(info.annotation)
    metadata = [*info.metadata, *metadata]
    if get_origin(inner) in (tuple, list):
        element, element_metadata, _ = _unwrap(get_args(inner)[0])
        inner, metadata = element, [*metadata, *element_metadata]
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        return " \\| ".join(f"`{member.value}`" for member in inner)
    if get_origin(inner) is Literal:
        return " \\| ".join(f"`{value}`" for value in get_args(inner))
    bounds = []
    for item in metadata:
        if getattr(item, "func", None) is _known_retention:
            return "a CloudWatch Logs period: " + ", ".join(map(str, LOG_RETENTION_DAYS))
        for attribute, word in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if isinstance(item, getattr(annotated_types, attribute.title())):
                bounds.append(f"{word} {getattr(item, attribute)}")
        if isinstance(item, annotated_types.MinLen) and item.min_length:
            bounds.append(f"at least {item.min_length} long")
        if isinstance(item, annotated_types.MaxLen):
            bounds.append(f"at most {item.max_length} long")
        pattern = getattr(item, "pattern", None)
        if pattern:
            bounds.append(f"matches `{pattern}`")
    return ", ".join(bounds)


def _value_text(value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, BaseModel):
        return "`{}`" if not value.model_fields_set else f"`{value.model_dump(by_alias=True)}`"
    if isinstance(value, tuple | list):
        return "`[]`" if not value else "`[" + ", ".join(str(_plain(item)) for item in value) + "]`"
    if isinstance(value, dict):
        return "`{}`" if not value else f"`{value}`"
    return f"`{value}`"


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _environment_tables(model: type[BaseModel]) -> list[dict[Environment, Any]]:
    """The section's dev/prod defaults tables: module-level ``{Environment.DEV: <dataclass>, ...}``."""
    module = sys.modules[model.__module__]
    return [
        value
        for value in vars(module).values()
        if isinstance(value, dict)
        and set(value) == set(Environment)
        and all(is_dataclass(item) for item in value.values())
    ]


_DECLARED = re.compile(r"Default:?\s+(.*?)(?:\.\s|\.?$)")
_PER_ENVIRONMENT = re.compile(r"^dev (.+?), prod (.+?)(?: \(.*)?$")


def defaults(model: type[BaseModel], name: str, info: FieldInfo) -> tuple[str, str]:
    """(dev, prod) defaults of one field: its own default, its section's table, or its description."""
    if info.is_required():
        return "required", "required"
    if info.default_factory is not None:
        value = _value_text(info.default_factory())  # pyright: ignore[reportCallIssue]
        return value, value
    if info.default is not None and info.default is not PydanticUndefined:
        return _value_text(info.default), _value_text(info.default)
    for table in _environment_tables(model):
        if all(name in {f.name for f in fields(item)} for item in table.values()):
            return _value_text(getattr(table[Environment.DEV], name)), _value_text(
                getattr(table[Environment.PROD], name)
            )
    declared = _DECLARED.search(info.description or "")
    if declared is None:
        return "none", "none"
    per_environment = _PER_ENVIRONMENT.match(declared.group(1))
    if per_environment:
        return _declared(per_environment.group(1)), _declared(per_environment.group(2))
    return _declared(declared.group(1)), _declared(declared.group(1))


def _declared(text: str) -> str:
    """A value a description declares in words: a single token is a value (```30```), words stay words."""
    return text if " " in text or text in ("none", "off") else f"`{text}`"


def _model_inside(annotation: Any) -> tuple[type[BaseModel] | None, str]:
    """The model a field holds and how its keys continue: ``.``, ``.<name>.`` or ``[].``."""
    inner, _, _ = _unwrap(annotation)
    origin = get_origin(inner)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return inner, "."
    if origin is dict:
        model, _ = _model_inside(get_args(inner)[1])
        return model, ".<name>."
    if origin in (tuple, list):
        model, _ = _model_inside(get_args(inner)[0])
        return model, "[]."
    if origin in (Union, types.UnionType):
        for argument in get_args(inner):
            model, joint = _model_inside(argument)
            if model is not None:
                return model, joint
    return None, ""


def walk(model: type[BaseModel] = WebstackConfig, prefix: str = f"{PROJECT}:") -> Iterator[Key]:
    """Every key a stack file can set, parents before their keys, in declaration order."""
    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        dev, prod = defaults(model, name, info)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        yield Key(
            key=key,
            type=type_text(info.annotation),
            dev=dev,
            prod=prod,
            allowed=allowed_text(info),
            meaning=(info.description or "").strip(),
            fix=str(extra.get("fix", "")),
        )
        inner, joint = _model_inside(info.annotation)
        if inner is not None:
            yield from walk(inner, f"{key}{joint}")


def keys() -> list[str]:
    """Every ``webstack:*`` key as the reference writes it (``webstack:services.<name>.port``)."""
    return [row.key for row in walk()]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") if "\\|" not in text else text.replace("\n", " ")


def _section(row: Key) -> str:
    return row.key.split(".", 1)[0]


HEADER = """\
<!-- Generated by `make docs` (tools/docs.py) from the schema in stack/; do not edit by hand. -->
# Configuration reference

At the end of this page you will know every key a stack file may set, what it means, its default in
dev and in prod, the values it accepts and what its error tells you to do. Every key here comes from
its section's schema in `stack/` (one module per `webstack:*` section); `make docs` regenerates this
page, and a test fails when it is stale. How to use these keys:
[configuration.md](configuration.md).

Unknown `webstack:*` and `aws:*` keys are errors (with a "did you mean"), and every bad value fails
before any resource is created, naming the key, the value and the fix. "Default" columns: a value the
key takes when the stack file leaves it out; `required` means the stack file must set it. An object
key's own default (`{}`) means "all of its keys at their defaults".
"""


def markdown() -> str:
    """The whole reference page."""
    rows = list(walk())
    sections = list(dict.fromkeys(_section(row) for row in rows))
    lines = [HEADER, "Sections: " + ", ".join(f"[`{s}`](#{_slug(s)})" for s in ["aws:*", *sections]), ""]
    lines += ["## `aws:*`", "", "Read by the AWS provider; webstack insists on these (stack/aws.py). "
              f"Other keys the provider reads are allowed: {', '.join(f'`{k}`' for k in AWS_PROVIDER_KEYS)}.",
              "", "| key | type | default | meaning |", "|---|---|---|---|"]  # fmt: skip
    lines += [f"| `{key}` | {kind} | {default} | {meaning} |" for key, kind, default, meaning in AWS_KEYS]
    for section in sections:
        lines += ["", f"## `{section}`", ""]
        lines += ["| key | type | dev default | prod default | allowed | meaning | fix |"]
        lines += ["|---|---|---|---|---|---|---|"]
        lines += [
            f"| `{row.key}` | {row.type} | {_cell(row.dev)} | {_cell(row.prod)} | {_cell(row.allowed)} | "
            f"{_cell(row.meaning)} | {_cell(row.fix)} |"
            for row in rows
            if _section(row) == section
        ]
    return "\n".join(lines) + "\n"


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading (lowercase, punctuation dropped, spaces to dashes)."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
