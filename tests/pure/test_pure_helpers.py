"""Pure helpers: content-addressed image tags and Fargate/ECS facts."""

import pytest

from components.pure import fargate
from components.pure.artifacts import context_tag


def test_the_image_tag_names_the_content_of_the_build_context(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("print('v1')\n")
    first = context_tag(tmp_path)
    assert first == context_tag(tmp_path), "the same content gives the same tag"
    assert first.startswith("ctx-") and len(first) == 4 + 16
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "app.pyc").write_bytes(b"\0")
    assert context_tag(tmp_path) == first, "caches do not change the tag"
    (tmp_path / "src" / "app.py").write_text("print('v2')\n")
    assert context_tag(tmp_path) != first, "a changed file gives a new tag"
    assert context_tag(tmp_path, "Dockerfile.prod") != context_tag(tmp_path)


def test_fargate_size_text_lists_what_a_cpu_allows():
    assert fargate.describe_sizes(256) == "cpu 256 allows memory 512, 1024, 2048"
    assert fargate.describe_sizes(2048) == "cpu 2048 allows memory 4096 to 16384 in steps of 1024"
    assert fargate.describe_sizes(999).startswith("cpu must be one of 256, 512")


@pytest.mark.parametrize(
    ("value_from", "resource"),
    [
        (
            "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf",
            "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf",
        ),
        (
            "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf:user::",
            "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf",
        ),
        (
            "arn:aws:ssm:eu-west-1:111111111111:parameter/app/key",
            "arn:aws:ssm:eu-west-1:111111111111:parameter/app/key",
        ),
        ("arn:aws:s3:::bucket/key", None),
        ("hunter2", None),
    ],
)
def test_secret_references_map_to_the_arn_iam_must_allow(value_from, resource):
    assert fargate.secret_resource_arn(value_from) == resource


@pytest.mark.parametrize(
    ("image", "pinned", "ok"),
    [
        ("nginx", False, True),
        ("nginx", True, False),
        ("ghcr.io/org/app:latest", True, False),
        ("ghcr.io/org/app:1.2.3", True, True),
        ("localhost:5000/app@sha256:" + "a" * 64, True, True),
        ("111111111111.dkr.ecr.eu-west-1.amazonaws.com/app:ctx-0123", True, True),
        ("Bad Image", False, False),
    ],
)
def test_image_references_are_checked_and_prod_wants_them_immutable(image, pinned, ok):
    assert (fargate.image_problem(image, pinned) is None) is ok
