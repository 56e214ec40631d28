"""A request of access (GDPR art. 15): ``GET /api/v1/children/{id}/export`` and the leader's
printable page ``/children/{id}/export`` hand out everything stored about the child, to the
institution's leader and admins only, and the export itself is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app import db
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.catalogs import service as catalogs
from app.concerns import service as concerns
from app.db import local_today
from app.meetings import service as meetings
from tests.factories import id_of, make_child, make_draft, make_finished_assessment, signs
from tests.html import attr, by_id, one

PURPOSE = "indsigt (art. 15)"


@pytest.fixture
def record(app, org) -> dict[str, int]:
    """A child of the daycare with everything the app stores about a child: a finished
    assessment (level raised with a reason, notes, resources), a colleague's draft, a dialogue
    with the parents, a network meeting, an anonymous consultation and a notification; and a
    child of Syd."""
    with db.session_scope(app.state.engine) as s:
        catalogs.import_shipped(s)
        staff = s.get_one(User, org.users["staff"])
        child = make_child(
            s, org.daycare_id, id_of(staff), first_name="Vigga", last_name="Thomsen", age_years=4
        )
        finished = make_finished_assessment(
            s,
            staff,
            child,
            observed=signs(level=2),
            level=3,
            reason="Mor fortæller om uro derhjemme.",
            notes="Trækker sig fra legen.",
            resources="Glad for at tegne.",
        )
        draft = make_draft(s, staff, child, observed=signs(level=2), notes="Kladdens note.")
        dialogue = concerns.record_dialogue(
            s,
            staff,
            assessment_id=id_of(finished),
            held_on=local_today(),
            participants="Mor, pædagog",
            agreed="Vi mødes igen om en måned.",
            follow_up_on=None,
        )
        meeting = meetings.record(
            s,
            staff,
            child_id=id_of(child),
            kind="network",
            held_on=local_today(),
            participants=[
                meetings.Participant("Pædagog", "Sofie Pædagog"),
                meetings.Participant("Psykolog", "Per Pedersen"),
            ],
            parents_took_part=True,
            agreed="PPR ser Vigga i januar.",
            follow_up_on=local_today() + dt.timedelta(days=30),
            assessment_id=id_of(finished),
        )
        consultation = concerns.submit_consultation(
            s, staff, assessment_id=id_of(finished), message="Sparring om trivsel, tak."
        )
        notification = concerns.submit_notification(
            s,
            staff,
            assessment_id=id_of(finished),
            data=concerns.NotificationInput(
                message="Barnet er bange for at gå hjem.",
                parents_informed=False,
                parents_note="Ikke orienteret endnu.",
                confirmed=True,
            ),
            cipher=app.state.cpr_cipher,
        )
        other = make_child(s, org.other_daycare_id, org.users["staff_syd"], first_name="Sigurd")
        return {
            "child": id_of(child),
            "finished": id_of(finished),
            "draft": id_of(draft),
            "dialogue": id_of(dialogue),
            "meeting": id_of(meeting),
            "consultation": id_of(consultation),
            "notification": id_of(notification),
            "other": id_of(other),
        }


def _export_rows(app, child_id: int) -> list[AuditEvent]:
    with db.session_scope(app.state.engine) as s:
        return list(
            s.exec(
                select(AuditEvent).where(
                    AuditEvent.child_id == child_id, AuditEvent.detail == PURPOSE
                )
            ).all()
        )


class TestExportApiRefusals:
    def test_staff_and_social_workers_are_refused(self, app, as_user, record):
        for name in ("staff", "social"):
            response = as_user(name).client.get(f"/api/v1/children/{record['child']}/export")
            assert response.status_code == 403, name
            assert "error" in response.json()
        assert _export_rows(app, record["child"]) == []

    def test_another_institutions_child_is_not_found_for_the_leader(self, app, as_user, record):
        response = as_user("leader").client.get(f"/api/v1/children/{record['other']}/export")
        assert response.status_code == 404
        assert response.json()["error"]["code"]
        assert _export_rows(app, record["other"]) == []

    def test_an_unknown_child_is_not_found_for_an_admin(self, as_user, record):
        response = as_user("admin").client.get("/api/v1/children/999999/export")
        assert response.status_code == 404

    def test_anonymous_is_refused(self, client, record):
        assert client.get(f"/api/v1/children/{record['child']}/export").status_code == 401


class TestExportApi:
    def test_the_leader_gets_every_part_of_the_record(self, as_user, record):
        response = as_user("leader").client.get(f"/api/v1/children/{record['child']}/export")

        assert response.status_code == 200
        body = response.json()
        assert set(body) >= {
            "child",
            "assessments",
            "dialogues",
            "meetings",
            "concerns",
            "access_log",
            "exported_at",
        }
        assert body["child"]["first_name"] == "Vigga"
        assert "left_on" in body["child"]
        by_id_ = {a["id"]: a for a in body["assessments"]}
        assert set(by_id_) == {record["finished"], record["draft"]}
        finished = by_id_[record["finished"]]
        assert finished["notes"] == "Trækker sig fra legen."
        assert finished["resources"] == "Glad for at tegne."
        assert finished["override_reason"] == "Mor fortæller om uro derhjemme."
        assert (finished["computed_level"], finished["level"]) == (2, 3)
        assert finished["observed_indicators"][0]["text"]
        assert by_id_[record["draft"]]["status"] == "draft"
        assert by_id_[record["draft"]]["notes"] == "Kladdens note."
        assert [d["agreed"] for d in body["dialogues"]] == ["Vi mødes igen om en måned."]
        [meeting] = body["meetings"]
        assert meeting["id"] == record["meeting"]
        assert (meeting["kind"], meeting["parents_took_part"]) == ("network", True)
        assert meeting["agreed"] == "PPR ser Vigga i januar."
        assert meeting["assessment_id"] == record["finished"]
        # By role: the participants' names are employees' and other professionals' identities.
        assert meeting["participants"] == [{"role": "Pædagog"}, {"role": "Psykolog"}]
        assert "created_by" not in meeting
        kinds = {c["id"]: c for c in body["concerns"]}
        assert set(kinds) == {record["consultation"], record["notification"]}
        # The institution's own view: the consultation is linked to the child here.
        assert kinds[record["consultation"]]["child_id"] == record["child"]
        assert kinds[record["notification"]]["parents_note"] == "Ikke orienteret endnu."

    def test_employees_are_never_named(self, as_user, record):
        text = as_user("leader").client.get(f"/api/v1/children/{record['child']}/export").text
        for name in ("Sofie Pædagog", "Lene Leder", "Per Pedersen", '"created_by"', '"actor_id"'):
            assert name not in text, name

    def test_the_access_log_shows_the_export_itself_first(self, app, as_user, record):
        body = as_user("leader").client.get(f"/api/v1/children/{record['child']}/export").json()

        first = body["access_log"][0]
        assert (first["purpose"], first["role"]) == (PURPOSE, "Leder")
        assert set(first) == {"at", "action", "purpose", "role"}
        assert [row.actor_role for row in _export_rows(app, record["child"])] == ["leader"]

    def test_an_admin_exports_any_child_audited_as_admin(self, app, as_user, record):
        response = as_user("admin").client.get(f"/api/v1/children/{record['other']}/export")

        assert response.status_code == 200
        assert response.json()["child"]["first_name"] == "Sigurd"
        assert response.json()["access_log"][0]["role"] == "Administrator"
        assert [row.actor_role for row in _export_rows(app, record["other"])] == ["admin"]

    def test_an_admin_sees_the_institutions_concerns(self, as_user, record):
        body = as_user("admin").client.get(f"/api/v1/children/{record['child']}/export").json()
        assert {c["id"] for c in body["concerns"]} == {
            record["consultation"],
            record["notification"],
        }


class TestExportPage:
    @pytest.mark.parametrize("htmx", [False, True])
    def test_the_leader_reads_and_prints_the_record(self, as_user, record, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = as_user("leader").client.get(
            f"/children/{record['child']}/export", headers=headers
        )

        assert response.status_code == 200
        soup = BeautifulSoup(response.text, "html.parser")
        assert "Vigga Thomsen" in one(soup, "h1").get_text()
        json_link = by_id(soup, "export-json")
        assert attr(json_link, "href") == f"/api/v1/children/{record['child']}/export"
        assert json_link.get_text(strip=True) == "Hent som JSON"
        finished = by_id(soup, f"export-assessment-{record['finished']}").get_text()
        assert "Trækker sig fra legen." in finished
        assert "Mor fortæller om uro derhjemme." in finished
        assert by_id(soup, f"export-assessment-{record['draft']}")
        assert "Vi mødes igen" in by_id(soup, f"export-dialogue-{record['dialogue']}").get_text()
        assert by_id(soup, f"export-concern-{record['consultation']}")
        # The parents were not told of the notification: the leader is warned first.
        assert by_id(soup, f"export-concern-{record['notification']}-not-informed")
        meeting = by_id(soup, f"export-meeting-{record['meeting']}").get_text()
        assert "Netværksmøde" in meeting
        assert "PPR ser Vigga i januar." in meeting
        assert "Pædagog, Psykolog" in meeting
        assert "Per Pedersen" not in meeting
        log = soup.select("#export-access-log-table tbody tr")
        assert [td.get_text(strip=True) for td in log[0].select("td")][2:] == [PURPOSE, "Leder"]
        assert "Sofie Pædagog" not in one(soup, "main").get_text()

    def test_staff_are_refused(self, as_user, record):
        response = as_user("staff").client.get(f"/children/{record['child']}/export")
        assert response.status_code == 403

    def test_another_institutions_child_is_not_found(self, as_user, record):
        response = as_user("leader").client.get(f"/children/{record['other']}/export")
        assert response.status_code == 404

    def test_the_childs_page_links_it_for_the_leader_only(self, as_user, record):
        leader = as_user("leader").client.get(f"/children/{record['child']}")
        link = by_id(BeautifulSoup(leader.text, "html.parser"), "export-link")
        assert attr(link, "href") == f"/children/{record['child']}/export"
        staff = as_user("staff").client.get(f"/children/{record['child']}")
        assert BeautifulSoup(staff.text, "html.parser").find(id="export-link") is None


class TestExportScope:
    def test_only_a_leader_or_an_admin_gets_a_childs_concerns_for_an_export(self, app, org, record):
        from app.children.models import Child
        from app.concerns import scope
        from app.errors import Forbidden

        with db.session_scope(app.state.engine) as s:
            child = s.get_one(Child, record["child"])
            for name in ("staff", "social"):
                with pytest.raises(Forbidden):
                    scope.concerns_for_export(s, s.get_one(User, org.users[name]), child)
