"""No page of issue 14 reads a big table whole (PostgreSQL only).

A municipality's data at a small scale (bench.generate: a few thousand rows in each big
table, enough for the planner to prefer an index where one fits), analysed; then the six
pages and actions (the child list, the questionnaire, an HTMX tick, finishing, the social
worker's inbox, the audit viewer filtered by a person and unfiltered) run through the app
once, every statement they send is captured on the engine with its parameters, and
PostgreSQL's plan of each must hold no Seq Scan of assessment, concern, concern_event or
audit_event. The
planner's settings are PostgreSQL's defaults (nothing is switched off to force an index).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from bench import generate, plans
from tests.conftest import POSTGRES_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)"),
]

# The municipality's shape (50 institutions in 10 districts), a tenth of its volume or less.
SMALL = generate.Scale(
    institutions=50, children=1500, assessments=8000, concerns=2000, audit=40_000, seed=14
)


@pytest.fixture(scope="module")
def statements(
    postgres_migrated: str, empty_postgres: Callable[[], None]
) -> Iterator[list[plans.Statement]]:
    """What the six pages sent, on the generated data (emptied afterwards)."""
    made = generate.generate(postgres_migrated, SMALL, migrate=False)
    engine = sa.create_engine(postgres_migrated)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()
    summary = made.summary()
    users = plans.Users(
        summary["staff"], summary["social_worker"], summary["admin"], generate.PASSWORD
    )
    try:
        yield plans.run_scenario(postgres_migrated, users)
    finally:
        empty_postgres()


def test_the_scenario_reads_every_big_table(statements: list[plans.Statement]) -> None:
    """The check below means something: the pages do query the big tables."""
    sent = " ".join(s.sql for s in statements if plans.is_query(s))
    for table in ("FROM assessment", "FROM concern", "FROM audit_event"):
        assert table in sent
    assert {s.step for s in statements} >= {
        "child list",
        "questionnaire",
        "htmx tick",
        "finish",
        "inbox",
        "audit viewer",
    }


def test_no_sequential_scan_of_a_big_table(
    statements: list[plans.Statement], postgres_migrated: str
) -> None:
    engine = sa.create_engine(postgres_migrated)
    scans = []
    with engine.connect() as conn:
        for statement in filter(plans.is_query, statements):
            found = plans.seq_scans(plans.explain(conn, statement))
            if found:
                scans.append((statement.step, found, " ".join(statement.sql.split())[-300:]))
    engine.dispose()
    assert not scans, "\n".join(
        f"{step}: Seq Scan of {tables}: {sql}" for step, tables, sql in scans
    )
