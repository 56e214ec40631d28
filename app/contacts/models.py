"""The named people of an institution or a district whom staff call."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Contact(SQLModel, table=True):
    """One named contact, of an institution or of a district (exactly one of them). Replaced
    as a whole list by an admin; ``position`` keeps the admin's order."""

    __tablename__ = "contact"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('social_worker', 'family_therapist', 'psychologist', 'health_visitor',"
            " 'speech_therapist', 'other')",
            name="role",
        ),
        sa.CheckConstraint(
            "(institution_id IS NOT NULL AND district_id IS NULL)"
            " OR (institution_id IS NULL AND district_id IS NOT NULL)",
            name="one_owner",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int | None = Field(default=None, foreign_key="institution.id", index=True)
    district_id: int | None = Field(default=None, foreign_key="district.id", index=True)
    position: int = Field(default=0)
    role: str = Field(max_length=30)
    name: str = Field(max_length=150)
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=254)
    hours: str = Field(default="", max_length=200)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OfferVersion(SQLModel, table=True):
    """A version of the municipality's offers an admin published (the text of an offers.yaml).
    The newest one is in force; without any, the shipped guide_content/offers.yaml is."""

    __tablename__ = "offer_version"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(sa_column_kwargs={"unique": True})
    yaml: str = Field(sa_type=sa.Text)
    created_by: int = Field(foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
