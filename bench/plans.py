"""The SQL of the six pages and actions of issue 14, captured from the real code paths, and
PostgreSQL's plans of it.

    python -m bench.plans --url postgresql+psycopg://…/wt_scale_bench [--analyze] [--top 3]

Runs the scenario (:func:`scenario`: the child list, the questionnaire page, an HTMX tick,
finishing an assessment, the social worker's inbox, the audit viewer filtered by a person and
unfiltered) through the app in this process (FastAPI's TestClient) on a database made by
``bench.generate``, records every statement the engine sends (a ``before_cursor_execute``
hook, with its parameters), then shows each SELECT's plan: with ``--analyze`` ``EXPLAIN
(ANALYZE, BUFFERS)``, the statements ranked by their execution time, the ``--top`` busiest
printed in full. ``tests/test_query_plans.py`` uses the same capture to fail on a sequential
scan of the big tables.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

#: The tables that grow with the municipality's work: a query of the pages must never read
#: them whole.
BIG_TABLES = frozenset({"assessment", "concern", "concern_event", "audit_event"})
BROWSER = {"Sec-Fetch-Site": "same-origin"}


@dataclass(frozen=True)
class Statement:
    """One statement the engine sent, with the step of the scenario that sent it."""

    step: str
    sql: str
    parameters: Any


@dataclass(frozen=True)
class Users:
    """Who the scenario logs in as (``bench.generate``'s summary)."""

    staff: str
    social_worker: str
    admin: str
    password: str


@contextmanager
def capture(engine: sa.Engine, into: list[Statement], step: list[str]) -> Iterator[None]:
    """Record every statement ``engine`` runs inside the block, tagged with ``step[0]``."""

    def before(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_args: Any) -> None:
        into.append(Statement(step[0], sql, parameters))

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def login(client: TestClient, username: str, password: str) -> dict[str, str]:
    """A fresh session for ``username``; the headers a browser's request carries."""
    client.cookies.clear()
    response = client.post("/api/v1/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {**BROWSER, "X-CSRF-Token": response.json()["csrf_token"]}


def scenario(client: TestClient, users: Users, step: list[str]) -> None:
    """The six pages and actions of issue 14, once each, as a browser sends them; ``step[0]``
    names the one running (for :func:`capture`)."""
    step[0] = "login"
    auth = login(client, users.staff, users.password)
    step[0] = "child list"
    page = client.get("/children", headers=auth)
    assert page.status_code == 200, page.text
    child_ids = [int(i) for i in re.findall(r'href="/children/(\d+)"', page.text)]
    assert child_ids, "the staff member's institution has no children"
    step[0] = "start"
    started = client.post(
        f"/children/{child_ids[0]}/assessments", headers=auth, follow_redirects=False
    )
    assert started.status_code == 303, started.text
    draft = started.headers["location"]
    step[0] = "questionnaire"
    page = client.get(draft, headers=auth)
    assert page.status_code == 200, page.text
    sign = re.search(r'name="observed" value="([^"]+)"', page.text)
    assert sign, "the questionnaire lists no signs"
    step[0] = "htmx tick"
    tick = client.post(
        f"{draft}/observations",
        headers={**auth, "HX-Request": "true"},
        data={"indicator_id": sign.group(1), "observed": "1", "shown": "1:0"},
    )
    assert tick.status_code == 200, tick.text
    step[0] = "finish"
    finished = client.post(
        "/api/v1/assessments",
        headers=auth,
        json={"child_id": child_ids[1], "observed": []},
    )
    assert finished.status_code == 201, finished.text
    step[0] = "login"
    auth = login(client, users.social_worker, users.password)
    step[0] = "inbox"
    page = client.get("/concerns", headers=auth)
    assert page.status_code == 200, page.text
    step[0] = "login"
    auth = login(client, users.admin, users.password)
    step[0] = "audit viewer"
    page = client.get("/admin/audit", params={"actor": users.staff}, headers=auth)
    assert page.status_code == 200, page.text
    page = client.get("/admin/audit", headers=auth)  # the admin's first view: the whole log
    assert page.status_code == 200, page.text


def run_scenario(url: str, users: Users) -> list[Statement]:
    """The statements of :func:`scenario` against ``url`` (the app as ``trivsel serve`` builds
    it, in this process)."""
    import tempfile

    from app.main import create_app
    from bench.serve import _settings

    app = create_app(_settings(url, Path(tempfile.mkdtemp(prefix="trivsel-plans-"))))
    statements: list[Statement] = []
    step = ["start-up"]
    with TestClient(app, base_url="http://127.0.0.1") as client:
        scenario(client, users, step)  # warm: the catalogs parsed, the statement caches
        with capture(app.state.engine, statements, step):
            scenario(client, users, step)
    app.state.engine.dispose()
    return statements


def explain(conn: sa.Connection, statement: Statement, *, analyze: bool = False) -> dict[str, Any]:
    """PostgreSQL's plan of one captured statement, with its own parameters (JSON)."""
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({options}) {statement.sql}", statement.parameters)
        row = cursor.fetchone()
    assert row is not None
    plan = row[0]
    return dict((json.loads(plan) if isinstance(plan, str) else plan)[0])


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a plan (``explain``'s answer or one of its nodes)."""
    node = plan.get("Plan", plan)
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


def seq_scans(plan: dict[str, Any], tables: frozenset[str] = BIG_TABLES) -> list[str]:
    """The big tables the plan reads whole."""
    return sorted(
        {
            n["Relation Name"]
            for n in nodes(plan)
            if n.get("Node Type") == "Seq Scan" and n.get("Relation Name") in tables
        }
    )


def is_query(statement: Statement) -> bool:
    """A SELECT (or an UPDATE/DELETE with a WHERE): what a plan can show a scan in."""
    head = statement.sql.lstrip().split(None, 1)[0].upper()
    return head in {"SELECT", "WITH", "UPDATE", "DELETE"}


def text_plan(conn: sa.Connection, statement: Statement) -> str:
    """``EXPLAIN (ANALYZE, BUFFERS)`` as PostgreSQL prints it."""
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", statement.parameters)
        return "\n".join(str(r[0]) for r in cursor.fetchall())


def main() -> None:
    from bench.generate import PASSWORD

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--staff", default="skala01a")
    parser.add_argument("--social-worker", default="skalarg01a")
    parser.add_argument("--admin", default="skalaadmin")
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--analyze", action="store_true")
    parser.add_argument("--top", type=int, default=3)
    args = parser.parse_args()
    users = Users(args.staff, args.social_worker, args.admin, args.password)
    statements = [s for s in run_scenario(args.url, users) if is_query(s)]
    engine = sa.create_engine(args.url)
    ranked = []
    with engine.connect() as conn:
        for statement in statements:
            plan = explain(conn, statement, analyze=args.analyze)
            conn.rollback()  # an analysed UPDATE ran: undo it
            took = float(plan.get("Execution Time", plan["Plan"]["Total Cost"]))
            ranked.append((took, statement, seq_scans(plan)))
        ranked.sort(key=lambda r: r[0], reverse=True)
        unit = "ms" if args.analyze else "cost"
        for took, statement, scans in ranked:
            first = " ".join(statement.sql.split())[:110]
            flag = f"  SEQ SCAN {', '.join(scans)}" if scans else ""
            print(f"{took:9.2f} {unit}  {statement.step:13} {first}{flag}")
        if args.analyze:
            for _, statement, _ in ranked[: args.top]:
                print(f"\n-- {statement.step}\n{statement.sql}")
                print(f"-- parameters {statement.parameters}")
                print(text_plan(conn, statement))
                conn.rollback()
    engine.dispose()


if __name__ == "__main__":
    main()
