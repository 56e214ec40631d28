"""Districts and institutions: the organisation users belong to. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import messages
from app.accounts.models import District, Institution, InstitutionKind, User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.errors import Conflict, Invalid, NotFound


def _stored(
    session: Session, actor: User, unit: District | Institution, tag: AuditTag, *, detail: str
) -> None:
    """A district or institution added or changed: flushed and audited as that unit."""
    session.add(unit)
    session.flush()
    audit.record(
        session,
        actor,
        tag,
        object_type="district" if isinstance(unit, District) else "institution",
        object_id=unit.id,
        detail=detail,
    )


def list_districts(session: Session) -> Sequence[District]:
    """All districts by name."""
    return session.exec(select(District).order_by(col(District.name))).all()


def get_district(session: Session, *, district_id: int) -> District:
    """One district, or NotFound."""
    district = session.get(District, district_id)
    if district is None:
        raise NotFound(messages.DISTRICT_UNKNOWN)
    return district


def create_district(session: Session, actor: User, *, name: str) -> District:
    """Create a district with a unique name."""
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid.field("name", messages.NAME_REQUIRED)
    if session.exec(select(District).where(func.lower(District.name) == name.lower())).first():
        raise Invalid.field("name", messages.NAME_TAKEN)
    district = District(name=name)
    _stored(session, actor, district, AuditTag.DISTRICT_CREATE, detail=name)
    return district


def rename_district(session: Session, actor: User, *, district_id: int, name: str) -> District:
    """Give a district a new (unique) name."""
    district = get_district(session, district_id=district_id)
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid.field("name", messages.NAME_REQUIRED)
    clash = session.exec(select(District).where(func.lower(District.name) == name.lower())).first()
    if clash is not None and clash.id != district.id:
        raise Invalid.field("name", messages.NAME_TAKEN)
    old = district.name
    district.name = name
    _stored(session, actor, district, AuditTag.DISTRICT_UPDATE, detail=f"{old} → {name}")
    return district


def list_institutions(session: Session, *, active_only: bool = False) -> Sequence[Institution]:
    """All institutions by name."""
    query = select(Institution).order_by(col(Institution.name))
    if active_only:
        query = query.where(col(Institution.is_active).is_(True))
    return session.exec(query).all()


def get_institution(session: Session, *, institution_id: int) -> Institution:
    """One institution, or NotFound."""
    institution = session.get(Institution, institution_id)
    if institution is None:
        raise NotFound(messages.INSTITUTION_UNKNOWN)
    return institution


def _check_institution_fields(
    session: Session, *, name: str, kind: str, district_id: int, exclude_id: int | None
) -> None:
    if not name or len(name) > 150:
        raise Invalid.field("name", messages.NAME_REQUIRED)
    if kind not in set(InstitutionKind):
        raise Invalid.field("kind", messages.KIND_UNKNOWN)
    if session.get(District, district_id) is None:
        raise Invalid.field("district_id", messages.DISTRICT_UNKNOWN)
    clash = session.exec(
        select(Institution).where(func.lower(Institution.name) == name.lower())
    ).first()
    if clash is not None and clash.id != exclude_id:
        raise Invalid.field("name", messages.NAME_TAKEN)


def create_institution(
    session: Session, actor: User, *, name: str, kind: str, district_id: int, address: str = ""
) -> Institution:
    """Create a daycare or school in a district."""
    name = name.strip()
    _check_institution_fields(
        session, name=name, kind=kind, district_id=district_id, exclude_id=None
    )
    institution = Institution(
        name=name, kind=kind, district_id=district_id, address=address.strip()[:300]
    )
    _stored(session, actor, institution, AuditTag.INSTITUTION_CREATE, detail=name)
    return institution


def update_institution(
    session: Session,
    actor: User,
    *,
    institution_id: int,
    name: str,
    kind: str,
    district_id: int,
    address: str,
    is_active: bool,
) -> Institution:
    """Change an institution's name, kind, district, address or active flag."""
    institution = get_institution(session, institution_id=institution_id)
    name = name.strip()
    _check_institution_fields(
        session, name=name, kind=kind, district_id=district_id, exclude_id=institution.id
    )
    institution.name = name
    institution.kind = kind
    institution.district_id = district_id
    institution.address = address.strip()[:300]
    institution.is_active = is_active
    _stored(session, actor, institution, AuditTag.INSTITUTION_UPDATE, detail=name)
    return institution


def _clean_external_id(external_id: str) -> str | None:
    """Stripped; empty → None (no external id); too long or with inner spaces → Invalid."""
    value = external_id.strip()
    if len(value) > 100 or any(c.isspace() for c in value):
        raise Invalid.field("external_id", messages.EXTERNAL_ID_FORMAT)
    return value or None


def _check_external_id_free(session: Session, value: str | None, *, owner: object) -> None:
    """An external id names one organisation unit: of all districts and institutions."""
    if value is None:
        return
    for model in (District, Institution):
        clash = session.exec(select(model).where(model.external_id == value)).first()
        if clash is not None and clash is not owner:
            raise Conflict(
                messages.EXTERNAL_ID_TAKEN,
                code="external_id_taken",
                details=[{"field": "external_id", "message": messages.EXTERNAL_ID_TAKEN}],
            )


def _set_external_id(
    session: Session,
    actor: User,
    unit: District | Institution,
    external_id: str,
    tag: AuditTag,
) -> None:
    """The one path both units' external ids are set by: checked, free of every other unit,
    stored and audited with the old and the new value."""
    value = _clean_external_id(external_id)
    _check_external_id_free(session, value, owner=unit)
    old = unit.external_id
    unit.external_id = value
    _stored(session, actor, unit, tag, detail=f"eksternt id: {old or '–'} → {value or '–'}")


def set_district_external_id(
    session: Session, actor: User, *, district_id: int, external_id: str
) -> District:
    """Set (or, with an empty string, clear) the id the identity provider's district claim
    carries for this district; a duplicate is a Conflict (409)."""
    district = get_district(session, district_id=district_id)
    _set_external_id(session, actor, district, external_id, AuditTag.DISTRICT_UPDATE)
    return district


def set_institution_external_id(
    session: Session, actor: User, *, institution_id: int, external_id: str
) -> Institution:
    """Set (or clear) the id the institution claim carries for this institution."""
    institution = get_institution(session, institution_id=institution_id)
    _set_external_id(session, actor, institution, external_id, AuditTag.INSTITUTION_UPDATE)
    return institution
