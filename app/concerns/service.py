"""The concerns domain's services, in one place for the views, the API and other domains:

- :mod:`app.concerns.dialogues`: parent dialogue meetings;
- :mod:`app.concerns.notifications`: sending a consultation or a notification (with the pure
  :mod:`app.concerns.anonymity` check);
- :mod:`app.concerns.handling`: the social workers' workflow steps and the deadlines;
- :mod:`app.concerns.inbox`: lists, the inbox order, the header counts;
- :mod:`app.concerns.crypto`: CPR numbers at rest and the key rotation.

This module adds what a viewer may see of one concern (:func:`view_of`, from which the API's
``ConcernRead`` and the concern page are made) and the audited reveal of a CPR number. All
of them flush, never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography.fernet import MultiFernet
from sqlmodel import Session

from app.accounts.models import Role, User
from app.assessments.models import Assessment
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.catalogs.schemas import IndicatorRead
from app.concerns import cpr, crypto, scope
from app.concerns.crypto import Rotation, rotate_cpr_numbers
from app.concerns.dialogues import dialogues_of, record_dialogue
from app.concerns.handling import CHANGED_CODE, deadlines_of, etag_of, move, parse_version, take
from app.concerns.inbox import (
    Counts,
    counts_for,
    inbox_for,
    inbox_order,
    list_for,
    urgency_of,
)
from app.concerns.models import Concern, ParentDialogue
from app.concerns.notifications import (
    NotificationInput,
    default_urgency,
    is_acute,
    submit_consultation,
    submit_notification,
)
from app.concerns.schemas import ABUSE_RULE, ConcernView, NotificationDetails, Step
from app.concerns.workflow import ConcernKind, ConcernStatus, next_status
from app.db import utcnow
from app.errors import Forbidden, Invalid, NotFound

__all__ = [
    "ABUSE_RULE",
    "CHANGED_CODE",
    "Counts",
    "NotificationInput",
    "Rotation",
    "counts_for",
    "deadlines_of",
    "default_urgency",
    "dialogue_follow_ups",
    "dialogues_of",
    "earlier_concerns",
    "etag_of",
    "for_assessment",
    "for_child",
    "inbox_for",
    "inbox_order",
    "is_acute",
    "list_for",
    "move",
    "parse_version",
    "record_dialogue",
    "replies_for",
    "reveal_cpr",
    "rotate_cpr_numbers",
    "submit_consultation",
    "submit_notification",
    "take",
    "urgency_of",
    "view_of",
]


def _observed(concern: Concern) -> list[IndicatorRead]:
    return [IndicatorRead.model_validate(item) for item in concern.observed]


def view_of(
    session: Session,
    concern: Concern,
    viewer: User,
    *,
    cipher: MultiFernet | None = None,
    now: dt.datetime | None = None,
    with_events: bool = False,
) -> ConcernView:
    """What ``viewer`` may see of a concern fetched through scope: a social worker never gets
    a consultation's links to the child or the assessment; only the district's social
    workers read the internal notes of the steps."""
    kind = concern.kind_enum
    status = concern.status_enum
    for_social_worker = viewer.role_enum is Role.SOCIAL_WORKER
    notification = kind is ConcernKind.NOTIFICATION
    number = None
    if notification and concern.cpr_encrypted and cipher is not None:
        number = crypto.decrypt(cipher, concern.cpr_encrypted)
    events = [
        Step(
            at=e.at,
            actor_id=e.actor_id,
            status=ConcernStatus(e.to_status),
            note=e.note if for_social_worker else "",
            taken=e.from_status == e.to_status,
        )
        for e in (scope.events_of(session, viewer, concern) if with_events else [])
    ]
    return ConcernView(
        concern=concern,
        kind=kind,
        status=status,
        next_status=next_status(kind, status),
        now=now or utcnow(),
        deadlines=deadlines_of(concern),
        observed=_observed(concern),
        shows_links=scope.reveals_child(viewer, concern),
        shows_identity=notification,
        for_social_worker=for_social_worker,
        details=NotificationDetails.of(concern),
        cpr_masked=cpr.mask(number) if number else None,
        has_cpr=bool(notification and concern.cpr_encrypted),
        events=events,
    )


def reveal_cpr(
    session: Session, actor: User, *, concern_id: int, purpose: str, cipher: MultiFernet
) -> str | None:
    """The full CPR number of a notification, for a social worker of its district who states
    why (audited with the purpose and the child). None when none was given."""
    if actor.role_enum is not Role.SOCIAL_WORKER:
        raise Forbidden("Kun distriktets socialrådgivere kan se det fulde CPR-nummer.")
    purpose = purpose.strip()
    if not purpose:
        raise Invalid.field("purpose", "Skriv hvorfor du skal bruge CPR-nummeret.")
    concern = scope.get_concern_for(session, actor, concern_id=concern_id, purpose="cpr")
    if not concern.is_notification:
        raise NotFound("Sagen har intet CPR-nummer.")
    number = crypto.decrypt(cipher, concern.cpr_encrypted) if concern.cpr_encrypted else None
    audit.record(
        session,
        actor,
        AuditTag.CPR_REVEAL,
        object_type="concern",
        object_id=concern.id,
        child_id=concern.child_id,
        detail=purpose[:300],
    )
    return number


def for_assessment(session: Session, assessment: Assessment) -> list[Concern]:
    """What the institution sent about an assessment (fetched through its scope)."""
    return scope.concerns_about_assessment(session, assessment)


def for_child(session: Session, actor: User, *, child_id: int) -> list[Concern]:
    """What the actor's institution sent about a child (fetched through its scope)."""
    return scope.concerns_about_child(session, actor, child_id=child_id)


def replies_for(session: Session, actor: User, *, now: dt.datetime | None = None) -> list[Concern]:
    """The answers and feedback the actor received on the concerns they sent: open ones,
    and those closed in the last 14 days (the start page's to-do)."""
    since = (now or utcnow()) - dt.timedelta(days=14)
    return scope.replied_concerns(session, actor, closed_since=since)


def moved_children_names(
    session: Session, actor: User, sent: Sequence[Concern], *, known: set[int], purpose: str
) -> dict[int, str]:
    """The names of the children of concerns the actor's institution sent whose child is not
    in ``known`` (it has moved to another institution since); each read is in the child's
    access log with ``purpose``."""
    return scope.moved_children_names(session, actor, sent, known=known, purpose=purpose)


def dialogue_follow_ups(
    session: Session, actor: User, *, due_by: dt.date
) -> Sequence[ParentDialogue]:
    """The actor's dialogue meetings whose follow-up is due and not yet made."""
    return scope.due_dialogues(session, actor, due_by=due_by)


def earlier_concerns(session: Session, actor: User, concern: Concern) -> list[Concern]:
    """Earlier notifications about the same child in the district, for its social workers."""
    return scope.earlier_notifications(session, actor, concern)
