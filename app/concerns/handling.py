"""The social workers' handling of a concern: one workflow step at a time (the rules of
:mod:`app.concerns.workflow`), the steps' record and the legal deadlines. Flushes, never
commits."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.concerns import scope
from app.concerns.models import Concern, ConcernEvent
from app.concerns.schemas import MESSAGE_MAX, Outcome
from app.concerns.workflow import ConcernKind, ConcernStatus, IllegalTransition, transition
from app.db import id_of, utcnow
from app.deadlines import Deadline, notification_deadlines
from app.errors import Conflict, Forbidden, Invalid

#: What a social worker is told when another one moved or took the concern first (409).
CHANGED_MESSAGE = "Henvendelsen er lige blevet ændret af en anden. Se den nye status."
CHANGED_CODE = "concern_changed"


def parse_version(value: str | None) -> int | None:
    """The version a step was decided on, from a form's hidden field (``"3"``) or an
    ``If-Match`` header (``"3"``, ``W/"3"``, ``*``); None when not given (or ``*``: any)."""
    text = (value or "").strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"').strip()
    if not text or text == "*":
        return None
    if not text.isdigit() or len(text) > 9:
        raise Invalid.field("version", "Ugyldig version af sagen; hent sagen igen.")
    return int(text)


def etag_of(concern: Concern) -> str:
    """The concern's version as an HTTP entity tag (what ``If-Match`` sends back)."""
    return f'"{concern.version}"'


def _check_expected(concern: Concern, expected: int | None) -> None:
    if expected is not None and expected != concern.version:
        raise Conflict(CHANGED_MESSAGE, code=CHANGED_CODE)


def _claim(session: Session, concern: Concern) -> None:
    """Count this step in the concern's version, only where the row still has the version it
    was decided on. On PostgreSQL a second transaction's ``UPDATE`` waits for the first one's
    row lock and then finds the version gone (0 rows); SQLite has one writer at a time. The
    loser gets 409 and the concern as it is now (refreshed, for the page that shows it)."""
    current = concern.version
    result = cast(
        "CursorResult[tuple[()]]",
        session.execute(
            sa.update(Concern)
            .where(col(Concern.id) == concern.id, col(Concern.version) == current)
            .values(version=current + 1)
        ),
    )
    if result.rowcount != 1:
        session.refresh(concern)
        raise Conflict(CHANGED_MESSAGE, code=CHANGED_CODE)


def record_event(
    session: Session,
    concern: Concern,
    actor: User,
    *,
    to_status: ConcernStatus,
    from_status: ConcernStatus | None = None,
    note: str = "",
) -> None:
    """One line of the concern's record ("Forløb")."""
    session.add(
        ConcernEvent(
            concern_id=id_of(concern),
            actor_id=id_of(actor),
            actor_role=actor.role,
            from_status=from_status.value if from_status else "",
            to_status=to_status.value,
            note=note,
        )
    )


def _outcome(value: str | None) -> Outcome:
    if not value:
        raise Invalid.field("outcome", "Vælg udfaldet af vurderingen.")
    try:
        return Outcome(value)
    except ValueError:
        raise Invalid.field("outcome", "Vælg et af de viste udfald.") from None


def move(
    session: Session,
    actor: User,
    *,
    concern_id: int,
    to: str,
    note: str = "",
    outcome: str | None = None,
    feedback: str = "",
    expected_version: int | None = None,
) -> Concern:
    """One step of the workflow, by a social worker of the concern's district (409 when the
    step is not the next one). ``note`` is internal to the district's social workers;
    ``feedback`` (on assessing a notification) and the answer (on a consultation) are what
    the institution is told. ``outcome`` must be one of api.md's five values, whichever way
    it came in. ``expected_version``: the version the caller saw (the page's form, the API's
    ``If-Match``); another version is 409 ``concern_changed``, as is losing a race to another
    social worker moving the same concern at the same time."""
    if actor.role_enum is not Role.SOCIAL_WORKER:
        raise Forbidden("Kun distriktets socialrådgivere behandler sagerne.")
    concern = scope.get_concern_for(session, actor, concern_id=concern_id, purpose="sagsskridt")
    _check_expected(concern, expected_version)
    kind = concern.kind_enum
    current = concern.status_enum
    try:
        new = transition(kind, current, to)
    except IllegalTransition as error:
        raise Conflict(str(error), code="illegal_transition") from error
    note = note.strip()
    if len(note) > MESSAGE_MAX:
        raise Invalid.field("note", f"Højst {MESSAGE_MAX} tegn.")
    if len(feedback.strip()) > MESSAGE_MAX:
        raise Invalid.field("feedback", f"Højst {MESSAGE_MAX} tegn.")
    chosen = _outcome(outcome) if new is ConcernStatus.ASSESSED else None
    if new is ConcernStatus.ANSWERED and not note:
        raise Invalid.field("note", "Skriv dit svar til medarbejderen.")
    # Everything is checked: only now is the step claimed and written (a refusal changes
    # nothing, not even the version).
    _claim(session, concern)
    now = utcnow()
    if chosen is not None:
        concern.outcome = chosen.value
        concern.feedback = feedback.strip()
        concern.assessed_at = now
    elif new is ConcernStatus.ACKNOWLEDGED:
        concern.acknowledged_at = now
    elif new is ConcernStatus.ANSWERED:
        concern.answer = note
        concern.answered_at = now
    elif new is ConcernStatus.CLOSED:
        concern.closed_at = now
    concern.status = new
    session.add(concern)
    record_event(session, concern, actor, to_status=new, from_status=current, note=note)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.CONCERN_TRANSITION,
        object_type="concern",
        object_id=concern.id,
        child_id=concern.child_id if kind is ConcernKind.NOTIFICATION else None,
        detail=f"{current} → {new}",
    )
    return concern


def take(
    session: Session, actor: User, *, concern_id: int, expected_version: int | None = None
) -> Concern:
    """A social worker of the concern's district takes it (it is then theirs: marked so in
    their inbox and counted in their header); the step is recorded in its timeline. Taking
    one's own concern again changes nothing; a closed concern cannot be taken (409). Taken
    or moved by someone else since ``expected_version``, or at the same time: 409
    ``concern_changed`` (never a silent overwrite of the other's take)."""
    if actor.role_enum is not Role.SOCIAL_WORKER:
        raise Forbidden("Kun distriktets socialrådgivere behandler sagerne.")
    concern = scope.get_concern_for(session, actor, concern_id=concern_id, purpose="overtag sag")
    if concern.assigned_to == actor.id:
        return concern
    status = concern.status_enum
    if status is ConcernStatus.CLOSED:
        raise Conflict("Sagen er afsluttet og kan ikke overtages.", code="concern_closed")
    _check_expected(concern, expected_version)
    _claim(session, concern)
    concern.assigned_to = id_of(actor)
    session.add(concern)
    record_event(
        session,
        concern,
        actor,
        to_status=status,
        from_status=status,
        note=f"Overtaget af {actor.display_name}",
    )
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.CONCERN_TAKE,
        object_type="concern",
        object_id=concern.id,
        child_id=concern.child_id if concern.is_notification else None,
        detail=actor.display_name,
    )
    return concern


def deadlines_of(concern: Concern) -> dict[str, Deadline]:
    """A notification's legal deadlines; none for a consultation."""
    if not concern.is_notification:
        return {}
    return notification_deadlines(
        concern.created_at,
        assessed_at=concern.assessed_at,
        acknowledged_at=concern.acknowledged_at,
    )
