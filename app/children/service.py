"""Children services: register a child in the actor's institution."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.tags import AuditTag, label_of
from app.children.models import Child
from app.children.scope import ensure_may_see_children, get_child_for
from app.db import id_of, local_today
from app.errors import Forbidden, Invalid, NotFound

OLDEST_YEARS = 18
READS = {
    AuditTag.CHILD_VIEW.value,
    AuditTag.ASSESSMENT_VIEW.value,
    AuditTag.CONCERN_VIEW.value,
    AuditTag.HANDOVER_VIEW.value,
    AuditTag.MEETING_VIEW.value,
    AuditTag.CONCERN_DOCUMENT.value,
}
"""Look-ups: their audit detail is the purpose ("vurdering", "barnets side", …)."""
PURPOSE_WORDS = {"consultation": "sparring", "notification": "underretning"}
"""A concern read without a stated purpose is audited with its kind."""


def age_text(birth_date: dt.date, today: dt.date) -> str:
    """The age in Danish: months under two years, whole years after that."""
    months = (today.year - birth_date.year) * 12 + today.month - birth_date.month
    if today.day < birth_date.day:
        months -= 1
    months = max(months, 0)
    if months >= 24:
        return f"{months // 12} år"
    if months >= 12:
        rest = months - 12
        return "1 år" + (f" og {rest} {'måned' if rest == 1 else 'måneder'}" if rest else "")
    return f"{months} {'måned' if months == 1 else 'måneder'}"


def create(
    session: Session,
    actor: User,
    *,
    first_name: str,
    last_name: str,
    birth_date: dt.date | None,
    institution_id: int | None = None,
) -> Child:
    """Register a child in the actor's own institution."""
    ensure_may_see_children(actor)
    if institution_id is not None and institution_id != actor.institution_id:
        raise NotFound("Institutionen findes ikke.")
    first_name, last_name = first_name.strip(), last_name.strip()
    errors = []
    if not first_name or len(first_name) > 100:
        errors.append({"field": "first_name", "message": "Skriv barnets fornavn."})
    if not last_name or len(last_name) > 100:
        errors.append({"field": "last_name", "message": "Skriv barnets efternavn."})
    today = local_today()
    if birth_date is None:
        errors.append({"field": "birth_date", "message": "Skriv barnets fødselsdato."})
    elif birth_date > today:
        errors.append({"field": "birth_date", "message": "Fødselsdatoen ligger i fremtiden."})
    elif birth_date < today.replace(year=today.year - OLDEST_YEARS - 1):
        errors.append({"field": "birth_date", "message": "Guiden er til børn og unge under 18 år."})
    if errors:
        raise Invalid(errors[0]["message"], details=errors)
    assert birth_date is not None  # noqa: S101 - checked above
    child = Child(
        institution_id=actor.institution_id,  # type: ignore[arg-type]
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        created_by=id_of(actor),
    )
    session.add(child)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.CHILD_CREATE,
        object_type="child",
        object_id=child.id,
        child_id=child.id,
    )
    return child


#: How far ahead a leaving may be registered (a family that has given notice).
LEAVING_AHEAD_DAYS = 366


def set_leaving(session: Session, actor: User, *, child_id: int, left_on: dt.date | None) -> Child:
    """The institution's leader records the day the child leaves (*udmeldt*), or undoes it
    (None). From that day the child is off the institution's lists, and its records are
    deleted when the retention period after it has passed (docs/operations.md)."""
    if actor.role_enum is not Role.LEADER:
        raise Forbidden("Kun institutionens leder kan registrere, at et barn er udmeldt.")
    child = get_child_for(session, actor, child_id=child_id, purpose="udmeldelse")
    if left_on is not None:
        if left_on < child.birth_date:
            raise Invalid.field("left_on", "Udmeldelsesdatoen ligger før barnets fødselsdato.")
        if left_on > local_today() + dt.timedelta(days=LEAVING_AHEAD_DAYS):
            raise Invalid.field(
                "left_on", "Udmeldelsesdatoen ligger mere end et år ude i fremtiden."
            )
    child.left_on = left_on
    session.add(child)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.CHILD_LEAVING,
        object_type="child",
        object_id=child.id,
        child_id=child.id,
        detail=f"udmeldt {left_on.isoformat()}" if left_on else "udmeldelse fortrudt",
    )
    return child


def move_to(session: Session, child: Child, *, institution_id: int) -> Child:
    """The child now belongs to another institution (an accepted handover): from now on its
    staff see the child and the sending institution's do not. The caller audits it."""
    child.institution_id = institution_id
    session.add(child)
    session.flush()
    return child


# --- The child's access log, for a request of access (indsigt i logning) -----------------


@dataclass(frozen=True)
class AccessRow:
    """One line of the access log as the parents may see it: no employee's identity."""

    at: dt.datetime
    what: str
    purpose: str
    role: str


def _role_label(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return "System"


def access_log(session: Session, actor: User, *, child_id: int) -> tuple[Child, list[AccessRow]]:
    """The child (its reading audited with the purpose "indsigt i logning") and every audit row
    about it, newest first, as the parents may see them: time, what, the purpose of a look-up
    and the role — never a name, user name or address."""
    child = get_child_for(session, actor, child_id=child_id, purpose="indsigt i logning")
    return child, access_rows(session, child)


def access_rows(session: Session, child: Child) -> list[AccessRow]:
    """Every audit row about a child the caller fetched through its scope, newest first, as
    the parents may see them (time, what, purpose, role; never who)."""
    return [
        AccessRow(
            at=event.at,
            what=label_of(event.action),
            purpose=PURPOSE_WORDS.get(event.detail, event.detail) if event.action in READS else "",
            role=_role_label(event.actor_role),
        )
        for event in audit.for_child(session, child_id=id_of(child))
    ]
