"""Round pages benchmark: the leader's round overview, the round's progress page and the start
page, with the demo data and with 5,000 children, and the SQL queries each page makes.

    python -m bench.rounds [--children 5000] [--requests 40] [--database-url URL] [--markdown]

In-process (FastAPI's TestClient, no network), on a fresh SQLite file by default, or on the
given PostgreSQL database, which is EMPTIED first (its name must contain "bench"). Seeds the
demo (``app.demo.seed``), measures, then adds ``--children`` children to the demo daycare in
groups of 25, all in the open demo round, about half of them assessed in it and all of them in
the previous round, and measures again. For each page: p50/p95 in milliseconds over
``--requests`` requests after two warm-up requests, and the number of SQL statements one
request runs (counted on the engine: a page whose count grows with the children is an N+1).
A benchmark, not a test: it prints figures and never fails on a target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import col, select

from app import db
from app.accounts.models import Institution, User
from app.assessments.models import Assessment
from app.children.models import Child
from app.db import COPENHAGEN
from app.demo import seed
from app.main import create_app
from app.rounds.models import Group, GroupChild, GroupStaff, Round, RoundGroup
from app.settings import Settings
from bench import harness

PASSWORD = "bench-demo-password-2026"  # noqa: S105 - a throwaway benchmark database
GROUP_SIZE = 25


@contextmanager
def counting(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block."""
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def _reset(url: str) -> None:
    if not db.is_sqlite_url(url):
        harness.empty_postgres(url)


def _finished(child: Child, author: int, level: int, at: dt.datetime) -> Assessment:
    return Assessment(
        child_id=db.id_of(child),
        institution_id=child.institution_id,
        kind="single",
        status="finished",
        catalog_id="3-5",
        catalog_version=1,
        level=level,
        computed_level=level,
        created_by=author,
        created_at=at,
        updated_at=at,
        finished_at=at,
    )


def add_children(engine: sa.Engine, count: int) -> None:
    """``count`` children in the demo daycare's open round (groups of 25, the demo staff
    member in each), half assessed in it, all assessed in the previous round."""
    rng = random.Random(5000)
    with db.session_scope(engine) as s:
        daycare = s.exec(
            select(Institution).where(col(Institution.name).startswith("Børnehuset"))
        ).one()
        staff = s.exec(select(User).where(User.username == "paedagog")).one()
        rounds = list(
            s.exec(
                select(Round)
                .where(Round.institution_id == daycare.id)
                .order_by(col(Round.starts_on))
            )
        )
        previous, current = rounds[-2], rounds[-1]
        for start in range(0, count, GROUP_SIZE):
            group = Group(
                institution_id=db.id_of(daycare), name=f"Benchgruppe {start // GROUP_SIZE + 1}"
            )
            s.add(group)
            s.flush()
            s.add(GroupStaff(group_id=db.id_of(group), user_id=db.id_of(staff)))
            s.add_all(
                RoundGroup(round_id=db.id_of(r), group_id=db.id_of(group))
                for r in (previous, current)
            )
            children = [
                Child(
                    institution_id=db.id_of(daycare),
                    first_name=f"Bench{start + i}",
                    last_name="Prøvesen",
                    birth_date=dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 700)),
                    created_by=db.id_of(staff),
                )
                for i in range(min(GROUP_SIZE, count - start))
            ]
            s.add_all(children)
            s.flush()
            s.add_all(GroupChild(group_id=db.id_of(group), child_id=db.id_of(c)) for c in children)
            for index, child in enumerate(children):
                before = dt.datetime.combine(previous.starts_on, dt.time(10), tzinfo=COPENHAGEN)
                s.add(_finished(child, db.id_of(staff), rng.choice((1, 1, 2, 3, 4)), before))
                if index % 2 == 0:
                    now = dt.datetime.combine(current.starts_on, dt.time(11), tzinfo=COPENHAGEN)
                    s.add(_finished(child, db.id_of(staff), rng.choice((1, 1, 2, 3)), now))
            s.flush()


def measure(client: TestClient, engine: sa.Engine, path: str, requests: int) -> dict[str, Any]:
    """p50/p95 (ms) over ``requests`` GETs after two warm-ups, and the queries of one."""
    for _ in range(2):
        assert client.get(path).status_code == 200, path
    with counting(engine) as statements:
        client.get(path)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    times.sort()
    return {
        "path": path,
        "p50": statistics.median(times),
        "p95": times[max(0, round(len(times) * 0.95) - 1)],
        "queries": len(statements),
    }


def run(url: str, *, children: int, requests: int) -> list[dict[str, Any]]:
    """The figures of each page, with the demo and then with ``children`` more."""
    _reset(url)
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.session_scope(engine) as s:
        seed(s, password=PASSWORD)
        leader_round = s.exec(select(Round).order_by(col(Round.starts_on).desc())).first()
        assert leader_round is not None
        round_id = db.id_of(leader_round)
    engine.dispose()
    settings = Settings(
        _env_file=None,
        database_url=url,
        secret_key="bench-secret-key-that-is-long-enough-0123456789",  # noqa: S106 - throwaway
        demo=True,
    )
    app = create_app(settings)
    results = []
    with TestClient(app, base_url="http://127.0.0.1") as client:
        engine = app.state.engine
        for label, extra in (("demo", 0), (f"demo + {children}", children)):
            if extra:
                add_children(engine, extra)
            for username, path in (
                ("leder", f"/rounds/{round_id}/overview"),
                ("leder", f"/rounds/{round_id}"),
                ("leder", "/"),
                ("paedagog", "/"),
            ):
                client.cookies.clear()
                login = client.post(
                    "/api/v1/session", json={"username": username, "password": PASSWORD}
                )
                assert login.status_code == 200, login.text
                results.append(
                    {"data": label, "user": username, **measure(client, engine, path, requests)}
                )
    app.state.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        rows = run(url, children=args.children, requests=args.requests)
    backend = "SQLite" if db.is_sqlite_url(url) else "PostgreSQL"
    if args.markdown:
        print(f"| data ({backend}) | user | page | p50 ms | p95 ms | queries |")
        print("|---|---|---|---:|---:|---:|")
    for row in rows:
        if args.markdown:
            print(
                f"| {row['data']} | {row['user']} | `{row['path']}` | {row['p50']:.1f} |"
                f" {row['p95']:.1f} | {row['queries']} |"
            )
        else:
            print(
                f"{backend:10} {row['data']:12} {row['user']:9} {row['path']:24}"
                f" p50 {row['p50']:7.1f} ms  p95 {row['p95']:7.1f} ms  {row['queries']:3} queries"
            )


if __name__ == "__main__":
    main()
