"""The pure helpers: CIDR plan, task sizes, guardrails (no Pulumi needed)."""
