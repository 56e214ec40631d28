"""Shapes of contacts: what an admin sends (api.md's PUT body), what every page and the
API show (:class:`ContactEntry`, with the scope it comes from)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.contacts.directory import ContactRole
from app.fields import Id
from app.guide.offers import Offer
from app.phones import phone_display, tel_href

NAME_MAX = 150
EMAIL_MAX = 254
HOURS_MAX = 200
MAX_CONTACTS = 30


class ContactScope(StrEnum):
    """Where a contact comes from, in the order they are listed."""

    INSTITUTION = "institution"
    DISTRICT = "district"
    MUNICIPALITY = "municipality"


@dataclass(frozen=True)
class ContactInput:
    """One contact as an admin typed it (the API's body or a row of the form)."""

    role: str
    name: str
    phone: str = ""
    email: str = ""
    hours: str = ""
    user_id: int | None = None


@dataclass(frozen=True)
class ContactEntry:
    """One person or number to call, ready for a page or the API."""

    role: ContactRole
    name: str
    phone: str
    email: str
    hours: str
    user_id: int | None
    scope: ContactScope

    @property
    def role_label(self) -> str:
        """The Danish name of the role."""
        return self.role.label

    @property
    def phone_shown(self) -> str:
        """The number as Danes write it (``70 11 22 33``)."""
        return phone_display(self.phone)

    @property
    def tel(self) -> str:
        """The ``tel:`` link (E.164)."""
        return tel_href(self.phone)

    def as_data(self) -> dict[str, str | int | None]:
        """As the offline guide data carries it (static/js/summary.js renders it as
        templates/_macros/contacts.html does): no child data, only whom to call."""
        return {
            "role": self.role.value,
            "role_label": self.role_label,
            "name": self.name,
            "phone": self.phone,
            "phone_shown": self.phone_shown,
            "tel": self.tel,
            "email": self.email,
            "hours": self.hours,
            "scope": self.scope.value,
        }


class ContactCreate(BaseModel):
    """One contact in ``PUT /api/v1/admin/institutions/{id}/contacts``."""

    model_config = ConfigDict(extra="forbid")

    role: ContactRole
    name: str = Field(max_length=NAME_MAX * 2)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=EMAIL_MAX * 2)
    hours: str | None = Field(default=None, max_length=HOURS_MAX * 2)
    user_id: Id | None = None

    def to_input(self) -> ContactInput:
        """As the service takes it."""
        return ContactInput(
            role=self.role.value,
            name=self.name,
            phone=self.phone or "",
            email=self.email or "",
            hours=self.hours or "",
            user_id=self.user_id,
        )


class ContactsUpdate(BaseModel):
    """The body of the PUT: the whole list, replacing what was there."""

    model_config = ConfigDict(extra="forbid")

    contacts: list[ContactCreate] = Field(max_length=MAX_CONTACTS)


class ContactRead(BaseModel):
    """A contact as ``GET /api/v1/institutions/{id}/contacts`` answers it."""

    role: ContactRole
    name: str
    phone: str | None
    email: str | None
    hours: str | None
    user_id: int | None
    scope: ContactScope

    @classmethod
    def of(cls, entry: ContactEntry) -> ContactRead:
        """From an entry; empty texts are null."""
        return cls(
            role=entry.role,
            name=entry.name,
            phone=entry.phone or None,
            email=entry.email or None,
            hours=entry.hours or None,
            user_id=entry.user_id,
            scope=entry.scope,
        )


class OfferRead(BaseModel):
    """One of the municipality's offers as ``GET /api/v1/offers`` answers it."""

    id: str
    title: str
    description: str
    levels: list[int]
    who_can_refer: str
    contact: str
    how: str
    legal_basis: str | None

    @classmethod
    def of(cls, offer: Offer) -> OfferRead:
        """From the offers file's model."""
        return cls(
            id=offer.id,
            title=offer.title,
            description=offer.description,
            levels=list(offer.levels),
            who_can_refer=offer.who_can_refer,
            contact=offer.contact,
            how=offer.how,
            legal_basis=offer.legal_basis,
        )
