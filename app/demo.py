"""Demo data: the fixed districts, institutions and users that guides and outside tests rely on."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import District, Institution, InstitutionKind, Role
from app.accounts.passwords import hash_password
from app.db import id_of, local_today


@dataclass(frozen=True)
class DemoUser:
    """One demo login."""

    username: str
    display_name: str
    role: Role
    institution: str | None = None
    district: str | None = None


DISTRICTS = {
    "Nord": [
        ("Børnehuset Mælkebøtten", InstitutionKind.DAYCARE, "Mælkebøttevej 1, 9000 Nordby"),
        ("Nordskolen", InstitutionKind.SCHOOL, "Skolevej 10, 9000 Nordby"),
    ],
    "Syd": [
        ("Vuggestuen Spiren", InstitutionKind.DAYCARE, "Spirevej 3, 7000 Sydby"),
        ("Sydskolen", InstitutionKind.SCHOOL, "Skolegade 5, 7000 Sydby"),
    ],
}
USERS = [
    DemoUser("paedagog", "Pia Pædagog", Role.STAFF, institution="Børnehuset Mælkebøtten"),
    DemoUser("laerer", "Lars Lærer", Role.STAFF, institution="Nordskolen"),
    DemoUser("paedagog2", "Peter Pædagog", Role.STAFF, institution="Vuggestuen Spiren"),
    DemoUser("leder", "Lone Leder", Role.LEADER, institution="Børnehuset Mælkebøtten"),
    DemoUser("raadgiver", "Rikke Rådgiver", Role.SOCIAL_WORKER, district="Nord"),
    DemoUser("raadgiver2", "Rasmus Rådgiver", Role.SOCIAL_WORKER, district="Syd"),
    DemoUser("admin", "Anne Administrator", Role.ADMIN),
]


def seed(session: Session, *, password: str) -> None:
    """Create the demo organisation and users, or reset their passwords to ``password``."""
    district_ids: dict[str, int] = {}
    institution_ids: dict[str, int] = {}
    for district_name, institutions in DISTRICTS.items():
        district = session.exec(select(District).where(District.name == district_name)).first()
        if district is None:
            district = District(name=district_name)
            session.add(district)
            session.flush()
        district_ids[district_name] = district.id  # type: ignore[assignment]
        for name, kind, address in institutions:
            institution = session.exec(select(Institution).where(Institution.name == name)).first()
            if institution is None:
                institution = Institution(
                    name=name,
                    kind=kind,
                    district_id=id_of(district),
                    address=address,
                )
                session.add(institution)
                session.flush()
            institution_ids[name] = institution.id  # type: ignore[assignment]
    for demo in USERS:
        user = accounts.get_by_username(session, username=demo.username)
        if user is None:
            accounts.create_user(
                session,
                None,
                username=demo.username,
                display_name=demo.display_name,
                role=demo.role,
                password=password,
                institution_id=institution_ids[demo.institution] if demo.institution else None,
                district_id=district_ids[demo.district] if demo.district else None,
            )
        else:
            user.password_hash = hash_password(password)
            user.is_active = True
            user.deactivated_at = None
            session.add(user)
    session.flush()
    seed_joint(session, institution_id=institution_ids["Børnehuset Mælkebøtten"])


JOINT_CHILD = ("Sofus", "Eksempel")
"""The demo child of the joint assessment (an invented name, clearly a demo)."""


def seed_joint(session: Session, *, institution_id: int) -> None:
    """One joint assessment waiting for one participant: Pia Pædagog has submitted her own
    assessment of a demo child, Lone Leder has not (her start page's to-do). Made once: a
    second run finds it and changes nothing."""
    from app.assessments import service as assessments
    from app.catalogs import service as catalogs
    from app.children import service as children
    from app.joint import service as joint
    from app.joint.models import JointAssessment

    existing = session.exec(
        select(JointAssessment).where(JointAssessment.institution_id == institution_id)
    ).first()
    if existing is not None:
        return
    catalogs.import_shipped(session)
    pia = accounts.get_by_username(session, username="paedagog")
    lone = accounts.get_by_username(session, username="leder")
    if pia is None or lone is None:  # pragma: no cover - seed() made them just before
        return
    today = local_today()
    child = children.create(
        session,
        pia,
        first_name=JOINT_CHILD[0],
        last_name=JOINT_CHILD[1],
        birth_date=today.replace(year=today.year - 4, month=1, day=15),
    )
    started = joint.start(
        session, pia, child_id=id_of(child), participant_ids=[id_of(pia), id_of(lone)]
    )
    draft = joint.open_individual(session, pia, joint_id=id_of(started))
    catalog = catalogs.get_version(
        session, catalog_id=draft.catalog_id, version=draft.catalog_version
    )
    level_two = [i.id for i in catalog.indicators() if i.level == 2 and not i.critical][:2]
    assessments.save_draft(
        session,
        pia,
        assessment_id=id_of(draft),
        observed=level_two,
        notes="Demo: trækker sig fra legen i garderoben og ved frokost.",
    )
    assessments.finish(session, pia, assessment_id=id_of(draft))
    joint.sync(session, started)
