"""The rounds services the pages and other domains call: the start page's to-do
(``missing_for``), the period's edges in Danish time, and the admins' figures."""

from __future__ import annotations

import datetime as dt

import pytest

from app.accounts.models import User
from app.catalogs import service as catalogs
from app.db import local_today
from app.errors import Forbidden
from app.rounds import service
from app.rounds.models import RoundGroup
from app.rounds.service import RoundMissing
from tests.factories import id_of, make_assessed, make_child, make_group, make_round

TODAY = local_today()


@pytest.fixture
def setting(session, org):
    """Solstuen (Alma, Bo, Cille; staff works with it) and Månestuen (Dina; nobody), both in
    an open round; Alma is assessed."""
    catalogs.import_shipped(session)
    staff = session.get_one(User, org.users["staff"])
    leader = session.get_one(User, org.users["leader"])
    alma, bo, cille, dina = (
        make_child(session, org.daycare_id, id_of(staff), first_name=name, last_name="Hansen")
        for name in ("Alma", "Bo", "Cille", "Dina")
    )
    sol = make_group(session, org.daycare_id, "Solstuen", children=[cille, alma, bo], staff=[staff])
    maane = make_group(session, org.daycare_id, "Månestuen", children=[dina])
    r = make_round(session, leader, [sol, maane], title="Vinterrunde")
    make_assessed(session, staff, alma, level=2)
    return {"staff": staff, "leader": leader, "round": r, "children": (alma, bo, cille, dina)}


class TestMissingFor:
    def test_someone_outside_an_institution_has_no_to_do(self, session, org, setting):
        admin = session.get_one(User, org.users["admin"])
        assert service.missing_for(session, admin) == []

    def test_a_member_of_no_group_has_no_to_do(self, session, setting):
        assert service.missing_for(session, setting["leader"]) == []

    def test_the_missing_children_of_the_users_groups_in_the_open_round(self, session, setting):
        _alma, bo, cille, _dina = setting["children"]
        r = setting["round"]
        assert service.missing_for(session, setting["staff"]) == [
            RoundMissing(id_of(r), "Vinterrunde", r.ends_on, id_of(bo), "Bo Hansen", "Solstuen"),
            RoundMissing(
                id_of(r), "Vinterrunde", r.ends_on, id_of(cille), "Cille Hansen", "Solstuen"
            ),
        ]

    def test_a_round_that_has_ended_or_not_begun_is_not_on_the_list(self, session, setting):
        r = setting["round"]
        r.starts_on, r.ends_on = TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=9)
        session.add(r)
        session.flush()
        assert service.missing_for(session, setting["staff"]) == []

    def test_an_assessment_moves_the_child_off_the_list(self, session, setting):
        _alma, bo, cille, _dina = setting["children"]
        make_assessed(session, setting["staff"], bo, level=1)
        assert [m.child_id for m in service.missing_for(session, setting["staff"])] == [
            id_of(cille)
        ]

    def test_a_child_in_two_of_the_users_groups_is_listed_once_under_the_first_by_name(
        self, session, setting
    ):
        _alma, bo, _cille, _dina = setting["children"]
        r = setting["round"]
        abe = make_group(
            session, r.institution_id, "Abestuen", children=[bo], staff=[setting["staff"]]
        )
        session.add(RoundGroup(round_id=id_of(r), group_id=id_of(abe)))
        session.flush()
        assert [
            (m.child_name, m.group_name) for m in service.missing_for(session, setting["staff"])
        ] == [
            ("Bo Hansen", "Abestuen"),
            ("Cille Hansen", "Solstuen"),
        ]

    def test_the_latest_of_two_assessments_in_the_round_counts_once(self, session, setting):
        alma, *_ = setting["children"]
        r = setting["round"]
        make_assessed(session, setting["staff"], alma, level=3)
        overview = service.overview(session, setting["leader"], round_id=id_of(r))
        assert overview.levels == {"1": 0, "2": 0, "3": "<5", "4": 0}
        progress = service.progress(session, setting["leader"], round_id=id_of(r))
        assert {g.name: (g.children, g.assessed) for g in progress.groups} == {
            "Månestuen": (1, 0),
            "Solstuen": (3, 1),
        }


class TestPeriod:
    def test_the_first_and_last_day_count_in_danish_time(self, session, setting):
        _alma, bo, cille, dina = setting["children"]
        r = setting["round"]
        make_assessed(session, setting["staff"], bo, level=1, on=r.starts_on)
        make_assessed(session, setting["staff"], cille, level=1, on=r.ends_on)
        make_assessed(session, setting["staff"], dina, level=1, on=r.ends_on + dt.timedelta(1))
        progress = service.progress(session, setting["leader"], round_id=id_of(r))
        assert {g.name: g.assessed for g in progress.groups} == {"Månestuen": 0, "Solstuen": 3}


class TestMunicipality:
    def test_only_admins(self, session, setting):
        with pytest.raises(Forbidden):
            service.municipality(session, setting["leader"])

    def test_every_institution_with_counts_only(self, session, org, setting):
        admin = session.get_one(User, org.users["admin"])
        figures = service.municipality(session, admin)
        nord = next(d for d in figures.districts if d.district_id == org.nord_id)
        daycare = next(i for i in nord.institutions if i.institution_id == org.daycare_id)
        assert daycare.round_title == "Vinterrunde"
        assert daycare.assessed == "<5"
        assert daycare.children == "<5"
        assert daycare.levels == {"1": 0, "2": "<5", "3": 0, "4": 0}
        school = next(i for i in nord.institutions if i.institution_id == org.school_id)
        assert school.round_title is None
        assert school.levels == {"1": 0, "2": 0, "3": 0, "4": 0}
        assert figures.levels == {"1": 0, "2": "<5", "3": 0, "4": 0}
