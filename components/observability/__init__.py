"""Knowing when the stack breaks: the alarm topic, alarms outside the services, and a dashboard.

- :mod:`.notifications`: :class:`Notifications` (built before the services, which alarm into it): an
  SNS topic encrypted with the stack key, that only CloudWatch alarms (and AWS Budgets, when the
  budget alert is on) of this account may publish to, its email and HTTPS subscriptions, and the
  optional monthly budget alert;
- :mod:`.args`: :class:`ObservabilityArgs`, and what a Service needs to watch itself
  (:class:`ServiceMonitoring`) and to be charted (:class:`ServiceMetrics`);
- :mod:`.component`: :class:`Observability` (built last): edge, NAT gateway and data-tier alarms;
- :mod:`.dashboard`: the one dashboard, and the application-error metric of each service.

Each :class:`components.service.Service` builds its own alarms (it must name its deployment alarms).
"""

from .args import ObservabilityArgs, ServiceMetrics, ServiceMonitoring
from .component import Observability
from .dashboard import APP_ERRORS_METRIC, app_errors_metric, dashboard_body
from .notifications import (
    BUDGETS,
    EVENTS,
    BudgetAlertArgs,
    Notifications,
    NotificationsArgs,
    topic_policy_statements,
)

__all__ = [
    "APP_ERRORS_METRIC",
    "BUDGETS",
    "EVENTS",
    "BudgetAlertArgs",
    "Notifications",
    "NotificationsArgs",
    "Observability",
    "ObservabilityArgs",
    "ServiceMetrics",
    "ServiceMonitoring",
    "app_errors_metric",
    "dashboard_body",
    "topic_policy_statements",
]
