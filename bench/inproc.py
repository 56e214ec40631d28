"""CPU per request through the ASGI app in this process: no uvicorn, no sockets, no wrk.

    python -m bench.inproc [--database-url postgresql+psycopg://…/wt_bench] [--tree PATH]
                           [--requests 500] [--concurrency 8] [--dump DIR] [--profile DIR]
                           [--scale [--reuse] [--generate --children 1500 …]] [scenario ...]

On a machine that other work shares, requests/s and even the server's CPU per request under
wrk move with the load; this drives the app's ASGI callable directly (``concurrency`` tasks on
one event loop, the worker threads as in production) and reports the process's CPU time per
request, the best of three rounds after a warm-up round. It leaves out what uvicorn and the
network cost (the same for every request: the floor's 0.3–0.4 ms includes it), so the figures
compare versions (``--tree``, run one after the other) rather than stand in for bench.load's.
The database is a fresh SQLite file, or the given PostgreSQL database, EMPTIED first (its name
must contain "bench"), with the demo data; the demo pedagogue is logged in.

``--scale``: instead, ``bench.generate``'s municipality (its defaults, or the options after
``--generate``) in a SQLite file in the temporary directory or the given PostgreSQL database
(emptied first; ``--reuse`` keeps what an earlier run generated there and its summary), and
``bench.scale``'s six requests with its users: "child list" and "questionnaire" (the staff
member's 100 children and draft), "htmx tick", "finish", "inbox" (the social worker) and
"audit viewer" (the admin). ``--dump DIR`` writes each GET scenario's first answer there (to
diff two trees' HTML); ``--profile DIR`` runs yappi (CPU clock) over the requests one at a
time instead of measuring, prints the top functions and saves pstats files.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import re
import subprocess
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
        path, _, query = path.partition("?")
        scope = http_scope(method, path, headers, body, self.state, query=query)
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


async def _login(client: Client, username: str, password: str) -> list[tuple[str, str]]:
    login = json.dumps({"username": username, "password": password}).encode()
    status, headers, body = await client.call(
        "POST", "/api/v1/session", [("content-type", "application/json")], login
    )
    if status != 200:
        raise SystemExit(f"login failed for {username}: {status} {body[:200]!r}")
    return [
        ("cookie", headers["set-cookie"].split(";", 1)[0]),
        ("x-csrf-token", json.loads(body)["csrf_token"]),
        ("sec-fetch-site", "same-origin"),
    ]


async def _prepare_scale(
    client: Client, users: dict[str, Any], password: str
) -> dict[str, Callable[[int], Call]]:
    """bench.scale's six requests (``prepare``) on the generated data: the staff member's
    child list and draft, the tick, a finish, the social worker's inbox, the admin's viewer."""
    staff = await _login(client, users["staff"], password)
    status, _, body = await client.call("GET", "/children", staff)
    if status != 200:
        raise SystemExit(f"child list: {status} {body[:300]!r}")
    children = [int(i) for i in re.findall(rb'href="/children/(\d+)"', body)]
    form = [*staff, ("content-type", "application/x-www-form-urlencoded")]
    status, headers, body = await client.call("POST", f"/children/{children[0]}/assessments", form)
    if status != 303:
        raise SystemExit(f"no draft was started: {status} {body[:300]!r}")
    draft = headers["location"]
    _, _, body = await client.call("GET", draft, staff)
    sign = re.search(rb'name="observed" value="([^"]+)"', body)
    if sign is None:
        raise SystemExit("no sign on the questionnaire")
    shown = re.search(rb'data-shown="([^"]+)"', body)
    level = shown.group(1).decode() if shown else "1:0"
    tick = f"indicator_id={sign.group(1).decode()}&shown={level}&observed="
    social_worker = await _login(client, users["social_worker"], password)
    admin = await _login(client, users["admin"], password)
    finish = json.dumps({"child_id": children[1], "observed": []}).encode()
    as_json = [*staff, ("accept-encoding", "gzip"), ("content-type", "application/json")]
    htmx = [*form, ("accept-encoding", "gzip"), ("hx-request", "true")]
    gzip = [("accept-encoding", "gzip")]
    return {
        "child list": lambda i: ("GET", "/children", [*staff, *gzip], b""),
        "questionnaire": lambda i: ("GET", draft, [*staff, *gzip], b""),
        "htmx tick": lambda i: (
            "POST",
            f"{draft}/observations",
            htmx,
            (tick + ("1" if i % 2 == 0 else "0")).encode(),
        ),
        "finish": lambda i: ("POST", "/api/v1/assessments", as_json, finish),
        "inbox": lambda i: ("GET", "/concerns", [*social_worker, *gzip], b""),
        "audit viewer": lambda i: (
            "GET",
            f"/admin/audit?actor={users['staff']}",
            [*admin, *gzip],
            b"",
        ),
    }


def _generated(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """bench.generate into ``url`` (emptied first), or its summary from an earlier run."""
    import hashlib

    key = hashlib.sha256(url.encode()).hexdigest()[:12]
    summary_file = Path(tempfile.gettempdir()) / f"trivsel-inproc-{key}.json"
    if args.reuse and summary_file.exists():
        return dict(json.loads(summary_file.read_text()))
    _empty(url)
    command = [sys.executable, "-m", "bench.generate", "--url", url, *args.generate]
    out = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
    summary_file.write_text(out.stdout)
    return dict(json.loads(out.stdout))


def _empty(url: str) -> None:
    """Drop everything in a PostgreSQL database whose name says it is a benchmark's; remove
    a SQLite file."""
    if url.startswith("sqlite"):
        file = Path(url.removeprefix("sqlite:///"))
        for leftover in file.parent.glob(file.name + "*"):
            leftover.unlink()
        return
    from bench.harness import empty_postgres

    empty_postgres(url)


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


async def _dump(client: Client, name: str, make: Callable[[int], Call], into: Path) -> None:
    """The answer to the scenario's first request, unzipped, into ``into/<name>.html``: to
    compare what two trees render (the CSRF token and the nonce differ by session)."""
    import gzip

    method, path, headers, body = make(0)
    headers = [(k, v) for k, v in headers if k != "accept-encoding"]
    if method != "GET":
        return
    _, response_headers, answer = await client.call(method, path, headers, body)
    if response_headers.get("content-encoding") == "gzip":
        answer = gzip.decompress(answer)
    into.mkdir(parents=True, exist_ok=True)
    (into / f"{name.replace(' ', '-')}.html").write_bytes(answer)


async def _profile(
    client: Client, name: str, make: Callable[[int], Call], args: argparse.Namespace
) -> None:
    """yappi's CPU profile of ``requests`` requests one after the other, after a warm-up:
    the top functions by own and by total time, and a pstats file in ``--profile``."""
    try:  # not a dependency of the project: installed by whoever profiles
        yappi: Any = importlib.import_module("yappi")
    except ImportError:
        raise SystemExit("--profile needs yappi (pip install yappi)") from None

    for i in range(20):
        await client.call(*make(i))
    yappi.set_clock_type("cpu")
    yappi.clear_stats()
    yappi.start(builtins=True)
    for i in range(args.requests):
        await client.call(*make(i))
    yappi.stop()
    stats = yappi.get_func_stats()
    args.profile.mkdir(parents=True, exist_ok=True)
    stats.save(str(args.profile / f"{name.replace(' ', '-')}.pstats"), type="pstat")
    total = sum(s.tsub for s in stats) or 1.0
    print(f"--- {name}: {1000 * total / args.requests:.2f} ms CPU a request under yappi")
    for key, label in (("tsub", "own"), ("ttot", "total")):
        stats.sort(key, "desc")
        print(f"  by {label} time (ms a request, calls a request):")
        for s in list(stats)[: args.top]:
            where = f"{Path(s.module).name}:{s.lineno} {s.name}"
            ms = 1000 * getattr(s, key) / args.requests
            print(f"    {ms:7.3f} {s.ncall / args.requests:8.1f}  {where}")


async def _run(args: argparse.Namespace) -> None:
    from bench.serve import PASSWORD, _settings, setup

    if args.scale:
        default = Path(tempfile.gettempdir()) / "trivsel-inproc-scale.db"
        url = args.database_url or f"sqlite:///{default}"
        summary = _generated(url, args)
    else:
        url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        _empty(url)
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
    if args.scale:
        from bench.generate import PASSWORD as SCALE_PASSWORD

        scenarios = await _prepare_scale(client, summary, SCALE_PASSWORD)
    else:
        scenarios = await _prepare(client, PASSWORD)
    for name in args.scenarios or list(scenarios):
        if args.dump is not None:
            await _dump(client, name, scenarios[name], args.dump)
        if args.profile is not None:
            await _profile(client, name, scenarios[name], args)
            continue
        rounds = await _measure(client, scenarios[name], args.requests, args.concurrency)
        each = " ".join(f"{r:.2f}" for r in rounds)
        print(f"{name:<13} {min(rounds):.2f} ms CPU a request (rounds: {each})")
    await lifespan.put({"type": "lifespan.shutdown"})
    await running


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenarios", nargs="*")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--scale",
        action="store_true",
        help="bench.generate's municipality (50 institutions, 5,000 children, 1M audit rows) "
        "instead of the demo data, and bench.scale's six requests as the scenarios",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="with --scale: keep what an earlier run generated"
    )
    parser.add_argument(
        "--generate",
        nargs=argparse.REMAINDER,
        default=[],
        help="with --scale, last: bench.generate's own options (e.g. --children 1500)",
    )
    parser.add_argument("--dump", type=Path, help="write each GET scenario's HTML here")
    parser.add_argument("--profile", type=Path, help="yappi profiles (pstats) instead of figures")
    parser.add_argument("--top", type=int, default=25, help="with --profile: functions shown")
    args = parser.parse_args()
    if args.tree is not None:
        sys.path.insert(0, str(args.tree.resolve()))
    asyncio.run(_run(args))


if __name__ == "__main__":
    main()
