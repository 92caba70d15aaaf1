"""``services.<name>.build``: the schema of a service image built from a Dockerfile context."""

from typing import Literal

from pydantic import Field, StrictInt, StrictStr

from stack.schema import StrictModel


class BuildConfig(StrictModel):
    """``services.<name>.build``: build the image from a Dockerfile context and push it to ECR."""

    context: StrictStr = Field(
        description="Directory of the Docker build context, relative to the project (required).",
        json_schema_extra={"fix": "point context at a directory of this project that holds a Dockerfile"},
    )
    dockerfile: StrictStr = Field(
        default="Dockerfile",
        description="Dockerfile path inside the context. Default Dockerfile.",
        json_schema_extra={"fix": "name a file inside the context, e.g. Dockerfile"},
    )
    platform: Literal["linux/amd64", "linux/arm64"] = Field(
        default="linux/amd64",
        description="Target platform of the image and the task. Default linux/amd64.",
        json_schema_extra={"fix": "use linux/amd64 or linux/arm64"},
    )
    keep_images: StrictInt | None = Field(
        default=None,
        alias="keepImages",
        ge=1,
        le=10000,
        description="How many built images the service's repository keeps (an ECR lifecycle rule; pushed "
        "images are never deleted by a deploy): how far back a rollback can go. Default: dev 10, prod 30.",
        json_schema_extra={"fix": "use a whole number from 1 to 10000"},
    )
