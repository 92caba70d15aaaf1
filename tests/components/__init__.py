"""One home per component: each component's own behaviour, built from its Args or read from fixture stacks."""
