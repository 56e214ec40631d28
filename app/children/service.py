"""Children services: register a child in the actor's institution."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from app.accounts.models import User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.children.models import Child
from app.children.scope import ensure_may_see_children
from app.db import local_today
from app.errors import Invalid, NotFound

OLDEST_YEARS = 18


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
        created_by=actor.id,  # type: ignore[arg-type]
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
