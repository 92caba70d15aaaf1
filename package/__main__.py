"""webstack's components as a Pulumi component package (Pulumi's Python component provider host).

The Pulumi CLI runs this file when a TypeScript, Go, .NET, Java or YAML program adds the package
(``pulumi package add``): it serves the schema the SDK's analyzer infers from each component's Args
dataclass, annotated outputs and docstrings, and constructs the components the program declares.

The components are imported from the repository this folder sits in, not from an installed copy: a
local path and a git URL (the CLI clones the whole repository and runs this subfolder) both give the
same checkout, so the package always serves exactly the code next to it, with no build step and no
second copy that could drift. Types are ``webstack:index:<Class>``; the components keep registering
their own ``webstack:components:<Class>`` token, so the URNs of existing stacks do not change.
"""

import dataclasses
import sys
import tomllib
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))  # the plugin's own components win over anything installed

from pulumi.provider.experimental import component as component_provider  # noqa: E402
from pulumi.provider.experimental import component_provider_host  # noqa: E402
from pulumi.provider.experimental.analyzer import Analyzer, PropertyDefinition  # noqa: E402

from components.backup import Backup  # noqa: E402
from components.cache import Cache  # noqa: E402
from components.cluster import Cluster  # noqa: E402
from components.database import Database  # noqa: E402
from components.encryption import StackKey  # noqa: E402
from components.frontdoor import ApiGateway, Cdn, Domain, Edge, Waf  # noqa: E402
from components.function import VpcFunction  # noqa: E402
from components.job import Job  # noqa: E402
from components.network import Network  # noqa: E402
from components.observability import Notifications, Observability  # noqa: E402
from components.queue import Queue  # noqa: E402
from components.service import Service  # noqa: E402
from components.storage import AppBucket, Volume  # noqa: E402

NAME = "webstack"
"""The package name: types are ``webstack:index:<Class>``."""
VERSION: str = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]["version"]
"""The version of the webstack-components distribution (pyproject.toml), so both say the same."""
COMPONENTS = [
    ApiGateway,
    AppBucket,
    Backup,
    Cache,
    Cdn,
    Cluster,
    Database,
    Domain,
    Edge,
    Job,
    Network,
    Notifications,
    Observability,
    Queue,
    Service,
    StackKey,
    Volume,
    VpcFunction,
    Waf,
]
"""Every component of components/ (tests/components/test_package.py checks that none is missing)."""


class DefaultsAreOptional(Analyzer):
    """The SDK's analyzer, except that an Args field with a default is optional in the schema.

    The SDK's analyzer (pulumi 3.272) makes every field required unless it is annotated ``X | None``,
    defaults included, so a TypeScript or YAML program would have to pass ``tags``, ``cpu`` and every
    other field that has a default. Optional, the field may be left out; ``args_of`` then fills in the
    dataclass default, exactly as a Python caller gets it.
    """

    def analyze_type(
        self, typ: type, *, is_component_output: bool
    ) -> tuple[dict[str, PropertyDefinition], dict[str, str]]:
        properties, mapping = super().analyze_type(typ, is_component_output=is_component_output)
        if dataclasses.is_dataclass(typ) and not is_component_output:
            defaulted = {field.name for field in dataclasses.fields(typ) if has_default(field)}
            for schema_name, python_name in mapping.items():
                if python_name in defaulted:
                    properties[schema_name].optional = True
        return properties, mapping


def has_default(field: dataclasses.Field[Any]) -> bool:
    return field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING


def install_analyzer() -> None:
    """Make the SDK's ComponentProvider analyze with :class:`DefaultsAreOptional`."""
    component_provider.Analyzer = DefaultsAreOptional  # pyright: ignore[reportPrivateImportUsage]


if __name__ == "__main__":
    install_analyzer()
    component_provider_host(COMPONENTS, NAME, version=VERSION)
