"""The Observability component (built last): edge, NAT gateway and data-tier alarms into the alarm
topic, and the stack's dashboard. Each Service builds its own alarms (it must name its deployment
alarms)."""

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .. import alarms
from ..pure.inputs import args_of
from ..pure.naming import child_name, type_token, zone_letter
from .args import ObservabilityArgs
from .dashboard import dashboard_body


class Observability(pulumi.ComponentResource):
    """Edge, NAT gateway and data-tier alarms into the topic, and the stack's dashboard."""

    dashboard_name: pulumi.Output[str]
    """The CloudWatch dashboard's name (``{project}-{stack}``)."""
    alarm_names: Sequence[str]
    """Names of the alarms this component created."""

    def __init__(
        self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args = args_of(ObservabilityArgs, args)
        super().__init__(type_token("Observability"), name, None, opts)
        self.alarm_names = self._alarms(name, args, args.topic_arn) if args.topic_arn is not None else []
        dashboard = aws.cloudwatch.Dashboard(
            child_name(name, "dashboard"),
            dashboard_name=f"{pulumi.get_project()}-{pulumi.get_stack()}",
            dashboard_body=pulumi.Output.json_dumps(dashboard_body(args)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.dashboard_name = dashboard.dashboard_name
        self.register_outputs({"dashboardName": self.dashboard_name, "alarmNames": self.alarm_names})

    def _alarms(self, name: str, args: ObservabilityArgs, topic_arn: pulumi.Input[str]) -> list[str]:
        """The alarms of the edge, each NAT gateway and each data store; their names."""
        groups: list[tuple[str, list[alarms.Alarm]]] = []
        if args.load_balancer_arn_suffix is not None:
            groups.append(("edge", alarms.edge_alarms(args.load_balancer_arn_suffix, args.https)))
        for zone, nat_id in args.nat_gateways.items():
            groups.append((f"nat-{zone_letter(zone)}", alarms.nat_alarms(zone, nat_id)))
        groups += [(f"db-{db.name}", alarms.database_alarms(db)) for db in args.databases]
        groups += [(f"cache-{cache.name}", alarms.cache_alarms(cache)) for cache in args.caches]
        names: list[str] = []
        for scope, specs in groups:
            prefix = alarms.stack_prefix(scope)
            alarms.create_alarms(specs, f"{name}-{scope}", prefix, topic_arn, self, args.tags)
            names += [alarms.alarm_name(prefix, spec.role) for spec in specs]
        return names
