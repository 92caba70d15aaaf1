"""``logs SERVICE [--since 1h] [--follow] [--filter PATTERN] [--task ID]``: the service's log group, each
line prefixed with its task and container (awslogs streams are ``<prefix>/<container>/<task id>``)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from ops.aws import Aws, aws_errors
from ops.errors import OpsError
from ops.outputs import Stack

_DURATION = re.compile(r"^(\d+)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_SINCE_DAYS = 30


def _now() -> float:
    return time.time()


def parse_since(text: str) -> int:
    """``90s``, ``15m``, ``1h``, ``2d`` -> seconds."""
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise OpsError(f"--since: got {text!r}; use a number and a unit, for example 30m, 1h or 2d.")
    seconds = int(match.group(1)) * _SECONDS[match.group(2)]
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


def follow(aws: Aws, group: str, pattern: str | None, task: str | None, out: TextIO) -> None:
    """CloudWatch Logs Live Tail (StartLiveTail) on the group until the session ends or Ctrl-C."""
    arn = f"arn:{aws.partition()}:logs:{aws.region}:{aws.account}:log-group:{group}"
    params: dict[str, Any] = {"logGroupIdentifiers": [arn]}
    if pattern:
        params["logEventFilterPattern"] = pattern
    with aws_errors(f"live-tailing log group {group} (logs:StartLiveTail)"):
        stream = aws.client("logs").start_live_tail(**params)["responseStream"]
        for message in stream:
            if "sessionStart" in message:
                print(f"# following {group} (Ctrl-C stops)", file=out, flush=True)
            for event in _mine(message.get("sessionUpdate", {}).get("sessionResults", []), task):
                print(format_event(event), file=out, flush=True)


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
        try:
            follow(aws, group, pattern, task, out)
        except KeyboardInterrupt:
            print("", file=out)
    return 0
