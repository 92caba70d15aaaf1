"""The two layers and their one direction, and the size limits, read from the code itself.

components/ is reusable (another program installs it); stack/ is this program. An import walk over
every product module enforces what may import what, so a shortcut cannot creep back in.
"""

import ast
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from plan import sources

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("components", "stack", "plan", "bootstrap", "tools", "examples", "package", "ops")
RESOURCE_SDKS = ("pulumi_aws", "pulumi_awsx", "pulumi_docker_build", "pulumi_random", "pulumi_command")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
TABLE_MARK = "declarative table"
"""A function whose body is a table of facts may run longer when a comment in it says so."""


def _python_files(*folders: str) -> list[Path]:
    return sorted(
        path
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if "venv" not in path.parts and "__pycache__" not in path.parts
    )


def imported_modules(path: Path, module: str | None = None) -> set[str]:
    """Every absolute module name the file imports (relative imports resolved against its package)."""
    return sources.imported_modules(path, module or sources.module_name(path, ROOT))


def _top(module: str) -> str:
    return module.split(".")[0]


def _offenders(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in imported_modules(path)
        if _top(module) in forbidden or module in forbidden
    )


def test_components_never_import_the_stack_layer_the_plan_the_tests_or_pydantic():
    assert _offenders(_python_files("components"), ("stack", "plan", "tests", "tools", "pydantic")) == []


def test_components_import_each_other_relatively_so_they_install_under_any_package_name():
    absolute = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _python_files("components")
        for module in imported_modules(path)
        if _top(module) == "components" and f"from {module} " in path.read_text()
    )
    assert absolute == []


def test_pure_helpers_and_schema_sections_never_import_the_pulumi_resource_sdks():
    schema_files = [
        path
        for path in _python_files("stack")
        if "wiring" not in path.parts and path.name not in {"exports.py"}
    ]
    assert _offenders(_python_files("components/pure") + schema_files, RESOURCE_SDKS) == []


def test_the_pure_helpers_do_not_import_pulumi_at_all():
    assert _offenders(_python_files("components/pure"), ("pulumi", *RESOURCE_SDKS)) == []


def test_nothing_outside_the_tests_imports_the_tests():
    assert _offenders([*_python_files(*PRODUCT), ROOT / "__main__.py"], ("tests",)) == []


def test_the_program_entry_point_is_short():
    lines = (ROOT / "__main__.py").read_text().splitlines()
    assert len(lines) <= 120, f"__main__.py has {len(lines)} lines; move wiring into stack/"


def _long_functions(path: Path) -> Iterator[str]:
    source = path.read_text()
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            body = "\n".join(lines[node.lineno - 1 : node.end_lineno])
            if length > MAX_FUNCTION_LINES and TABLE_MARK not in body:
                yield f"{path.relative_to(ROOT)}:{node.lineno} {node.name} has {length} lines"


PRODUCT_FILES = [*_python_files(*PRODUCT), ROOT / "__main__.py"]


@pytest.mark.parametrize("path", PRODUCT_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_product_module_is_longer_than_600_lines_or_has_a_function_longer_than_80(path: Path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by step"
    assert list(_long_functions(path)) == []


def test_the_import_walk_resolves_relative_imports_against_the_files_package(tmp_path: Path):
    module = tmp_path / "roles.py"
    module.write_text(
        "import json\nfrom . import args\nfrom ..pure.naming import child_name\nfrom .args import X\n"
    )
    assert imported_modules(module, "components.service.roles") == {
        "json",
        "components.service",
        "components.pure.naming",
        "components.service.args",
    }


def test_the_import_walk_sees_an_edit_that_keeps_the_files_size_and_time(tmp_path: Path):
    # Parses are remembered (plan/sources.py), by the text: cp -p, tar and rsync -t keep a file's time.
    module = tmp_path / "roles.py"
    module.write_text("import ccc\n")
    assert imported_modules(module, "roles") == {"ccc"}
    status = module.stat()
    module.write_text("import ddd\n")
    os.utime(module, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert module.stat().st_size == status.st_size and module.stat().st_mtime_ns == status.st_mtime_ns
    assert imported_modules(module, "roles") == {"ddd"}


NESTED_IMPORTS = """
import a
if TYPE_CHECKING:
    import b
else:
    import c
try:
    import d
except ImportError:
    import e
else:
    import f
finally:
    import g
class K:
    import h
    def method(self):
        with open("x"):
            import i
        for _ in []:
            import j
        while True:
            import k
async def run():
    async with x:
        import l
    async for _ in y:
        import m
match value:
    case 1:
        import n
    case _:
        from . import o
"""


def test_the_import_walk_finds_imports_in_every_kind_of_block_and_nothing_in_expressions(tmp_path: Path):
    # plan/sources.py walks statements only (imports are statements); this is every block that holds some.
    module = tmp_path / "deep.py"
    module.write_text(NESTED_IMPORTS + 'lambda: __import__("q")\nx = [i for i in "import r"]\n')
    assert imported_modules(module, "pkg.deep") == {*"abcdefghijklmn", "pkg"}
    every = [
        node for node in ast.walk(ast.parse(NESTED_IMPORTS)) if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert len(every) == 15


PARSE_ONLY = """
import json, sys, yaml
from stack.config import parse_settings
doc = yaml.safe_load(open("tests/stacks/Pulumi.reference-apigw-ec2.yaml"))["config"]
raw = {key: value if isinstance(value, str) else json.dumps(value) for key, value in doc.items()}
settings = parse_settings(raw, "reference-apigw-ec2")
assert settings.services, "the fixture declares services"
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {SDKS})))
"""


def test_validating_a_stack_file_loads_no_pulumi_resource_sdk():
    """Schema and checks stand alone: the plan, the editor schema and the docs can read a stack file
    without importing pulumi_aws (seconds of import time, and the wrong layer)."""
    import json
    import subprocess
    import sys

    code = PARSE_ONLY.replace("{SDKS}", repr(set(RESOURCE_SDKS)))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == []


MISTAKE_FIRST = """
import json, sys
from plan.engine import PROJECT_ROOT, run_stack
from stack.schema import ConfigError
try:
    run_stack("example-dev", {"webstack:network": {"cidr": "10.10.0.0/16", "azCount": 5}},
              root=PROJECT_ROOT / "tests" / "stacks")
except ConfigError as error:
    print(str(error).splitlines()[-1], file=sys.stderr)
else:
    raise SystemExit("the mistake was not refused")
loaded = {name: module for name, module in sys.modules.items() if type(module).__name__ != "_LazyModule"}
ours = [name for name in loaded if name.startswith(("stack.wiring.", "components.")) and ".pure" not in name]
aws = [name for name, m in loaded.items() if name.startswith("pulumi_aws.") and hasattr(m, "__path__")]
print(json.dumps(sorted(ours + aws)))
"""


def test_the_program_refuses_a_stack_file_mistake_before_it_imports_the_components():
    """__main__.py validates the settings first and imports the builders (the components and the
    parts of pulumi_aws they use, about 1.5 s) only after: a mistake in the stack file is reported at
    once by ``pulumi preview`` and ``python -m plan``."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", MISTAKE_FIRST], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "webstack:network.azCount: got 5" in done.stderr
    # What was loaded (pulumi_aws registers every service package lazily, loaded on first use).
    assert json.loads(done.stdout.splitlines()[-1]) == ["stack.wiring.load"]


CONFIG_KEY = re.compile(r"webstack:(?!components\b)[a-z][A-Za-z]*")
"""A stack-file key (``webstack:edge.certificateArn``); type tokens ``webstack:components:X`` are not."""


def test_no_component_speaks_of_this_programs_config_keys():
    """Components are environment-neutral: a message naming a ``webstack:`` key belongs to the stack
    layer, which knows which key set the value."""
    mentions = sorted(
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _python_files("components")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if CONFIG_KEY.search(line)
    )
    assert mentions == []


UPSTREAM = re.compile(r"terraform|pulumi|aws/|awsx|provider|cdk|github\.com", re.I)
OWN_ISSUE = re.compile(r"(?<![a-z])issues?[ _]#?\d+|#\d{2}\b", re.I)


def test_no_test_file_cites_one_of_this_projects_issue_numbers():
    # A test says what must hold; which issue asked for it is history (git log keeps it). An
    # upstream issue named with its repository is evidence and stays.
    citing = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if OWN_ISSUE.search(line) and not UPSTREAM.search(line)
    ]
    assert citing == []
