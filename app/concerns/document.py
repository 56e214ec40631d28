"""A notification as the document the municipality files in its case system: no national
inbound interface exists (DUBU only exposes data outward), so notifications are filed as
documents. ``GET /api/v1/concerns/{id}/document.json`` is :meth:`NotificationDocument.to_json`
and ``document.pdf`` renders the same object (``templates/concerns/document.html``), so the
two cannot drift.

Who may fetch it, and the audit row with the child and the purpose, are
``scope.get_notification_for``'s business (the notifier's institution and the district's
social workers; a consultation is ``404``). The CPR number is masked to the birth date
(``ddmmyy-XXXX``) for everyone: the full number stays behind the audited reveal.
Flushes, never commits."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from cryptography.fernet import MultiFernet
from pydantic import BaseModel
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.catalogs import service as catalogs
from app.concerns import scope
from app.concerns.schemas import ABUSE_RULE, DeadlineRead, Outcome, Urgency
from app.concerns.service import view_of
from app.concerns.workflow import STATUS_LABELS, ConcernStatus
from app.db import utcnow
from app.errors import NotFound

PURPOSES = {
    "pdf": "journalisering (underretning som pdf)",
    "json": "journalisering (underretning som json)",
}
"""The audited purpose of a download, by format: the document is fetched to be filed."""

DEADLINE_LABELS = {
    "assess_by": "Vurderes senest (24 timer efter modtagelsen)",
    "acknowledge_by": "Kvittering til underretteren senest (6 hverdage)",
}
DEADLINE_STATE_LABELS = {
    "open": "Åben",
    "due_soon": "Snart",
    "overdue": "Overskredet",
    "met": "Overholdt",
    "late": "Overholdt for sent",
}


class DocumentChild(BaseModel):
    """The child, as a notification identifies it."""

    name: str
    birth_date: dt.date | None
    cpr_masked: str | None
    """``ddmmyy-XXXX``; None when no CPR number was given (or no configured key opens it)."""
    age_years: int
    parents: str
    interpreter_language: str


class DocumentInstitution(BaseModel):
    """The notifier's institution: its address is the notifier's address."""

    id: int
    name: str
    address: str


class DocumentNotifier(BaseModel):
    """Who notifies, in their own words, and where to reach them."""

    name: str
    role: str
    contact: str
    institution: DocumentInstitution


class DocumentRecipient(BaseModel):
    """Where the notification went."""

    municipality: str
    unit: str
    district_id: int
    district: str


class DocumentCatalog(BaseModel):
    """The catalog version whose indicator texts were ticked."""

    id: str
    version: int
    title: str


class DocumentLevel(BaseModel):
    """The assessment's level."""

    level: int
    name: str


class DocumentSign(BaseModel):
    """One ticked sign, with its text as the catalog version had it."""

    id: str
    text: str
    level: int
    critical: bool
    acute: bool


class DocumentStrength(BaseModel):
    """A level-1 sign: what works well for the child."""

    id: str
    text: str


class DocumentParents(BaseModel):
    """Whether the parents were told of the notification, and why not."""

    informed: bool | None
    note: str
    abuse_rule: bool
    """The result was critical: the parents must not be told before the municipality."""

    @property
    def text(self) -> str:
        """The answer in Danish."""
        if self.abuse_rule:
            return "Nej – mistanke om vold eller seksuelle overgreb"
        return "Ja" if self.informed else "Nej"


class DocumentDeadline(DeadlineRead):
    """A legal deadline with its Danish label, as the document prints it."""

    label: str

    @property
    def state_label(self) -> str:
        """The state in Danish."""
        return DEADLINE_STATE_LABELS[self.state]


class DocumentHandling(BaseModel):
    """How far the municipality's handling has come (no internal notes)."""

    status: ConcernStatus
    acknowledged_at: dt.datetime | None
    assessed_at: dt.datetime | None
    outcome: Outcome | None
    closed_at: dt.datetime | None

    @property
    def status_label(self) -> str:
        """The status in Danish."""
        return STATUS_LABELS[self.status]


class NotificationDocument(BaseModel):
    """Everything the filed document holds, in its order."""

    kind: Literal["notification"] = "notification"
    id: int
    generated_at: dt.datetime
    received_at: dt.datetime
    recipient: DocumentRecipient
    urgency: Urgency
    critical: bool
    acute: bool
    level: DocumentLevel
    child: DocumentChild
    notifier: DocumentNotifier
    catalog: DocumentCatalog | None
    observed_indicators: list[DocumentSign]
    """The signs of concern (level 2 and above)."""
    strengths: list[DocumentStrength]
    message: str
    done_so_far: str
    parents: DocumentParents
    deadlines: dict[str, DocumentDeadline]
    handling: DocumentHandling

    @property
    def filename_stem(self) -> str:
        """``underretning-<id>``: no personal data in a file name."""
        return f"underretning-{self.id}"

    @property
    def abuse_rule_text(self) -> str:
        """Why the parents were not told when the abuse rule applies."""
        return ABUSE_RULE

    def to_json(self) -> dict[str, Any]:
        """The JSON answer of ``GET /api/v1/concerns/{id}/document.json``."""
        return self.model_dump(mode="json")


def _catalog(session: Session, ids: tuple[str, int] | None) -> DocumentCatalog | None:
    if ids is None:  # pragma: no cover - the foreign key keeps the assessment
        return None
    catalog_id, version = ids
    try:
        title = catalogs.get_version(session, catalog_id=catalog_id, version=version).title
    except NotFound:  # pragma: no cover - published and retired versions are never deleted
        title = ""
    return DocumentCatalog(id=catalog_id, version=version, title=title)


def _level_name(level: int) -> str:
    return next((d.name for d in catalogs.levels().levels if d.level == level), str(level))


def notification_document(
    session: Session,
    actor: User,
    *,
    concern_id: int,
    file_format: str,
    municipality: str,
    unit: str,
    cipher: MultiFernet | None = None,
    now: dt.datetime | None = None,
) -> NotificationDocument:
    """The document of one notification for its institution's staff and leaders and its
    district's social workers (anyone else, and any consultation: NotFound); the download is
    audited with the child and the purpose of ``file_format`` ("pdf" or "json")."""
    concern = scope.get_notification_for(
        session, actor, concern_id=concern_id, purpose=PURPOSES[file_format]
    )
    now = now or utcnow()
    view = view_of(session, concern, actor, cipher=cipher, now=now)
    details = view.details
    if details is None:  # pragma: no cover - a notification always has its details
        raise NotFound("Underretningen findes ikke.")
    institution = accounts.get_institution(session, institution_id=concern.institution_id)
    district = accounts.get_district(session, district_id=concern.district_id)
    signs = [s for s in view.observed if s.level >= 2]
    return NotificationDocument(
        id=concern.id or 0,
        generated_at=now,
        received_at=concern.created_at,
        recipient=DocumentRecipient(
            municipality=municipality,
            unit=unit,
            district_id=concern.district_id,
            district=district.name,
        ),
        urgency=details.urgency,
        critical=concern.critical,
        acute=any(s.acute for s in view.observed),
        level=DocumentLevel(level=concern.level, name=_level_name(concern.level)),
        child=DocumentChild(
            name=concern.child_name or "",
            birth_date=concern.child_birth_date,
            cpr_masked=view.cpr_masked,
            age_years=concern.age_years,
            parents=details.parents,
            interpreter_language=details.interpreter_language,
        ),
        notifier=DocumentNotifier(
            name=details.notifier_name,
            role=details.notifier_role,
            contact=details.notifier_contact,
            institution=DocumentInstitution(
                id=concern.institution_id, name=institution.name, address=institution.address
            ),
        ),
        catalog=_catalog(session, scope.catalog_of(session, concern)),
        observed_indicators=[
            DocumentSign(id=s.id, text=s.text, level=s.level, critical=s.critical, acute=s.acute)
            for s in signs
        ],
        strengths=[DocumentStrength(id=s.id, text=s.text) for s in view.observed if s.level == 1],
        message=concern.message,
        done_so_far=details.done_so_far,
        parents=DocumentParents(
            informed=concern.parents_informed,
            note=concern.parents_note,
            abuse_rule=concern.critical,
        ),
        deadlines={
            name: DocumentDeadline(
                label=DEADLINE_LABELS[name],
                due=d.due,
                met=d.met(now),
                state=d.state(now).value,
            )
            for name, d in view.deadlines.items()
        },
        handling=DocumentHandling(
            status=view.status,
            acknowledged_at=concern.acknowledged_at,
            assessed_at=concern.assessed_at,
            outcome=view.outcome,
            closed_at=concern.closed_at,
        ),
    )
