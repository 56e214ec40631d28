"""API shapes for accounts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.accounts.models import District, Institution, Role, User


class LoginRequest(BaseModel):
    """``POST /api/v1/session``."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class UserRead(BaseModel):
    """A user as the API shows it; ids are null where they do not apply."""

    id: int
    username: str
    display_name: str
    role: Role
    institution_id: int | None
    district_id: int | None

    @classmethod
    def of(cls, user: User) -> UserRead:
        """From a user row."""
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role_enum,
            institution_id=user.institution_id,
            district_id=user.district_id,
        )


class SessionRead(BaseModel):
    """The logged-in user and the CSRF token for unsafe requests."""

    user: UserRead
    csrf_token: str


class ExternalIdUpdate(BaseModel):
    """``PATCH /api/v1/admin/institutions/{id}`` and ``…/districts/{id}``: the organisation
    unit's id in the municipality's directory (the identity provider's claim value); an
    empty string clears it."""

    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(max_length=100)


class DistrictRead(BaseModel):
    """A district with its external id."""

    id: int
    name: str
    external_id: str | None

    @classmethod
    def of(cls, district: District) -> DistrictRead:
        """From a district row."""
        return cls(id=district.id, name=district.name, external_id=district.external_id)


class InstitutionRead(BaseModel):
    """An institution with its district and external id."""

    id: int
    name: str
    kind: str
    district_id: int
    external_id: str | None

    @classmethod
    def of(cls, institution: Institution) -> InstitutionRead:
        """From an institution row."""
        return cls(
            id=institution.id,
            name=institution.name,
            kind=institution.kind,
            district_id=institution.district_id,
            external_id=institution.external_id,
        )


class OrganisationRead(BaseModel):
    """``GET /api/v1/admin/organisation``."""

    districts: list[DistrictRead]
    institutions: list[InstitutionRead]
