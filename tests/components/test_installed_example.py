"""examples/basic, another team's program, runs on the installed distribution under the mock engine.

The distribution is built and installed once per session (pip --target, no dependencies, offline) from a
copy of what it packages, so the example imports ``webstack_components`` exactly as a user who installed
it does, and never this repository's ``components``, stack files or ``stack/`` layer.
"""

import ast
import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plan.engine import Recorded, Run, fresh_runs, run_program

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "basic"
CONFIG = {"aws:region": "eu-west-1"}
"""The only config the example needs: the provider's region (a user's Pulumi.<stack>.yaml)."""


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder webstack-components is installed into."""
    setuptools = importlib.metadata.version("setuptools")  # 70.1+ builds wheels without `wheel`
    assert tuple(map(int, setuptools.split(".")[:2])) >= (70, 1), f"setuptools {setuptools}: run make install"
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
        with fresh_runs():  # the tests below look at what the run imported
            return run_program(CONFIG, "dev", EXAMPLE / "__main__.py", project="basic")
    finally:
        sys.path.remove(str(installed))


def test_the_distribution_installs_the_components_under_their_own_import_name(installed: Path):
    package = installed / "webstack_components"
    assert (package / "__init__.py").is_file() and (package / "pure" / "inputs.py").is_file()
    assert not (installed / "components").exists() and not (installed / "stack").exists()


def test_the_example_imports_only_pulumi_the_aws_provider_and_the_installed_components(
    example: Run, installed: Path
):
    imported = [module for name, module in sys.modules.items() if name.startswith("webstack_components")]
    assert imported and all(str(module.__file__).startswith(str(installed)) for module in imported)
    imports = list(ast.walk(ast.parse((EXAMPLE / "__main__.py").read_text())))
    names = [alias.name for node in imports if isinstance(node, ast.Import) for alias in node.names]
    names += [node.module or "" for node in imports if isinstance(node, ast.ImportFrom)]
    top_level = {name.split(".")[0] for name in names}
    assert top_level == {"pulumi", "pulumi_aws", "webstack_components"}
    assert sorted(path.name for path in EXAMPLE.iterdir() if path.name != "__pycache__") == [
        "Pulumi.yaml",
        "__main__.py",
        "requirements.txt",
    ]


def test_the_components_register_under_the_same_types_as_in_webstack_and_parent_every_child(example: Run):
    components = {r.type for r in example.resources if not r.custom}
    assert components == {
        f"webstack:components:{name}" for name in ("StackKey", "Network", "Cluster", "Edge", "Service")
    }
    assert all(
        r.parent is not None and "webstack:components:" in r.parent for r in example.resources if r.custom
    )


def one(run: Run, type_: str) -> Recorded:
    (found,) = run.of_type(type_)
    return found


def internet_routed_subnets(run: Run) -> set[str]:
    """Subnets whose route table sends 0.0.0.0/0 to an internet gateway: the public ones."""
    gateways = {r.id for r in run.of_type("aws:ec2/internetGateway:InternetGateway")}
    tables = {
        route.inputs["routeTableId"]
        for route in run.of_type("aws:ec2/route:Route")
        if route.inputs.get("destinationCidrBlock") == "0.0.0.0/0"
        and route.inputs.get("gatewayId") in gateways
    }
    return {
        association.inputs["subnetId"]
        for association in run.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
        if association.inputs["routeTableId"] in tables
    }


def test_the_load_balancer_is_internet_facing_in_the_public_subnet_of_each_zone(example: Run):
    balancer = one(example, "aws:lb/loadBalancer:LoadBalancer")
    assert balancer.inputs["internal"] is False
    public = internet_routed_subnets(example)
    assert len(public) == 2 and set(balancer.inputs["subnets"]) == public


def test_the_service_runs_in_private_subnets_and_admits_only_the_load_balancer_on_its_port(example: Run):
    service = one(example, "aws:ecs/service:Service")
    placement = service.inputs["networkConfiguration"]
    assert placement["assignPublicIp"] is False
    assert len(placement["subnets"]) == 2 and not set(placement["subnets"]) & internet_routed_subnets(example)
    (task_group,) = placement["securityGroups"]
    (balancer_group,) = one(example, "aws:lb/loadBalancer:LoadBalancer").inputs["securityGroups"]
    ingress = [
        rule.inputs
        for rule in example.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if rule.inputs["securityGroupId"] == task_group
    ]
    assert [
        (r["ipProtocol"], r["fromPort"], r["toPort"], r.get("referencedSecurityGroupId")) for r in ingress
    ] == [("tcp", 8080, 8080, balancer_group)]
    assert not any("cidrIpv4" in r or "cidrIpv6" in r for r in ingress)
    (target,) = service.inputs["loadBalancers"]
    group = one(example, "aws:lb/targetGroup:TargetGroup")
    assert (target["containerPort"], group.inputs["port"], group.inputs["targetType"]) == (8080, 8080, "ip")


def test_the_program_exports_the_load_balancers_address(example: Run):
    assert (
        example.outputs["url"]
        == f"http://{one(example, 'aws:lb/loadBalancer:LoadBalancer').state['dnsName']}"
    )
