"""What the admin pages for users and for the organisation share: the choices of the forms."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session

from app.accounts import service
from app.accounts.models import ROLE_LABELS, InstitutionKind, Role

_ID_RE = re.compile(r"[0-9]{1,12}", re.ASCII)


def org_context(db: Session) -> dict[str, Any]:
    """Districts, institutions, roles and kinds for the admin forms."""
    districts = service.list_districts(db)
    return {
        "districts": districts,
        "district_options": [(district.id, district.name) for district in districts],
        "institutions": service.list_institutions(db),
        "roles": [(role.value, ROLE_LABELS[role]) for role in Role],
        "kinds": [(kind.value, kind.label) for kind in InstitutionKind],
    }


def optional_int(value: str) -> int | None:
    """A form's id field: ASCII digits only (``"²".isdigit()`` is true), else None."""
    value = value.strip()
    return int(value) if _ID_RE.fullmatch(value) else None
