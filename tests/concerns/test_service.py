"""Concerns: the abuse rule, anonymity, notifications, the workflow, deadlines and the inbox."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlmodel import select

from app.accounts.models import User
from app.assessments.models import Assessment
from app.audit.models import AuditEvent
from app.audit.tags import AuditTag
from app.catalogs import service as catalogs
from app.concerns import crypto, scope, service
from app.concerns.models import Concern
from app.concerns.schemas import ConcernRead, NotificationDetails
from app.db import local_today
from app.errors import Conflict, Forbidden, Invalid, NotFound
from tests.factories import id_of, make_child, make_draft, make_finished_assessment, signs

CIPHER = crypto.cipher_for("test-secret-key-that-is-long-enough-0123456789")


def _user(session, org, name) -> User:
    return session.get_one(User, org.users[name])


def _read(session, concern, viewer, cipher=None) -> dict[str, Any]:
    """What the API answers ``viewer`` about a concern."""
    return ConcernRead.of(service.view_of(session, concern, viewer, cipher=cipher)).to_json()


@pytest.fixture
def catalog():
    return next(c for c in catalogs.shipped_guide().catalogs if c.id == "3-5")


@pytest.fixture
def child(session, org):
    catalogs.import_shipped(session)
    return make_child(
        session,
        org.daycare_id,
        org.users["staff"],
        first_name="Alma",
        last_name="Østergaard",
        birth_date=dt.date(2022, 3, 4),
    )


def _finished(session, org, child, catalog, *, level=3, critical=False, draft=False) -> Assessment:
    """The staff member's assessment of ``child`` with one sign on ``level``: finished, or
    left a draft."""
    observed = signs(catalog.id, level=level, critical=critical)
    staff = _user(session, org, "staff")
    if draft:
        return make_draft(session, staff, child, observed=observed)
    return make_finished_assessment(session, staff, child, observed=observed)


def _notify(session, org, assessment, **kw):
    data = service.NotificationInput(
        message=kw.pop("message", "Barnet fortalte i dag, at far slår."),
        parents_informed=kw.pop("parents_informed", False),
        parents_note=kw.pop("parents_note", "Ikke orienteret: mistanke om vold."),
        confirmed=kw.pop("confirmed", True),
        **kw,
    )
    return service.submit_notification(
        session,
        _user(session, org, "staff"),
        assessment_id=assessment.id,
        data=data,
        cipher=CIPHER,
    )


class TestParentDialogue:
    def test_refused_for_a_critical_assessment_with_the_abuse_rule(
        self, session, org, child, catalog
    ):
        a = _finished(session, org, child, catalog, level=4, critical=True)
        with pytest.raises(Conflict, match="forældrene ikke orienteres"):
            service.record_dialogue(
                session,
                _user(session, org, "staff"),
                assessment_id=id_of(a),
                held_on=local_today(),
                participants="Mor, pædagog",
                agreed="x",
                follow_up_on=None,
            )

    def test_draft_assessments_cannot_have_concerns(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog, draft=True)
        with pytest.raises(Conflict):
            service.record_dialogue(
                session,
                _user(session, org, "staff"),
                assessment_id=id_of(a),
                held_on=local_today(),
                participants="Mor",
                agreed="x",
                follow_up_on=None,
            )

    def test_missing_fields_are_named(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog, level=2)
        with pytest.raises(Invalid) as caught:
            service.record_dialogue(
                session,
                _user(session, org, "staff"),
                assessment_id=id_of(a),
                held_on=local_today() + dt.timedelta(days=2),
                participants=" ",
                agreed="",
                follow_up_on=dt.date(2000, 1, 1),
            )
        assert [d["field"] for d in caught.value.details] == [
            "held_on",
            "participants",
            "agreed",
            "follow_up_on",
        ]

    def test_recorded_and_audited(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog, level=2)
        d = service.record_dialogue(
            session,
            _user(session, org, "leader"),
            assessment_id=id_of(a),
            held_on=local_today(),
            participants="Mor, far, Lene",
            agreed="Mere ro om morgenen.",
            follow_up_on=local_today() + dt.timedelta(days=30),
        )
        assert [x.id for x in service.dialogues_of(session, a)] == [d.id]
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "child:dialogue:create")
        ).one()
        assert event.child_id == child.id


class TestConsultation:
    @pytest.mark.parametrize(
        "message",
        [
            "Alma er ked af det.",
            "Vi er bekymrede for ØSTERGAARD.",
            "Født 04.03.2022, bekymret.",
            "Cpr 040322-4000 — bekymret.",
        ],
    )
    def test_a_message_that_identifies_the_child_is_refused(
        self, session, org, child, catalog, message
    ):
        a = _finished(session, org, child, catalog)
        with pytest.raises(Invalid, match="anonym"):
            service.submit_consultation(
                session, _user(session, org, "staff"), assessment_id=id_of(a), message=message
            )
        assert session.exec(select(Concern)).all() == []

    def test_social_worker_gets_nothing_that_identifies_the_child(
        self, session, org, child, catalog
    ):
        a = _finished(session, org, child, catalog)
        concern = service.submit_consultation(
            session,
            _user(session, org, "staff"),
            assessment_id=id_of(a),
            message="Pigen på 4 år virker trist og trækker sig fra legen i flere uger.",
        )
        social = _user(session, org, "social")
        body = _read(session, concern, social)
        text = json.dumps(body, ensure_ascii=False)
        for secret in ("Alma", "Østergaard", "2022-03-04", "04.03.2022"):
            assert secret not in text
        assert "child_id" not in body
        assert "assessment_id" not in body
        assert "child" not in body
        assert (body["anonymous"], body["age_years"], body["level"]) == (True, 4, 3)
        assert body["deadlines"] == {}

    def test_consultation_goes_to_the_institutions_district_only(
        self, session, org, child, catalog
    ):
        a = _finished(session, org, child, catalog)
        concern = service.submit_consultation(
            session,
            _user(session, org, "staff"),
            assessment_id=id_of(a),
            message="Trist i flere uger.",
        )
        assert service.list_for(session, _user(session, org, "social"))[0].id == concern.id
        assert service.list_for(session, _user(session, org, "social_syd")) == []
        with pytest.raises(NotFound):
            service.move(
                session,
                _user(session, org, "social_syd"),
                concern_id=id_of(concern),
                to="answered",
                note="x",
            )

    def test_social_worker_cannot_submit(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog)
        with pytest.raises(Forbidden):
            service.submit_consultation(
                session, _user(session, org, "social"), assessment_id=id_of(a), message="x"
            )


def _acute(session, org, child, catalog, *, also=()):
    """A finished assessment with the catalog's acute sign (and ``also``) observed."""
    ids = [i.id for i in catalog.indicators() if i.acute][:1] + list(also)
    return make_finished_assessment(session, _user(session, org, "staff"), child, observed=ids)


class TestNotification:
    def test_acute_notification_may_say_the_parents_are_informed(
        self, session, org, child, catalog
    ):
        a = _acute(session, org, child, catalog)
        concern = _notify(
            session,
            org,
            a,
            parents_informed=True,
            parents_note="Mor blev vred, far hentede.",
        )
        assert concern.parents_informed is True
        assert concern.critical is False
        assert concern.details["urgency"] == "urgent"

    def test_the_notification_carries_the_strengths_beside_the_worries(
        self, session, org, child, catalog
    ):
        strength = next(i for i in catalog.indicators() if i.level == 1)
        a = _acute(session, org, child, catalog, also=[strength.id])
        concern = _notify(session, org, a, parents_informed=True)
        levels = {item["id"]: item["level"] for item in concern.observed}
        assert levels[strength.id] == 1
        assert any(item["acute"] for item in concern.observed)

    def test_parents_informed_is_refused_when_critical(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog, level=4, critical=True)
        with pytest.raises(Invalid) as caught:
            _notify(session, org, a, parents_informed=True)
        assert caught.value.details[0]["field"] == "parents_informed"

    def test_must_be_confirmed(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog, level=4)
        with pytest.raises(Invalid, match="trækkes tilbage"):
            _notify(session, org, a, confirmed=False, parents_informed=True)

    def test_cpr_must_match_the_birth_date(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog, level=4)
        with pytest.raises(Invalid, match="fødselsdato"):
            _notify(session, org, a, parents_informed=True, cpr="050322-4000")

    def test_not_informed_needs_a_reason_when_not_critical(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog, level=4)
        with pytest.raises(Invalid, match="hvorfor"):
            _notify(session, org, a, parents_informed=False, parents_note="")

    def test_carries_identity_encrypted_cpr_and_notifier(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog, level=4, critical=True)
        concern = _notify(
            session,
            org,
            a,
            cpr="0403224000",
            details=NotificationDetails(done_so_far="Talt med leder."),
        )
        assert concern.cpr_encrypted
        assert "040322" not in concern.cpr_encrypted
        body = _read(session, concern, _user(session, org, "social"), cipher=CIPHER)
        assert body["child"] == {
            "name": "Alma Østergaard",
            "birth_date": "2022-03-04",
            "cpr_masked": "040322-XXXX",
        }
        assert body["parents_informed"] is False
        assert body["details"]["notifier_name"] == "Sofie Pædagog"
        assert "Børnehuset Solsikken" in body["details"]["notifier_contact"]
        assert set(body["deadlines"]) == {"assess_by", "acknowledge_by"}


class TestWorkflow:
    def test_steps_in_order_with_timeline_and_feedback(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog, level=4)
        concern = _notify(session, org, a, parents_informed=True)
        social = _user(session, org, "social")
        with pytest.raises(Conflict, match="næste skridt er «Kvitteret»"):
            service.move(session, social, concern_id=concern.id, to="assessed")
        service.move(session, social, concern_id=concern.id, to="acknowledged", note="Modtaget.")
        with pytest.raises(Invalid, match="udfaldet"):
            service.move(session, social, concern_id=concern.id, to="assessed")
        service.move(
            session,
            social,
            concern_id=concern.id,
            to="assessed",
            outcome="investigation",
            feedback="Vi indleder en undersøgelse.",
        )
        service.move(session, social, concern_id=concern.id, to="closed")
        steps = [(e.from_status, e.to_status) for e in scope.events_of(session, social, concern)]
        assert steps == [
            ("", "received"),
            ("received", "acknowledged"),
            ("acknowledged", "assessed"),
            ("assessed", "closed"),
        ]
        staff_view = _read(session, concern, _user(session, org, "staff"))
        assert staff_view["feedback"] == "Vi indleder en undersøgelse."
        assert staff_view["deadlines"]["acknowledge_by"]["met"] is True
        assert staff_view["deadlines"]["assess_by"]["met"] is True

    def test_staff_cannot_move_a_concern(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog)
        concern = service.submit_consultation(
            session, _user(session, org, "staff"), assessment_id=id_of(a), message="Trist længe."
        )
        with pytest.raises(Forbidden):
            service.move(
                session,
                _user(session, org, "staff"),
                concern_id=id_of(concern),
                to="answered",
                note="x",
            )

    def test_consultation_answer_needs_text(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog)
        concern = service.submit_consultation(
            session, _user(session, org, "staff"), assessment_id=id_of(a), message="Trist længe."
        )
        with pytest.raises(Invalid):
            service.move(
                session, _user(session, org, "social"), concern_id=id_of(concern), to="answered"
            )
        service.move(
            session,
            _user(session, org, "social"),
            concern_id=id_of(concern),
            to="answered",
            note="Tal med forældrene og følg op om en måned.",
        )
        assert _read(session, concern, _user(session, org, "leader"))["answer"].startswith("Tal")


class TestInbox:
    def test_notifications_first_critical_first_then_deadline_then_oldest(
        self, session, org, child, catalog
    ):
        staff = _user(session, org, "staff")
        c1 = service.submit_consultation(
            session,
            staff,
            assessment_id=id_of(_finished(session, org, child, catalog)),
            message="Trist længe.",
        )
        n_plain = _notify(
            session, org, _finished(session, org, child, catalog, level=4), parents_informed=True
        )
        n_critical = _notify(
            session, org, _finished(session, org, child, catalog, level=4, critical=True)
        )
        n_plain2 = _notify(
            session, org, _finished(session, org, child, catalog, level=4), parents_informed=True
        )
        # Of the two plain notifications the older has the earlier 24-hour deadline.
        ordered = service.list_for(session, _user(session, org, "social"))
        assert [c.id for c in ordered] == [n_critical.id, n_plain.id, n_plain2.id, c1.id]

    def test_the_inbox_page_reads_the_lists_order_deadlines_and_counts(
        self, session, org, child, catalog
    ):
        """``inbox_for`` reads Core rows of a few columns (on both databases): the same
        concerns, order, deadlines and header counts as ``list_for`` and ``counts_for``."""
        staff = _user(session, org, "staff")
        service.submit_consultation(
            session,
            staff,
            assessment_id=id_of(_finished(session, org, child, catalog)),
            message="Trist længe.",
        )
        for critical in (False, True, False):
            _notify(
                session,
                org,
                _finished(session, org, child, catalog, level=4, critical=critical),
                parents_informed=None if critical else True,
            )
        social = _user(session, org, "social")
        listed = service.list_for(session, social)
        closed = listed[-1]
        closed.status, closed.closed_at = "closed", closed.created_at + dt.timedelta(hours=1)
        session.add(closed)
        session.flush()
        later = listed[0].created_at + dt.timedelta(hours=25)  # the 24-hour deadlines passed
        page = service.inbox_for(session, social, closed_shown=None, now=later)
        ordered = service.inbox_order(service.list_for(session, social))
        assert [e.concern.id for e in page.entries] == [c.id for c in ordered]
        assert page.closed_left_out == 0
        for entry, concern in zip(page.entries, ordered, strict=True):
            assert entry.deadlines == service.deadlines_of(concern)
            assert entry.status.value == concern.status
            assert entry.concern.child_name == concern.child_name
        assert page.counts == service.counts_for(session, social, now=later)
        assert page.counts.overdue == 3
        assert service.inbox_for(session, social, closed_shown=0).closed_left_out == 1

    def test_counts_open_and_overdue(self, session, org, child, catalog):
        concern = _notify(
            session, org, _finished(session, org, child, catalog, level=4), parents_informed=True
        )
        social = _user(session, org, "social")
        assert service.counts_for(session, social) == service.Counts(open=1, overdue=0)
        later = concern.created_at + dt.timedelta(hours=25)
        assert service.counts_for(session, social, now=later) == service.Counts(open=1, overdue=1)

    def test_earlier_notifications_about_the_same_child_are_shown(
        self, session, org, child, catalog
    ):
        first = _notify(
            session, org, _finished(session, org, child, catalog, level=4), parents_informed=True
        )
        second = _notify(
            session, org, _finished(session, org, child, catalog, level=4), parents_informed=True
        )
        assert [
            c.id for c in service.earlier_concerns(session, _user(session, org, "social"), second)
        ] == [first.id]

    def test_admin_sees_no_concerns(self, session, org):
        with pytest.raises(Forbidden):
            service.list_for(session, _user(session, org, "admin"))


class TestCprKeyRotation:
    NEW = crypto.cipher_for("a-new-cpr-key-0123456789abcdefghijklmnopq")

    def test_every_number_is_encrypted_again_under_the_first_key(
        self, session, org, child, catalog
    ):
        a = _finished(session, org, child, catalog, level=4, critical=True)
        concern = _notify(session, org, a, cpr="0403224000")
        old_token = concern.cpr_encrypted
        both = crypto.cipher_for(
            "a-new-cpr-key-0123456789abcdefghijklmnopq",
            "test-secret-key-that-is-long-enough-0123456789",
        )

        result = service.rotate_cpr_numbers(session, both)

        session.refresh(concern)
        assert (result.rotated, result.unreadable) == (1, 0)
        assert concern.cpr_encrypted != old_token
        assert crypto.decrypt(self.NEW, concern.cpr_encrypted) == "040322-4000"
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == AuditTag.CPR_KEY_ROTATE.value)
        ).one()
        assert event.actor_username == "system"
        assert event.detail == "1 krypteret igen, 0 kunne ikke åbnes"
        assert "040322" not in event.detail

    def test_a_number_no_key_opens_is_left_as_it_is_and_counted(self, session, org, child, catalog):
        a = _finished(session, org, child, catalog, level=4, critical=True)
        concern = _notify(session, org, a, cpr="0403224000")
        old_token = concern.cpr_encrypted

        result = service.rotate_cpr_numbers(session, self.NEW)  # the old key was dropped

        session.refresh(concern)
        assert (result.rotated, result.unreadable) == (0, 1)
        assert concern.cpr_encrypted == old_token


class TestWhatTheNotifierIsTold:
    def test_internal_notes_stay_with_the_districts_social_workers(
        self, session, org, child, catalog
    ):
        concern = _notify(
            session, org, _finished(session, org, child, catalog, level=4), parents_informed=True
        )
        social = _user(session, org, "social")
        service.move(
            session, social, concern_id=concern.id, to="acknowledged", note="Ring til skolen."
        )
        service.move(
            session,
            social,
            concern_id=concern.id,
            to="assessed",
            outcome="investigation",
            feedback="Vi indleder en undersøgelse.",
            note="Kendt i forvaltningen fra 2023.",
        )
        for name in ("staff", "leader"):
            view = service.view_of(session, concern, _user(session, org, name), with_events=True)
            assert [e.note for e in view.events] == ["", "", ""]
            assert "Kendt" not in json.dumps(ConcernRead.of(view).to_json(), ensure_ascii=False)
            assert view.concern.feedback == "Vi indleder en undersøgelse."
        view = service.view_of(session, concern, social, with_events=True)
        assert [e.note for e in view.events] == [
            "",
            "Ring til skolen.",
            "Kendt i forvaltningen fra 2023.",
        ]

    def test_an_outcome_outside_the_five_is_refused_by_the_service(
        self, session, org, child, catalog
    ):
        concern = _notify(
            session, org, _finished(session, org, child, catalog, level=4), parents_informed=True
        )
        social = _user(session, org, "social")
        service.move(session, social, concern_id=concern.id, to="acknowledged")
        with pytest.raises(Invalid, match="viste udfald") as error:
            service.move(
                session, social, concern_id=concern.id, to="assessed", outcome="<b>hvad som helst"
            )
        assert error.value.field_messages() == {"outcome": "Vælg et af de viste udfald."}
        assert session.get_one(Concern, concern.id).outcome == ""


class TestUrgency:
    def test_a_critical_notification_is_at_least_as_soon_as_possible(
        self, session, org, child, catalog
    ):
        critical = _finished(session, org, child, catalog, level=4, critical=True)
        assert service.default_urgency(critical) == "urgent"
        without = _notify(session, org, critical)
        assert without.details["urgency"] == "urgent"
        chosen_normal = _notify(
            session,
            org,
            _finished(session, org, child, catalog, level=4, critical=True),
            details=NotificationDetails(urgency="normal"),
        )
        assert chosen_normal.details["urgency"] == "urgent"
        acute = _notify(
            session,
            org,
            _finished(session, org, child, catalog, level=4, critical=True),
            details=NotificationDetails(urgency="acute"),
        )
        assert acute.details["urgency"] == "acute"

    def test_an_acute_result_is_at_least_as_soon_as_possible(self, session, org, child, catalog):
        acute = _acute(session, org, child, catalog)
        assert service.default_urgency(acute) == "urgent"
        concern = _notify(
            session,
            org,
            acute,
            parents_informed=True,
            details=NotificationDetails(urgency="normal"),
        )
        assert concern.details["urgency"] == "urgent"

    def test_an_ordinary_notification_keeps_almindelig(self, session, org, child, catalog):
        plain = _finished(session, org, child, catalog, level=4)
        assert service.default_urgency(plain) == "normal"
        concern = _notify(session, org, plain, parents_informed=True)
        assert concern.details["urgency"] == "normal"

    def test_acute_ones_come_first_among_notifications(self, session, org, child, catalog):
        def notify(urgency, critical=False):
            return _notify(
                session,
                org,
                _finished(session, org, child, catalog, level=4, critical=critical),
                parents_informed=None if critical else True,
                details=NotificationDetails(urgency=urgency),
            )

        normal = notify("normal")
        urgent = notify("urgent")
        acute = notify("acute")
        critical_urgent = notify("urgent", critical=True)
        critical_acute = notify("acute", critical=True)
        ordered = service.list_for(session, _user(session, org, "social"))
        assert [c.id for c in ordered] == [
            critical_acute.id,
            critical_urgent.id,
            acute.id,
            urgent.id,
            normal.id,
        ]


class TestRevealCpr:
    def _with_cpr(self, session, org, child, catalog):
        return _notify(
            session,
            org,
            _finished(session, org, child, catalog, level=4),
            parents_informed=True,
            cpr="040322-4000",
        )

    def test_staff_and_leaders_never_get_the_full_number(self, session, org, child, catalog):
        concern = self._with_cpr(session, org, child, catalog)
        for name in ("staff", "leader"):
            with pytest.raises(Forbidden):
                service.reveal_cpr(
                    session,
                    _user(session, org, name),
                    concern_id=concern.id,
                    purpose="Nysgerrig",
                    cipher=CIPHER,
                )

    def test_another_districts_social_worker_gets_not_found(self, session, org, child, catalog):
        concern = self._with_cpr(session, org, child, catalog)
        with pytest.raises(NotFound):
            service.reveal_cpr(
                session,
                _user(session, org, "social_syd"),
                concern_id=concern.id,
                purpose="Oprettelse af sag",
                cipher=CIPHER,
            )

    def test_a_purpose_is_required(self, session, org, child, catalog):
        concern = self._with_cpr(session, org, child, catalog)
        with pytest.raises(Invalid, match="hvorfor"):
            service.reveal_cpr(
                session,
                _user(session, org, "social"),
                concern_id=concern.id,
                purpose="  ",
                cipher=CIPHER,
            )

    def test_a_consultation_has_no_number(self, session, org, child, catalog):
        concern = service.submit_consultation(
            session,
            _user(session, org, "staff"),
            assessment_id=id_of(_finished(session, org, child, catalog)),
            message="Trist længe.",
        )
        with pytest.raises(NotFound):
            service.reveal_cpr(
                session,
                _user(session, org, "social"),
                concern_id=id_of(concern),
                purpose="Oprettelse af sag",
                cipher=CIPHER,
            )

    def test_the_districts_social_worker_gets_it_audited_with_the_purpose(
        self, session, org, child, catalog
    ):
        concern = self._with_cpr(session, org, child, catalog)
        social = _user(session, org, "social")
        assert (
            service.reveal_cpr(
                session,
                social,
                concern_id=concern.id,
                purpose="Oprettelse af sag i fagsystemet",
                cipher=CIPHER,
            )
            == "040322-4000"
        )
        row = session.exec(select(AuditEvent).where(AuditEvent.action == AuditTag.CPR_REVEAL)).one()
        assert (row.actor_id, row.child_id, row.detail) == (
            social.id,
            child.id,
            "Oprettelse af sag i fagsystemet",
        )
        assert "4000" not in json.dumps(
            _read(session, concern, social, cipher=CIPHER), ensure_ascii=False
        )


class TestSignals:
    def test_staff_count_the_replies_that_arrived(self, session, org, child, catalog):
        staff = _user(session, org, "staff")
        concern = service.submit_consultation(
            session,
            staff,
            assessment_id=id_of(_finished(session, org, child, catalog)),
            message="Trist længe.",
        )
        assert service.counts_for(session, staff) == service.Counts(0, 0, replies=0)
        social = _user(session, org, "social")
        service.move(session, social, concern_id=id_of(concern), to="answered", note="Tal med mor.")
        assert service.counts_for(session, staff) == service.Counts(0, 0, replies=1)
        leaders = service.counts_for(session, _user(session, org, "leader"))
        assert leaders is not None
        assert leaders.replies == 1
        service.move(session, social, concern_id=id_of(concern), to="closed")
        staffs = service.counts_for(session, staff)
        assert staffs is not None
        assert staffs.replies == 0

    @pytest.mark.parametrize("field", ["feedback", "outcome"])
    def test_feedback_or_an_outcome_alone_is_a_reply(self, session, org, child, catalog, field):
        staff = _user(session, org, "staff")
        concern = service.submit_consultation(
            session,
            staff,
            assessment_id=id_of(_finished(session, org, child, catalog)),
            message="Trist længe.",
        )
        setattr(concern, field, "Henvist til PPR.")
        session.add(concern)
        session.flush()
        assert service.counts_for(session, staff) == service.Counts(0, 0, replies=1)

    def test_admins_have_no_counts(self, session, org):
        assert service.counts_for(session, _user(session, org, "admin")) is None

    def test_a_childs_concerns_are_the_institutions_alone(self, session, org, child, catalog):
        staff = _user(session, org, "staff")
        concern = service.submit_consultation(
            session,
            staff,
            assessment_id=id_of(_finished(session, org, child, catalog)),
            message="Trist længe.",
        )
        assert [c.id for c in service.for_child(session, staff, child_id=child.id)] == [concern.id]
        for name in ("social", "staff_syd"):
            assert service.for_child(session, _user(session, org, name), child_id=child.id) == []


class TestOneMessageLimit:
    def test_notes_and_feedback_longer_than_the_limit_are_refused_by_name(
        self, session, org, child, catalog
    ):
        from app.concerns.schemas import MESSAGE_MAX

        concern = _notify(
            session, org, _finished(session, org, child, catalog, level=4), parents_informed=True
        )
        social = _user(session, org, "social")
        too_long = "x" * (MESSAGE_MAX + 1)
        with pytest.raises(Invalid) as error:
            service.move(session, social, concern_id=concern.id, to="acknowledged", note=too_long)
        assert error.value.field_messages() == {"note": f"Højst {MESSAGE_MAX} tegn."}
        service.move(session, social, concern_id=concern.id, to="acknowledged")
        with pytest.raises(Invalid) as error:
            service.move(
                session,
                social,
                concern_id=concern.id,
                to="assessed",
                outcome="no_action",
                feedback=too_long,
            )
        assert error.value.field_messages() == {"feedback": f"Højst {MESSAGE_MAX} tegn."}
