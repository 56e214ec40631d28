"""Realistic data at municipal scale, for the benchmarks and the query-plan test (issue 14).

    python -m bench.generate --url URL [--institutions 50] [--children 5000]
        [--assessments 50000] [--concerns 5000] [--audit 1000000] [--seed 14]
        [--other-staff 0] [--password PW] [--no-migrate]

Migrates ``URL`` (unless ``--no-migrate``) and adds, from a fixed seed (the same rows on every
run): districts of five institutions, institutions (three daycares to two schools), their
staff (three each; ``--other-staff N`` more, spread over them, who only sign in), a leader
each, two social workers a district and an admin; the children
(daycare 0–5 years, school 6–15; 2 % have left), in groups of 25 with the staff; assessments
(about one child in three has an open draft with some ticks; the rest are finished, levels
skewed to 1–2 as in the demo, 60/25/10/5 %, each with the result snapshot the real engine
computes for its ticks); concerns about finished assessments of level 3–4 (consultations and
notifications, every status, their timeline); and audit rows spread over two years, oldest
first, of the kinds and actors the app writes.

The rows are built from the models' tables (``Model.__table__``), so a column the models gain
or lose shows up here as an error rather than as drift. PostgreSQL: ``COPY`` per table, then
the id sequences are moved past the new ids; SQLite: ``executemany`` in one transaction.
Ids follow the table's current highest id, so the demo data may be there first.

Prints what it made as JSON (the usernames the benchmarks log in with, the counts, seconds).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session

from app import db
from app import models as m
from app.accounts.passwords import hash_password
from app.assessments import service as assessments
from app.catalogs import service as catalogs
from app.guide.schema import Catalog, age_in_years, catalog_for_age

PASSWORD = "scale-benchmark-password-2026"  # noqa: S105 - a throwaway benchmark database
LEVEL_WEIGHTS = (60, 25, 10, 5)
#: A concern is handled within weeks: those of the last 60 days are in every status, older
#: ones closed but a few answered and never closed.
RECENT_STATUSES = (
    ("received", 25),
    ("acknowledged", 25),
    ("assessed", 20),
    ("answered", 15),
    ("closed", 15),
)
OLDER_STATUSES = (("answered", 3), ("closed", 97))
ORDER = ("received", "acknowledged", "assessed", "answered", "closed")
STAMP = {
    "acknowledged": "acknowledged_at",
    "assessed": "assessed_at",
    "answered": "answered_at",
    "closed": "closed_at",
}
#: (action, weight, object type, with a child)
AUDIT_MIX = (
    ("child:view", 30, "child", True),
    ("child:list", 14, "institution", False),
    ("child:assessment:save", 26, "assessment", True),
    ("child:assessment:view", 8, "assessment", True),
    ("child:assessment:create", 4, "assessment", True),
    ("child:assessment:finish", 4, "assessment", True),
    ("auth:login", 8, "", False),
    ("auth:logout", 2, "", False),
    ("concern:list", 2, "district", False),
    ("child:concern:view", 2, "concern", True),
)
FIRST = ["Alma", "Bertram", "Cecilie", "Dagmar", "Elias", "Freja", "Gustav", "Hannah", "Ida"]
FIRST += ["Johan", "Karla", "Lauge", "Malthe", "Nanna", "Oskar", "Petra", "Rasmus", "Silje"]
FIRST += ["Tobias", "Uma", "Vigga", "William", "Ylva", "Aksel", "Bodil", "Carl", "Ditte"]
LAST = ["Demosen", "Prøvesen", "Opdigtsen", "Eksempelgaard", "Fiktivsen", "Testrup", "Øvelund"]
GROUP_SIZE = 25
REASON = "Skaladata: vi kender barnet, og bekymringen er større end tegnene viser."


@dataclass(frozen=True)
class Scale:
    """How much to make."""

    institutions: int = 50
    children: int = 5000
    assessments: int = 50_000
    concerns: int = 5000
    audit: int = 1_000_000
    seed: int = 14
    #: more active staff members spread over the institutions, beyond the three each that do
    #: the work (no groups, no assessments): a municipality's thousands of users (the default
    #: 0 keeps the figures of docs/performance.md comparable)
    other_staff: int = 0


@dataclass
class Made:
    """What the generator made: ids the benchmarks and tests pick from, and the counts."""

    district_ids: list[int] = field(default_factory=list)
    institution_ids: list[int] = field(default_factory=list)
    staff: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    leaders: dict[int, tuple[int, str]] = field(default_factory=dict)
    social_workers: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    admin: tuple[int, str] = (0, "")
    children: dict[int, list[int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The JSON the command prints."""
        first = self.institution_ids[0]
        return {
            "institutions": len(self.institution_ids),
            "staff": self.staff[first][0][1],
            "staff_users": [u for iid in self.institution_ids for _, u in self.staff[iid]],
            "leader": self.leaders[first][1],
            "social_worker": self.social_workers[self.district_ids[0]][0][1],
            "admin": self.admin[1],
            "counts": self.counts,
            "seconds": {k: round(v, 1) for k, v in self.seconds.items()},
        }


class Writer:
    """Bulk inserts into one database: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.next_ids: dict[str, int] = {}

    def ids(self, table: sa.Table, count: int) -> range:
        """``count`` fresh ids of ``table``, after its highest."""
        start = self.next_ids.get(table.name)
        if start is None:
            highest = self.conn.execute(sa.select(sa.func.max(table.c.id))).scalar()
            start = int(highest or 0) + 1
        self.next_ids[table.name] = start + count
        return range(start, start + count)

    def insert(self, table: sa.Table, rows: Sequence[dict[str, Any]]) -> int:
        """Insert ``rows`` (dicts of column values; missing columns get their defaults)."""
        if not rows:
            return 0
        full = [self._complete(table, row) for row in rows]
        if self.postgres:
            self._copy(table, full)
        else:
            for chunk in _chunks(full, 20_000):
                self.conn.execute(table.insert(), chunk)
        return len(full)

    @staticmethod
    def _complete(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
        unknown = set(row) - set(table.c.keys())
        if unknown:
            raise KeyError(f"{table.name} has no column {sorted(unknown)}")
        out = {}
        for column in table.c:
            if column.key in row:
                out[column.key] = row[column.key]
            elif column.default is not None and column.default.is_callable:
                out[column.key] = column.default.arg(None)  # type: ignore[attr-defined]
            elif column.default is not None and column.default.is_scalar:
                out[column.key] = column.default.arg  # type: ignore[attr-defined]
            elif column.nullable or column.primary_key:
                out[column.key] = None
            else:
                raise KeyError(f"{table.name}.{column.key} is required")
        return out

    def _copy(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        columns = [c for c in table.c if not (c.primary_key and rows[0][c.key] is None)]
        names = ", ".join(f'"{c.name}"' for c in columns)
        dialect = self.conn.dialect
        processors = [c.type._cached_bind_processor(dialect) for c in columns]
        driver = self.conn.connection.driver_connection
        assert driver is not None
        copy = f"COPY {table.name} ({names}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(copy) as cp:
            for row in rows:
                values = []
                for column, process in zip(columns, processors, strict=True):
                    value = row[column.key]
                    values.append(process(value) if process is not None else value)
                cp.write_row(values)

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids given out."""
        if not self.postgres:
            return
        for name in self.next_ids:
            self.conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"  # noqa: S608
                    f" (SELECT max(id) FROM {name}))"
                )
            )


def _table(model: type[Any]) -> sa.Table:
    """The model's table (SQLModel declares ``__table__`` without a type)."""
    return cast(sa.Table, model.__table__)


def _chunks(rows: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours moment of ``day`` in Copenhagen, as UTC."""
    local = dt.datetime.combine(day, dt.time(7), tzinfo=db.COPENHAGEN)
    return (local + dt.timedelta(seconds=rng.randint(0, 9 * 3600))).astimezone(dt.UTC)


class Signs:
    """Ticks for a level in a catalog, and the stored result of a set of ticks (the real
    engine's, cached per set: the generator draws from a few hundred sets per catalog)."""

    def __init__(self, catalogs_by_id: dict[str, Catalog], rng: random.Random) -> None:
        self.catalogs = catalogs_by_id
        self.rng = rng
        self.by_level: dict[tuple[str, int], list[str]] = {}
        for catalog in catalogs_by_id.values():
            for indicator in catalog.indicators():
                if indicator.critical or getattr(indicator, "acute", False):
                    continue
                self.by_level.setdefault((catalog.id, indicator.level), []).append(indicator.id)
        self.pools: dict[tuple[str, int], list[tuple[str, ...]]] = {}
        self.results: dict[tuple[str, tuple[str, ...], int], tuple[int, int, bool, Any]] = {}

    def ticks(self, catalog_id: str, level: int) -> tuple[str, ...]:
        """A set of ticks whose strongest sign is of ``level`` (none for most level-1 ones)."""
        pool = self.pools.get((catalog_id, level))
        if pool is None:
            pool = []
            for _ in range(40):
                chosen: set[str] = set()
                for lower in range(2, level + 1):
                    signs = self.by_level.get((catalog_id, lower), [])
                    want = 1 + self.rng.randint(0, 2) if lower == level else self.rng.randint(0, 2)
                    chosen.update(self.rng.sample(signs, min(want, len(signs))))
                calm = self.by_level.get((catalog_id, 1), [])
                chosen.update(self.rng.sample(calm, min(self.rng.randint(0, 2), len(calm))))
                pool.append(tuple(sorted(chosen)))
            self.pools[(catalog_id, level)] = pool
        return self.rng.choice(pool)

    def result(
        self, catalog_id: str, observed: tuple[str, ...], *, raise_by: int = 0
    ) -> tuple[int, int, bool, dict[str, Any]]:
        """(computed level, level, critical, the stored ``result`` JSON) of a finished
        assessment; ``raise_by`` 1: the professional chose one level above the computed one
        (with a reason), as the finish step allows."""
        key = (catalog_id, observed, raise_by)
        if key not in self.results:
            catalog = self.catalogs[catalog_id]
            evaluation = catalogs.evaluate_observed(catalog, observed)
            level = min(4, evaluation.level + raise_by)
            live = assessments._live_result(  # the finish step's own result
                catalog, evaluation, level=level, reason=REASON if level != evaluation.level else ""
            )
            stored = live.model_dump(mode="json", exclude=set(assessments._COLUMNS))
            self.results[key] = (evaluation.level, level, evaluation.critical, stored)
        return self.results[key]


def generate(url: str, scale: Scale, *, password: str = PASSWORD, migrate: bool = True) -> Made:
    """Make the data of ``scale`` in ``url`` (see the module's docstring)."""
    if migrate:
        db.upgrade(url)
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:  # the shipped catalogs, as the app's start does
            catalogs.import_shipped(session)
            session.commit()
            published = {c.id: c for c in catalogs.published_catalogs(session)}
        with engine.begin() as conn:
            made = _generate(Writer(conn), scale, published, password)
        started = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # The planner's statistics, as autovacuum (PostgreSQL) or ``PRAGMA optimize``
            # would have them in a database that grew to this size over the years: without
            # them the first minutes after a bulk load plan from empty tables.
            conn.execute(sa.text("ANALYZE"))
        made.seconds["analyze"] = time.perf_counter() - started
        return made
    finally:
        engine.dispose()


def _generate(w: Writer, scale: Scale, published: dict[str, Catalog], password: str) -> Made:
    rng = random.Random(scale.seed)
    made = Made()
    today = db.local_today()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        made.seconds[name] = now - clock
        clock = now

    _organisation(w, scale, made, password)
    lap("organisation")
    births = _children(w, scale, made, rng, today)
    lap("children")
    finished = _assessments(w, scale, made, rng, today, births, published)
    lap("assessments")
    _concerns(w, scale, made, rng, today, births, finished)
    lap("concerns")
    _audit(w, scale, made, rng, today)
    lap("audit")
    w.finish()
    return made


def _organisation(w: Writer, scale: Scale, made: Made, password: str) -> None:
    hashed = hash_password(password)
    t = _table(m.District), _table(m.Institution), _table(m.User)
    districts, institutions, users = t
    n_districts = max(1, (scale.institutions + 4) // 5)
    made.district_ids = list(w.ids(districts, n_districts))
    w.insert(districts, [{"id": i, "name": f"Skaladistrikt {i}"} for i in made.district_ids])
    made.institution_ids = list(w.ids(institutions, scale.institutions))
    rows = []
    for n, iid in enumerate(made.institution_ids):
        daycare = n % 5 < 3
        rows.append(
            {
                "id": iid,
                "name": f"{'Børnehuset' if daycare else 'Skolen'} Skala {n + 1:02d}",
                "kind": "daycare" if daycare else "school",
                "district_id": made.district_ids[n // 5 % n_districts],
                "address": f"Skalavej {n + 1}, 8000 Skalaby",
            }
        )
    w.insert(institutions, rows)
    user_rows: list[dict[str, Any]] = []

    def user(username: str, name: str, role: str, **unit: int | None) -> tuple[int, str]:
        (uid,) = w.ids(users, 1)
        user_rows.append(
            {
                "id": uid,
                "username": username,
                "display_name": name,
                "role": role,
                "password_hash": hashed,
                "institution_id": unit.get("institution_id"),
                "district_id": unit.get("district_id"),
            }
        )
        return uid, username

    for n, iid in enumerate(made.institution_ids):
        made.staff[iid] = [
            user(f"skala{n + 1:02d}{k}", f"Medarbejder {n + 1}{k}", "staff", institution_id=iid)
            for k in "abc"
        ]
        made.leaders[iid] = user(
            f"skala{n + 1:02d}leder", f"Leder {n + 1}", "leader", institution_id=iid
        )
    for k in range(scale.other_staff):
        n = k % len(made.institution_ids)
        user(
            f"skala{n + 1:02d}x{k + 1:05d}",
            f"Kollega {k + 1}",
            "staff",
            institution_id=made.institution_ids[n],
        )
    for n, did in enumerate(made.district_ids):
        made.social_workers[did] = [
            user(f"skalarg{n + 1:02d}{k}", f"Rådgiver {n + 1}{k}", "social_worker", district_id=did)
            for k in "ab"
        ]
    made.admin = user("skalaadmin", "Skala Administrator", "admin")
    w.insert(users, user_rows)
    made.counts["users"] = len(user_rows)


def _children(
    w: Writer, scale: Scale, made: Made, rng: random.Random, today: dt.date
) -> dict[int, tuple[int, dt.date]]:
    """The children (id → (institution id, birth date)), their groups and the groups' staff."""
    children, groups = _table(m.Child), _table(m.Group)
    ids = w.ids(children, scale.children)
    births: dict[int, tuple[int, dt.date]] = {}
    rows = []
    for n, cid in enumerate(ids):
        iid = made.institution_ids[n % len(made.institution_ids)]
        daycare = made.institution_ids.index(iid) % 5 < 3
        years = rng.uniform(0.3, 5.9) if daycare else rng.uniform(6.0, 15.9)
        born = today - dt.timedelta(days=int(years * 365.25))
        births[cid] = (iid, born)
        made.children.setdefault(iid, []).append(cid)
        rows.append(
            {
                "id": cid,
                "institution_id": iid,
                "first_name": rng.choice(FIRST),
                "last_name": rng.choice(LAST),
                "birth_date": born,
                "created_by": made.leaders[iid][0],
                "created_at": _at(today - dt.timedelta(days=rng.randint(30, 900)), rng),
                "left_on": today - dt.timedelta(days=rng.randint(1, 200))
                if rng.random() < 0.02
                else None,
            }
        )
    made.counts["child"] = w.insert(children, rows)
    group_rows, members, staff_rows = [], [], []
    for iid, kids in made.children.items():
        for start in range(0, len(kids), GROUP_SIZE):
            (gid,) = w.ids(groups, 1)
            group_rows.append(
                {"id": gid, "institution_id": iid, "name": f"Stue {start // GROUP_SIZE + 1}"}
            )
            members += [{"group_id": gid, "child_id": c} for c in kids[start : start + GROUP_SIZE]]
            staff_rows += [{"group_id": gid, "user_id": uid} for uid, _ in made.staff[iid]]
    w.insert(groups, group_rows)
    w.insert(_table(m.GroupChild), members)
    w.insert(_table(m.GroupStaff), staff_rows)
    return births


def _assessments(
    w: Writer,
    scale: Scale,
    made: Made,
    rng: random.Random,
    today: dt.date,
    births: dict[int, tuple[int, dt.date]],
    published: dict[str, Catalog],
) -> list[dict[str, Any]]:
    """Drafts and finished assessments; returns the finished ones of level 3 and 4."""
    table = _table(m.Assessment)
    signs = Signs(published, rng)
    child_ids = list(births)
    drafts = min(len(child_ids) // 3, scale.assessments // 10)
    with_draft = set(rng.sample(child_ids, drafts))
    finished_count = scale.assessments - drafts
    ids = iter(w.ids(table, scale.assessments))
    rows: list[dict[str, Any]] = []
    serious: list[dict[str, Any]] = []
    for n in range(finished_count):
        cid = child_ids[n % len(child_ids)]
        iid, born = births[cid]
        day = today - dt.timedelta(days=rng.randint(1, 730))
        day = max(day, born + dt.timedelta(days=60))
        catalog = catalog_for_age(published.values(), min(17, age_in_years(born, day)))
        wanted = rng.choices((1, 2, 3, 4), weights=LEVEL_WEIGHTS)[0]
        observed = signs.ticks(catalog.id, wanted)
        raise_by = 1 if rng.random() < 0.05 else 0
        computed, level, critical, result = signs.result(catalog.id, observed, raise_by=raise_by)
        reason = REASON if level != computed else ""
        at = _at(day, rng)
        author = rng.choice(made.staff[iid])[0]
        row = {
            "id": next(ids),
            "child_id": cid,
            "institution_id": iid,
            "kind": "single",
            "status": "finished",
            "catalog_id": catalog.id,
            "catalog_version": catalog.version,
            "observed": list(observed),
            "notes": "Skaladata: opdigtet vurdering." if rng.random() < 0.5 else "",
            "computed_level": computed,
            "level": level,
            "override_reason": reason,
            "critical": critical,
            "result": result,
            "follow_up_on": (
                assessments.follow_up_for(level, critical=critical) if level > 1 else None
            ),
            "created_by": author,
            "created_at": at - dt.timedelta(minutes=rng.randint(5, 90)),
            "updated_at": at,
            "finished_at": at,
        }
        rows.append(row)
        if level >= 3:
            serious.append(row)
    for cid in sorted(with_draft):
        iid, born = births[cid]
        catalog = catalog_for_age(published.values(), min(17, age_in_years(born, today)))
        at = _at(today - dt.timedelta(days=rng.randint(0, 20)), rng)
        rows.append(
            {
                "id": next(ids),
                "child_id": cid,
                "institution_id": iid,
                "status": "draft",
                "catalog_id": catalog.id,
                "catalog_version": catalog.version,
                "observed": list(signs.ticks(catalog.id, rng.choice((1, 1, 2, 2, 3)))),
                "created_by": rng.choice(made.staff[iid][:1] * 2 + made.staff[iid][1:])[0],
                "created_at": at,
                "updated_at": at + dt.timedelta(minutes=rng.randint(0, 30)),
            }
        )
    made.counts["assessment"] = w.insert(table, rows)
    made.counts["assessment drafts"] = drafts
    return serious


def _concerns(
    w: Writer,
    scale: Scale,
    made: Made,
    rng: random.Random,
    today: dt.date,
    births: dict[int, tuple[int, dt.date]],
    serious: list[dict[str, Any]],
) -> None:
    table, events = _table(m.Concern), _table(m.ConcernEvent)
    district_of = {
        iid: made.district_ids[n // 5 % len(made.district_ids)]
        for n, iid in enumerate(made.institution_ids)
    }
    chosen = sorted(rng.sample(serious, min(scale.concerns, len(serious))), key=lambda a: a["id"])
    now = dt.datetime.now(dt.UTC)
    ids = iter(w.ids(table, len(chosen)))
    rows, event_rows = [], []
    for assessment in chosen:
        cid, iid = assessment["child_id"], assessment["institution_id"]
        _, born = births[cid]
        did = district_of[iid]
        notification = assessment["critical"] or assessment["level"] == 4 or rng.random() < 0.4
        created = min(assessment["finished_at"] + dt.timedelta(hours=rng.randint(1, 72)), now)
        recent = created.date() > today - dt.timedelta(days=60)
        mix = RECENT_STATUSES if recent else OLDER_STATUSES
        status = rng.choices([s for s, _ in mix], weights=[w for _, w in mix])[0]
        worker = rng.choice(made.social_workers[did])
        row: dict[str, Any] = {
            "id": next(ids),
            "kind": "notification" if notification else "consultation",
            "status": status,
            "assessment_id": assessment["id"],
            "child_id": cid,
            "institution_id": iid,
            "district_id": did,
            "created_by": assessment["created_by"],
            "created_at": created,
            "level": assessment["level"],
            "critical": assessment["critical"],
            "age_years": age_in_years(born, created.date()),
            "observed": list(assessment["result"].get("observed_indicators", [])),
            "message": "Skaladata: opdigtet bekymring om et opdigtet barn.",
            "parents_informed": (
                None if notification and assessment["critical"] else rng.random() < 0.7
            ),
            "details": {"urgency": "urgent" if assessment["critical"] else "normal"}
            if notification
            else {},
            "child_name": f"Skalabarn {cid}" if notification else None,
            "child_birth_date": born if notification else None,
            "assigned_to": worker[0] if rng.random() < 0.6 else None,
        }
        at = created
        event_rows.append(
            {
                "concern_id": row["id"],
                "at": at,
                "actor_id": row["created_by"],
                "actor_role": "staff",
                "to_status": "received",
            }
        )
        for before, after in itertools.pairwise(ORDER[: ORDER.index(status) + 1]):
            at = min(at + dt.timedelta(hours=rng.randint(2, 120)), now)
            row[STAMP[after]] = at
            event_rows.append(
                {
                    "concern_id": row["id"],
                    "at": at,
                    "actor_id": worker[0],
                    "actor_role": "social_worker",
                    "from_status": before,
                    "to_status": after,
                }
            )
        if status in ("answered", "closed"):
            row["answer"] = "Skaladata: tak, vi tager kontakt til familien."
            row["outcome"] = rng.choice(("no_action", "family_dialogue", "investigation"))
        rows.append(row)
    made.counts["concern"] = w.insert(table, rows)
    for event, eid in zip(event_rows, w.ids(events, len(event_rows)), strict=True):
        event["id"] = eid
    made.counts["concern_event"] = w.insert(events, event_rows)


def _audit(w: Writer, scale: Scale, made: Made, rng: random.Random, today: dt.date) -> None:
    """Audit rows over the last two years, oldest first (ids follow time, as in the app)."""
    table = _table(m.AuditEvent)
    actions = [a for a, *_ in AUDIT_MIX]
    weights = [a[1] for a in AUDIT_MIX]
    kinds = {a[0]: (a[2], a[3]) for a in AUDIT_MIX}
    start = dt.datetime.combine(today - dt.timedelta(days=730), dt.time(6), tzinfo=dt.UTC)
    span = 730 * 86400
    moments = sorted(rng.random() * span for _ in range(scale.audit))
    ids = w.ids(table, scale.audit)
    institutions = made.institution_ids
    total = 0
    for begin in range(0, scale.audit, 100_000):
        batch: list[dict[str, Any]] = []
        for k in range(begin, min(begin + 100_000, scale.audit)):
            action = rng.choices(actions, weights=weights)[0]
            object_type, with_child = kinds[action]
            iid = institutions[rng.randrange(len(institutions))]
            if action in ("concern:list", "child:concern:view") and rng.random() < 0.7:
                did = made.district_ids[rng.randrange(len(made.district_ids))]
                uid, username = rng.choice(made.social_workers[did])
                role, object_id = "social_worker", str(did)
            else:
                staff = made.staff[iid]
                uid, username = staff[rng.randrange(len(staff))]
                role, object_id = "staff", str(iid)
            child = None
            if with_child:
                kids = made.children[iid]
                child = kids[rng.randrange(len(kids))]
                object_id = str(child)
            batch.append(
                {
                    "id": ids[k],
                    "at": start + dt.timedelta(seconds=moments[k]),
                    "actor_id": uid,
                    "actor_username": username,
                    "actor_role": role,
                    "action": action,
                    "object_type": object_type,
                    "object_id": object_id if object_type else "",
                    "child_id": child,
                    "client_ip": f"10.{iid % 250}.0.{uid % 250}",
                    "request_id": f"skala-{k:x}",
                    "detail": "vurdering" if action == "child:view" else "",
                }
            )
        total += w.insert(table, batch)
    made.counts["audit_event"] = total


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="the database (SQLAlchemy URL)")
    defaults = Scale()
    for name in ("institutions", "children", "assessments", "concerns", "audit", "seed"):
        parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
    parser.add_argument("--other-staff", type=int, default=defaults.other_staff)
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args(list(argv) if argv is not None else None)
    scale = Scale(
        args.institutions,
        args.children,
        args.assessments,
        args.concerns,
        args.audit,
        args.seed,
        args.other_staff,
    )
    started = time.perf_counter()
    made = generate(args.url, scale, password=args.password, migrate=not args.no_migrate)
    summary = made.summary()
    summary["seconds"]["total"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
