"""Assessments: drafts that save every tick, finishing with the level rules, pinned versions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from app.accounts.models import User
from app.assessments import service
from app.assessments.models import Assessment
from app.audit.models import AuditEvent
from app.catalogs import service as catalogs
from app.db import local_today
from app.errors import Conflict, Forbidden, Invalid, NotFound
from tests.factories import (
    id_of,
    make_child,
    make_draft,
    make_finished_assessment,
    publish_with_text_changed,
)

# The shipped file's version is the first one stored.
SHIPPED = catalogs.shipped_guide().catalog("3-5").version


@pytest.fixture
def child(session, org):
    catalogs.import_shipped(session)
    return make_child(session, org.daycare_id, org.users["staff"], age_years=4)


@pytest.fixture
def catalog():
    return next(c for c in catalogs.shipped_guide().catalogs if c.id == "3-5")


def _user(session, org, name) -> User:
    return session.get_one(User, org.users[name])


def _pick(catalog, *, level: int, critical: bool = False, n: int = 1) -> list[str]:
    ids = [i.id for i in catalog.indicators() if i.level == level and i.critical == critical]
    return ids[:n]


class TestStartOrResume:
    def test_social_worker_cannot_start(self, session, org, child):
        with pytest.raises(Forbidden):
            service.start_or_resume(session, _user(session, org, "social"), child_id=child.id)

    def test_staff_of_another_institution_gets_not_found(self, session, org, child):
        with pytest.raises(NotFound):
            service.start_or_resume(session, _user(session, org, "teacher"), child_id=child.id)

    def test_new_draft_uses_the_catalog_for_the_childs_age_today(self, session, org, child):
        draft = service.start_or_resume(session, _user(session, org, "staff"), child_id=child.id)
        assert (draft.status, draft.catalog_id, draft.catalog_version) == ("draft", "3-5", SHIPPED)

    def test_the_same_persons_draft_is_reopened(self, session, org, child):
        staff = _user(session, org, "staff")
        first = service.start_or_resume(session, staff, child_id=child.id)
        assert service.start_or_resume(session, staff, child_id=child.id).id == first.id
        other = service.start_or_resume(session, _user(session, org, "leader"), child_id=child.id)
        assert other.id != first.id


class TestTick:
    def test_unknown_indicator_is_refused_and_nothing_changes(self, session, org, child):
        staff = _user(session, org, "staff")
        draft = service.start_or_resume(session, staff, child_id=child.id)
        with pytest.raises(Invalid, match="0-2"):
            service.tick(
                session,
                staff,
                assessment_id=id_of(draft),
                indicator_id="0-2.health.sleeps-well",
                observed=True,
            )
        assert session.get_one(Assessment, draft.id).observed == []

    def test_each_tick_is_saved_and_evaluated(self, session, org, child, catalog):
        staff = _user(session, org, "staff")
        draft = service.start_or_resume(session, staff, child_id=child.id)
        [sign] = _pick(catalog, level=3)
        state = service.tick(
            session, staff, assessment_id=id_of(draft), indicator_id=sign, observed=True
        )
        assert state.evaluation.level == 3
        assert session.get_one(Assessment, draft.id).observed == [sign]
        state = service.tick(
            session, staff, assessment_id=id_of(draft), indicator_id=sign, observed=False
        )
        assert state.evaluation.level == 1
        saves = session.exec(
            select(AuditEvent).where(AuditEvent.action == "child:assessment:save")
        ).all()
        assert [e.detail for e in saves] == [f"+{sign}", f"−{sign}"]

    def test_another_staff_member_cannot_change_the_draft(self, session, org, child, catalog):
        draft = service.start_or_resume(session, _user(session, org, "staff"), child_id=child.id)
        with pytest.raises(Forbidden):
            service.tick(
                session,
                _user(session, org, "leader"),
                assessment_id=id_of(draft),
                indicator_id=_pick(catalog, level=2)[0],
                observed=True,
            )

    def test_notes_longer_than_the_limit_are_refused(self, session, org, child):
        staff = _user(session, org, "staff")
        draft = service.start_or_resume(session, staff, child_id=child.id)
        with pytest.raises(Invalid):
            service.save_draft(session, staff, assessment_id=id_of(draft), notes="x" * 10_001)


class TestTickAsARequestDoes:
    """A request's session has not loaded the draft: the tick reads and writes it in Core."""

    def _fresh(self, session, draft):
        session.flush()
        session.expunge(draft)
        return id_of(draft)

    def test_the_tick_is_stored_with_its_level_and_audited(self, session, org, child, catalog):
        staff = _user(session, org, "staff")
        assessment_id = self._fresh(
            session, service.start_or_resume(session, staff, child_id=child.id)
        )
        [sign] = _pick(catalog, level=3)
        state = service.tick(
            session, staff, assessment_id=assessment_id, indicator_id=sign, observed=True
        )
        assert (state.evaluation.level, state.assessment.observed) == (3, [sign])
        stored = session.get_one(Assessment, assessment_id)
        assert (stored.observed, stored.computed_level) == ([sign], 3)
        actions = session.exec(
            select(AuditEvent.action, AuditEvent.detail).where(
                AuditEvent.object_id == str(assessment_id)
            )
        ).all()
        assert ("child:assessment:view", "kladde") in actions
        assert ("child:assessment:save", f"+{sign}") in actions

    def test_another_persons_draft_and_a_finished_one_are_refused(
        self, session, org, child, catalog
    ):
        staff = _user(session, org, "staff")
        sign = _pick(catalog, level=2)[0]
        draft = self._fresh(session, service.start_or_resume(session, staff, child_id=child.id))
        with pytest.raises(Forbidden):
            service.tick(
                session,
                _user(session, org, "leader"),
                assessment_id=draft,
                indicator_id=sign,
                observed=True,
            )
        finished = make_finished_assessment(session, staff, child)
        with pytest.raises(Conflict):
            service.tick(
                session,
                staff,
                assessment_id=self._fresh(session, finished),
                indicator_id=sign,
                observed=True,
            )
        with pytest.raises(NotFound):
            service.tick(session, staff, assessment_id=10**6, indicator_id=sign, observed=True)


class TestFinish:
    def _draft(self, session, org, child, catalog, observed):
        staff = _user(session, org, "staff")
        draft = service.start_or_resume(session, staff, child_id=child.id)
        service.save_draft(
            session,
            staff,
            assessment_id=id_of(draft),
            observed=observed,
            notes="Ser træt ud om morgenen.",
            resources="Glad for at tegne.",
        )
        return staff, draft

    def test_finish_stores_level_version_actions_and_suggested_follow_up(
        self, session, org, child, catalog
    ):
        staff, draft = self._draft(session, org, child, catalog, _pick(catalog, level=2))
        state = service.finish(session, staff, assessment_id=draft.id)
        a = state.assessment
        assert (a.status, a.level, a.computed_level) == ("finished", 2, 2)
        assert a.result["recommended_actions"] == ["parent_dialogue"]
        days = catalogs.levels().level(2).follow_up_days
        assert days is not None
        assert a.follow_up_on == local_today() + dt.timedelta(days=days)

    def test_override_without_reason_is_refused_and_the_draft_stays_open(
        self, session, org, child, catalog
    ):
        staff, draft = self._draft(session, org, child, catalog, _pick(catalog, level=2))
        with pytest.raises(Invalid, match="begrundelse"):
            service.finish(
                session,
                staff,
                assessment_id=draft.id,
                level=3,
                reason="  ",
            )
        assert session.get_one(Assessment, draft.id).status == "draft"

    def test_override_with_reason_keeps_both_levels(self, session, org, child, catalog):
        staff, draft = self._draft(session, org, child, catalog, _pick(catalog, level=2))
        state = service.finish(
            session,
            staff,
            assessment_id=draft.id,
            level=3,
            reason="Gentagne episoder.",
        )
        a = state.assessment
        assert (a.computed_level, a.level, a.override_reason) == (2, 3, "Gentagne episoder.")
        assert a.result["recommended_actions"] == ["parent_dialogue", "social_worker_consult"]

    def test_critical_result_cannot_be_lowered(self, session, org, child, catalog):
        staff, draft = self._draft(
            session, org, child, catalog, _pick(catalog, level=4, critical=True)
        )
        with pytest.raises(Invalid, match="niveau 4"):
            service.finish(
                session,
                staff,
                assessment_id=draft.id,
                level=3,
                reason="Forælder forklarede.",
            )

    def test_critical_result_never_recommends_telling_the_parents_first(
        self, session, org, child, catalog
    ):
        staff, draft = self._draft(
            session, org, child, catalog, _pick(catalog, level=4, critical=True)
        )
        a = service.finish(session, staff, assessment_id=draft.id).assessment
        assert a.critical
        actions = a.result["recommended_actions"]
        assert isinstance(actions, list)
        assert "parent_dialogue" not in actions
        assert "notification" in actions
        assert a.result["parents_may_be_informed"] is False

    def test_finished_assessment_is_read_only(self, session, org, child, catalog):
        staff, draft = self._draft(session, org, child, catalog, [])
        service.finish(session, staff, assessment_id=draft.id)
        with pytest.raises(Conflict):
            service.tick(
                session,
                staff,
                assessment_id=draft.id,
                indicator_id=_pick(catalog, level=2)[0],
                observed=True,
            )
        with pytest.raises(Conflict):
            service.finish(session, staff, assessment_id=draft.id)

    def test_follow_up_in_the_past_is_refused(self, session, org, child, catalog):
        staff, draft = self._draft(session, org, child, catalog, [])
        with pytest.raises(Invalid, match="fortiden"):
            service.finish(
                session,
                staff,
                assessment_id=draft.id,
                follow_up_on=dt.date(2000, 1, 1),
            )


class TestPinnedVersion:
    def test_finished_assessment_keeps_the_texts_of_its_version(self, session, org, child, catalog):
        staff = _user(session, org, "staff")
        [sign] = _pick(catalog, level=3)
        state = service.create_finished(session, staff, child_id=child.id, observed=[sign])
        old_text = catalog.indicator(sign).text
        # An admin publishes version 2 with the text changed and retires version 1.
        publish_with_text_changed(session, catalog, old_text, "Ny formulering af tegnet.")
        session.flush()
        again = service.state_of(session, state.assessment)
        assert again.catalog.version == catalog.version
        assert [i.text for i in again.observed_indicators()] == [old_text]
        api = again.read()
        assert api.observed_indicators[0].text == old_text
        assert api.catalog.model_dump() == {"id": "3-5", "version": catalog.version}
        assert catalogs.get_published(session, catalog_id="3-5").indicator(sign).text == (
            "Ny formulering af tegnet."
        )


class TestResultOf:
    def test_a_finished_assessment_answers_its_stored_result_typed(self, session, org, child):
        staff = _user(session, org, "staff")
        catalog = catalogs.get_published(session, catalog_id="3-5")
        two, three = _pick(catalog, level=2), _pick(catalog, level=3)
        finished = make_finished_assessment(
            session, staff, child, observed=two + three, level=4, reason="Set gentagne gange."
        )
        result = service.finished_result(finished)
        assert (result.level, result.computed_level, result.critical) == (4, 3, False)
        assert result.override_reason == "Set gentagne gange."
        assert [r.indicator_id for r in result.rationale] == three + two
        indicator = result.indicator(three[0])
        assert indicator is not None
        assert indicator.text == catalog.indicator(three[0]).text
        assert service.state_of(session, finished).result == result

    def test_a_draft_has_no_stored_result_but_a_live_one(self, session, org, child):
        staff = _user(session, org, "staff")
        catalog = catalogs.get_published(session, catalog_id="3-5")
        draft = make_draft(session, staff, child, observed=_pick(catalog, level=2))
        with pytest.raises(Conflict):
            service.finished_result(draft)
        live = service.state_of(session, draft).result
        assert (live.level, live.override_reason) == (2, "")


class TestPreviewFinish:
    def test_tells_what_finishing_would_store_and_stores_nothing(self, session, org, child):
        staff = _user(session, org, "staff")
        catalog = catalogs.get_published(session, catalog_id="3-5")
        draft = make_draft(session, staff, child, observed=_pick(catalog, level=3))
        _state, decision = service.preview_finish(session, staff, assessment_id=id_of(draft))
        assert decision.result.level == 3
        assert decision.follow_up_on == service.follow_up_for(3)
        assert session.get_one(Assessment, draft.id).status == "draft"
        with pytest.raises(Invalid, match="begrundelse"):
            service.preview_finish(session, staff, assessment_id=id_of(draft), level=1)
