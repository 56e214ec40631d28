"""Accounts services: organisation, users, login, sessions. They flush, never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from app import messages
from app.accounts.models import (
    District,
    Institution,
    InstitutionKind,
    LoginAttempt,
    Role,
    User,
    UserSession,
)
from app.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.db import utcnow
from app.errors import Conflict, Invalid, NotFound, TooManyRequests

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
SESSION_TOUCH_SECONDS = 60


def normalize_username(username: str) -> str:
    """User names are case-insensitive: stored and compared in lower case."""
    return username.strip().lower()


# --- Organisation -----------------------------------------------------------------------


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
    session.add(district)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.DISTRICT_CREATE,
        object_type="district",
        object_id=district.id,
        detail=name,
    )
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
    session.add(district)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.DISTRICT_UPDATE,
        object_type="district",
        object_id=district.id,
        detail=f"{old} → {name}",
    )
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
    session.add(institution)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.INSTITUTION_CREATE,
        object_type="institution",
        object_id=institution.id,
        detail=name,
    )
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
    session.add(institution)
    session.flush()
    audit.record(
        session,
        actor,
        AuditTag.INSTITUTION_UPDATE,
        object_type="institution",
        object_id=institution.id,
        detail=name,
    )
    return institution


# --- Users ------------------------------------------------------------------------------


def list_users(session: Session) -> Sequence[User]:
    """All users, active first, by user name."""
    return session.exec(select(User).order_by(col(User.is_active).desc(), col(User.username))).all()


def get_user(session: Session, *, user_id: int) -> User:
    """One user, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Brugeren findes ikke.")
    return user


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
        revoke_all_sessions(session, user_id=user.id)  # type: ignore[arg-type]
    session.flush()
    tag = AuditTag.USER_ACTIVATE if active else AuditTag.USER_DEACTIVATE
    audit.record(session, actor, tag, object_type="user", object_id=user.id)
    return user


def reset_password(session: Session, actor: User, *, user_id: int, password: str) -> User:
    """Set a new password and end the user's sessions."""
    user = get_user(session, user_id=user_id)
    problem = password_problem(password)
    if problem:
        raise Invalid.field("password", problem)
    user.password_hash = hash_password(password)
    session.add(user)
    revoke_all_sessions(session, user_id=user.id)  # type: ignore[arg-type]
    session.flush()
    audit.record(
        session, actor, AuditTag.USER_PASSWORD_RESET, object_type="user", object_id=user.id
    )
    return user


def change_own_password(
    session: Session,
    user: User,
    *,
    current: str,
    new: str,
    repeat: str,
    keep: UserSession,
    client_ip: str,
    policy: LoginPolicy,
) -> None:
    """The user sets a new password: the current one must be right (a wrong one counts as a
    failed login, so the login throttle applies), the new one must follow the rules, be
    typed twice alike and differ from the current. Every other session of the user ends;
    ``keep`` (this one) stays."""
    wait = throttle_seconds(session, username=user.username, client_ip=client_ip, policy=policy)
    if wait is not None:
        raise throttled_error(wait)
    if not verify_password(user.password_hash, current):
        session.add(LoginAttempt(username=user.username, client_ip=client_ip[:64], succeeded=False))
        session.flush()
        audit.record(
            session,
            user,
            AuditTag.USER_PASSWORD_CHANGE_FAILED,
            object_type="user",
            object_id=user.id,
        )
        raise Invalid.field("current_password", messages.PASSWORD_CURRENT_WRONG)
    errors = []
    problem = password_problem(new)
    if problem:
        errors.append({"field": "new_password", "message": problem})
    elif new == current:
        errors.append({"field": "new_password", "message": messages.PASSWORD_NOT_NEW})
    if not errors and new != repeat:
        errors.append({"field": "repeat_password", "message": messages.PASSWORD_REPEAT_DIFFERS})
    if errors:
        raise Invalid(errors[0]["message"], details=errors)
    user.password_hash = hash_password(new)
    session.add(user)
    revoke_all_sessions(session, user_id=user.id, keep=keep)  # type: ignore[arg-type]
    session.flush()
    audit.record(
        session, user, AuditTag.USER_PASSWORD_CHANGE, object_type="user", object_id=user.id
    )


# --- Login and sessions -----------------------------------------------------------------


@dataclass(frozen=True)
class LoginPolicy:
    """Throttling and session lifetimes, from the settings."""

    max_failures_per_user: int = 5
    max_failures_per_client: int = 20
    failure_window: dt.timedelta = dt.timedelta(minutes=15)
    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)
    max_age: dt.timedelta = dt.timedelta(hours=12)


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a login attempt: a user, or why not."""

    user: User | None
    retry_after_seconds: int | None = None

    @property
    def throttled(self) -> bool:
        """True when the attempt was refused before the password was checked."""
        return self.retry_after_seconds is not None


def _retry_after(
    session: Session,
    column_filter: ColumnElement[bool],
    limit: int,
    since: dt.datetime,
    now: dt.datetime,
    window: dt.timedelta,
) -> int | None:
    failures = session.exec(
        select(LoginAttempt.at)
        .where(column_filter, col(LoginAttempt.succeeded).is_(False), LoginAttempt.at >= since)
        .order_by(col(LoginAttempt.at).desc())
        .limit(limit)
    ).all()
    if len(failures) < limit:
        return None
    oldest_counted = min(failures)
    return max(1, int((oldest_counted + window - now).total_seconds()) + 1)


def throttle_seconds(
    session: Session, *, username: str, client_ip: str, policy: LoginPolicy
) -> int | None:
    """Seconds until this user name or client may try again, or None when not throttled."""
    now = utcnow()
    since = now - policy.failure_window
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, col(LoginAttempt.succeeded).is_(True)
        )
    ).one()
    user_since = max(since, last_success) if last_success else since
    per_user = _retry_after(
        session,
        col(LoginAttempt.username) == username,
        policy.max_failures_per_user,
        user_since,
        now,
        policy.failure_window,
    )
    per_client = _retry_after(
        session,
        col(LoginAttempt.client_ip) == client_ip,
        policy.max_failures_per_client,
        since,
        now,
        policy.failure_window,
    )
    waits = [w for w in (per_user, per_client) if w is not None]
    return max(waits) if waits else None


def attempt_login(
    session: Session, *, username: str, password: str, client_ip: str, policy: LoginPolicy
) -> LoginOutcome:
    """Check credentials with throttling; records the attempt and an audit row either way."""
    username = normalize_username(username)[:64]
    client_ip = client_ip[:64]
    wait = throttle_seconds(session, username=username, client_ip=client_ip, policy=policy)
    if wait is not None:
        audit.record(session, None, AuditTag.LOGIN_THROTTLED, object_type="user", username=username)
        return LoginOutcome(user=None, retry_after_seconds=wait)
    user = get_by_username(session, username=username)
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.is_active
    session.add(LoginAttempt(username=username, client_ip=client_ip, succeeded=ok))
    if not ok or user is None:
        session.flush()
        audit.record(
            session,
            None,
            AuditTag.LOGIN_FAILED,
            object_type="user",
            object_id=user.id if user else None,
            username=username,
        )
        return LoginOutcome(user=None)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    audit.record(session, user, AuditTag.LOGIN, object_type="user", object_id=user.id)
    return LoginOutcome(user=user)


def throttled_error(seconds: int) -> TooManyRequests:
    """The 429 refusal with ``Retry-After``."""
    minutes = max(1, (seconds + 59) // 60)
    return TooManyRequests(
        messages.LOGIN_THROTTLED.format(minutes=minutes),
        headers={"Retry-After": str(seconds)},
    )


def hash_token(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session, user: User, *, client_ip: str, user_agent: str, policy: LoginPolicy
) -> tuple[str, UserSession]:
    """A new server-side session for ``user``; returns the raw token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        token_hash=hash_token(token),
        user_id=user.id,  # type: ignore[arg-type]
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.max_age,
        client_ip=client_ip[:64],
        user_agent=user_agent[:300],
    )
    session.add(row)
    session.flush()
    return token, row


def resolve_session(
    session: Session, *, token: str, policy: LoginPolicy
) -> tuple[User, UserSession] | None:
    """The live session and its active user for a token, or None (expired, idle, revoked)."""
    row = session.exec(
        select(UserSession).where(UserSession.token_hash == hash_token(token))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if now >= row.expires_at or now - row.last_seen_at >= policy.idle_timeout:
        row.revoked_at = now
        session.add(row)
        session.flush()
        expired_user = session.get(User, row.user_id)
        audit.record(
            session,
            expired_user,
            AuditTag.SESSION_EXPIRED,
            object_type="user",
            object_id=row.user_id,
            detail="max. levetid" if now >= row.expires_at else "inaktiv",
        )
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if (now - row.last_seen_at).total_seconds() >= SESSION_TOUCH_SECONDS:
        row.last_seen_at = now
        session.add(row)
        session.flush()
    return user, row


def end_session(session: Session, user: User, row: UserSession) -> None:
    """Log out: the session is invalid at once, server side."""
    row.revoked_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(session, user, AuditTag.LOGOUT, object_type="user", object_id=user.id)


def revoke_all_sessions(session: Session, *, user_id: int, keep: UserSession | None = None) -> None:
    """End every live session of a user (deactivation, password reset), but ``keep`` (the
    session that changed its own password)."""
    now = utcnow()
    query = select(UserSession).where(
        UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    for row in session.exec(query).all():
        row.revoked_at = now
        session.add(row)
