"""Demo data: the fixed districts, institutions and users that guides and outside tests rely on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import District, Institution, InstitutionKind, Role
from app.accounts.passwords import hash_password
from app.children import scope as children_scope
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
    seed_followup(session)


FOLLOWUP_CHILDREN = [
    # (first name, last name, age in years, birthday month and day): invented, clearly a demo.
    ("Asta", "Demodatter", 4, (3, 14)),
    ("Bertram", "Demosen", 5, (9, 2)),
    ("Cecilie", "Demosen", 3, (6, 21)),
    ("Dagmar", "Demodatter", 4, (11, 5)),
]


def seed_followup(session: Session, *, today: dt.date | None = None) -> None:
    """The follow-up story of Børnehuset Mælkebøtten, once (nothing when its children exist):
    Pia's level-2 assessment of Asta with two focus points, one overdue (for Lone, the
    leader) and one due today (Lone follows it up); Bertram's level-3 assessment with an
    anonymous consultation that Rikke has answered; Cecilie's level-4 notification in
    Rikke's inbox with its deadlines running; and Pia's draft of Dagmar. The same data every
    run, dated from today so that what is due is due."""
    from cryptography.fernet import Fernet, MultiFernet

    from app.assessments import service as assessments
    from app.catalogs import service as catalogs
    from app.children import service as children
    from app.concerns import service as concerns

    today = today or local_today()
    pia = accounts.get_by_username(session, username="paedagog")
    lone = accounts.get_by_username(session, username="leder")
    rikke = accounts.get_by_username(session, username="raadgiver")
    if pia is None or lone is None or rikke is None:
        return
    existing = children_scope.visible_children(session, pia, search="Demodatter Asta")
    if existing:
        return
    catalogs.import_shipped(session)
    kids = {
        first: children.create(
            session,
            pia,
            first_name=first,
            last_name=last,
            birth_date=dt.date(today.year - age, month, day),
        )
        for first, last, age, (month, day) in FOLLOWUP_CHILDREN
    }

    def finished(
        first: str,
        level: int,
        focus_points: list[assessments.FocusPointInput],
        parents: assessments.ParentsInput | None = None,
    ) -> assessments.AssessmentState:
        child = kids[first]
        catalog = assessments.catalog_for_child(session, child)
        observed = [i.id for i in catalog.indicators() if i.level == level and not i.critical]
        draft = assessments.start_or_resume(session, pia, child_id=id_of(child))
        assessments.save_draft(
            session, pia, assessment_id=id_of(draft), observed=observed[: 3 if level == 3 else 1]
        )
        return assessments.finish(
            session, pia, assessment_id=id_of(draft), focus_points=focus_points, parents=parents
        )

    asta = finished(
        "Asta",
        2,
        focus_points=[
            assessments.FocusPointInput(
                "Asta får en fast voksen ved aflevering om morgenen", who="Pia"
            ),
            assessments.FocusPointInput(
                "Vi inviterer forældrene til en samtale om søvn og morgener",
                who="Lone og forældrene",
                responsible_id=id_of(lone),
                due_on=today,
            ),
        ],
        parents=assessments.ParentsInput("informed", today, "Kort samtale ved afhentning"),
    )
    # The first focus point is overdue: dated back directly (the finish step refuses a date
    # in the past), so that the leader's list of overdue follow-ups shows what it is for.
    overdue = asta.focus_points[0]
    overdue.due_on = today - dt.timedelta(days=5)
    session.add(overdue)
    bertram = finished(
        "Bertram",
        3,
        focus_points=[
            assessments.FocusPointInput(
                "Pia søger sparring hos socialrådgiveren og følger op med forældrene",
                due_on=today + dt.timedelta(days=14),
            )
        ],
    )
    consultation = concerns.submit_consultation(
        session,
        pia,
        assessment_id=id_of(bertram.assessment),
        message="Drengen trækker sig fra de andre og er ofte ked af det. Hvad kan vi gøre?",
    )
    concerns.move(
        session,
        rikke,
        concern_id=id_of(consultation),
        to="answered",
        note="Hold et dialogmøde med forældrene, og lav en plan for legegrupper. Ring gerne.",
    )
    cecilie = finished(
        "Cecilie",
        4,
        focus_points=[
            assessments.FocusPointInput(
                "Underretningen er sendt; Pia holder øje og noterer, hvad hun ser",
                due_on=today + dt.timedelta(days=3),
            )
        ],
    )
    concerns.submit_notification(
        session,
        pia,
        assessment_id=id_of(cecilie.assessment),
        data=concerns.NotificationInput(
            message="Pigen har flere dage i træk været sulten og uden tøj til vejret.",
            parents_informed=True,
            confirmed=True,
        ),
        # No CPR number in the demo, so nothing is encrypted with this throwaway key.
        cipher=MultiFernet([Fernet(Fernet.generate_key())]),
    )
    draft = assessments.start_or_resume(session, pia, child_id=id_of(kids["Dagmar"]))
    assessments.save_draft(session, pia, assessment_id=id_of(draft), notes="Dagmar virker træt.")
    session.flush()
