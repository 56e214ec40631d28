"""The demo data (``trivsel serve --demo``): the same invented children, groups, rounds and
levels on every run, made once, and a round overview that tells the story."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from sqlmodel import Session, col, select

from app import db
from app.accounts.models import Institution, User
from app.assessments.models import Assessment
from app.children.models import Child
from app.contacts import service as contacts
from app.db import local_today
from app.demo import seed
from app.handovers import service as handovers
from app.handovers.models import Handover
from app.meetings import service as meetings
from app.meetings.models import Meeting
from app.rounds import service
from app.rounds.models import Group, Round

# The seed dates its story from the day it is given, but the services it goes through check
# dates against the real today (a focus point may not be due in the past): seed as of today.
TODAY = local_today()


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
        "contacts": {
            i.name: [
                (e.role.value, e.name, e.phone, e.user_id)
                for e in contacts.institution_contacts(session, institution_id=i.id or 0)
            ]
            for i in session.exec(select(Institution))
        },
        "meetings": sorted(
            (names[m.child_id], m.kind, m.held_on, m.follow_up_on, m.agreed)
            for m in session.exec(select(Meeting))
        ),
        "handovers": [
            (names[h.child_id], h.from_institution_id, h.to_institution_id, h.status)
            for h in session.exec(select(Handover))
        ],
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

    def test_contacts_meetings_and_a_handover(self, sqlite_template, tmp_path):
        path = tmp_path / "demo.db"
        snapshot = _seeded(sqlite_template, path)
        engine = db.make_engine(f"sqlite:///{path}")
        with db.session_scope(engine) as session:
            users = {u.username: u for u in session.exec(select(User))}
            institutions = {i.name: i for i in session.exec(select(Institution))}
            # Every demo institution has a social worker (the district's demo login), a health
            # visitor and a PPR psychologist, with numbers the contacts accept.
            for name, district_worker in [
                ("Børnehuset Mælkebøtten", "raadgiver"),
                ("Nordskolen", "raadgiver"),
                ("Vuggestuen Spiren", "raadgiver2"),
                ("Sydskolen", "raadgiver2"),
            ]:
                entries = contacts.institution_contacts(
                    session, institution_id=institutions[name].id or 0
                )
                assert [e.role.value for e in entries] == [
                    "social_worker",
                    "health_visitor",
                    "psychologist",
                ]
                assert entries[0].user_id == users[district_worker].id
                assert entries[0].name == users[district_worker].display_name
                assert all(e.phone.startswith("+45") and len(e.phone) == 11 for e in entries)
            # The leader sees both meetings' follow-ups as due today.
            due = meetings.follow_ups(session, users["leder"], due_by=TODAY, everyone=True)
            assert sorted(m.kind for m in due) == ["cross_disciplinary", "network"]
            assert {m.follow_up_on for m in due} == {TODAY - dt.timedelta(days=2), TODAY}
            meetings_seen: list[tuple[tuple[str, str, dt.date], ...]] = snapshot["meetings"]  # type: ignore[assignment]
            assert [m[0][:2] for m in meetings_seen] == [
                ("Asta", "Demodatter"),
                ("Bertram", "Demosen"),
            ]
            # One handover from the daycare to Nordskolen waits for the school, with consent.
            [handover] = session.exec(select(Handover)).all()
            assert handover.status == "sent"
            assert handover.from_institution_id == institutions["Børnehuset Mælkebøtten"].id
            assert handover.to_institution_id == institutions["Nordskolen"].id
            assert handover.consent_given_by == "Bertrams mor"
            assert handover.consent_includes_meetings
            teacher = users["laerer"]
            assert [
                (r.handover.id, r.child_name) for r in handovers.waiting_for(session, teacher)
            ] == [(handover.id, "Bertram Demosen")]
        engine.dispose()
