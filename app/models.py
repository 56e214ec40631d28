"""Imports every domain's models: the one metadata Alembic and the tests use."""

from sqlmodel import SQLModel

from app.accounts.models import District, Institution, LoginAttempt, User, UserSession
from app.assessments.models import Assessment, FocusPoint, ParentContact
from app.audit.models import AuditEvent
from app.catalogs.models import CatalogVersion
from app.children.models import Child
from app.concerns.models import Concern, ConcernEvent, ParentDialogue
from app.idempotency import IdempotentRequest

metadata = SQLModel.metadata

__all__ = [
    "Assessment",
    "AuditEvent",
    "CatalogVersion",
    "Child",
    "Concern",
    "ConcernEvent",
    "District",
    "FocusPoint",
    "IdempotentRequest",
    "Institution",
    "LoginAttempt",
    "ParentContact",
    "ParentDialogue",
    "User",
    "UserSession",
    "metadata",
]
