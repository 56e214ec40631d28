"""CPU per request through the ASGI app in this process: no uvicorn, no sockets, no wrk.

    python -m bench.inproc [--database-url postgresql+psycopg://…/wt_bench] [--tree PATH]
                           [--requests 500] [--concurrency 8] [scenario ...]

On a machine that other work shares, requests/s and even the server's CPU per request under
wrk move with the load; this drives the app's ASGI callable directly (``concurrency`` tasks on
one event loop, the worker threads as in production) and reports the process's CPU time per
request, the best of three rounds after a warm-up round. It leaves out what uvicorn and the
network cost (the same for every request: the floor's 0.3–0.4 ms includes it), so the figures
compare versions (``--tree``, run one after the other) rather than stand in for bench.load's.
The database is a fresh SQLite file, or the given PostgreSQL database, EMPTIED first (its name
must contain "bench"), with the demo data; the demo pedagogue is logged in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

from bench.asgi import http_scope

Call = tuple[str, str, list[tuple[str, str]], bytes]


class Client:
    """Sends ASGI HTTP requests to ``app`` and collects the responses."""

    def __init__(self, app: Any, state: dict[str, Any]) -> None:
        self.app = app
        self.state = state

    async def call(
        self, method: str, path: str, headers: list[tuple[str, str]], body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        scope = http_scope(method, path, headers, body, self.state)
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        response: dict[str, Any] = {"status": 0, "headers": {}, "body": b""}

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
            elif message["type"] == "http.response.body":
                response["body"] += message.get("body", b"")

        await self.app(scope, receive, send)
        return response["status"], response["headers"], response["body"]


async def _prepare(client: Client, password: str) -> dict[str, Callable[[int], Call]]:
    """Log in, register three children, finish two assessments of one, start a draft."""
    login = json.dumps({"username": "paedagog", "password": password}).encode()
    status, headers, body = await client.call(
        "POST", "/api/v1/session", [("content-type", "application/json")], login
    )
    if status != 200:
        raise SystemExit(f"login failed: {status} {body[:200]!r}")
    auth = [
        ("cookie", headers["set-cookie"].split(";", 1)[0]),
        ("x-csrf-token", json.loads(body)["csrf_token"]),
        ("sec-fetch-site", "same-origin"),
    ]
    as_json = [*auth, ("accept-encoding", "gzip"), ("content-type", "application/json")]
    _, _, body = await client.call("GET", "/api/v1/catalogs/3-5", auth)
    indicators = [i for area in json.loads(body)["areas"] for i in area["indicators"]]
    concern = [i["id"] for i in indicators if i["level"] == 2][:3]
    calm = next(i["id"] for i in indicators if i["level"] == 1)
    children = []
    for first in ("Alma", "Bo", "Carl"):
        child = {"first_name": first, "last_name": "Bench", "birth_date": "2022-03-01"}
        _, _, body = await client.call(
            "POST", "/api/v1/children", as_json, json.dumps(child).encode()
        )
        children.append(json.loads(body)["id"])
    for observed in (concern[:1], concern):
        finished = {"child_id": children[0], "catalog_id": "3-5", "observed": observed}
        await client.call("POST", "/api/v1/assessments", as_json, json.dumps(finished).encode())
    form = [*auth, ("content-type", "application/x-www-form-urlencoded")]
    _, headers, _ = await client.call("POST", f"/children/{children[1]}/assessments", form)
    match = re.search(r"/assessments/(\d+)", headers.get("location", ""))
    if match is None:
        raise SystemExit("no draft was started")
    evaluate = json.dumps({"catalog_id": "3-5", "observed": concern}).encode()
    tick = f"indicator_id={calm}&shown=1:0&observed="
    htmx = [*form, ("accept-encoding", "gzip"), ("hx-request", "true")]
    return {
        "healthz": lambda i: ("GET", "/healthz", [], b""),
        "evaluate": lambda i: ("POST", "/api/v1/evaluate", as_json, evaluate),
        "child read": lambda i: ("GET", f"/api/v1/children/{children[0]}", auth, b""),
        "finish": lambda i: (
            "POST",
            "/api/v1/assessments",
            as_json,
            json.dumps(
                {"child_id": children[2], "catalog_id": "3-5", "observed": concern}
            ).encode(),
        ),
        "htmx tick": lambda i: (
            "POST",
            f"/assessments/{match.group(1)}/observations",
            htmx,
            (tick + str(i % 2)).encode(),
        ),
    }


async def _measure(
    client: Client, make: Callable[[int], Call], requests: int, concurrency: int
) -> list[float]:
    async def worker(first: int) -> None:
        for i in range(first, requests, concurrency):
            status, _, body = await client.call(*make(i))
            if status not in (200, 201):
                raise SystemExit(f"{status}: {body[:300]!r}")

    rounds = []
    for _ in range(4):  # a warm-up round, then three
        started = time.process_time()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        rounds.append(1000 * (time.process_time() - started) / requests)
    return rounds[1:]


async def _run(args: argparse.Namespace) -> None:
    from bench.serve import PASSWORD, _settings, setup

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    if not url.startswith("sqlite"):
        import sqlalchemy as sa

        if "bench" not in (sa.make_url(url).database or ""):
            raise SystemExit('the PostgreSQL database is emptied: its name must contain "bench"')
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    setup(url)
    from app.main import create_app

    app = create_app(_settings(url, Path(tempfile.mkdtemp())))
    state: dict[str, Any] = {}
    lifespan: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    started = asyncio.Event()

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()

    await lifespan.put({"type": "lifespan.startup"})
    running = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}, lifespan.get, send)
    )
    await started.wait()
    client = Client(app, state)
    scenarios = await _prepare(client, PASSWORD)
    for name in args.scenarios or list(scenarios):
        rounds = await _measure(client, scenarios[name], args.requests, args.concurrency)
        each = " ".join(f"{r:.2f}" for r in rounds)
        print(f"{name:<11} {min(rounds):.2f} ms CPU a request (rounds: {each})")
    await lifespan.put({"type": "lifespan.shutdown"})
    await running


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenarios", nargs="*")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    if args.tree is not None:
        sys.path.insert(0, str(args.tree.resolve()))
    asyncio.run(_run(args))


if __name__ == "__main__":
    main()
