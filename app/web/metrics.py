"""``GET /metrics``: Prometheus text for the operator, behind ``TRIVSEL_METRICS_TOKEN``.

Per route template (``/children/{child_id}``, never the raw path: no ids, no query string),
method and status class: a request counter and a latency histogram; and the database pool
(size, connections checked out, overflow) read at each scrape. Without the setting nothing is
counted (the middleware gets no :class:`Metrics`) and ``/metrics`` answers ``404``, as any
unknown path; a missing or wrong token answers the same ``404``.

Several worker processes (``trivsel serve --workers N``) share their counts through
prometheus-client's multiprocess mode (files in ``PROMETHEUS_MULTIPROC_DIR``, which ``serve``
prepares); the pool figures are then those of the worker that answered, labelled ``pid``.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from typing import Any

from fastapi import Depends, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from app.errors import NotFound
from app.web.deps import public
from app.web.routing import make_router

router = make_router(dependencies=[Depends(public)], include_in_schema=False)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Seconds; a page is expected under 0.1 s (docs/performance.md), so the buckets are fine there.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class PoolCollector(Collector):
    """The SQLAlchemy pool of one engine, read when scraped (costs nothing per request)."""

    def __init__(self, engine: Engine, *, pid_label: bool = False) -> None:
        self.engine = engine
        self.pid_label = pid_label

    def collect(self) -> Iterator[Metric]:
        pool: Any = self.engine.pool
        if not all(hasattr(pool, name) for name in ("size", "checkedout", "overflow")):
            return  # a pool without a size (NullPool, StaticPool): nothing to tell
        size, checked_out = pool.size(), pool.checkedout()
        # QueuePool counts its overflow from -size: opened connections minus the size.
        opened = size + pool.overflow()
        labels = ["pid"] if self.pid_label else []
        values = [str(os.getpid())] if self.pid_label else []
        for name, documentation, value in (
            ("trivsel_db_pool_size", "Connections the pool keeps open when idle", size),
            ("trivsel_db_pool_connections", "Connections open now", opened),
            ("trivsel_db_pool_checked_out", "Connections in use by a request", checked_out),
            ("trivsel_db_pool_overflow", "Connections open beyond the size", max(0, opened - size)),
        ):
            family = GaugeMetricFamily(name, documentation, labels=labels)
            family.add_metric(values, float(value))
            yield family


class Metrics:
    """The counters of one app. ``observe`` is called once per request by the middleware: a
    dict look-up and two updates of prepared label children."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "trivsel_http_requests",
            "HTTP requests answered, by route template, method and status class",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "trivsel_http_request_duration_seconds",
            "Time from the request's arrival to the end of its answer",
            ["route", "method"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        if not multiprocess_mode():
            self.registry.register(PoolCollector(engine))

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one answered request of ``route`` (its template, ``route_label``)."""
        if method not in METHODS:
            method = "OTHER"
        key = (route, method, status // 100)
        children = self._children.get(key)
        if children is None:
            route, method, status_class = key
            children = (
                self.requests.labels(route=route, method=method, status=f"{status_class}xx"),
                self.latency.labels(route=route, method=method),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def exposition(self) -> bytes:
        """The Prometheus text: this process's registry, or every worker's files."""
        if not multiprocess_mode():
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(PoolCollector(self.engine, pid_label=True))
        return generate_latest(registry)


def multiprocess_mode() -> bool:
    """True when prometheus-client keeps its values in files shared by the workers."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def token_matches(authorization: str, token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time."""
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


@router.get("/metrics", name="metrics")
async def metrics(request: Request) -> Response:
    """Prometheus text with the right bearer token; otherwise the ``404`` of any unknown path."""
    collected: Metrics | None = request.app.state.metrics
    token = request.app.state.settings.metrics_token
    if (
        collected is None
        or token is None
        or not token_matches(request.headers.get("authorization", ""), token.get_secret_value())
    ):
        raise NotFound()
    return Response(collected.exposition(), media_type=CONTENT_TYPE_LATEST)
