"""webstack's offline engine: runs the real program (or one component) with no cloud and no CLI.

Product code: ``python -m plan`` runs on it, and so does every test (through :func:`run_stack`,
:func:`run_program` or :func:`run_component`). The engine:

* answers exactly the invokes the program uses, with realistic camelCase results, and raises on any
  other invoke so that a new lookup cannot silently return nothing;
* answers ``get_availability_zones`` for every commercial region (``components/regions.py``) and
  refuses a region it does not know, as AWS would;
* refuses what the real Pulumi engine refuses and mocks accept: two resources with the same URN
  (including the ``docker-build:index:Image`` child that ``awsx.ecr.Image`` creates, which mocks never
  see), a logical name too long for the provider to autoname, and stack files with duplicate keys;
* records every registered resource with its type, logical name, parent, inputs, options and the
  state the mock returned, plus the stack outputs and the warnings the program logged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import runpy
import string
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc
from pulumi.runtime.proto import source_pb2

from components import regions
from plan import aws_rules

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROJECT = "webstack"
DEFAULT_REGION = "eu-west-1"
DEFAULT_ACCOUNT = "111111111111"
PLACEHOLDER_NOTE = "offline placeholder: the real value is known only after `pulumi up`"
"""How the plan labels ids, ARNs and DNS names the offline engine made up."""


class AwsLookupError(Exception):
    """An invoke AWS answers with an error (e.g. a lookup that finds nothing): the program sees the
    provider's failure, which it may handle, instead of an unhandled engine error."""


class EngineError(RuntimeError):
    """What the Pulumi engine or provider refuses before any AWS call: the whole update stops."""


class DuplicateUrnError(EngineError):
    """Two resources got the same URN: the Pulumi engine stops the whole update on this."""


class AutonameTooLongError(EngineError):
    """A resource without an explicit name whose logical name leaves no room for the random suffix."""


AUTONAME_RANDOM_CHARS = 7
"""pulumi-terraform-bridge autonaming appends ``-`` and 7 random hex characters to the logical name
and fails when the result exceeds the field's limit (``resource.NewUniqueHex``: "name '<prefix>' plus
7 random chars is longer than maximum length N")."""
AUTONAME_MAX_LENGTH = {
    # pulumi-aws provider, legacy_aliases: aws_lb_target_group "name": tfbridge.AutoName("name", 32, "-");
    # AWS CreateTargetGroup: at most 32 characters.
    "aws:lb/targetGroup:TargetGroup": ("name", 32),
    # AWS CreateLoadBalancer / pulumi_aws lb.LoadBalancer docs: "can have a maximum of 32 characters".
    "aws:lb/loadBalancer:LoadBalancer": ("name", 32),
}
"""Resource type -> (name property, maximum length) for the autonamed types webstack creates."""


@dataclass
class Recorded:
    """One resource the program registered."""

    type: str
    name: str
    urn: str
    parent: str | None
    """The parent's URN, None for resources directly under the stack."""
    custom: bool
    inputs: dict[str, Any]
    state: dict[str, Any]
    options: dict[str, Any]

    @property
    def id(self) -> str:
        return mock_id(self.name)


@dataclass
class Run:
    """Everything one mocked run produced."""

    resources: list[Recorded] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    invokes: set[str] = field(default_factory=set)
    """The token of every invoke (data source) the program called."""

    def of_type(self, type_: str) -> list[Recorded]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> Recorded:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(
                f"{len(matches)} resources named {name!r}; names: {[r.name for r in self.resources]}"
            )
        return matches[0]

    def by_id(self, id_: str) -> Recorded:
        matches = [r for r in self.resources if r.custom and r.id == id_]
        if len(matches) != 1:
            raise KeyError(f"no single resource with id {id_!r}")
        return matches[0]

    def by_urn(self, urn: str) -> Recorded:
        return next(r for r in self.resources if r.urn == urn)

    def children_of(self, parent: Recorded) -> list[Recorded]:
        return [r for r in self.resources if r.parent == parent.urn]


def mock_id(name: str) -> str:
    """The id the mock gives a resource: readable, and unique because logical names are."""
    return f"{name}-id"


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """Pulumi's mock monitor, plus the parent, options and stack outputs it is told about."""

    def __init__(self, mocks: WebstackMocks, run: Run, project: str, stack: str) -> None:
        super().__init__(mocks)
        self.run = run
        self.project = project
        self.stack = stack
        self._urns: set[str] = set()
        self._urns_lock = threading.Lock()

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        if request.type != "pulumi:pulumi:Stack":
            self._refuse_duplicate(self._urn_of(request.type, request.name, request.parent or None))
            self._refuse_long_autoname(request)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        registration = self.resources[response.urn]
        options = {
            "protect": request.protect,
            "dependsOn": list(request.dependencies),
            "ignoreChanges": list(request.ignoreChanges),
            "deleteBeforeReplace": request.deleteBeforeReplace,
            "retainOnDelete": request.retainOnDelete,
            "aliases": [str(alias) for alias in request.aliases],
        }
        self.run.resources.append(
            Recorded(
                type=request.type,
                name=request.name,
                urn=response.urn,
                parent=request.parent or None,
                custom=request.custom,
                inputs=dict(rpc.deserialize_properties(request.object)),
                state=dict(registration.state),
                options=options,
            )
        )
        if request.type == AWSX_IMAGE:
            self._awsx_image_child(response.urn, self.run.resources[-1].inputs)
        return response

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        self.run.invokes.add(request.tok)
        return super().Invoke(request)

    def _urn_of(self, type_: str, name: str, parent: str | None) -> str:
        """The URN the engine gives a resource: the parent's type chain (not its name) plus type and name."""
        chain = type_
        if parent:
            parent_chain = parent.split("::")[2]
            if parent_chain != "pulumi:pulumi:Stack":
                chain = f"{parent_chain}${type_}"
        return f"urn:pulumi:{self.stack}::{self.project}::{chain}::{name}"

    def _refuse_duplicate(self, urn: str) -> None:
        """Reserve a URN, or refuse it as the engine does (registrations arrive on several threads)."""
        with self._urns_lock:
            taken = urn in self._urns
            self._urns.add(urn)
        if taken:
            raise DuplicateUrnError(
                f"Duplicate resource URN '{urn}'; try giving it a unique name (the Pulumi engine "
                "stops the update here)"
            )

    @staticmethod
    def _refuse_long_autoname(request: Any) -> None:
        """Refuse, as the provider does, a logical name too long to autoname within the type's limit."""
        limit = AUTONAME_MAX_LENGTH.get(request.type)
        if limit is None:
            return
        field_name, maximum = limit
        given = request.object.fields
        if field_name in given or f"{field_name}Prefix" in given:
            return  # an explicit name or prefix: the provider does not autoname
        prefix = f"{request.name}-"
        if len(prefix) + AUTONAME_RANDOM_CHARS > maximum:
            raise AutonameTooLongError(
                f"could not make instance of '{request.type}': name '{prefix}' plus "
                f"{AUTONAME_RANDOM_CHARS} random chars is longer than maximum length {maximum} "
                f"(the provider stops the update here; shorten the logical name to at most "
                f"{maximum - AUTONAME_RANDOM_CHARS - 1} characters)"
            )

    def _awsx_image_child(self, image_urn: str, inputs: Mapping[str, Any]) -> None:
        """Record the docker-build image awsx.ecr.Image creates: mocks never see it, the engine does.

        awsx names it ``imageName``, else ``imageTag``, else a hash of the build inputs
        (pulumi-awsx ``awsx/ecr/image.ts``, ``computeImageFromAsset``); its URN carries only the
        parents' types, so two images with the same tag collide (pulumi-awsx issue 1793).
        """
        name = inputs.get("imageName") or inputs.get("imageTag")
        if not name:
            signature = f"{inputs.get('context', '.')};dockerfile={inputs.get('dockerfile')}{self.stack}"
            name = f"{hashlib.sha1(signature.encode()).hexdigest()}-container"
        urn = self._urn_of(DOCKER_BUILD_IMAGE, str(name), image_urn)
        self._refuse_duplicate(urn)
        self.run.resources.append(
            Recorded(
                type=DOCKER_BUILD_IMAGE,
                name=str(name),
                urn=urn,
                parent=image_urn,
                custom=True,
                inputs={
                    "tags": [f"{inputs.get('repositoryUrl')}:{name}"],
                    "context": {"location": inputs.get("context", ".")},
                    "dockerfile": {"location": inputs.get("dockerfile")},
                    "platforms": [inputs["platform"]] if inputs.get("platform") else [],
                    "push": True,
                },
                state={},
                options={"modelled": True},
            )
        )


class _WarningCollector(logging.Handler):
    def __init__(self, run: Run) -> None:
        super().__init__(logging.WARNING)
        self.run = run

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self.run.warnings.append(record.getMessage())


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
                "teach plan/engine.py a realistic camelCase answer for it"
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


_DERIVED_STATE: dict[str, Callable[[Mapping[str, Any], str, WebstackMocks], dict[str, Any]]] = {
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


# --- Running things ---------------------------------------------------------------------------------


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping names the same key twice. PyYAML keeps the last silently; the Pulumi CLI refuses."""


class _StrictLoader(yaml.SafeLoader):
    """YAML as the Pulumi CLI reads it: a key given twice in one mapping is an error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # pyright: ignore[reportArgumentType]
            if key in seen:
                first = seen[key].start_mark
                raise DuplicateKeyError(
                    problem=f"the key {key!r} appears twice (first at line {first.line + 1}); keep one",
                    problem_mark=key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> Any:
    """A YAML file as the Pulumi CLI reads it (duplicate keys are errors, as they are for the CLI)."""
    return parse_yaml(path.read_text())


def parse_yaml(text: str) -> Any:
    """YAML text as the Pulumi CLI reads it (see :func:`read_yaml`)."""
    return yaml.load(text, Loader=_StrictLoader)


def project_folder(root: Path, project: Path | None = None) -> Path:
    """The folder holding the Pulumi.yaml and __main__.py that run the stack files of ``root``.

    ``project`` when given (bootstrap fixtures in tests/stacks/bootstrap run bootstrap/), else
    ``root`` when it has a program, else webstack itself (a folder of fixture stack files only).
    """
    if project is not None:
        return project
    return root if (root / "__main__.py").is_file() else PROJECT_ROOT


def stack_config(
    stack: str, root: Path = PROJECT_ROOT, stack_file: Path | None = None, project: Path | None = None
) -> dict[str, str]:
    """The config a real ``pulumi up`` of ``stack`` would pass: project defaults, then the stack file.

    Non-string values are JSON-encoded, exactly as the CLI hands them to the program. The project
    file is the one of :func:`project_folder`. ``stack_file`` reads another file as this stack's
    (``plan --compare-file``).
    """
    project_file = root / "Pulumi.yaml"
    if project is not None or not project_file.is_file():
        project_file = project_folder(root, project) / "Pulumi.yaml"
    stack_file = stack_file or root / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        raise FileNotFoundError(f"no stack file {stack_file.name} in {stack_file.parent}")
    project_doc = read_yaml(project_file) or {}
    name = project_doc.get("name", PROJECT)
    config: dict[str, Any] = {}
    for key, spec in (project_doc.get("config") or {}).items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            config[key if ":" in key else f"{name}:{key}"] = spec.get("default", spec.get("value"))
    stack_doc = read_yaml(stack_file) or {}
    if not isinstance(stack_doc, dict):
        raise ValueError(f"{stack_file.name} is not a mapping")
    config.update(stack_doc.get("config") or {})
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


def project_name(root: Path) -> str:
    """The ``name`` in ``root/Pulumi.yaml`` (webstack's when there is none)."""
    project_file = root / "Pulumi.yaml"
    if not project_file.is_file():
        return PROJECT
    return str((read_yaml(project_file) or {}).get("name", PROJECT))


def _configure(run: Run, config: Mapping[str, str], stack: str, project: str = PROJECT) -> None:
    region = config.get("aws:region", DEFAULT_REGION)
    try:
        accounts = json.loads(config.get("aws:allowedAccountIds", "[]"))
        account = str(accounts[0]) if isinstance(accounts, list) and accounts else DEFAULT_ACCOUNT
    except ValueError:
        account = DEFAULT_ACCOUNT
    mocks = WebstackMocks(region=region, account_id=account)
    logger = logging.getLogger(f"webstack.mocks.{id(run)}")
    logger.propagate = False
    logger.addHandler(_WarningCollector(run))
    pulumi.runtime.set_all_config(dict(config), [])
    # A fresh root stack per run; otherwise the first run's stack is reused and exports pile up.
    pulumi.runtime.settings.set_root_resource(None)  # pyright: ignore[reportArgumentType]
    pulumi.runtime.set_mocks(
        mocks,
        project=project,
        stack=stack,
        preview=False,
        logger=logger,
        monitor=_RecordingMonitor(mocks, run, project, stack),
    )


def run_program(
    config: Mapping[str, str],
    stack: str,
    program: Path = PROJECT_ROOT / "__main__.py",
    run: Run | None = None,
    project: str = PROJECT,
) -> Run:
    """Run a Pulumi program under the mock engine with this config; exceptions propagate.

    Pass your own ``run`` to inspect what was recorded even when the program raises.
    """
    run = run if run is not None else Run()
    memo = _run_cache
    fresh = not (run.resources or run.outputs or run.warnings or run.invokes)
    key = _cache_key(config, stack, program, project) if memo is not None and fresh else None
    stored = memo.get(key) if memo is not None and key is not None else None
    if stored is not None:
        _fill(run, pickle.loads(stored))
        return run
    _configure(run, config, stack, project)

    @pulumi.runtime.test
    def execute() -> pulumi.Output[Any]:
        runpy.run_path(str(program), run_name="__main__")
        # The stack registers its exports only when the real CLI finishes the program, so read them
        # from the root stack resource; the test decorator waits for them and every registration.
        root = pulumi.runtime.settings.get_root_resource()
        exports = dict(getattr(root, "outputs", {}) or {})
        return pulumi.Output.from_input(exports).apply(run.outputs.update)

    with _project_on_path(program.parent), _without_stack_traces():
        execute()
    aws_rules.check(run.resources)
    if memo is not None and key is not None:
        with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
            memo.put(key, pickle.dumps(run, protocol=pickle.HIGHEST_PROTOCOL))
    return run


# --- Memoized runs (the test suite) -----------------------------------------------------------------


class _RunCache:
    """Pickled successful runs by :func:`_cache_key`, in memory and, when given a folder, in files
    there that other processes of the same test session (pytest-xdist workers) read too."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.runs: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        if key not in self.runs and self.folder is not None:
            with contextlib.suppress(OSError):
                self.runs[key] = (self.folder / f"{key}.pickle").read_bytes()
        return self.runs.get(key)

    def put(self, key: str, pickled: bytes) -> None:
        self.runs[key] = pickled
        if self.folder is not None:
            with contextlib.suppress(OSError):
                # Written aside and renamed: a reader sees a whole file or none.
                partial = self.folder / f"{key}.{os.getpid()}.partial"
                partial.write_bytes(pickled)
                partial.replace(self.folder / f"{key}.pickle")


_run_cache: _RunCache | None = None
"""None while memoization is off (the default)."""


def cache_runs(enabled: bool = True, folder: Path | None = None) -> None:
    """Memoize :func:`run_program` in this process from now on (with an empty cache), or stop.

    The test suite turns this on: many tests run the same fixture stack with the same config, and a
    run is deterministic in everything the key covers (the config, stack, project, the program file's
    text, ``PULUMI_*`` variables and the files of every build context the config names). Only runs
    that succeed are kept. Each caller gets its own copy (unpickled from the stored bytes), so a test
    that changes what it was given changes nothing another test sees. ``folder`` shares the runs
    with the other processes of one test session; it must be new for each session, because the
    modules the program imports are not in the key (they do not change within a session; ``make
    mutation`` forks one process per mutant). Off by default, so ``python -m plan`` and ``make
    benchmark`` always run the program.
    """
    global _run_cache
    _run_cache = _RunCache(folder) if enabled else None


@contextlib.contextmanager
def fresh_runs() -> Iterator[None]:
    """Run the program for real inside this block even when runs are memoized (tests of the engine)."""
    global _run_cache
    kept, _run_cache = _run_cache, None
    try:
        yield
    finally:
        _run_cache = kept


def _cache_key(config: Mapping[str, str], stack: str, program: Path, project: str) -> str:
    """Everything that decides what a run of ``program`` records, hashed."""
    environment = {name: value for name, value in os.environ.items() if name.startswith("PULUMI_")}
    contexts = {str(folder): _files_of(folder) for folder in _build_contexts(config, program)}
    text = program.read_text() if program.is_file() else ""
    material = [sorted(config.items()), stack, str(program.resolve()), text, project, environment, contexts]
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _build_contexts(config: Mapping[str, str], program: Path) -> set[Path]:
    """The folders a ``build: {context: ...}`` anywhere in the config may name (the image tag hashes
    their files), resolved against webstack's root and the program's folder."""
    found: set[Path] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            build = value.get("build")
            if isinstance(build, dict) and isinstance(build.get("context"), str):
                found.update((base / build["context"]).resolve() for base in (PROJECT_ROOT, program.parent))
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for raw in config.values():
        try:
            walk(json.loads(raw))
        except ValueError:
            continue
    return found


def _files_of(folder: Path) -> list[tuple[str, int, int, int]]:
    """Each file under ``folder`` with its size, modification time and mode (a change is a new key)."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            status = path.stat()
            found.append((str(path.relative_to(folder)), status.st_size, status.st_mtime_ns, status.st_mode))
    return found


def _fill(run: Run, recorded: Run) -> None:
    """Give ``run`` what a memoized run recorded (the caller may have passed its own ``run``)."""
    run.resources.extend(recorded.resources)
    run.outputs.update(recorded.outputs)
    run.warnings.extend(recorded.warnings)
    run.invokes.update(recorded.invokes)


def run_stack(
    stack: str,
    overrides: Mapping[str, Any] | None = None,
    root: Path = PROJECT_ROOT,
    run: Run | None = None,
    project: Path | None = None,
    stack_file: Path | None = None,
) -> Run:
    """Run the program of ``root`` for ``root/Pulumi.<stack>.yaml``; ``overrides`` replace keys.

    An override of None removes the key. The program is the ``__main__.py`` of
    :func:`project_folder`: webstack's for a folder of fixture stack files, ``project``'s if given.
    ``stack_file`` runs ``stack`` with another file's config (an older revision, an edited copy).
    """
    config = stack_config(stack, root, stack_file=stack_file, project=project)
    for key, value in (overrides or {}).items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value if isinstance(value, str) else json.dumps(value)
    folder = project_folder(root, project)
    return run_program(config, stack, folder / "__main__.py", run, project_name(project or root))


def run_component(
    build: Callable[[], Any],
    config: Mapping[str, str] | None = None,
    stack: str = "test",
) -> Run:
    """Build one component (``build`` constructs it) under the mock engine and record everything.

    ``build`` may return an Output (e.g. one that copies the component's outputs somewhere); it is
    resolved before this returns.
    """
    run = Run()
    _configure(run, config or {"aws:region": DEFAULT_REGION}, stack)

    @pulumi.runtime.test
    def execute() -> Any:
        return build()  # an Output returned here is awaited before the run ends

    with _without_stack_traces():
        execute()
    aws_rules.check(run.resources)
    return run


@contextlib.contextmanager
def _without_stack_traces() -> Iterator[None]:
    """Register resources without the SDK's source position: for every resource it walks the whole
    Python stack and reads each frame's source line (``traceback.extract_stack``) to send the engine
    where the resource was declared, which mocks drop. That was a third of a run under pytest and
    hypothesis, whose stacks are deep. Nothing recorded changes; an SDK without the hook is left as is.
    """
    original = getattr(sdk_resource, "_get_stack_trace", None)
    if original is None:
        yield
        return
    sdk_resource._get_stack_trace = source_pb2.StackTrace  # an empty trace: no source position
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = original


class _project_on_path:  # noqa: N801 (used as a context manager)
    """Put the program's folder on sys.path, as the Pulumi CLI does (and nothing else, so tests see the
    same imports a real `pulumi up` would)."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)

    def __enter__(self) -> None:
        import sys

        if self.root not in sys.path:
            sys.path.insert(0, self.root)

    def __exit__(self, *exc: object) -> None:
        return None
