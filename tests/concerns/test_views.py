"""Concern pages: consultation, notification, dialogue, inbox and the social worker's steps."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlmodel import col, select

from app import db
from app.accounts.models import District, Role, User
from app.catalogs import service as catalogs
from app.concerns.models import Concern
from app.db import local_today
from tests.factories import id_of, make_child, make_finished_assessment, make_user, signs
from tests.html import one


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def catalog():
    return next(c for c in catalogs.shipped_guide().catalogs if c.id == "3-5")


@pytest.fixture
def make_assessment(app, org, client):
    """``(assessment id, child id)``: a new child in the Nord daycare, assessed and finished
    with one sign on ``level`` (committed)."""

    def _make(
        level: int = 3, critical: bool = False, observed: list[str] | None = None
    ) -> tuple[int, int]:
        with db.session_scope(app.state.engine) as s:
            child = make_child(
                s,
                org.daycare_id,
                org.users["staff"],
                first_name="Ingrid",
                last_name="Kjærsgaard",
                birth_date=dt.date(2022, 3, 4),
            )
            staff = s.get_one(User, org.users["staff"])
            chosen = observed or signs(level=level, critical=critical)
            finished = make_finished_assessment(s, staff, child, observed=chosen)
            return id_of(finished), id_of(child)

    return _make


class TestAccess:
    def test_admin_has_no_concern_pages(self, as_user):
        assert as_user("admin").client.get("/concerns").status_code == 403

    def test_social_worker_cannot_open_the_staff_forms(self, as_user, make_assessment):
        assessment_id, _ = make_assessment()
        for kind in ("consultation", "notification", "dialogue"):
            r = as_user("social").client.get(f"/assessments/{assessment_id}/{kind}")
            assert r.status_code == 403, kind

    def test_staff_of_another_institution_gets_not_found(self, as_user, make_assessment):
        assessment_id, _ = make_assessment()
        r = as_user("teacher").client.get(f"/assessments/{assessment_id}/consultation")
        assert r.status_code == 404


class TestConsultationPages:
    def _send(self, staff, assessment_id, message):
        return staff.client.post(
            f"/assessments/{assessment_id}/consultation",
            data={"message": message, "csrf_token": staff.csrf_token},
        )

    def test_message_with_the_childs_name_is_refused_beside_the_field(
        self, as_user, app, make_assessment
    ):
        assessment_id, _ = make_assessment()
        r = self._send(as_user("staff"), assessment_id, "Ingrid græder hver morgen.")
        assert r.status_code == 422
        assert "anonym" in one(soup(r), "#error-message").text
        with db.session_scope(app.state.engine) as s:
            assert s.exec(select(Concern)).all() == []

    def test_social_worker_sees_no_identity_and_answers(self, as_user, make_assessment):
        assessment_id, child_id = make_assessment()
        staff = as_user("staff")
        r = self._send(staff, assessment_id, "Pigen græder hver morgen i flere uger.")
        assert r.status_code == 200  # followed to the concern page
        concern_path = r.url.path
        social = as_user("social")
        for path in ("/concerns", concern_path):
            page = social.client.get(path)
            assert page.status_code == 200
            text = page.text
            for secret in (
                "Ingrid",
                "Kjærsgaard",
                "04.03.2022",
                "2022-03-04",
                f"/children/{child_id}",
                f"/assessments/{assessment_id}",
            ):
                assert secret not in text, (path, secret)
        page = soup(social.client.get(concern_path))
        assert page.select_one("#identity") is None
        form = one(page, "#transition-form")
        assert one(form, "input[name=to]")["value"] == "answered"
        r = social.client.post(
            f"{concern_path}/transitions",
            data={
                "to": "answered",
                "note": "Tal med forældrene og følg op.",
                "csrf_token": social.csrf_token,
            },
        )
        assert r.status_code == 200
        staff_page = soup(staff.client.get(concern_path))
        assert one(staff_page, "#answer").text == "Tal med forældrene og følg op."
        assert one(staff_page, "#concern-status")["data-status"] == "answered"


class TestNotificationPages:
    def _form(self, staff, **extra):
        data = {
            "message": "Barnet fortalte, at far slår.",
            "parents_informed": "no",
            "parents_note": "Mistanke om vold.",
            "cpr": "",
            "confirm": "1",
            "csrf_token": staff.csrf_token,
        }
        data.update(extra)
        return data

    def test_acute_form_says_act_now_and_lets_the_parents_be_told(
        self, as_user, app, make_assessment, catalog
    ):
        strength = next(i for i in catalog.indicators() if i.level == 1)
        assessment_id, _ = make_assessment(observed=["3-5.care.parent-intoxicated", strength.id])
        staff = as_user("staff")
        page = soup(staff.client.get(f"/assessments/{assessment_id}/notification"))
        assert "Overlad ikke barnet" in one(page, "#acute-rule").get_text()
        assert page.select_one("#abuse-rule") is None
        assert "vold eller overgreb" not in one(page, "main").get_text()
        assert page.select_one("#input-parents_informed-yes") is not None
        assert one(page, "#input-urgency option[selected]")["value"] == "urgent"
        assert [li.get_text(strip=True) for li in page.select("#observed-strengths li")] == [
            strength.text
        ]
        r = staff.client.post(
            f"/assessments/{assessment_id}/notification",
            data=self._form(staff, parents_informed="yes", parents_note="Far hentede."),
            follow_redirects=False,
        )
        assert r.status_code == 303
        with db.session_scope(app.state.engine) as s:
            concern = s.exec(select(Concern).where(Concern.assessment_id == assessment_id)).one()
            assert (concern.parents_informed, concern.critical) == (True, False)
            concern_id = concern.id
        detail = soup(as_user("social").client.get(f"/concerns/{concern_id}"))
        assert detail.select_one("#acute-alert") is not None
        assert detail.select_one("#critical-alert") is None
        assert [li.get_text(strip=True) for li in detail.select("#observed-strengths li")] == [
            strength.text
        ]

    def test_critical_form_offers_no_yes_and_says_why(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=4, critical=True)
        page = soup(as_user("staff").client.get(f"/assessments/{assessment_id}/notification"))
        assert page.select_one("#abuse-rule") is not None
        assert page.select_one("#input-parents_informed-yes") is None

    def test_forged_yes_on_a_critical_assessment_is_refused(self, as_user, app, make_assessment):
        assessment_id, _ = make_assessment(level=4, critical=True)
        staff = as_user("staff")
        r = staff.client.post(
            f"/assessments/{assessment_id}/notification",
            data=self._form(staff, parents_informed="yes"),
        )
        assert r.status_code == 422
        assert soup(r).select_one("#error-parents_informed") is not None
        with db.session_scope(app.state.engine) as s:
            assert s.exec(select(Concern)).all() == []

    def test_unconfirmed_notification_is_not_sent(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=4)
        staff = as_user("staff")
        r = staff.client.post(
            f"/assessments/{assessment_id}/notification",
            data=self._form(staff, confirm="", parents_informed="yes"),
        )
        assert r.status_code == 422
        assert soup(r).select_one("#error-confirm") is not None

    def test_full_flow_receipt_identity_steps_and_feedback(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=4, critical=True)
        staff = as_user("staff")
        r = staff.client.post(
            f"/assessments/{assessment_id}/notification", data=self._form(staff, cpr="040322-4000")
        )
        assert r.status_code == 200
        assert soup(r).select_one("#receipt") is not None
        path = r.url.path
        social = as_user("social")
        page = soup(social.client.get(path))
        identity = one(page, "#identity").get_text(" ", strip=True)
        assert "Ingrid Kjærsgaard" in identity
        assert "040322-XXXX" in identity
        assert "4000" not in identity
        assert one(page, "[data-deadline=assess]")["data-state"] in ("open", "due_soon")
        # An illegal step is refused with a clear message and changes nothing.
        r = social.client.post(
            f"{path}/transitions", data={"to": "closed", "csrf_token": social.csrf_token}
        )
        assert r.status_code == 409
        assert "kan ikke gå til" in r.text
        for step in (
            {"to": "acknowledged"},
            {
                "to": "assessed",
                "outcome": "investigation",
                "feedback": "Vi indleder en børnefaglig undersøgelse.",
            },
        ):
            r = social.client.post(
                f"{path}/transitions", data={**step, "csrf_token": social.csrf_token}
            )
            assert r.status_code == 200
        staff_page = soup(staff.client.get(path))
        assert one(staff_page, "[data-deadline=acknowledge]")["data-state"] == "met"
        assert "børnefaglig undersøgelse" in one(staff_page, "#feedback").text
        assert [li["data-status"] for li in staff_page.select("#timeline li")] == [
            "received",
            "acknowledged",
            "assessed",
        ]
        # who took each step, by name (the sender, then the social worker)
        steps = [li.get_text(" ", strip=True) for li in staff_page.select("#timeline li")]
        assert "Sofie Pædagog" in steps[0]
        assert "Rikke Rådgiver" in steps[1]
        leader_list = soup(as_user("leader").client.get("/concerns"))
        assert leader_list.select("#concerns-table tbody tr[id]")

    def test_other_district_social_worker_gets_not_found(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=4)
        staff = as_user("staff")
        r = staff.client.post(
            f"/assessments/{assessment_id}/notification",
            data=self._form(staff, parents_informed="yes", parents_note="Mor tog det pænt."),
        )
        assert as_user("social_syd").client.get(r.url.path).status_code == 404


class TestDialoguePages:
    def test_critical_assessment_shows_the_abuse_rule_and_refuses_a_post(
        self, as_user, make_assessment
    ):
        assessment_id, _ = make_assessment(level=4, critical=True)
        staff = as_user("staff")
        page = soup(staff.client.get(f"/assessments/{assessment_id}/dialogue"))
        assert page.select_one("#abuse-rule") is not None
        assert page.select_one("#dialogue-form") is None
        r = staff.client.post(
            f"/assessments/{assessment_id}/dialogue",
            data={
                "held_on": local_today().isoformat(),
                "participants": "Mor",
                "agreed": "x",
                "csrf_token": staff.csrf_token,
            },
        )
        assert r.status_code == 409

    @pytest.mark.parametrize("hx", [False, True])
    def test_dialogue_is_recorded(self, as_user, make_assessment, hx):
        assessment_id, _ = make_assessment(level=2)
        staff = as_user("staff")
        r = staff.client.post(
            f"/assessments/{assessment_id}/dialogue",
            data={
                "held_on": local_today().isoformat(),
                "participants": "Mor, far",
                "agreed": "Fast sengetid.",
                "follow_up_on": "",
                "csrf_token": staff.csrf_token,
            },
            headers={"HX-Request": "true"} if hx else {},
            follow_redirects=False,
        )
        assert r.status_code == (204 if hx else 303)
        page = soup(staff.client.get(f"/assessments/{assessment_id}/dialogue"))
        assert "Fast sengetid." in one(page, "#dialogue-list").text

    def test_missing_fields_are_shown(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=2)
        staff = as_user("staff")
        r = staff.client.post(
            f"/assessments/{assessment_id}/dialogue",
            data={
                "held_on": "i går",
                "participants": "",
                "agreed": "",
                "csrf_token": staff.csrf_token,
            },
        )
        assert r.status_code == 422
        assert soup(r).select_one("#error-held_on") is not None


class TestInboxPage:
    def test_inbox_lists_notifications_before_consultations_with_deadline_text(
        self, as_user, make_assessment
    ):
        staff = as_user("staff")
        a1, _ = make_assessment()
        staff.client.post(
            f"/assessments/{a1}/consultation",
            data={"message": "Trist længe.", "csrf_token": staff.csrf_token},
        )
        a2, _ = make_assessment(level=4)
        _notify(staff, a2, message="Bekymret.")
        page = soup(as_user("social").client.get("/concerns"))
        kinds = [tr["data-kind"] for tr in page.select("#inbox-table tbody tr[id]")]
        assert kinds == ["notification", "consultation"]
        first = one(page, "#inbox-table tbody tr[id]")
        assert "Vurderes senest" in first.get_text(" ", strip=True)
        assert "Åben" in first.get_text(" ", strip=True)

    def test_every_id_on_the_inbox_is_unique_with_several_deadlines(self, as_user, make_assessment):
        staff = as_user("staff")
        for level in (2, 3):
            assessment_id, _ = make_assessment(level=level)
            _notify(staff, assessment_id, message="Bekymret.")
        page = soup(as_user("social").client.get("/concerns"))
        assert len(page.select("[data-deadline=assess]")) == 2
        ids = [tag["id"] for tag in page.select("[id]")]
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)

    def test_the_inbox_shows_the_latest_closed_concerns_and_links_to_all(
        self, app, as_user, make_assessment, monkeypatch
    ):
        from app.concerns import views

        monkeypatch.setattr(views, "CLOSED_SHOWN", 1)
        staff = as_user("staff")
        for _ in range(3):
            assessment_id, _ = make_assessment()
            staff.client.post(
                f"/assessments/{assessment_id}/consultation",
                data={"message": "Trist længe.", "csrf_token": staff.csrf_token},
            )
        with db.session_scope(app.state.engine) as s:
            first, second, third = s.exec(select(Concern).order_by(col(Concern.id))).all()
            for concern, days_ago in ((first, 3), (second, 1)):
                concern.status = "closed"
                concern.closed_at = db.utcnow() - dt.timedelta(days=days_ago)
                s.add(concern)
            ids = [first.id, second.id, third.id]
        social = as_user("social")
        page = soup(social.client.get("/concerns"))
        rows = [tr["id"] for tr in page.select("#inbox-table tbody tr[id]")]
        assert rows == [f"concern-{ids[2]}", f"concern-{ids[1]}"]  # open, then the latest closed
        left_out = one(page, "#closed-left-out")
        assert "1 ældre afsluttet sag vises ikke" in left_out.get_text(" ", strip=True)
        everything = soup(social.client.get(one(left_out, "a")["href"]))
        rows = [tr["id"] for tr in everything.select("#inbox-table tbody tr[id]")]
        assert rows == [f"concern-{ids[2]}", f"concern-{ids[1]}", f"concern-{ids[0]}"]
        assert everything.select_one("#closed-left-out") is None


class TestIntegration:
    def test_result_page_links_the_recommended_flows(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=3)
        page = soup(as_user("staff").client.get(f"/assessments/{assessment_id}"))
        dialogue = one(page, "#next-step-parent_dialogue a")
        consult = one(page, "#next-step-social_worker_consult a")
        assert dialogue["href"] == f"/assessments/{assessment_id}/dialogue"
        assert consult["href"] == f"/assessments/{assessment_id}/consultation"
        other = one(page, "#other-steps")
        assert other.select_one(f"a[href='/assessments/{assessment_id}/notification']")

    def test_critical_result_offers_no_dialogue_anywhere(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=4, critical=True)
        page = soup(as_user("staff").client.get(f"/assessments/{assessment_id}"))
        assert page.select(f"a[href='/assessments/{assessment_id}/dialogue']") == []
        assert page.select_one("#next-step-notification a") is not None

    def test_sent_concerns_are_listed_on_the_result_and_the_leaders_start_page(
        self, as_user, make_assessment
    ):
        assessment_id, _ = make_assessment()
        staff = as_user("staff")
        staff.client.post(
            f"/assessments/{assessment_id}/consultation",
            data={"message": "Trist længe.", "csrf_token": staff.csrf_token},
        )
        page = soup(staff.client.get(f"/assessments/{assessment_id}"))
        assert "Anonym sparring sendt" in one(page, "#steps-taken").text
        leader = soup(as_user("leader").client.get("/"))
        assert "Anonym sparring" in one(leader, "#recent-concerns").text

    def test_social_worker_header_counts_open_concerns(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=4)
        staff = as_user("staff")
        _notify(staff, assessment_id, message="Bekymret.")
        page = soup(as_user("social").client.get("/"))
        assert one(page, "#count-open").get_text(strip=True).startswith("1")
        assert page.select_one("#count-overdue") is None
        assert (
            one(soup(as_user("social_syd").client.get("/")), "#count-open")
            .get_text(strip=True)
            .startswith("0")
        )


def _consult(staff, assessment_id, message="Trist længe.", hx=False):
    return staff.client.post(
        f"/assessments/{assessment_id}/consultation",
        data={"message": message, "csrf_token": staff.csrf_token},
        headers={"HX-Request": "true"} if hx else {},
        follow_redirects=not hx,
    )


def _notify(staff, assessment_id, **extra):
    data = {
        "message": "Barnet fortalte, at far slår.",
        "parents_informed": "yes",
        "parents_note": "",
        "cpr": "",
        "confirm": "1",
        "csrf_token": staff.csrf_token,
    }
    data.update(extra)
    return staff.client.post(f"/assessments/{assessment_id}/notification", data=data)


def _step(social, path, hx=False, **data):
    return social.client.post(
        f"{path}/transitions",
        data={**data, "csrf_token": social.csrf_token},
        headers={"HX-Request": "true"} if hx else {},
        follow_redirects=not hx,
    )


class TestAfterSending:
    @pytest.mark.parametrize("hx", [False, True])
    def test_a_consultation_says_where_it_went_what_next_and_links_the_child(
        self, as_user, make_assessment, hx
    ):
        assessment_id, child_id = make_assessment()
        staff = as_user("staff")
        r = _consult(staff, assessment_id, hx=hx)
        if hx:
            assert r.status_code == 204
            r = staff.client.get(r.headers["HX-Redirect"])
        receipt = one(soup(r), "#receipt")
        text = receipt.get_text(" ", strip=True)
        assert "Sparringen er sendt" in text
        assert "socialrådgiverne i Nord" in text
        assert "svar senest" in text
        duty = one(receipt, "#duty-to-notify").get_text(" ", strip=True)
        assert "udskyder ikke din pligt" in duty
        assert "grund til at antage, at barnet kan have behov for særlig støtte" in duty
        assert one(receipt, "#back-to-child")["href"] == f"/children/{child_id}"

    def test_the_consultation_form_says_the_text_is_read_word_for_word(
        self, as_user, make_assessment
    ):
        assessment_id, _ = make_assessment()
        page = soup(as_user("staff").client.get(f"/assessments/{assessment_id}/consultation"))
        assert "ord for ord" in one(page, "#word-for-word").text

    def test_the_consultation_form_says_it_never_postpones_the_duty_to_notify(
        self, as_user, make_assessment
    ):
        assessment_id, _ = make_assessment()
        page = soup(as_user("staff").client.get(f"/assessments/{assessment_id}/consultation"))
        duty = one(page, "#duty-to-notify")
        text = " ".join(duty.get_text().split())
        assert "udskyder aldrig din pligt til at underrette" in text
        assert "grund til at antage, at barnet kan have behov for særlig støtte" in text
        assert "underrette kommunen nu" in text
        assert "også mens sparringen og jeres egen indsats fortsætter" in text
        assert "Barnets lov § 133" in text
        link = one(duty, "#notify-now")
        assert link["href"] == f"/assessments/{assessment_id}/notification"
        assert as_user("staff").client.get(link["href"]).status_code == 200

    def test_a_disguised_name_is_refused_beside_the_field_quoting_it(
        self, as_user, make_assessment
    ):
        assessment_id, _ = make_assessment()
        r = _consult(as_user("staff"), assessment_id, message="Kjærsgaardfamilien er flyttet.")
        assert r.status_code == 422
        assert "«Kjærsgaardfamilien»" in one(soup(r), "#error-message").text


class TestWhatStaffSee:
    def test_the_internal_note_is_labelled_and_never_shown_to_the_institution(
        self, as_user, make_assessment
    ):
        assessment_id, _ = make_assessment(level=4)
        staff = as_user("staff")
        path = _notify(staff, assessment_id).url.path
        social = as_user("social")
        page = soup(social.client.get(path))
        assert one(page, "label[for=input-note]").get_text(strip=True).startswith("Intern note")
        _step(social, path, to="acknowledged", note="Kendt i forvaltningen.")
        page = soup(social.client.get(path))
        assert (
            one(page, "label[for=input-feedback]")
            .get_text(strip=True)
            .startswith("Tilbagemelding til underretteren")
        )
        assert "Kendt i forvaltningen." in one(page, "#timeline").text
        for name in ("staff", "leader"):
            staff_page = soup(as_user(name).client.get(path))
            assert "Kendt" not in staff_page.get_text()
            assert "Kendt" not in as_user(name).client.get(f"/api/v1{path}").text

    def test_the_institutions_list_names_the_child_the_inbox_never_on_a_consultation(
        self, as_user, make_assessment
    ):
        consulted, _ = make_assessment()
        notified, _ = make_assessment(level=4)
        staff = as_user("staff")
        _consult(staff, consulted)
        _notify(staff, notified)
        for name in ("staff", "leader"):
            rows = soup(as_user(name).client.get("/concerns")).select("#concerns-table tbody tr")
            assert [one(r, ".concern-child").text for r in rows] == ["Ingrid Kjærsgaard"] * 2
        inbox = soup(as_user("social").client.get("/concerns"))
        consultation = one(inbox, "tr[data-kind=consultation]")
        assert "Ingrid" not in consultation.get_text()
        assert "Kjærsgaard" not in consultation.get_text()
        notification = one(inbox, "tr[data-kind=notification]")
        assert one(notification, ".concern-child").text == "Ingrid Kjærsgaard"

    def test_an_answer_is_counted_on_sager_and_shown_with_the_child_and_assessment(
        self, as_user, make_assessment
    ):
        assessment_id, child_id = make_assessment()
        staff = as_user("staff")
        path = _consult(staff, assessment_id).url.path
        assert soup(staff.client.get("/")).select_one("#count-replies") is None
        _step(as_user("social"), path, to="answered", note="Tal med forældrene først.")
        for name in ("staff", "leader"):
            header = one(soup(as_user(name).client.get("/")), "#count-replies")
            assert header.get_text(" ", strip=True) == "1 nyt svar"
        result = soup(staff.client.get(f"/assessments/{assessment_id}"))
        assert "Tal med forældrene først." in one(result, "#steps-taken").text
        child_page = soup(staff.client.get(f"/children/{child_id}"))
        assert one(child_page, "#child-concerns[hx-get]")["hx-trigger"] == "load"
        for hx in (False, True):
            r = staff.client.get(
                f"/children/{child_id}/concerns", headers={"HX-Request": "true"} if hx else {}
            )
            page = soup(r)
            assert (page.select_one("h1") is None) is hx
            assert "Tal med forældrene først." in one(page, "#sent-concerns").text
        assert as_user("staff_syd").client.get(f"/children/{child_id}/concerns").status_code == 404


class TestSocialWorkerSteps:
    @pytest.mark.parametrize("hx", [False, True])
    def test_send_svar_is_confirmed_and_the_next_step_is_a_button(
        self, as_user, make_assessment, hx
    ):
        assessment_id, _ = make_assessment()
        path = _consult(as_user("staff"), assessment_id).url.path
        social = as_user("social")
        page = soup(social.client.get(path))
        assert one(page, "#next-heading").get_text(strip=True) == "Næste skridt i sagen"
        button = one(page, "#transition-form button[type=submit]")
        assert button.get_text(strip=True) == "Send svar"
        assert "button" in button["class"]
        r = _step(social, path, hx=hx, to="answered", note="Tal med forældrene.")
        if hx:
            assert r.status_code == 204
            r = social.client.get(r.headers["HX-Redirect"])
        done = one(soup(r), "#step-done")
        assert "Dit svar er sendt til medarbejderen" in done.get_text()
        assert one(soup(r), "#concern-status")["data-status"] == "answered"

    def test_an_outcome_outside_the_five_is_refused_on_the_page(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=4)
        path = _notify(as_user("staff"), assessment_id).url.path
        social = as_user("social")
        _step(social, path, to="acknowledged")
        r = _step(social, path, to="assessed", outcome="noget helt andet")
        assert r.status_code == 422
        assert soup(r).select_one("#error-outcome") is not None
        assert social.client.get(f"/api/v1{path}").json()["status"] == "acknowledged"

    def test_the_inbox_shows_the_urgency(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=4)
        _notify(as_user("staff"), assessment_id, urgency="acute")
        inbox = soup(as_user("social").client.get("/concerns"))
        cell = one(inbox, "tr[data-kind=notification] .concern-urgency")
        assert cell.get_text(strip=True) == "Akut – barnet er i fare nu"

    def test_a_critical_result_preselects_hurtigst_muligt(self, as_user, make_assessment):
        critical, _ = make_assessment(level=4, critical=True)
        plain, _ = make_assessment(level=4)
        staff = as_user("staff")
        for assessment_id, expected in ((critical, "urgent"), (plain, "normal")):
            page = soup(staff.client.get(f"/assessments/{assessment_id}/notification"))
            assert one(page, "#input-urgency option[selected]")["value"] == expected


class TestRevealCprPage:
    def _notification(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=4)
        return _notify(as_user("staff"), assessment_id, cpr="040322-4000").url.path

    @pytest.mark.parametrize("hx", [False, True])
    def test_the_districts_social_worker_reveals_it_with_a_purpose(
        self, as_user, make_assessment, hx
    ):
        path = self._notification(as_user, make_assessment)
        social = as_user("social")
        page = soup(social.client.get(path))
        assert one(page, "#cpr-masked").text == "040322-XXXX"
        r = social.client.post(
            f"{path}/cpr",
            data={"purpose": "Oprettelse af sag", "csrf_token": social.csrf_token},
            headers={"HX-Request": "true"} if hx else {},
        )
        assert r.status_code == 200
        assert r.headers["Cache-Control"] == "no-store"
        page = soup(r)
        assert one(page, "#cpr-full").text == "040322-4000"
        assert (page.select_one("h1") is None) is hx
        assert "4000" not in social.client.get(path).text

    def test_an_empty_purpose_is_refused_beside_the_field(self, as_user, make_assessment):
        path = self._notification(as_user, make_assessment)
        social = as_user("social")
        r = social.client.post(f"{path}/cpr", data={"purpose": "", "csrf_token": social.csrf_token})
        assert r.status_code == 422
        assert soup(r).select_one("#error-cpr-purpose") is not None
        assert "4000" not in r.text

    def test_staff_keep_the_mask_and_cannot_reveal(self, as_user, make_assessment):
        path = self._notification(as_user, make_assessment)
        staff = as_user("staff")
        page = soup(staff.client.get(path))
        assert one(page, "#cpr-masked").text == "040322-XXXX"
        assert page.select_one("#cpr-form") is None
        r = staff.client.post(f"{path}/cpr", data={"purpose": "x", "csrf_token": staff.csrf_token})
        assert r.status_code == 403
        assert "4000" not in r.text


class TestDialogueRedirect:
    def test_the_result_page_shows_what_was_saved_at_the_top(self, as_user, make_assessment):
        assessment_id, _ = make_assessment(level=2)
        staff = as_user("staff")
        r = staff.client.post(
            f"/assessments/{assessment_id}/dialogue",
            data={
                "held_on": local_today().isoformat(),
                "participants": "Mor, far, pædagog",
                "agreed": "Fast sengetid.",
                "follow_up_on": (local_today() + dt.timedelta(days=30)).isoformat(),
                "csrf_token": staff.csrf_token,
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        location = r.headers["Location"]
        assert location.startswith(f"/assessments/{assessment_id}?saved=dialogue&dialogue=")
        assert location.endswith("#dialogue-saved")
        saved = one(soup(staff.client.get(location)), "#dialogue-saved")
        assert one(saved, "#saved-participants").text == "Mor, far, pædagog"
        follow_up = (local_today() + dt.timedelta(days=30)).strftime("%d.%m.%Y")
        assert one(saved, "#saved-follow-up").text == follow_up


class TestDocumentButton:
    def test_the_notification_page_offers_the_pdf_to_the_institution_and_the_district(
        self, as_user, make_assessment
    ):
        assessment_id, _ = make_assessment(level=4)
        path = _notify(as_user("staff"), assessment_id).url.path
        concern_id = int(path.rsplit("/", 1)[1])
        for name in ("staff", "leader", "social"):
            page = soup(as_user(name).client.get(path))
            button = one(page, "#document-pdf")
            assert button.get_text(strip=True) == "Hent som PDF"
            assert button["href"] == f"/api/v1/concerns/{concern_id}/document.pdf"
            assert button["download"] == f"underretning-{concern_id}.pdf"
            assert "logges" in one(page, "#document-hint").text
        pdf = as_user("social").client.get(str(button["href"]))
        assert pdf.headers["content-type"] == "application/pdf"

    def test_a_consultation_has_no_document_button(self, as_user, make_assessment):
        assessment_id, _ = make_assessment()
        path = _consult(as_user("staff"), assessment_id).url.path
        for name in ("staff", "social"):
            assert soup(as_user(name).client.get(path)).select_one("#document-pdf") is None


class TestChangedByAnother:
    """Two social workers with the same concern page open: the second one's form carries the
    version it was rendered with, so its step is refused with the Danish news, not applied."""

    CHANGED = "Henvendelsen er lige blevet ændret af en anden. Se den nye status."

    def _form_fields(self, page: BeautifulSoup, selector: str) -> dict[str, str]:
        form = one(page, selector)
        return {str(i["name"]): str(i.get("value", "")) for i in form.select("input[type=hidden]")}

    def test_a_stale_step_form_shows_the_new_status_and_changes_nothing(
        self, as_user, make_assessment
    ):
        assessment_id, _ = make_assessment()
        staff = as_user("staff")
        path = staff.client.post(
            f"/assessments/{assessment_id}/consultation",
            data={"message": "Pigen græder hver morgen.", "csrf_token": staff.csrf_token},
        ).url.path
        first, second = as_user("social"), as_user("social")
        stale = self._form_fields(soup(second.client.get(path)), "#transition-form")
        assert stale["version"] == "1"
        fresh = self._form_fields(soup(first.client.get(path)), "#transition-form")
        done = first.client.post(
            f"{path}/transitions", data={**fresh, "note": "Tal med forældrene."}
        )
        assert done.status_code == 200
        r = second.client.post(
            f"{path}/transitions", data={**stale, "note": "Mit eget svar."}, follow_redirects=False
        )
        assert r.status_code == 409
        page = soup(r)
        assert one(page, "#changed-alert").get_text(" ", strip=True) == self.CHANGED
        assert one(page, "#concern-status")["data-status"] == "answered"
        assert one(page, "#answer").text == "Tal med forældrene."
        # the page now offers the next step on the new version
        assert self._form_fields(page, "#transition-form")["version"] == "2"

    def test_a_stale_take_form_shows_who_took_it(self, app, as_user, org, make_assessment):
        with db.session_scope(app.state.engine) as s:
            nord = s.get_one(District, org.nord_id)
            make_user(s, "social2", Role.SOCIAL_WORKER, district=nord, display_name="Søren")
        staff = as_user("staff")
        assessment_id, _ = make_assessment()
        path = staff.client.post(
            f"/assessments/{assessment_id}/consultation",
            data={"message": "Pigen græder hver morgen.", "csrf_token": staff.csrf_token},
        ).url.path
        rikke, soren = as_user("social"), as_user("social2")
        stale = self._form_fields(soup(soren.client.get(path)), "#take-form")
        taken = self._form_fields(soup(rikke.client.get(path)), "#take-form")
        assert rikke.client.post(f"{path}/take", data=taken).status_code == 200
        r = soren.client.post(f"{path}/take", data=stale, follow_redirects=False)
        assert r.status_code == 409
        page = soup(r)
        assert one(page, "#changed-alert").get_text(" ", strip=True) == self.CHANGED
        assert "Rikke Rådgiver" in one(page, "#take-form").get_text()
        # taking one's own again changes nothing, whatever the form's version
        again = rikke.client.post(f"{path}/take", data=taken, follow_redirects=False)
        assert again.status_code == 303
        concern_id = int(path.rsplit("/", 1)[1])
        with db.session_scope(app.state.engine) as s:
            concern = s.get_one(Concern, concern_id)
            assert (concern.assigned_to, concern.version) == (org.users["social"], 2)

    def test_taking_a_closed_concern_keeps_its_own_reason(self, as_user, make_assessment):
        assessment_id, _ = make_assessment()
        staff = as_user("staff")
        path = staff.client.post(
            f"/assessments/{assessment_id}/consultation",
            data={"message": "Pigen græder hver morgen.", "csrf_token": staff.csrf_token},
        ).url.path
        social = as_user("social")
        stale = self._form_fields(soup(social.client.get(path)), "#take-form")
        for step in ({"to": "answered", "note": "Svar"}, {"to": "closed"}):
            social.client.post(
                f"{path}/transitions", data={**step, "csrf_token": social.csrf_token}
            )
        r = social.client.post(f"{path}/take", data=stale, follow_redirects=False)
        assert r.status_code == 409
        assert "afsluttet og kan ikke overtages" in r.text


class TestInboxLines:
    """The inbox page reads Core rows of a few columns (``inbox.INBOX_COLUMNS``), not the
    concerns the API lists: the page must still show the API's order, deadlines and marks."""

    def test_the_page_has_the_apis_order_deadline_states_and_marks(
        self, app, as_user, make_assessment
    ):
        staff = as_user("staff")
        _consult(staff, make_assessment()[0])
        for urgency in ("normal", "acute", "urgent"):
            assert _notify(staff, make_assessment(level=4)[0], urgency=urgency).status_code == 200
        critical = make_assessment(level=4, critical=True)[0]
        assert _notify(staff, critical, urgency="normal", parents_informed="no").status_code == 200
        social = as_user("social")
        listed = social.client.get("/api/v1/concerns").json()
        # One acknowledged (its deadline met), one closed (last in the inbox).
        acknowledged, closed = listed[1]["id"], listed[-1]["id"]
        _step(social, f"/concerns/{acknowledged}", to="acknowledged")
        with db.session_scope(app.state.engine) as s:
            concern = s.get(Concern, closed)
            assert concern is not None
            concern.status, concern.closed_at = "closed", db.utcnow()
            s.add(concern)
        social.client.post(
            f"/concerns/{listed[2]['id']}/take", data={"csrf_token": social.csrf_token}
        )
        listed = social.client.get("/api/v1/concerns").json()
        page = soup(social.client.get("/concerns"))
        lines = page.select("#inbox-table tbody tr[id]")
        assert [tr["id"] for tr in lines] == [f"concern-{c['id']}" for c in listed]
        for tr, concern in zip(lines, listed, strict=True):
            states = {
                span["data-deadline"]: span["data-state"]
                for span in tr.select(".deadline[data-state]")
            }
            expected = {
                name: d["state"]
                for name, d in (
                    ("assess", concern["deadlines"].get("assess_by")),
                    ("acknowledge", concern["deadlines"].get("acknowledge_by")),
                )
                if d
            }
            assert states == expected
            assert one(tr, "td[data-status]")["data-status"] == concern["status"]
            assert (tr.select_one(".critical-marker") is not None) is concern["critical"]
            assert (tr.select_one(".mine-marker") is not None) is (concern["id"] == listed[2]["id"])
            assert tr.select_one(f".level-badge.level-{concern['level']}") is not None
            assert "Ingen lovbestemte frister" in tr.get_text() or concern["deadlines"]
        assert one(lines[1], "[data-deadline=acknowledge]")["data-state"] == "met"
        assert lines[0].select_one(".critical-marker") is not None
        urgencies = [
            u["data-urgency"] for u in page.select("tr[data-kind=notification] [data-urgency]")
        ]
        assert urgencies[1:4] == ["acute", "urgent", "normal"]  # after the critical one
        assert "Hurtigst muligt" in lines[2].get_text()

    def test_the_institution_and_the_child_of_a_notification_are_named(
        self, as_user, make_assessment
    ):
        staff = as_user("staff")
        _consult(staff, make_assessment()[0])
        _notify(staff, make_assessment(level=4)[0])
        page = soup(as_user("social").client.get("/concerns"))
        notification = one(page, "tr[data-kind=notification]")
        consultation = one(page, "tr[data-kind=consultation]")
        assert notification.select_one(".concern-child") is not None
        assert consultation.select_one(".concern-child") is None
        names = [one(tr, "td > .muted").get_text(strip=True) for tr in (notification, consultation)]
        assert names[0] != ""
        assert names[0] == names[1]

    def test_the_inbox_counts_its_header_from_its_own_rows_as_every_page_does(
        self, app, as_user, make_assessment
    ):
        staff = as_user("staff")
        for _ in range(2):
            _notify(staff, make_assessment(level=4)[0])
        _consult(staff, make_assessment()[0])
        social = as_user("social")
        first = social.client.get("/api/v1/concerns").json()[0]["id"]
        social.client.post(f"/concerns/{first}/take", data={"csrf_token": social.csrf_token})
        with db.session_scope(app.state.engine) as s:  # one notification is overdue
            concern = s.get(Concern, first)
            assert concern is not None
            concern.created_at = db.utcnow() - dt.timedelta(days=3)
            s.add(concern)

        def header(path):
            page = soup(social.client.get(path))
            return {
                name: (page.select_one(f"#count-{name}") or page).get_text(" ", strip=True)
                for name in ("open", "mine", "overdue")
            }

        inbox, start = header("/concerns"), header("/")
        assert inbox == start
        assert inbox["open"].startswith("3")
        assert inbox["mine"].startswith("1")
        assert inbox["overdue"].startswith("1")
