"""Shared fixtures: a fresh migrated database per test (SQLite, and PostgreSQL when
``TEST_DATABASE_URL`` is set), an app built from explicit settings, and logged-in clients."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlmodel import Session

from app import db
from app.accounts import passwords
from app.main import create_app
from app.settings import Settings
from tests.factories import TEST_PASSWORD, Org, make_org

# Hypothesis's default 200 ms deadline per example is a timing assertion: on a busy 2-core
# machine (CI under xdist) a correct example can exceed it. The properties are what is tested.
hypothesis_settings.register_profile("trivsel", deadline=None)
hypothesis_settings.load_profile("trivsel")

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@pytest.fixture(autouse=True, scope="session")
def _cheap_argon2() -> Iterator[None]:
    """Argon2id with its cheapest parameters while testing: the production profile costs about
    0.1 s a verification, and the suite logs in some thousand times on each database. Hashes
    stay Argon2id and the code paths are the same; the browser tests' server (a subprocess)
    and the benchmark keep the production profile."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    patch = pytest.MonkeyPatch()
    patch.setattr(passwords, "_hasher", cheap)
    patch.setattr(passwords, "_DUMMY_HASH", cheap.hash("trivselsguiden-dummy-password"))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run, copied for every test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.upgrade(f"sqlite:///{path}")
    return path


def worker_database_url(base_url: str, worker: str) -> str:
    """The PostgreSQL database of one pytest-xdist worker: ``test`` for a plain run, ``test_gw0``,
    ``test_gw1``, … beside it under xdist, created when missing, so that workers never empty
    each other's tables."""
    if worker in ("", "master"):
        return base_url
    url = sa.make_url(base_url)
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_migrated(worker_id: str) -> str:
    """This worker's PostgreSQL test database, emptied and migrated once per run."""
    url = worker_database_url(POSTGRES_URL, worker_id)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    db.upgrade(url)
    return url


@pytest.fixture(scope="session")
def empty_postgres(postgres_migrated: str) -> Iterator[Callable[[], None]]:
    """Empties this worker's PostgreSQL tables after a test: every table emptied and every
    sequence back at 1, as after the migration, through one engine per worker (a new engine a
    test cost a connection set-up each time).

    ``DELETE`` with the foreign-key triggers off (``session_replication_role = replica``, for
    that transaction only) costs about 1 ms on tables this small; ``TRUNCATE … CASCADE`` took
    about 140 ms a test, most of the PostgreSQL pass. The sequences are reset so that ids
    are the same in every test, as ``RESTART IDENTITY`` did."""
    engine = sa.create_engine(postgres_migrated, pool_pre_ping=True)
    with engine.connect() as conn:
        tables = (
            conn.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
    # The names come from pg_tables, not from input.
    deletes = [sa.text(f'DELETE FROM "{name}"') for name in tables]  # noqa: S608
    reset_sequences = sa.text(
        "SELECT setval(c.oid, 1, false) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'S' AND n.nspname = 'public'"
    )

    def empty() -> None:
        with engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for delete in deletes:
                conn.execute(delete)
            conn.execute(reset_sequences)

    yield empty
    engine.dispose()


# Tests run on PostgreSQL when their subject is SQL the two databases may answer differently:
# the services, the API's queries, locking, sequences, migrations. The HTML view tests, and the
# web-layer and content tests below, exercise templates, headers, forms, parsing and rendering on
# top of the services whose database work the service and API tests already run on both: on
# PostgreSQL they would repeat the same SQL and cost about a quarter of the CI run (which must
# stay under 25 minutes). They run on SQLite; a test in them that is about the database itself
# goes in a service or API test file.
SQLITE_ONLY_FILES = frozenset({"test_views.py", "test_admin_views.py", "test_pages.py"})
SQLITE_ONLY_PATHS = frozenset(
    {
        "web/test_security.py",  # headers, body limits, error shapes
        "web/test_input_guard.py",  # request parsing limits
        "web/test_accessibility_statement.py",
        "web/test_templating.py",
        "web/test_logs.py",  # the log lines' content
        "web/test_metrics.py",
        "test_routes.py",
        "catalogs/test_editor.py",  # the YAML editor's validation and preview
        "contacts/test_offers.py",  # offers.yaml validation and rendering
        "contacts/test_offers_editor.py",
        "offline/test_compression.py",
        "concerns/test_document.py",  # PDF rendering; its reads are the concerns' scope
    }
)
TESTS = Path(__file__).parent


def sqlite_only(path: Path) -> bool:
    """Whether the tests in ``path`` run on SQLite only (see ``SQLITE_ONLY_PATHS``)."""
    if path.name in SQLITE_ONLY_FILES:
        return True
    try:
        return path.relative_to(TESTS).as_posix() in SQLITE_ONLY_PATHS
    except ValueError:  # pragma: no cover - a test outside tests/
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the PostgreSQL variant of the tests that run on SQLite only."""
    keep: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        on_postgres = "[postgresql" in item.nodeid
        (left_out if on_postgres and sqlite_only(item.path) else keep).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = keep


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for one test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
    else:
        url: str = request.getfixturevalue("postgres_migrated")
        empty: Callable[[], None] = request.getfixturevalue("empty_postgres")
        try:
            yield url
        finally:
            empty()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Explicit settings: no environment is read or changed."""
    return Settings(
        _env_file=None,
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        login_max_failures_per_user=5,
        login_max_failures_per_client=20,
        # The collector keeps CPython's defaults under test (tests/test_runtime.py tunes it
        # on purpose): an unclosed resource warns in the test that leaked it.
        gc_tuning=False,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    """The app under test."""
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def session(app: FastAPI) -> Iterator[Session]:
    """A database session on the app's database; commits on success."""
    with db.session_scope(app.state.engine) as s:
        yield s


@pytest.fixture
def org(app: FastAPI) -> Org:
    """Two districts, four institutions and one user of each role (committed)."""
    with db.session_scope(app.state.engine) as s:
        return make_org(s)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous browser."""
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


class LoggedIn:
    """A test client logged in through the JSON API, with its CSRF token."""

    def __init__(self, client: TestClient, csrf_token: str) -> None:
        self.client = client
        self.csrf_token = csrf_token

    @property
    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf_token}


def login(client: TestClient, username: str, password: str = TEST_PASSWORD) -> LoggedIn:
    """Log ``client`` in via ``POST /api/v1/session``."""
    response = client.post("/api/v1/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return LoggedIn(client, response.json()["csrf_token"])


@pytest.fixture
def as_user(app: FastAPI, org: Org) -> Iterator[Callable[[str], LoggedIn]]:
    """A factory: ``as_user("staff")`` gives a fresh client logged in as that org user."""
    clients: list[TestClient] = []

    def _as(username: str) -> LoggedIn:
        test_client = TestClient(app, base_url="http://127.0.0.1")
        test_client.__enter__()
        clients.append(test_client)
        return login(test_client, username)

    yield _as
    for test_client in clients:
        test_client.__exit__(None, None, None)
