"""The staff member's to-do on the start page, composed from the domains below: the drafts
they left, the follow-ups that are due (focus points they follow up, their assessments'
follow-up dates, their dialogue meetings' and other meetings' follow-ups), the answers and
feedback on the concerns they sent, and for a leader the institution's overdue follow-ups.

A fixed number of queries whatever the number of rows (no N+1): one per list, then the
children's names of every row at once through the child register (the one audited read of
the list) and the names of the responsible colleagues. No HTTP here: an entry names its
target as a route name and parameters, the view makes the URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.assessments import service as assessments
from app.children import scope as children_scope
from app.concerns import service as concerns
from app.db import local_today
from app.meetings import service as meetings


@dataclass(frozen=True)
class Entry:
    """One row of the to-do: which child, what, where it is (a route name and parameters),
    when it is due, and a focus point's id when it can be marked done from the list."""

    child_id: int
    label: str
    route: str
    params: dict[str, int]
    fragment: str = ""
    due_on: dt.date | None = None
    overdue: bool = False
    focus_point_id: int | None = None
    at: dt.datetime | None = None
    child_name: str = ""


@dataclass(frozen=True)
class StartTodo:
    """The sections of the start page's to-do (each a list; empty lists get their empty
    state in the template). ``overdue`` is for leaders only (None for staff)."""

    drafts: list[Entry]
    due: list[Entry]
    replies: list[Entry]
    overdue: list[Entry] | None = None
    names: dict[int, str] = field(default_factory=dict)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _follow_up(
    child_id: int,
    label: str,
    due_on: dt.date | None,
    *,
    today: dt.date | None,
    fragment: str = "",
) -> Entry:
    """A follow-up on the child's page (an assessment's, a dialogue's, a meeting's): overdue
    when due before ``today``; ``today=None`` for the leader's list, where every entry is
    overdue."""
    overdue = today is None or (due_on is not None and due_on < today)
    return Entry(
        child_id=child_id,
        label=label,
        route="children:detail",
        params={"child_id": child_id},
        fragment=fragment,
        due_on=due_on,
        overdue=overdue,
    )


def _reply_label(kind: str, status: str, outcome: str) -> str:
    if kind == "consultation":
        return "Svar på din anonyme sparring" + (" (lukket)" if status == "closed" else "")
    if outcome or status in ("assessed", "closed"):
        return "Tilbagemelding fra kommunen på din underretning"
    return "Nyt fra kommunen om din underretning"


def todo_for(session: Session, actor: User, *, today: dt.date | None = None) -> StartTodo:
    """The actor's to-do (staff and leaders of an institution)."""
    today = today or local_today()
    mine = assessments.todo_for(session, actor, today=today)
    drafts = [
        Entry(
            child_id=a.child_id,
            label="Vurdering i gang, sidst gemt",
            route="assessments:detail",
            params={"assessment_id": a.id or 0},
            at=a.updated_at,
        )
        for a in mine.drafts
    ]
    due = [
        Entry(
            child_id=p.child_id,
            label=f"Fokuspunkt: {_short(p.text)}" + (f" ({_short(p.who, 40)})" if p.who else ""),
            route="assessments:detail",
            params={"assessment_id": p.assessment_id},
            fragment="focus-points",
            due_on=p.due_on,
            overdue=p.due_on < today,
            focus_point_id=p.id,
        )
        for p in mine.focus_points
    ]
    due += [
        _follow_up(
            a.child_id,
            f"Opfølgning på vurderingen (niveau {a.level}): lav en ny vurdering",
            a.follow_up_on,
            today=today,
        )
        for a in mine.follow_ups
    ]
    due += [
        _follow_up(
            d.child_id,
            f"Opfølgning på dialogmødet med forældrene: {_short(d.agreed, 60)}",
            d.follow_up_on,
            today=today,
        )
        for d in concerns.dialogue_follow_ups(session, actor, due_by=today)
    ]
    due += [
        _follow_up(
            m.child_id,
            f"Opfølgning på {meetings.kind_label(m.kind).lower()} "
            f"{m.held_on:%d.%m.%Y}: {_short(m.agreed, 60)}",
            m.follow_up_on,
            today=today,
            fragment="child-meetings",
        )
        for m in meetings.follow_ups(session, actor, due_by=today)
    ]
    due.sort(key=lambda e: (e.due_on or today, e.child_id))
    replied = concerns.replies_for(session, actor)
    replies = [
        Entry(
            child_id=c.child_id,
            label=_reply_label(c.kind, c.status, c.outcome),
            route="concerns:detail",
            params={"concern_id": c.id or 0},
        )
        for c in replied
    ]
    overdue: list[Entry] | None = None
    if actor.role_enum is Role.LEADER:
        overdue_meetings = meetings.follow_ups(
            session, actor, due_by=today - dt.timedelta(days=1), everyone=True
        )
        responsible = (
            {p.responsible_id for p in mine.overdue_focus_points}
            | {a.created_by for a in mine.overdue_follow_ups}
            | {m.created_by for m in overdue_meetings}
        )
        who = accounts.display_names(session, user_ids=responsible)
        overdue = (
            [
                Entry(
                    child_id=p.child_id,
                    label=f"Fokuspunkt: {_short(p.text)} – følges op af "
                    + who.get(p.responsible_id, ""),
                    route="assessments:detail",
                    params={"assessment_id": p.assessment_id},
                    fragment="focus-points",
                    due_on=p.due_on,
                    overdue=True,
                    focus_point_id=p.id,
                )
                for p in mine.overdue_focus_points
            ]
            + [
                _follow_up(
                    a.child_id,
                    f"Opfølgning på vurderingen (niveau {a.level}) – " + who.get(a.created_by, ""),
                    a.follow_up_on,
                    today=None,
                )
                for a in mine.overdue_follow_ups
            ]
            + [
                _follow_up(
                    m.child_id,
                    f"Opfølgning på {meetings.kind_label(m.kind).lower()} "
                    f"{m.held_on:%d.%m.%Y} – {who.get(m.created_by, '')}",
                    m.follow_up_on,
                    today=None,
                    fragment="child-meetings",
                )
                for m in overdue_meetings
            ]
        )
        overdue.sort(key=lambda e: (e.due_on or today, e.child_id))
    every = [*drafts, *due, *replies, *(overdue or [])]
    names = children_scope.names_for(
        session, actor, child_ids={e.child_id for e in every}, purpose="forsidens opgaver"
    )
    # An answer or feedback on a concern the actor sent stays on their list after the child
    # has moved on (accepted by a school): the concern is still the institution's own record.
    # Every other entry is of a child the institution has, and is left out otherwise.
    moved = concerns.moved_children_names(
        session, actor, replied, known=set(names), purpose="forsidens opgaver: svar på egen sag"
    )

    def named(entries: list[Entry], known: dict[int, str] = names) -> list[Entry]:
        return [
            Entry(**{**e.__dict__, "child_name": known[e.child_id]})
            for e in entries
            if e.child_id in known
        ]

    return StartTodo(
        drafts=named(drafts),
        due=named(due),
        replies=named(replies, names | moved),
        overdue=named(overdue) if overdue is not None else None,
        names=names,
    )
