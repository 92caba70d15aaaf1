"""`make db-tunnel`: the commands it prints come from the stack's outputs (here, a fixture's plan)."""

import io
import json
import shlex
from pathlib import Path

import pytest

from plan.engine import Run, run_stack
from tools import tunnel

STACKS = Path(__file__).parents[1] / "stacks"


@pytest.fixture(scope="module")
def outputs() -> dict:
    """The outputs `pulumi stack output --json` would print for the data-prod fixture (api uses main)."""
    run: Run = run_stack("data-prod", root=STACKS)
    return json.loads(json.dumps(run.outputs))


def test_the_tunnel_goes_through_a_task_of_the_service_that_declares_the_database(outputs):
    lines = tunnel.commands(outputs)
    cluster, service = outputs["clusterName"], outputs["serviceNames"]["api"]
    (list_tasks,) = [line for line in lines if line.startswith("TASK=")]
    assert f"--cluster {cluster} --service-name {service} --desired-status RUNNING" in list_tasks
    (runtime,) = [line for line in lines if line.startswith("RUNTIME=")]
    assert "containers[?name=='api'].runtimeId" in runtime
    (session,) = [line for line in lines if line.startswith("aws ssm start-session")]
    words = shlex.split(session)
    assert words[words.index("--target") + 1] == f"ecs:{cluster}_${{TASK}}_${{RUNTIME}}"
    assert words[words.index("--document-name") + 1] == "AWS-StartPortForwardingSessionToRemoteHost"
    assert json.loads(words[words.index("--parameters") + 1]) == {
        "host": [outputs["databases"]["main"]["address"]],
        "portNumber": ["5432"],
        "localPortNumber": ["15432"],
    }
    assert "--region eu-west-1" in session


def test_the_credentials_come_from_the_databases_managed_secret_and_psql_uses_the_local_port(outputs):
    lines = tunnel.commands(outputs, local_port=25432)
    (secret,) = [line for line in lines if line.startswith("aws secretsmanager")]
    assert f"--secret-id '{outputs['databases']['main']['secretArn']}'" in secret
    (psql,) = [line for line in lines if line.startswith("psql")]
    assert "port=25432 dbname=app sslmode=require" in psql
    assert not any("ssh" in line for line in lines)


def test_the_command_reads_outputs_from_stdin_and_prints_the_lines(outputs):
    out = io.StringIO()
    assert tunnel.main([], stdin=io.StringIO(json.dumps(outputs)), stdout=out) == 0
    assert out.getvalue().splitlines() == tunnel.commands(outputs)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda o: o.pop("databases"), "exports no databases"),
        (lambda o: o["databases"]["main"].update(services=[]), "no service declares database 'main'"),
    ],
    ids=["no database", "no declaring service"],
)
def test_the_command_explains_why_there_is_no_tunnel(outputs, change, message, capsys):
    broken = json.loads(json.dumps(outputs))
    change(broken)
    assert tunnel.main([], stdin=io.StringIO(json.dumps(broken)), stdout=io.StringIO()) == 1
    assert message in capsys.readouterr().err


def test_an_unknown_database_name_lists_the_ones_there_are(outputs):
    with pytest.raises(tunnel.TunnelError, match="has no database 'orders'; it has: main"):
        tunnel.commands(outputs, database="orders")
