"""Engine, sessions and column types: the only module that knows SQLite from PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, RowMapping
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


COPENHAGEN = ZoneInfo("Europe/Copenhagen")


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Stored) -> int:
    """The primary key of a row that has been stored (added and flushed). A row without one
    here is a programming error, not bad input."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: it has not been flushed")
    return row.id


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def local_today() -> dt.date:
    """Today's date in Denmark (ages and follow-up dates are Danish calendar dates)."""
    return utcnow().astimezone(COPENHAGEN).date()


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware UTC times")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


_Row = TypeVar("_Row", bound=SQLModel)

#: model → (its columns, each labelled with its attribute's name; those names; the primary
#: key's)
_COLUMNS: dict[type[Any], tuple[tuple[sa.ColumnElement[Any], ...], tuple[str, ...], str]] = {}
_BY_ID: dict[type[Any], sa.Select[Any]] = {}


def row_columns(model: type[SQLModel]) -> tuple[sa.ColumnElement[Any], ...]:
    """The columns of ``model``'s table, each labelled with its attribute's name, for a Core
    SELECT whose rows :func:`clean_row` turns into instances (built once per model)."""
    found = _COLUMNS.get(model)
    if found is None:
        mapper = sa.inspect(model)
        keys = tuple(prop.key for prop in mapper.column_attrs)
        columns = tuple(prop.columns[0].label(prop.key) for prop in mapper.column_attrs)
        found = _COLUMNS[model] = (columns, keys, str(mapper.primary_key[0].key))
    return found[0]


def clean_row(session: Session, model: type[_Row], values: RowMapping, prefix: str = "") -> _Row:
    """The persistent, unchanged instance of ``model`` for a row read with Core (its columns
    from :func:`row_columns`, their labels after ``prefix``), as if the ORM had loaded it:
    in ``session``'s identity map, so a change to it is flushed, and ``session.get`` finds
    it. If ``session`` already holds that row, its instance is returned as the ORM would.

    A Core SELECT and this cost about half of what the ORM's loading of the same row does
    (docs/performance.md, issue 16): the request path's lookups (the session and its user,
    a child by id) use it; everything else loads through the ORM."""
    row_columns(model)
    _, keys, pk = _COLUMNS[model]
    mapper = sa.inspect(model)
    key = mapper.identity_key_from_primary_key((values[prefix + pk],))
    held = session.identity_map.get(key)
    if held is not None:
        return held  # type: ignore[no-any-return]
    instance = mapper.class_manager.new_instance()
    instance.__dict__.update({key: values[prefix + key] for key in keys})
    make_transient_to_detached(instance)
    session.add(instance)
    return instance  # type: ignore[no-any-return]


def keep(session: Session, instance: object) -> None:
    """Hold ``instance`` for as long as ``session`` lives: the identity map holds unchanged
    instances only weakly, so a row read ahead for a later ``get_row`` (the child of an
    assessment a page reads next) would otherwise be gone by then."""
    session.info.setdefault("kept_rows", []).append(instance)


def get_row(session: Session, model: type[_Row], ident: int) -> _Row | None:
    """``session.get(model, ident)`` at about half the cost: the identity map first, else one
    Core SELECT by primary key (a statement built once per model) and :func:`clean_row`."""
    mapper = sa.inspect(model)
    held = session.identity_map.get(mapper.identity_key_from_primary_key((ident,)))
    if held is not None:
        return held  # type: ignore[no-any-return]
    query = _BY_ID.get(model)
    if query is None:
        table = mapper.local_table
        query = _BY_ID[model] = sa.select(*row_columns(model)).where(
            table.c[_COLUMNS[model][2]] == sa.bindparam("ident")
        )
    found = session.connection().execute(query, {"ident": ident}).mappings().first()
    return None if found is None else clean_row(session, model, found)


class lower_text(sa.sql.functions.GenericFunction[str]):
    """``lower()`` of a text that lower-cases every letter on both databases: SQLite's own
    ``lower()`` (and its ``LIKE``) knows only ASCII, so "Øjvind" stayed "Øjvind" and a search
    for "øjv" missed it. On SQLite it is Python's ``str.lower`` (registered on every
    connection by :func:`make_engine`); PostgreSQL's ``lower()`` follows the database's
    Unicode ``LC_CTYPE``."""

    type = sa.String()
    inherit_cache = True
    name = "lower_text"


@compiles(lower_text, "sqlite")
def _lower_text_sqlite(element: lower_text, compiler: Any, **kw: Any) -> str:
    return f"trivsel_lower({compiler.process(element.clauses, **kw)})"


@compiles(lower_text)
def _lower_text(element: lower_text, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


def _python_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def contains_text(column: sa.ColumnExpressionArgument[str], words: str) -> sa.ColumnElement[bool]:
    """``column`` holds ``words`` (a search's word) anywhere, ignoring case (every letter,
    æ, ø and å too) and taking ``%``, ``_`` and a backslash literally."""
    escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return lower_text(column).like(f"%{escaped}%", escape="\\")


#: The words of a search that count; the rest are ignored.
SEARCH_WORDS = 5


def words_match(search: str, *columns: sa.ColumnExpressionArgument[str]) -> list[Any]:
    """The conditions of a search: each of its first :data:`SEARCH_WORDS` words is in one of
    ``columns`` (:func:`contains_text`); none for an empty search."""
    return [
        sa.or_(*(contains_text(column, word) for column in columns))
        for word in search.split()[:SEARCH_WORDS]
    ]


def is_sqlite_url(url: str) -> bool:
    """True for SQLite URLs."""
    return url.startswith("sqlite")


#: SQLite connections kept open per engine: opening one costs about 0.8 ms (the file, the WAL
#: index, the pragmas: docs/performance.md), a pooled one nothing. Above this many concurrent
#: requests, more are opened and closed again.
SQLITE_POOL_SIZE = 20
SQLITE_BUSY_SECONDS = 15
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL, ``synchronous=NORMAL`` (safe in
    WAL mode: a power cut may lose the last commits, never corrupt the file), a busy timeout,
    a pool of open connections and one writer at a time (:func:`_one_writer_at_a_time`)."""
    if is_sqlite_url(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_SIZE,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Once per connection, not per request (the pool keeps connections open).
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            dbapi_connection.create_function("trivsel_lower", 1, _python_lower, deterministic=True)

        _one_writer_at_a_time(engine)
        return engine
    engine = sa.create_engine(
        url, pool_size=10, max_overflow=10, pool_recycle=POSTGRES_RECYCLE_SECONDS
    )
    ping_when_idle(engine, POSTGRES_IDLE_PING_SECONDS)
    return engine


def read_only_engine(engine: Engine) -> Engine:
    """``engine`` for requests that only read: on PostgreSQL in autocommit (no BEGIN, no
    COMMIT: each a round trip); SQLite's driver begins a transaction only before a write
    anyway, so there it is the engine itself."""
    if engine.dialect.name == "sqlite":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


#: PostgreSQL: a pooled connection is replaced after this long (a server or a proxy in
#: between may drop old ones) ...
POSTGRES_RECYCLE_SECONDS = 1800
#: ... and one that sat in the pool this long is pinged before use (``ping_when_idle``).
POSTGRES_IDLE_PING_SECONDS = 10.0


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only if it sat unused for ``idle_seconds``.

    ``pool_pre_ping`` costs a round trip on every checkout, that is on every request. Under
    load a connection comes back into use within milliseconds, and it was working when it was
    returned; one that sat idle (a quiet night, a database restarted meanwhile) is pinged, and
    a dead one is replaced before the request sees it (the pool retries the checkout). A
    connection that dies while in use fails that one request (a 500, rolled back); SQLAlchemy
    then invalidates it and every connection opened before it (docs/operations.md)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.pop("returned_at", None)
        if returned is None or time.monotonic() - returned < idle_seconds:
            return  # new, or back in use at once: it worked a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise sa.exc.DisconnectionError(f"idle connection is dead: {error}") from error


_writer_locks: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def writer_lock(engine: Engine) -> threading.Lock | None:
    """The lock SQLite writers of ``engine`` take turns on (None for PostgreSQL)."""
    return _writer_locks.get(engine)


def _one_writer_at_a_time(engine: Engine) -> None:
    """Writers of this process take turns on a lock instead of SQLite's busy handler.

    SQLite allows one writer; a second one that finds the file locked sleeps 1, 2, 5, 10, 25,
    50, 100 ms between tries, so under load a write waited far longer than the write it waited
    for. Here a connection takes the engine's lock before its transaction's first write and
    gives it back when the transaction ends (commit, rollback, or the connection is closed):
    the next writer starts the moment the previous one is done. SQLite serves one process
    (``trivsel serve`` refuses workers on it); another process (the CLI) still meets the busy
    timeout, and a writer that cannot get the lock within it goes on without it."""
    lock = _writer_locks[engine] = threading.Lock()
    holders: set[int] = set()  # id() of the DBAPI connections that hold the lock
    guard = threading.Lock()

    def release(connection: Any) -> None:
        # do_commit/do_rollback get the pool's proxy, the pool events the DBAPI connection
        key = id(getattr(connection, "dbapi_connection", None) or connection)
        with guard:
            held = key in holders
            holders.discard(key)
        if held:
            lock.release()

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(
        conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if not statement.lstrip()[:7].upper().startswith(_WRITES):
            return
        dbapi_connection = conn.connection.dbapi_connection
        with guard:
            if id(dbapi_connection) in holders:
                return
        if lock.acquire(timeout=SQLITE_BUSY_SECONDS):
            with guard:
                holders.add(id(dbapi_connection))

    dialect = engine.dialect
    do_commit, do_rollback = dialect.do_commit, dialect.do_rollback

    def commit(dbapi_connection: Any) -> None:
        try:
            do_commit(dbapi_connection)
        finally:
            release(dbapi_connection)

    def rollback(dbapi_connection: Any) -> None:
        try:
            do_rollback(dbapi_connection)
        finally:
            release(dbapi_connection)

    dialect.do_commit = commit  # type: ignore[method-assign]
    dialect.do_rollback = rollback  # type: ignore[method-assign]

    @event.listens_for(engine, "close")
    def _closed(dbapi_connection: Any, _record: Any) -> None:
        release(dbapi_connection)

    @event.listens_for(engine, "invalidate")
    def _invalidated(dbapi_connection: Any, _record: Any, _exception: Any) -> None:
        release(dbapi_connection)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error (CLI, jobs, tests)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Any:
    """An Alembic config pointing at ``migrations/`` and ``url`` (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def migration_state(engine: Engine) -> tuple[str | None, str | None]:
    """(current revision of the database, head revision of the code)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    head = script.get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head


def is_migrated(engine: Engine) -> bool:
    """True when the database is at the code's head revision."""
    current, head = migration_state(engine)
    return current is not None and current == head


# --- Deleting a record with what refers to it ------------------------------------------------


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table of a model."""
    return cast(sa.Table, model.__table__)  # type: ignore[attr-defined]


def deleted_count(session: Session, statement: sa.Delete) -> int:
    """Execute a DELETE and return how many rows it deleted."""
    return cast(sa.CursorResult[Any], session.execute(statement)).rowcount


def referenced_ids(
    session: Session, table: sa.Table, ids: Collection[Any], *, by: Collection[str]
) -> set[Any]:
    """Those of ``ids`` (primary keys of ``table``) that a row of one of the tables named in
    ``by`` refers to by a foreign key (found in the metadata)."""
    found: set[Any] = set()
    if not ids:
        return found
    for other in SQLModel.metadata.sorted_tables:
        if other.name not in by:
            continue
        for fk in other.foreign_keys:
            if fk.column.table is table:
                found.update(
                    session.execute(
                        sa.select(fk.parent).where(fk.parent.in_(list(ids))).distinct()
                    ).scalars()
                )
    return found


def delete_with_dependents(
    session: Session,
    table: sa.Table,
    ids: sa.Select[Any],
    counts: Counter[str],
    path: tuple[str, ...] = (),
) -> None:
    """Delete the rows of ``table`` whose id is in ``ids``, and first every row of any table
    that refers to them by a foreign key (found in the metadata, so a table added later is
    covered without changing this code; every model must be imported, as ``app.models`` and
    the app do). A foreign key back to a table already on the path (a cycle) is set to NULL
    instead. ``counts`` gains the rows deleted per table; the session remembers which of the
    objects it holds lost their row, for :func:`forget_deleted`."""
    path = path or (table.name,)
    key = next(iter(table.primary_key.columns))
    id_list = [row[0] for row in session.execute(ids)]
    if not id_list:
        return
    for other in SQLModel.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is not table:
                continue
            column = fk.parent
            if other.name in path and column.nullable:
                session.execute(
                    sa.update(other).where(column.in_(id_list)).values({column.name: None})
                )
                continue
            other_key = next(iter(other.primary_key.columns))
            delete_with_dependents(
                session,
                other,
                sa.select(other_key).where(column.in_(id_list)),
                counts,
                (*path, other.name),
            )
    counts[table.name] += deleted_count(session, sa.delete(table).where(key.in_(id_list)))
    gone = set(id_list)
    held = {
        identity
        for identity in session.identity_map.keys()  # noqa: SIM118 - an IdentityMap, not a dict
        if getattr(identity[0], "__table__", None) is table and identity[1][0] in gone
    }
    if held:
        session.info.setdefault(_DELETED_HELD, set()).update(held)


#: ``session.info`` key: identity keys of the session's objects whose row
#: :func:`delete_with_dependents` deleted (only those the session held: bounded by its
#: identity map, never the deleted ids themselves)
_DELETED_HELD = "trivsel.deleted_held"


def forget_deleted(session: Session, counts: Counter[str]) -> None:
    """Expunge the session's objects of the tables in ``counts`` whose row a Core DELETE of
    :func:`delete_with_dependents` removed, so that none of them stands in for a row that is
    gone (the session's other objects stay as they are). No query: the delete noted them."""
    held: set[Any] = session.info.get(_DELETED_HELD, set())
    for identity in [i for i in held if cast(sa.Table, i[0].__table__).name in counts]:
        held.discard(identity)
        obj = session.identity_map.get(identity)
        if obj is not None:
            session.expunge(obj)
