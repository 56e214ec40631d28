"""A daycare child and a third colleague (``pia``) for the joint assessment tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import FastAPI

from app import db
from app.accounts.models import Institution, Role
from app.catalogs import service as catalogs
from tests.factories import Org, id_of, make_child, make_user


@dataclass
class Team:
    """The child (daycare, 4 years) and the ids of three colleagues who may take part."""

    child_id: int
    staff: int
    leader: int
    pia: int
    other_child_id: int


@pytest.fixture
def team(app: FastAPI, org: Org) -> Team:
    with db.session_scope(app.state.engine) as s:
        catalogs.import_shipped(s)
        daycare = s.get_one(Institution, org.daycare_id)
        pia = make_user(s, "pia", Role.STAFF, institution=daycare, display_name="Pia Pædagog")
        child = make_child(s, org.daycare_id, org.users["staff"], first_name="Alma")
        other = make_child(s, org.other_daycare_id, org.users["staff_syd"], first_name="Bo")
        return Team(
            child_id=id_of(child),
            staff=org.users["staff"],
            leader=org.users["leader"],
            pia=id_of(pia),
            other_child_id=id_of(other),
        )
