"""The example app both stacks deploy answers the load balancer's health check (on loopback only)."""

import base64
import importlib.util
import json
import re
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from plan.engine import PROJECT_ROOT, stack_config
from tests.support.fixture_stacks import EXAMPLE_DEV, EXAMPLE_PROD, FIXTURES


@pytest.fixture(scope="module")
def base_url():
    spec = importlib.util.spec_from_file_location("example_server", PROJECT_ROOT / "app" / "server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = ThreadingHTTPServer(("127.0.0.1", 0), module.Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
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


# --- /healthz/db against a local fake PostgreSQL ---------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (the fake database's TLS)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the fake database's certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


def fake_postgres(answer: bytes, certificate: tuple[str, str] | None) -> tuple[socket.socket, list[bytes]]:
    """Accept one connection, record the first 8 bytes, answer ``S``/``N``, then do TLS if ``S``."""
    listener = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            received.append(connection.recv(8))
            connection.sendall(answer)
            if answer == b"S" and certificate is not None:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(*certificate)
                with context.wrap_socket(connection, server_side=True) as tls:
                    tls.recv(1)  # until the client closes

    threading.Thread(target=serve, daemon=True).start()
    return listener, received


def db_check(base_url: str, monkeypatch, port: int, ca_file: str | None = None) -> tuple[int, dict]:
    monkeypatch.setenv("DB_HOST", "127.0.0.1")
    monkeypatch.setenv("DB_PORT", str(port))
    if ca_file:
        monkeypatch.setenv("DB_CA_FILE", ca_file)
    try:
        status, body = get(base_url + "/healthz/db")
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    return status, json.loads(body)


def test_the_db_check_sends_postgres_sslrequest_and_reports_a_tls_handshake(
    base_url, monkeypatch, certificate
):
    listener, received = fake_postgres(b"S", certificate)
    with listener:
        status, report = db_check(base_url, monkeypatch, listener.getsockname()[1])
    assert received == [struct.pack("!ii", 8, 80877103)]
    assert status == 200 and report["database"] == "reachable"
    assert report["tls"].startswith("TLSv1") and report["verified"] is False


def test_the_db_check_verifies_the_certificate_when_given_the_ca_bundle(base_url, monkeypatch, certificate):
    listener, _ = fake_postgres(b"S", certificate)
    with listener:
        status, report = db_check(base_url, monkeypatch, listener.getsockname()[1], ca_file=certificate[0])
    assert status == 200 and report["verified"] is True


def test_the_db_check_fails_when_the_server_refuses_tls(base_url, monkeypatch):
    listener, _ = fake_postgres(b"N", None)
    port = listener.getsockname()[1]
    with listener:
        status, report = db_check(base_url, monkeypatch, port)
    assert status == 503 and report == {
        "host": "127.0.0.1",
        "port": port,
        "database": "unreachable",
        "error": "the server refused TLS",
    }


def test_the_db_check_fails_when_nothing_listens(base_url, monkeypatch):
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]  # closed again before the check: connection refused
    status, report = db_check(base_url, monkeypatch, port)
    assert status == 503 and report["database"] == "unreachable"
    assert "ConnectionRefusedError" in report["error"]


def test_the_db_check_says_so_when_the_service_declares_no_database(base_url, monkeypatch):
    monkeypatch.delenv("DB_HOST", raising=False)
    try:
        get(base_url + "/healthz/db")
        raise AssertionError("expected 404")
    except urllib.error.HTTPError as error:
        assert error.code == 404


# --- Worker and job modes, calls to api -----------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    spec = importlib.util.spec_from_file_location("example_app", PROJECT_ROOT / "app" / "server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_status_fetches_the_health_check_of_the_service_at_api_url(base_url, monkeypatch):
    monkeypatch.setenv("API_URL", base_url)  # this server plays api; in a stack: http://api:9090
    status, body = get(base_url + "/api-status")
    assert status == 200 and json.loads(body)["body"] == "ok"


def test_api_status_says_502_when_the_api_does_not_answer(base_url, monkeypatch):
    monkeypatch.setenv("API_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(urllib.error.HTTPError) as answer:
        get(base_url + "/api-status")
    assert answer.value.code == 502


def test_the_job_mode_runs_once_and_exits_0(app, capsys):
    assert app.main(["server.py", "job"]) == 0
    assert capsys.readouterr().out.startswith("job: ran at ")


def test_the_worker_mode_stops_cleanly_when_told_to(app, capsys, monkeypatch):
    monkeypatch.setenv("QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/111111111111/jobs")
    stop = threading.Event()
    stop.set()
    assert app.work(stop, heartbeat=0.01) == 0
    out = capsys.readouterr().out
    assert "worker: started for https://sqs.eu-west-1.amazonaws.com/111111111111/jobs" in out
    assert out.rstrip().endswith("worker: stopping")


def test_an_unknown_mode_exits_2(app):
    assert app.main(["server.py", "batch"]) == 2


DIGEST_PIN = re.compile(r"^FROM\s+(--platform=\S+\s+)?[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}(\s+AS\s+\w+)?$")


def dockerfiles() -> list[Path]:
    """Every Dockerfile of the repository (not of installed packages)."""
    skip = {"venv", ".git", "node_modules", ".venv"}
    found = [
        path
        for path in PROJECT_ROOT.rglob("Dockerfile*")
        if not skip & set(path.relative_to(PROJECT_ROOT).parts)
    ]
    return sorted(found)


@pytest.mark.parametrize("dockerfile", dockerfiles(), ids=str)
def test_every_base_image_is_pinned_by_tag_and_digest(dockerfile):
    """A tag alone moves under the build; tag@digest stays reviewable by name."""
    froms = [line.strip() for line in dockerfile.read_text().splitlines() if line.strip().startswith("FROM")]
    assert froms, dockerfile
    unpinned = [line for line in froms if not DIGEST_PIN.match(line)]
    assert not unpinned, f"{dockerfile}: pin each base image as image:tag@sha256:<digest>: {unpinned}"


def test_dependabot_proposes_base_image_bumps_for_every_dockerfile_folder():
    config = yaml.safe_load((PROJECT_ROOT / ".github" / "dependabot.yml").read_text())
    docker = {u["directory"] for u in config["updates"] if u["package-ecosystem"] == "docker"}
    folders = {f"/{p.parent.relative_to(PROJECT_ROOT).as_posix()}" for p in dockerfiles()}
    assert folders and folders <= docker


# --- migrate: the release task of the example stacks ------------------------------------------------


def test_the_scram_exchange_matches_rfc_7677s_example(app):
    """RFC 7677 section 3: user "user", password "pencil", client nonce rOprNGfwEbeRWgbNEkqO."""
    server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    final, server_signature = app.scram_client_final("pencil", "n=user,r=rOprNGfwEbeRWgbNEkqO", server_first)
    assert final == (
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    )
    assert base64.b64encode(server_signature).decode() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="


def _message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def fake_postgres_sql(
    app, certificate: tuple[str, str], password: str, error: str | None = None
) -> tuple[socket.socket, dict[str, Any]]:
    """A TLS PostgreSQL that authenticates with SCRAM-SHA-256 and answers one simple query (or fails it)."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen: dict[str, Any] = {}

    def read(tls: ssl.SSLSocket) -> tuple[bytes, bytes]:
        head = _exactly(tls, 5)
        return head[:1], _exactly(tls, struct.unpack("!i", head[1:])[0] - 4)

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(8)
            connection.sendall(b"S")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            with context.wrap_socket(connection, server_side=True) as tls:
                length = struct.unpack("!i", _exactly(tls, 4))[0]
                seen["startup"] = _exactly(tls, length - 4)[4:].split(b"\0")
                tls.sendall(_message(b"R", struct.pack("!i", 10) + b"SCRAM-SHA-256\0\0"))
                _, body = read(tls)
                first_bare = body[len(b"SCRAM-SHA-256\0") + 4 :].decode()[3:]
                server_first = f"r={first_bare.split('r=', 1)[1]}srv,s=c2FsdHNhbHQ=,i=4096"
                tls.sendall(_message(b"R", struct.pack("!i", 11) + server_first.encode()))
                _, body = read(tls)
                expected, signature = app.scram_client_final(password, first_bare, server_first)
                if body.decode() != expected:
                    tls.sendall(_message(b"E", b"SFATAL\0Mpassword authentication failed\0\0"))
                    return
                proof = b"v=" + base64.b64encode(signature)
                tls.sendall(
                    _message(b"R", struct.pack("!i", 12) + proof) + _message(b"R", struct.pack("!i", 0))
                )
                tls.sendall(_message(b"S", b"server_version\x0017\0") + _message(b"Z", b"I"))
                _, body = read(tls)
                seen["sql"] = body.rstrip(b"\0").decode()
                if error:
                    tls.sendall(
                        _message(b"E", b"SERROR\0M" + error.encode() + b"\0\0") + _message(b"Z", b"I")
                    )
                else:
                    tls.sendall(_message(b"C", b"CREATE TABLE\0") + _message(b"Z", b"I"))
                read(tls)  # Terminate

    threading.Thread(target=serve, daemon=True).start()
    return listener, seen


def _exactly(sock: ssl.SSLSocket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        data += sock.recv(size - len(data))
    return data


def _migrate_env(monkeypatch, port: int, password: str, ca_file: str) -> None:
    for key, value in (
        ("DB_HOST", "127.0.0.1"),
        ("DB_PORT", str(port)),
        ("DB_NAME", "app"),
        ("DB_USER", "webstack"),
        ("DB_PASSWORD", password),
        ("DB_CA_FILE", ca_file),
    ):
        monkeypatch.setenv(key, value)


def test_migrate_logs_in_with_scram_over_verified_tls_and_creates_the_table_idempotently(
    app, certificate, monkeypatch, capsys
):
    listener, seen = fake_postgres_sql(app, certificate, "s3cret")
    with listener:
        _migrate_env(monkeypatch, listener.getsockname()[1], "s3cret", certificate[0])
        assert app.main(["server.py", "migrate"]) == 0
    assert seen["startup"][:4] == [b"user", b"webstack", b"database", b"app"]
    assert seen["sql"] == app.MIGRATION and seen["sql"].startswith("CREATE TABLE IF NOT EXISTS visits (")
    assert "migrate: CREATE TABLE" in capsys.readouterr().out


def test_migrate_exits_1_naming_the_error_so_the_release_stops_the_deploy(
    app, certificate, monkeypatch, capsys
):
    listener, _ = fake_postgres_sql(app, certificate, "s3cret", error="permission denied for schema public")
    with listener:
        _migrate_env(monkeypatch, listener.getsockname()[1], "s3cret", certificate[0])
        assert app.main(["server.py", "migrate"]) == 1
    assert "migrate: failed: RuntimeError: PostgreSQL: ERROR permission denied for schema public" in (
        capsys.readouterr().err
    )


def test_migrate_refuses_a_wrong_password_before_running_anything(app, certificate, monkeypatch, capsys):
    listener, seen = fake_postgres_sql(app, certificate, "the-real-one")
    with listener:
        _migrate_env(monkeypatch, listener.getsockname()[1], "a-wrong-one", certificate[0])
        assert app.main(["server.py", "migrate"]) == 1
    assert "sql" not in seen and "password authentication failed" in capsys.readouterr().err


# --- POST /files/<name>: the example writes to its bucket (BUCKET_UPLOADS) ------------------------------

EXAMPLE_KEYS = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


def test_the_sigv4_signature_matches_the_aws_s3_get_object_example(app):
    """AWS S3 sig-v4-header-based-auth.html, "Example: GET Object" (bytes 0-9 of test.txt)."""
    headers = {
        "host": "examplebucket.s3.amazonaws.com",
        "range": "bytes=0-9",
        "x-amz-content-sha256": app.EMPTY_SHA256,
        "x-amz-date": "20130524T000000Z",
    }
    authorization = app.sigv4_authorization(
        "GET", "/test.txt", headers, app.EMPTY_SHA256, "us-east-1", EXAMPLE_KEYS, "20130524T000000Z"
    )
    assert authorization == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


def test_post_files_puts_the_body_into_bucket_uploads_over_https_signed_as_the_task_role(app, monkeypatch):
    sent: list[urllib.request.Request] = []

    class Answer:
        status = 200

        def __enter__(self):
            return self

        def __exit__(self, *_):
            return False

    def fake_urlopen(request, timeout):
        sent.append(request)
        return Answer()

    monkeypatch.setenv("BUCKET_UPLOADS", "bucket-uploads-s3-abc1234")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    credentials = {"AccessKeyId": EXAMPLE_KEYS[0], "SecretAccessKey": EXAMPLE_KEYS[1], "Token": "session"}
    monkeypatch.setattr(app, "task_credentials", lambda: credentials)
    monkeypatch.setattr(app.urllib.request, "urlopen", fake_urlopen)

    status, answer = app.store_file("report.txt", b"hello")

    assert (status, answer) == (
        201,
        {"bucket": "bucket-uploads-s3-abc1234", "key": "files/report.txt", "s3": 200},
    )
    (request,) = sent
    assert (request.get_method(), request.full_url) == (
        "PUT",
        "https://bucket-uploads-s3-abc1234.s3.eu-west-1.amazonaws.com/files/report.txt",
    )
    assert request.data == b"hello"
    headers = {k.lower(): v for k, v in request.header_items()}
    assert headers["x-amz-security-token"] == "session"
    assert headers["x-amz-content-sha256"] == app.hashlib.sha256(b"hello").hexdigest()
    scope = f"{headers['x-amz-date'][:8]}/eu-west-1/s3/aws4_request"
    assert headers["authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential={EXAMPLE_KEYS[0]}/{scope}, "
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature="
    )


def test_post_files_says_503_when_the_service_declares_no_uploads_bucket(base_url, monkeypatch):
    monkeypatch.delenv("BUCKET_UPLOADS", raising=False)
    request = urllib.request.Request(f"{base_url}/files/a.txt", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 503
    assert json.loads(refused.value.read())["files"] == "not configured"
