"""JSON API: whom to call (api.md "Who to call, the municipality's offers …")."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from app.contacts import service
from app.contacts.schemas import ContactRead, ContactsUpdate, OfferRead
from app.web.deps import DB, AdminUser, AnyUser, get_settings
from app.web.routing import make_router

router = make_router(prefix="/api/v1", tags=["contacts"])


@router.put(
    "/admin/institutions/{institution_id}/contacts",
    name="api:institution_contacts_replace",
    response_model=list[ContactRead],
)
def replace_institution_contacts(
    request: Request, db: DB, admin: AdminUser, institution_id: int, body: ContactsUpdate
) -> list[ContactRead]:
    """Replace the institution's named contacts (admins); answers the list as GET does."""
    service.replace_institution_contacts(
        db, admin, institution_id=institution_id, contacts=[c.to_input() for c in body.contacts]
    )
    entries = service.list_for_institution(
        db, admin, institution_id=institution_id, settings=get_settings(request)
    )
    return [ContactRead.of(entry) for entry in entries]


@router.put(
    "/admin/districts/{district_id}/contacts",
    name="api:district_contacts_replace",
    response_model=list[ContactRead],
)
def replace_district_contacts(
    db: DB, admin: AdminUser, district_id: int, body: ContactsUpdate
) -> list[ContactRead]:
    """Replace the district's contacts (admins), shown to its institutions after their own."""
    entries = service.replace_district_contacts(
        db, admin, district_id=district_id, contacts=[c.to_input() for c in body.contacts]
    )
    return [ContactRead.of(entry) for entry in entries]


@router.get(
    "/institutions/{institution_id}/contacts",
    name="api:institution_contacts",
    response_model=list[ContactRead],
)
def institution_contacts(
    request: Request, db: DB, user: AnyUser, institution_id: int
) -> list[ContactRead]:
    """The institution's contacts, then its district's, then the municipality's. Staff and
    leaders of the institution, social workers of its district, admins; anyone else 404."""
    entries = service.list_for_institution(
        db, user, institution_id=institution_id, settings=get_settings(request)
    )
    return [ContactRead.of(entry) for entry in entries]


@router.get("/offers", name="api:offers_list", response_model=list[OfferRead])
def list_offers(
    db: DB, user: AnyUser, level: Annotated[int | None, Query(ge=1, le=4)] = None
) -> list[OfferRead]:
    """The municipality's offers (the admins' published version, else
    guide_content/offers.yaml), in the ladder's order;
    ``?level=N`` keeps those for level N. Any logged-in user."""
    return [OfferRead.of(offer) for offer in service.offers(db, level=level)]
