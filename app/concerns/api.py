"""JSON API: ``/api/v1/concerns`` (consultations and notifications) and parent dialogues."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import Response

from app.accounts.models import Role, User
from app.concerns import document, export, pdf, scope, service
from app.concerns.models import Concern
from app.concerns.schemas import (
    ConcernCreate,
    ConcernRead,
    CprRead,
    CprReveal,
    DialogueCreate,
    DialogueRead,
    TransitionCreate,
)
from app.concerns.workflow import ConcernKind
from app.web.deps import DB, StaffOrLeader, get_settings, require_role
from app.web.idempotency import IdempotencyKey, idempotent_json
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["concerns"])

CaseWorker = Annotated[User, Depends(require_role(Role.STAFF, Role.LEADER, Role.SOCIAL_WORKER))]
SocialWorker = Annotated[User, Depends(require_role(Role.SOCIAL_WORKER))]
#: The concern's version the client saw (its ``ETag``), docs/api-extensions.md.
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=40)]


def _read(request: Request, db: DB, concern: Concern, user: User) -> dict[str, object]:
    """The concern as the caller may see it (the service's view, api.md's shape)."""
    view = service.view_of(db, concern, user, cipher=request.app.state.cpr_cipher)
    return ConcernRead.of(view).to_json()


@router.post(
    "/concerns",
    name="api:concerns_create",
    status_code=201,
    response_model=ConcernRead,
    response_model_exclude_unset=True,
)
def create_concern(
    request: Request,
    db: DB,
    user: StaffOrLeader,
    body: ConcernCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Send a consultation (anonymous) or a notification (named) about a finished assessment."""

    def create() -> tuple[int, dict[str, Any]]:
        if body.kind is ConcernKind.CONSULTATION:
            concern = service.submit_consultation(
                db, user, assessment_id=body.assessment_id, message=body.message
            )
        else:
            concern = service.submit_notification(
                db,
                user,
                assessment_id=body.assessment_id,
                data=service.NotificationInput(
                    message=body.message,
                    parents_informed=body.parents_informed,
                    parents_note=body.parents_note,
                    cpr=body.cpr,
                    details=body.details,
                    confirmed=body.confirm,
                ),
                cipher=request.app.state.cpr_cipher,
            )
        return 201, _read(request, db, concern, user)

    return idempotent_json(request, db, user, key=idempotency_key, body=body, create=create)


@router.get(
    "/concerns",
    name="api:concerns_list",
    response_model=list[ConcernRead],
    response_model_exclude_unset=True,
)
def list_concerns(request: Request, db: DB, user: CaseWorker) -> list[dict[str, object]]:
    """Social workers: the district's concerns, most urgent first. Staff and leaders: what
    their institution submitted, newest first."""
    return [_read(request, db, c, user) for c in service.list_for(db, user)]


@router.get(
    "/concerns/{concern_id}",
    name="api:concerns_read",
    response_model=ConcernRead,
    response_model_exclude_unset=True,
)
def read_concern(
    request: Request, response: Response, db: DB, user: CaseWorker, concern_id: int
) -> dict[str, object]:
    """One concern (404 outside the caller's district or institution); its ``ETag`` is the
    version a step may name in ``If-Match``."""
    concern = scope.get_concern_for(db, user, concern_id=concern_id)
    response.headers["ETag"] = service.etag_of(concern)
    return _read(request, db, concern, user)


@router.post(
    "/concerns/{concern_id}/take",
    name="api:concerns_take",
    response_model=ConcernRead,
    response_model_exclude_unset=True,
)
def take_concern(
    request: Request,
    response: Response,
    db: DB,
    user: SocialWorker,
    concern_id: int,
    if_match: IfMatch = None,
) -> dict[str, object]:
    """A social worker of the district takes the concern (``assigned_to`` becomes them);
    ``409 concern_changed`` when it changed since ``If-Match`` or another took it at once."""
    concern = service.take(
        db, user, concern_id=concern_id, expected_version=service.parse_version(if_match)
    )
    response.headers["ETag"] = service.etag_of(concern)
    return _read(request, db, concern, user)


@router.post(
    "/concerns/{concern_id}/transitions",
    name="api:concerns_transition",
    response_model=ConcernRead,
    response_model_exclude_unset=True,
)
def transition_concern(
    request: Request,
    response: Response,
    db: DB,
    user: SocialWorker,
    concern_id: int,
    body: TransitionCreate,
    if_match: IfMatch = None,
) -> dict[str, object]:
    """The next step of the workflow; an illegal step is 409, and so is a step on a concern
    that changed since ``If-Match`` or that another social worker moved at the same time
    (``concern_changed``)."""
    concern = service.move(
        db,
        user,
        concern_id=concern_id,
        to=body.to,
        note=body.note,
        outcome=body.outcome,
        feedback=body.feedback,
        expected_version=service.parse_version(if_match),
    )
    response.headers["ETag"] = service.etag_of(concern)
    return _read(request, db, concern, user)


def _document(
    request: Request, db: DB, user: User, concern_id: int, file_format: str
) -> document.NotificationDocument:
    settings = get_settings(request)
    return document.notification_document(
        db,
        user,
        concern_id=concern_id,
        file_format=file_format,
        municipality=settings.municipality_name,
        unit=settings.children_family_unit_name,
        cipher=request.app.state.cpr_cipher,
    )


def _download_headers(filename: str) -> dict[str, str]:
    """A file with personal data: saved, never cached; its name holds no personal data."""
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }


@router.get(
    "/concerns/{concern_id}/document.pdf",
    name="api:concerns_document_pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "PDF/A-3b"}},
)
def notification_document_pdf(
    request: Request, db: DB, user: CaseWorker, concern_id: int
) -> Response:
    """The notification as the document the municipality's case system files (PDF/A-3b):
    the notifier's institution and the district's social workers; a consultation, or anyone
    else, ``404``. Audited with the child and the purpose. Rendered in the threadpool."""
    doc = _document(request, db, user, concern_id, "pdf")
    body = pdf.render_pdf(request.app.state.templates.env, doc)
    return Response(
        body,
        media_type="application/pdf",
        headers=_download_headers(f"{doc.filename_stem}.pdf"),
    )


@router.get(
    "/concerns/{concern_id}/document.json",
    name="api:concerns_document_json",
    response_model=document.NotificationDocument,
)
def notification_document_json(
    request: Request, response: Response, db: DB, user: CaseWorker, concern_id: int
) -> dict[str, Any]:
    """The same document as JSON (docs/api-extensions.md names its fields)."""
    doc = _document(request, db, user, concern_id, "json")
    response.headers.update(_download_headers(f"{doc.filename_stem}.json"))
    return doc.to_json()


@router.post("/concerns/{concern_id}/cpr", name="api:concerns_reveal_cpr", response_model=CprRead)
def reveal_cpr(
    request: Request, db: DB, user: SocialWorker, concern_id: int, body: CprReveal
) -> CprRead:
    """The full CPR number of a notification, for the district's social workers; the read is
    audited with its purpose. Everyone else only ever gets ``cpr_masked``."""
    number = service.reveal_cpr(
        db, user, concern_id=concern_id, purpose=body.purpose, cipher=request.app.state.cpr_cipher
    )
    return CprRead(cpr=number)


@router.post(
    "/assessments/{assessment_id}/dialogues",
    name="api:dialogues_create",
    status_code=201,
    response_model=DialogueRead,
)
def create_dialogue(
    db: DB, user: StaffOrLeader, assessment_id: int, body: DialogueCreate
) -> DialogueRead:
    """Record a dialogue meeting with the parents (409 on a critical assessment)."""
    dialogue = service.record_dialogue(
        db,
        user,
        assessment_id=assessment_id,
        held_on=body.held_on,
        participants=body.participants,
        agreed=body.agreed,
        follow_up_on=body.follow_up_on,
    )
    return DialogueRead.of(dialogue)


ExportCaller = Annotated[User, Depends(require_role(Role.LEADER, Role.ADMIN))]


@router.get("/children/{child_id}/export", name="api:children_export")
def export_child(request: Request, db: DB, user: ExportCaller, child_id: int) -> dict[str, Any]:
    """Everything stored about the child, for a request of access (GDPR art. 15): the
    institution's leader (another institution's child ``404``) and admins (any child); staff
    ``403``. Audited with the purpose "indsigt (art. 15)"."""
    return export.export_child(
        db, user, child_id=child_id, cipher=request.app.state.cpr_cipher
    ).to_json()
