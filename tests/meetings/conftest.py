"""A daycare child (Alma, 4 years) with the shipped catalogs, a child of Syd, and a meeting's
JSON body."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI

from app import db
from app.catalogs import service as catalogs
from app.db import local_today
from tests.factories import Org, id_of, make_child


@dataclass
class Kids:
    child_id: int
    other_child_id: int
    sibling_id: int


@pytest.fixture
def kids(app: FastAPI, org: Org) -> Kids:
    with db.session_scope(app.state.engine) as s:
        catalogs.import_shipped(s)
        child = make_child(s, org.daycare_id, org.users["staff"], first_name="Alma")
        sibling = make_child(s, org.daycare_id, org.users["staff"], first_name="Bo")
        other = make_child(s, org.other_daycare_id, org.users["staff_syd"], first_name="Sigurd")
        return Kids(id_of(child), id_of(other), id_of(sibling))


def body(**changes: Any) -> dict[str, Any]:
    """A valid meeting held yesterday, with a follow-up in a month."""
    today = local_today()
    meeting: dict[str, Any] = {
        "kind": "cross_disciplinary",
        "held_on": (today - dt.timedelta(days=1)).isoformat(),
        "participants": [
            {"role": "Pædagog", "name": "Sofie"},
            {"role": "Sundhedsplejerske", "name": "Hanne Holm"},
        ],
        "parents_took_part": True,
        "agreed": "Sprogvurdering i januar; mor taler med lægen.",
        "follow_up_on": (today + dt.timedelta(days=30)).isoformat(),
    }
    meeting.update(changes)
    return {k: v for k, v in meeting.items() if v is not None}


def post_meeting(user: Any, child_id: int, payload: dict[str, Any], key: str = "") -> Any:
    headers = dict(user.headers)
    if key:
        headers["Idempotency-Key"] = key
    return user.client.post(f"/api/v1/children/{child_id}/meetings", json=payload, headers=headers)
