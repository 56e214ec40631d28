"""Whom staff call: an institution's named contacts, its district's, and the municipality's
own numbers (from settings). Admins replace a list as a whole; every change is audited.
Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from app.accounts import service as accounts
from app.accounts.models import Institution, Role, User
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.catalogs.service import GUIDE_CONTENT_DIR
from app.contacts.directory import ContactRole, roles_for_action
from app.contacts.models import Contact, OfferVersion
from app.contacts.schemas import (
    EMAIL_MAX,
    HOURS_MAX,
    MAX_CONTACTS,
    NAME_MAX,
    ContactEntry,
    ContactInput,
    ContactScope,
)
from app.db import id_of
from app.errors import Forbidden, Invalid, NotFound
from app.guide.loader import OFFERS_FILE, ContentError, load_offers, parse_offers
from app.guide.offers import Offer, OfferLadder
from app.phones import PhoneError, normalise_phone
from app.settings import Settings

DUTY_NAME = "Den sociale døgnvagt (uden for kommunens åbningstid, via politiet)"
EMERGENCY_NAME = "Alarmcentralen: akut fare for liv eller helbred"

ROLE_MESSAGE = "Vælg en af de viste roller."
NAME_MESSAGE = f"Skriv kontaktens navn (højst {NAME_MAX} tegn)."
EMAIL_MESSAGE = "Skriv en e-mailadresse som navn@kommune.dk."
HOURS_MESSAGE = f"Skriv træffetiden med højst {HOURS_MAX} tegn."
USER_MESSAGE = "Brugeren skal være en aktiv socialrådgiver i institutionens distrikt."
DISTRICT_USER_MESSAGE = "Brugeren skal være en aktiv socialrådgiver i distriktet."
TOO_MANY = f"Højst {MAX_CONTACTS} kontakter."


def _municipal(name: str, phone: str, email: str, hours: str) -> ContactEntry:
    return ContactEntry(
        role=ContactRole.OTHER,
        name=name,
        phone=phone,
        email=email,
        hours=hours,
        user_id=None,
        scope=ContactScope.MUNICIPALITY,
    )


def municipality_contacts(settings: Settings) -> list[ContactEntry]:
    """The municipality's own numbers: the children and family unit (when configured), the
    social duty officer outside office hours through the police (114) and 112."""
    entries = []
    if settings.children_family_unit_phone or settings.children_family_unit_email:
        entries.append(
            _municipal(
                settings.children_family_unit_name,
                settings.children_family_unit_phone,
                settings.children_family_unit_email,
                settings.children_family_unit_hours,
            )
        )
    entries.append(_municipal(DUTY_NAME, "114", "", "Aftener, nætter, weekender og helligdage"))
    entries.append(_municipal(EMERGENCY_NAME, "112", "", "Døgnet rundt"))
    return entries


def _entry(contact: Contact | sa.Row[Any], scope: ContactScope) -> ContactEntry:
    return ContactEntry(
        role=ContactRole(contact.role),
        name=contact.name,
        phone=contact.phone,
        email=contact.email,
        hours=contact.hours,
        user_id=contact.user_id,
        scope=scope,
    )


def _institution_rows(session: Session, institution_id: int) -> Sequence[Contact]:
    return session.exec(
        select(Contact)
        .where(col(Contact.institution_id) == institution_id)
        .order_by(col(Contact.position), col(Contact.id))
    ).all()


def _district_rows(session: Session, district_id: int) -> Sequence[Contact]:
    return session.exec(
        select(Contact)
        .where(col(Contact.district_id) == district_id)
        .order_by(col(Contact.position), col(Contact.id))
    ).all()


def may_see(actor: User, institution: Institution) -> bool:
    """Staff and leaders of the institution, social workers of its district, admins."""
    role = actor.role_enum
    if role is Role.ADMIN:
        return True
    if role in (Role.STAFF, Role.LEADER):
        return actor.institution_id == institution.id
    return role is Role.SOCIAL_WORKER and actor.district_id == institution.district_id


def contacts_of(
    session: Session, institution: Institution, settings: Settings
) -> list[ContactEntry]:
    """The institution's own contacts, then its district's, then the municipality's (no
    access check: for the caller that has made one, and for the offline guide data)."""
    return contacts_for_institution(session, institution_id=institution.id or 0, settings=settings)


_CONTACT = Contact.__table__  # type: ignore[attr-defined]
_INSTITUTION = Institution.__table__  # type: ignore[attr-defined]
_OF_INSTITUTION = (
    sa.select(_CONTACT)
    .where(
        sa.or_(
            _CONTACT.c.institution_id == sa.bindparam("institution_id"),
            _CONTACT.c.district_id
            == sa.select(_INSTITUTION.c.district_id)
            .where(_INSTITUTION.c.id == sa.bindparam("institution_id"))
            .scalar_subquery(),
        )
    )
    .order_by(_CONTACT.c.position, _CONTACT.c.id)
)
"""An institution's and its district's contacts in one Core SELECT, by the admins' order."""


def contacts_for_institution(
    session: Session, *, institution_id: int, settings: Settings
) -> list[ContactEntry]:
    """:func:`contacts_of` by the institution's id, in one statement (its contacts and its
    district's, the district found in the same statement): for the summary panel on every
    questionnaire and result page. No access check, as there."""
    rows = session.execute(_OF_INSTITUTION, {"institution_id": institution_id}).all()
    own = [_entry(r, ContactScope.INSTITUTION) for r in rows if r.institution_id == institution_id]
    district = [
        _entry(r, ContactScope.DISTRICT) for r in rows if r.institution_id != institution_id
    ]
    return own + district + municipality_contacts(settings)


def list_for_institution(
    session: Session, actor: User, *, institution_id: int, settings: Settings
) -> list[ContactEntry]:
    """The contacts of one institution, for someone who may see them (else NotFound: the
    caller may not know the institution's list exists)."""
    try:
        institution = accounts.get_institution(session, institution_id=institution_id)
    except NotFound:
        raise NotFound("Kontaktlisten findes ikke.") from None
    if not may_see(actor, institution):
        raise NotFound("Kontaktlisten findes ikke.")
    return contacts_of(session, institution, settings)


def district_contacts(session: Session, *, district_id: int) -> list[ContactEntry]:
    """A district's own contacts (the admin page)."""
    return [_entry(c, ContactScope.DISTRICT) for c in _district_rows(session, district_id)]


def institution_contacts(session: Session, *, institution_id: int) -> list[ContactEntry]:
    """An institution's own contacts (the admin page)."""
    return [_entry(c, ContactScope.INSTITUTION) for c in _institution_rows(session, institution_id)]


def for_action(entries: Sequence[ContactEntry], action: str) -> list[ContactEntry]:
    """Whom to call beside one recommended action: the roles that help with it
    (:data:`app.contacts.directory.ACTION_ROLES`) and, beside a notification, the
    municipality's numbers."""
    roles = roles_for_action(action)
    chosen = [e for e in entries if e.scope is not ContactScope.MUNICIPALITY and e.role in roles]
    if action == "notification":
        chosen += [e for e in entries if e.scope is ContactScope.MUNICIPALITY]
    return chosen


def calls_by_action(
    entries: Sequence[ContactEntry], actions: Sequence[str]
) -> dict[str, list[ContactEntry]]:
    """:func:`for_action` for each of ``actions`` (the summary panel's ``calls``)."""
    return {action: for_action(entries, action) for action in actions}


def assigned_social_worker(session: Session, *, institution_id: int) -> int | None:
    """The user of the first social worker the institution's contacts name (active, of its
    district), or None: a consultation from the institution goes to them first."""
    institution = accounts.get_institution(session, institution_id=institution_id)
    for contact in _institution_rows(session, institution_id):
        if contact.role != ContactRole.SOCIAL_WORKER or contact.user_id is None:
            continue
        user = session.get(User, contact.user_id)
        if _is_district_social_worker(user, institution.district_id):
            return contact.user_id
    return None


def _is_district_social_worker(user: User | None, district_id: int) -> bool:
    return (
        user is not None
        and user.is_active
        and user.role_enum is Role.SOCIAL_WORKER
        and user.district_id == district_id
    )


def _checked(
    session: Session, items: Sequence[ContactInput], *, district_id: int, user_message: str
) -> list[Contact]:
    """The rows to store, or Invalid naming every offending field (``contacts.N.field``)."""
    if len(items) > MAX_CONTACTS:
        raise Invalid.field("contacts", TOO_MANY)
    errors: list[dict[str, str]] = []
    rows: list[Contact] = []

    def refuse(index: int, name: str, message: str) -> None:
        errors.append({"field": f"contacts.{index}.{name}", "message": message})

    for index, item in enumerate(items):
        try:
            role = ContactRole(item.role)
        except ValueError:
            refuse(index, "role", ROLE_MESSAGE)
            role = ContactRole.OTHER
        name = " ".join(item.name.split())
        if not name or len(name) > NAME_MAX:
            refuse(index, "name", NAME_MESSAGE)
        phone = ""
        if item.phone.strip():
            try:
                phone = normalise_phone(item.phone)
            except PhoneError as error:
                refuse(index, "phone", str(error))
        email = item.email.strip()
        if email and (
            len(email) > EMAIL_MAX
            or email.count("@") != 1
            or any(c.isspace() for c in email)
            or "." not in email.split("@")[1]
        ):
            refuse(index, "email", EMAIL_MESSAGE)
        hours = " ".join(item.hours.split())
        if len(hours) > HOURS_MAX:
            refuse(index, "hours", HOURS_MESSAGE)
        if item.user_id is not None and not _is_district_social_worker(
            session.get(User, item.user_id), district_id
        ):
            refuse(index, "user_id", user_message)
        rows.append(
            Contact(
                position=index,
                role=role.value,
                name=name,
                phone=phone,
                email=email,
                hours=hours,
                user_id=item.user_id,
            )
        )
    if errors:
        raise Invalid(errors[0]["message"], details=errors)
    return rows


def _ensure_admin(actor: User) -> None:
    if actor.role_enum is not Role.ADMIN:
        raise Forbidden()


def _store(
    session: Session,
    actor: User,
    rows: list[Contact],
    *,
    owner: Literal["institution", "district"],
    owner_id: int,
) -> None:
    """The one way both owners' lists are replaced: the old rows deleted, the checked ones
    stored under the owner, the change audited."""
    owner_column = col(Contact.institution_id if owner == "institution" else Contact.district_id)
    session.exec(delete(Contact).where(owner_column == owner_id))
    for row in rows:
        setattr(row, f"{owner}_id", owner_id)
        session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.CONTACTS_UPDATE,
        object_type=owner,
        object_id=owner_id,
        detail=f"{len(rows)} kontakter",
    )


def replace_institution_contacts(
    session: Session, actor: User, *, institution_id: int, contacts: Sequence[ContactInput]
) -> list[ContactEntry]:
    """Replace an institution's named contacts (admins). A phone must be a Danish number; a
    ``user_id`` a social worker of the institution's district. Nothing changes on a refusal."""
    _ensure_admin(actor)
    institution = accounts.get_institution(session, institution_id=institution_id)
    rows = _checked(
        session, contacts, district_id=institution.district_id, user_message=USER_MESSAGE
    )
    _store(session, actor, rows, owner="institution", owner_id=institution_id)
    return institution_contacts(session, institution_id=institution_id)


def replace_district_contacts(
    session: Session, actor: User, *, district_id: int, contacts: Sequence[ContactInput]
) -> list[ContactEntry]:
    """Replace a district's contacts (admins): shown to every institution of the district
    after its own."""
    _ensure_admin(actor)
    accounts.get_district(session, district_id=district_id)
    rows = _checked(session, contacts, district_id=district_id, user_message=DISTRICT_USER_MESSAGE)
    _store(session, actor, rows, owner="district", owner_id=district_id)
    return district_contacts(session, district_id=district_id)


# --- the municipality's offers ---------------------------------------------------------------

LEVEL_MESSAGE = "Niveauet skal være et helt tal fra 1 til 4."
YAML_MAX = 200_000

_PARSED: dict[str, OfferLadder] = {}
"""Published versions parsed once per process, by their text (a version never changes)."""


@lru_cache(maxsize=1)
def shipped_offers() -> OfferLadder:
    """``guide_content/offers.yaml``, parsed and validated once per process (the app refuses
    to start when it is broken, as with the catalogs)."""
    return load_offers(GUIDE_CONTENT_DIR)


def _latest(session: Session) -> OfferVersion | None:
    return session.exec(select(OfferVersion).order_by(col(OfferVersion.version).desc())).first()


def current_offers(session: Session) -> OfferLadder:
    """The offers in force: the newest version an admin published, else the shipped file."""
    row = _latest(session)
    if row is None:
        return shipped_offers()
    if row.yaml not in _PARSED:
        _PARSED[row.yaml] = parse_offers(row.yaml, filename=f"version {row.version}")
    return _PARSED[row.yaml]


def offers(session: Session, *, level: int | None = None) -> list[Offer]:
    """The offers for ``level`` (all without), in the ladder's order; Invalid outside 1-4."""
    if level is not None and level not in (1, 2, 3, 4):
        raise Invalid.field("level", LEVEL_MESSAGE)
    return current_offers(session).for_level(level)


def offers_version(session: Session) -> int:
    """The number of the version in force (the shipped file's own ``version`` before any)."""
    row = _latest(session)
    return row.version if row is not None else shipped_offers().version


def offers_text(session: Session) -> str:
    """The offers in force as the text of an offers.yaml (what the editor starts from)."""
    row = _latest(session)
    if row is not None:
        return row.yaml
    return (GUIDE_CONTENT_DIR / OFFERS_FILE).read_text(encoding="utf-8")


def offer_history(session: Session) -> Sequence[OfferVersion]:
    """Every published version, newest first."""
    return session.exec(select(OfferVersion).order_by(col(OfferVersion.version).desc())).all()


def check_offers(text: str) -> OfferLadder:
    """The ladder a submitted text makes, or Invalid with every problem by line
    (``details``: ``{"field": "yaml", "line", "path", "message"}``). Stores nothing."""
    if len(text) > YAML_MAX:
        raise Invalid.field("yaml", f"Teksten er for lang (højst {YAML_MAX} tegn).")
    try:
        return parse_offers(text, filename="tilbud")
    except ContentError as error:
        details = [{"field": "yaml", **issue.to_detail()} for issue in error.issues]
        raise Invalid("Tilbuddene har fejl; intet er gemt.", details=details) from None


def publish_offers(session: Session, actor: User, *, text: str) -> OfferVersion:
    """Publish a new version of the offers (admins): checked like offers.yaml, numbered after
    the one in force, audited. Staff see it on the next result page they open."""
    _ensure_admin(actor)
    check_offers(text)
    row = OfferVersion(version=offers_version(session) + 1, yaml=text, created_by=id_of(actor))
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.OFFERS_UPDATE,
        object_type="offers",
        object_id=row.version,
        detail=f"version {row.version}",
    )
    return row
