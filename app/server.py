"""Example app for webstack, stdlib only, in three modes (``MODE`` or the first argument):

- ``web`` (default): an HTTP service. GET /healthz -> 200 "ok"; GET /healthz/db -> whether the
  database answers TLS; GET /api-status asks the service at
  ``API_URL`` (e.g. ``http://api:9090`` over Service Connect) for its /healthz; anything else -> a
  greeting naming the service.
- ``worker``: a long-running process with no port. It logs a heartbeat naming ``QUEUE_URL`` and stops
  cleanly on SIGTERM. It does not read the queue: that needs an AWS SDK (boto3) or SigV4 signing,
  which this stdlib-only example leaves to your app; the stack wires the queue and its permissions.
- ``web`` also answers POST /files/<name>: it stores the request body as ``<name>`` in the bucket of
  ``BUCKET_UPLOADS`` (``services.<name>.buckets: {uploads: write}``), signing the S3 PutObject itself
  (SigV4, the task role's credentials from the ECS credentials endpoint): 201 with the bucket and key.
- ``job``: a scheduled task. It logs one line and exits 0, as EventBridge Scheduler's run expects.
- ``migrate``: the release task (``services.api.release``): creates the ``visits`` table if it is
  missing, over TLS with the database user of ``DB_USER``/``DB_PASSWORD`` (SCRAM-SHA-256, as RDS
  PostgreSQL stores passwords), and exits 0; any error exits 1, which stops the deploy. It only adds
  (expand): the version still running must keep working while and after it runs.
"""

import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SSL_REQUEST = struct.pack("!ii", 8, 80877103)
"""PostgreSQL's SSLRequest message: length 8, then the code 1234.5679 (protocol docs, 55.2.10)."""
CONNECT_TIMEOUT_SECONDS = 3.0
UPSTREAM_TIMEOUT_SECONDS = 3
HEARTBEAT_SECONDS = 30


def database_check(host: str, port: int, ca_file: str | None = None) -> tuple[int, dict]:
    """Open TCP to the database, ask for TLS the way PostgreSQL clients do, and finish the handshake.

    No credentials and no driver: this proves the network path, the security groups and TLS, which is
    what a deploy can break. With ``ca_file`` (the RDS CA bundle) the certificate and host name are
    verified; without it the channel is encrypted but the peer is not authenticated.
    """
    started = time.monotonic()
    report: dict = {"host": host, "port": port}
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS) as raw:
            raw.sendall(SSL_REQUEST)
            answer = raw.recv(1)
            if answer != b"S":
                return 503, {**report, "database": "unreachable", "error": "the server refused TLS"}
            context = ssl.create_default_context(cafile=ca_file)
            if ca_file is None:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            with context.wrap_socket(raw, server_hostname=host) as tls:
                report.update(tls=tls.version(), verified=ca_file is not None)
    except (OSError, ssl.SSLError) as error:
        return 503, {**report, "database": "unreachable", "error": f"{type(error).__name__}: {error}"}
    elapsed = round((time.monotonic() - started) * 1000)
    return 200, {**report, "database": "reachable", "milliseconds": elapsed}


def api_status() -> tuple[int, dict[str, object]]:
    """(HTTP status, body) of the call to the service at API_URL: 200 when it answers, 502 if not."""
    url = os.environ.get("API_URL")
    if not url:
        return 503, {"api": "not configured", "hint": "set API_URL, e.g. http://api:9090"}
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/healthz", timeout=UPSTREAM_TIMEOUT_SECONDS) as answer:
            return 200, {"api": url, "status": answer.status, "body": answer.read().decode()[:100]}
    except (urllib.error.URLError, OSError) as error:
        return 502, {"api": url, "error": str(error)}


ECS_CREDENTIALS = "http://169.254.170.2"
"""The task role's credentials: ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` on this host (AWS ECS
task-iam-roles.html)."""
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.digest(key, text.encode(), "sha256")


def sigv4_authorization(
    method: str,
    path: str,
    headers: dict[str, str],
    payload_hash: str,
    region: str,
    keys: tuple[str, str],
    when: str,
) -> str:
    """The ``Authorization`` header of an S3 request signed with AWS Signature Version 4 (AWS S3
    sig-v4-header-based-auth.html): every header given is signed; ``when`` is x-amz-date."""
    names = sorted(name.lower() for name in headers)
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in names)
    signed = ";".join(names)
    canonical = "\n".join([method, path, "", canonical_headers, signed, payload_hash])
    scope = f"{when[:8]}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", when, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(("AWS4" + keys[1]).encode(), when[:8])
    for part in (region, "s3", "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode(), "sha256").hexdigest()
    return f"AWS4-HMAC-SHA256 Credential={keys[0]}/{scope}, SignedHeaders={signed}, Signature={signature}"


def task_credentials() -> dict[str, str]:
    """AccessKeyId, SecretAccessKey and Token of the task role."""
    uri = os.environ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]
    with urllib.request.urlopen(ECS_CREDENTIALS + uri, timeout=UPSTREAM_TIMEOUT_SECONDS) as answer:
        return json.loads(answer.read())


def put_object(
    bucket: str, key: str, body: bytes, region: str, credentials: dict[str, str], when: str, opener=None
):
    """S3 PutObject over HTTPS (the bucket's policy refuses plain HTTP); the bucket's default encryption
    (SSE-KMS) applies, so no encryption header is needed. Returns the HTTP status."""
    host = f"{bucket}.s3.{region}.amazonaws.com"
    path = "/" + urllib.parse.quote(key, safe="/-_.~")
    payload = hashlib.sha256(body).hexdigest()
    headers = {
        "host": host,
        "x-amz-content-sha256": payload,
        "x-amz-date": when,
        "x-amz-security-token": credentials["Token"],
    }
    keys = (credentials["AccessKeyId"], credentials["SecretAccessKey"])
    headers["Authorization"] = sigv4_authorization("PUT", path, headers, payload, region, keys, when)
    request = urllib.request.Request(f"https://{host}{path}", data=body, headers=headers, method="PUT")
    with (opener or urllib.request.urlopen)(request, timeout=UPSTREAM_TIMEOUT_SECONDS) as answer:
        return answer.status


def store_file(name: str, body: bytes) -> tuple[int, dict[str, object]]:
    """(HTTP status, body) of POST /files/<name>: the body stored in the uploads bucket."""
    bucket = os.environ.get("BUCKET_UPLOADS")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not bucket or not region:
        return 503, {"files": "not configured", "hint": "declare buckets: {uploads: write} for this service"}
    when = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    try:
        status = put_object(bucket, f"files/{name}", body, region, task_credentials(), when)
    except (urllib.error.URLError, OSError, KeyError) as error:
        return 502, {"bucket": bucket, "error": str(error)}
    return (201 if status == 200 else 502), {"bucket": bucket, "key": f"files/{name}", "s3": status}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        name = self.path.removeprefix("/files/")
        if not self.path.startswith("/files/") or not name or "/" in name or ".." in name:
            status, answer = 404, {"error": "POST /files/<name> stores the body as <name>"}
        else:
            length = int(self.headers.get("Content-Length") or 0)
            status, answer = store_file(name, self.rfile.read(length))
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        status = 200
        if self.path == "/healthz":
            body, content_type = b"ok", "text/plain"
        elif self.path == "/healthz/db":
            host = os.environ.get("DB_HOST")
            if host:
                port = int(os.environ.get("DB_PORT", "5432"))
                status, report = database_check(
                    host, port, os.environ.get("DB_CA_FILE") or os.environ.get("PGSSLROOTCERT") or None
                )
            else:
                status, report = 404, {"database": "not configured (no DB_HOST)"}
            body, content_type = json.dumps(report).encode(), "application/json"
        elif self.path == "/api-status":
            status, answer = api_status()
            body, content_type = json.dumps(answer).encode(), "application/json"
        else:
            service = os.environ.get("SERVICE_NAME", "webstack")
            body = json.dumps({"service": service, "path": self.path}).encode()
            content_type = "application/json"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve() -> None:
    port = int(os.environ.get("PORT", "8080"))
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()


def work(stop: threading.Event, heartbeat: float = HEARTBEAT_SECONDS) -> int:
    """Log a heartbeat until ``stop`` is set (SIGTERM sets it); returns the exit status."""
    queue = os.environ.get("QUEUE_URL", "(no QUEUE_URL)")
    print(f"worker: started for {queue}; this example does not read the queue (stdlib only)", flush=True)
    while not stop.wait(heartbeat):
        print(f"worker: alive at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}", flush=True)
    print("worker: stopping", flush=True)
    return 0


def job() -> int:
    """One scheduled run: do the work, log it, exit 0."""
    print(f"job: ran at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}", flush=True)
    return 0


MIGRATION = (
    "CREATE TABLE IF NOT EXISTS visits ("
    "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
    "path text NOT NULL, "
    "at timestamptz NOT NULL DEFAULT now())"
)
"""Idempotent and additive: safe to run again, and invisible to the version still serving."""


def scram_client_final(password: str, client_first_bare: str, server_first: str) -> tuple[str, bytes]:
    """SCRAM-SHA-256 (RFC 5802/7677): the client-final message and the server signature to expect."""
    fields = dict(part.split("=", 1) for part in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(fields["s"]), int(fields["i"]))
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    without_proof = f"c=biws,r={fields['r']}"
    message = f"{client_first_bare},{server_first},{without_proof}".encode()
    signature = hmac.digest(hashlib.sha256(client_key).digest(), message, "sha256")
    proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    final = f"{without_proof},p={base64.b64encode(proof).decode()}"
    return final, hmac.digest(server_key, message, "sha256")


class Postgres:
    """Just enough of the PostgreSQL protocol (v3) to run one statement: TLS, SCRAM, simple query."""

    def __init__(self, sock: ssl.SSLSocket) -> None:
        self.sock = sock

    def send(self, kind: bytes, body: bytes) -> None:
        self.sock.sendall(kind + struct.pack("!i", len(body) + 4) + body)

    def receive(self) -> tuple[bytes, bytes]:
        head = self._exactly(5)
        body = self._exactly(struct.unpack("!i", head[1:])[0] - 4)
        if head[:1] == b"E":
            fields = dict((f[:1], f[1:].decode()) for f in body.split(b"\0") if f)
            raise RuntimeError(f"PostgreSQL: {fields.get(b'S', 'ERROR')} {fields.get(b'M', '')}")
        return head[:1], body

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise RuntimeError("PostgreSQL closed the connection")
            data += chunk
        return data

    def login(self, user: str, password: str, database: str) -> None:
        params = b"".join(
            k.encode() + b"\0" + v.encode() + b"\0" for k, v in (("user", user), ("database", database))
        )
        body = struct.pack("!i", 196608) + params + b"\0"
        self.sock.sendall(struct.pack("!i", len(body) + 4) + body)
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare, expected = f"n=,r={nonce}", b""
        while True:
            kind, body = self.receive()
            if kind == b"Z":
                return
            if kind != b"R":
                continue  # ParameterStatus, BackendKeyData, notices
            code = struct.unpack("!i", body[:4])[0]
            if code == 10:  # AuthenticationSASL: the client picks SCRAM-SHA-256
                first = f"n,,{first_bare}".encode()
                self.send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first)
            elif code == 11:  # SASLContinue: the server-first message
                final, expected = scram_client_final(password, first_bare, body[4:].decode())
                self.send(b"p", final.encode())
            elif code == 12:  # SASLFinal: the server proves it knows the password too
                if body[4:].decode() != "v=" + base64.b64encode(expected).decode():
                    raise RuntimeError("the server's SCRAM signature is wrong")
            elif code != 0:
                raise RuntimeError(f"authentication method {code} is not supported; use SCRAM-SHA-256")

    def execute(self, sql: str) -> str:
        """Run one statement; its command tag (e.g. ``CREATE TABLE``)."""
        self.send(b"Q", sql.encode() + b"\0")
        tag = ""
        while True:
            kind, body = self.receive()
            if kind == b"C":
                tag = body.rstrip(b"\0").decode()
            elif kind == b"Z":
                return tag


def migrate() -> int:
    """The release task: connect over TLS (verified with the RDS CA when given), run MIGRATION."""
    host, port = os.environ.get("DB_HOST"), int(os.environ.get("DB_PORT", "5432"))
    if not host:
        print("migrate: no DB_HOST; declare database: <name> on the service", file=sys.stderr)
        return 1
    ca_file = os.environ.get("DB_CA_FILE") or os.environ.get("PGSSLROOTCERT") or None
    context = ssl.create_default_context(cafile=ca_file)
    if ca_file is None:
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS * 10) as raw:
            raw.sendall(SSL_REQUEST)
            if raw.recv(1) != b"S":
                raise RuntimeError("the server refused TLS")
            with context.wrap_socket(raw, server_hostname=host) as tls:
                db = Postgres(tls)
                db.login(
                    os.environ.get("DB_USER", ""),
                    os.environ.get("DB_PASSWORD", ""),
                    os.environ.get("DB_NAME", "app"),
                )
                tag = db.execute(MIGRATION)
                db.send(b"X", b"")
    except (OSError, ssl.SSLError, RuntimeError) as error:
        print(f"migrate: failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return 1
    print(f"migrate: {tag or 'done'} (visits is there; running it again changes nothing)", flush=True)
    return 0


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else os.environ.get("MODE", "web")
    if mode == "job":
        return job()
    if mode == "migrate":
        return migrate()
    if mode == "worker":
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        return work(stop)
    if mode != "web":
        print(f"unknown mode {mode!r}; use web, worker, job or migrate", file=sys.stderr)
        return 2
    serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
