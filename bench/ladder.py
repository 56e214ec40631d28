"""What each layer of a request costs: from the floor's bare route, step by step, to the app.

    python -m bench.ladder [--requests 2000] [--concurrency 8]
    python -m bench.ladder --served [--seconds 5] [--connections 20]

Issue 16 measures the app's requests as a share of a bare FastAPI route's throughput. This
says where a share can go at all: every rung is a FastAPI app, and each adds one thing the
project's requests need:

0. the floor: ``GET`` of a plain ``def`` route that returns a dict (``bench/serve.py floor``);
1. a ``POST`` with a pydantic body and response model (the evaluation's shape);
2. the project's dependency shape: a router dependency (CSRF) and a user dependency over a
   shared session dependency, all async, plus the database-session dependency;
3. the gzip middleware (``starlette.middleware.gzip``, on a body over its minimum size);
4. one indexed SELECT through SQLAlchemy Core per request on SQLite, in the view's thread
   (what the session lookup is at the least);
5. and an ORM ``Session`` per request that INSERTs one row and commits (what the audit row
   of a read of a child costs at the least, WAL, ``synchronous=NORMAL``).

Two more show the least a Python request can cost when it bypasses SQLAlchemy for the
``sqlite3`` driver (rung 3's app, the same table, index and pragmas; a connection per thread):

6. instead of rung 4's Core SELECT, the same indexed SELECT on the driver's cursor;
7. that, one INSERT into the same table as rung 5's and the driver's ``commit()``.

By default every rung is driven in this process through its ASGI callable, as ``bench.inproc``
drives the project (no uvicorn, no sockets: add about 0.2 ms for them, the same for every
rung): CPU time per request, the best of three rounds after a warm-up round. The project's
own requests, measured the same way, are ``python -m bench.inproc`` (run it in the same
minutes).

``--served`` measures them as ``bench.load`` measures the floor: each rung's app under uvicorn
with the floor's options, one worker (``python -m bench.serve rung --step N``), loaded on
loopback by wrk (the Python generator without it) at ``--connections`` for ``--seconds``
after a warm-up; requests/s, p50/p95/p99, the server's CPU per request (/proc) and the share
of the floor (``bench.serve floor``, measured before and after the rungs: shares of the mean
of the two). Every answer that is not 2xx/3xx is counted in the "failed" column. A benchmark,
not a test: it prints figures and never fails.
"""

# No ``from __future__ import annotations``: FastAPI reads the local models and dependencies
# of the rungs from their annotations, which must not be strings.

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

from bench.inproc import Call, Client

BODY = json.dumps({"catalog_id": "3-5", "observed": ["3-5.a.one", "3-5.b.two", "3-5.c.three"]})


def rung(step: int, database: Path, *, served: bool = False) -> tuple[Any, Call]:
    """The app of ``step`` and its request. ``served``: with a plain ``def`` ``GET /healthz``
    as well, which the harness waits for before it loads a server (no other request calls it:
    the in-process figures are the same with or without it)."""
    import sqlite3
    import threading

    import sqlalchemy as sa
    from fastapi import APIRouter, Depends, FastAPI, Request
    from pydantic import BaseModel
    from sqlalchemy.orm import Session
    from starlette.middleware.gzip import GZipMiddleware

    class Evaluate(BaseModel):
        catalog_id: str
        observed: list[str]

    class Evaluation(BaseModel):
        level: int
        reasons: list[str]
        guidance: str

    # As many pooled connections as the app keeps (db.SQLITE_POOL_SIZE): at 20 connections
    # a smaller pool would open and close connections (0.8 ms each) the app never opens.
    engine = sa.create_engine(f"sqlite:///{database}", pool_size=20)
    meta = sa.MetaData()
    tokens = sa.Table(
        "token",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hash", sa.String(64), unique=True),
        sa.Column("user_id", sa.Integer),
    )
    events = sa.Table(
        "event",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("action", sa.String(40)),
        sa.Column("detail", sa.String(200)),
    )
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        meta.create_all(conn)
        conn.execute(sa.delete(tokens))
        conn.execute(
            sa.insert(tokens), [{"hash": f"{i:064x}", "user_id": i} for i in range(1, 2001)]
        )

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    by_hash = sa.select(tokens.c.user_id).where(tokens.c.hash == sa.bindparam("h"))
    # rungs 6 and 7: the driver's own connection, one per thread (the view's worker thread),
    # opened on its first use with the pragmas the engine's connections get
    local = threading.local()
    # Writers (rungs 5 and 7) take turns on a lock, as the app's do
    # (db._one_writer_at_a_time): without it they meet SQLite's busy handler, whose sleeps
    # made their p99 0.5 s under uvicorn
    write_turn = threading.Lock()

    def driver() -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(database)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            local.conn = conn
        return conn

    guidance = "Fortsæt den almene indsats. " * 20  # a body gzip compresses (over 500 bytes)

    async def session_of(request: Request) -> str:
        return request.headers.get("x-token", "")

    async def csrf(request: Request, token: Annotated[str, Depends(session_of)]) -> None:
        return None

    async def user(token: Annotated[str, Depends(session_of)]) -> str:
        return token

    async def db(request: Request) -> int:
        return 1

    app = FastAPI()
    method, path, headers, body = call_of(step)
    if served:

        @app.get("/healthz")
        def healthz() -> dict[str, str]:
            return {"status": "ok"}

    if step == 0:

        @app.get("/x")
        def floor() -> dict[str, str]:
            return {"status": "ok"}

        return app, (method, path, headers, body)
    router = APIRouter(dependencies=[Depends(csrf)] if step >= 2 else [])

    def evaluate(body: Evaluate, token: str = "") -> Evaluation:
        if step in (4, 5):
            with engine.connect() as conn:
                conn.execute(by_hash, {"h": token}).first()
        if step == 5:
            with write_turn, Session(engine) as session:
                session.execute(sa.insert(events), {"action": "child:view", "detail": "rung"})
                session.commit()
        if step >= 6:
            raw = driver()
            raw.execute("SELECT user_id FROM token WHERE hash = ?", (token,)).fetchone()
            if step == 7:
                with write_turn:
                    raw.execute(
                        "INSERT INTO event (action, detail) VALUES (?, ?)", ("child:view", "rung")
                    )
                    raw.commit()
        return Evaluation(level=2, reasons=body.observed, guidance=guidance)

    if step == 1:

        @router.post("/x", response_model=Evaluation)
        def plain(body: Evaluate) -> Evaluation:
            return evaluate(body)
    else:

        @router.post("/x", response_model=Evaluation)
        def with_deps(
            body: Evaluate,
            token: Annotated[str, Depends(user)],
            _db: Annotated[int, Depends(db)],
        ) -> Evaluation:
            return evaluate(body, token)

    app.include_router(router)
    if step >= 3:
        app.add_middleware(GZipMiddleware, minimum_size=500)
    return app, (method, path, headers, body)


def call_of(step: int) -> Call:
    """The request of rung ``step`` (the token of user 7, which rungs 4 to 7 look up)."""
    if step == 0:
        return ("GET", "/x", [], b"")
    headers = [("content-type", "application/json"), ("x-token", f"{7:064x}")]
    if step >= 3:
        headers.append(("accept-encoding", "gzip"))
    return ("POST", "/x", headers, BODY.encode())


RUNGS = [
    "floor: GET, a plain def route",
    "+ POST, pydantic body and response",
    "+ dependencies (CSRF, user, session, db)",
    "+ gzip",
    "+ one Core SELECT (SQLite)",
    "+ an ORM session, INSERT and COMMIT",
    "+ one SELECT on the driver (sqlite3 cursor), instead of 4's Core SELECT",
    "+ INSERT and COMMIT on the driver",
]


async def _rounds(client: Client, call: Call, requests: int, workers: int) -> float:
    async def worker(first: int) -> None:
        for _ in range(first, requests, workers):
            status, _, body = await client.call(*call)
            if status not in (200, 201):
                raise SystemExit(f"{status}: {body[:300]!r}")

    best = float("inf")
    for n in range(4):  # a warm-up round, then three
        started = time.process_time()
        await asyncio.gather(*(worker(k) for k in range(workers)))
        if n:
            best = min(best, 1000 * (time.process_time() - started) / requests)
    return best


async def _run(args: argparse.Namespace) -> list[tuple[str, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for step, name in enumerate(RUNGS):
            app, call = rung(step, Path(work) / "ladder.db")
            client = Client(app, {})
            rows.append((name, await _rounds(client, call, args.requests, args.concurrency)))
    return rows


def _load(server: Any, req: Any, args: argparse.Namespace) -> Any:
    """A warm-up, then the measured run (bench.load's)."""
    from bench import harness

    n = args.connections
    harness.load(server.base, req, connections=n, seconds=min(2.0, args.seconds))
    return harness.measured(server.pid, server.base, req, connections=n, seconds=args.seconds)


def _served(args: argparse.Namespace) -> None:
    """Each rung under uvicorn, loaded as bench.load loads the floor; the floor before and
    after them."""
    from bench import harness

    began = time.strftime("%H:%M:%S UTC", time.gmtime())
    load_before = os.getloadavg()
    rows: list[tuple[str, Any]] = []  # (name, a harness.Result, or why it has none)
    floors = []
    healthz = harness.Request("GET", "/healthz")
    with (
        tempfile.TemporaryDirectory(prefix="trivsel-ladder-") as tmp,
        harness.server("floor", ["floor"], log=Path(tmp) / "floor.log") as floor,
    ):
        work = Path(tmp)
        floors.append(_load(floor, healthz, args))
        for step, name in enumerate(RUNGS):
            method, path, headers, body = call_of(step)
            req = harness.Request(method, path, dict(headers), (body.decode(),) if body else ())
            label = f"{step}. {name}"
            command = ["rung", "--step", str(step), "--data-dir", str(work)]
            try:
                with harness.server(label, command, log=work / f"rung-{step}.log") as srv:
                    status, _, answer = harness.http_json(
                        srv.base,
                        method,
                        path,
                        body=json.loads(body) if body else None,
                        headers=dict(headers),
                    )
                    if status != 200:
                        label += f" (first answer {status}: {answer[:80]!r})"
                    rows.append((label, _load(srv, req, args)))
            except (RuntimeError, OSError) as error:  # it did not start: a row that says so
                rows.append((label, f"did not start: {str(error)[-200:]!r}"))
        floors.append(_load(floor, healthz, args))
    floor_rps = sum(f.rps for f in floors) / len(floors)
    floor_cpu = sum(f.cpu_ms_per_request for f in floors) / len(floors)
    average = ", ".join(f"{x:.2f}" for x in load_before)
    after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{floors[0].generator}, {args.connections} connections, {args.seconds:g} s a rung "
        f"after a warm-up; floor (bench.serve floor): "
        f"{' / '.join(f'{f.rps:,.0f}' for f in floors)} req/s (before / after), "
        f"{floor_cpu:.2f} ms CPU a request; began {began}, load average {average} "
        f"(before) and {after} (after)"
    )
    print()
    print("| rung | req/s | share of the floor | p50 | p95 | p99 | CPU ms/req | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    named = [("floor (bench.serve floor), before", floors[0]), *rows]
    named.append(("floor (bench.serve floor), after", floors[1]))
    for name, result in named:
        if isinstance(result, str):
            print(f"| {name} | – | – | – | – | – | – | {result} |")
            continue
        share = 100 * result.rps / floor_rps if floor_rps else 0.0
        print(
            f"| {name} | {result.rps:,.0f} | {share:.0f} % | {result.p50_ms:.2f} ms "
            f"| {result.p95_ms:.2f} ms | {result.p99_ms:.2f} ms "
            f"| {result.cpu_ms_per_request:.2f} | {result.failed:,} of {result.requests:,} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="in process")
    parser.add_argument("--concurrency", type=int, default=8, help="in process")
    parser.add_argument("--served", action="store_true", help="under uvicorn, loaded by wrk")
    parser.add_argument("--seconds", type=float, default=5, help="--served: a rung's run")
    parser.add_argument("--connections", type=int, default=20, help="--served: wrk's")
    args = parser.parse_args()
    if args.served:
        _served(args)
        return
    rows = asyncio.run(_run(args))
    floor = rows[0][1]
    print("| rung | CPU ms a request (in process) | × the floor |")
    print("|---|---:|---:|")
    for name, ms in rows:
        print(f"| {name} | {ms:.3f} | {ms / floor:.1f} |")


if __name__ == "__main__":
    main()
