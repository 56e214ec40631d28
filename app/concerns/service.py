"""Concerns services: parent dialogue, anonymous consultation, notification, the workflow,
the inbox order and the API shapes. They flush, never commit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import MultiFernet
from sqlmodel import Session, col, select

from app.accounts.models import Institution, Role, User
from app.assessments import scope as assessments_scope
from app.assessments.models import Assessment, AssessmentStatus
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children.models import Child
from app.concerns import cpr, crypto, scope
from app.concerns.models import Concern, ConcernEvent, ParentDialogue
from app.concerns.schemas import NotificationDetails
from app.concerns.workflow import (
    ConcernKind,
    ConcernStatus,
    IllegalTransition,
    next_status,
    transition,
)
from app.db import local_today, utcnow
from app.deadlines import Deadline, DeadlineState, notification_deadlines
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.guide.schema import age_in_years

ABUSE_RULE = (
    "Ved mistanke om vold eller seksuelle overgreb må forældrene ikke orienteres, før "
    "kommunen er kontaktet. Kommunen beslutter, hvornår forældrene får besked."
)
_CPR_LIKE = re.compile(r"\b\d{6}-?\d{4}\b")


def _finished_assessment(session: Session, actor: User, assessment_id: int) -> Assessment:
    assessment = assessments_scope.get_assessment_for(
        session, actor, assessment_id=assessment_id, purpose="bekymring"
    )
    if assessment.status != AssessmentStatus.FINISHED:
        raise Conflict("Afslut vurderingen først.", code="assessment_not_finished")
    return assessment


def _event(
    session: Session, concern: Concern, actor: User, to_status: str, note: str, from_status: str
) -> None:
    session.add(
        ConcernEvent(
            concern_id=concern.id,  # type: ignore[arg-type]
            actor_id=actor.id,  # type: ignore[arg-type]
            actor_role=actor.role,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
    )


# --- Parent dialogue --------------------------------------------------------------------


def record_dialogue(
    session: Session,
    actor: User,
    *,
    assessment_id: int,
    held_on: dt.date,
    participants: str,
    agreed: str,
    follow_up_on: dt.date | None,
) -> ParentDialogue:
    """Record a dialogue meeting with the parents. Refused for a critical assessment: there
    the parents must not be told before the municipality is contacted."""
    assessment = _finished_assessment(session, actor, assessment_id)
    if assessment.critical:
        raise Conflict(ABUSE_RULE, code="abuse_rule")
    errors = []
    if held_on > local_today():
        errors.append({"field": "held_on", "message": "Mødedatoen ligger i fremtiden."})
    if not participants.strip():
        errors.append({"field": "participants", "message": "Skriv hvem der deltog."})
    if not agreed.strip():
        errors.append({"field": "agreed", "message": "Skriv hvad I aftalte."})
    if follow_up_on is not None and follow_up_on < held_on:
        errors.append({"field": "follow_up_on", "message": "Opfølgning før mødet?"})
    if errors:
        raise Invalid(errors[0]["message"], details=errors)
    dialogue = ParentDialogue(
        assessment_id=assessment.id,  # type: ignore[arg-type]
        child_id=assessment.child_id,
        institution_id=assessment.institution_id,
        held_on=held_on,
        participants=participants.strip()[:1000],
        agreed=agreed.strip(),
        follow_up_on=follow_up_on,
        created_by=actor.id,  # type: ignore[arg-type]
    )
    session.add(dialogue)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.DIALOGUE_CREATE,
        object_type="parent_dialogue",
        object_id=dialogue.id,
        child_id=assessment.child_id,
    )
    return dialogue


def dialogues_of(session: Session, assessment: Assessment) -> Sequence[ParentDialogue]:
    """The dialogue meetings recorded for an assessment (fetched through its scope)."""
    return session.exec(
        select(ParentDialogue)
        .where(ParentDialogue.assessment_id == assessment.id)
        .order_by(col(ParentDialogue.held_on))
    ).all()


# --- Submitting -------------------------------------------------------------------------


def identifying_text(message: str, child: Child) -> list[str]:
    """What in a consultation message could identify the child (names, birth date, CPR)."""
    found = []
    words = {w.lower() for w in re.findall(r"\w+", message)}
    for name in (child.first_name, child.last_name):
        parts = [p.lower() for p in re.findall(r"\w+", name) if len(p) > 1]
        if parts and any(p in words for p in parts):
            found.append("barnets navn")
            break
    born = child.birth_date
    date_forms = {
        born.strftime("%d.%m.%Y"),
        born.strftime("%d-%m-%Y"),
        born.strftime("%d/%m/%Y"),
        born.strftime("%d.%m.%y"),
        born.strftime("%d%m%y"),
        born.isoformat(),
        f"{born.day}.{born.month}.{born.year}",
        f"{born.day}/{born.month}",
    }
    if any(form in message for form in date_forms):
        found.append("barnets fødselsdato")
    if _CPR_LIKE.search(message):
        found.append("et CPR-nummer")
    return found


def _child_and_institution(session: Session, assessment: Assessment) -> tuple[Child, Institution]:
    child = session.get(Child, assessment.child_id)
    institution = session.get(Institution, assessment.institution_id)
    if child is None or institution is None:  # pragma: no cover - foreign keys prevent it
        raise NotFound("Barnet eller institutionen findes ikke.")
    return child, institution


def _observed_snapshot(assessment: Assessment) -> list[dict[str, object]]:
    """The observed indicators with their texts, as the assessment stored them."""
    stored = assessment.result.get("observed_indicators", [])
    return [dict(item) for item in stored] if isinstance(stored, list) else []


def _base_concern(session: Session, actor: User, assessment: Assessment, kind: str) -> Concern:
    child, institution = _child_and_institution(session, assessment)
    return Concern(
        kind=kind,
        status=ConcernStatus.RECEIVED,
        assessment_id=assessment.id,  # type: ignore[arg-type]
        child_id=child.id,  # type: ignore[arg-type]
        institution_id=institution.id,  # type: ignore[arg-type]
        district_id=institution.district_id,
        created_by=actor.id,  # type: ignore[arg-type]
        level=assessment.level or assessment.computed_level or 1,
        critical=assessment.critical,
        age_years=age_in_years(child.birth_date, local_today()),
        observed=_observed_snapshot(assessment),
        message="",
    )


def _submitted(session: Session, actor: User, concern: Concern) -> Concern:
    session.add(concern)
    session.flush()
    _event(session, concern, actor, ConcernStatus.RECEIVED, "", "")
    audit.record(
        session,
        actor,
        AuditTag.CONCERN_CREATE,
        object_type="concern",
        object_id=concern.id,
        child_id=concern.child_id,
        detail=concern.kind,
    )
    session.flush()
    return concern


def submit_consultation(
    session: Session, actor: User, *, assessment_id: int, message: str
) -> Concern:
    """An anonymous consultation with the district's social workers. The message is refused
    when it contains the child's name, birth date or a CPR number."""
    if actor.role_enum not in (Role.STAFF, Role.LEADER):
        raise Forbidden()
    assessment = _finished_assessment(session, actor, assessment_id)
    message = message.strip()
    if not message:
        raise Invalid.field("message", "Beskriv bekymringen og hvad du ønsker sparring om.")
    if len(message) > 5000:
        raise Invalid.field("message", "Beskeden må højst være 5000 tegn.")
    child, _institution = _child_and_institution(session, assessment)
    found = identifying_text(message, child)
    if found:
        raise Invalid.field(
            "message",
            "Sparring er anonym: fjern " + " og ".join(found) + " fra beskeden.",
        )
    concern = _base_concern(session, actor, assessment, ConcernKind.CONSULTATION)
    concern.message = message
    return _submitted(session, actor, concern)


@dataclass(frozen=True)
class NotificationInput:
    """What the notifier fills in."""

    message: str
    parents_informed: bool | None
    parents_note: str = ""
    cpr: str | None = None
    details: NotificationDetails | None = None
    confirmed: bool = False


def submit_notification(
    session: Session,
    actor: User,
    *,
    assessment_id: int,
    data: NotificationInput,
    cipher: MultiFernet,
) -> Concern:
    """A named notification to the municipality. Cannot be withdrawn: needs confirmation.
    ``parents_informed`` cannot be yes when the assessment is critical (the abuse rule)."""
    if actor.role_enum not in (Role.STAFF, Role.LEADER):
        raise Forbidden()
    assessment = _finished_assessment(session, actor, assessment_id)
    child, institution = _child_and_institution(session, assessment)
    errors: list[dict[str, str]] = []
    message = data.message.strip()
    if not message:
        errors.append(
            {"field": "message", "message": "Beskriv med dine egne ord, hvad du har set og hørt."}
        )
    elif len(message) > 5000:
        errors.append({"field": "message", "message": "Beskeden må højst være 5000 tegn."})
    if assessment.critical and data.parents_informed:
        errors.append({"field": "parents_informed", "message": ABUSE_RULE})
    if data.parents_informed is None and not assessment.critical:
        errors.append(
            {"field": "parents_informed", "message": "Svar på, om forældrene er orienteret."}
        )
    if data.parents_informed is False and not assessment.critical and not data.parents_note.strip():
        errors.append(
            {"field": "parents_note", "message": "Skriv hvorfor forældrene ikke er orienteret."}
        )
    number = None
    if data.cpr and data.cpr.strip():
        try:
            number = cpr.validate(data.cpr, expected_birth_date=child.birth_date)
        except cpr.CprError as error:
            errors.append({"field": "cpr", "message": str(error)})
    if not data.confirmed:
        errors.append(
            {
                "field": "confirm",
                "message": "Bekræft, at underretningen skal sendes. Den kan ikke trækkes tilbage.",
            }
        )
    if errors:
        raise Invalid(errors[0]["message"], details=errors)
    details = data.details or NotificationDetails()
    filled = details.model_copy(
        update={
            "notifier_name": details.notifier_name.strip() or actor.display_name,
            "notifier_contact": details.notifier_contact.strip()
            or f"{institution.name}, {institution.address}".strip(", "),
        }
    )
    concern = _base_concern(session, actor, assessment, ConcernKind.NOTIFICATION)
    concern.message = message
    concern.parents_informed = False if assessment.critical else data.parents_informed
    concern.parents_note = data.parents_note.strip()[:2000]
    concern.details = filled.model_dump()
    concern.child_name = child.full_name
    concern.child_birth_date = child.birth_date
    concern.cpr_encrypted = crypto.encrypt(cipher, number) if number else None
    return _submitted(session, actor, concern)


# --- Workflow ---------------------------------------------------------------------------


def move(
    session: Session,
    actor: User,
    *,
    concern_id: int,
    to: str,
    note: str = "",
    outcome: str | None = None,
    feedback: str = "",
) -> Concern:
    """One step of the workflow, by a social worker of the concern's district (409 when the
    step is not the next one)."""
    if actor.role_enum is not Role.SOCIAL_WORKER:
        raise Forbidden("Kun distriktets socialrådgivere behandler sagerne.")
    concern = scope.get_concern_for(session, actor, concern_id=concern_id, purpose="sagsskridt")
    kind = ConcernKind(concern.kind)
    current = ConcernStatus(concern.status)
    try:
        new = transition(kind, current, to)
    except IllegalTransition as error:
        raise Conflict(str(error), code="illegal_transition") from error
    now = utcnow()
    note = note.strip()[:5000]
    if new is ConcernStatus.ASSESSED:
        if not outcome:
            raise Invalid.field("outcome", "Vælg udfaldet af vurderingen.")
        concern.outcome = outcome
        concern.feedback = feedback.strip()[:5000]
        concern.assessed_at = now
    elif new is ConcernStatus.ACKNOWLEDGED:
        concern.acknowledged_at = now
    elif new is ConcernStatus.ANSWERED:
        if not note:
            raise Invalid.field("note", "Skriv dit svar til medarbejderen.")
        concern.answer = note
        concern.answered_at = now
    elif new is ConcernStatus.CLOSED:
        concern.closed_at = now
    concern.status = new
    session.add(concern)
    _event(session, concern, actor, new, note, current)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.CONCERN_TRANSITION,
        object_type="concern",
        object_id=concern.id,
        child_id=concern.child_id if concern.kind == ConcernKind.NOTIFICATION else None,
        detail=f"{current} → {new}",
    )
    return concern


def for_assessment(session: Session, assessment: Assessment) -> Sequence[Concern]:
    """What the institution sent about an assessment (fetched through its scope)."""
    return session.exec(
        select(Concern)
        .where(Concern.assessment_id == assessment.id)
        .order_by(col(Concern.created_at))
    ).all()


def timeline(session: Session, concern: Concern) -> Sequence[ConcernEvent]:
    """The concern's steps, oldest first (the concern was fetched through its scope)."""
    return session.exec(
        select(ConcernEvent)
        .where(ConcernEvent.concern_id == concern.id)
        .order_by(col(ConcernEvent.at), col(ConcernEvent.id))
    ).all()


# --- Deadlines and the inbox ------------------------------------------------------------


def deadlines_of(concern: Concern) -> dict[str, Deadline]:
    """A notification's legal deadlines; none for a consultation."""
    if concern.kind != ConcernKind.NOTIFICATION:
        return {}
    return notification_deadlines(
        concern.created_at,
        assessed_at=concern.assessed_at,
        acknowledged_at=concern.acknowledged_at,
    )


def _earliest_open_due(concern: Concern) -> dt.datetime:
    open_dues = [d.due for d in deadlines_of(concern).values() if d.done_at is None]
    return min(open_dues) if open_dues else dt.datetime.max.replace(tzinfo=dt.UTC)


def inbox_order(concerns: Sequence[Concern]) -> list[Concern]:
    """api.md: notifications before consultations, critical notifications first, then the
    earliest open deadline, then oldest first; closed concerns last."""
    return sorted(
        concerns,
        key=lambda c: (
            c.status == ConcernStatus.CLOSED,
            c.kind != ConcernKind.NOTIFICATION,
            not c.critical,
            _earliest_open_due(c),
            c.created_at,
            c.id,
        ),
    )


def list_for(session: Session, actor: User) -> list[Concern]:
    """The actor's concerns: the inbox order for social workers, newest first for staff."""
    concerns = scope.visible_concerns(session, actor)
    audit.record(
        session,
        actor,
        AuditTag.CONCERN_LIST,
        object_type="district" if actor.role_enum is Role.SOCIAL_WORKER else "institution",
        object_id=actor.district_id
        if actor.role_enum is Role.SOCIAL_WORKER
        else actor.institution_id,
        detail=f"{len(concerns)} sager",
    )
    if actor.role_enum is Role.SOCIAL_WORKER:
        return inbox_order(concerns)
    return sorted(concerns, key=lambda c: (c.created_at, c.id), reverse=True)


@dataclass(frozen=True)
class Counts:
    """For the social worker's header."""

    open: int
    overdue: int


def counts_for(session: Session, actor: User, now: dt.datetime | None = None) -> Counts:
    """Open and overdue concerns of the social worker's district (not audited: no data)."""
    now = now or utcnow()
    concerns = session.exec(
        select(Concern).where(
            Concern.district_id == actor.district_id, Concern.status != ConcernStatus.CLOSED
        )
    ).all()
    overdue = sum(
        1
        for c in concerns
        if any(d.state(now) is DeadlineState.OVERDUE for d in deadlines_of(c).values())
    )
    return Counts(open=len(concerns), overdue=overdue)


def earlier_concerns(session: Session, actor: User, concern: Concern) -> list[Concern]:
    """Earlier notifications about the same child in the district (the Ombudsman's point:
    connect repeated notifications). Only for notifications: consultations are anonymous."""
    if concern.kind != ConcernKind.NOTIFICATION or actor.role_enum is not Role.SOCIAL_WORKER:
        return []
    return list(
        session.exec(
            select(Concern)
            .where(
                Concern.child_id == concern.child_id,
                Concern.kind == ConcernKind.NOTIFICATION,
                Concern.id != concern.id,
                Concern.district_id == actor.district_id,
            )
            .order_by(col(Concern.created_at).desc())
        ).all()
    )


# --- API shapes -------------------------------------------------------------------------


def deadlines_to_api(concern: Concern, now: dt.datetime) -> dict[str, Any]:
    """api.md's deadlines object."""
    return {
        name: {"due": d.due.isoformat(), "met": d.met(now), "state": d.state(now).value}
        for name, d in deadlines_of(concern).items()
    }


def to_api(
    concern: Concern,
    viewer: User,
    *,
    now: dt.datetime | None = None,
    cipher: MultiFernet | None = None,
) -> dict[str, Any]:
    """The concern as ``viewer`` may see it. A social worker never gets a consultation's
    links to the child or the assessment."""
    now = now or utcnow()
    anonymous = concern.kind == ConcernKind.CONSULTATION
    hide_links = anonymous and viewer.role_enum is Role.SOCIAL_WORKER
    following = next_status(ConcernKind(concern.kind), ConcernStatus(concern.status))
    body: dict[str, Any] = {
        "id": concern.id,
        "kind": concern.kind,
        "status": concern.status,
        "next_status": following.value if following else None,
        "anonymous": anonymous,
        "created_at": concern.created_at.isoformat(),
        "district_id": concern.district_id,
        "institution_id": concern.institution_id,
        "age_years": concern.age_years,
        "level": concern.level,
        "critical": concern.critical,
        "observed_indicators": concern.observed,
        "message": concern.message,
        "deadlines": deadlines_to_api(concern, now),
        "acknowledged_at": concern.acknowledged_at.isoformat() if concern.acknowledged_at else None,
        "assessed_at": concern.assessed_at.isoformat() if concern.assessed_at else None,
        "answered_at": concern.answered_at.isoformat() if concern.answered_at else None,
        "closed_at": concern.closed_at.isoformat() if concern.closed_at else None,
        "answer": concern.answer or None,
        "outcome": concern.outcome or None,
        "feedback": concern.feedback or None,
    }
    if not hide_links:
        body["assessment_id"] = concern.assessment_id
        body["child_id"] = concern.child_id
    if not anonymous:
        token = concern.cpr_encrypted
        number = crypto.decrypt(cipher, token) if token and cipher else None
        body["child"] = {
            "name": concern.child_name,
            "birth_date": concern.child_birth_date.isoformat()
            if concern.child_birth_date
            else None,
            "cpr_masked": cpr.mask(number) if number else None,
        }
        body["parents_informed"] = concern.parents_informed
        body["parents_note"] = concern.parents_note or None
        body["details"] = concern.details
    return body


@dataclass(frozen=True)
class Rotation:
    """What :func:`rotate_cpr_numbers` did."""

    rotated: int
    unreadable: int


def rotate_cpr_numbers(session: Session, cipher: MultiFernet) -> Rotation:
    """Encrypt every stored CPR number again under the cipher's first key (run after a new key
    is put first in TRIVSEL_CPR_KEY). A number no configured key opens is left as it is and
    counted: the operator has dropped a key that is still needed. Audited once, without
    numbers."""
    rotated = unreadable = 0
    for concern in session.exec(select(Concern).where(col(Concern.cpr_encrypted).is_not(None))):
        token = crypto.rotate(cipher, concern.cpr_encrypted or "")
        if token is None:
            unreadable += 1
            continue
        concern.cpr_encrypted = token
        session.add(concern)
        rotated += 1
    session.flush()
    audit.record(
        session,
        None,
        AuditTag.CPR_KEY_ROTATE,
        username="system",
        detail=f"{rotated} krypteret igen, {unreadable} kunne ikke åbnes",
    )
    return Rotation(rotated=rotated, unreadable=unreadable)
