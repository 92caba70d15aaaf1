"""The one error type a command raises: a paragraph for the user, never a traceback."""

from __future__ import annotations


class OpsError(Exception):
    """What went wrong, and what to do about it, in one paragraph (the CLI prints it, exit code 1)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
