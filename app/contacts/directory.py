"""PURE: the roles of the people staff call and which roles help with which recommended
action (the phone numbers are :mod:`app.phones`).

No web, database or template library: the views, the service and the tests call it with
plain data."""

from __future__ import annotations

from enum import StrEnum


class ContactRole(StrEnum):
    """What a named contact does (api.md's ``role``)."""

    SOCIAL_WORKER = "social_worker"
    FAMILY_THERAPIST = "family_therapist"
    PSYCHOLOGIST = "psychologist"
    HEALTH_VISITOR = "health_visitor"
    SPEECH_THERAPIST = "speech_therapist"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The Danish name of the role."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    ContactRole.SOCIAL_WORKER: "Forebyggende socialrådgiver",
    ContactRole.FAMILY_THERAPIST: "Familiebehandler",
    ContactRole.PSYCHOLOGIST: "PPR-psykolog",
    ContactRole.HEALTH_VISITOR: "Sundhedsplejerske",
    ContactRole.SPEECH_THERAPIST: "Tale-høre-konsulent",
    ContactRole.OTHER: "Anden kontakt",
}

ACTION_ROLES: dict[str, tuple[ContactRole, ...]] = {
    "continue_universal": (
        ContactRole.PSYCHOLOGIST,
        ContactRole.SPEECH_THERAPIST,
        ContactRole.HEALTH_VISITOR,
        ContactRole.OTHER,
    ),
    "parent_dialogue": (
        ContactRole.FAMILY_THERAPIST,
        ContactRole.HEALTH_VISITOR,
        ContactRole.PSYCHOLOGIST,
        ContactRole.SOCIAL_WORKER,
    ),
    "social_worker_consult": (ContactRole.SOCIAL_WORKER,),
    "notification": (ContactRole.SOCIAL_WORKER,),
}
"""Whom to call beside each recommended action (api.md's action keys). The municipality's
numbers (scope ``municipality``) go with the notification and the acute alerts."""


def roles_for_action(action: str) -> tuple[ContactRole, ...]:
    """The roles that help with ``action``; every role for an action the map does not name."""
    return ACTION_ROLES.get(action, tuple(ContactRole))
