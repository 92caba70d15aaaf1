"""Whole stacks: the user's stack files, fixture and generated stacks, upgrades, snapshots, layers."""
