"""Settings from the environment (prefix ``TRIVSEL_``), one class for the whole app."""

from __future__ import annotations

import os
import secrets
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.accounts.claims import ClaimConfig, parse_role_mapping
from app.phones import PhoneError, normalise_phone

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret

IPNetwork = IPv4Network | IPv6Network


def parse_networks(value: str) -> tuple[IPNetwork, ...]:
    """Addresses or CIDR networks separated by commas or spaces; ValueError naming a bad one."""
    networks = []
    for item in value.replace(",", " ").split():
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError as error:
            raise ValueError(f"not an IP address or network: {item!r}") from error
    return tuple(networks)


class Settings(BaseSettings):
    """Everything an operator may configure; see docs/operations.md."""

    model_config = SettingsConfigDict(env_prefix="TRIVSEL_", extra="ignore", frozen=True)

    data_dir: Path = Field(default=Path("data"), description="Where the SQLite file and key live")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite")
    secret_key: SecretStr | None = Field(default=None, description="Signs cookies; generated")
    cpr_key: SecretStr | None = Field(
        default=None,
        description=(
            "Encrypts CPR numbers at rest; default derived from the secret key. Several keys "
            "separated by spaces: the first encrypts, all decrypt (key rotation)"
        ),
    )
    cookie_secure: bool = Field(default=False, description="Send cookies over HTTPS only")
    demo: bool = Field(default=False, description="Demo mode: banner and demo data")
    demo_password: SecretStr | None = Field(default=None, description="Password of demo users")
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_max_hours: int = Field(default=12, ge=1, le=24 * 7)
    login_max_failures_per_user: int = Field(default=5, ge=1)
    login_max_failures_per_client: int = Field(default=20, ge=1)
    login_failure_window_minutes: int = Field(default=15, ge=1)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    trusted_proxies: str = Field(
        default="",
        description=(
            "Addresses or networks (CIDR) of the reverse proxies in front of the app, separated "
            "by commas or spaces. Only a request from one of them may name the client with "
            "X-Forwarded-For (and the scheme with X-Forwarded-Proto). Default: none trusted"
        ),
    )
    password_login: bool = Field(
        default=True, description="Local passwords; false: only the identity provider (OIDC)"
    )
    oidc_issuer: str = Field(
        default="", description="OpenID Connect issuer URL; empty: no sign-in through it"
    )
    oidc_client_id: str = Field(default="")
    oidc_client_secret: SecretStr | None = Field(default=None)
    oidc_scopes: str = Field(default="openid profile email")
    oidc_role_claim: str = Field(default="roles")
    oidc_institution_claim: str = Field(default="institution")
    oidc_district_claim: str = Field(default="district")
    oidc_username_claim: str = Field(default="preferred_username")
    oidc_role_mapping: str = Field(
        default="",
        description=(
            "Role claim values → roles, 'value=role' separated by commas (roles: staff, "
            "leader, social_worker, admin); empty: the claim's values are those role names"
        ),
    )
    oidc_redirect_uri: str = Field(
        default="",
        description="The callback URL registered at the provider; default derived per request",
    )
    oidc_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    log_level: str = Field(default="info")
    log_format: Literal["json", "plain", "auto"] = Field(
        default="auto",
        description="json, plain, or auto: plain on a terminal, JSON otherwise (app.logs)",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token of GET /metrics; unset: /metrics answers 404",
    )
    # Retention (``trivsel retention run``; docs/operations.md names each rule and its reason).
    retention_session_days: int = Field(default=30, ge=1, description="Ended sessions")
    retention_login_attempt_days: int = Field(default=90, ge=1, description="Login attempts")
    retention_consultation_days: int = Field(default=365, ge=1, description="Closed consultations")
    retention_notification_days: int = Field(default=365, ge=1, description="Closed notifications")
    retention_child_years: int = Field(
        default=5, ge=0, le=50, description="A child's records after it left or turned 18"
    )
    retention_audit_years: int = Field(default=5, ge=0, le=50, description="Audit rows")
    gc_tuning: bool = Field(
        default=True,
        description=(
            "Freeze the objects start-up leaves and raise the garbage collector's thresholds "
            "(app.runtime); false: CPython's defaults"
        ),
    )
    municipality_name: str = Field(default="Kommunen")
    children_family_unit_name: str = Field(
        default="Børne- og familieafdelingen",
        description="The municipality's children and family unit, where notifications go",
    )
    children_family_unit_phone: str = Field(
        default="",
        description=(
            "Its phone number (a Danish number, 8 digits); empty: not shown. Shown beside the "
            "notification in every institution's list of whom to call"
        ),
    )
    children_family_unit_email: str = Field(default="", description="Its (secure) e-mail")
    children_family_unit_hours: str = Field(
        default="Hverdage i kommunens åbningstid", description="When it answers"
    )

    @field_validator("children_family_unit_phone")
    @classmethod
    def _unit_phone_is_danish(cls, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return normalise_phone(value)
        except PhoneError as error:
            raise ValueError(str(error)) from error

    accessibility_statement_url: str = Field(
        default="",
        max_length=500,
        description="The municipality's accessibility statement (made in the WAS-tool); "
        "unset: the footer links the built-in page /tilgaengelighed",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        parse_networks(value)
        return value

    @field_validator("oidc_role_mapping")
    @classmethod
    def _role_mapping_parses(cls, value: str) -> str:
        parse_role_mapping(value)
        return value

    @property
    def oidc_enabled(self) -> bool:
        """True when an issuer and a client id are configured."""
        return bool(self.oidc_issuer and self.oidc_client_id)

    def oidc_origins(self) -> tuple[str, ...]:
        """The identity provider's origin (``scheme://host[:port]``), when configured."""
        if not self.oidc_enabled:
            return ()
        parts = urlsplit(self.oidc_issuer)
        return (f"{parts.scheme}://{parts.netloc}",) if parts.scheme and parts.netloc else ()

    def oidc_claim_config(self) -> ClaimConfig:
        """Which claims the sign-in reads and how role values map."""
        return ClaimConfig(
            role_claim=self.oidc_role_claim,
            institution_claim=self.oidc_institution_claim,
            district_claim=self.oidc_district_claim,
            username_claim=self.oidc_username_claim,
            role_mapping=parse_role_mapping(self.oidc_role_mapping),
        )

    @property
    def trusted_proxy_networks(self) -> tuple[IPNetwork, ...]:
        """``trusted_proxies`` as networks (a single address is a /32 or /128)."""
        return parse_networks(self.trusted_proxies)

    @property
    def resolved_database_url(self) -> str:
        """The configured database URL, or the embedded SQLite file under ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'trivsel.db').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        """True when the database is the embedded SQLite."""
        return self.resolved_database_url.startswith("sqlite")

    def cpr_secrets(self) -> list[str]:
        """The secrets of the CPR keys, the one that encrypts first: ``TRIVSEL_CPR_KEY`` split
        at spaces or commas, or else the app's secret key."""
        if self.cpr_key is not None:
            found = self.cpr_key.get_secret_value().replace(",", " ").split()
            if found:
                return found
        return [self.resolved_secret_key()]

    def resolved_secret_key(self) -> str:
        """The secret key: configured, or read from (first start: written to) the data dir."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        path = self.data_dir / SECRET_KEY_FILE
        if path.exists():
            key = path.read_text(encoding="utf-8").strip()
            if len(key) >= 32:
                return key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
        return key
