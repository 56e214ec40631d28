"""Sending a concern to the district's social workers: an anonymous consultation or a named
notification (underretning). Flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import MultiFernet
from sqlmodel import Session

from app.accounts.models import Role, User
from app.assessments.models import Assessment
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.concerns import anonymity, cpr, crypto, scope
from app.concerns.handling import record_event
from app.concerns.models import Concern
from app.concerns.schemas import ABUSE_RULE, MESSAGE_MAX, NotificationDetails, Urgency
from app.concerns.workflow import ConcernKind, ConcernStatus
from app.contacts import service as contacts
from app.db import id_of, local_today
from app.errors import Forbidden, Invalid
from app.guide.schema import age_in_years

TOO_LONG = f"Beskeden må højst være {MESSAGE_MAX} tegn."


def _observed_snapshot(assessment: Assessment) -> list[dict[str, object]]:
    """The observed indicators with their texts, as the assessment stored them."""
    stored = assessment.result.get("observed_indicators", [])
    return [dict(item) for item in stored] if isinstance(stored, list) else []


def is_acute(assessment: Assessment) -> bool:
    """Critical (the abuse rule) or acute (danger now; stored in the result snapshot, absent
    and so false in snapshots from before acute signs): the notification is urgent by
    default."""
    return bool(assessment.critical or assessment.result.get("acute") is True)


def default_urgency(assessment: Assessment) -> Urgency:
    """At least "Hurtigst muligt" when the result is critical or acute."""
    return Urgency.URGENT if is_acute(assessment) else Urgency.NORMAL


def _base_concern(
    session: Session, actor: User, assessment: Assessment, kind: ConcernKind
) -> Concern:
    child, institution = scope.child_and_institution(session, assessment)
    return Concern(
        kind=kind.value,
        status=ConcernStatus.RECEIVED.value,
        assessment_id=id_of(assessment),
        child_id=id_of(child),
        institution_id=id_of(institution),
        district_id=institution.district_id,
        created_by=id_of(actor),
        level=assessment.level or assessment.computed_level or 1,
        critical=assessment.critical,
        age_years=age_in_years(child.birth_date, local_today()),
        observed=_observed_snapshot(assessment),
        message="",
    )


def _submitted(session: Session, actor: User, concern: Concern) -> Concern:
    session.add(concern)
    session.flush()
    record_event(session, concern, actor, to_status=ConcernStatus.RECEIVED)
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


def _ensure_sender(actor: User) -> None:
    if actor.role_enum not in (Role.STAFF, Role.LEADER):
        raise Forbidden()


def submit_consultation(
    session: Session, actor: User, *, assessment_id: int, message: str
) -> Concern:
    """An anonymous consultation with the district's social workers. The message is refused
    when it could identify the child (:mod:`app.concerns.anonymity`)."""
    _ensure_sender(actor)
    assessment = scope.get_finished_assessment_for(session, actor, assessment_id=assessment_id)
    message = message.strip()
    if not message:
        raise Invalid.field("message", "Beskriv bekymringen og hvad du ønsker sparring om.")
    if len(message) > MESSAGE_MAX:
        raise Invalid.field("message", TOO_LONG)
    child, _institution = scope.child_and_institution(session, assessment)
    found = anonymity.identifying_text(
        message, names=[child.first_name, child.last_name], birth_date=child.birth_date
    )
    if found:
        raise Invalid.field("message", anonymity.refusal(found))
    concern = _base_concern(session, actor, assessment, ConcernKind.CONSULTATION)
    concern.message = message
    # The institution's named social worker first (its contacts); the district may still take it.
    concern.assigned_to = contacts.assigned_social_worker(
        session, institution_id=concern.institution_id
    )
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
    ``parents_informed`` cannot be yes when the assessment is critical (the abuse rule); a
    critical or acute result is at least "Hurtigst muligt"."""
    _ensure_sender(actor)
    assessment = scope.get_finished_assessment_for(session, actor, assessment_id=assessment_id)
    child, institution = scope.child_and_institution(session, assessment)
    errors: list[dict[str, str]] = []
    message = data.message.strip()
    if not message:
        errors.append(
            {"field": "message", "message": "Beskriv med dine egne ord, hvad du har set og hørt."}
        )
    elif len(message) > MESSAGE_MAX:
        errors.append({"field": "message", "message": TOO_LONG})
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
    details = data.details or NotificationDetails(urgency=default_urgency(assessment))
    urgency = details.urgency
    if is_acute(assessment) and urgency is Urgency.NORMAL:
        urgency = Urgency.URGENT
    filled = details.model_copy(
        update={
            "notifier_name": details.notifier_name.strip() or actor.display_name,
            "notifier_contact": details.notifier_contact.strip()
            or f"{institution.name}, {institution.address}".strip(", "),
            "urgency": urgency,
        }
    )
    concern = _base_concern(session, actor, assessment, ConcernKind.NOTIFICATION)
    concern.message = message
    concern.parents_informed = False if assessment.critical else data.parents_informed
    concern.parents_note = data.parents_note.strip()[:2000]
    concern.details = filled.model_dump(mode="json")
    concern.child_name = child.full_name
    concern.child_birth_date = child.birth_date
    concern.cpr_encrypted = crypto.encrypt(cipher, number) if number else None
    return _submitted(session, actor, concern)
