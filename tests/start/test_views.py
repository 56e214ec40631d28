"""The start page as a staff member's to-do: drafts, follow-ups due (focus points, the
assessment's follow-up date, dialogue meetings), answers and feedback on their concerns, and
for a leader the institution's overdue follow-ups. A fixed number of queries however many."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from app import db
from app.accounts.models import User
from app.assessments import service as assessments
from app.assessments.models import Assessment
from app.audit.models import AuditEvent
from app.catalogs import service as catalogs
from app.children.models import Child
from app.concerns import service as concerns
from app.concerns.models import Concern
from app.db import local_today
from app.handovers import service as handovers
from tests.factories import (
    id_of,
    make_child,
    make_draft,
    make_finished_assessment,
    make_group,
    make_round,
    signs,
)
from tests.html import attr, by_id, one

HX = {"HX-Request": "true"}
LEVEL_2 = signs(level=2, n=1)


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _user(s: Session, org, name: str) -> User:
    return s.get_one(User, org.users[name])


def _child(s: Session, org, first_name: str) -> Child:
    return make_child(s, org.daycare_id, org.users["staff"], first_name=first_name)


def _answered_consultation(s: Session, org, child: Child) -> tuple[Assessment, Concern]:
    """A finished level-2 assessment of the child by staff, and the anonymous consultation
    about it that the social worker answered."""
    staff, social = _user(s, org, "staff"), _user(s, org, "social")
    assessment = make_finished_assessment(s, staff, child, observed=LEVEL_2)
    consultation = concerns.submit_consultation(
        s, staff, assessment_id=id_of(assessment), message="Vi er i tvivl om trivslen."
    )
    concerns.move(
        s, social, concern_id=id_of(consultation), to="answered", note="Tal med familien."
    )
    return assessment, consultation


def _with_focus_point(s: Session, org, child: Child, *, days: int, responsible: str = "staff"):
    """A finished level-2 assessment of the child by staff with one focus point due in
    ``days`` days (negative: overdue; stored directly, as the service refuses past dates)."""
    staff = _user(s, org, "staff")
    draft = make_draft(s, staff, child, observed=LEVEL_2)
    state = assessments.finish(
        s,
        staff,
        assessment_id=id_of(draft),
        focus_points=[
            assessments.FocusPointInput(
                f"Fast voksen for {child.first_name}", responsible_id=org.users[responsible]
            )
        ],
    )
    point = state.focus_points[0]
    point.due_on = local_today() + dt.timedelta(days=days)
    s.add(point)
    s.flush()
    return state.assessment, point


@pytest.fixture
def prepared(app, org):
    with db.session_scope(app.state.engine) as s:
        catalogs.import_shipped(s)


class TestStartPageToDo:
    @pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
    def test_empty_states_say_so_in_danish(self, as_user, prepared, headers):
        staff = as_user("staff")
        response = staff.client.get("/", headers=headers)
        assert response.status_code == 200
        soup = _soup(response)
        assert (soup.find("html") is None) == bool(headers)
        assert "ingen opfølgninger" in by_id(soup, "todo-due").text
        assert "ingen vurderinger i gang" in by_id(soup, "todo-drafts").text
        assert "ingen nye svar" in by_id(soup, "todo-replies").text
        assert soup.select_one("#todo-overdue") is None
        assert "Ingen fælles vurderinger venter" in by_id(soup, "todo-joint").text
        assert "Ingen børn i dine grupper mangler" in by_id(soup, "todo-round").text

    def test_each_kind_of_to_do_is_listed_with_its_link(self, app, org, as_user, prepared):
        with db.session_scope(app.state.engine) as s:
            alma, bo, cleo, dina = (_child(s, org, n) for n in ("Alma", "Bo", "Cleo", "Dina"))
            staff = _user(s, org, "staff")
            assessed, point = _with_focus_point(s, org, alma, days=0)
            draft = make_draft(s, staff, bo, observed=LEVEL_2)
            old = make_finished_assessment(s, staff, cleo)
            old.follow_up_on = local_today() - dt.timedelta(days=2)
            s.add(old)
            answered, consultation = _answered_consultation(s, org, dina)
            concerns.record_dialogue(
                s,
                staff,
                assessment_id=id_of(answered),
                held_on=local_today(),
                participants="Mor, Pia",
                agreed="Vi ses igen",
                follow_up_on=local_today(),
            )
            ids = {
                "assessed": id_of(assessed),
                "draft": id_of(draft),
                "cleo": id_of(cleo),
                "dina": id_of(dina),
                "consultation": id_of(consultation),
                "point": id_of(point),
            }
        staff_client = as_user("staff")
        soup = _soup(staff_client.client.get("/"))
        due = by_id(soup, "todo-due")
        links = {a["href"] for a in due.select("a")}
        assert f"/assessments/{ids['assessed']}#focus-points" in links
        assert f"/children/{ids['cleo']}" in links
        assert f"/children/{ids['dina']}" in links
        assert "Fast voksen for Alma" in due.text
        assert "Overskredet" in due.text  # Cleo's follow-up was two days ago
        drafts = by_id(soup, "todo-drafts")
        assert [a["href"] for a in drafts.select("a")] == [f"/assessments/{ids['draft']}"]
        assert "Bo Jensen" in drafts.text
        replies = by_id(soup, "todo-replies")
        assert [a["href"] for a in replies.select("a")] == [f"/concerns/{ids['consultation']}"]
        assert "Svar på din anonyme sparring" in replies.text

        # Marking the focus point done from the list comes back to the start page without it.
        done = staff_client.client.post(
            f"/focus-points/{ids['point']}/done?from=start",
            data={"csrf_token": staff_client.csrf_token},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/#todo"
        again = _soup(staff_client.client.get("/"))
        assert "Fast voksen for Alma" not in by_id(again, "todo-due").text

    def test_an_open_rounds_missing_children_are_named_up_to_a_limit_then_counted(
        self, app, org, as_user, prepared, monkeypatch
    ):
        from app.start import views

        monkeypatch.setattr(views, "ROUND_MISSING_SHOWN", 1)
        with db.session_scope(app.state.engine) as s:
            staff, leader = _user(s, org, "staff"), _user(s, org, "leader")
            children = [_child(s, org, n) for n in ("Alma", "Bo", "Cleo")]
            group = make_group(s, org.daycare_id, "Solstuen", children=children, staff=[staff])
            round_id = id_of(make_round(s, leader, [group], title="Forår"))
        soup = _soup(as_user("staff").client.get("/"))
        rows = by_id(soup, "todo-round").select("li")
        assert [one(li, "strong").text for li in rows] == ["Alma Jensen"]
        # The round's last day, not a follow-up due today.
        assert "mangler i «Forår» (slutter" in rows[0].text
        assert "Følg op i dag" not in rows[0].text
        assert rows[0].select_one(".todo-due") is None
        more = by_id(soup, "todo-round-more-0")
        assert "og 2 flere i «Forår»" in more.text
        assert attr(one(more, "a"), "href") == f"/rounds/{round_id}"

    def test_the_leader_sees_the_institutions_overdue_follow_ups(self, app, org, as_user, prepared):
        with db.session_scope(app.state.engine) as s:
            _with_focus_point(s, org, _child(s, org, "Alma"), days=-3)
            _with_focus_point(s, org, _child(s, org, "Bo"), days=5)
        leader = _soup(as_user("leader").client.get("/"))
        overdue = by_id(leader, "todo-overdue")
        assert "Alma Jensen" in overdue.text
        assert "Sofie Pædagog" in overdue.text  # who follows it up
        assert "Bo Jensen" not in overdue.text  # not due yet
        staff = _soup(as_user("staff").client.get("/"))
        assert staff.select_one("#todo-overdue") is None
        assert "Alma Jensen" in by_id(staff, "todo-due").text
        other = _soup(as_user("staff_syd").client.get("/"))
        assert "Alma" not in by_id(other, "todo").text

    def test_the_follow_up_goes_to_the_responsible_colleague(self, app, org, as_user, prepared):
        with db.session_scope(app.state.engine) as s:
            _with_focus_point(s, org, _child(s, org, "Alma"), days=0, responsible="leader")
        assert "Alma" not in by_id(_soup(as_user("staff").client.get("/")), "todo-due").text
        assert "Alma" in by_id(_soup(as_user("leader").client.get("/")), "todo-due").text

    def test_the_rounds_missing_children_are_audited_as_a_list(self, app, org, as_user, prepared):
        with db.session_scope(app.state.engine) as s:
            staff, leader = _user(s, org, "staff"), _user(s, org, "leader")
            children = [_child(s, org, n) for n in ("Alma", "Bo")]
            group = make_group(s, org.daycare_id, "Solstuen", children=children, staff=[staff])
            make_round(s, leader, [group], title="Forår")
        as_user("staff").client.get("/")
        with db.session_scope(app.state.engine) as s:
            rows = s.exec(select(AuditEvent).where(AuditEvent.action == "child:list")).all()
            assert [r.detail for r in rows] == ["forsidens runde: 2 børn"]
            assert all("Alma" not in r.detail for r in rows)

    def test_the_list_is_audited_once(self, app, org, as_user, prepared):
        with db.session_scope(app.state.engine) as s:
            _with_focus_point(s, org, _child(s, org, "Alma"), days=0)
        as_user("staff").client.get("/")
        with db.session_scope(app.state.engine) as s:
            rows = s.exec(select(AuditEvent).where(AuditEvent.action == "child:list")).all()
            assert [r.detail for r in rows] == ["forsidens opgaver: 1 børn"]


def _hand_over(s: Session, org, child_id: int) -> None:
    """The daycare's staff member hands the child over to the school, which accepts."""
    handover = handovers.send(
        s,
        _user(s, org, "staff"),
        child_id=child_id,
        to_institution_id=org.school_id,
        given_by="Maria Jensen (mor)",
        given_on=local_today(),
        covers="Resumé af seneste vurdering",
    )
    handovers.accept(s, _user(s, org, "teacher"), handover_id=id_of(handover))


class TestAChildWhoHasMoved:
    """A child handed over to a school and accepted there leaves the daycare's to-do, except
    the answers and feedback on what the daycare's staff member sent: the sender is still to
    read them (the concern stays the daycare's record)."""

    def test_the_answer_on_ones_own_concern_stays_and_the_follow_ups_go(
        self, app, org, as_user, prepared
    ):
        with db.session_scope(app.state.engine) as s:
            alma = _child(s, org, "Alma")
            answered, consultation = _answered_consultation(s, org, alma)
            answered.follow_up_on = local_today() - dt.timedelta(days=1)
            s.add(answered)
            consultation_id, alma_id = id_of(consultation), id_of(alma)
        before = _soup(as_user("staff").client.get("/"))
        assert "Alma Jensen" in by_id(before, "todo-due").text

        with db.session_scope(app.state.engine) as s:
            _hand_over(s, org, alma_id)

        soup = _soup(as_user("staff").client.get("/"))
        replies = by_id(soup, "todo-replies")
        assert [a["href"] for a in replies.select("a")] == [f"/concerns/{consultation_id}"]
        assert "Alma Jensen" in replies.text
        assert "Svar på din anonyme sparring" in replies.text
        # The follow-up of the assessment is the school's now, not the daycare's.
        assert "Alma Jensen" not in by_id(soup, "todo-due").text
        with db.session_scope(app.state.engine) as s:
            reads = s.exec(
                select(AuditEvent).where(
                    AuditEvent.child_id == alma_id,
                    AuditEvent.actor_id == org.users["staff"],
                    AuditEvent.detail == "forsidens opgaver: svar på egen sag",
                )
            ).all()
        assert len(reads) == 1  # in the child's access log, at the school too

    def test_another_staff_members_concern_about_the_moved_child_is_not_listed(
        self, app, org, as_user, prepared
    ):
        with db.session_scope(app.state.engine) as s:
            alma = _child(s, org, "Alma")
            _answered_consultation(s, org, alma)
            _hand_over(s, org, id_of(alma))
        soup = _soup(as_user("leader").client.get("/"))
        assert "Alma" not in soup.text


class TestQueries:
    def test_the_start_page_makes_as_many_queries_for_one_child_as_for_six(
        self, app, org, as_user, prepared
    ):
        leader = as_user("leader")
        with db.session_scope(app.state.engine) as s:
            child = _child(s, org, "Alma")
            _with_focus_point(s, org, child, days=-1)
            make_draft(s, _user(s, org, "leader"), child)
        leader.client.get("/")  # warm the per-process caches
        first = _count_once(app, leader)
        with db.session_scope(app.state.engine) as s:
            for name in ("Bo", "Cleo", "Dina", "Emil", "Frida"):
                child = _child(s, org, name)
                _with_focus_point(s, org, child, days=-1)
                _with_focus_point(s, org, child, days=0, responsible="leader")
                make_draft(s, _user(s, org, "leader"), child)
        assert _count_once(app, leader) == first


def _count_once(app, user) -> int:
    seen: list[str] = []

    def _count(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(app.state.engine, "before_cursor_execute", _count)
    try:
        response = user.client.get("/")
        assert response.status_code == 200
        assert "Alma Jensen" in response.text
    finally:
        sa.event.remove(app.state.engine, "before_cursor_execute", _count)
    return len(seen)
