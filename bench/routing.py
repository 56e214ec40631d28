"""What choosing the route costs: FastAPI's walk against the index (app/web/route_index.py).

    python -m bench.routing [--requests 2000]

Builds the app as ``create_app`` does (its database is never opened) and replaces every
route's ``handle`` with one that returns at once, so only the router's work is timed: from the
router's ASGI call to the route's handler, included routers' own walks included. CPU time a
request, the best of five rounds, for the requests of bench.load and bench.inproc.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

REQUESTS = {
    "healthz": ("GET", "/healthz"),
    "evaluate": ("POST", "/api/v1/evaluate"),
    "child read": ("GET", "/api/v1/children/5"),
    "htmx tick": ("POST", "/assessments/3/observations"),
    "finish": ("POST", "/api/v1/assessments"),
}


async def _handled(self: Any, scope: Scope, receive: Receive, send: Send) -> None:
    return None


async def _time(call: Any, method: str, path: str, requests: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        return None

    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(requests):
            scope = {
                "type": "http",
                "method": method,
                "path": path,
                "root_path": "",
                "headers": [],
                "query_string": b"",
            }
            await call(scope, receive, send)
        best = min(best, (time.process_time() - started) / requests * 1e6)
    return best


async def _run(requests: int) -> None:
    from app.main import create_app
    from app.web.route_index import IndexedDispatch
    from bench.serve import _settings

    work = Path(tempfile.mkdtemp())
    app = create_app(_settings(f"sqlite:///{work / 'unused.db'}", work))
    for cls in (APIRoute, Route, Mount):
        cls.handle = _handled  # type: ignore[method-assign]
    router = app.router
    indexed = router.middleware_stack
    if not isinstance(indexed, IndexedDispatch):
        raise SystemExit("the routing index is not installed")
    print("| request | FastAPI's walk | the index |")
    print("|---|---|---|")
    for name, (method, path) in REQUESTS.items():
        walked = await _time(router.app, method, path, requests)
        chosen = await _time(indexed, method, path, requests)
        print(f"| {name} | {walked:.0f} µs | {chosen:.0f} µs |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    asyncio.run(_run(parser.parse_args().requests))


if __name__ == "__main__":
    main()
