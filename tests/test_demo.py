"""The demo data (``trivsel serve --demo``): the same invented children, groups, rounds and
levels on every run, made once, and a round overview that tells the story."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from sqlmodel import Session, col, select

from app import db
from app.accounts.models import User
from app.assessments.models import Assessment
from app.children.models import Child
from app.demo import seed
from app.rounds import service
from app.rounds.models import Group, Round

TODAY = dt.date(2026, 12, 3)


def _snapshot(session: Session) -> dict[str, object]:
    names = {c.id: (c.first_name, c.last_name, c.birth_date) for c in session.exec(select(Child))}
    return {
        "children": sorted(names.values()),
        "groups": sorted(g.name for g in session.exec(select(Group))),
        "rounds": [
            (r.title, r.starts_on, r.ends_on)
            for r in session.exec(select(Round).order_by(col(Round.starts_on)))
        ],
        "assessments": sorted(
            (names[a.child_id], a.level, a.finished_at) for a in session.exec(select(Assessment))
        ),
    }


def _seeded(sqlite_template: Path, path: Path, runs: int = 1) -> dict[str, object]:
    shutil.copy(sqlite_template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    for _ in range(runs):
        with db.session_scope(engine) as session:
            seed(session, password="demo-kodeord-123", today=TODAY)
    with db.session_scope(engine) as session:
        snapshot = _snapshot(session)
    engine.dispose()
    return snapshot


class TestDemoData:
    def test_the_same_data_on_every_run_and_made_once(self, sqlite_template, tmp_path):
        first = _seeded(sqlite_template, tmp_path / "a.db")
        second = _seeded(sqlite_template, tmp_path / "b.db", runs=2)
        assert first == second
        assert first["groups"] == ["2.A", "Månestuen", "Solstuen"]
        # 34 in the groups, the child of the demo joint assessment, the 4 of the follow-ups.
        assert len(first["children"]) == 39  # type: ignore[arg-type]

    def test_every_level_and_an_open_round_half_done(self, sqlite_template, tmp_path):
        path = tmp_path / "demo.db"
        snapshot = _seeded(sqlite_template, path)
        levels = {level for _, level, _ in snapshot["assessments"] if level is not None}  # type: ignore[attr-defined]
        assert levels == {1, 2, 3, 4}
        engine = db.make_engine(f"sqlite:///{path}")
        with db.session_scope(engine) as session:
            leader = session.exec(select(User).where(User.username == "leder")).one()
            rounds = service.list_rounds(session, leader)
            assert rounds[0].round.title == "Trivselsrunde vinter"
            progress = service.progress(session, leader, round_id=rounds[0].id)
            assert [(g.name, g.children, g.assessed) for g in progress.groups] == [
                ("Månestuen", 12, 6),
                ("Solstuen", 12, 6),
            ]
        engine.dispose()
