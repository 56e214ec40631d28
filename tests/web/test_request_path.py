"""The cheap request path keeps every guarantee (issue 16): sessions live in the database and
are checked on every request, the idle timeout holds to the minute, a catalog published
elsewhere is served at once, every read of a child is audited, and a route that touches no
table opens no database session. Behaviour, not timing: docs/performance.md has the figures."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import select

from app import db
from app.accounts import service as accounts
from app.accounts.models import User, UserSession
from app.accounts.service import sessions
from app.audit.models import AuditEvent
from app.audit.tags import AuditTag
from app.catalogs import service as catalogs
from app.catalogs.models import CatalogVersion, VersionStatus
from app.catalogs.service import content_hash
from app.cli import uvicorn_options
from app.main import create_app
from app.web.deps import session_cookie_name
from tests.conftest import BACKENDS, login
from tests.factories import make_child, make_finished_assessment, signs


class Clock:
    """The sessions' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(sessions, "utcnow", fake)
    return fake


def _session_writes(engine: sa.Engine) -> list[str]:
    """The UPDATEs of ``user_session`` the app sends from now on."""
    writes: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE USER_SESSION"):
            writes.append(statement)

    return writes


class TestSessions:
    def test_a_session_revoked_by_another_process_is_refused_on_the_next_request(
        self, app, client, org, settings
    ):
        login(client, "staff")
        assert client.get("/api/v1/session").status_code == 200
        other = db.make_engine(settings.resolved_database_url)  # another worker's engine
        try:
            with db.session_scope(other) as s:
                row = s.exec(select(UserSession)).one()
                row.revoked_at = db.utcnow()
        finally:
            other.dispose()

        response = client.get("/api/v1/session")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "session_expired"

    def test_a_forged_cookie_is_refused_after_the_real_one_was_verified(self, app, client, org):
        login(client, "staff")
        assert client.get("/api/v1/session").status_code == 200  # its signature now known
        name = session_cookie_name(app.state.settings)
        real = client.cookies[name]
        token, _, signature = real.rpartition(".")
        forged = f"{token}.{signature[::-1]}"
        client.cookies.clear()
        client.cookies.set(name, forged)
        response = client.get("/api/v1/session")
        assert response.status_code == 401
        assert forged not in app.state.verified_cookies  # only valid signatures are kept
        client.cookies.clear()
        client.cookies.set(name, real)
        assert client.get("/api/v1/session").status_code == 200

    def test_an_idle_session_lives_until_a_minute_before_its_timeout(self, client, org, clock):
        login(client, "staff")
        clock.advance(seconds=59)  # activity that does not move last_seen (under a minute)
        assert client.get("/api/v1/session").status_code == 200
        clock.advance(minutes=30, seconds=-60)  # 30 min idle timeout, less the minute
        assert client.get("/api/v1/session").status_code == 200

    def test_an_idle_session_ends_no_later_than_its_timeout(self, app, client, org, clock):
        login(client, "staff")
        clock.advance(seconds=59)
        assert client.get("/api/v1/session").status_code == 200
        clock.advance(minutes=30)  # 30 minutes after that activity

        assert client.get("/api/v1/session").status_code == 401
        with db.session_scope(app.state.engine) as s:
            expired = s.exec(
                select(AuditEvent).where(AuditEvent.action == AuditTag.SESSION_EXPIRED.value)
            ).all()
        assert [event.detail for event in expired] == ["inaktiv"]

    def test_activity_keeps_a_session_alive_past_its_timeout(self, client, org, clock):
        login(client, "staff")
        for _ in range(45):  # 45 minutes, a request every minute
            clock.advance(minutes=1)
            assert client.get("/api/v1/session").status_code == 200

    def test_last_seen_is_written_at_most_once_a_minute(self, app, client, org, clock):
        login(client, "staff")
        writes = _session_writes(app.state.engine)
        for _ in range(10):
            clock.advance(seconds=5)
            assert client.get("/api/v1/session").status_code == 200
        assert writes == []  # 50 seconds of requests: nothing written

        clock.advance(seconds=15)  # a minute since the login
        assert client.get("/api/v1/session").status_code == 200
        assert client.get("/api/v1/session").status_code == 200
        assert len(writes) == 1


class TestPublishedCatalogs:
    def test_a_version_published_by_another_process_is_served_on_the_next_request(
        self, client, org, settings
    ):
        staff = login(client, "staff")
        before = client.get("/api/v1/catalogs/3-5").json()
        assert (
            client.post(
                "/api/v1/evaluate",
                json={"catalog_id": "3-5", "observed": []},
                headers=staff.headers,
            ).status_code
            == 200
        )  # the published version is now in this process's cache

        other = db.make_engine(settings.resolved_database_url)
        try:
            with db.session_scope(other) as s:
                current = s.exec(
                    select(CatalogVersion).where(
                        CatalogVersion.catalog_id == "3-5",
                        CatalogVersion.status == VersionStatus.PUBLISHED,
                    )
                ).one()
                version = current.version
                assert version is not None
                text = current.content.replace(
                    f"title: {current.title}", "title: Børn 3–5 år (ny udgave)", 1
                ).replace(f"version: {version}", f"version: {version + 1}", 1)
                assert "ny udgave" in text
                current.status = VersionStatus.RETIRED
                s.add(current)
                s.flush()
                s.add(
                    CatalogVersion(
                        catalog_id="3-5",
                        version=version + 1,
                        status=VersionStatus.PUBLISHED,
                        title="Børn 3–5 år (ny udgave)",
                        min_age_years=current.min_age_years,
                        max_age_years=current.max_age_years,
                        content=text,
                        content_sha256=content_hash(text),
                        source="editor",
                    )
                )
        finally:
            other.dispose()

        after = client.get("/api/v1/catalogs/3-5").json()
        assert after["version"] == before["version"] + 1
        assert after["title"] == "Børn 3–5 år (ny udgave)"


class TestAudit:
    def test_every_read_of_a_child_writes_its_audit_row(self, app, client, org, as_user):
        # (``client`` has started the app: the shipped catalogs are imported)
        with db.session_scope(app.state.engine) as s:
            author = s.get(User, org.users["staff"])
            assert author is not None
            child = make_child(s, org.daycare_id, org.users["staff"])
            make_finished_assessment(s, author, child, observed=signs(level=2))
            child_id = child.id
        staff = as_user("staff")
        for _ in range(3):
            assert staff.client.get(f"/api/v1/children/{child_id}").status_code == 200
        assert staff.client.get(f"/children/{child_id}").status_code == 200

        with db.session_scope(app.state.engine) as s:
            views = s.exec(
                select(AuditEvent).where(
                    AuditEvent.action == AuditTag.CHILD_VIEW.value,
                    AuditEvent.child_id == child_id,
                )
            ).all()
        assert len(views) >= 4
        assert all(event.actor_id == org.users["staff"] for event in views)


class TestNoSessionWhereNoTable:
    @pytest.mark.parametrize("path", ["/healthz", "/sw.js", "/static/app.css"])
    def test_opens_no_database_session(self, app, client, path, monkeypatch):
        opened: list[object] = []
        factory = app.state.session_factory

        def counted():
            opened.append(1)
            return factory()

        monkeypatch.setattr(app.state, "session_factory", counted)
        checkouts: list[object] = []
        sa.event.listen(app.state.engine, "checkout", lambda *args: checkouts.append(1))

        assert client.get(path).status_code == 200
        assert opened == []
        assert checkouts == []

    def test_readyz_checks_the_database_itself(self, client):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["database"] == "ok"


class TestOneTripToAThread:
    def test_the_session_is_looked_up_in_the_views_own_thread(self, client, org, monkeypatch):
        staff = login(client, "staff")
        threads: dict[str, set[int]] = {"lookup": set(), "view": set()}
        lookup, evaluate = sessions.resolve_session, catalogs.evaluate_published

        def looked_up(*args, **kwargs):
            threads["lookup"].add(threading.get_ident())
            return lookup(*args, **kwargs)

        def evaluated(*args, **kwargs):
            threads["view"].add(threading.get_ident())
            return evaluate(*args, **kwargs)

        monkeypatch.setattr(accounts, "resolve_session", looked_up)
        monkeypatch.setattr(catalogs, "evaluate_published", evaluated)
        response = client.post(
            "/api/v1/evaluate",
            json={"catalog_id": "3-5", "observed": signs(level=2)},
            headers=staff.headers,
        )
        assert response.status_code == 200
        assert len(threads["view"]) == 1
        assert threads["lookup"] == threads["view"]

    def test_the_views_thread_refuses_what_the_event_loop_refused(
        self, app, client, org, monkeypatch
    ):
        staff = login(client, "staff")
        body = {"catalog_id": "3-5", "observed": signs(level=2)}
        wrong = client.post("/api/v1/evaluate", json=body, headers={"X-CSRF-Token": "x" * 43})
        assert wrong.status_code == 403
        assert wrong.json()["error"]["code"] == "csrf_failed"
        assert client.get("/api/v1/children").status_code == 200  # staff may
        assert client.get("/api/v1/admin/catalogs/3-5/versions").status_code == 403  # admins
        with db.session_scope(app.state.engine) as s:
            for row in s.exec(select(UserSession)).all():
                row.revoked_at = db.utcnow()
        ended = client.post("/api/v1/evaluate", json=body, headers=staff.headers)
        assert ended.status_code == 401
        assert ended.json()["error"]["code"] == "session_expired"


class TestReadOnly:
    def test_an_evaluation_writes_nothing_and_opens_no_transaction_on_postgresql(
        self, app, client, org
    ):
        staff = login(client, "staff")
        client.post(  # the first evaluation may parse the catalog; the next one is measured
            "/api/v1/evaluate", json={"catalog_id": "3-5", "observed": []}, headers=staff.headers
        )
        seen: list[tuple[str, bool]] = []

        def executed(conn, _cursor, statement: str, *_args: object) -> None:
            autocommit = getattr(conn.connection.dbapi_connection, "autocommit", None)
            seen.append((statement.lstrip().split(None, 1)[0].upper(), bool(autocommit)))

        sa.event.listen(app.state.engine, "before_cursor_execute", executed)
        response = client.post(
            "/api/v1/evaluate",
            json={"catalog_id": "3-5", "observed": signs(level=2)},
            headers=staff.headers,
        )
        sa.event.remove(app.state.engine, "before_cursor_execute", executed)
        assert response.status_code == 200
        assert response.json()["level"] == 2
        assert seen
        assert {verb for verb, _ in seen} == {"SELECT"}
        if app.state.engine.dialect.name == "postgresql":
            assert all(autocommit for _, autocommit in seen)


class TestOneDecode:
    def test_a_json_body_is_decoded_once(self, client, org, monkeypatch):
        staff = login(client, "staff")
        calls: list[str | bytes] = []
        original = json.loads

        def counting(text, *args, **kwargs):
            if "catalog_id" in (text.decode() if isinstance(text, bytes) else text):
                calls.append(text)
            return original(text, *args, **kwargs)

        monkeypatch.setattr(json, "loads", counting)
        response = client.post(
            "/api/v1/evaluate",
            json={"catalog_id": "3-5", "observed": signs(level=2)},
            headers=staff.headers,
        )
        monkeypatch.undo()
        assert response.status_code == 200
        assert len(calls) == 1  # the guard's decode, handed to FastAPI


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
class TestSQLite:
    def test_connections_run_in_wal_mode_with_a_busy_timeout(self, app):
        with app.state.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

    def test_a_writer_holds_the_turn_until_its_transaction_ends(self, app, org):
        engine = app.state.engine
        lock = db.writer_lock(engine)
        assert lock is not None
        insert = sa.text("INSERT INTO district (name, created_at) VALUES (:name, :at)")
        with engine.connect() as conn:
            conn.execute(insert, {"name": "Øst", "at": db.utcnow()})
            assert lock.locked()
            conn.rollback()
            assert not lock.locked()
            conn.execute(insert, {"name": "Vest", "at": db.utcnow()})
            assert lock.locked()
            conn.commit()
            assert not lock.locked()
        with engine.connect() as conn:
            conn.execute(insert, {"name": "Midt", "at": db.utcnow()})
        assert not lock.locked()  # returned to the pool: rolled back, the turn given back


class TestAccessLog:
    def test_one_structured_line_per_request_without_the_query_string(self, client, caplog):
        with caplog.at_level(logging.INFO, logger="trivsel.access"):
            assert client.get("/healthz?q=Alma").status_code == 200
        lines = [r.getMessage() for r in caplog.records if r.name == "trivsel.access"]
        assert len(lines) == 1
        assert lines[0].startswith("method=GET route=/healthz status=200 ms=")
        assert "Alma" not in lines[0]
        assert "request_id=" in lines[0]

    def test_serve_writes_it_instead_of_uvicorns_access_log(self, settings):
        options = uvicorn_options(settings)
        assert options["access_log"] is False
        assert "trivsel.access" in options["log_config"]["loggers"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs TEST_DATABASE_URL")
class TestPostgresPool:
    def _pid(self, engine: sa.Engine) -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())

    def test_a_connection_back_in_use_at_once_is_not_pinged(self, app, monkeypatch):
        engine = app.state.engine
        pings: list[object] = []

        def ping(conn: object) -> bool:
            pings.append(conn)
            return True

        monkeypatch.setattr(engine.dialect, "do_ping", ping)
        first = self._pid(engine)
        assert self._pid(engine) == first  # the same pooled connection, used again
        assert pings == []

    def test_a_dead_idle_connection_is_replaced_before_a_request_sees_it(
        self, settings, monkeypatch, client, org
    ):
        monkeypatch.setattr(db, "POSTGRES_IDLE_PING_SECONDS", 0.0)
        app = create_app(settings)
        try:
            with TestClient(app, base_url="http://127.0.0.1") as browser:
                staff = login(browser, "staff")
                engine = app.state.engine
                dead = self._pid(engine)
                other = sa.create_engine(settings.resolved_database_url)
                # The pooled connection dies, as when the database restarts (only this one: the
                # worker's other connections, the tests' own among them, are not the app's).
                with other.connect() as conn:
                    conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
                other.dispose()

                response = browser.post(
                    "/api/v1/evaluate",
                    json={"catalog_id": "3-5", "observed": signs(level=2)},
                    headers=staff.headers,
                )
                assert response.status_code == 200
                assert self._pid(engine) != dead
        finally:
            app.state.engine.dispose()
