"""Prometheus metrics: one registry per app instance (tests build many apps in one process)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.http_requests = Counter(
            "hotline_http_requests_total",
            "HTTP requests by route template, method and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "hotline_http_request_duration_seconds",
            "HTTP request duration by route template",
            ["method", "route"],
            registry=self.registry,
        )
        self.logins = Counter(
            "hotline_logins_total", "Login attempts by outcome", ["outcome"], registry=self.registry
        )
        self.admission_waiting = Gauge(
            "hotline_http_admission_waiting",
            "API reads waiting in line for a place to be served (hotline.admission)",
            registry=self.registry,
        )
        self.loop_lag = Histogram(
            "hotline_event_loop_lag_seconds",
            "How late the event loop ran a timer (sampled every 20 ms)",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )
        self.loop_held = Histogram(
            "hotline_event_loop_held_seconds",
            "Event-loop lag less the time the loop thread waited for a CPU (where Linux tells):"
            " how long this process held its own loop",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )
        self.loop_lag_max = Gauge(
            "hotline_event_loop_lag_max_seconds",
            "The largest event-loop lag seen since start",
            registry=self.registry,
        )
        self.loop_stalls = Counter(
            "hotline_event_loop_stalls_total",
            "Event-loop lag samples past the alarm threshold (settings: loop_lag_alarm_ms)",
            registry=self.registry,
        )
