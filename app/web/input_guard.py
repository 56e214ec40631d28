"""Input every route refuses before a view sees it.

The database columns are 64-bit integers and text that PostgreSQL stores without NUL bytes; JSON
that Python cannot parse without recursing a thousand levels deep must not reach ``json.loads``
as a 500. These checks are the same for every route, so they live here once and the route class
(``app.web.routing``) applies them to the path, the query string, forms and JSON bodies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

#: The range of a signed 64-bit column (SQLite INTEGER, PostgreSQL BIGINT).
MIN_INT = -(2**63)
MAX_INT = 2**63 - 1
#: Nested objects and arrays allowed: deeper than any body api.md describes (three levels),
#: far below Python's recursion limit.
MAX_DEPTH = 32

_DIGITS = re.compile(r"[+-]?[0-9]+")

MSG_INT_RANGE = "Tallet er uden for det gyldige område."
MSG_NUL = "Teksten indeholder et ugyldigt tegn (NUL)."
MSG_TOO_DEEP = "Forespørgslen er for dybt indlejret."
MSG_BAD_JSON = "Forespørgslen er ikke gyldig JSON."


class BadInput(ValueError):
    """One refused value: ``field`` is the dotted path of api.md's error details."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class MalformedJson(ValueError):
    """Not JSON at all: left to FastAPI's own 422, as every other bad body."""


def int_out_of_range(raw: str) -> bool:
    """Whether ``raw`` is a whole number (ASCII digits) outside the 64-bit range.

    Text that is no number at all is left to the route's own validation (a 422 as today)."""
    if not _DIGITS.fullmatch(raw):
        return False
    return not MIN_INT <= int(raw) <= MAX_INT


def check_text(field: str, value: str) -> None:
    if "\x00" in value:
        raise BadInput(field, MSG_NUL)


def check_params(items: Iterable[tuple[str, str]], int_names: frozenset[str]) -> None:
    """Path or query parameters: no NUL anywhere; integer parameters inside 64 bits."""
    for name, value in items:
        check_text(name, value)
        if name in int_names and int_out_of_range(value):
            raise BadInput(name, MSG_INT_RANGE)


def parse_json(body: bytes) -> Any:
    """Parse a JSON body, refusing what would be a 500 further on.

    Malformed JSON raises :class:`MalformedJson` (the caller leaves it to FastAPI); nesting
    beyond :data:`MAX_DEPTH`, NUL in a key or string, and integers beyond 64 bits raise
    :class:`BadInput`."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise BadInput("body", MSG_TOO_DEEP) from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise MalformedJson(MSG_BAD_JSON) from exc
    check_json(data)
    return data


def _walk(data: Any, path: str, depth: int) -> Iterator[tuple[str, Any, int]]:
    yield path, data, depth
    if isinstance(data, dict):
        for key, value in data.items():
            check_text(path or "body", key)
            yield from _walk(value, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, f"{path}.{index}" if path else str(index), depth + 1)


def check_json(data: Any) -> None:
    """Walk a parsed JSON value once (depth-first; the depth check stops it early)."""
    for path, value, depth in _walk(data, "", 0):
        field = path or "body"
        if depth >= MAX_DEPTH and isinstance(value, (dict, list)):
            raise BadInput("body", MSG_TOO_DEEP)
        if isinstance(value, str):
            check_text(field, value)
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and not MIN_INT <= value <= MAX_INT
        ):
            raise BadInput(field, MSG_INT_RANGE)
