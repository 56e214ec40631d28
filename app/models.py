"""Imports every domain's models: the one metadata Alembic and the tests use."""

from sqlmodel import SQLModel

from app.accounts.models import District, Institution, LoginAttempt, User, UserSession
from app.audit.models import AuditEvent

metadata = SQLModel.metadata

__all__ = [
    "AuditEvent",
    "District",
    "Institution",
    "LoginAttempt",
    "User",
    "UserSession",
    "metadata",
]
