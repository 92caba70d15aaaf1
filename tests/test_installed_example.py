"""examples/basic, another team's program, runs on the installed distribution under the mock engine.

The distribution is built and installed once per session (pip --target, no dependencies, offline) from a
copy of what it packages, so the example imports ``webstack_components`` exactly as a user who installed
it does, and never this repository's ``components``, stack files or ``stack/`` layer.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plan.engine import Recorded, Run, run_program

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "basic"
CONFIG = {"aws:region": "eu-west-1"}
"""The only config the example needs: the provider's region (a user's Pulumi.<stack>.yaml)."""


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder webstack-components is installed into."""
    source = tmp_path_factory.mktemp("webstack-source")  # so the build leaves nothing in the repository
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copytree(ROOT / "components", source / "components", ignore=shutil.ignore_patterns("__pycache__"))
    (source / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "components.md", source / "docs")
    target = tmp_path_factory.mktemp("site-packages")
    offline = ["--no-deps", "--no-build-isolation", "--no-index", "--no-cache-dir"]
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *offline]
    subprocess.run([*pip, "--target", str(target), str(source)], check=True, timeout=300)
    return target


@pytest.fixture(scope="session")
def example(installed: Path) -> Run:
    sys.path.insert(0, str(installed))
    try:
        return run_program(CONFIG, "dev", EXAMPLE / "__main__.py", project="basic")
    finally:
        sys.path.remove(str(installed))


def test_the_distribution_installs_the_components_under_their_own_import_name(installed: Path):
    package = installed / "webstack_components"
    assert (package / "__init__.py").is_file() and (package / "pure" / "inputs.py").is_file()
    assert not (installed / "components").exists() and not (installed / "stack").exists()


def test_the_example_uses_the_installed_components_and_nothing_of_this_program(example: Run, installed: Path):
    imported = [module for name, module in sys.modules.items() if name.startswith("webstack_components")]
    assert imported and all(str(module.__file__).startswith(str(installed)) for module in imported)
    source = (EXAMPLE / "__main__.py").read_text()
    for program_only in ("from components", "import components", "stack", "Pulumi.dev", "webstack:"):
        assert program_only not in source


def one(run: Run, type_: str) -> Recorded:
    (found,) = run.of_type(type_)
    return found
