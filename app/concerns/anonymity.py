"""PURE: what in a consultation's message could identify the child.

A consultation is anonymous (api.md): the social worker must not learn the child's name,
birth date or CPR number from the message either. The check is deliberately generous: a
false alarm costs the sender a rephrasing, a miss costs the child its anonymity.

- Names are matched per name part, as whole words and as word prefixes: Danish genitive and
  plural endings ("Jensens", "Bo's"), compounds ("Jensenfamilien", "Jensen-familien") and
  names spelt out with separators ("B.o", "J-e-n-s-e-n", "J e n s e n"). Æ, ø and å are
  folded, so "Ostergaard" finds "Østergård". Name parts of one or two letters are matched
  as a whole word only.
- The birth date in every usual Danish form: 4.3.2022, 04-03-22, 4/3, 4/3-2022, 040322,
  2022-03-04, "4. marts 2022", "4 mar. 22", "d. 4. marts".
- Any CPR-like number (ddmmåå-xxxx, with or without the hyphen), whoever's it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NAME = "barnets navn"
BIRTH_DATE = "barnets fødselsdato"
CPR_NUMBER = "et CPR-nummer"

_MONTHS = {
    "januar": 1,
    "jan": 1,
    "februar": 2,
    "feb": 2,
    "marts": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "maj": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WRITTEN_DATE = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s*\.?\s*({_MONTH_NAMES})\b\.?(?:\s*(\d{{4}}|\d{{2}})(?!\d))?",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d.,/-])(\d{1,2})\s*[./-]\s*(\d{1,2})(?:\s*[./-]\s*(\d{4}|\d{2}))?(?!\d|[./-]\d)"
)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4}|\d{2})(?!\d)")
_CPR_LIKE = re.compile(r"(?<!\d)\d{6}\s*-?\s*\d{4}(?!\d)")

# Endings a Danish name takes in running text: genitive, plural, definite plural.
_ENDINGS = ("s", "es", "en", "ens", "er", "erne", "ernes")
_SEPARATORS = re.compile(r"[\W_]+")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "ä": "ae", "ö": "o", "é": "e", "ü": "u"})
_PREFIX_MIN = 3
_PUNCTUATION = ".,;:!?()[]\"'«»"


@dataclass(frozen=True)
class Finding:
    """One thing to remove: what it is (Danish, for the message) and the text as written."""

    kind: str
    text: str


def _fold(text: str) -> str:
    folded = text.lower().translate(_FOLD)
    return folded.replace("oe", "o")


def _words(message: str) -> list[tuple[str, str]]:
    """(folded word, as written): each whitespace-separated word with its separators removed,
    and every run of spelt-out single letters ("J e n s e n") joined into one."""
    found: list[tuple[str, str]] = []
    letters: list[str] = []
    for raw in message.split():
        word = _fold(_SEPARATORS.sub("", raw))
        if not word:
            continue
        raw = raw.strip(_PUNCTUATION)
        found.append((word, raw))
        if len(word) == 1:
            letters.append(raw)
            continue
        if len(letters) > 1:
            found.append((_fold("".join(letters)), " ".join(letters)))
        letters = []
    if len(letters) > 1:
        found.append((_fold("".join(letters)), " ".join(letters)))
    for raw in re.findall(r"[^\W\d_]+", message):
        found.append((_fold(raw), raw))
    return found


def _name_parts(names: Iterable[str]) -> set[str]:
    return {_fold(part) for name in names for part in re.findall(r"[^\W\d_]+", name)}


def _matches(word: str, part: str) -> bool:
    if word == part or any(word == part + ending for ending in _ENDINGS):
        return True
    return len(part) >= _PREFIX_MIN and word.startswith(part)


def _names(message: str, names: Iterable[str]) -> list[str]:
    parts = _name_parts(names)
    hits: list[str] = []
    for word, raw in _words(message):
        if any(_matches(word, part) for part in parts) and not any(raw in hit for hit in hits):
            hits.append(raw)
    return hits


def _year_fits(year: str | None, born: dt.date) -> bool:
    if year is None:
        return True
    return int(year) == (born.year if len(year) == 4 else born.year % 100)


def _is_birth_date(day: str, month: int, year: str | None, born: dt.date) -> bool:
    return int(day) == born.day and month == born.month and _year_fits(year, born)


def _dates(message: str, born: dt.date) -> list[str]:
    hits: list[str] = []
    for match in _WRITTEN_DATE.finditer(message):
        day, month, year = match.groups()
        if _is_birth_date(day, _MONTHS[month.lower()], year, born):
            hits.append(match.group(0).strip())
    for match in _ISO_DATE.finditer(message):
        year, month, day = match.groups()
        if _is_birth_date(day, int(month), year, born):
            hits.append(match.group(0))
    for match in _NUMERIC_DATE.finditer(message):
        day, month, year = match.groups()
        if _is_birth_date(day, int(month), year, born):
            hits.append(match.group(0))
    for match in _COMPACT_DATE.finditer(message):
        day, month, year = match.groups()
        if _is_birth_date(day, int(month), year, born):
            hits.append(match.group(0))
    return hits


def identifying_text(message: str, *, names: Sequence[str], birth_date: dt.date) -> list[Finding]:
    """Everything in ``message`` that could identify the child, in the order: names, birth
    date, CPR-like numbers (empty when the message is anonymous)."""
    findings = [Finding(NAME, text) for text in _names(message, names)]
    findings += [Finding(BIRTH_DATE, text) for text in _dates(message, birth_date)]
    findings += [Finding(CPR_NUMBER, m.group(0)) for m in _CPR_LIKE.finditer(message)]
    return findings


def refusal(findings: Sequence[Finding]) -> str:
    """The Danish sentence that tells the sender what to remove, quoting what they wrote."""
    parts = []
    for kind in (NAME, BIRTH_DATE, CPR_NUMBER):
        texts = list(dict.fromkeys(f.text for f in findings if f.kind == kind))
        if texts:
            parts.append(f"{kind} ({', '.join('«' + t + '»' for t in texts)})")
    return "Sparring er anonym: fjern " + " og ".join(parts) + " fra beskeden."
