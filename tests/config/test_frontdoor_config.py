"""Named config errors of the front door's sections: webstack:domain, webstack:waf, webstack:static
and webstack:edge's certificate.
"""

from typing import Any

import pytest

from plan.mocks import EXAMPLE_ZONE_ID
from tests.config.test_config import IMAGE, problems_of, raw

HOST = "app.example.com"
DOMAIN = {"zone": "example.com", "host": HOST}


def services_with(environment: str = "dev", **changes: Any) -> dict[str, str]:
    """A valid config with one catch-all service, plus ``changes`` (``raw``'s key convention)."""
    return raw(environment, webstack__services={"web": {"image": IMAGE, "port": 8080}}, **changes)


FRONTDOOR_BAD_INPUTS = [
    (
        "host outside its zone",
        services_with(webstack__domain={"zone": "example.com", "host": "app.example.org"}),
        "webstack:domain.host",
        "outside the hosted zone example.com",
    ),
    (
        "host without a zone",
        services_with(webstack__domain={"host": HOST}),
        "webstack:domain.zone",
        "needs the hosted zone",
    ),
    (
        "zone and zone id both",
        services_with(webstack__domain={**DOMAIN, "zoneId": EXAMPLE_ZONE_ID}),
        "webstack:domain.zoneId",
        "keep one",
    ),
    (
        "host not a host name",
        services_with(webstack__domain={"zone": "example.com", "host": "app_1.example.com"}),
        "webstack:domain.host",
        "not a DNS host name",
    ),
    (
        "domain without services",
        raw(webstack__domain=DOMAIN),
        "webstack:domain",
        "no services",
    ),
    (
        "domain and certificate both",
        services_with("prod", webstack__domain=DOMAIN),  # raw() gives prod a certificateArn
        "webstack:edge.certificateArn",
        "remove one of the two",
    ),
    (
        "rate limit below what pulumi-aws accepts",
        services_with(webstack__waf={"enabled": True, "rateLimit": 50}),
        "webstack:waf.rateLimit",
        "accepts 100 to 2,000,000,000",
    ),
    (
        "rate limit above AWS's maximum",
        services_with(webstack__waf={"rateLimit": 3_000_000_000}),
        "webstack:waf.rateLimit",
        "got 3000000000",
    ),
    (
        "rate window WAF does not offer",
        services_with(webstack__waf={"rateWindowSeconds": 30}),
        "webstack:waf.rateWindowSeconds",
        "60, 120, 300 or 600",
    ),
    (
        "baseline rule group off",
        services_with(webstack__waf={"ruleGroups": {"common": "off"}}),
        "webstack:waf.ruleGroups.common",
        "use count",
    ),
    (
        "rule group action unknown",
        services_with(webstack__waf={"ruleGroups": {"sqli": "maybe"}}),
        "webstack:waf.ruleGroups.sqli",
        "off, count or block",
    ),
    (
        "prod without a firewall",
        services_with("prod", webstack__waf={"enabled": False}),
        "webstack:waf.enabled",
        "CKV2_AWS_28",
    ),
    (
        "prod waf logs kept too briefly",
        services_with("prod", webstack__waf={"logRetentionDays": 30}),
        "webstack:waf.logRetentionDays",
        "at least 90",
    ),
    (
        "static content without a domain",
        services_with(webstack__static={}),
        "webstack:static",
        "add webstack:domain",
    ),
    (
        "static host outside the zone",
        services_with(webstack__domain=DOMAIN, webstack__static={"host": "cdn.example.org"}),
        "webstack:static.host",
        "outside the hosted zone example.com",
    ),
    (
        "static host is the load balancer's host",
        services_with(webstack__domain=DOMAIN, webstack__static={"host": HOST}),
        "webstack:static.host",
        "its own host",
    ),
    (
        "static host clashes with a service route",
        raw(
            webstack__services={
                "web": {"image": IMAGE, "port": 8080, "routing": {"hostHeaders": ["static.app.example.com"]}}
            },
            webstack__domain=DOMAIN,
            webstack__static={},
        ),
        "webstack:static.host",
        "webstack:services.web.routing claims that host",
    ),
    (
        "prod without domain or certificate",
        services_with("prod", webstack__edge={}),
        "webstack:edge.certificateArn",
        "set webstack:domain",
    ),
]


@pytest.mark.parametrize(
    ("config", "key", "words"),
    [case[1:] for case in FRONTDOOR_BAD_INPUTS],
    ids=[case[0] for case in FRONTDOOR_BAD_INPUTS],
)
def test_each_front_door_mistake_fails_with_an_error_naming_its_key(config, key, words):
    problems = problems_of(config)
    matching = [problem for problem in problems if problem.startswith(f"{key}:")]
    assert matching, f"no problem names {key}: {problems}"
    assert any(words in problem for problem in matching), matching
