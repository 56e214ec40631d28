"""PURE: Danish CPR numbers — format and date check, and masking for display.

A CPR number is DDMMYY-SSSS. The first digit of SSSS and YY give the century (CPR-kontoret's
table). The modulus-11 check is not used: numbers without it have been issued since 2007.
"""

from __future__ import annotations

import datetime as dt
import re

_CPR = re.compile(r"^(\d{2})(\d{2})(\d{2})-?(\d{4})$")


class CprError(ValueError):
    """A CPR number that cannot be right; the message is Danish."""


def _century(year2: int, digit7: int) -> int:
    if digit7 <= 3:
        return 1900
    if digit7 in (4, 9):
        return 2000 if year2 <= 36 else 1900
    return 2000 if year2 <= 57 else 1800


def normalize(value: str) -> str:
    """``DDMMYY-SSSS`` from a number typed with or without the hyphen and spaces."""
    compact = re.sub(r"\s", "", value)
    match = _CPR.match(compact)
    if match is None:
        raise CprError("CPR-nummeret skal skrives som 10 cifre: ddmmåå-xxxx.")
    day, month, year2, serial = match.groups()
    return f"{day}{month}{year2}-{serial}"


def birth_date(value: str) -> dt.date:
    """The birth date a CPR number encodes, or CprError."""
    day, month, year2, serial = _CPR.match(normalize(value)).groups()  # type: ignore[union-attr]
    year = _century(int(year2), int(serial[0])) + int(year2)
    try:
        return dt.date(year, int(month), int(day))
    except ValueError:
        raise CprError("CPR-nummerets første 6 cifre er ikke en gyldig dato.") from None


def validate(value: str, *, expected_birth_date: dt.date | None = None) -> str:
    """The normalised number; CprError when the format or date is wrong or does not match
    the child's birth date."""
    number = normalize(value)
    born = birth_date(number)
    if expected_birth_date is not None and born != expected_birth_date:
        expected = expected_birth_date
        if (born.day, born.month, born.year % 100) == (
            expected.day,
            expected.month,
            expected.year % 100,
        ):
            raise CprError(_century_message(number, expected.year))
        raise CprError("CPR-nummerets dato passer ikke med barnets fødselsdato.")
    return number


def _century_message(number: str, year: int) -> str:
    """The 7th digit gives the century: say in plain words that it does not fit the year."""
    digit = number[7]
    fitting = [str(d) for d in range(10) if _century(year % 100, d) + year % 100 == year]
    message = f"CPR-nummerets 7. ciffer ({digit}) passer ikke med, at barnet er født i {year}."
    if fitting:
        choices = ", ".join(fitting[:-1]) + " eller " + fitting[-1]  # always two or more
        message += f" For et barn født i {year} er det 7. ciffer {choices}."
    return message + " Tjek de fire sidste cifre."


def mask(value: str) -> str:
    """``ddmmyy-XXXX``: the date part only, as shown on screen."""
    return normalize(value)[:6] + "-XXXX"
