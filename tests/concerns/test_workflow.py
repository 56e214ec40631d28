"""The concern state machine of api.md."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.concerns.workflow import (
    ConcernKind,
    ConcernStatus,
    IllegalTransition,
    next_status,
    statuses,
    transition,
)

N, C = ConcernKind.NOTIFICATION, ConcernKind.CONSULTATION
S = ConcernStatus


class TestTransition:
    @pytest.mark.parametrize(
        ("kind", "current", "target"),
        [
            (N, S.RECEIVED, "assessed"),  # skipping the receipt
            (N, S.RECEIVED, "closed"),
            (N, S.ACKNOWLEDGED, "received"),  # going back
            (N, S.CLOSED, "closed"),
            (N, S.RECEIVED, "answered"),  # a consultation's status
            (C, S.RECEIVED, "acknowledged"),
            (C, S.CLOSED, "received"),
            (C, S.RECEIVED, "nonsense"),
        ],
    )
    def test_illegal_moves_are_refused_with_a_danish_reason(self, kind, current, target):
        with pytest.raises(IllegalTransition, match="kan ikke gå til"):
            transition(kind, current, target)

    def test_notification_path(self):
        assert statuses(N) == (S.RECEIVED, S.ACKNOWLEDGED, S.ASSESSED, S.CLOSED)

    def test_consultation_path(self):
        assert statuses(C) == (S.RECEIVED, S.ANSWERED, S.CLOSED)

    def test_closed_has_no_next_step(self):
        assert next_status(N, S.CLOSED) is None
        with pytest.raises(IllegalTransition, match="lukket"):
            transition(C, S.CLOSED, "answered")

    @given(st.sampled_from(list(ConcernKind)), st.data())
    def test_only_the_single_next_status_is_ever_accepted(self, kind, data):
        path = statuses(kind)
        index = data.draw(st.integers(min_value=0, max_value=len(path) - 1))
        target = data.draw(st.sampled_from([s.value for s in ConcernStatus]))
        current = path[index]
        if index + 1 < len(path) and target == path[index + 1].value:
            assert transition(kind, current, target) is path[index + 1]
        else:
            with pytest.raises(IllegalTransition):
                transition(kind, current, target)


def test_the_refusal_speaks_danish_only():
    error = IllegalTransition(ConcernKind.NOTIFICATION, ConcernStatus.RECEIVED, "closed")
    assert str(error) == (
        "En underretning med status «Modtaget» kan ikke gå til «Lukket»; "
        "næste skridt er «Kvitteret»."
    )
    error = IllegalTransition(ConcernKind.CONSULTATION, ConcernStatus.CLOSED, "bogus")
    assert str(error) == (
        "En anonym sparring med status «Lukket» kan ikke gå til «bogus»; sagen er lukket."
    )
