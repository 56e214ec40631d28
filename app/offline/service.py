"""The offline service: what a tablet needs to work without a network, and the sync of what
it captured there.

- ``device_credentials``: the caller's key for their unsent work on the device.
- ``guide_index``: the levels and the published catalogs for the ages of the user's
  institution (what the service worker caches; guidance, never personal data).
- ``catalog``: one catalog version in the shape static/guide-engine.js evaluates.
- ``sync``: a draft's state as captured on the device and, when it was finished there, the
  finishing, with the questionnaire's own rules (app.assessments.service).
The Idempotency-Key that makes a sync safe to send again is ``app.idempotency``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import InstitutionKind, Role, User
from app.assessments import service as assessments
from app.catalogs import service as catalogs
from app.contacts import service as contacts
from app.guide.schema import ActionKey
from app.offline import device_keys
from app.offline.guide_data import catalog_data, levels_data
from app.offline.schemas import OfflineSync
from app.settings import Settings

AGES_BY_KIND = {InstitutionKind.DAYCARE: range(0, 6), InstitutionKind.SCHOOL: range(6, 18)}
"""The ages whose catalogs a tablet of each kind of institution keeps for offline use."""


def ages_of(db: Session, user: User) -> range:
    """The ages of the children whose assessments the user may capture (none: not staff)."""
    if user.role_enum not in (Role.STAFF, Role.LEADER) or user.institution_id is None:
        return range(0)
    institution = accounts.get_institution(db, institution_id=user.institution_id)
    return AGES_BY_KIND[InstitutionKind(institution.kind)]


def device_credentials(secret: str, user: User) -> dict[str, str]:
    """``{"owner", "key"}`` of the user's unsent work on a device."""
    return device_keys.credentials(secret, user_id=user.id)


def calls_of(db: Session, user: User, settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Whom to call beside each action, for the user's institution (staff and leaders; none
    for anyone else): the contacts travel with the cached guide, so the offline summary names
    them too. Names and numbers of professionals only, never a child's data."""
    if user.role_enum not in (Role.STAFF, Role.LEADER) or user.institution_id is None:
        return {}
    institution = accounts.get_institution(db, institution_id=user.institution_id)
    entries = contacts.contacts_of(db, institution, settings)
    by_action = contacts.calls_by_action(entries, [key.value for key in ActionKey])
    return {key: [entry.as_data() for entry in found] for key, found in by_action.items()}


def guide_index(
    db: Session,
    user: User,
    *,
    version: str,
    catalog_url: Callable[[str, int | None], str],
    settings: Settings,
) -> dict[str, Any]:
    """The levels and the published catalogs a tablet of the user's institution caches, and
    whom to call (``calls``, by action); ``catalog_url(id, version)`` names where each
    catalog version is fetched."""
    ages = ages_of(db, user)
    return {
        "version": version,
        "levels": levels_data(catalogs.levels()),
        "calls": calls_of(db, user, settings),
        "catalogs": [
            {
                "id": row.catalog_id,
                "version": row.version,
                "title": row.title,
                "min_age_years": row.min_age_years,
                "max_age_years": row.max_age_years,
                "url": catalog_url(row.catalog_id, row.version),
            }
            for row in catalogs.published_versions(db)
            if any(row.min_age_years <= age <= row.max_age_years for age in ages)
        ],
    }


def catalog(db: Session, *, catalog_id: str, version: int) -> dict[str, Any]:
    """One published or retired catalog version as the browser's engine reads it."""
    return catalog_data(catalogs.get_version(db, catalog_id=catalog_id, version=version))


def sync(
    db: Session, user: User, *, assessment_id: int, body: OfflineSync
) -> assessments.AssessmentState:
    """Save the draft as captured on the device and, when it was finished there, finish it
    with the same rules as the questionnaire (an override needs its reason, a critical sign
    level 4)."""
    state = assessments.save_draft(
        db,
        user,
        assessment_id=assessment_id,
        observed=list(body.observed),
        notes=body.notes,
        resources=body.resources,
    )
    if body.finish is None:
        return state
    return assessments.finish(
        db,
        user,
        assessment_id=assessment_id,
        level=body.finish.level,
        reason=body.finish.reason,
        follow_up_on=body.finish.follow_up_on,
        focus_points=assessments.focus_point_inputs(body.finish.focus_points),
        parents=assessments.parents_input(body.finish.parents),
    )
