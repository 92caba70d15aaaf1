"""What the tests share: fixture stack names and folders, invariants of every valid stack, guardrail cases."""
