"""Audit tags: the stable names of what can happen, ``"<object>:<verb>"``."""

from __future__ import annotations

from enum import StrEnum


class AuditTag(StrEnum):
    """Every kind of audited event. Names are stable: they are read by auditors."""

    LOGIN = "auth:login"
    LOGIN_FAILED = "auth:login_failed"
    LOGIN_THROTTLED = "auth:login_throttled"
    LOGOUT = "auth:logout"
    SESSION_EXPIRED = "auth:session_expired"
    OIDC_FAILED = "auth:oidc_failed"
    OIDC_REFUSED = "auth:oidc_refused"
    OIDC_ACCESS_LOST = "auth:oidc_access_lost"
    USER_OIDC_CREATE = "user:oidc_create"
    USER_OIDC_UPDATE = "user:oidc_update"
    USER_CREATE = "user:create"
    USER_VIEW = "user:view"
    USER_DEACTIVATE = "user:deactivate"
    USER_ACTIVATE = "user:activate"
    USER_PASSWORD_RESET = "user:password_reset"  # noqa: S105 - an audit tag, not a secret
    USER_PASSWORD_CHANGE = "user:password_change"  # noqa: S105 - an audit tag, not a secret
    USER_PASSWORD_CHANGE_FAILED = "user:password_change_failed"  # noqa: S105 - an audit tag
    DISTRICT_CREATE = "district:create"
    DISTRICT_UPDATE = "district:update"
    INSTITUTION_CREATE = "institution:create"
    INSTITUTION_UPDATE = "institution:update"
    CONTACTS_UPDATE = "contacts:update"
    OFFERS_UPDATE = "offers:update"
    CHILD_CREATE = "child:create"
    CHILD_LIST = "child:list"
    CHILD_VIEW = "child:view"
    CHILD_LEAVING = "child:leaving"
    ASSESSMENT_CREATE = "child:assessment:create"
    ASSESSMENT_SAVE = "child:assessment:save"
    ASSESSMENT_FINISH = "child:assessment:finish"
    ASSESSMENT_VIEW = "child:assessment:view"
    JOINT_CREATE = "child:joint:create"
    JOINT_VIEW = "child:joint:view"
    JOINT_FINISH = "child:joint:finish"
    AGREEMENT_VIEW = "institution:agreement:view"
    DIALOGUE_CREATE = "child:dialogue:create"
    MEETING_CREATE = "child:meeting:create"
    MEETING_VIEW = "child:meeting:view"
    FOCUS_POINT_DONE = "child:focus_point:done"
    CONCERN_CREATE = "child:concern:create"
    CONCERN_VIEW = "child:concern:view"
    CONCERN_LIST = "concern:list"
    CONCERN_TRANSITION = "child:concern:transition"
    CONCERN_TAKE = "child:concern:take"
    CPR_REVEAL = "child:concern:cpr_reveal"
    CONCERN_DOCUMENT = "child:concern:document"
    CATALOG_DRAFT_CREATE = "catalog:draft_create"
    CATALOG_DRAFT_SAVE = "catalog:draft_save"
    CATALOG_DRAFT_DELETE = "catalog:draft_delete"
    CATALOG_PUBLISH = "catalog:publish"
    CATALOG_EXPORT = "catalog:export"
    CATALOG_IMPORT_SHIPPED = "catalog:import_shipped"
    AUDIT_VIEW = "audit:view"
    AUDIT_EXPORT = "audit:export"
    CPR_KEY_ROTATE = "cpr:key_rotate"
    RETENTION_RUN = "retention:run"
    GROUP_CREATE = "group:create"
    GROUP_UPDATE = "group:update"
    GROUP_DELETE = "group:delete"
    ROUND_CREATE = "round:create"
    ROUND_VIEW = "round:view"
    ROUND_OVERVIEW = "round:overview"
    HANDOVER_CREATE = "child:handover:create"
    HANDOVER_REFUSED = "child:handover:refused"
    HANDOVER_VIEW = "child:handover:view"
    HANDOVER_ACCEPT = "child:handover:accept"
    HANDOVER_WITHDRAW = "child:handover:withdraw"
    HANDOVER_DISCARD = "child:handover:discard"
    HANDOVER_LIST = "handover:list"

    @property
    def label(self) -> str:
        """A Danish description for the audit viewer."""
        return AUDIT_LABELS.get(self, self.value)


AUDIT_LABELS: dict[AuditTag, str] = {
    AuditTag.LOGIN: "Login",
    AuditTag.LOGIN_FAILED: "Mislykket login",
    AuditTag.LOGIN_THROTTLED: "Login afvist (for mange forsøg)",
    AuditTag.LOGOUT: "Log ud",
    AuditTag.SESSION_EXPIRED: "Session udløbet",
    AuditTag.OIDC_FAILED: "Login via kommunens login mislykkedes",
    AuditTag.OIDC_REFUSED: "Login via kommunens login afvist (ingen rolle eller enhed)",
    AuditTag.OIDC_ACCESS_LOST: "Adgang fjernet af kommunens login; sessioner afsluttet",
    AuditTag.USER_OIDC_CREATE: "Bruger oprettet fra kommunens login",
    AuditTag.USER_OIDC_UPDATE: "Bruger opdateret fra kommunens login",
    AuditTag.USER_CREATE: "Bruger oprettet",
    AuditTag.USER_VIEW: "Bruger vist",
    AuditTag.USER_DEACTIVATE: "Bruger deaktiveret",
    AuditTag.USER_ACTIVATE: "Bruger genaktiveret",
    AuditTag.USER_PASSWORD_RESET: "Adgangskode nulstillet",
    AuditTag.USER_PASSWORD_CHANGE: "Adgangskode skiftet af brugeren selv",
    AuditTag.USER_PASSWORD_CHANGE_FAILED: "Forkert nuværende adgangskode ved skift",
    AuditTag.DISTRICT_CREATE: "Distrikt oprettet",
    AuditTag.DISTRICT_UPDATE: "Distrikt ændret",
    AuditTag.INSTITUTION_CREATE: "Institution oprettet",
    AuditTag.INSTITUTION_UPDATE: "Institution ændret",
    AuditTag.CONTACTS_UPDATE: "Kontaktpersoner ændret",
    AuditTag.OFFERS_UPDATE: "Kommunens tilbud ændret",
    AuditTag.CHILD_CREATE: "Barn oprettet",
    AuditTag.CHILD_LIST: "Børneliste vist",
    AuditTag.CHILD_VIEW: "Barn vist",
    AuditTag.CHILD_LEAVING: "Udmeldelse registreret eller fortrudt",
    AuditTag.ASSESSMENT_CREATE: "Vurdering påbegyndt",
    AuditTag.ASSESSMENT_SAVE: "Vurderingskladde gemt",
    AuditTag.ASSESSMENT_FINISH: "Vurdering afsluttet",
    AuditTag.ASSESSMENT_VIEW: "Vurdering vist",
    AuditTag.JOINT_CREATE: "Fælles vurdering påbegyndt",
    AuditTag.JOINT_VIEW: "Fælles vurdering vist",
    AuditTag.JOINT_FINISH: "Fælles vurdering afsluttet",
    AuditTag.AGREEMENT_VIEW: "Enighedstal vist",
    AuditTag.DIALOGUE_CREATE: "Dialogmøde registreret",
    AuditTag.MEETING_CREATE: "Møde registreret",
    AuditTag.MEETING_VIEW: "Møder vist",
    AuditTag.FOCUS_POINT_DONE: "Fokuspunkt markeret som gjort",
    AuditTag.CONCERN_CREATE: "Sparring/underretning sendt",
    AuditTag.CONCERN_VIEW: "Sag vist",
    AuditTag.CONCERN_LIST: "Sagsliste vist",
    AuditTag.CONCERN_TRANSITION: "Sagsskridt",
    AuditTag.CONCERN_TAKE: "Sag overtaget",
    AuditTag.CPR_REVEAL: "CPR-nummer vist",
    AuditTag.CONCERN_DOCUMENT: "Underretning hentet som dokument",
    AuditTag.CATALOG_DRAFT_CREATE: "Katalogkladde oprettet",
    AuditTag.CATALOG_DRAFT_SAVE: "Katalogkladde gemt",
    AuditTag.CATALOG_DRAFT_DELETE: "Katalogkladde slettet",
    AuditTag.CATALOG_PUBLISH: "Katalog publiceret",
    AuditTag.CATALOG_EXPORT: "Katalog eksporteret",
    AuditTag.CATALOG_IMPORT_SHIPPED: "Leveret katalog importeret",
    AuditTag.AUDIT_VIEW: "Auditlog vist",
    AuditTag.AUDIT_EXPORT: "Auditlog eksporteret",
    AuditTag.CPR_KEY_ROTATE: "CPR-numre krypteret med ny nøgle",
    AuditTag.RETENTION_RUN: "Sletning efter slettefrister (antal pr. regel)",
    AuditTag.GROUP_CREATE: "Gruppe oprettet",
    AuditTag.GROUP_UPDATE: "Gruppe ændret",
    AuditTag.GROUP_DELETE: "Gruppe slettet",
    AuditTag.ROUND_CREATE: "Trivselsrunde startet",
    AuditTag.ROUND_VIEW: "Trivselsrunde vist (manglende børn)",
    AuditTag.ROUND_OVERVIEW: "Overblik over trivselsrunde vist",
    AuditTag.HANDOVER_CREATE: "Overlevering til skole sendt (med forældrenes samtykke)",
    AuditTag.HANDOVER_REFUSED: "Overlevering afvist (underretning i stedet)",
    AuditTag.HANDOVER_VIEW: "Overlevering vist",
    AuditTag.HANDOVER_ACCEPT: "Overlevering modtaget: barnet hører nu til skolen",
    AuditTag.HANDOVER_WITHDRAW: "Overlevering trukket tilbage",
    AuditTag.HANDOVER_DISCARD: "Ufærdige vurderinger slettet ved overlevering",
    AuditTag.HANDOVER_LIST: "Overleveringer vist",
}


_LABEL_OF: dict[str, str] = {tag.value: tag.label for tag in AuditTag}

#: The audit viewer's choice of action: (value, "label (value)") of every tag, in order.
TAG_OPTIONS: tuple[tuple[str, str], ...] = tuple(
    (tag.value, f"{tag.label} ({tag.value})") for tag in AuditTag
)


def label_of(action: str) -> str:
    """The Danish description of a stored action; the action itself if it is no (longer a) tag."""
    return _LABEL_OF.get(action, action)
