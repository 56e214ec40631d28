"""Imports every domain's models: the one metadata Alembic and the tests use."""

from sqlmodel import SQLModel

from app.accounts.models import District, Institution, LoginAttempt, User, UserSession
from app.assessments.models import Assessment, FocusPoint, ParentContact
from app.audit.models import AuditEvent, AuditRetentionGate
from app.catalogs.models import CatalogVersion
from app.children.models import Child
from app.concerns.models import Concern, ConcernEvent, ParentDialogue
from app.contacts.models import Contact, OfferVersion
from app.handovers.models import Handover
from app.idempotency import IdempotentRequest
from app.joint.models import JointAssessment, JointParticipant
from app.meetings.models import Meeting
from app.rounds.models import Group, GroupChild, GroupStaff, Round, RoundGroup

metadata = SQLModel.metadata

__all__ = [
    "Assessment",
    "AuditEvent",
    "AuditRetentionGate",
    "CatalogVersion",
    "Child",
    "Concern",
    "ConcernEvent",
    "Contact",
    "District",
    "FocusPoint",
    "Group",
    "GroupChild",
    "GroupStaff",
    "Handover",
    "IdempotentRequest",
    "Institution",
    "JointAssessment",
    "JointParticipant",
    "LoginAttempt",
    "Meeting",
    "OfferVersion",
    "ParentContact",
    "ParentDialogue",
    "Round",
    "RoundGroup",
    "User",
    "UserSession",
    "metadata",
]
