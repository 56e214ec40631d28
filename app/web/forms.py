"""HTML forms: small parsers for fields that FastAPI's own validation does not cover, and the
one way a form page is shown again after a refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.errors import AppError, Invalid
from app.web.templating import render

DATE_FORMAT_MESSAGE = "Skriv datoen som ÅÅÅÅ-MM-DD."


def form_date(
    value: str | None, field: str, *, required: bool = False, message: str = DATE_FORMAT_MESSAGE
) -> dt.date | None:
    """The ISO date a date field sends (``<input type="date">``), None when it is empty.

    Raises Invalid naming ``field``: "Skriv en dato." when a required field is empty, and
    ``message`` when the text is not a date.
    """
    text = (value or "").strip()
    if not text:
        if required:
            raise Invalid("Skriv en dato.", details=[{"field": field, "message": "Skriv en dato."}])
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid(message, details=[{"field": field, "message": message}]) from None


def form_error_response(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    invalid: AppError,
    *,
    form: Mapping[str, str] | None = None,
    prefix: str = "",
    fragment: str | None = None,
) -> HTMLResponse:
    """The form page again after ``invalid`` (nothing was stored), with the refusal's status
    (422): what was typed as ``{prefix}form`` (when given) and the Danish message of each
    field as ``{prefix}errors`` (``prefix`` tells apart two forms on one page). An HTMX
    request gets ``fragment``, the form alone."""
    page = dict(context)
    if form is not None:
        page[f"{prefix}form"] = dict(form)
    page[f"{prefix}errors"] = invalid.field_messages()
    return render(request, template, page, status_code=invalid.status, fragment=fragment)
