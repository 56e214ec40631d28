"""Handovers from a daycare to a school: send one with the parents' consent, see it arrive,
read the child's summary, accept it (the child then belongs to the school), or withdraw it.

The rules, all checked here so that the pages and the API refuse alike:

- Only staff and leaders of the child's institution send; the receiver is another, active
  institution of kind school; the consent names who gave it, a day not in the future, and
  what it covers.
- The abuse rule (docs/api-extensions.md): when the child's latest finished assessment is
  critical, nothing is asked of the parents: the handover is refused and the notification
  is the way. An accept is refused likewise if such an assessment was finished after it was
  sent.
- One open (sent) handover per child (409); accept and withdraw move ``sent`` only, by one
  conditional UPDATE, so two at once cannot both succeed (the second is 409).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import Institution, InstitutionKind, User
from app.assessments import scope as assessments_scope
from app.assessments import service as assessments
from app.assessments.models import Assessment, FocusPoint
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.catalogs import service as catalogs
from app.children import scope as children_scope
from app.children import service as children
from app.children.models import Child
from app.db import COPENHAGEN, id_of, local_today, utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.handovers import scope
from app.handovers.models import COVERS_MAX, GIVEN_BY_MAX, Handover, HandoverStatus
from app.joint import service as joint
from app.meetings import service as meetings
from app.meetings.models import Meeting
from app.rounds import service as rounds

ABUSE_RULE = "abuse_rule"
ABUSE_MESSAGE = (
    "Barnets seneste vurdering peger på overgreb eller vold (kritisk tegn). Forældrene skal "
    "ikke spørges om samtykke, og intet overleveres: underret kommunen i stedet."
)
ACUTE_MESSAGE = (
    "Barnets seneste vurdering har et akut tegn: underret kommunen nu. Intet overleveres, før "
    "en ny vurdering uden akutte eller kritiske tegn er afsluttet."
)
STATUS_LABELS = {
    HandoverStatus.SENT: "Sendt, venter på skolen",
    HandoverStatus.ACCEPTED: "Modtaget af skolen",
    HandoverStatus.WITHDRAWN: "Trukket tilbage",
}


@dataclass(frozen=True)
class Summary:
    """What the handover shows of the sending institution's latest finished assessment."""

    assessment: Assessment
    level: int
    level_key: str
    level_name: str
    assessed_on: dt.date
    focus_points: tuple[FocusPoint, ...]


@dataclass(frozen=True)
class HandoverView:
    """A handover as one actor sees it: the child, both institutions, the consent, the
    summary and what the actor may do."""

    handover: Handover
    child: Child
    from_institution: Institution
    to_institution: Institution
    sent_by_name: str
    summary: Summary | None
    meetings: tuple[Meeting, ...]
    """The sending institution's meetings about the child, newest first, when the consent
    covers them; else none."""
    may_accept: bool
    may_withdraw: bool
    blocked: bool

    @property
    def status(self) -> HandoverStatus:
        """sent, accepted or withdrawn."""
        return HandoverStatus(self.handover.status)

    @property
    def names(self) -> dict[int, str]:
        """Institution id → name, for the API shape."""
        return {
            id_of(self.from_institution): self.from_institution.name,
            id_of(self.to_institution): self.to_institution.name,
        }


@dataclass(frozen=True)
class HandoverRow:
    """One line of the list of handovers: the child's name, direction and state."""

    handover: Handover
    child_name: str
    incoming: bool
    other_institution: str

    @property
    def status(self) -> HandoverStatus:
        """sent, accepted or withdrawn."""
        return HandoverStatus(self.handover.status)


def is_acute(assessment: Assessment) -> bool:
    """An acute sign was ticked (danger now; the parents are not suspected)."""
    return bool(assessment.result.get("acute", False))


def _critical(session: Session, *, child_id: int, institution_id: int) -> Assessment | None:
    """The child's latest finished assessment in the institution, if it is critical (the
    abuse rule) or acute (danger now): either way a notification is due now, and the
    handover waits (docs/api-extensions.md)."""
    latest = assessments_scope.latest_finished_of(
        session, child_id=child_id, institution_id=institution_id
    )
    if latest is None or not (latest.critical or is_acute(latest)):
        return None
    return latest


def _refusal(assessment: Assessment) -> str:
    return ABUSE_MESSAGE if assessment.critical else ACUTE_MESSAGE


def refused_by_abuse_rule(session: Session, actor: User, child: Child) -> Assessment | None:
    """The critical (or acute) assessment that forbids a handover of the child (fetched
    through its scope by the actor), if any: the form says so and links to its
    notification."""
    children_scope.ensure_may_see_children(actor)
    return _critical(session, child_id=id_of(child), institution_id=child.institution_id)


def schools(session: Session, actor: User) -> list[Institution]:
    """The schools a handover may go to: active, of kind school, not the actor's own."""
    return sorted(
        (
            i
            for i in accounts.list_institutions(session, active_only=True)
            if i.kind == InstitutionKind.SCHOOL and i.id != actor.institution_id
        ),
        key=lambda i: (i.name, i.id or 0),
    )


def _receiver(session: Session, child: Child, to_institution_id: int) -> Institution:
    field = "to_institution_id"
    try:
        school = accounts.get_institution(session, institution_id=to_institution_id)
    except NotFound:
        raise Invalid.field(field, "Vælg den skole, barnet skal gå i.") from None
    if school.id == child.institution_id:
        raise Invalid.field(field, "Barnet går allerede i denne institution.")
    if school.kind != InstitutionKind.SCHOOL or not school.is_active:
        raise Invalid.field(field, "Overlevering kan kun sendes til en skole.")
    return school


def _consent(given_by: str, given_on: dt.date | None, covers: str) -> tuple[str, dt.date, str]:
    """Who gave the consent, when and what it covers: each required; the day not in the
    future. All errors at once, so the form shows each beside its field."""
    details = []
    who, what = " ".join(given_by.split()), covers.strip()
    if not who:
        details.append({"field": "consent.given_by", "message": "Skriv, hvem der gav samtykket."})
    elif len(who) > GIVEN_BY_MAX:
        details.append({"field": "consent.given_by", "message": "Navnet er for langt."})
    if given_on is None:
        details.append({"field": "consent.given_on", "message": "Skriv datoen for samtykket."})
    elif given_on > local_today():
        details.append(
            {"field": "consent.given_on", "message": "Samtykket kan ikke være givet i fremtiden."}
        )
    if not what:
        details.append(
            {"field": "consent.covers", "message": "Skriv, hvad forældrene har givet samtykke til."}
        )
    elif len(what) > COVERS_MAX:
        details.append(
            {"field": "consent.covers", "message": f"Højst {COVERS_MAX} tegn om samtykket."}
        )
    if details or given_on is None:
        raise Invalid(str(details[0]["message"]), details=details)
    return who, given_on, what


def send(
    session: Session,
    actor: User,
    *,
    child_id: int,
    to_institution_id: int,
    given_by: str,
    given_on: dt.date | None,
    covers: str,
    includes_meetings: bool = False,
) -> Handover:
    """Send a handover of the child to a school with the parents' consent. Refused (422,
    code ``abuse_rule``) when the child's latest finished assessment is critical: nothing is
    asked of the parents, the notification is the way; that refusal is audited (the caller
    commits it by answering instead of raising). A second open handover is 409."""
    child = children_scope.get_child_for(session, actor, child_id=child_id, purpose="overlevering")
    critical = refused_by_abuse_rule(session, actor, child)
    if critical is not None:
        audit.record(
            session,
            actor,
            AuditTag.HANDOVER_REFUSED,
            object_type="child",
            object_id=child.id,
            child_id=child.id,
            detail=("kritisk" if critical.critical else "akut")
            + " vurdering: underretning i stedet",
        )
        message = _refusal(critical)
        raise Invalid(
            message,
            code=ABUSE_RULE,
            details=[{"field": "child_id", "message": message, "assessment_id": critical.id}],
        )
    school = _receiver(session, child, to_institution_id)
    who, on, what = _consent(given_by, given_on, covers)
    if scope.open_of_child(session, child_id=id_of(child)) is not None:
        raise Conflict(
            "Barnet har allerede en overlevering, der venter på skolen.", code="handover_open"
        )
    handover = Handover(
        child_id=id_of(child),
        from_institution_id=child.institution_id,
        to_institution_id=id_of(school),
        consent_given_by=who,
        consent_given_on=on,
        consent_covers=what,
        consent_includes_meetings=includes_meetings,
        created_by=id_of(actor),
    )
    try:
        with session.begin_nested():
            session.add(handover)
            session.flush()
    except IntegrityError:  # another request sent one a moment ago (the unique index)
        raise Conflict(
            "Barnet har allerede en overlevering, der venter på skolen.", code="handover_open"
        ) from None
    audit.record(
        session,
        actor,
        AuditTag.HANDOVER_CREATE,
        object_type="handover",
        object_id=handover.id,
        child_id=child.id,
        detail=f"til institution {school.id}",
    )
    return handover


def _move(session: Session, handover: Handover, to: HandoverStatus, **values: object) -> bool:
    """``sent`` → ``to`` in one conditional UPDATE: False when it was no longer sent (another
    request accepted or withdrew it first; on PostgreSQL the second waits for the first)."""
    table = Handover.__table__  # type: ignore[attr-defined]
    result = session.execute(
        sa.update(table)
        .where(table.c.id == handover.id, table.c.status == HandoverStatus.SENT.value)
        .values(status=to.value, **values)
    )
    session.refresh(handover)
    return bool(getattr(result, "rowcount", 0) == 1)


def accept(session: Session, actor: User, *, handover_id: int) -> Handover:
    """The receiving school accepts: the child then belongs to the school (its staff see it
    and the handover's summary; the sending institution no longer does) and leaves the
    sender's groups. Only the receiving institution (403 for the sender); once (409)."""
    handover = scope.get_handover_for(session, actor, handover_id=handover_id, purpose="modtagelse")
    if actor.institution_id != handover.to_institution_id:
        raise Forbidden("Kun den modtagende skole kan tage imod overleveringen.")
    if handover.status != HandoverStatus.SENT:
        raise Conflict("Overleveringen er allerede afsluttet.", code="handover_closed")
    held = _critical(
        session, child_id=handover.child_id, institution_id=handover.from_institution_id
    )
    if held is not None:
        raise Conflict(_refusal(held), code=ABUSE_RULE)
    if not _move(
        session, handover, HandoverStatus.ACCEPTED, accepted_by=actor.id, accepted_at=utcnow()
    ):
        raise Conflict("Overleveringen er allerede afsluttet.", code="handover_closed")
    child = children_scope.child_of(session, child_id=handover.child_id)
    if child is None or child.institution_id != handover.from_institution_id:  # pragma: no cover
        raise Conflict("Barnet er flyttet siden overleveringen blev sendt.", code="child_moved")
    groups_left = rounds.leave_groups(
        session, child_id=id_of(child), institution_id=handover.from_institution_id
    )
    _discard_unfinished(session, actor, handover)
    children.move_to(session, child, institution_id=handover.to_institution_id)
    audit.record(
        session,
        actor,
        AuditTag.HANDOVER_ACCEPT,
        object_type="handover",
        object_id=handover.id,
        child_id=handover.child_id,
        detail=f"fra institution {handover.from_institution_id}; ud af {groups_left} grupper",
    )
    return handover


def _discard_unfinished(session: Session, actor: User, handover: Handover) -> None:
    """What the sending institution had begun and not finished about the child (drafts,
    joint assessments still collecting or ready, their parts) goes when the school accepts:
    after the move nobody can reach or finish it (the scopes read a record only where the
    child is), and keeping it would keep notes about a child for no purpose. Finished
    assessments stay. Audited with the counts, in the same transaction as the move."""
    place = {"child_id": handover.child_id, "institution_id": handover.from_institution_id}
    counts, belonged = joint.discard_unfinished(session, **place)
    counts += assessments.discard_unfinished(session, **place, also=belonged)
    if not counts:
        return
    audit.record(
        session,
        actor,
        AuditTag.HANDOVER_DISCARD,
        object_type="handover",
        object_id=handover.id,
        child_id=handover.child_id,
        detail=(
            f"ufærdige vurderinger: {counts['assessment']}; "
            f"fælles vurderinger i gang: {counts['joint_assessment']}"
        ),
    )


def withdraw(session: Session, actor: User, *, handover_id: int) -> Handover:
    """The sending institution withdraws a handover the school has not accepted: nothing
    moves (403 for the receiver; 409 once accepted or withdrawn)."""
    handover = scope.get_handover_for(
        session, actor, handover_id=handover_id, purpose="tilbagetrækning"
    )
    if actor.institution_id != handover.from_institution_id:
        raise Forbidden("Kun den institution, der sendte overleveringen, kan trække den tilbage.")
    if not _move(
        session, handover, HandoverStatus.WITHDRAWN, withdrawn_by=actor.id, withdrawn_at=utcnow()
    ):
        raise Conflict("Overleveringen er allerede afsluttet.", code="handover_closed")
    audit.record(
        session,
        actor,
        AuditTag.HANDOVER_WITHDRAW,
        object_type="handover",
        object_id=handover.id,
        child_id=handover.child_id,
    )
    return handover


def _summary(session: Session, handover: Handover) -> Summary | None:
    latest = assessments_scope.latest_finished_of(
        session, child_id=handover.child_id, institution_id=handover.from_institution_id
    )
    if latest is None or latest.level is None or latest.finished_at is None:
        return None
    level = catalogs.levels().level(latest.level)
    points = assessments_scope.focus_points_of(session, [id_of(latest)])[id_of(latest)]
    return Summary(
        assessment=latest,
        level=latest.level,
        level_key=str(level.key),
        level_name=level.name,
        assessed_on=latest.finished_at.astimezone(COPENHAGEN).date(),
        focus_points=points,
    )


def _meetings(session: Session, handover: Handover) -> tuple[Meeting, ...]:
    """The meetings the consent covers: those the sending institution recorded about the
    child (never the school's own later ones), newest first; none without that consent."""
    if not handover.consent_includes_meetings:
        return ()
    return tuple(
        m
        for m in meetings.list_for_child(session, handover.child_id)
        if m.institution_id == handover.from_institution_id
    )


def get(session: Session, actor: User, *, handover_id: int) -> HandoverView:
    """A handover with the child, the consent and the summary of the sender's latest
    finished assessment (both institutions; anyone else 404); audited with its purpose."""
    handover = scope.get_handover_for(
        session, actor, handover_id=handover_id, purpose="overlevering: resumé"
    )
    child = children_scope.child_of(session, child_id=handover.child_id)
    if child is None:  # pragma: no cover - the foreign key keeps the child
        raise NotFound("Overleveringen findes ikke.")
    is_sent = handover.status == HandoverStatus.SENT
    blocked = is_sent and (
        _critical(session, child_id=handover.child_id, institution_id=handover.from_institution_id)
        is not None
    )
    return HandoverView(
        handover=handover,
        child=child,
        from_institution=accounts.get_institution(
            session, institution_id=handover.from_institution_id
        ),
        to_institution=accounts.get_institution(session, institution_id=handover.to_institution_id),
        sent_by_name=accounts.get_user(session, user_id=handover.created_by).display_name,
        summary=_summary(session, handover),
        meetings=_meetings(session, handover),
        may_accept=is_sent and not blocked and actor.institution_id == handover.to_institution_id,
        may_withdraw=is_sent and actor.institution_id == handover.from_institution_id,
        blocked=blocked,
    )


def _institution_names(session: Session) -> dict[int, str]:
    return {id_of(i): i.name for i in accounts.list_institutions(session)}


def _rows(session: Session, actor: User, handovers: list[Handover]) -> list[HandoverRow]:
    names = _institution_names(session)
    children_names = children_scope.full_names(session, child_ids=[h.child_id for h in handovers])
    rows = []
    for h in handovers:
        incoming = h.to_institution_id == actor.institution_id
        other = h.from_institution_id if incoming else h.to_institution_id
        rows.append(
            HandoverRow(
                handover=h,
                child_name=children_names.get(h.child_id, ""),
                incoming=incoming,
                other_institution=names.get(other, ""),
            )
        )
    return rows


def list_for(session: Session, actor: User) -> list[HandoverRow]:
    """The handovers to and from the actor's institution, newest first (one audit row)."""
    return _rows(session, actor, scope.handovers_of(session, actor))


def names_of(session: Session) -> dict[int, str]:
    """Institution id → name (for the API shape of a list)."""
    return _institution_names(session)


def is_school(session: Session, actor: User) -> bool:
    """Whether the actor works at a school (only a school receives handovers)."""
    if actor.institution_id is None:
        return False
    institution = accounts.get_institution(session, institution_id=actor.institution_id)
    return institution.kind == InstitutionKind.SCHOOL


def waiting_for(session: Session, actor: User) -> list[HandoverRow]:
    """The handovers sent to the actor's institution (a school) and not yet accepted (the
    start page's to-do), oldest first; one audit row for the names shown."""
    if not is_school(session, actor):
        return []
    incoming = scope.incoming_open(session, actor)
    if incoming:
        audit.record(
            session,
            actor,
            AuditTag.HANDOVER_LIST,
            object_type="institution",
            object_id=actor.institution_id,
            detail=f"forsidens opgaver: {len(incoming)} overleveringer",
        )
    return _rows(session, actor, incoming)


def for_child(session: Session, actor: User, child: Child) -> list[HandoverRow]:
    """The child's handovers from or to the actor's institution (the child's page; the child
    was fetched through its scope)."""
    return _rows(session, actor, scope.of_child(session, actor, child_id=id_of(child)))


def of_child_for_export(session: Session, child: Child) -> list[Handover]:
    """Every handover of the child (a request of access; the caller read the child through
    ``children.scope.get_child_for_export``)."""
    return scope.of_children(session, [id_of(child)])
