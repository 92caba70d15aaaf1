"""The README and docs/ stay true: the README is short and opens with the command CI runs, every page
says what its reader will have done, every YAML snippet parses and validates with the loader, every
`make` target and `python -m` module a snippet names exists, every internal link and anchor resolves,
and the resource counts are the plan's. (The generated pages: tests/config/test_reference.py.)"""

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

from plan import graph
from plan.engine import PROJECT_ROOT, stack_config
from plan.stack_files import parse_yaml
from stack.config import parse_settings
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES
from tools import plan_benchmark as benchmark

README_PATH = PROJECT_ROOT / "README.md"
README = README_PATH.read_text()
DOCS = sorted((PROJECT_ROOT / "docs").glob("*.md"))
PAGES = [README_PATH, *DOCS]
GENERATED = {"configuration-reference.md", "container-variables.md", "security-controls.md"}
MAKEFILE = (PROJECT_ROOT / "Makefile").read_text().replace("$(POLICY_VENV)", "policy/venv")


def _name(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))


def blocks(text: str, language: str = r"\w*") -> list[str]:
    """The fenced code blocks of a page (indented ones too, as in numbered lists), dedented."""
    found = []
    for indent, body in re.findall(rf"^( *)```{language}\n(.*?)^\1```", text, re.S | re.M):
        found.append("\n".join(line[len(indent) :] for line in body.splitlines()))
    return found


def test_the_readme_opens_with_the_test_command_that_ci_runs():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    assert first_block.group(1).splitlines()[0].startswith("make test")
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci


def test_the_readme_is_at_most_150_lines_and_links_every_page_in_docs():
    assert len(README.splitlines()) <= 150
    missing = [page.name for page in DOCS if f"](docs/{page.name})" not in README]
    assert missing == []


@pytest.mark.parametrize("page", DOCS, ids=_name)
def test_every_docs_page_opens_with_a_title_then_what_its_reader_will_have_done(page: Path):
    lines = [line for line in page.read_text().splitlines() if not line.startswith("<!--")]
    assert lines[0].startswith("# ")
    assert lines[2].startswith("At the end of this page you will"), lines[2]


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_no_page_cites_an_issue_number(page: Path):
    text = re.sub(r"\(https?://[^)]*\)|https?://\S+", "", page.read_text())
    assert re.findall(r"(?<![\w&])#\d+|\bissue \d+", text) == []


def test_maintainer_commands_appear_only_in_contributing():
    mentions = [
        _name(page)
        for page in PAGES
        if page.name != "contributing.md" and re.search(r"make (mutation|snapshots)\b", page.read_text())
    ]
    assert mentions == []


def merge(base: Any, addition: Any) -> Any:
    """``addition`` laid over ``base``, mappings merged key by key (as a reader applies a snippet); a
    mapping with a ``port`` is a whole service definition and replaces the one it names."""
    if isinstance(base, dict) and isinstance(addition, dict) and "port" not in addition:
        return {**base, **{key: merge(base.get(key), value) for key, value in addition.items()}}
    return addition


def yaml_snippets() -> list[tuple[str, str]]:
    return [(_name(page), snippet) for page in PAGES for snippet in blocks(page.read_text(), "yaml")]


SNIPPETS = yaml_snippets()


@pytest.mark.parametrize(
    ("page", "snippet"), SNIPPETS, ids=[f"{page}-{i}" for i, (page, _) in enumerate(SNIPPETS)]
)
def test_every_yaml_snippet_parses_as_the_cli_reads_it_and_validates_with_the_loader(page: str, snippet: str):
    fragment = parse_yaml(snippet)
    if fragment is None:  # only a comment, e.g. the editor's schema modeline
        assert snippet.lstrip().startswith("#"), (page, snippet)
        return
    if isinstance(fragment, dict) and "promotion" in fragment:  # .github/stages.yml
        assert list(fragment) == ["promotion"] and all(
            isinstance(name, str) for name in fragment["promotion"]
        )
        return
    fragment = fragment.get("config", fragment)
    assert isinstance(fragment, dict), (page, snippet)
    if not all(":" in key for key in fragment):  # not a stack file (e.g. a Pulumi YAML program)
        assert "resources" in fragment, (page, snippet)
        return
    if "aws:region" in fragment:
        # A whole stack file (e.g. a reference design) is validated as it stands, not merged.
        whole = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fragment.items()}
        parse_settings(whole, "docs")
        return
    environment = "prod" if "222222222222" in snippet else "dev"
    stack = EXAMPLE_PROD if environment == "prod" else EXAMPLE_DEV
    config = stack_config(stack, FIXTURES)
    for key, value in fragment.items():  # a snippet shows what to add to a stack: merge it in
        merged = merge(json.loads(config[key]) if key in config else None, value)
        config[key] = merged if isinstance(merged, str) else json.dumps(merged)
    parse_settings(config, stack)  # raises ConfigError naming the key when a snippet is wrong


def test_there_are_yaml_snippets_in_the_docs_and_json_snippets_parse():
    assert len(SNIPPETS) >= 5
    for page in PAGES:
        for snippet in blocks(page.read_text(), "json"):
            if "..." not in snippet:
                json.loads(snippet)


def _commands() -> list[tuple[str, str]]:
    """Every line of every code block (any language, prompt-less) with its page."""
    return [
        (_name(page), line)
        for page in PAGES
        for block in blocks(page.read_text())
        for line in block.splitlines()
    ]


def make_targets(line: str) -> list[str]:
    """The targets of each ``make`` command on a shell line (up to a variable, an option or the end)."""
    targets = []
    for command in re.split(r"&&|\|\||[|;]", line.split(" #")[0]):
        words = command.split()
        if words[:1] == ["make"]:
            for word in words[1:]:
                if "=" in word or word.startswith("-"):
                    break
                targets.append(word)
    return targets


def test_every_make_target_a_snippet_or_page_names_exists():
    targets = set(re.findall(r"^([\w./-]+):", MAKEFILE, re.M))
    named = [(page, target) for page, line in _commands() for target in make_targets(line)]
    named += [
        (_name(page), target)
        for page in PAGES
        for target in re.findall(r"`make ([\w./-]+)", page.read_text())
    ]
    assert {target for _, target in named} >= {"test", "plan", "install", "docs"}
    assert [(page, target) for page, target in named if target not in targets] == []


def test_every_python_module_a_snippet_runs_exists():
    modules = {
        (page, module) for page, line in _commands() for module in re.findall(r"python -m ([\w.]+)", line)
    }
    assert {module for _, module in modules} >= {"plan", "tools.tunnel"}
    assert [(page, module) for page, module in modules if importlib.util.find_spec(module) is None] == []


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lowercase, punctuation other than - and _ dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.S | re.M)
    return {slug(heading) for heading in re.findall(r"^#+ (.+)$", text, re.M)}


def links() -> list[tuple[Path, str]]:
    return [
        (page, target)
        for page in PAGES
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text())
        if not re.match(r"[a-z]+:", target)
    ]


def test_every_internal_link_and_anchor_resolves():
    broken = []
    for page, target in links():
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{_name(page)}: {target} (no such file)")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{_name(page)}: {target} (no heading with that anchor)")
    assert len(links()) > 20
    assert broken == []


def documented_resource_counts() -> dict[str, int]:
    text = (PROJECT_ROOT / "docs" / "plan-and-cost.md").read_text()
    return {label: int(count) for label, count in re.findall(r"^\| (example-[^|]+?) \| (\d+) \|", text, re.M)}


def test_the_documented_resource_counts_are_what_the_plan_counts():
    counts = documented_resource_counts()
    cases = benchmark.cases()
    assert sorted(counts) == sorted(label for label, _, _ in cases)
    planned = {
        label: len(graph.capture(stack, benchmark.EXAMPLES, overrides=overrides)["resources"])
        for label, stack, overrides in cases[:-1]
    }
    # The largest synthetic case only repeats identical services: extrapolate instead of planning it.
    (one, _, _), (ten, _, _), (last, _, _) = cases[-3:]
    per_service = (planned[ten] - planned[one]) // 9
    planned[last] = planned[ten] + per_service * (benchmark.SERVICE_COUNTS[-1] - 10)
    assert counts == planned
