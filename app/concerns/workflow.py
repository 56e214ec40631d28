"""PURE: the state machine of a concern (api.md).

Notification: received → acknowledged → assessed → closed.
Consultation: received → answered → closed.
"""

from __future__ import annotations

from enum import StrEnum


class ConcernKind(StrEnum):
    """What was sent to the social workers."""

    CONSULTATION = "consultation"
    NOTIFICATION = "notification"


class ConcernStatus(StrEnum):
    """Where a concern is in its handling."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    ASSESSED = "assessed"
    ANSWERED = "answered"
    CLOSED = "closed"


TRANSITIONS: dict[ConcernKind, dict[ConcernStatus, ConcernStatus]] = {
    ConcernKind.NOTIFICATION: {
        ConcernStatus.RECEIVED: ConcernStatus.ACKNOWLEDGED,
        ConcernStatus.ACKNOWLEDGED: ConcernStatus.ASSESSED,
        ConcernStatus.ASSESSED: ConcernStatus.CLOSED,
    },
    ConcernKind.CONSULTATION: {
        ConcernStatus.RECEIVED: ConcernStatus.ANSWERED,
        ConcernStatus.ANSWERED: ConcernStatus.CLOSED,
    },
}

KIND_LABELS = {
    ConcernKind.CONSULTATION: "anonym sparring",
    ConcernKind.NOTIFICATION: "underretning",
}

STATUS_LABELS = {
    ConcernStatus.RECEIVED: "Modtaget",
    ConcernStatus.ACKNOWLEDGED: "Kvitteret",
    ConcernStatus.ASSESSED: "Vurderet",
    ConcernStatus.ANSWERED: "Besvaret",
    ConcernStatus.CLOSED: "Lukket",
}


class IllegalTransition(ValueError):
    """A move the workflow does not allow."""

    def __init__(self, kind: ConcernKind, current: ConcernStatus, target: str) -> None:
        self.kind = kind
        self.current = current
        self.target = target
        allowed = next_status(kind, current)
        hint = f"; næste skridt er «{STATUS_LABELS[allowed]}»" if allowed else "; sagen er lukket"
        wanted = next((label for s, label in STATUS_LABELS.items() if s.value == target), target)
        super().__init__(
            f"En {KIND_LABELS[kind]} med status «{STATUS_LABELS[current]}» kan ikke gå "
            f"til «{wanted}»{hint}."
        )


def next_status(kind: ConcernKind, current: ConcernStatus) -> ConcernStatus | None:
    """The one status a concern may move to next (None when closed)."""
    return TRANSITIONS[kind].get(current)


def statuses(kind: ConcernKind) -> tuple[ConcernStatus, ...]:
    """The statuses of a kind, in order."""
    order = [ConcernStatus.RECEIVED]
    while (following := next_status(kind, order[-1])) is not None:
        order.append(following)
    return tuple(order)


def transition(kind: ConcernKind, current: ConcernStatus, target: str) -> ConcernStatus:
    """The new status, or IllegalTransition (unknown status, skipped step, going back)."""
    allowed = next_status(kind, current)
    if allowed is None or target != allowed.value:
        raise IllegalTransition(kind, current, target)
    return allowed
