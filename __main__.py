"""webstack: builds the components the stack's config asks for, and exports what users need.

The stack layer (``stack/``) reads and validates the stack file and turns settings into each
component's Args; the components (``components/``) declare the resources. Nothing is declared here.
"""

# ruff: noqa: E402 (the builders are imported after the settings are valid, on purpose)

from stack.wiring.load import load_settings

# Validates everything before any resource is registered, and before the builders import the components
# and the parts of pulumi_aws they use (about 1.5 s): a mistake in the stack file is reported at once.
settings = load_settings()

from stack import exports
from stack.wiring.backup import build_backup
from stack.wiring.data import build_data_tier
from stack.wiring.foundation import build_foundation
from stack.wiring.front import build_aliases_and_cdn, build_front_door
from stack.wiring.jobs import build_jobs
from stack.wiring.observability import build_observability
from stack.wiring.services import build_apps, build_cluster

foundation = build_foundation(settings)
exports.export_network(settings, foundation)

data = build_data_tier(settings, foundation)
exports.export_data_tier(settings, foundation, data)
build_backup(settings, foundation)

served = None
cluster = build_cluster(settings, foundation) if settings.services or settings.jobs else None
if settings.services and cluster is not None:
    front = build_front_door(settings, foundation)
    apps = build_apps(settings, foundation, data, cluster, front.edge)
    cdn = build_aliases_and_cdn(settings, front)
    exports.export_apps(settings, cluster, front, apps, cdn)
    served = (cluster, front, apps)

jobs = build_jobs(settings, foundation, data, cluster, served[2].queues if served else {})
exports.export_jobs(settings, jobs)

observability = build_observability(settings, foundation, data, served)
exports.export_observability(foundation, observability)
