"""The answers of the offline engine: resource state and invoke results as AWS would give them for
one region and account, with realistic camelCase keys; an invoke it does not know is an error."""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from components.pure import regions

DEFAULT_REGION = "eu-west-1"
DEFAULT_ACCOUNT = "111111111111"


def mock_id(name: str) -> str:
    """The id the mock gives a resource: readable, and unique because logical names are."""
    return f"{name}-id"


class AwsLookupError(Exception):
    """An invoke AWS answers with an error (e.g. a lookup that finds nothing): the program sees the
    provider's failure, which it may handle, instead of an unhandled engine error."""


class WebstackMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and the program's invokes for one region and account."""

    def __init__(self, region: str = DEFAULT_REGION, account_id: str = DEFAULT_ACCOUNT) -> None:
        self.region = region
        self.account_id = account_id

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ.startswith("awsx:"):
            # awsx components are remote: echoing their inputs back breaks the SDK, so answer only
            # the outputs the program reads.
            return mock_id(args.name), _awsx_state(args)
        state = dict(args.inputs)
        if not args.custom:
            return None, state
        rid = mock_id(args.name)
        service = args.typ.split(":")[1].split("/")[0]
        kind = args.typ.rsplit(":", 1)[-1]
        region = args.inputs.get("region") or self.region  # pulumi-aws 7: per-resource region
        state.setdefault("arn", f"arn:aws:{service}:{region}:{self.account_id}:{kind.lower()}/{rid}")
        state.setdefault("tagsAll", state.get("tags") or {})
        extra = _EXTRA_STATE.get(args.typ)
        if extra:
            state.update(extra(args.name, rid, self))
        derived = _DERIVED_STATE.get(args.typ)
        if derived:
            state.update(derived(args.inputs, rid, self))
        return rid, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        handler = _INVOKES.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"the mock engine does not answer invoke {args.token!r} (args {args.args}); "
                "teach plan/mocks.py a realistic camelCase answer for it"
            )
        try:
            return handler(self, args.args), []
        except AwsLookupError as failure:
            return {}, [("", str(failure))]

    def zones(self, region: str) -> list[str]:
        if region not in regions.ZONE_LETTERS:
            # AWS answers an unknown region with an endpoint error; the loader names aws:region first.
            raise ValueError(regions.unknown_region_problem(region))
        return regions.zones(region)


def _availability_zones(mocks: WebstackMocks, args: Mapping[str, Any]) -> dict[str, Any]:
    region = args.get("region") or mocks.region
    names = mocks.zones(region)
    short = "".join(word[0] for word in region.split("-")[:-1]) + region.rsplit("-", 1)[-1]
    return {
        "id": region,
        "names": names,
        "zoneIds": [f"{short}-az{string.ascii_lowercase.index(n[-1]) + 1}" for n in names],
        "groupNames": [region] * len(names),
        "state": args.get("state"),
    }


def _caller_identity(mocks: WebstackMocks, _args: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": mocks.account_id,
        "accountId": mocks.account_id,
        "arn": f"arn:aws:sts::{mocks.account_id}:assumed-role/webstack-deploy/pulumi",
        "userId": "AROAEXAMPLEEXAMPLE:pulumi",
    }


def _policy_document(_mocks: WebstackMocks, args: Mapping[str, Any]) -> dict[str, Any]:
    """Render IAM JSON from the helper's arguments, as the provider does (lists stay lists)."""
    statements = []
    for item in args.get("statements") or []:
        statement: dict[str, Any] = {"Effect": item.get("effect", "Allow")}
        if item.get("sid"):
            statement["Sid"] = item["sid"]
        for source, target in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if item.get(source):
                statement[target] = list(item[source])
        for source, target in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if item.get(source) == [{"type": "*", "identifiers": ["*"]}]:
                statement[target] = "*"  # the provider renders "everyone" this way
            elif item.get(source):
                statement[target] = {p["type"]: list(p["identifiers"]) for p in item[source]}
        if item.get("conditions"):
            condition: dict[str, dict[str, list[str]]] = {}
            for c in item["conditions"]:
                condition.setdefault(c["test"], {})[c["variable"]] = list(c["values"])
            statement["Condition"] = condition
        statements.append(statement)
    document = {"Version": args.get("version") or "2012-10-17", "Statement": statements}
    return {"id": "policy", "json": json.dumps(document), "minifiedJson": json.dumps(document)}


AWSX_IMAGE = "awsx:ecr:Image"
DOCKER_BUILD_IMAGE = "docker-build:index:Image"


def _awsx_state(args: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    if args.typ == AWSX_IMAGE:
        repository, tag = args.inputs.get("repositoryUrl"), args.inputs.get("imageTag", "latest")
        return {"imageUri": f"{repository}:{tag}@sha256:{'0' * 64}"}
    raise NotImplementedError(f"the mock engine does not know the awsx component {args.typ}")


def _region(mocks: WebstackMocks, args: Mapping[str, Any]) -> dict[str, Any]:
    region = args.get("region") or mocks.region
    return {"id": region, "region": region, "name": region, "endpoint": f"ec2.{region}.amazonaws.com"}


EXAMPLE_ZONE_ID = "Z0123456789EXAMPLE"
"""The one hosted zone id the offline engine knows (zone ``example.com``): lookups of other ids fail
as AWS's do ("no matching Route 53 Hosted Zone found")."""
EXAMPLE_ZONE_NAME = "example.com"


def _efs_arn(mocks: WebstackMocks) -> str:
    """The prefix of an EFS ARN in the mocked account and region."""
    return f"arn:aws:elasticfilesystem:{mocks.region}:{mocks.account_id}:"


def _digest(*parts: str, length: int = 32) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def _hosted_zone(mocks: WebstackMocks, args: Mapping[str, Any]) -> dict[str, Any]:
    """``route53.getZone`` by name or id, as the provider answers a public zone (name without dot)."""
    zone_id, name = args.get("zoneId"), args.get("name")
    if zone_id and zone_id != EXAMPLE_ZONE_ID:
        raise AwsLookupError(f"no matching Route 53 Hosted Zone found (zone id {zone_id})")
    if zone_id:
        name = EXAMPLE_ZONE_NAME
    name = str(name).rstrip(".")
    zone_id = zone_id or "Z" + _digest(name, length=19).upper()
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "callerReference": f"webstack-{zone_id}",
        "comment": "",
        "nameServers": [f"ns-{n}.awsdns-{n:02d}.{tld}" for n, tld in ((1, "com"), (2, "net"), (3, "org"))],
        "primaryNameServer": "ns-1.awsdns-01.com",
        "privateZone": False,
        "resourceRecordSetCount": 2,
        "tags": {},
        "linkedServiceDescription": "",
        "linkedServicePrincipal": "",
    }


def _certificate_state(inputs: Mapping[str, Any], rid: str, m: WebstackMocks) -> dict[str, Any]:
    """One DNS validation option per name; the token depends on account and name only, not region."""
    names = [inputs.get("domainName"), *(inputs.get("subjectAlternativeNames") or [])]
    return {
        "domainValidationOptions": [
            {
                "domainName": name,
                "resourceRecordName": f"_{_digest(m.account_id, name)}.{name}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_digest(name, m.account_id)}.jkddzztszm.acm-validations.aws.",
            }
            for name in names
        ],
        "status": "ISSUED",
    }


ALB_HOSTED_ZONES = {
    "eu-west-1": "Z32O12XQLNTSW2",
    "us-east-1": "Z35SXDOTRQ7X7K",
    "eu-central-1": "Z215JYRZR1TBD5",
}
"""Canonical hosted zones of application load balancers (AWS general reference, elb.html)."""


def _api_domain_state(inputs: Mapping[str, Any], rid: str, m: WebstackMocks) -> dict[str, Any]:
    """A regional custom domain answers with the domain an alias record points at, and its zone."""
    configuration = dict(inputs.get("domainNameConfiguration") or {})
    configuration["targetDomainName"] = f"d-{_digest(rid, length=10)}.execute-api.{m.region}.amazonaws.com"
    configuration["hostedZoneId"] = f"Z{_digest(rid, length=13).upper()}"
    return {"domainNameConfiguration": configuration}


def _random_result(inputs: Mapping[str, Any], rid: str, _m: WebstackMocks) -> dict[str, Any]:
    """``random.RandomPassword``/``RandomString``: the provider draws ``result`` once and keeps it in
    state (new only when ``keepers`` change). Offline it is a digest of the logical name and keepers, so
    planning twice gives the same graph and a version bump a new value: letters and digits, lowercase
    unless ``upper`` is allowed (the provider's default)."""
    length = int(inputs.get("length") or 16)
    seed = _digest(rid, json.dumps(inputs.get("keepers") or {}, sort_keys=True), length=64)
    while len(seed) < length:
        seed += _digest(seed, length=64)
    result = seed[:length]
    if inputs.get("upper", True):
        result = "".join(c.upper() if i % 3 == 0 else c for i, c in enumerate(result))
    return {"result": result}


_DERIVED_STATE: dict[str, Callable[[Mapping[str, Any], str, WebstackMocks], dict[str, Any]]] = {
    "random:index/randomPassword:RandomPassword": _random_result,
    "random:index/randomString:RandomString": _random_result,
    "aws:apigatewayv2/domainName:DomainName": _api_domain_state,
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": lambda inputs, rid, m: {
        "arn": f"arn:aws:iam::{m.account_id}:role/aws-service-role/{inputs.get('awsServiceName')}/"
        f"AWSServiceRoleForAutoScaling_{inputs.get('customSuffix')}",
    },
    "aws:acm/certificate:Certificate": _certificate_state,
    "aws:route53/record:Record": lambda inputs, rid, m: {"fqdn": str(inputs.get("name", "")).rstrip(".")},
    "aws:lb/loadBalancer:LoadBalancer": lambda inputs, rid, m: {
        "zoneId": ALB_HOSTED_ZONES.get(m.region, "Z0ALBPLACEHOLDER")
    },
    "aws:cloudwatch/logGroup:LogGroup": lambda inputs, rid, m: {
        "name": inputs.get("name") or rid,
        "arn": f"arn:aws:logs:{inputs.get('region') or m.region}:{m.account_id}:log-group:"
        f"{inputs.get('name') or rid}",
    },
    "aws:kms/key:Key": lambda inputs, rid, m: {
        "arn": f"arn:aws:kms:{inputs.get('region') or m.region}:{m.account_id}:key/{rid}",
    },
}
"""State the provider computes from a resource's inputs."""


def _ssm_parameter(mocks: WebstackMocks, args: Mapping[str, Any]) -> dict[str, Any]:
    """``ssm.getParameter`` for the public ECS-optimized AMI parameters (the only ones webstack reads);
    any other name is answered as AWS does for a missing parameter."""
    name = str(args.get("name", ""))
    if not name.startswith("/aws/service/ecs/optimized-ami/"):
        raise AwsLookupError(f"reading SSM Parameter ({name}): ParameterNotFound")
    ami = "ami-0" + _digest(mocks.region, name, length=16)
    return {
        "id": name,
        "name": name,
        "arn": f"arn:aws:ssm:{mocks.region}::parameter{name}",
        "type": "String",
        "value": ami,
        "insecureValue": ami,
        "version": 42,
        "withDecryption": args.get("withDecryption", True),
    }


_INVOKES: dict[str, Callable[[WebstackMocks, Mapping[str, Any]], dict[str, Any]]] = {
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:index/getRegion:getRegion": _region,
    "aws:route53/getZone:getZone": _hosted_zone,
}

_EXTRA_STATE: dict[str, Callable[[str, str, WebstackMocks], dict[str, Any]]] = {
    "aws:ec2/eip:Eip": lambda name, rid, m: {"allocationId": f"eipalloc-{rid}", "publicIp": "198.51.100.7"},
    "aws:ecr/repository:Repository": lambda name, rid, m: {
        "name": rid,
        "repositoryUrl": f"{m.account_id}.dkr.ecr.{m.region}.amazonaws.com/{rid}",
    },
    "aws:ecs/cluster:Cluster": lambda name, rid, m: {"name": rid},
    "aws:autoscaling/group:Group": lambda name, rid, m: {
        "name": rid,
        "arn": f"arn:aws:autoscaling:{m.region}:{m.account_id}:autoScalingGroup:{_digest(rid, length=36)}:"
        f"autoScalingGroupName/{rid}",
    },
    "aws:ecs/service:Service": lambda name, rid, m: {"name": rid},
    "aws:cloudwatch/eventRule:EventRule": lambda name, rid, m: {
        "name": rid,
        "arn": f"arn:aws:events:{m.region}:{m.account_id}:rule/{rid}",
    },
    # The revision-free ARN the real provider returns; ``arn`` keeps the generic form (release-1 graphs).
    "aws:ecs/taskDefinition:TaskDefinition": lambda name, rid, m: {
        "arnWithoutRevision": f"arn:aws:ecs:{m.region}:{m.account_id}:task-definition/{rid}",
    },
    "aws:sqs/queue:Queue": lambda name, rid, m: {
        "name": rid,
        "arn": f"arn:aws:sqs:{m.region}:{m.account_id}:{rid}",
        "url": f"https://sqs.{m.region}.amazonaws.com/{m.account_id}/{rid}",
    },
    "aws:iam/role:Role": lambda name, rid, m: {"name": rid, "arn": f"arn:aws:iam::{m.account_id}:role/{rid}"},
    # Lambda's ARN separates type and name with ":" (AWS Lambda lambda-api-permissions-ref.html).
    "aws:lambda/function:Function": lambda name, rid, m: {
        "name": rid,
        "arn": f"arn:aws:lambda:{m.region}:{m.account_id}:function:{rid}",
    },
    "aws:iam/policy:Policy": lambda name, rid, m: {"arn": f"arn:aws:iam::{m.account_id}:policy/{rid}"},
    "aws:lb/loadBalancer:LoadBalancer": lambda name, rid, m: {
        "arn": f"arn:aws:elasticloadbalancing:{m.region}:{m.account_id}:loadbalancer/app/{rid}/0123abcd",
        "arnSuffix": f"app/{rid}/0123abcd",
        "dnsName": f"{rid}-123456789.{m.region}.elb.amazonaws.com",
    },
    "aws:lb/targetGroup:TargetGroup": lambda name, rid, m: {
        "arn": f"arn:aws:elasticloadbalancing:{m.region}:{m.account_id}:targetgroup/{rid}/0123456789abcdef",
        "arnSuffix": f"targetgroup/{rid}/0123456789abcdef",
    },
    "aws:efs/fileSystem:FileSystem": lambda name, rid, m: {
        "arn": f"{_efs_arn(m)}file-system/fs-{_digest(rid, length=17)}",
    },
    "aws:efs/accessPoint:AccessPoint": lambda name, rid, m: {
        "arn": f"{_efs_arn(m)}access-point/fsap-{_digest(rid, length=17)}",
    },
    "aws:s3/bucket:Bucket": lambda name, rid, m: {
        "bucket": rid,
        "arn": f"arn:aws:s3:::{rid}",
        "bucketRegionalDomainName": f"{rid}.s3.{m.region}.amazonaws.com",
    },
    "aws:cloudfront/distribution:Distribution": lambda name, rid, m: {
        "arn": f"arn:aws:cloudfront::{m.account_id}:distribution/E{_digest(rid, length=13).upper()}",
        "domainName": f"d{_digest(rid, length=13)}.cloudfront.net",
        "hostedZoneId": "Z2FDTNDATAQYW2",
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": lambda name, rid, m: {
        "arn": f"arn:aws:iam::{m.account_id}:oidc-provider/token.actions.githubusercontent.com",
    },
    "aws:kms/key:Key": lambda name, rid, m: {
        "keyId": rid,
        "arn": f"arn:aws:kms:{m.region}:{m.account_id}:key/{rid}",
    },
    "aws:rds/instance:Instance": lambda name, rid, m: {
        "address": f"{rid}.c0abcdefghij.{m.region}.rds.amazonaws.com",
        "port": 5432,
        "resourceId": "db-ABCDEFGHIJKLMNOPQRSTUVWXY",
        "masterUserSecrets": [
            {
                "secretArn": f"arn:aws:secretsmanager:{m.region}:{m.account_id}:secret:rds!db-{rid}-AbCdEf",
                "secretStatus": "active",
            }
        ],
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": lambda name, rid, m: {
        "primaryEndpointAddress": f"master.{rid}.abcdef.euw1.cache.amazonaws.com",
    },
    "aws:secretsmanager/secret:Secret": lambda name, rid, m: {
        "arn": f"arn:aws:secretsmanager:{m.region}:{m.account_id}:secret:{rid}-AbCdEf",
    },
    "aws:rds/parameterGroup:ParameterGroup": lambda name, rid, m: {"name": rid},
    "aws:rds/subnetGroup:SubnetGroup": lambda name, rid, m: {"name": rid},
    "aws:elasticache/subnetGroup:SubnetGroup": lambda name, rid, m: {"name": rid},
    "aws:apigatewayv2/api:Api": lambda name, rid, m: {
        "apiEndpoint": f"https://{_digest(rid, length=10)}.execute-api.{m.region}.amazonaws.com",
        "arn": f"arn:aws:apigateway:{m.region}::/apis/{_digest(rid, length=10)}",
    },
    "aws:cloudwatch/logGroup:LogGroup": lambda name, rid, m: {
        "arn": f"arn:aws:logs:{m.region}:{m.account_id}:log-group:{rid}",
        "name": rid,
    },
}
