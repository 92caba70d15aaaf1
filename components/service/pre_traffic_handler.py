"""The pre-traffic check's Lambda handler: the source of the function's ``index.py``, standard library and
the runtime's boto3 only (Lambda's python3.12/3.13 runtimes include boto3: nothing else is packaged).

ECS invokes it at the POST_TEST_TRAFFIC_SHIFT lifecycle stage, when the new version takes all test
traffic and no production traffic yet. It requests ``CHECK_PATH`` through the load balancer's test
listener and answers ``{"hookStatus": "SUCCEEDED"}`` when the status is ``EXPECT_STATUS``, else
``{"hookStatus": "FAILED"}`` and ECS rolls the deployment back (AWS ECS developer guide,
lambda-lifecycle-hooks.html: a missing hookStatus or a failed invocation rolls back too).

How it reaches the listener:

* an internal load balancer (behind API Gateway): its DNS name, which resolves to private addresses;
* an internet-facing one (``CHECK_LOAD_BALANCER`` = its ARN suffix ``app/<name>/<id>``): its DNS name
  resolves to PUBLIC addresses, the request would leave through NAT and the load balancer's rule that
  admits the function's security group would not match (AWS VPC guide, security-group-rules.html:
  a referenced group matches private addresses only). So the handler lists the load balancer's network
  interfaces (ec2:DescribeNetworkInterfaces, description ``ELB app/<name>/<id>``: AWS re:Post knowledge
  center "elb-find-load-balancer-ip"), takes the ``in-use`` ones' private addresses in order, and sends
  the GET to each until one answers; the first answer decides (every node routes to the same target
  group, so one answer is the new version's; a node that does not answer is skipped, not a failure).

Redirects are not followed: a 301 from a misrouted request is an answer, not a pass. The request carries
the ``Host`` header (the route's host, else the load balancer's DNS name); with TLS the SNI name is that
host too, and the certificate is not verified (it names the service's domain, not an address); the
request carries no credential and only reads a status code.
"""

import http.client
import importlib
import json
import os
import socket
import ssl
import time
import typing

SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
EC2_CALL = {"connect_timeout": 2, "read_timeout": 2, "retries": {"max_attempts": 1, "mode": "standard"}}
"""The EC2 client's botocore config: one attempt of at most 4 s, within the 5 s the function's timeout
adds to the request's (components/service/pre_traffic.py), so a lookup that cannot reach the EC2 API is
reported as FAILED with its reason rather than cut off."""


def _runtime(module: str) -> typing.Any:
    """boto3/botocore from the Lambda runtime, imported by name so that components/ (whose distribution
    does not depend on boto3) declares no import of it (as components/backup/validator.py does)."""
    return importlib.import_module(module)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to one address with the SNI name of ``host`` (http.client would send none for an address)."""

    def __init__(self, address: str, host: str, port: int, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def _connection(
    scheme: str, host: str, port: int, timeout: float, address: str
) -> http.client.HTTPConnection:
    if scheme != "https":
        return http.client.HTTPConnection(address, port, timeout=timeout)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return PinnedHTTPSConnection(address, host, port, timeout, context)


def check(
    scheme: str,
    host: str,
    port: int,
    path: str,
    host_header: str,
    expect: int,
    timeout: float,
    addresses: tuple[str, ...] = (),
) -> tuple[str, str]:
    """GET ``path`` on each address in turn (``host`` itself without addresses) until one answers, all
    within ``timeout`` seconds; (hook status, why)."""
    name = host_header or host
    default_port = http.client.HTTPS_PORT if scheme == "https" else http.client.HTTP_PORT
    # What http.client sends for the DNS name (the port only when not the scheme's), or the route's host.
    header = host_header or (host if port == default_port else f"{host}:{port}")
    deadline = time.monotonic() + timeout
    errors = []
    for address in addresses or (host,):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        where = f"{scheme}://{name}:{port}{path}" + (f" at {address}" if address != host else "")
        connection = _connection(scheme, name, port, remaining, address)
        try:
            connection.request("GET", path, headers={"Host": header})
            status = connection.getresponse().status
        except (OSError, http.client.HTTPException) as error:  # timeouts are OSErrors (socket.timeout)
            errors.append(f"{where}: {error!r}")
            continue
        finally:
            connection.close()
        if status != expect:
            return FAILED, f"{where} answered {status}, expected {expect}"
        return SUCCEEDED, f"{where} answered {status}"
    return FAILED, f"no answer within {timeout:g} s: {'; '.join(errors) or 'no time left'}"


def load_balancer_addresses(arn_suffix: str, ec2: typing.Any = None) -> tuple[str, ...]:
    """The private addresses of the load balancer's in-use network interfaces, sorted."""
    client = ec2 or _runtime("boto3").client("ec2", config=_runtime("botocore.config").Config(**EC2_CALL))
    pages = client.get_paginator("describe_network_interfaces").paginate(
        Filters=[{"Name": "description", "Values": [f"ELB {arn_suffix}"]}]
    )
    return tuple(
        sorted(
            interface["PrivateIpAddress"]
            for page in pages
            for interface in page["NetworkInterfaces"]
            if interface.get("Status") == "in-use" and interface.get("PrivateIpAddress")
        )
    )


def run_check(environment: typing.Mapping[str, str], ec2: typing.Any = None) -> tuple[str, str]:
    """The check the environment describes; (hook status, why)."""
    scheme, host = environment["CHECK_SCHEME"], environment["CHECK_HOST"]
    port, path = int(environment["CHECK_PORT"]), environment["CHECK_PATH"]
    host_header = environment.get("CHECK_HOST_HEADER", "")
    expect, timeout = int(environment["EXPECT_STATUS"]), float(environment["TIMEOUT_SECONDS"])
    arn_suffix = environment.get("CHECK_LOAD_BALANCER", "")
    addresses: tuple[str, ...] = ()
    if arn_suffix:
        botocore = _runtime("botocore.exceptions")
        try:
            addresses = load_balancer_addresses(arn_suffix, ec2)
        # No endpoint, timeouts, access denied:
        except (botocore.BotoCoreError, botocore.ClientError) as error:
            return FAILED, f"could not list the network interfaces of {arn_suffix}: {error!r}"
        if not addresses:
            return FAILED, (
                f"the load balancer {arn_suffix} has no in-use network interface "
                f"(description 'ELB {arn_suffix}'), so its test listener has no private address to call"
            )
    return check(scheme, host, port, path, host_header, expect, timeout, addresses)


def handler(event: dict, context: object) -> dict:
    """The lifecycle hook: the check's result as the hookStatus ECS expects."""
    status, why = run_check(os.environ)
    print(
        json.dumps({"hookStatus": status, "reason": why, "revision": event.get("targetServiceRevisionArn")})
    )
    return {"hookStatus": status}
