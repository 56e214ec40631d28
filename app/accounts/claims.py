"""PURE: an identity provider's claims → our role and organisation unit, or a refusal.

No web, database or other ``app`` import: the OIDC service and the tests call it with plain
data. The provider (usually a broker in front of KOMBIT's Context Handler) sends a role
claim (a string or a list of strings) and the organisation unit's id in an institution or
district claim; the values are matched against the external ids the admins set.

One user has one role here: when the claims name several, the most powerful one whose
organisation unit is present wins (admin, leader, social worker, staff).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

#: Our roles, most powerful first (the values of ``accounts.models.Role``).
ROLE_ORDER = ("admin", "leader", "social_worker", "staff")
#: The roles that belong to an institution, and the one that belongs to a district.
INSTITUTION_ROLES = frozenset({"leader", "staff"})
DISTRICT_ROLES = frozenset({"social_worker"})


class Refusal(StrEnum):
    """Why claims give no access; the value is the stable key in the audit row."""

    NO_SUBJECT = "no_subject"
    NO_ROLE = "no_mapped_role"
    NO_UNIT = "no_organisation_unit"
    AMBIGUOUS_UNIT = "ambiguous_organisation_unit"


@dataclass(frozen=True)
class ClaimConfig:
    """Which claims to read and how their values map to our roles."""

    role_claim: str = "roles"
    institution_claim: str = "institution"
    district_claim: str = "district"
    username_claim: str = "preferred_username"
    name_claim: str = "name"
    email_claim: str = "email"
    #: claim value → our role; without entries, the values are our role names themselves.
    role_mapping: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Identity:
    """Who signed in, as the claims say it (the organisation unit still to be matched)."""

    subject: str
    role: str
    institution_unit: str | None
    district_unit: str | None
    username: str
    display_name: str
    email: str


@dataclass(frozen=True)
class Refused:
    """No access, and why."""

    subject: str
    reason: Refusal


def parse_role_mapping(text: str) -> dict[str, str]:
    """``"value=role, value=role"`` → a dict; ValueError naming a bad entry or role.

    A value may hold anything but ``=`` and ``,`` (URNs and UUIDs do not), so a KOMBIT
    job-function role's URN maps as ``urn:…:paedagog=staff``."""
    mapping: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        value, sep, role = item.partition("=")
        value, role = value.strip(), role.strip()
        if not sep or not value or role not in ROLE_ORDER:
            raise ValueError(f"not a 'claim value=role' pair with a known role: {item.strip()!r}")
        mapping[value] = role
    return mapping


def claim_values(claims: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """A claim as a tuple of non-empty strings: a string is one value, a list many; anything
    else (a number, a missing claim, a dict) none."""
    raw = claims.get(name)
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        return ()
    return tuple(dict.fromkeys(v.strip() for v in raw if isinstance(v, str) and v.strip()))


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def _one_unit(values: tuple[str, ...]) -> str | Refusal | None:
    if len(values) > 1:
        return Refusal.AMBIGUOUS_UNIT
    return values[0] if values else None


def map_claims(claims: Mapping[str, Any], config: ClaimConfig) -> Identity | Refused:
    """The identity the claims give, or why they give none.

    A role needs its organisation unit: leader and staff an institution claim, a social
    worker a district claim, an admin none. Several values in the unit's claim are refused
    (the user would belong to more than one place)."""
    subject = _text(claims, "sub")
    if not subject:
        return Refused(subject="", reason=Refusal.NO_SUBJECT)
    mapping = config.role_mapping or {role: role for role in ROLE_ORDER}
    roles = {mapping[v] for v in claim_values(claims, config.role_claim) if v in mapping}
    if not roles:
        return Refused(subject=subject, reason=Refusal.NO_ROLE)
    institution = _one_unit(claim_values(claims, config.institution_claim))
    district = _one_unit(claim_values(claims, config.district_claim))
    refusal = Refusal.NO_UNIT
    for role in ROLE_ORDER:
        if role not in roles:
            continue
        unit: str | None = None
        if role in INSTITUTION_ROLES or role in DISTRICT_ROLES:
            found = institution if role in INSTITUTION_ROLES else district
            if isinstance(found, Refusal):
                refusal = found
                continue
            if found is None:
                continue
            unit = found
        return Identity(
            subject=subject,
            role=role,
            institution_unit=unit if role in INSTITUTION_ROLES else None,
            district_unit=unit if role in DISTRICT_ROLES else None,
            username=_text(claims, config.username_claim),
            display_name=_text(claims, config.name_claim),
            email=_text(claims, config.email_claim),
        )
    return Refused(subject=subject, reason=refusal)
