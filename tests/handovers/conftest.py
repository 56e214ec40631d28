"""A daycare child with a finished assessment and a focus point, for the handover tests;
the school (Nordbyskolen) with its teacher and a school leader."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI

from app import db
from app.accounts.models import Institution, Role, User
from app.assessments import service as assessments
from app.catalogs import service as catalogs
from app.children.models import Child
from app.db import local_today
from tests.factories import Org, id_of, make_child, make_draft, make_user, signs


@dataclass
class Setting:
    """The child (daycare, 5 years), its latest assessment, and the institutions' ids."""

    child_id: int
    assessment_id: int
    daycare_id: int
    school_id: int
    other_daycare_id: int


def finish_with_focus_point(session: Any, author: Any, child: Child, observed: list[str]) -> int:
    """A finished assessment of the child with one focus point; its id."""
    draft = make_draft(session, author, child, observed=observed)
    state = assessments.finish(
        session,
        author,
        assessment_id=id_of(draft),
        focus_points=[assessments.FocusPointInput(text="Tryg start om morgenen", who="Sofie")],
    )
    return id_of(state.assessment)


@pytest.fixture
def setting(app: FastAPI, org: Org) -> Setting:
    with db.session_scope(app.state.engine) as s:
        catalogs.import_shipped(s)
        school = s.get_one(Institution, org.school_id)
        make_user(s, "rektor", Role.LEADER, institution=school, display_name="Rasmus Rektor")
        author = s.get_one(User, org.users["staff"])
        child = make_child(s, org.daycare_id, id_of(author), first_name="Alma", age_years=5)
        assessment_id = finish_with_focus_point(s, author, child, signs(level=2, n=1))
        return Setting(
            child_id=id_of(child),
            assessment_id=assessment_id,
            daycare_id=org.daycare_id,
            school_id=org.school_id,
            other_daycare_id=org.other_daycare_id,
        )


def consent(**overrides: Any) -> dict[str, Any]:
    return {
        "given_by": "Maria Jensen (mor)",
        "given_on": (local_today() - dt.timedelta(days=1)).isoformat(),
        "covers": "Resumé af seneste vurdering og fokuspunkter",
        **overrides,
    }


def send(user: Any, child_id: int, to: int, **body: Any) -> Any:
    return user.client.post(
        f"/api/v1/children/{child_id}/handovers",
        json={"to_institution_id": to, "consent": consent(), **body},
        headers=user.headers,
    )
