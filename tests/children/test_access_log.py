"""The child's access log for the parents' request of access (indsigt i logning): every
look-up and change with time, what, purpose and role, never the employee's identity."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app import db
from app.audit.models import AuditEvent
from tests.factories import id_of, make_child
from tests.html import one


@pytest.fixture
def child_id(app, org) -> int:
    with db.session_scope(app.state.engine) as s:
        return id_of(make_child(s, org.daycare_id, org.users["staff"], first_name="Alma"))


@pytest.fixture
def looked_up(as_user, child_id) -> int:
    """The pedagogue opened the child's page and started an assessment."""
    staff = as_user("staff")
    assert staff.client.get(f"/children/{child_id}").status_code == 200
    started = staff.client.post(
        f"/children/{child_id}/assessments",
        data={"csrf_token": staff.csrf_token},
        follow_redirects=False,
    )
    assert started.status_code == 303
    return child_id


def _rows(response) -> list[list[str]]:
    soup = BeautifulSoup(response.text, "html.parser")
    return [
        [td.get_text(strip=True) for td in tr.select("td")]
        for tr in soup.select("#access-log tbody tr")
    ]


class TestTheLeaderAnswersARequestOfAccess:
    def test_lists_what_why_and_which_role_newest_first(self, as_user, looked_up):
        response = as_user("leader").client.get(f"/children/{looked_up}/access-log")

        assert response.status_code == 200
        rows = _rows(response)
        whats = [row[1] for row in rows]
        assert "Barn vist" in whats[0]  # this look-up itself, newest first
        assert rows[0][2:] == ["indsigt i logning", "Leder"]
        assert ["barnets side", "Medarbejder"] in [row[2:] for row in rows]
        assert any(row[3] == "Medarbejder" and "vurdering" in row[1].lower() for row in rows)

    def test_never_names_the_employees(self, as_user, looked_up):
        leader = as_user("leader")
        page = leader.client.get(f"/children/{looked_up}/access-log")
        table = one(BeautifulSoup(page.text, "html.parser"), "#access-log").get_text()
        csv_text = leader.client.get(f"/children/{looked_up}/access-log.csv").text
        for text in (table, csv_text):
            for name in ("Sofie Pædagog", "Lene Leder", "staff", "leader", "127.0.0.1"):
                assert name not in text, name

    def test_the_csv_has_the_same_lines(self, as_user, looked_up):
        leader = as_user("leader")
        page = _rows(leader.client.get(f"/children/{looked_up}/access-log"))
        response = leader.client.get(f"/children/{looked_up}/access-log.csv")

        assert response.headers["content-type"].startswith("text/csv")
        assert f"adgangslog-barn-{looked_up}.csv" in response.headers["content-disposition"]
        header, *lines = list(csv.reader(io.StringIO(response.text)))
        assert header == ["tidspunkt", "handling", "formål", "rolle"]
        assert [line[1:] for line in lines[1:]] == [row[1:] for row in page]  # + one more view

    def test_reading_it_is_audited(self, app, as_user, looked_up):
        as_user("leader").client.get(f"/children/{looked_up}/access-log")
        with db.session_scope(app.state.engine) as s:
            events = s.exec(
                select(AuditEvent).where(
                    AuditEvent.child_id == looked_up, AuditEvent.detail == "indsigt i logning"
                )
            ).all()
            assert [e.actor_username for e in events] == ["leader"]

    def test_the_childs_page_links_to_it_for_the_leader_only(self, as_user, child_id):
        leader_page = BeautifulSoup(
            as_user("leader").client.get(f"/children/{child_id}").text, "html.parser"
        )
        staff_page = BeautifulSoup(
            as_user("staff").client.get(f"/children/{child_id}").text, "html.parser"
        )
        link = one(leader_page, "#access-log-link")
        assert link["href"] == f"/children/{child_id}/access-log"
        assert staff_page.select_one("#access-log-link") is None

    def test_a_concern_read_without_a_purpose_is_named_in_danish(self, app, as_user, child_id):
        from app.audit import service as audit
        from app.audit.tags import AuditTag

        with db.session_scope(app.state.engine) as s:
            audit.record(s, None, AuditTag.CONCERN_VIEW, child_id=child_id, detail="consultation")
        rows = _rows(as_user("leader").client.get(f"/children/{child_id}/access-log"))
        assert ["sparring", "System"] in [row[2:] for row in rows]


class TestWhoMayNot:
    @pytest.mark.parametrize(
        ("username", "status"),
        [("staff", 403), ("social", 403), ("admin", 403), ("teacher", 403)],
    )
    def test_other_roles_are_refused(self, as_user, child_id, username, status):
        for suffix in ("", ".csv"):
            response = as_user(username).client.get(f"/children/{child_id}/access-log{suffix}")
            assert response.status_code == status, (username, suffix)

    def test_a_leader_of_another_institution_gets_not_found(self, app, org, as_user, child_id):
        from app.accounts.models import Role
        from tests.factories import make_user

        with db.session_scope(app.state.engine) as s:
            from app.accounts.models import Institution

            other = s.get_one(Institution, org.other_daycare_id)
            make_user(s, "leader_syd", Role.LEADER, institution=other)
        response = as_user("leader_syd").client.get(f"/children/{child_id}/access-log")
        assert response.status_code == 404

    def test_an_unknown_child_is_not_found(self, as_user):
        assert as_user("leader").client.get("/children/999999/access-log").status_code == 404
