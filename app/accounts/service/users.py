"""Users: look-ups and the admins' user management (create, view, deactivate, reset)."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from app import messages
from app.accounts.models import District, Institution, Role, User
from app.accounts.passwords import hash_password, password_problem
from app.accounts.service.sessions import revoke_all_sessions
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.db import id_of, utcnow, words_match
from app.errors import Conflict, Invalid, NotFound

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def normalize_username(username: str) -> str:
    """User names are case-insensitive: stored and compared in lower case."""
    return username.strip().lower()


@dataclass(frozen=True)
class UserSearch:
    """What the admin's user list is filtered by; empty means "any"."""

    text: str = ""  # words, each in the user name or the name
    role: Role | None = None
    institution_id: int | None = None
    district_id: int | None = None
    active: bool | None = None  # None: active and deactivated


@dataclass(frozen=True)
class UserPage:
    """One page of the user list and how many users match in all."""

    users: Sequence[User]
    total: int


def find_users(
    session: Session, search: UserSearch, *, page: int = 1, per_page: int = 50
) -> UserPage:
    """The users that match ``search``, active first, by user name, one page of them: a
    municipality has thousands of users, a page shows ``per_page``."""
    conditions = words_match(search.text, col(User.username), col(User.display_name))
    if search.role is not None:
        conditions.append(User.role == search.role.value)
    if search.institution_id is not None:
        conditions.append(User.institution_id == search.institution_id)
    if search.district_id is not None:
        conditions.append(User.district_id == search.district_id)
    if search.active is not None:
        conditions.append(col(User.is_active).is_(search.active))
    total = session.exec(select(func.count()).select_from(User).where(*conditions)).one()
    users = session.exec(
        select(User)
        .where(*conditions)
        .order_by(col(User.is_active).desc(), col(User.username))
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    return UserPage(users=users, total=int(total))


def get_user(session: Session, *, user_id: int) -> User:
    """One user, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Brugeren findes ikke.")
    return user


def _members(
    roles: Collection[Role], institution_id: int | None, district_id: int | None
) -> list[Any]:
    """The WHERE of the active users with one of ``roles`` of an institution or a district."""
    if institution_id is None and district_id is None:
        raise ValueError("a look-up of members needs an institution or a district")
    where: list[Any] = [
        col(User.role).in_([role.value for role in roles]),
        col(User.is_active).is_(True),
    ]
    if institution_id is not None:
        where.append(User.institution_id == institution_id)
    if district_id is not None:
        where.append(User.district_id == district_id)
    return where


_BY_NAME = (col(User.display_name), col(User.id))


def active_members(
    session: Session,
    *,
    roles: Collection[Role],
    institution_id: int | None = None,
    district_id: int | None = None,
) -> Sequence[User]:
    """The active users with one of ``roles`` of an institution (or of a district), by name:
    filtered in SQL (a municipality has thousands of users; an institution a score)."""
    where = _members(roles, institution_id, district_id)
    return session.exec(select(User).where(*where).order_by(*_BY_NAME)).all()


def colleague_names(session: Session, *, institution_id: int) -> list[tuple[int, str]]:
    """The active staff and leaders of an institution (who may follow up), as (id, display
    name) by name: two columns, no ORM rows (the questionnaire asks on every page)."""
    where = _members((Role.STAFF, Role.LEADER), institution_id, None)
    rows = session.exec(select(User.id, User.display_name).where(*where).order_by(*_BY_NAME)).all()
    return [(int(user_id), name) for user_id, name in rows if user_id is not None]


def display_names(session: Session, *, user_ids: set[int]) -> dict[int, str]:
    """The display names of some users, in one query."""
    if not user_ids:
        return {}
    rows = session.exec(
        select(User.id, User.display_name).where(col(User.id).in_(sorted(user_ids)))
    ).all()
    return {int(user_id): name for user_id, name in rows if user_id is not None}


def get_by_username(session: Session, *, username: str) -> User | None:
    """The user with that (case-insensitive) user name, if any."""
    return session.exec(select(User).where(User.username == normalize_username(username))).first()


def create_user(
    session: Session,
    actor: User | None,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    institution_id: int | None = None,
    district_id: int | None = None,
    email: str = "",
) -> User:
    """Create a user; the role decides whether it belongs to an institution or a district."""
    username = normalize_username(username)
    display_name = display_name.strip()
    errors: list[dict[str, str]] = []
    if not USERNAME_RE.match(username):
        errors.append({"field": "username", "message": messages.USERNAME_FORMAT})
    elif get_by_username(session, username=username) is not None:
        errors.append({"field": "username", "message": messages.USERNAME_TAKEN})
    if not display_name or len(display_name) > 150:
        errors.append({"field": "display_name", "message": messages.DISPLAY_NAME_REQUIRED})
    if role not in set(Role):
        errors.append({"field": "role", "message": messages.ROLE_UNKNOWN})
    problem = password_problem(password)
    if problem:
        errors.append({"field": "password", "message": problem})
    if role in (Role.STAFF, Role.LEADER):
        district_id = None
        institution = session.get(Institution, institution_id) if institution_id else None
        if institution is None or not institution.is_active:
            errors.append(
                {
                    "field": "institution_id",
                    "message": messages.INSTITUTION_REQUIRED
                    if institution_id is None
                    else messages.INSTITUTION_UNKNOWN,
                }
            )
    elif role == Role.SOCIAL_WORKER:
        institution_id = None
        if district_id is None:
            errors.append({"field": "district_id", "message": messages.DISTRICT_REQUIRED})
        elif session.get(District, district_id) is None:
            errors.append({"field": "district_id", "message": messages.DISTRICT_UNKNOWN})
    else:
        institution_id = district_id = None
    if errors:
        raise Invalid(errors[0]["message"], details=errors)
    user = User(
        username=username,
        display_name=display_name,
        email=email.strip()[:254],
        role=role,
        institution_id=institution_id,
        district_id=district_id,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.USER_CREATE,
        object_type="user",
        object_id=user.id,
        detail=f"{username} ({role})",
    )
    return user


def view_user(session: Session, actor: User, *, user_id: int) -> User:
    """A user's details for an admin; the look-up is audit-logged."""
    user = get_user(session, user_id=user_id)
    audit.record(session, actor, AuditTag.USER_VIEW, object_type="user", object_id=user.id)
    return user


def set_active(session: Session, actor: User, *, user_id: int, active: bool) -> User:
    """Deactivate (ending every session at once) or reactivate a user."""
    user = get_user(session, user_id=user_id)
    if not active and user.id == actor.id:
        raise Conflict(messages.CANNOT_DEACTIVATE_SELF)
    if user.is_active == active:
        return user
    user.is_active = active
    user.deactivated_at = None if active else utcnow()
    session.add(user)
    if not active:
        revoke_all_sessions(session, user_id=id_of(user))
    session.flush()
    tag = AuditTag.USER_ACTIVATE if active else AuditTag.USER_DEACTIVATE
    audit.record(session, actor, tag, object_type="user", object_id=user.id)
    return user


def reset_password(session: Session, actor: User, *, user_id: int, password: str) -> User:
    """Set a new password and end the user's sessions."""
    user = get_user(session, user_id=user_id)
    if user.oidc_subject is not None:
        raise Conflict(messages.NO_LOCAL_PASSWORD, code="no_local_password")
    problem = password_problem(password)
    if problem:
        raise Invalid.field("password", problem)
    user.password_hash = hash_password(password)
    session.add(user)
    revoke_all_sessions(session, user_id=id_of(user))
    session.flush()
    audit.record(
        session, actor, AuditTag.USER_PASSWORD_RESET, object_type="user", object_id=user.id
    )
    return user
