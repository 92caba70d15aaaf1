"""Pure helpers of the components: no Pulumi imports (CIDR planning, naming, priorities, AWS facts,
guardrails). Each is importable and testable on its own."""
