"""The app's Prometheus metrics (prometheus-client), one registry per app so each app made in a
process (the in-process tests make many) counts on its own. Events are counted where they happen;
what the database knows (conversations by state, the waiting line) is read when /metrics is scraped
(api/routers/metrics.py)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Seconds: from a greeting's tens of milliseconds to a hanging Rasa's timeout.
TURN_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Seconds a customer waits for a person: seconds to hours.
WAIT_BUCKETS = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 14400.0)
# Seconds a periodic sweep holds the process: milliseconds when all is well.
SWEEP_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.bot_turn_seconds = Histogram(
            "shopbot_bot_turn_seconds", "A bot turn: the customer's message to Rasa's last reply stored",
            buckets=TURN_BUCKETS, registry=registry)
        self.bot_errors = Counter(
            "shopbot_bot_errors_total", "Bot turns that failed: Rasa unavailable (or timed out), or no answer "
            "(an action failed inside Rasa)", ["kind"], registry=registry)
        self.handoffs = Counter("shopbot_handoffs_total", "Conversations handed to people, by reason", ["reason"],
                                registry=registry)
        self.messages = Counter("shopbot_messages_total", "Messages stored, by sender", ["sender"], registry=registry)
        self.sockets = Gauge("shopbot_websocket_connections", "Open websockets on this process, by kind",
                             ["kind"], registry=registry)
        self.wait_seconds = Histogram(
            "shopbot_queue_wait_seconds", "From the handoff to an agent taking the conversation",
            buckets=WAIT_BUCKETS, registry=registry)
        self.broker_lag_seconds = Histogram(
            "shopbot_broker_lag_seconds", "From an event's publication to its arrival here through Redis",
            buckets=LAG_BUCKETS, registry=registry)
        self.sweep_seconds = Histogram(
            "shopbot_sweep_seconds", "One periodic sweep task of this process (heartbeat, re-offers, ...)",
            ["task"], buckets=SWEEP_BUCKETS, registry=registry)
        self.gc_pause_seconds = Histogram(
            "shopbot_gc_pause_seconds", "The garbage collector's pauses of this process, by generation",
            ["generation"], buckets=SWEEP_BUCKETS, registry=registry)
        self.loop_lag_seconds = Histogram(
            "shopbot_event_loop_lag_seconds", "How late this process's event loop ran a task that was due "
            "(api/loop_lag.py): what every socket and call waits on top of its own work",
            buckets=LAG_BUCKETS, registry=registry)
        self.conversations = Gauge("shopbot_conversations", "Conversations by state (all processes)", ["state"],
                                   registry=registry)
        self.queue_length = Gauge("shopbot_queue_length", "Conversations waiting for a person (all processes)",
                                  registry=registry)
        self.queue_oldest_seconds = Gauge(
            "shopbot_queue_oldest_wait_seconds", "How long the longest-waiting conversation has waited",
            registry=registry)
