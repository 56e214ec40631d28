"""Typed factories with deterministic Danish test data."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from sqlmodel import Session, select

from app.accounts.models import District, Institution, InstitutionKind, Role, User
from app.accounts.passwords import hash_password
from app.assessments.models import Assessment
from app.catalogs.models import CatalogVersion
from app.children.models import Child
from app.db import local_today
from app.guide.loader import dump_catalog
from app.guide.schema import Catalog
from app.rounds.models import Group, GroupChild, GroupStaff, Round, RoundGroup

TEST_PASSWORD = "korrekt-hest-batteri"


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Row) -> int:
    """The id of a stored row: SQLModel types it ``int | None``, since it is None until the
    row is flushed; a test that uses it expects it stored."""
    assert row.id is not None, f"{type(row).__name__} is not stored yet (no id)"
    return row.id


@cache
def _password_hash(password: str) -> str:
    return hash_password(password)


def make_district(
    session: Session, name: str = "Nord", *, external_id: str | None = None
) -> District:
    district = District(name=name, external_id=external_id)
    session.add(district)
    session.flush()
    return district


def make_institution(
    session: Session,
    district: District,
    name: str = "Børnehuset Solsikken",
    kind: InstitutionKind = InstitutionKind.DAYCARE,
    *,
    external_id: str | None = None,
) -> Institution:
    institution = Institution(
        name=name,
        kind=kind,
        external_id=external_id,
        district_id=id_of(district),
        address="Solsikkevej 1, 9000 Nordby",
    )
    session.add(institution)
    session.flush()
    return institution


def make_user(
    session: Session,
    username: str,
    role: Role,
    *,
    institution: Institution | None = None,
    district: District | None = None,
    display_name: str | None = None,
    password: str = TEST_PASSWORD,
    active: bool = True,
) -> User:
    user = User(
        username=username,
        display_name=display_name or username.capitalize(),
        role=role,
        institution_id=institution.id if institution else None,
        district_id=district.id if district else None,
        password_hash=_password_hash(password),
        is_active=active,
    )
    session.add(user)
    session.flush()
    return user


@dataclass
class Org:
    """The organisation most tests need, as plain ids."""

    nord_id: int
    syd_id: int
    daycare_id: int
    school_id: int
    other_daycare_id: int
    users: dict[str, int]


def make_org(session: Session) -> Org:
    """Nord (a daycare and a school) and Syd (a daycare), and a user of each role.

    Users: ``staff`` and ``leader`` (daycare, Nord), ``teacher`` (school, Nord),
    ``staff_syd`` (daycare, Syd), ``social`` (Nord), ``social_syd`` (Syd), ``admin``.
    """
    nord = make_district(session, "Nord")
    syd = make_district(session, "Syd")
    daycare = make_institution(session, nord, "Børnehuset Solsikken")
    school = make_institution(session, nord, "Nordbyskolen", InstitutionKind.SCHOOL)
    other = make_institution(session, syd, "Vuggestuen Kløveren")
    users = {
        "staff": make_user(
            session, "staff", Role.STAFF, institution=daycare, display_name="Sofie Pædagog"
        ),
        "leader": make_user(
            session, "leader", Role.LEADER, institution=daycare, display_name="Lene Leder"
        ),
        "teacher": make_user(
            session, "teacher", Role.STAFF, institution=school, display_name="Torben Lærer"
        ),
        "staff_syd": make_user(
            session, "staff_syd", Role.STAFF, institution=other, display_name="Signe Syd"
        ),
        "social": make_user(
            session, "social", Role.SOCIAL_WORKER, district=nord, display_name="Rikke Rådgiver"
        ),
        "social_syd": make_user(
            session, "social_syd", Role.SOCIAL_WORKER, district=syd, display_name="Rune Rådgiver"
        ),
        "admin": make_user(session, "admin", Role.ADMIN, display_name="Anna Admin"),
    }
    return Org(
        nord_id=id_of(nord),
        syd_id=id_of(syd),
        daycare_id=id_of(daycare),
        school_id=id_of(school),
        other_daycare_id=id_of(other),
        users={name: id_of(user) for name, user in users.items()},
    )


def make_child(
    session: Session,
    institution_id: int,
    created_by: int,
    *,
    first_name: str = "Alma",
    last_name: str = "Jensen",
    birth_date: dt.date | None = None,
    age_years: int = 4,
) -> Child:
    """A child who is ``age_years`` old today (unless a birth date is given)."""
    if birth_date is None:
        today = local_today()
        try:
            birthday = today.replace(year=today.year - age_years)
        except ValueError:  # 29 February
            birthday = today.replace(year=today.year - age_years, day=28)
        birth_date = birthday - dt.timedelta(days=60)
    child = Child(
        institution_id=institution_id,
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        created_by=created_by,
    )
    session.add(child)
    session.flush()
    return child


def signs(catalog_id: str = "3-5", *, level: int, critical: bool = False, n: int = 1) -> list[str]:
    """``n`` indicator ids of the shipped catalog on exactly ``level`` (critical or not), in
    catalog order."""
    from app.catalogs import service as catalogs

    found = [
        i.id
        for i in catalogs.shipped_guide().catalog(catalog_id).indicators()
        if i.level == level and i.critical == critical
    ]
    assert len(found) >= n, (catalog_id, level, critical, n)
    return found[:n]


def make_draft(
    session: Session,
    author: User,
    child: Child,
    *,
    observed: list[str] | None = None,
    notes: str = "",
    resources: str = "",
) -> Assessment:
    """The author's draft of the child (opened as the questionnaire does), with ticks and
    notes saved."""
    from app.assessments import service as assessments

    draft = assessments.start_or_resume(session, author, child_id=id_of(child))
    if observed or notes or resources:
        assessments.save_draft(
            session,
            author,
            assessment_id=id_of(draft),
            observed=list(observed or []),
            notes=notes,
            resources=resources,
        )
    return draft


def make_finished_assessment(
    session: Session,
    author: User,
    child: Child,
    *,
    observed: list[str] | None = None,
    level: int | None = None,
    reason: str = "",
    notes: str = "",
    resources: str = "",
    follow_up_on: dt.date | None = None,
) -> Assessment:
    """A finished assessment of the child, made through the questionnaire's path (a draft,
    its ticks, finishing): the computed level unless ``level`` (with ``reason``) is given."""
    from app.assessments import service as assessments

    draft = make_draft(session, author, child, observed=observed, notes=notes, resources=resources)
    return assessments.finish(
        session,
        author,
        assessment_id=id_of(draft),
        level=level,
        reason=reason,
        follow_up_on=follow_up_on,
    ).assessment


def make_group(
    session: Session,
    institution_id: int,
    name: str = "Solstuen",
    *,
    children: list[Child] | None = None,
    staff: list[User] | None = None,
) -> Group:
    """A group of the institution with these children and staff members."""
    group = Group(institution_id=institution_id, name=name)
    session.add(group)
    session.flush()
    session.add_all(GroupChild(group_id=id_of(group), child_id=id_of(c)) for c in children or [])
    session.add_all(GroupStaff(group_id=id_of(group), user_id=id_of(u)) for u in staff or [])
    session.flush()
    return group


def make_round(
    session: Session,
    leader: User,
    groups: list[Group],
    *,
    title: str = "Trivselsrunde",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Round:
    """A round of the leader's institution over ``groups``; by default open today (from a
    week ago to a week ahead)."""
    today = local_today()
    assert leader.institution_id is not None
    found = Round(
        institution_id=leader.institution_id,
        title=title,
        starts_on=starts_on or today - dt.timedelta(days=7),
        ends_on=ends_on or today + dt.timedelta(days=7),
        created_by=id_of(leader),
    )
    session.add(found)
    session.flush()
    session.add_all(RoundGroup(round_id=id_of(found), group_id=id_of(g)) for g in groups)
    session.flush()
    return found


def make_assessed(
    session: Session,
    author: User,
    child: Child,
    *,
    level: int,
    on: dt.date | None = None,
) -> Assessment:
    """A finished assessment of the child at ``level`` (set by the professional, with a
    reason), dated noon Danish time on ``on`` (default: now)."""
    from zoneinfo import ZoneInfo

    assessment = make_finished_assessment(
        session, author, child, level=level, reason="Vurderet i trivselsrunden"
    )
    if on is not None:
        noon = dt.datetime.combine(on, dt.time(12), tzinfo=ZoneInfo("Europe/Copenhagen"))
        assessment.finished_at = noon.astimezone(dt.UTC)
        assessment.created_at = assessment.finished_at
        session.add(assessment)
        session.flush()
    return assessment


def make_joint(session: Session, starter: User, child: Child, participants: list[User]) -> int:
    """A joint assessment of the child started by ``starter`` (among ``participants``); its id."""
    from app.joint import service as joint

    return id_of(
        joint.start(
            session,
            starter,
            child_id=id_of(child),
            participant_ids=[id_of(p) for p in participants],
        )
    )


def submit_individual(
    session: Session,
    participant: User,
    joint_id: int,
    *,
    observed: list[str] | None = None,
    notes: str = "",
    level: int | None = None,
    reason: str = "",
) -> Assessment:
    """The participant's individual assessment, filled in and submitted through the
    questionnaire's path (the draft opened from the joint assessment, then finished)."""
    from app.assessments import service as assessments
    from app.joint import service as joint

    draft = joint.open_individual(session, participant, joint_id=joint_id)
    assessments.save_draft(
        session,
        participant,
        assessment_id=id_of(draft),
        observed=list(observed or []),
        notes=notes,
    )
    return assessments.finish(
        session, participant, assessment_id=id_of(draft), level=level, reason=reason
    ).assessment


def publish_with_text_changed(
    session: Session, catalog: Catalog, old_text: str, new_text: str
) -> None:
    """What an admin's publication does to ``catalog``: its published version retired, the
    next version, with ``old_text`` reworded as ``new_text``, published."""
    changed = catalog.model_copy(update={"version": catalog.version + 1})
    content = dump_catalog(changed).replace(old_text, new_text)
    old = session.exec(
        select(CatalogVersion).where(
            CatalogVersion.catalog_id == catalog.id, CatalogVersion.status == "published"
        )
    ).one()
    old.status = "retired"
    session.add(old)
    session.add(
        CatalogVersion(
            catalog_id=catalog.id,
            version=changed.version,
            status="published",
            title=changed.title,
            min_age_years=catalog.min_age_years,
            max_age_years=catalog.max_age_years,
            content=content,
            content_sha256=hashlib.sha256(content.encode()).hexdigest(),
            source="admin",
        )
    )
