"""The pre-traffic check's Lambda handler: the source of the function's ``index.py``, standard library only.

ECS invokes it at the POST_TEST_TRAFFIC_SHIFT lifecycle stage, when the new version takes all test
traffic and no production traffic yet. It requests ``CHECK_PATH`` once through the load balancer's
test listener and answers ``{"hookStatus": "SUCCEEDED"}`` when the status is ``EXPECT_STATUS``, else
``{"hookStatus": "FAILED"}`` and ECS rolls the deployment back (AWS ECS developer guide,
lambda-lifecycle-hooks.html: a missing hookStatus or a failed invocation rolls back too).

Redirects are not followed: a 301 from a misrouted request is an answer, not a pass. With TLS the
certificate names the service's domain, not the load balancer's DNS name, so the request is sent
without verifying the name; it carries no credential and only reads a status code.
"""

import http.client
import json
import os
import ssl

SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"


def check(
    scheme: str, host: str, port: int, path: str, host_header: str, expect: int, timeout: float
) -> tuple[str, str]:
    """One GET; (hook status, why)."""
    if scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"Host": host_header} if host_header else {}
    try:
        connection.request("GET", path, headers=headers)
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException) as error:  # timeouts are OSErrors (socket.timeout)
        return FAILED, f"no answer from {scheme}://{host}:{port}{path} within {timeout:g} s: {error!r}"
    finally:
        connection.close()
    if status != expect:
        return FAILED, f"{scheme}://{host}:{port}{path} answered {status}, expected {expect}"
    return SUCCEEDED, f"{scheme}://{host}:{port}{path} answered {status}"


def handler(event: dict, context: object) -> dict:
    """The lifecycle hook: the check's result as the hookStatus ECS expects."""
    status, why = check(
        os.environ["CHECK_SCHEME"],
        os.environ["CHECK_HOST"],
        int(os.environ["CHECK_PORT"]),
        os.environ["CHECK_PATH"],
        os.environ.get("CHECK_HOST_HEADER", ""),
        int(os.environ["EXPECT_STATUS"]),
        float(os.environ["TIMEOUT_SECONDS"]),
    )
    print(
        json.dumps({"hookStatus": status, "reason": why, "revision": event.get("targetServiceRevisionArn")})
    )
    return {"hookStatus": status}
