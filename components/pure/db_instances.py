"""RDS for PostgreSQL instance classes: which exist, their memory, and the connections they allow (pure).

Source: AWS RDS User Guide, "DB instance class" hardware specifications
(``Concepts.DBInstanceClass.Summary.html``) and "Supported DB engines for DB instance classes"
(``Concepts.DBInstanceClass.SupportAurora.html`` / ``...Support.html``): burstable classes are micro to
2xlarge with 1 to 32 GiB; ``large`` is 2 vCPUs and ``Nxlarge`` 4N vCPUs; general-purpose (m) classes hold
4 GiB per vCPU, memory-optimized (r) classes 8 GiB. Each family offers the sizes listed below only (no
``3xlarge``, no ``nano``, no ``32xlarge`` on Graviton). Check a region with ``aws rds
describe-orderable-db-instance-options --engine postgres``.
"""

from __future__ import annotations

import re

_BURSTABLE_GIB = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
_GRAVITON_2_3 = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
_INTEL_5 = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge")
_INTEL_6 = (*_INTEL_5, "32xlarge")
_GEN_7I_8G = (*_INTEL_5, "48xlarge")

FAMILY_SIZES: dict[str, tuple[str, ...]] = {
    "t3": tuple(_BURSTABLE_GIB),
    "t4g": tuple(_BURSTABLE_GIB),
    "m5": _INTEL_5,
    "m5d": _INTEL_5,
    "m6g": _GRAVITON_2_3,
    "m6gd": _GRAVITON_2_3,
    "m6i": _INTEL_6,
    "m6id": _INTEL_6,
    "m7g": _GRAVITON_2_3,
    "m7i": _GEN_7I_8G,
    "m8g": _GEN_7I_8G,
    "r5": _INTEL_5,
    "r5b": _INTEL_5,
    "r5d": _INTEL_5,
    "r6g": _GRAVITON_2_3,
    "r6gd": _GRAVITON_2_3,
    "r6i": _INTEL_6,
    "r6id": _INTEL_6,
    "r7g": _GRAVITON_2_3,
    "r7i": _GEN_7I_8G,
    "r8g": _GEN_7I_8G,
}
"""The RDS for PostgreSQL instance families webstack accepts, with the sizes each offers."""

_GIB_PER_VCPU = {"m": 4, "r": 8}
_CLASS = re.compile(r"^db\.(?P<family>[a-z0-9]+)\.(?P<size>[a-z0-9]+)$")

POSTGRES_BYTES_PER_CONNECTION = 9531392
"""RDS for PostgreSQL's default: max_connections = LEAST(DBInstanceClassMemory / 9531392, 5000)
(AWS RDS ``CHAP_Limits.html#RDS_Limits.MaxConnections``)."""
POSTGRES_MAX_CONNECTIONS_CAP = 5000
RESERVED_MIB = 300
RESERVED_FRACTION = 0.08
"""DBInstanceClassMemory is the class's memory less what the OS and the RDS processes hold (AWS RDS
``USER_ParamValuesRef.html``, "DBInstanceClassMemory"), which AWS does not publish per class. The model
takes 300 MiB plus 8% off the nominal memory: on db.t4g.micro that leaves about 640 MiB (70 connections
instead of the nominal 112), erring low so that an alarm at a share of it fires before the real limit."""


def class_problem(instance_class: str) -> str | None:
    """Why RDS for PostgreSQL offers no such class, or None."""
    match = _CLASS.match(instance_class)
    if match is None:
        return "it is not of the form db.<family>.<size>, e.g. db.t4g.micro"
    family, size = match.group("family"), match.group("size")
    if family not in FAMILY_SIZES:
        return f"webstack knows no RDS for PostgreSQL family {family!r} (known: {', '.join(FAMILY_SIZES)})"
    if size not in FAMILY_SIZES[family]:
        return f"db.{family} comes in {', '.join(FAMILY_SIZES[family])}, not {size}"
    return None


def memory_gib(instance_class: str) -> int:
    """The class's nominal memory in GiB (ValueError for a class :func:`class_problem` refuses)."""
    problem = class_problem(instance_class)
    if problem:
        raise ValueError(f"{instance_class}: {problem}")
    family, size = instance_class.removeprefix("db.").split(".", 1)
    if family.startswith("t"):
        return _BURSTABLE_GIB[size]
    vcpus = 2 if size == "large" else 4 * int(size.removesuffix("xlarge") or 1)
    return vcpus * _GIB_PER_VCPU[family[0]]


def usable_memory_bytes(instance_class: str) -> int:
    """An estimate of DBInstanceClassMemory, below the nominal memory (see :data:`RESERVED_FRACTION`)."""
    nominal_mib = memory_gib(instance_class) * 1024
    return int((nominal_mib - RESERVED_MIB - nominal_mib * RESERVED_FRACTION) * 2**20)


def default_max_connections(instance_class: str) -> int:
    """PostgreSQL's default max_connections on this class: LEAST(DBInstanceClassMemory/9531392, 5000)."""
    return min(
        usable_memory_bytes(instance_class) // POSTGRES_BYTES_PER_CONNECTION, POSTGRES_MAX_CONNECTIONS_CAP
    )
