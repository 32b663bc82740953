"""Fault scenarios against real processes, shared by tests/e2e/test_faults.py and
bench/reliability/run.py: the processes (app instances behind devstack/balancer.py, a Redis of
their own, a fresh PostgreSQL database), the traffic (customers and agents writing both ways, as
real clients that reconnect and resend), and its ledger (what was sent, acknowledged, delivered,
stored) with the figures drawn from it."""

from devstack.faults.ledger import Ledger
from devstack.faults.processes import Cluster, RedisServer, channel_prefix, fresh_database
from devstack.faults.scenarios import database_refusing, kill_one_instance, redis_restart
from devstack.faults.traffic import Plan, Traffic

__all__ = ["Cluster", "Ledger", "Plan", "RedisServer", "Traffic", "channel_prefix", "database_refusing",
           "fresh_database", "kill_one_instance", "redis_restart"]
