"""``db.delete_with_dependents`` and ``db.forget_deleted``: after a Core delete the session no
longer hands out an object whose row is gone, and keeps the ones whose row is there."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from app import db
from app.accounts.models import User
from app.assessments import service as assessments
from app.assessments.models import Assessment
from app.catalogs import service as catalogs
from tests.factories import id_of, make_child, make_draft, signs


@pytest.fixture
def published(app, org):
    with db.session_scope(app.state.engine) as s:
        catalogs.import_shipped(s)


def test_a_discarded_draft_is_gone_from_the_session_and_another_stays(app, org, published):
    with db.session_scope(app.state.engine) as s:
        staff = s.get(User, org.users["staff"])
        assert staff is not None
        alma = make_child(s, org.daycare_id, id_of(staff))
        bo = make_child(s, org.daycare_id, id_of(staff), first_name="Bo")
        alma_draft = make_draft(s, staff, alma, observed=signs(level=1))
        bo_draft = make_draft(s, staff, bo)
        alma_draft_id = id_of(alma_draft)

        counts = assessments.discard_unfinished(
            s, child_id=id_of(alma), institution_id=org.daycare_id
        )

        assert counts["assessment"] == 1
        assert s.get(Assessment, alma_draft_id) is None  # not the object the session held
        assert s.get(Assessment, id_of(bo_draft)) is bo_draft
    with db.session_scope(app.state.engine) as s:
        assert s.get(Assessment, alma_draft_id) is None
        assert s.get(Assessment, id_of(bo_draft)) is not None


def test_a_delete_without_forgetting_leaves_the_session_as_it_was(app, org, published):
    """Only ``forget_deleted`` expunges (retention's deletes never call it): what the delete
    noted does not reach a later forget of other tables."""
    with db.session_scope(app.state.engine) as s:
        staff = s.get(User, org.users["staff"])
        assert staff is not None
        alma = make_child(s, org.daycare_id, id_of(staff))
        draft = make_draft(s, staff, alma)
        table = db.table_of(Assessment)
        counts: Counter[str] = Counter()
        db.delete_with_dependents(
            s, table, sa.select(table.c.id).where(table.c.id == id_of(draft)), counts
        )
        assert counts["assessment"] == 1
        db.forget_deleted(s, Counter({"child": 0}))
        assert draft in s  # another table's forget leaves it
        db.forget_deleted(s, counts)
        assert draft not in s
