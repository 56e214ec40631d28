"""A version of an indicator catalog, stored as the YAML it was published with."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class VersionStatus(StrEnum):
    """Where a catalog version is in its life."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class CatalogVersion(SQLModel, table=True):
    """One version of one catalog. Published and retired versions never change, so finished
    assessments can always show the texts they were made with."""

    __tablename__ = "catalog_version"
    __table_args__ = (
        sa.UniqueConstraint("catalog_id", "version"),
        sa.CheckConstraint("status IN ('draft', 'published', 'retired')", name="status"),
        sa.Index("ix_catalog_version_status", "status", "catalog_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    catalog_id: str = Field(max_length=40)
    version: int | None = Field(default=None)
    status: str = Field(max_length=20)
    title: str = Field(max_length=200)
    min_age_years: int
    max_age_years: int
    content: str = Field(sa_type=sa.Text)
    content_sha256: str = Field(max_length=64)
    source: str = Field(default="shipped", max_length=20)
    based_on_version: int | None = Field(default=None)
    shipped_version: int | None = Field(default=None)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    published_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: int | None = Field(default=None, foreign_key="user_account.id")
