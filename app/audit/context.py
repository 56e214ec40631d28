"""Where the current request comes from, set once by the web middleware for the audit log."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    """The request facts every audit row carries."""

    client_ip: str = ""
    request_id: str = ""


current_request: ContextVar[RequestContext | None] = ContextVar(
    "trivsel_request_context", default=None
)
