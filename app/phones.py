"""PURE: Danish phone numbers: read as typed (8 digits, spaces and +45 allowed), stored and
linked as E.164 (``tel:+4570112233``), shown in blocks of two digits. Used by the settings
(the municipality's numbers) and the contacts."""

from __future__ import annotations

import re

PHONE_MESSAGE = "Skriv et dansk telefonnummer med 8 cifre, fx 70 11 22 33 eller +45 70 11 22 33."
"""Why a phone number was refused."""

_EIGHT_DIGITS = re.compile(r"[2-9][0-9]{7}")


class PhoneError(ValueError):
    """Not a Danish phone number."""


def normalise_phone(text: str) -> str:
    """A Danish number as E.164 (``+4570112233``): 8 digits, spaces and a leading ``+45``
    allowed; the first digit is 2–9 (Danish subscriber numbers). PhoneError otherwise."""
    compact = "".join(text.split())
    if compact.startswith("+45"):
        compact = compact[3:]
    if not _EIGHT_DIGITS.fullmatch(compact):
        raise PhoneError(PHONE_MESSAGE)
    return f"+45{compact}"


def tel_href(phone: str) -> str:
    """The ``tel:`` link of a stored number: E.164, or a short number as it is."""
    return f"tel:{phone}"


def phone_display(phone: str) -> str:
    """``+4570112233`` → ``70 11 22 33`` (how Danes write it); a short number as it is."""
    if phone.startswith("+45") and len(phone) == 11:
        digits = phone[3:]
        return " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return phone
