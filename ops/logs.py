"""``logs SERVICE [--since 1h] [--follow] [--filter PATTERN] [--task ID]``: the service's log group, each
line prefixed with its task and container (awslogs streams are ``<prefix>/<container>/<task id>``)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

import botocore.exceptions

from ops.aws import Aws, aws_errors
from ops.errors import OpsError
from ops.outputs import Stack

_DURATION = re.compile(r"^(\d+)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_SINCE_DAYS = 30
POLL_SECONDS = 5.0
"""How often ``logs --follow`` polls where Live Tail is unavailable."""
LIVE_TAIL_REFUSALS = ("AccessDeniedException", "AccessDenied", "UnknownOperationException", "InvalidAction")
"""StartLiveTail errors that mean "not for you, or not here": fall back to polling."""


def _now() -> float:
    return time.time()


def parse_duration(text: str, option: str) -> int:
    """``90s``, ``15m``, ``1h``, ``2d`` -> seconds (``option`` names the flag in the error)."""
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise OpsError(f"{option}: got {text!r}; use a number and a unit, for example 30m, 1h or 2d.")
    return int(match.group(1)) * _SECONDS[match.group(2)]


def parse_since(text: str) -> int:
    """``90s``, ``15m``, ``1h``, ``2d`` -> seconds, at most MAX_SINCE_DAYS."""
    seconds = parse_duration(text, "--since")
    if seconds > MAX_SINCE_DAYS * 86400:
        raise OpsError(f"--since: got {text!r}; look back at most {MAX_SINCE_DAYS}d.")
    return seconds


def stream_parts(stream: str) -> tuple[str, str]:
    """``(task id, container)`` of an awslogs stream name ``prefix/container/task-id``."""
    parts = stream.split("/")
    if len(parts) >= 3:
        return parts[-1], parts[-2]
    return stream, "-"


def format_event(event: Mapping[str, Any]) -> str:
    task, container = stream_parts(event.get("logStreamName", ""))
    at = datetime.fromtimestamp(event.get("timestamp", 0) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{at} {task[:8]} {container} | {str(event.get('message', '')).rstrip()}"


def _mine(events: Iterable[Mapping[str, Any]], task: str | None) -> Iterable[Mapping[str, Any]]:
    for event in events:
        if task is None or stream_parts(event.get("logStreamName", ""))[0].startswith(task):
            yield event


def recent(
    aws: Aws, group: str, start_ms: int, pattern: str | None, task: str | None
) -> list[Mapping[str, Any]]:
    """Every event since ``start_ms`` (CloudWatch Logs FilterLogEvents, all pages), oldest first."""
    params: dict[str, Any] = {"logGroupName": group, "startTime": start_ms}
    if pattern:
        params["filterPattern"] = pattern
    with aws_errors(f"reading log group {group} (logs:FilterLogEvents)"):
        pages = aws.client("logs").get_paginator("filter_log_events").paginate(**params)
        events = [e for page in pages for e in page.get("events", [])]
    return sorted(_mine(events, task), key=lambda e: (e.get("timestamp", 0), e.get("eventId", "")))


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _start_live_tail(aws: Aws, request: Mapping[str, Any]) -> tuple[Any, str]:
    """``(the Live Tail stream, "")``, or ``(None, why Live Tail is unavailable)``."""
    logs_client = aws.client("logs")
    if not hasattr(logs_client, "start_live_tail"):  # botocore older than 1.34.5 (January 2024)
        return None, "this botocore has no StartLiveTail"
    try:
        return logs_client.start_live_tail(**request)["responseStream"], ""
    except botocore.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in LIVE_TAIL_REFUSALS:
            return None, f"{code} on logs:StartLiveTail"
        raise


def follow(
    aws: Aws,
    group: str,
    pattern: str | None,
    task: str | None,
    out: TextIO,
    since: tuple[int, Iterable[str]] = (0, ()),
) -> None:
    """CloudWatch Logs Live Tail (StartLiveTail) on the group until the session ends or Ctrl-C; polling
    FilterLogEvents every POLL_SECONDS where Live Tail is refused or missing, from ``since`` (a time in
    ms and the ids of the events already shown)."""
    arn = f"arn:{aws.partition()}:logs:{aws.region}:{aws.account}:log-group:{group}"
    request: dict[str, Any] = {"logGroupIdentifiers": [arn]}
    if pattern:
        request["logEventFilterPattern"] = pattern
    with aws_errors(f"live-tailing log group {group} (logs:StartLiveTail)"):
        stream, why = _start_live_tail(aws, request)
        if stream is not None:
            for message in stream:
                if "sessionStart" in message:
                    print(f"# following {group} (Ctrl-C stops)", file=out, flush=True)
                for event in _mine(message.get("sessionUpdate", {}).get("sessionResults", []), task):
                    print(format_event(event), file=out, flush=True)
            return
    every = f"every {POLL_SECONDS:g}s"
    print(f"# Live Tail unavailable ({why}); polling {group} {every} (Ctrl-C stops)", file=out, flush=True)
    _poll(aws, group, pattern, task, out, since)


def _poll(
    aws: Aws, group: str, pattern: str | None, task: str | None, out: TextIO, since: tuple[int, Iterable[str]]
) -> None:
    """New events since ``since``, every POLL_SECONDS, each printed once (by event id)."""
    start_ms, shown = since
    seen = set(shown)
    while True:
        for event in recent(aws, group, start_ms, pattern, task):
            if event.get("eventId") not in seen:
                seen.add(str(event.get("eventId")))
                print(format_event(event), file=out, flush=True)
        _sleep(POLL_SECONDS)


def logs(
    aws: Aws,
    stack: Stack,
    service: str,
    since: str,
    pattern: str | None,
    task: str | None,
    follow_on: bool,
    out: TextIO,
) -> int:
    key, _ = stack.service(service)
    group = stack.log_group(key)
    start_ms = int((_now() - parse_since(since)) * 1000)
    events = recent(aws, group, start_ms, pattern, task)
    for event in events:
        print(format_event(event), file=out)
    if not events and not follow_on:
        print(f"# no log lines in {group} in the last {since}", file=out)
    if follow_on:
        # Polling resumes after the newest line shown (the same millisecond again: ids deduplicate).
        last_ms = max((int(e.get("timestamp", 0)) for e in events), default=start_ms)
        try:
            follow(aws, group, pattern, task, out, (last_ms, [str(e.get("eventId")) for e in events]))
        except KeyboardInterrupt:
            print("", file=out)
    return 0
