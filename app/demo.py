"""Demo data: the fixed districts, institutions and users that guides and outside tests rely on."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.accounts.models import District, Institution, InstitutionKind, Role, User
from app.accounts.passwords import hash_password
from app.assessments import service as assessments
from app.catalogs import service as catalogs
from app.children import scope as children_scope
from app.children.models import Child
from app.db import COPENHAGEN, id_of, local_today
from app.rounds.models import Group, GroupChild, GroupStaff, Round, RoundGroup


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


def seed(session: Session, *, password: str, today: dt.date | None = None) -> None:
    """Create the demo organisation, users and data, or reset the users' passwords to
    ``password`` (the data is made once; a second run leaves it as it is)."""
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
    seed_rounds(session, today=today or local_today())
    seed_joint(
        session,
        institution_id=institution_ids["Børnehuset Mælkebøtten"],
        today=today or local_today(),
    )
    seed_followup(session, today=today or local_today())
    seed_contacts(session)
    seed_meetings(session, today=today or local_today())
    seed_handover(session, today=today or local_today())


# --- Groups, children and rounds: a daycare with two groups and a school class --------------

DEMO_SEED = 13
"""The fixed seed: the same invented children and levels on every run."""

FIRST_NAMES = [
    "Alma",
    "Bertram",
    "Cecilie",
    "Dagmar",
    "Elias",
    "Freja",
    "Gustav",
    "Hannah",
    "Ida",
    "Johan",
    "Karla",
    "Lauge",
    "Malthe",
    "Nanna",
    "Oskar",
    "Petra",
    "Rasmus",
    "Silje",
    "Tobias",
    "Uma",
    "Vigga",
    "William",
    "Ylva",
    "Aksel",
    "Bodil",
    "Carl",
    "Ditte",
    "Esben",
    "Filippa",
    "Georg",
    "Halfdan",
    "Ingrid",
    "Jens",
    "Kamma",
    "Leo",
    "Merle",
]
LAST_NAMES = [
    "Demosen",
    "Prøvesen",
    "Opdigtsen",
    "Eksempelgaard",
    "Fiktivsen",
    "Testrup",
    "Øvelund",
    "Påskesen",
]
"""Invented, and visibly so: no real child's name."""


@dataclass(frozen=True)
class DemoGroup:
    """A demo group: its institution, size, ages, staff, and whether the rounds cover it."""

    name: str
    institution: str
    size: int
    ages: tuple[int, int]
    staff: tuple[str, ...]
    in_rounds: bool


GROUPS = [
    DemoGroup("Solstuen", "Børnehuset Mælkebøtten", 12, (3, 5), ("paedagog", "leder"), True),
    DemoGroup("Månestuen", "Børnehuset Mælkebøtten", 12, (3, 5), ("paedagog",), True),
    DemoGroup("2.A", "Nordskolen", 10, (8, 8), ("laerer",), False),
]
LEADER = "leder"
# (title, first day and last day as days from today)
ROUNDS = [
    ("Trivselsrunde efterår", -300, -286),
    ("Trivselsrunde forår", -120, -106),
    ("Trivselsrunde vinter", -7, 14),
]
LEVEL_WEIGHTS = (60, 25, 10, 5)
"""How often each level is drawn: most children thrive."""


def _level(rng: random.Random, previous: int | None) -> int:
    """A level, near the previous one when there is one (what a child's course looks like)."""
    if previous is None:
        return rng.choices((1, 2, 3, 4), weights=LEVEL_WEIGHTS)[0]
    return max(1, min(4, previous + rng.choice((-1, -1, 0, 0, 0, 1))))


def _signs(catalog_id: str, level: int) -> list[str]:
    """One ordinary (non-critical, non-acute) sign of the level in the shipped catalog."""
    catalog = catalogs.shipped_guide().catalog(catalog_id)
    found = [
        i.id
        for i in catalog.indicators()
        if i.level == level and not i.critical and not getattr(i, "acute", False)
    ]
    return found[:1]


def _assess(session: Session, author: User, child: Child, *, level: int, on: dt.date) -> None:
    """A finished single assessment of the child on ``on`` at ``level``, made through the
    questionnaire's own service (one sign of the level ticked, the level confirmed)."""
    draft = assessments.start_or_resume(session, author, child_id=id_of(child))
    assessments.save_draft(
        session,
        author,
        assessment_id=id_of(draft),
        observed=_signs(draft.catalog_id, level) if level > 1 else [],
        notes="Demodata: opdigtet vurdering.",
    )
    done = assessments.finish(
        session, author, assessment_id=id_of(draft), level=level, reason="Demodata"
    ).assessment
    at = dt.datetime.combine(on, dt.time(10), tzinfo=COPENHAGEN).astimezone(dt.UTC)
    done.created_at = done.updated_at = done.finished_at = at
    session.add(done)


def seed_rounds(session: Session, *, today: dt.date) -> None:
    """Groups with invented children, two past rounds with assessments on every level and an
    open round half done; made once (nothing happens when the demo groups exist). Dates are
    relative to ``today``; the children, names and levels come from a fixed seed."""
    if session.exec(select(Group).where(Group.name == GROUPS[0].name)).first() is not None:
        return
    catalogs.import_shipped(session)
    rng = random.Random(DEMO_SEED)  # noqa: S311 - demo data, not a secret
    institutions = {i.name: i for i in session.exec(select(Institution))}
    users = {
        demo.username: accounts.get_by_username(session, username=demo.username) for demo in USERS
    }
    names = iter(rng.sample(FIRST_NAMES, len(FIRST_NAMES)))
    leader = users[LEADER]
    assert leader is not None  # noqa: S101 - made by seed() above
    made: list[tuple[DemoGroup, Group, list[Child], User]] = []
    for demo in GROUPS:
        institution = institutions[demo.institution]
        author = users[demo.staff[0]]
        assert author is not None  # noqa: S101 - made by seed() above
        group = Group(institution_id=id_of(institution), name=demo.name)
        session.add(group)
        session.flush()
        children = []
        for _ in range(demo.size):
            first = next(names, None) or rng.choice(FIRST_NAMES)
            years = rng.randint(*demo.ages)
            born = today - dt.timedelta(days=years * 365 + rng.randint(30, 330))
            child = Child(
                institution_id=id_of(institution),
                first_name=first,
                last_name=rng.choice(LAST_NAMES),
                birth_date=born,
                created_by=id_of(author),
            )
            session.add(child)
            children.append(child)
        session.flush()
        session.add_all(GroupChild(group_id=id_of(group), child_id=id_of(c)) for c in children)
        for username in demo.staff:
            member = users[username]
            assert member is not None  # noqa: S101 - made by seed() above
            session.add(GroupStaff(group_id=id_of(group), user_id=id_of(member)))
        made.append((demo, group, children, author))
    session.flush()
    for title, first_day, last_day in ROUNDS:
        found = Round(
            institution_id=id_of(institutions[GROUPS[0].institution]),
            title=title,
            starts_on=today + dt.timedelta(days=first_day),
            ends_on=today + dt.timedelta(days=last_day),
            created_by=id_of(leader),
        )
        session.add(found)
        session.flush()
        session.add_all(
            RoundGroup(round_id=id_of(found), group_id=id_of(group))
            for demo, group, _, _ in made
            if demo.in_rounds
        )
    session.flush()
    for demo, _group, children, author in made:
        every_level = iter((4, 3, 2))  # the first children of each group show every level
        for index, child in enumerate(children):
            level: int | None = None
            for number, (_, first_day, last_day) in enumerate(ROUNDS):
                is_open = number == len(ROUNDS) - 1
                if is_open and (index % 2 == 1 or not demo.in_rounds):
                    continue  # the open round is half done; the school class is not in it
                if level is None:
                    level = next(every_level, None) or _level(rng, None)
                else:
                    level = _level(rng, level)
                day = today + dt.timedelta(days=rng.randint(first_day, min(last_day, -1)))
                _assess(session, author, child, level=level, on=day)
    session.flush()


JOINT_CHILD = ("Sofus", "Eksempel")
"""The demo child of the joint assessment (an invented name, clearly a demo)."""


def seed_joint(session: Session, *, institution_id: int, today: dt.date) -> None:
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
    done = assessments.finish(session, pia, assessment_id=id_of(draft)).assessment
    # Yesterday morning, the same on every run (the demo is a fixed story).
    at = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(9), tzinfo=COPENHAGEN)
    done.created_at = done.updated_at = done.finished_at = at.astimezone(dt.UTC)
    session.add(done)
    joint.sync(session, started)


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
        state = assessments.finish(
            session, pia, assessment_id=id_of(draft), focus_points=focus_points, parents=parents
        )
        # Yesterday afternoon, the same on every run (the demo is a fixed story).
        at = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(14), tzinfo=COPENHAGEN)
        done = state.assessment
        done.created_at = done.updated_at = done.finished_at = at.astimezone(dt.UTC)
        session.add(done)
        return state

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


# --- Contacts, meetings and a handover: the network around the children ---------------------

DEMO_CONTACTS: dict[str, list[tuple[str, str, str, str, str]]] = {
    # institution: (role, name, phone, e-mail, hours). The social worker is the district's demo
    # social worker (linked by user id). Invented names; the numbers are in the 8-digit format
    # the contacts accept, made up for the demo (replace them with the municipality's own), and
    # the addresses use the reserved ``.example`` domain, so no mail can leave.
    "Børnehuset Mælkebøtten": [
        (
            "health_visitor",
            "Sanne Sundhedsplejerske",
            "70 10 00 11",
            "sundhedsplejen@nordby.example",
            "Man-tors 8-15",
        ),
        ("psychologist", "Palle PPR-psykolog", "70 10 00 12", "ppr@nordby.example", "Man-fre 9-14"),
    ],
    "Nordskolen": [
        (
            "health_visitor",
            "Sanne Sundhedsplejerske",
            "70 10 00 11",
            "sundhedsplejen@nordby.example",
            "Tirsdag på skolen",
        ),
        ("psychologist", "Palle PPR-psykolog", "70 10 00 12", "ppr@nordby.example", "Man-fre 9-14"),
    ],
    "Vuggestuen Spiren": [
        (
            "health_visitor",
            "Sofie Sundhedsplejerske",
            "70 10 00 21",
            "sundhedsplejen@sydby.example",
            "Man-tors 8-15",
        ),
        ("psychologist", "Poul PPR-psykolog", "70 10 00 22", "ppr@sydby.example", "Man-fre 9-14"),
    ],
    "Sydskolen": [
        (
            "health_visitor",
            "Sofie Sundhedsplejerske",
            "70 10 00 21",
            "sundhedsplejen@sydby.example",
            "Torsdag på skolen",
        ),
        ("psychologist", "Poul PPR-psykolog", "70 10 00 22", "ppr@sydby.example", "Man-fre 9-14"),
    ],
}
DISTRICT_SOCIAL_WORKERS = {
    "Nord": ("raadgiver", "70 10 00 10"),
    "Syd": ("raadgiver2", "70 10 00 20"),
}
"""The preventive social worker of each district's institutions: the demo login and a number."""


def seed_contacts(session: Session) -> None:
    """Every demo institution's named contacts, through the admin's own service (so they are
    checked and audited as an admin's edit is): the district's demo social worker, linked to
    the login, a health visitor and a PPR psychologist. An institution that has contacts is
    left as it is (an admin may have changed them)."""
    from app.contacts import service as contacts
    from app.contacts.schemas import ContactInput

    admin = accounts.get_by_username(session, username="admin")
    if admin is None:  # pragma: no cover - seed() made it just before
        return
    districts = {id_of(d): d.name for d in session.exec(select(District))}
    for institution in session.exec(select(Institution).order_by(col(Institution.name))):
        people = DEMO_CONTACTS.get(institution.name)
        if people is None or contacts.institution_contacts(
            session, institution_id=id_of(institution)
        ):
            continue
        username, phone = DISTRICT_SOCIAL_WORKERS[districts[institution.district_id]]
        worker = accounts.get_by_username(session, username=username)
        assert worker is not None  # noqa: S101 - made by seed() above
        items = [
            ContactInput(
                role="social_worker",
                name=worker.display_name,
                phone=phone,
                email=f"{username}@kommune.example",
                hours="Man-fre 9-15",
                user_id=id_of(worker),
            ),
            *(
                ContactInput(role=role, name=name, phone=number, email=email, hours=hours)
                for role, name, number, email, hours in people
            ),
        ]
        contacts.replace_institution_contacts(
            session, admin, institution_id=id_of(institution), contacts=items
        )


def _followup_child(session: Session, pia: User, first: str) -> Child:
    """A child of the follow-up story, by name and birthday (a round child may share a name;
    the year is left out, so that a run in a later year finds the same child), read through
    the children's scope as Pia, whose children they are."""
    last, _, born = next(c[1:] for c in FOLLOWUP_CHILDREN if c[0] == first)
    found = children_scope.visible_children(session, pia, search=f"{first} {last}")
    return next(
        c
        for c in found
        if (c.first_name, c.last_name) == (first, last)
        and (c.birth_date.month, c.birth_date.day) == born
    )


def seed_meetings(session: Session, *, today: dt.date) -> None:
    """Two meetings Pia recorded in Børnehuset Mælkebøtten, each with a follow-up that is due:
    a cross-disciplinary meeting about Asta a week ago (follow-up today) and a network
    meeting with Bertram's parents two weeks ago, tied to his level-3 assessment (follow-up
    two days ago, overdue). Through the meetings' service (checked and audited); made once."""
    from app.assessments import scope as assessments_scope
    from app.meetings import service as meetings
    from app.meetings.models import Meeting

    pia = accounts.get_by_username(session, username="paedagog")
    if pia is None:  # pragma: no cover - seed() made it just before
        return
    asta = _followup_child(session, pia, "Asta")
    bertram = _followup_child(session, pia, "Bertram")
    if session.exec(select(Meeting).where(Meeting.child_id == asta.id)).first() is not None:
        return
    meetings.record(
        session,
        pia,
        child_id=id_of(asta),
        kind="cross_disciplinary",
        held_on=today - dt.timedelta(days=7),
        participants=[
            meetings.Participant("pædagog", "Pia Pædagog"),
            meetings.Participant("leder", "Lone Leder"),
            meetings.Participant("sundhedsplejerske", "Sanne Sundhedsplejerske"),
        ],
        parents_took_part=False,
        agreed="Asta får en fast voksen om morgenen; sundhedsplejersken tilbyder forældrene en "
        "samtale om søvn. Vi ser på det igen om en uge.",
        follow_up_on=today,
    )
    assessment = assessments_scope.latest_finished_of(
        session, child_id=id_of(bertram), institution_id=bertram.institution_id
    )
    assert assessment is not None  # noqa: S101 - seed_followup() finished it
    meetings.record(
        session,
        pia,
        child_id=id_of(bertram),
        kind="network",
        held_on=today - dt.timedelta(days=14),
        participants=[
            meetings.Participant("pædagog", "Pia Pædagog"),
            meetings.Participant("mor"),
            meetings.Participant("far"),
            meetings.Participant("socialrådgiver", "Rikke Rådgiver"),
        ],
        parents_took_part=True,
        agreed="Legegrupper med to faste kammerater; forældrene fortæller, hvordan weekenden "
        "gik. Opfølgning om to uger.",
        follow_up_on=today - dt.timedelta(days=2),
        assessment_id=id_of(assessment),
    )
    session.flush()


def seed_handover(session: Session, *, today: dt.date) -> None:
    """One handover sent from Børnehuset Mælkebøtten to Nordskolen: Bertram starts school,
    his mother gave consent three days ago (his meetings included). It waits for the school
    (status sent). Through the handovers' service (the abuse rule and consent checked,
    audited); made once."""
    from app.handovers import service as handovers
    from app.handovers.models import Handover

    pia = accounts.get_by_username(session, username="paedagog")
    school = session.exec(select(Institution).where(Institution.name == "Nordskolen")).first()
    if pia is None or school is None:  # pragma: no cover - seed() made them just before
        return
    bertram = _followup_child(session, pia, "Bertram")
    if session.exec(select(Handover).where(Handover.child_id == bertram.id)).first():
        return
    handovers.send(
        session,
        pia,
        child_id=id_of(bertram),
        to_institution_id=id_of(school),
        given_by="Bertrams mor",
        given_on=today - dt.timedelta(days=3),
        covers="Den seneste vurdering, fokuspunkterne og møderne sendes til Nordskolen før "
        "skolestart.",
        includes_meetings=True,
    )
    session.flush()
