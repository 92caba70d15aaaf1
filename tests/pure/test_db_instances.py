"""RDS for PostgreSQL instance classes (components/pure/db_instances.py): which exist, their memory, and
the connection limit the ``connections-high`` alarm is derived from."""

import pytest

from components.alarms import database_target
from components.pure import db_instances

NOMINAL_BYTES_PER_GIB = 2**30


@pytest.mark.parametrize(
    ("instance_class", "gib"),
    [
        ("db.t4g.micro", 1),
        ("db.t3.2xlarge", 32),
        ("db.m7g.large", 8),
        ("db.m6i.32xlarge", 512),
        ("db.r7g.large", 16),
        ("db.r7i.48xlarge", 1536),
    ],
)
def test_a_class_has_the_memory_of_awss_hardware_table(instance_class, gib):
    """AWS RDS Concepts.DBInstanceClass.Summary: m classes 4 GiB per vCPU, r 8 GiB, large = 2 vCPUs."""
    assert db_instances.memory_gib(instance_class) == gib


@pytest.mark.parametrize(
    "instance_class",
    ["db.t4g.nano", "db.t4g.4xlarge", "db.m7g.3xlarge", "db.m7g.24xlarge", "db.x9.large", "m7g.large"],
)
def test_a_class_rds_for_postgresql_does_not_offer_has_a_problem_and_no_memory(instance_class):
    assert db_instances.class_problem(instance_class)
    with pytest.raises(ValueError, match=instance_class):
        db_instances.memory_gib(instance_class)


def test_on_db_t4g_micro_the_connections_alarm_fires_below_the_real_limit_not_above_it():
    """max_connections = LEAST(DBInstanceClassMemory/9531392, 5000), and DBInstanceClassMemory is less
    than the nominal 1 GiB (AWS RDS CHAP_Limits "Maximum number of database connections"): the nominal
    formula gives 112 and an alarm at 89, above what a micro instance really allows."""
    nominal_limit = NOMINAL_BYTES_PER_GIB // db_instances.POSTGRES_BYTES_PER_CONNECTION
    assert nominal_limit == 112
    limit = db_instances.default_max_connections("db.t4g.micro")
    assert limit == 70
    threshold = database_target("db", "webstack-dev-main", "db.t4g.micro", 20).max_connections
    assert threshold == 56 and threshold < limit < nominal_limit


def test_on_a_large_class_the_limit_stops_at_postgresqls_5000_cap():
    assert db_instances.default_max_connections("db.r6i.32xlarge") == 5000
    assert database_target("db", "webstack-prod-main", "db.r6i.32xlarge", 100).max_connections == 4000


def test_a_parameter_groups_own_max_connections_decides_the_threshold_when_given():
    assert database_target("db", "id", "db.t4g.micro", 20, max_connections=50).max_connections == 40
