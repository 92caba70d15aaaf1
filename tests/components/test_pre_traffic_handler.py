"""The pre-traffic check's Lambda handler against a local HTTP server: the hookStatus ECS gets for the
expected answer, a wrong status, a redirect, no answer in time and nobody listening (ECS contract:
lambda-lifecycle-hooks.html, SUCCEEDED continues, FAILED rolls back)."""

import datetime
import http.server
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
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
    assert check(port, "/slow", timeout=0.2) == "FAILED"
    assert time.monotonic() - started < 1.0


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


def test_the_deployed_source_is_this_module_and_uses_only_the_standard_library_and_the_runtimes_boto3():
    """Lambda's python3.12/3.13 runtimes include boto3 (and botocore): nothing else is packaged."""
    assert Path(handler_module.__file__).read_text() == HANDLER_SOURCE
    imports = {line.split()[1] for line in HANDLER_SOURCE.splitlines() if line.startswith("import ")}
    assert imports == {"http.client", "importlib", "json", "os", "socket", "ssl", "time", "typing"}
    assert not [line for line in HANDLER_SOURCE.splitlines() if line.startswith("from ")]
    # boto3 and botocore by name, at run time: the components distribution does not depend on them.
    for runtime_module in ("boto3", "botocore.config", "botocore.exceptions"):
        assert f'_runtime("{runtime_module}")' in HANDLER_SOURCE


ARN_SUFFIX = "app/edge-alb/50dc6c495c0c9188"


def stubbed_ec2(interfaces: list[dict]) -> tuple[object, Stubber]:
    """An EC2 client whose one DescribeNetworkInterfaces call must filter by the load balancer's
    interface description ``ELB app/<name>/<id>`` (AWS re:Post elb-find-load-balancer-ip)."""
    client = boto3.client(
        "ec2", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    stubber = Stubber(client)
    stubber.add_response(
        "describe_network_interfaces",
        {"NetworkInterfaces": interfaces},
        {"Filters": [{"Name": "description", "Values": [f"ELB {ARN_SUFFIX}"]}]},
    )
    stubber.activate()
    return client, stubber


def internet_facing(port: int, **extra: str) -> dict[str, str]:
    """An internet-facing load balancer's check: its DNS name resolves to nothing reachable here."""
    return {
        "CHECK_SCHEME": "http",
        "CHECK_HOST": "edge-alb-123.eu-west-1.elb.invalid",
        "CHECK_PORT": str(port),
        "CHECK_PATH": "/healthz",
        "EXPECT_STATUS": "200",
        "TIMEOUT_SECONDS": "2",
        "CHECK_LOAD_BALANCER": ARN_SUFFIX,
        **extra,
    }


def test_an_internet_facing_load_balancer_is_called_on_its_in_use_private_addresses_with_the_routes_host(
    port: int,
):
    """The public DNS name is never used: the GET goes to the interfaces' private addresses (here the
    loopback; 127.0.0.2 answers nothing on this port and is skipped), ``available`` ones are ignored."""
    client, stubber = stubbed_ec2(
        [
            {"PrivateIpAddress": "127.0.0.9", "Status": "available"},
            {"PrivateIpAddress": "127.0.0.2", "Status": "in-use"},
            {"PrivateIpAddress": "127.0.0.1", "Status": "in-use"},
        ]
    )
    SEEN_HOSTS.clear()
    status, why = handler_module.run_check(internet_facing(port, CHECK_HOST_HEADER="web.example.com"), client)
    stubber.assert_no_pending_responses()
    assert (status, SEEN_HOSTS) == ("SUCCEEDED", ["web.example.com"])
    assert why == f"http://web.example.com:{port}/healthz at 127.0.0.1 answered 200"


def test_without_a_route_host_the_private_address_gets_the_load_balancers_dns_name_as_host(port: int):
    client, _ = stubbed_ec2([{"PrivateIpAddress": "127.0.0.1", "Status": "in-use"}])
    SEEN_HOSTS.clear()
    assert handler_module.run_check(internet_facing(port), client)[0] == "SUCCEEDED"
    assert [f"edge-alb-123.eu-west-1.elb.invalid:{port}"] == SEEN_HOSTS


def test_the_first_private_address_that_answers_decides(port: int):
    client, _ = stubbed_ec2([{"PrivateIpAddress": "127.0.0.1", "Status": "in-use"}])
    status, why = handler_module.run_check(internet_facing(port, CHECK_PATH="/broken"), client)
    assert (status, why) == (
        "FAILED",
        f"http://edge-alb-123.eu-west-1.elb.invalid:{port}/broken at 127.0.0.1 answered 500, expected 200",
    )


def test_a_load_balancer_without_in_use_interfaces_fails_with_the_reason(port: int):
    client, _ = stubbed_ec2([{"PrivateIpAddress": "127.0.0.1", "Status": "available"}])
    status, why = handler_module.run_check(internet_facing(port), client)
    assert status == "FAILED"
    assert why == (
        f"the load balancer {ARN_SUFFIX} has no in-use network interface (description 'ELB {ARN_SUFFIX}'), "
        "so its test listener has no private address to call"
    )


def test_a_failed_interface_lookup_fails_with_the_reason(port: int):
    client = boto3.client(
        "ec2", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    stubber = Stubber(client)
    stubber.add_client_error("describe_network_interfaces", "UnauthorizedOperation")
    stubber.activate()
    status, why = handler_module.run_check(internet_facing(port), client)
    assert status == "FAILED" and why.startswith(f"could not list the network interfaces of {ARN_SUFFIX}: ")
    assert "UnauthorizedOperation" in why


def self_signed(directory: Path) -> Path:
    """A throwaway self-signed certificate and key for localhost.example (made per run, never committed)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost.example")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path = directory / "tls.pem"
    path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


def test_https_to_a_private_address_sends_the_routes_host_as_sni_without_verifying_the_certificate(
    tmp_path: Path,
):
    """A TLS listener on the loopback with a certificate for another name: the handshake's SNI is the
    route's host and the check passes without verifying the certificate."""
    seen: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(self_signed(tmp_path))
    context.sni_callback = lambda _socket, name, _context: seen.append(name)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), App)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        status, _ = handler_module.check(
            "https",
            "edge.elb.invalid",
            server.server_address[1],
            "/healthz",
            "web.example.com",
            200,
            2.0,
            ("127.0.0.1",),
        )
    finally:
        server.shutdown()
        server.server_close()
    assert (status, seen) == ("SUCCEEDED", ["web.example.com"])


def free_port() -> int:
    """A port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
