"""Entry point the Pulumi CLI runs for `--policy-pack policy`. Starts the policy server: never import it."""

from pulumi_policy import EnforcementLevel, PolicyPack
from webstack_policy import PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, enforcement_level=EnforcementLevel.MANDATORY, policies=POLICIES)
