"""Groups and well-being rounds: the leader keeps groups and starts rounds; everyone of the
institution follows a round's progress; the leader reads its overview, and admins read the
figures across institutions. Every count shown goes through ``figures`` (the "<5" rule)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.assessments.scope import counted_in_period, latest_counted
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.catalogs import service as catalogs
from app.children.models import Child
from app.children.scope import (
    ChildName,
    ensure_may_see_children,
    institution_children,
)
from app.db import COPENHAGEN, id_of, local_today
from app.errors import Conflict, Forbidden, Invalid
from app.rounds import figures
from app.rounds.figures import Band, Cell
from app.rounds.models import Group, GroupChild, GroupStaff, Round, RoundGroup
from app.rounds.scope import ensure_leader as ensure_leader
from app.rounds.scope import get_group_for, get_round_for, groups_of, rounds_of

MAX_NAME = 100
MAX_TITLE = 150
MAX_PERIOD_DAYS = 366


# --- Groups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupView:
    """A group with the ids of its children and staff."""

    group: Group
    child_ids: list[int]
    staff_ids: list[int]

    @property
    def id(self) -> int:
        """The group's id."""
        return id_of(self.group)

    @property
    def name(self) -> str:
        """The group's name."""
        return self.group.name


def _members(session: Session, group_ids: Sequence[int]) -> tuple[dict[int, list[int]], ...]:
    children: dict[int, list[int]] = {gid: [] for gid in group_ids}
    staff: dict[int, list[int]] = {gid: [] for gid in group_ids}
    if group_ids:
        for gid, child_id in session.exec(
            select(GroupChild.group_id, GroupChild.child_id)
            .where(col(GroupChild.group_id).in_(group_ids))
            .order_by(col(GroupChild.child_id))
        ):
            children[gid].append(child_id)
        for gid, user_id in session.exec(
            select(GroupStaff.group_id, GroupStaff.user_id)
            .where(col(GroupStaff.group_id).in_(group_ids))
            .order_by(col(GroupStaff.user_id))
        ):
            staff[gid].append(user_id)
    return children, staff


def _views(session: Session, groups: Sequence[Group]) -> list[GroupView]:
    children, staff = _members(session, [id_of(g) for g in groups])
    return [GroupView(g, children[id_of(g)], staff[id_of(g)]) for g in groups]


def list_groups(session: Session, actor: User) -> list[GroupView]:
    """The groups of the actor's institution, by name, with their members' ids."""
    ensure_may_see_children(actor)
    return _views(session, groups_of(session, institution_id=_institution(actor)))


def get_group(session: Session, actor: User, *, group_id: int) -> GroupView:
    """One group of the actor's institution with its members' ids (404 otherwise)."""
    return _views(session, [get_group_for(session, actor, group_id=group_id)])[0]


def _institution(actor: User) -> int:
    if actor.institution_id is None:  # pragma: no cover - checked by the callers' scope
        raise Forbidden()
    return actor.institution_id


def _clean_name(session: Session, actor: User, name: str, *, group_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise Invalid.field("name", "Skriv gruppens navn (højst 100 tegn).")
    for other in groups_of(session, institution_id=_institution(actor)):
        if other.name.lower() == name.lower() and other.id != group_id:
            raise Invalid.field("name", "Der er allerede en gruppe med det navn.")
    return name


def create_group(session: Session, actor: User, *, name: str) -> GroupView:
    """A new, empty group of the leader's institution."""
    ensure_leader(actor)
    group = Group(institution_id=_institution(actor), name=_clean_name(session, actor, name))
    session.add(group)
    session.flush()
    audit.record(session, actor, AuditTag.GROUP_CREATE, object_type="group", object_id=group.id)
    return GroupView(group, [], [])


def rename_group(session: Session, actor: User, *, group_id: int, name: str) -> GroupView:
    """Give a group a new name."""
    ensure_leader(actor)
    group = get_group_for(session, actor, group_id=group_id)
    group.name = _clean_name(session, actor, name, group_id=group_id)
    session.add(group)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.GROUP_UPDATE,
        object_type="group",
        object_id=group_id,
        detail="navn",
    )
    return get_group(session, actor, group_id=group_id)


def delete_group(session: Session, actor: User, *, group_id: int) -> None:
    """Delete a group that no round covers (a round's figures keep their groups: 409)."""
    ensure_leader(actor)
    group = get_group_for(session, actor, group_id=group_id)
    in_round = session.exec(select(RoundGroup.round_id).where(RoundGroup.group_id == group_id))
    if in_round.first() is not None:
        raise Conflict(
            "Gruppen indgår i en trivselsrunde og kan ikke slettes. "
            "Fjern i stedet børnene fra den.",
            code="group_in_round",
        )
    session.exec(delete(GroupChild).where(col(GroupChild.group_id) == group_id))
    session.exec(delete(GroupStaff).where(col(GroupStaff.group_id) == group_id))
    session.delete(group)
    session.flush()
    audit.record(session, actor, AuditTag.GROUP_DELETE, object_type="group", object_id=group_id)


def set_children(
    session: Session, actor: User, *, group_id: int, child_ids: Iterable[int]
) -> GroupView:
    """The group's children are exactly ``child_ids``, all of the leader's institution (a
    child of another institution, or none at all, is 422 and nothing changes)."""
    ensure_leader(actor)
    get_group_for(session, actor, group_id=group_id)
    wanted = sorted(set(child_ids))
    found = {
        id_of(c)
        for c in institution_children(session, institution_id=_institution(actor), child_ids=wanted)
    }
    _refuse_unknown(
        [cid for cid in wanted if cid not in found],
        "Et eller flere børn hører ikke til institutionen.",
        on="child_ids",
        message="Barn {} hører ikke til institutionen.",
    )
    session.exec(delete(GroupChild).where(col(GroupChild.group_id) == group_id))
    session.add_all(GroupChild(group_id=group_id, child_id=cid) for cid in wanted)
    return _members_changed(session, actor, group_id=group_id, detail=f"{len(wanted)} børn")


def _refuse_unknown(unknown: list[int], summary: str, *, on: str, message: str) -> None:
    """422 naming each id that may not be a member (``message`` with the id in ``{}``)."""
    if unknown:
        raise Invalid(
            summary,
            details=[{"field": on, "message": message.format(i)} for i in unknown],
        )


def _members_changed(session: Session, actor: User, *, group_id: int, detail: str) -> GroupView:
    """After the group's children or staff were replaced: stored, audited, the group again."""
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.GROUP_UPDATE,
        object_type="group",
        object_id=group_id,
        detail=detail,
    )
    return get_group(session, actor, group_id=group_id)


def leave_groups(session: Session, *, child_id: int, institution_id: int) -> int:
    """Take a child out of every group of ``institution_id`` (the child moved to another
    institution by a handover: it is no longer to be assessed in that institution's rounds);
    the number of memberships removed. The caller audits the move."""
    group_ids = [id_of(g) for g in groups_of(session, institution_id=institution_id)]
    if not group_ids:
        return 0
    result = session.exec(
        delete(GroupChild).where(
            col(GroupChild.child_id) == child_id, col(GroupChild.group_id).in_(group_ids)
        )
    )
    session.flush()
    return int(result.rowcount)


def group_candidates(session: Session, actor: User) -> list[Child]:
    """The children of the leader's institution, by name, for ticking a group's children;
    the list is audited as the children's list is."""
    ensure_leader(actor)
    children = institution_children(session, institution_id=_institution(actor))
    audit.record(
        session,
        actor,
        AuditTag.CHILD_LIST,
        object_type="institution",
        object_id=actor.institution_id,
        detail=f"{len(children)} børn (grupper)",
    )
    return children


def institution_staff(session: Session, actor: User) -> list[User]:
    """The active staff and leaders of the actor's institution, by name."""
    ensure_may_see_children(actor)
    return list(
        accounts.active_members(
            session, roles=(Role.STAFF, Role.LEADER), institution_id=actor.institution_id
        )
    )


def set_staff(
    session: Session, actor: User, *, group_id: int, user_ids: Iterable[int]
) -> GroupView:
    """The group's staff are exactly ``user_ids``: active staff or leaders of the institution
    (anyone else is 422 and nothing changes)."""
    ensure_leader(actor)
    get_group_for(session, actor, group_id=group_id)
    wanted = sorted(set(user_ids))
    allowed = {id_of(u) for u in institution_staff(session, actor)}
    _refuse_unknown(
        [uid for uid in wanted if uid not in allowed],
        "En eller flere er ikke medarbejdere i institutionen.",
        on="user_ids",
        message="Bruger {} er ikke medarbejder her.",
    )
    session.exec(delete(GroupStaff).where(col(GroupStaff.group_id) == group_id))
    session.add_all(GroupStaff(group_id=group_id, user_id=uid) for uid in wanted)
    return _members_changed(session, actor, group_id=group_id, detail=f"{len(wanted)} medarbejdere")


# --- Rounds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundView:
    """A round with the ids of its groups."""

    round: Round
    group_ids: list[int]

    @property
    def id(self) -> int:
        """The round's id."""
        return id_of(self.round)

    def is_open(self, today: dt.date) -> bool:
        """True while today is within the period."""
        return self.round.starts_on <= today <= self.round.ends_on


def _group_ids_of(session: Session, round_ids: Sequence[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {rid: [] for rid in round_ids}
    if round_ids:
        for rid, gid in session.exec(
            select(RoundGroup.round_id, RoundGroup.group_id)
            .where(col(RoundGroup.round_id).in_(round_ids))
            .order_by(col(RoundGroup.group_id))
        ):
            result[rid].append(gid)
    return result


def list_rounds(session: Session, actor: User) -> list[RoundView]:
    """The rounds of the actor's institution, newest first."""
    ensure_may_see_children(actor)
    rounds = rounds_of(session, institution_id=_institution(actor))
    groups = _group_ids_of(session, [id_of(r) for r in rounds])
    return [RoundView(r, groups[id_of(r)]) for r in rounds]


def get_round(session: Session, actor: User, *, round_id: int) -> RoundView:
    """One round of the actor's institution (404 otherwise)."""
    found = get_round_for(session, actor, round_id=round_id)
    return RoundView(found, _group_ids_of(session, [round_id])[round_id])


def create_round(
    session: Session,
    actor: User,
    *,
    title: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    group_ids: Iterable[int],
) -> RoundView:
    """Start a round of the leader's institution: title, period and at least one of its own
    groups; every error is named by its field (422) and nothing is stored."""
    ensure_leader(actor)
    title = " ".join(title.split())
    wanted = sorted(set(group_ids))
    errors: list[dict[str, object]] = []
    if not title or len(title) > MAX_TITLE:
        errors.append({"field": "title", "message": "Skriv rundens titel (højst 150 tegn)."})
    if starts_on is None:
        errors.append({"field": "starts_on", "message": "Skriv rundens første dag."})
    if ends_on is None:
        errors.append({"field": "ends_on", "message": "Skriv rundens sidste dag."})
    if starts_on is not None and ends_on is not None:
        if ends_on < starts_on:
            errors.append({"field": "ends_on", "message": "Den sidste dag ligger før den første."})
        elif (ends_on - starts_on).days > MAX_PERIOD_DAYS:
            errors.append({"field": "ends_on", "message": "En runde varer højst et år."})
    own = {id_of(g) for g in groups_of(session, institution_id=_institution(actor))}
    if not wanted:
        errors.append({"field": "group_ids", "message": "Vælg mindst én gruppe."})
    errors.extend(
        {"field": "group_ids", "message": f"Gruppe {gid} hører ikke til institutionen."}
        for gid in wanted
        if gid not in own
    )
    if errors:
        raise Invalid(str(errors[0]["message"]), details=errors)
    assert starts_on is not None  # noqa: S101 - checked above
    assert ends_on is not None  # noqa: S101 - checked above
    found = Round(
        institution_id=_institution(actor),
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=id_of(actor),
    )
    session.add(found)
    session.flush()
    session.add_all(RoundGroup(round_id=id_of(found), group_id=gid) for gid in wanted)
    session.flush()
    audit.record(session, actor, AuditTag.ROUND_CREATE, object_type="round", object_id=found.id)
    return RoundView(found, wanted)


def _period(r: Round) -> tuple[dt.datetime, dt.datetime]:
    """The round's period as UTC instants: from the first day's start to the day after the
    last, in Danish time."""
    since = dt.datetime.combine(r.starts_on, dt.time(), tzinfo=COPENHAGEN)
    before = dt.datetime.combine(r.ends_on + dt.timedelta(days=1), dt.time(), tzinfo=COPENHAGEN)
    return since.astimezone(dt.UTC), before.astimezone(dt.UTC)


# --- Counting in SQL: one GROUP BY per figure, whatever the number of children -------------


def _latest(r: Round, child_id: Any, name: str = "latest") -> tuple[Any, sa.ColumnElement[bool]]:
    since, before = _period(r)
    return latest_counted(
        child_id, institution_id=r.institution_id, since=since, before=before, name=name
    )


_GROUP_CHILD: sa.Table = GroupChild.__table__  # type: ignore[attr-defined]
_ROUND_GROUP: sa.Table = RoundGroup.__table__  # type: ignore[attr-defined]
_CHILD: sa.Table = Child.__table__  # type: ignore[attr-defined]
_GROUP: sa.Table = Group.__table__  # type: ignore[attr-defined]


def _memberships(
    session: Session,
    r: Round,
    columns: Sequence[sa.ColumnElement[Any]],
    *,
    where: Sequence[sa.ColumnElement[bool]] = (),
    order_by: Sequence[sa.ColumnElement[Any]] = (),
    missing_only: bool = False,
) -> list[Any]:
    """Every membership of the round's groups, one row each: (group id, child id,
    ``*columns``, level), the level the child's latest counted assessment in the period (None:
    not assessed in the round), in ``order_by`` order. One Core query (no ORM rows): the
    memberships outer-joined to the period's counted assessments, oldest first, each
    membership's last row kept here (``counted_in_period``: no NOT EXISTS per child). The
    child (``_CHILD``) and group (``_GROUP``) tables are joined for ``columns`` to read.
    ``missing_only``: just the memberships of children not assessed in the round (no counted
    assessment joined: one row each, and the database leaves out the others)."""
    since, before = _period(r)
    counted, on = counted_in_period(
        _GROUP_CHILD.c.child_id, institution_id=r.institution_id, since=since, before=before
    )
    query = (
        sa.select(_GROUP_CHILD.c.group_id, _GROUP_CHILD.c.child_id, *columns, counted.c.level)
        .select_from(_GROUP_CHILD)
        .join(_ROUND_GROUP, _ROUND_GROUP.c.group_id == _GROUP_CHILD.c.group_id)
        .join(_CHILD, _CHILD.c.id == _GROUP_CHILD.c.child_id)
        .join(_GROUP, _GROUP.c.id == _GROUP_CHILD.c.group_id)
        .outerjoin(counted, on)
        .where(_ROUND_GROUP.c.round_id == id_of(r), *where)
        .where(*([counted.c.id.is_(None)] if missing_only else []))
        .order_by(*order_by, counted.c.finished_at, counted.c.id)
    )
    latest: dict[tuple[int, int], Any] = {}
    for row in session.connection().execute(query).all():
        latest[row[0], row[1]] = row  # the later assessment replaces the earlier
    return list(latest.values())


def _round_children(r: Round, name: str = "round_children") -> sa.Subquery:
    """The distinct children of the round's groups (a child in two groups once)."""
    return (
        select(col(GroupChild.child_id).label("child_id"))
        .join(RoundGroup, col(RoundGroup.group_id) == col(GroupChild.group_id))
        .where(RoundGroup.round_id == id_of(r))
        .distinct()
        .subquery(name)
    )


def _round_groups(session: Session, r: Round) -> list[Group]:
    """The round's groups, by name."""
    return _groups_of_rounds(session, [r])[id_of(r)]


def _groups_of_rounds(session: Session, rounds: Sequence[Round]) -> dict[int, list[Group]]:
    """round id → its groups by name, for rounds of one institution: two queries however
    many rounds (the overview's two rounds read the institution's groups once)."""
    if not rounds:
        return {}
    ids = _group_ids_of(session, [id_of(r) for r in rounds])
    every = groups_of(session, institution_id=rounds[0].institution_id)
    return {
        rid: [g for g in every if g.id in wanted]
        for rid, wanted in ((rid, set(gids)) for rid, gids in ids.items())
    }


@dataclass(frozen=True)
class _Counts:
    """Children and counts per level (None: not assessed in the round)."""

    by_level: dict[int | None, int] = field(default_factory=dict)

    @property
    def children(self) -> int:
        return sum(self.by_level.values())

    @property
    def assessed(self) -> int:
        return sum(n for level, n in self.by_level.items() if level is not None)

    @property
    def levels(self) -> dict[int, int]:
        return {level: n for level, n in self.by_level.items() if level is not None}


def _total_counts(session: Session, r: Round) -> _Counts:
    """The round's children, each once, and their levels: one query."""
    children = _round_children(r)
    latest, on = _latest(r, children.c.child_id)
    counts = _Counts()
    for level, count in session.exec(
        select(latest.c.level, sa.func.count())
        .select_from(children)
        .outerjoin(latest, on)
        .group_by(latest.c.level)
    ):
        counts.by_level[level] = count
    return counts


def _counts_of(levels: dict[int, int], children: int) -> _Counts:
    counts: dict[int | None, int] = {None: children - len(levels)}
    for level, count in figures.level_counts(levels.values()).items():
        counts[level] = count
    return _Counts(counts)


@dataclass(frozen=True)
class GroupProgress:
    """One group of a round: its children, the assessed ones, the missing ones by name."""

    group_id: int
    name: str
    children: int
    assessed: int
    missing: list[ChildName]
    levels: dict[str, Cell]

    @property
    def progress(self) -> figures.Progress:
        """Counts and share."""
        return figures.Progress(children=self.children, assessed=self.assessed)


@dataclass(frozen=True)
class RoundProgress:
    """A round and how far each of its groups has come."""

    round: Round
    group_ids: list[int]
    groups: list[GroupProgress]
    today: dt.date

    @property
    def total(self) -> figures.Progress:
        """All the round's children (a child in two groups counts once per group)."""
        return figures.Progress(
            children=sum(g.children for g in self.groups),
            assessed=sum(g.assessed for g in self.groups),
        )

    @property
    def is_open(self) -> bool:
        """True while today is within the period."""
        return self.round.starts_on <= self.today <= self.round.ends_on


def progress(session: Session, actor: User, *, round_id: int) -> RoundProgress:
    """The round's progress per group, with the missing children by name: for the
    institution's own staff and leaders. Showing the names is audited (one row per view)."""
    found = get_round_for(session, actor, round_id=round_id)
    # One query: each membership with the child's name and level (_memberships).
    by_group: dict[int, dict[int | None, int]] = {}
    names: dict[int, list[ChildName]] = {}
    for group_id, child_id, institution_id, first, last, level in _memberships(
        session,
        found,
        [_CHILD.c.institution_id, _CHILD.c.first_name, _CHILD.c.last_name],
        order_by=[_GROUP_CHILD.c.group_id, _CHILD.c.first_name, _CHILD.c.last_name, _CHILD.c.id],
    ):
        counted = by_group.setdefault(group_id, {})
        counted[level] = counted.get(level, 0) + 1
        if level is None and institution_id == found.institution_id:
            names.setdefault(group_id, []).append(ChildName(child_id, first, last))
    groups = []
    for group in _round_groups(session, found):
        these = _Counts(by_group.get(id_of(group), {}))
        groups.append(
            GroupProgress(
                group_id=id_of(group),
                name=group.name,
                children=these.children,
                assessed=these.assessed,
                missing=names.get(id_of(group), []),
                levels=figures.shown_counts(these.levels),
            )
        )
    missing_ids = {c.id for named in names.values() for c in named}
    audit.record(
        session,
        actor,
        AuditTag.ROUND_VIEW,
        object_type="round",
        object_id=round_id,
        detail=f"{len(missing_ids)} børn mangler",
    )
    return RoundProgress(found, [g.group_id for g in groups], groups, local_today())


# --- The overview (leaders) and the figures across institutions (admins) ---------------------


@dataclass(frozen=True)
class BandRow:
    """The levels of one age band, this round and the previous one."""

    band: Band
    levels: dict[str, Cell]
    previous: dict[str, Cell] | None


@dataclass(frozen=True)
class GroupRow:
    """The levels of one group, this round and (when it was in it) the previous one."""

    group_id: int
    name: str
    levels: dict[str, Cell]
    previous: dict[str, Cell] | None


@dataclass(frozen=True)
class Overview:
    """A round's figures, every count with the "<5" rule, and no child's identity."""

    round: Round
    previous_round: Round | None
    assessed: Cell
    children: Cell
    levels: dict[str, Cell]
    previous_levels: dict[str, Cell] | None
    by_group: list[GroupRow]
    by_band: list[BandRow]
    movement: dict[str, Cell] | None
    bars: list[figures.Bar] = field(default_factory=list)


def _bands(session: Session) -> list[Band]:
    return [
        Band(row.min_age_years, row.max_age_years) for row in catalogs.published_versions(session)
    ]


def previous_round(session: Session, r: Round) -> Round | None:
    """The institution's round before ``r``: the latest that started before it."""
    return next(
        (
            other
            for other in rounds_of(session, institution_id=r.institution_id)
            if (other.starts_on, id_of(other)) < (r.starts_on, id_of(r))
        ),
        None,
    )


@dataclass(frozen=True)
class _RoundFigures:
    """One round's counts for the overview, from one query (:func:`_round_figures`)."""

    by_group: dict[int, _Counts]
    levels: dict[int, int]
    """child id → level of the round's children assessed in it (each child once)."""
    children: int
    by_band: dict[Band, dict[int, int]]


def _round_figures(session: Session, r: Round, bands: list[Band]) -> _RoundFigures:
    """Every membership of the round's groups with the child's birth date and latest level
    in the period: one query (the overview made six passes, issue 13), counted here by group,
    by child and by age band on the round's first day (``figures.whole_years``, as the
    catalogs' bands are in whole years)."""
    by_group: dict[int, dict[int | None, int]] = {}
    levels: dict[int, int] = {}
    born: dict[int, dt.date] = {}
    for group_id, child_id, birth_date, level in _memberships(session, r, [_CHILD.c.birth_date]):
        counts = by_group.get(group_id)
        if counts is None:
            counts = by_group[group_id] = {}
        counts[level] = counts.get(level, 0) + 1
        born[child_id] = birth_date
        if level is not None:
            levels[child_id] = level
    # Children share birth dates (a few hundred days in a band): each date's band once.
    band_of: dict[dt.date, int | None] = {}
    unique = list(dict.fromkeys(bands))  # two catalog versions may share a band
    per_band: list[dict[int, int]] = [{} for _ in unique]
    for child_id, level in levels.items():
        birth_date = born[child_id]
        if birth_date not in band_of:
            years = figures.whole_years(birth_date, r.starts_on)
            band_of[birth_date] = next(
                (i for i, b in enumerate(unique) if b.min_years <= years <= b.max_years), None
            )
        index = band_of[birth_date]
        if index is not None:
            per_band[index][level] = per_band[index].get(level, 0) + 1
    by_band = dict(zip(unique, per_band, strict=True))
    return _RoundFigures(
        {gid: _Counts(c) for gid, c in by_group.items()}, levels, len(born), by_band
    )


def overview(session: Session, actor: User, *, round_id: int) -> Overview:
    """The leader's overview of a round: levels in all, by group and by age band, beside the
    previous round's; and of the children at level 2 or higher then, how many moved down,
    stayed or moved up. Audited; shows no names."""
    ensure_leader(actor)
    found = get_round_for(session, actor, round_id=round_id)
    before = previous_round(session, found)
    bands = _bands(session)
    # One query per round: its memberships with birth dates and levels (_round_figures).
    now = _round_figures(session, found, bands)
    old = _round_figures(session, before, bands) if before is not None else None
    now_levels = now.levels
    old_levels = old.levels if old is not None else None
    total = _counts_of(now_levels, children=now.children)
    # The same institution's rounds: its groups read once for both.
    round_groups = _groups_of_rounds(session, [found] if before is None else [found, before])
    groups = [(g, now.by_group.get(id_of(g), _Counts())) for g in round_groups[round_id]]
    now_bands = now.by_band
    old_total = _counts_of(old_levels, len(old_levels)) if old_levels is not None else None
    old_groups = (
        {id_of(g): old.by_group.get(id_of(g), _Counts()) for g in round_groups[id_of(before)]}
        if old is not None and before is not None
        else {}
    )
    old_bands = old.by_band if old is not None else None
    levels = figures.shown_counts(total.levels)
    previous_levels = figures.shown_counts(old_total.levels) if old_total else None
    audit.record(session, actor, AuditTag.ROUND_OVERVIEW, object_type="round", object_id=round_id)
    return Overview(
        round=found,
        previous_round=before,
        assessed=figures.cell(total.assessed),
        children=figures.cell(total.children),
        levels=levels,
        previous_levels=previous_levels,
        by_group=[
            GroupRow(
                group_id=id_of(group),
                name=group.name,
                levels=figures.shown_counts(these.levels),
                previous=(
                    figures.shown_counts(old_groups[id_of(group)].levels)
                    if id_of(group) in old_groups
                    else None
                ),
            )
            for group, these in groups
        ],
        by_band=[
            BandRow(
                band=band,
                levels=figures.shown_counts(now_bands[band]),
                previous=figures.shown_counts(old_bands[band]) if old_bands is not None else None,
            )
            for band in bands
        ],
        movement=(
            figures.movement(old_levels, now_levels).shown() if old_levels is not None else None
        ),
        bars=figures.bars(levels, previous_levels),
    )


@dataclass(frozen=True)
class InstitutionFigures:
    """An institution's latest round that has started, in counts only."""

    institution_id: int
    institution: str
    round_title: str | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    assessed: Cell
    children: Cell
    levels: dict[str, Cell]


@dataclass(frozen=True)
class DistrictFigures:
    """A district's institutions and their summed levels."""

    district_id: int
    name: str
    institutions: list[InstitutionFigures]
    levels: dict[str, Cell]


@dataclass(frozen=True)
class MunicipalityFigures:
    """Every district, and the municipality's sum; no names of children, "<5" everywhere."""

    districts: list[DistrictFigures]
    levels: dict[str, Cell]
    today: dt.date


def municipality(session: Session, actor: User) -> MunicipalityFigures:
    """For admins: per institution the latest round that has started (by today), its levels,
    summed per district and for the municipality; every count with the "<5" rule."""
    if actor.role_enum is not Role.ADMIN:
        raise Forbidden("Kun administratorer ser tallene på tværs af institutioner.")
    today = local_today()
    latest: dict[int, Round] = {}
    for started in session.exec(
        select(Round)
        .where(col(Round.starts_on) <= today)
        .order_by(col(Round.starts_on), col(Round.id))
    ):
        latest[started.institution_id] = started
    districts = []
    everything: dict[int, int] = {}
    by_district: dict[int, list[tuple[str, int]]] = {}
    for institution in accounts.list_institutions(session):
        by_district.setdefault(institution.district_id, []).append(
            (institution.name, id_of(institution))
        )
    for district in accounts.list_districts(session):
        rows = []
        summed: dict[int, int] = {}
        for name, iid in sorted(by_district.get(id_of(district), [])):
            r = latest.get(iid)
            counts = _total_counts(session, r) if r is not None else _Counts()
            _add(summed, counts.levels)
            rows.append(
                InstitutionFigures(
                    institution_id=iid,
                    institution=name,
                    round_title=r.title if r else None,
                    starts_on=r.starts_on if r else None,
                    ends_on=r.ends_on if r else None,
                    assessed=figures.cell(counts.assessed),
                    children=figures.cell(counts.children),
                    levels=figures.shown_counts(counts.levels),
                )
            )
        _add(everything, summed)
        districts.append(
            DistrictFigures(id_of(district), district.name, rows, figures.shown_counts(summed))
        )
    audit.record(session, actor, AuditTag.ROUND_OVERVIEW, object_type="municipality")
    return MunicipalityFigures(districts, figures.shown_counts(everything), today)


def _add(into: dict[int, int], counts: dict[int, int]) -> None:
    for level, count in counts.items():
        into[level] = into.get(level, 0) + count


# --- The to-do of the start page -------------------------------------------------------------


@dataclass(frozen=True)
class RoundMissing:
    """A child of one of the user's groups still to be assessed in an open round."""

    round_id: int
    round_title: str
    ends_on: dt.date
    child_id: int
    child_name: str
    group_name: str


def missing_for(session: Session, user: User) -> list[RoundMissing]:
    """The children of the user's groups still missing in the open rounds of their
    institution (today within the period), soonest ending round first, then by name. Empty
    for anyone who is not staff or leader of an institution. Audited as a list of children
    (one row, the number of children) when it names any."""
    if user.role_enum not in (Role.STAFF, Role.LEADER) or user.institution_id is None:
        return []
    today = local_today()
    mine = set(session.exec(select(GroupStaff.group_id).where(GroupStaff.user_id == id_of(user))))
    if not mine:
        return []
    result: list[RoundMissing] = []
    open_rounds = [
        r
        for r in rounds_of(session, institution_id=user.institution_id)
        if r.starts_on <= today <= r.ends_on
    ]
    for r in sorted(open_rounds, key=lambda r: (r.ends_on, id_of(r))):
        # One query: the memberships of the user's groups in the round, the groups by name
        # (a child in two of them is listed under the first), with names and levels.
        seen: set[int] = set()
        rows = []
        round_id, title, ends_on = id_of(r), r.title, r.ends_on
        for _, child_id, group_name, first, last, level in _memberships(
            session,
            r,
            [_GROUP.c.name, _CHILD.c.first_name, _CHILD.c.last_name],
            where=[
                _GROUP_CHILD.c.group_id.in_(sorted(mine)),
                _GROUP.c.institution_id == r.institution_id,
                _CHILD.c.institution_id == r.institution_id,
            ],
            order_by=[_GROUP.c.name, _GROUP.c.id, _GROUP_CHILD.c.child_id],
            missing_only=True,
        ):
            if level is None and child_id not in seen:
                seen.add(child_id)
                rows.append(
                    RoundMissing(round_id, title, ends_on, child_id, f"{first} {last}", group_name)
                )
        result.extend(sorted(rows, key=lambda m: (m.child_name, m.child_id)))
    if result:
        # The names are a list of the institution's children read for this user: audited as
        # the children's list is (counts only).
        audit.record(
            session,
            user,
            AuditTag.CHILD_LIST,
            object_type="institution",
            object_id=user.institution_id,
            detail=f"forsidens runde: {len({m.child_id for m in result})} børn",
        )
    return result
