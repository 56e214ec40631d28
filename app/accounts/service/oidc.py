"""Sign-in through the identity provider: validated claims → a user (created or updated at
each sign-in) and a session, or a refusal that stores nothing but its audit row.

A user whose claims no longer map (no role, an unknown unit) loses access at that sign-in:
every session of theirs ends, audited. The user row stays (the audit log refers to it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from app import messages
from app.accounts.claims import ClaimConfig, Identity, Refused, map_claims
from app.accounts.models import District, Institution, Role, User, UserSession
from app.accounts.service.login import LoginResult
from app.accounts.service.sessions import (
    LoginPolicy,
    end_session,
    revoke_all_sessions,
    start_session,
)
from app.accounts.service.users import USERNAME_RE, get_by_username, normalize_username
from app.audit import service as audit
from app.audit.tags import AuditTag
from app.db import id_of, utcnow
from app.errors import Forbidden

#: Why a refusal happened beyond what the claims alone say (the audit row's detail).
UNKNOWN_UNIT = "unknown_organisation_unit"
DEACTIVATED = "deactivated"


def get_by_subject(session: Session, *, subject: str) -> User | None:
    """The user the provider knows by ``subject``, if any."""
    return session.exec(select(User).where(User.oidc_subject == subject)).first()


def _unit(session: Session, model: type[Institution] | type[District], external_id: str) -> Any:
    return session.exec(select(model).where(model.external_id == external_id)).first()


def _username(session: Session, identity: Identity) -> str:
    """The claimed user name when it is valid and free, else one derived from the subject
    (never an existing local user's: a provider cannot take over a password account)."""
    wanted = normalize_username(identity.username)
    if USERNAME_RE.match(wanted) and get_by_username(session, username=wanted) is None:
        return wanted
    digest = hashlib.sha256(identity.subject.encode()).hexdigest()
    return f"oidc-{digest[:16]}"


def _refuse(
    session: Session, user: User | None, *, subject: str, reason: str, message: str
) -> LoginResult:
    """Audit the refusal; an existing user's sessions all end (their access is gone)."""
    audit.record(
        session,
        user,
        AuditTag.OIDC_REFUSED,
        object_type="user",
        object_id=user.id if user else None,
        username="" if user else f"oidc:{subject}"[:64],
        detail=reason,
    )
    if user is not None and user.is_active:
        revoke_all_sessions(session, user_id=id_of(user))
        session.flush()
        audit.record(
            session,
            user,
            AuditTag.OIDC_ACCESS_LOST,
            object_type="user",
            object_id=user.id,
            detail=reason,
        )
    return LoginResult(error=Forbidden(message, code="oidc_no_access"))


def _apply(
    user: User, identity: Identity, institution: Institution | None, district: District | None
) -> list[str]:
    """Write the claims' role, unit, name and e-mail on ``user``; what changed, for the log."""
    changes = []
    values = {
        "role": identity.role,
        "institution_id": institution.id if institution else None,
        "district_id": district.id if district else None,
        "display_name": (identity.display_name or user.display_name or user.username)[:150],
        "email": identity.email[:254] if identity.email else user.email,
    }
    for name, value in values.items():
        if getattr(user, name) != value:
            changes.append(name)
            setattr(user, name, value)
    return changes


def oidc_sign_in(
    session: Session,
    *,
    claims: Mapping[str, Any],
    config: ClaimConfig,
    id_token: str,
    client_ip: str,
    user_agent: str,
    policy: LoginPolicy,
    replacing: tuple[User, UserSession] | None = None,
) -> LoginResult:
    """The user of these (validated) claims, created or updated, with a new session; or a
    403 refusal with only its audit row (and, for a known user, their sessions ended)."""
    mapped = map_claims(claims, config)
    subject = mapped.subject
    user = get_by_subject(session, subject=subject) if subject else None
    if isinstance(mapped, Refused):
        return _refuse(
            session, user, subject=subject, reason=mapped.reason, message=messages.OIDC_NO_ACCESS
        )
    institution = district = None
    if mapped.institution_unit is not None:
        institution = _unit(session, Institution, mapped.institution_unit)
        if institution is None or not institution.is_active:
            institution = None
    if mapped.district_unit is not None:
        district = _unit(session, District, mapped.district_unit)
    if (mapped.role in (Role.STAFF, Role.LEADER) and institution is None) or (
        mapped.role == Role.SOCIAL_WORKER and district is None
    ):
        return _refuse(
            session, user, subject=subject, reason=UNKNOWN_UNIT, message=messages.OIDC_NO_ACCESS
        )
    if user is not None and not user.is_active:
        return _refuse(
            session, user, subject=subject, reason=DEACTIVATED, message=messages.OIDC_DEACTIVATED
        )
    created = user is None
    if user is None:
        user = User(
            username=_username(session, mapped),
            display_name="",
            role=mapped.role,
            password_hash="",
            oidc_subject=subject,
        )
    changes = _apply(user, mapped, institution, district)
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    if created:
        audit.record(
            session,
            user,
            AuditTag.USER_OIDC_CREATE,
            object_type="user",
            object_id=user.id,
            detail=f"{user.role} {user.institution_id or user.district_id or ''}".strip(),
        )
    elif {"role", "institution_id", "district_id"} & set(changes):
        audit.record(
            session,
            user,
            AuditTag.USER_OIDC_UPDATE,
            object_type="user",
            object_id=user.id,
            detail=", ".join(changes),
        )
    audit.record(
        session, user, AuditTag.LOGIN, object_type="user", object_id=user.id, detail="oidc"
    )
    if replacing is not None and replacing[1].revoked_at is None:
        end_session(session, replacing[0], replacing[1])
    token, row = start_session(
        session, user, client_ip=client_ip, user_agent=user_agent, policy=policy
    )
    row.oidc_id_token = id_token
    session.add(row)
    session.flush()
    return LoginResult(user=user, token=token, session=row)


def oidc_failed(session: Session, *, reason: str) -> None:
    """Audit a sign-in that failed before any claims were known (wrong state, a replayed
    code, an invalid ID token, the provider's error)."""
    audit.record(session, None, AuditTag.OIDC_FAILED, object_type="user", detail=reason[:200])
