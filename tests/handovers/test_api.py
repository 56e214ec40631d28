"""``/api/v1/children/{id}/handovers`` and ``/api/v1/handovers``: the contract of api.md
(422 without consent, the abuse rule, 404 for others, accept moves the child), and the
additions of docs/api-extensions.md (a school only, one open at a time, withdraw)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app import db
from app.audit.models import AuditEvent
from app.db import local_today
from tests.factories import signs
from tests.handovers.conftest import Setting, consent, finish_with_focus_point, send


def sent(as_user, setting: Setting) -> tuple[Any, dict[str, Any]]:
    staff = as_user("staff")
    response = send(staff, setting.child_id, setting.school_id)
    assert response.status_code == 201, response.text
    return staff, response.json()


def make_critical(app, org, setting: Setting) -> int:
    from app.accounts.models import User
    from app.children.models import Child

    with db.session_scope(app.state.engine) as s:
        author = s.get_one(User, org.users["staff"])
        child = s.get_one(Child, setting.child_id)
        return finish_with_focus_point(s, author, child, signs(level=4, critical=True))


class TestSendHandover:
    def test_without_consent_is_422_and_nothing_is_stored(self, as_user, setting):
        staff = as_user("staff")
        response = staff.client.post(
            f"/api/v1/children/{setting.child_id}/handovers",
            json={"to_institution_id": setting.school_id},
            headers=staff.headers,
        )
        assert response.status_code == 422
        assert staff.client.get("/api/v1/handovers").json() == []

    @pytest.mark.parametrize(
        ("field", "value"),
        [("given_by", "  "), ("covers", ""), ("given_on", "2999-01-01")],
    )
    def test_a_consent_without_who_what_or_with_a_future_day_is_422_naming_it(
        self, as_user, setting, field, value
    ):
        staff = as_user("staff")
        response = send(
            staff, setting.child_id, setting.school_id, consent=consent(**{field: value})
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == f"consent.{field}"
        assert staff.client.get("/api/v1/handovers").json() == []

    def test_a_consent_without_given_by_key_is_422(self, as_user, setting):
        staff = as_user("staff")
        body = consent()
        del body["given_by"]
        response = send(staff, setting.child_id, setting.school_id, consent=body)
        assert response.status_code == 422

    def test_the_abuse_rule_refuses_and_points_to_the_notification(
        self, app, org, as_user, setting
    ):
        critical_id = make_critical(app, org, setting)
        staff = as_user("staff")
        response = send(staff, setting.child_id, setting.school_id)
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "abuse_rule"
        assert error["details"][0]["assessment_id"] == critical_id
        assert staff.client.get("/api/v1/handovers").json() == []
        with db.session_scope(app.state.engine) as s:
            from sqlmodel import select

            actions = s.exec(
                select(AuditEvent.action).where(AuditEvent.child_id == setting.child_id)
            ).all()
        assert "child:handover:refused" in actions

    def test_an_acute_latest_assessment_refuses_too(self, app, org, as_user, setting):
        from app.accounts.models import User
        from app.catalogs import service as catalogs
        from app.children.models import Child

        acute = [i.id for i in catalogs.shipped_guide().catalog("3-5").indicators() if i.acute]
        with db.session_scope(app.state.engine) as s:
            author = s.get_one(User, org.users["staff"])
            child = s.get_one(Child, setting.child_id)
            acute_id = finish_with_focus_point(s, author, child, acute[:1])
        response = send(as_user("staff"), setting.child_id, setting.school_id)
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "abuse_rule"
        assert error["details"][0]["assessment_id"] == acute_id
        assert "akut" in error["message"]

    def test_a_later_assessment_without_the_sign_lets_it_go(self, app, org, as_user, setting):
        make_critical(app, org, setting)
        from app.accounts.models import User
        from app.children.models import Child

        with db.session_scope(app.state.engine) as s:
            author = s.get_one(User, org.users["staff"])
            child = s.get_one(Child, setting.child_id)
            finish_with_focus_point(s, author, child, signs(level=2, n=1))
        assert send(as_user("staff"), setting.child_id, setting.school_id).status_code == 201

    def test_the_receiver_must_be_a_school(self, as_user, setting):
        response = send(as_user("staff"), setting.child_id, setting.other_daycare_id)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "to_institution_id"

    def test_an_unknown_receiver_is_422(self, as_user, setting):
        response = send(as_user("staff"), setting.child_id, 999_999)
        assert response.status_code == 422

    def test_another_institutions_child_is_404(self, as_user, setting):
        response = send(as_user("staff_syd"), setting.child_id, setting.school_id)
        assert response.status_code == 404

    def test_a_social_worker_is_403(self, as_user, setting):
        response = send(as_user("social"), setting.child_id, setting.school_id)
        assert response.status_code == 403

    def test_sent_answers_the_contract(self, as_user, setting):
        _, body = sent(as_user, setting)
        assert body["status"] == "sent"
        assert body["child_id"] == setting.child_id
        assert body["from_institution_id"] == setting.daycare_id
        assert body["to_institution_id"] == setting.school_id
        assert {"id", "created_at"} <= body.keys()

    def test_a_second_open_handover_of_the_child_is_409(self, as_user, setting):
        staff, _ = sent(as_user, setting)
        response = send(staff, setting.child_id, setting.school_id)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "handover_open"

    def test_an_idempotent_repeat_answers_the_first(self, as_user, setting):
        staff = as_user("staff")
        headers = {**staff.headers, "Idempotency-Key": "h-1"}
        body = {"to_institution_id": setting.school_id, "consent": consent()}
        first = staff.client.post(
            f"/api/v1/children/{setting.child_id}/handovers", json=body, headers=headers
        )
        again = staff.client.post(
            f"/api/v1/children/{setting.child_id}/handovers", json=body, headers=headers
        )
        assert first.status_code == 201
        assert again.json()["id"] == first.json()["id"]


class TestReadHandover:
    def test_both_institutions_list_it(self, as_user, setting):
        _, body = sent(as_user, setting)
        for user in ("staff", "leader", "teacher", "rektor"):
            listed = as_user(user).client.get("/api/v1/handovers").json()
            assert [h["id"] for h in listed] == [body["id"]]
        assert as_user("staff_syd").client.get("/api/v1/handovers").json() == []

    def test_the_school_reads_the_child_consent_and_summary(self, as_user, setting):
        _, body = sent(as_user, setting)
        detail = as_user("teacher").client.get(f"/api/v1/handovers/{body['id']}").json()
        assert detail["child"]["first_name"] == "Alma"
        assert set(detail["child"]) == {"first_name", "last_name", "birth_date"}
        assert detail["consent"] == {
            "given_by": "Maria Jensen (mor)",
            "given_on": (local_today() - dt.timedelta(days=1)).isoformat(),
            "covers": "Resumé af seneste vurdering og fokuspunkter",
            "includes_meetings": False,
        }
        assert detail["meetings"] == []
        summary = detail["summary"]
        assert summary["level"] == 2
        assert summary["level_key"] == "declining_wellbeing"
        assert summary["assessed_on"] == local_today().isoformat()
        assert [p["text"] for p in summary["focus_points"]] == ["Tryg start om morgenen"]

    def test_the_meetings_show_only_when_the_consent_covers_them(self, as_user, setting):
        staff = as_user("staff")
        meeting = staff.client.post(
            f"/api/v1/children/{setting.child_id}/meetings",
            json={
                "kind": "network",
                "held_on": local_today().isoformat(),
                "participants": [
                    {"role": "Pædagog", "name": "Hanne Holm"},
                    {"role": "Sundhedsplejerske", "name": ""},
                ],
                "parents_took_part": True,
                "agreed": "Fast voksen ved aflevering",
            },
            headers=staff.headers,
        )
        assert meeting.status_code == 201, meeting.text
        without = send(staff, setting.child_id, setting.school_id).json()
        teacher = as_user("teacher").client
        assert teacher.get(f"/api/v1/handovers/{without['id']}").json()["meetings"] == []
        withdrawn = staff.client.post(
            f"/api/v1/handovers/{without['id']}/withdraw", headers=staff.headers
        )
        assert withdrawn.status_code == 200

        covered = send(
            staff,
            setting.child_id,
            setting.school_id,
            consent=consent(includes_meetings=True),
        ).json()
        detail = teacher.get(f"/api/v1/handovers/{covered['id']}").json()
        assert detail["consent"]["includes_meetings"] is True
        assert detail["meetings"] == [
            {
                "kind": "network",
                "held_on": local_today().isoformat(),
                "participant_roles": ["Pædagog", "Sundhedsplejerske"],
                "parents_took_part": True,
                "agreed": "Fast voksen ved aflevering",
                "follow_up_on": None,
            }
        ]
        # The participants' names are the professionals' own: the school gets their roles.
        assert "Hanne Holm" not in str(detail)

    def test_includes_meetings_must_be_a_boolean(self, as_user, setting):
        response = send(
            as_user("staff"),
            setting.child_id,
            setting.school_id,
            consent=consent(includes_meetings="ja"),
        )
        assert response.status_code == 422

    def test_anyone_else_gets_404(self, as_user, setting):
        _, body = sent(as_user, setting)
        for user in ("staff_syd", "social", "admin"):
            response = as_user(user).client.get(f"/api/v1/handovers/{body['id']}")
            assert response.status_code == 404


class TestAcceptHandover:
    def test_accept_moves_the_child_to_the_school(self, as_user, setting):
        staff, body = sent(as_user, setting)
        teacher = as_user("teacher")
        assert teacher.client.get(f"/api/v1/children/{setting.child_id}").status_code == 404
        response = teacher.client.post(
            f"/api/v1/handovers/{body['id']}/accept", headers=teacher.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "accepted"
        assert teacher.client.get(f"/api/v1/children/{setting.child_id}").status_code == 200
        assert staff.client.get(f"/api/v1/children/{setting.child_id}").status_code == 404
        assert staff.client.get(f"/api/v1/assessments/{setting.assessment_id}").status_code == 404
        # The school still reads the handover summary, and so does the sender (its record).
        detail = teacher.client.get(f"/api/v1/handovers/{body['id']}").json()
        assert detail["summary"]["level"] == 2
        assert detail["status"] == "accepted"

    def test_the_school_does_not_get_the_daycares_assessments_in_the_childs_history(
        self, as_user, setting
    ):
        _, body = sent(as_user, setting)
        teacher = as_user("teacher")
        teacher.client.post(f"/api/v1/handovers/{body['id']}/accept", headers=teacher.headers)
        child = teacher.client.get(f"/api/v1/children/{setting.child_id}").json()
        assert child["assessments"] == []
        assert teacher.client.get(f"/api/v1/assessments/{setting.assessment_id}").status_code == 404

    def test_a_second_accept_is_409(self, as_user, setting):
        _, body = sent(as_user, setting)
        teacher = as_user("teacher")
        url = f"/api/v1/handovers/{body['id']}/accept"
        assert teacher.client.post(url, headers=teacher.headers).status_code == 200
        second = teacher.client.post(url, headers=teacher.headers)
        assert second.status_code == 409

    def test_the_sender_may_not_accept(self, as_user, setting):
        staff, body = sent(as_user, setting)
        response = staff.client.post(
            f"/api/v1/handovers/{body['id']}/accept", headers=staff.headers
        )
        assert response.status_code == 403

    def test_an_outsider_gets_404(self, as_user, setting):
        _, body = sent(as_user, setting)
        syd = as_user("staff_syd")
        response = syd.client.post(f"/api/v1/handovers/{body['id']}/accept", headers=syd.headers)
        assert response.status_code == 404

    def test_a_critical_assessment_after_sending_holds_it(self, app, org, as_user, setting):
        _, body = sent(as_user, setting)
        make_critical(app, org, setting)
        teacher = as_user("teacher")
        response = teacher.client.post(
            f"/api/v1/handovers/{body['id']}/accept", headers=teacher.headers
        )
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "abuse_rule"
        assert teacher.client.get(f"/api/v1/children/{setting.child_id}").status_code == 404


class TestWithdrawHandover:
    def test_the_sender_withdraws_and_nothing_moves(self, as_user, setting):
        staff, body = sent(as_user, setting)
        response = staff.client.post(
            f"/api/v1/handovers/{body['id']}/withdraw", headers=staff.headers
        )
        assert response.json()["status"] == "withdrawn"
        teacher = as_user("teacher")
        accept = teacher.client.post(
            f"/api/v1/handovers/{body['id']}/accept", headers=teacher.headers
        )
        assert accept.status_code == 409
        assert staff.client.get(f"/api/v1/children/{setting.child_id}").status_code == 200
        # A new handover may be sent once the first is withdrawn.
        assert send(staff, setting.child_id, setting.school_id).status_code == 201

    def test_the_receiver_may_not_withdraw(self, as_user, setting):
        _, body = sent(as_user, setting)
        teacher = as_user("teacher")
        response = teacher.client.post(
            f"/api/v1/handovers/{body['id']}/withdraw", headers=teacher.headers
        )
        assert response.status_code == 403


class TestTheChildsAccessLog:
    def test_the_steps_are_in_the_access_log_with_purposes(self, as_user, setting):
        _, body = sent(as_user, setting)
        teacher = as_user("teacher")
        teacher.client.get(f"/api/v1/handovers/{body['id']}")
        teacher.client.post(f"/api/v1/handovers/{body['id']}/accept", headers=teacher.headers)
        export = as_user("rektor").client.get(f"/api/v1/children/{setting.child_id}/export").json()
        actions = [row["action"] for row in export["access_log"]]
        assert "Overlevering til skole sendt (med forældrenes samtykke)" in actions
        assert "Overlevering vist" in actions
        assert "Overlevering modtaget: barnet hører nu til skolen" in actions
        purposes = {
            row["purpose"] for row in export["access_log"] if row["action"] == "Overlevering vist"
        }
        assert "overlevering: resumé" in purposes
        assert [h["status"] for h in export["handovers"]] == ["accepted"]
        assert export["handovers"][0]["consent"]["given_by"] == "Maria Jensen (mor)"
        # Everything stored about the child: the daycare's assessment too.
        assert [a["id"] for a in export["assessments"]] == [setting.assessment_id]
