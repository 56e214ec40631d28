"""Organisation and people: districts, institutions, users, sessions, login attempts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Role(StrEnum):
    """What a user is; decides which pages and data they reach."""

    STAFF = "staff"
    LEADER = "leader"
    SOCIAL_WORKER = "social_worker"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The Danish name of the role."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.STAFF: "Medarbejder",
    Role.LEADER: "Leder",
    Role.SOCIAL_WORKER: "Socialrådgiver",
    Role.ADMIN: "Administrator",
}


class InstitutionKind(StrEnum):
    """Daycare (dagtilbud) or school."""

    DAYCARE = "daycare"
    SCHOOL = "school"

    @property
    def label(self) -> str:
        """The Danish name of the kind."""
        return "Dagtilbud" if self is InstitutionKind.DAYCARE else "Skole"


class District(SQLModel, table=True):
    """A part of the municipality; its social workers cover its institutions."""

    __tablename__ = "district"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, sa_column_kwargs={"unique": True})
    #: The organisation unit's id in the municipality's directory (e.g. its UUID), matched
    #: against the identity provider's district claim; set by admins.
    external_id: str | None = Field(default=None, max_length=100, sa_column_kwargs={"unique": True})
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Institution(SQLModel, table=True):
    """A daycare or school in one district."""

    __tablename__ = "institution"
    __table_args__ = (sa.CheckConstraint("kind IN ('daycare', 'school')", name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=150, sa_column_kwargs={"unique": True})
    kind: str = Field(max_length=20)
    district_id: int = Field(foreign_key="district.id", index=True)
    address: str = Field(default="", max_length=300)
    is_active: bool = Field(default=True)
    #: The organisation unit's id (e.g. its UUID), matched against the institution claim.
    external_id: str | None = Field(default=None, max_length=100, sa_column_kwargs={"unique": True})
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class User(SQLModel, table=True):
    """A person who logs in. Never deleted: deactivated, so the audit log stays whole."""

    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("role IN ('staff', 'leader', 'social_worker', 'admin')", name="role"),
        sa.CheckConstraint(
            "(role IN ('staff', 'leader') AND institution_id IS NOT NULL AND district_id IS NULL)"
            " OR (role = 'social_worker' AND district_id IS NOT NULL AND institution_id IS NULL)"
            " OR (role = 'admin' AND institution_id IS NULL AND district_id IS NULL)",
            name="role_membership",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    display_name: str = Field(max_length=150)
    email: str = Field(default="", max_length=254)
    role: str = Field(max_length=20)
    institution_id: int | None = Field(default=None, foreign_key="institution.id", index=True)
    district_id: int | None = Field(default=None, foreign_key="district.id", index=True)
    #: Empty for a user who signs in through the identity provider: no local password.
    password_hash: str = Field(max_length=255)
    #: The identity provider's ``sub`` (``issuer`` + subject is unique; one issuer per app).
    oidc_subject: str | None = Field(
        default=None, max_length=255, sa_column_kwargs={"unique": True}
    )
    is_active: bool = Field(default=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deactivated_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def role_enum(self) -> Role:
        """The role as an enum."""
        return Role(self.role)

    @property
    def has_password(self) -> bool:
        """False for a user of the identity provider, who has no local password."""
        return bool(self.password_hash)


class UserSession(SQLModel, table=True):
    """A login. The cookie holds a signed random token; only its SHA-256 is stored."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    user_id: int = Field(foreign_key="user_account.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    client_ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    #: The provider's ID token of an OIDC sign-in, kept only while the session lives: the
    #: ``id_token_hint`` of the RP-initiated logout. Cleared when the session ends.
    oidc_id_token: str | None = Field(default=None, sa_type=sa.Text)


class LoginAttempt(SQLModel, table=True):
    """One login attempt, kept for throttling repeated failures."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_username_at", "username", "at"),
        sa.Index("ix_login_attempt_client_ip_at", "client_ip", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    client_ip: str = Field(max_length=64)
    succeeded: bool
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
