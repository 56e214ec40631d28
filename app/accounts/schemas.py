"""API shapes for accounts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.accounts.models import Role, User


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
