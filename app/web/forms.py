"""Small parsers for HTML form fields that FastAPI's own validation does not cover."""

from __future__ import annotations

import datetime as dt

from app.errors import Invalid

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
