"""The example app both stacks deploy answers the load balancer's health check (on loopback only)."""

import importlib.util
import json
import threading
import urllib.request
from http.server import ThreadingHTTPServer

import pytest

from plan.engine import PROJECT_ROOT, stack_config
from tests.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES


@pytest.fixture(scope="module")
def base_url():
    spec = importlib.util.spec_from_file_location("example_server", PROJECT_ROOT / "app" / "server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = ThreadingHTTPServer(("127.0.0.1", 0), module.Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def test_the_health_check_path_the_stacks_configure_answers_200_ok(base_url):
    paths = {
        service["healthCheckPath"]
        for stack in (EXAMPLE_DEV, EXAMPLE_PROD)
        for service in json.loads(stack_config(stack, FIXTURES)["webstack:services"]).values()
    }
    assert paths == {"/healthz"}
    assert get(base_url + "/healthz") == (200, "ok")


def test_other_paths_name_the_service_and_the_path(base_url, monkeypatch):
    monkeypatch.setenv("SERVICE_NAME", "api")
    status, body = get(base_url + "/api/orders")
    assert status == 200 and json.loads(body) == {"service": "api", "path": "/api/orders"}
