"""Server-side sessions: start, resolve (idle and absolute timeouts), end, revoke.

The lowest accounts service: it knows the session rows and the user model, nothing of
passwords or throttling (those are in ``login``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlalchemy.engine import RowMapping
from sqlmodel import Session, col, select

from app.accounts.models import User, UserSession
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.db import clean_row, id_of, row_columns, utcnow

#: ``last_seen_at`` is written at most this often per session, not on every request: the
#: idle timeout is measured from it, so a session ends at most this long before its exact
#: idle timeout (never later).
SESSION_TOUCH_SECONDS = 60


@dataclass(frozen=True)
class LoginPolicy:
    """Throttling and session lifetimes, from the settings."""

    max_failures_per_user: int = 5
    max_failures_per_client: int = 20
    failure_window: dt.timedelta = dt.timedelta(minutes=15)
    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)
    max_age: dt.timedelta = dt.timedelta(hours=12)


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
        user_id=id_of(user),
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


#: Built once: the statement is the same on every request, only the hash differs. A Core
#: SELECT of both rows' columns (the session's prefixed ``s_``), built into ORM instances by
#: ``db.clean_row``: about half the CPU of the ORM's loading (docs/performance.md, issue 16).
_BY_TOKEN = (
    sa.select(*row_columns(User), *(c.label(f"s_{c.key}") for c in row_columns(UserSession)))
    .select_from(
        sa.join(
            UserSession.__table__,  # type: ignore[attr-defined]
            User.__table__,  # type: ignore[attr-defined]
            col(User.id) == col(UserSession.user_id),
        )
    )
    .where(col(UserSession.token_hash) == bindparam("token_hash"))
)


@dataclass(frozen=True)
class LiveSession:
    """A live session as the lookup read it: what every request needs (its id and CSRF token)
    without an ORM row; :meth:`row` builds the row for the few paths that change it (logout,
    a password change, a new login over it, its expiry, ``last_seen_at``)."""

    id: int
    csrf_token: str
    values: RowMapping

    def row(self, session: Session) -> UserSession:
        """The session's ORM row in ``session`` (as read by the lookup; no query)."""
        return clean_row(session, UserSession, self.values, prefix="s_")


def resolve_session(
    session: Session, *, token: str, policy: LoginPolicy
) -> tuple[User, LiveSession] | None:
    """The live session and its active user for a token, or None (expired, idle, revoked).

    One query reads the session row (by its unique token hash) and its user; it writes only
    when the session ends or ``last_seen_at`` is a minute old. The row is read on every
    request, so a revocation (logout, deactivation, another process) holds at once."""
    found = (
        session.connection()
        .execute(_BY_TOKEN, {"token_hash": hash_token(token)})
        .mappings()
        .first()
    )
    if found is None or found["s_revoked_at"] is not None:
        return None
    now = utcnow()
    expires_at, last_seen_at = found["s_expires_at"], found["s_last_seen_at"]
    if now >= expires_at or now - last_seen_at >= policy.idle_timeout:
        row = clean_row(session, UserSession, found, prefix="s_")
        if row.revoked_at is not None:
            return None  # this session ended it a moment ago
        row.revoked_at = now
        row.oidc_id_token = None
        session.add(row)
        session.flush()
        audit.record(
            session,
            clean_row(session, User, found),
            AuditTag.SESSION_EXPIRED,
            object_type="user",
            object_id=row.user_id,
            detail="max. levetid" if now >= expires_at else "inaktiv",
        )
        return None
    if not found["is_active"]:
        return None
    live = LiveSession(id=found["s_id"], csrf_token=found["s_csrf_token"], values=found)
    if (now - last_seen_at).total_seconds() >= SESSION_TOUCH_SECONDS:
        row = live.row(session)
        row.last_seen_at = now
        session.add(row)
        session.flush()
    return clean_row(session, User, found), live


def end_session(session: Session, user: User, row: UserSession) -> None:
    """Log out: the session is invalid at once, server side."""
    row.revoked_at = utcnow()
    row.oidc_id_token = None
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
        row.oidc_id_token = None
        session.add(row)
