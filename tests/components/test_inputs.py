"""args_of: the component provider's dict becomes the component's Args dataclass."""

import dataclasses
import enum
from collections.abc import Mapping, Sequence

import pulumi
import pytest

from components.pure.inputs import args_of


class Tier(enum.StrEnum):
    SMALL = "small"
    LARGE = "large"


@dataclasses.dataclass(frozen=True)
class Pool:
    size: int
    tier: Tier = Tier.SMALL


@dataclasses.dataclass(frozen=True)
class ClusterShape:
    name: str
    count: int = 2
    weights: Mapping[str, int] = dataclasses.field(default_factory=dict)
    pools: Sequence[Pool] = ()
    note: str | None = None


def test_a_dataclass_passes_through_unchanged():
    shape = ClusterShape(name="a")
    assert args_of(ClusterShape, shape) is shape


def test_the_providers_dict_becomes_the_dataclass_with_ints_enums_nested_objects_and_defaults():
    built = args_of(
        ClusterShape,
        {"name": "a", "count": 3.0, "weights": {"x": 1.0}, "pools": [{"size": 2.0, "tier": "large"}]},
    )
    assert built == ClusterShape(name="a", count=3, weights={"x": 1}, pools=(Pool(2, Tier.LARGE),))
    assert isinstance(built.count, int) and isinstance(built.pools[0].size, int)


def test_absent_and_null_optional_keys_take_the_documented_default():
    assert args_of(ClusterShape, {"name": "a", "note": None}) == ClusterShape(name="a")


def test_an_unknown_key_is_an_error_naming_the_args_type_and_the_key():
    with pytest.raises(TypeError, match=r"ClusterShape: unknown fields colour"):
        args_of(ClusterShape, {"name": "a", "colour": "red"})


def test_something_that_is_neither_is_an_error():
    with pytest.raises(TypeError, match="expected ClusterShape"):
        args_of(ClusterShape, ["a"])


@dataclasses.dataclass(frozen=True)
class Located:
    region: str


@dataclasses.dataclass(frozen=True)
class Encrypted(Located):
    key_arn: pulumi.Input[str]
    count: int = 1


def test_input_fields_and_inherited_fields_are_read_without_evaluating_the_sdks_forward_references():
    # pulumi.Input[T] holds the forward reference 'Output[T]', which typing.get_type_hints cannot resolve
    # in a module that does not import the name Output (as this one does not).
    assert "Output" not in globals()
    built = args_of(
        Encrypted, {"region": "eu-west-1", "key_arn": "arn:aws:kms:eu-west-1:1:key/k", "count": 2.0}
    )
    assert built == Encrypted(region="eu-west-1", key_arn="arn:aws:kms:eu-west-1:1:key/k", count=2)
    assert isinstance(built.count, int)


@dataclasses.dataclass(frozen=True)
class Alarmed:
    topic_arn: pulumi.Input[str] | None
    threshold: int


def test_an_absent_field_that_admits_none_and_has_no_default_is_none():
    # The schema makes an `X | None` field optional, so the provider may leave its key out.
    assert args_of(Alarmed, {"threshold": 5.0}) == Alarmed(topic_arn=None, threshold=5)
    assert args_of(Alarmed, {"threshold": 5.0, "topic_arn": None}) == Alarmed(topic_arn=None, threshold=5)
    with pytest.raises(TypeError, match="threshold"):
        args_of(Alarmed, {"topic_arn": "arn:aws:sns:eu-west-1:1:t"})
