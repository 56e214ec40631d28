"""Logging in (with throttling) and changing one's own password: the one login flow that
the page and the JSON API both call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from app import messages
from app.accounts.models import LoginAttempt, User, UserSession
from app.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password
from app.accounts.service.sessions import (
    LoginPolicy,
    end_session,
    revoke_all_sessions,
    start_session,
)
from app.accounts.service.users import get_by_username, normalize_username
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.db import id_of, utcnow
from app.errors import AppError, Forbidden, Invalid, NotAuthenticated, TooManyRequests


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
    ``keep`` (this one) stays. A user of the identity provider has no password to change."""
    if not user.has_password:
        raise Forbidden(messages.NO_LOCAL_PASSWORD, code="no_local_password")
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
    revoke_all_sessions(session, user_id=id_of(user), keep=keep)
    session.flush()
    audit.record(
        session, user, AuditTag.USER_PASSWORD_CHANGE, object_type="user", object_id=user.id
    )


@dataclass(frozen=True)
class LoginResult:
    """A finished login: the user, the raw token for the cookie and the session row; or the
    refusal (``NotAuthenticated`` 401 or ``TooManyRequests`` 429) to show. A refusal is
    returned, not raised, so that the attempt and its audit row are committed."""

    user: User | None = None
    token: str = ""
    session: UserSession | None = None
    error: AppError | None = None


def log_in(
    session: Session,
    *,
    username: str,
    password: str,
    client_ip: str,
    user_agent: str,
    policy: LoginPolicy,
    replacing: tuple[User, UserSession] | None = None,
) -> LoginResult:
    """The login of the page and of ``POST /api/v1/session``: throttle, check, and start a
    new session. A session the browser still carries (``replacing``, of this or another
    user) ends on the server once the new login succeeds, so no earlier session stays valid
    behind the new cookie."""
    outcome = attempt_login(
        session, username=username, password=password, client_ip=client_ip, policy=policy
    )
    if outcome.throttled:
        return LoginResult(error=throttled_error(outcome.retry_after_seconds or 1))
    if outcome.user is None:
        return LoginResult(
            error=NotAuthenticated(messages.LOGIN_FAILED, code="invalid_credentials")
        )
    if replacing is not None and replacing[1].revoked_at is None:
        end_session(session, replacing[0], replacing[1])
    token, row = start_session(
        session, outcome.user, client_ip=client_ip, user_agent=user_agent, policy=policy
    )
    return LoginResult(user=outcome.user, token=token, session=row)
