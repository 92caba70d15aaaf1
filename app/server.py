"""Example app for webstack, stdlib only, in three modes (``MODE`` or the first argument):

- ``web`` (default): an HTTP service. GET /healthz -> 200 "ok"; GET /healthz/db -> whether the
  database answers TLS; GET /api-status asks the service at
  ``API_URL`` (e.g. ``http://api:9090`` over Service Connect) for its /healthz; anything else -> a
  greeting naming the service.
- ``worker``: a long-running process with no port. It logs a heartbeat naming ``QUEUE_URL`` and stops
  cleanly on SIGTERM. It does not read the queue: that needs an AWS SDK (boto3) or SigV4 signing,
  which this stdlib-only example leaves to your app; the stack wires the queue and its permissions.
- ``job``: a scheduled task. It logs one line and exits 0, as EventBridge Scheduler's run expects.
"""

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


class Handler(BaseHTTPRequestHandler):
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


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else os.environ.get("MODE", "web")
    if mode == "job":
        return job()
    if mode == "worker":
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        return work(stop)
    if mode != "web":
        print(f"unknown mode {mode!r}; use web, worker or job", file=sys.stderr)
        return 2
    serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
