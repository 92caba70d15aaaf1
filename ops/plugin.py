"""Hand a started session to AWS's ``session-manager-plugin``, exactly as the AWS CLI does.

argv (aws-cli ``awscli/customizations/ecs/executecommand.py`` and ``customizations/sessionmanager.py``):
``session-manager-plugin <session JSON> <region> StartSession <profile or ''> <request JSON> <endpoint>``,
with the user's Ctrl-C/Ctrl-Z/Ctrl-\\ passed to the plugin rather than killing this process.
The session JSON carries a token, so it is never printed.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from ops.aws import Aws
from ops.errors import OpsError

PLUGIN = "session-manager-plugin"
INSTALL = (
    "The Session Manager plugin is not installed, and ECS Exec needs it on your machine. Install it ("
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
    "session-manager-working-with-install-plugin.html): "
    "macOS `brew install --cask session-manager-plugin`; Debian/Ubuntu the session-manager-plugin.deb "
    "from that page (`sudo dpkg -i session-manager-plugin.deb`); then check with `session-manager-plugin "
    "--version` and run this command again."
)


def _which(name: str) -> str | None:
    return shutil.which(name)


def require_plugin() -> None:
    """Before any session is started (a started session the plugin never opens lingers on the agent)."""
    if _which(PLUGIN) is None:
        raise OpsError(INSTALL)


@contextmanager
def _user_signals_to_plugin() -> Iterator[None]:
    signals = [s for s in ("SIGINT", "SIGQUIT", "SIGTSTP") if hasattr(signal, s)]
    saved = {name: signal.signal(getattr(signal, name), signal.SIG_IGN) for name in signals}
    try:
        yield
    finally:
        for name, handler in saved.items():
            signal.signal(getattr(signal, name), handler)


def argv(aws: Aws, client: Any, session: Mapping[str, Any], request: Mapping[str, Any]) -> list[str]:
    return [
        PLUGIN,
        json.dumps(dict(session)),
        aws.region,
        "StartSession",
        aws.profile,
        json.dumps(dict(request)),
        client.meta.endpoint_url,
    ]


def _call(words: Sequence[str]) -> int:
    return subprocess.call(list(words))


def hand_over(words: Sequence[str]) -> int:
    """Run the plugin in the foreground; its exit code is the session's."""
    try:
        with _user_signals_to_plugin():
            return _call(words)
    except FileNotFoundError:
        raise OpsError(INSTALL) from None
