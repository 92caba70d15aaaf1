"""AWS Backup for the stack's tagged data: vault, lock, plan, copies, selection and restore tests."""

from .args import BackupArgs, RestoreTestArgs
from .component import Backup

__all__ = ["Backup", "BackupArgs", "RestoreTestArgs"]
