"""Example web service: GET /healthz -> 200 "ok"; GET /healthz/db -> whether the database answers
TLS; anything else -> a greeting naming the service. Python standard library only."""

import json
import os
import socket
import ssl
import struct
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SSL_REQUEST = struct.pack("!ii", 8, 80877103)
"""PostgreSQL's SSLRequest message: length 8, then the code 1234.5679 (protocol docs, 55.2.10)."""
CONNECT_TIMEOUT_SECONDS = 3.0


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


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200
        if self.path == "/healthz":
            body, content_type = b"ok", "text/plain"
        elif self.path == "/healthz/db":
            host = os.environ.get("DB_HOST")
            if host:
                port = int(os.environ.get("DB_PORT", "5432"))
                status, report = database_check(host, port, os.environ.get("DB_CA_FILE") or None)
            else:
                status, report = 404, {"database": "not configured (no DB_HOST)"}
            body, content_type = json.dumps(report).encode(), "application/json"
        else:
            service = os.environ.get("SERVICE_NAME", "webstack")
            body = json.dumps({"service": service, "path": self.path}).encode()
            content_type = "application/json"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    port = int(os.environ.get("PORT", "8080"))
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
