"""The pre-traffic check's Lambda handler against a local HTTP server: the hookStatus ECS gets for the
expected answer, a wrong status, a redirect, no answer in time and nobody listening (ECS contract:
lambda-lifecycle-hooks.html, SUCCEEDED continues, FAILED rolls back)."""

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.service import pre_traffic_handler as handler_module
from components.service.pre_traffic import HANDLER_SOURCE

SEEN_HOSTS: list[str] = []


class App(http.server.BaseHTTPRequestHandler):
    """/healthz 200, /broken 500, /moved 301 to /healthz, /slow answers after 2 s."""

    def do_GET(self) -> None:
        SEEN_HOSTS.append(self.headers.get("Host", ""))
        if self.path == "/slow":
            time.sleep(2)
        status = {"/healthz": 200, "/slow": 200, "/broken": 500, "/moved": 301}.get(self.path, 404)
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "/healthz")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), App)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def check(port: int, path: str, expect: int = 200, timeout: float = 1.0, host_header: str = "") -> str:
    status, _ = handler_module.check("http", "127.0.0.1", port, path, host_header, expect, timeout)
    return status


def test_the_expected_status_succeeds(port: int):
    assert check(port, "/healthz") == "SUCCEEDED"


def test_another_status_fails_so_ecs_rolls_back(port: int):
    assert check(port, "/broken") == "FAILED"
    assert check(port, "/healthz", expect=204) == "FAILED"


def test_a_redirect_is_an_answer_not_a_pass(port: int):
    assert check(port, "/moved") == "FAILED"
    assert check(port, "/moved", expect=301) == "SUCCEEDED"


def test_no_answer_within_the_timeout_fails(port: int):
    started = time.monotonic()
    assert check(port, "/slow", timeout=0.5) == "FAILED"
    assert time.monotonic() - started < 1.5


def test_nobody_listening_fails():
    free = free_port()
    status, why = handler_module.check("http", "127.0.0.1", free, "/healthz", "", 200, 0.5)
    assert status == "FAILED" and "no answer" in why


def test_the_host_header_is_the_services_host_when_given(port: int):
    SEEN_HOSTS.clear()
    check(port, "/healthz", host_header="web.example.com")
    check(port, "/healthz")
    assert ["web.example.com", f"127.0.0.1:{port}"] == SEEN_HOSTS


def test_the_handler_reads_its_environment_and_returns_only_the_hook_status(
    port: int, monkeypatch: pytest.MonkeyPatch
):
    for key, value in {
        "CHECK_SCHEME": "http",
        "CHECK_HOST": "127.0.0.1",
        "CHECK_PORT": str(port),
        "CHECK_PATH": "/broken",
        "EXPECT_STATUS": "500",
        "TIMEOUT_SECONDS": "1",
    }.items():
        monkeypatch.setenv(key, value)
    assert handler_module.handler({"targetServiceRevisionArn": "arn:aws:ecs:r"}, None) == {
        "hookStatus": "SUCCEEDED"
    }
    monkeypatch.setenv("EXPECT_STATUS", "200")
    assert handler_module.handler({}, None) == {"hookStatus": "FAILED"}


def test_the_deployed_source_is_this_module_and_uses_only_the_standard_library():
    assert Path(handler_module.__file__).read_text() == HANDLER_SOURCE
    imports = {line.split()[1] for line in HANDLER_SOURCE.splitlines() if line.startswith("import ")}
    assert imports == {"http.client", "json", "os", "ssl"}
    assert not [line for line in HANDLER_SOURCE.splitlines() if line.startswith("from ")]


def free_port() -> int:
    """A port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
