"""PURE: the counts of a round as they may be shown — never a count that singles out a child.

The small-cell rule: every count from 1 to 4 is shown as the string ``"<5"``; 0 and counts of
5 or more are numbers. It applies to every count of every overview (levels, groups, age bands,
movement between rounds). This module imports the standard library only; the service hands it
plain data (child id → level) and the views and the API show what it returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SMALL = "<5"
LEVELS = (1, 2, 3, 4)

Cell = int | str
"""A shown count: a number (0 or 5 and more) or ``"<5"``."""


def cell(count: int) -> Cell:
    """``count`` as it may be shown: 1–4 become ``"<5"``."""
    if count < 0:
        raise ValueError("a count is never negative")
    return SMALL if 1 <= count <= 4 else count


def level_counts(levels: Iterable[int]) -> dict[int, int]:
    """How many of ``levels`` are on each level 1–4 (every level present, 0 when none)."""
    counts = dict.fromkeys(LEVELS, 0)
    for level in levels:
        if level not in counts:
            raise ValueError(f"no such level: {level}")
        counts[level] += 1
    return counts


def shown_levels(levels: Iterable[int]) -> dict[str, Cell]:
    """The level distribution as api.md shows it: ``{"1": n, "2": n, "3": n, "4": n}`` with
    the small-cell rule applied to each count."""
    return shown_counts(level_counts(levels))


def shown_counts(counts: Mapping[int, int]) -> dict[str, Cell]:
    """Counts per level (as the database's ``GROUP BY level`` gives them; a missing level is
    0) shown as ``shown_levels`` shows them."""
    for level in counts:
        if level not in LEVELS:
            raise ValueError(f"no such level: {level}")
    return {str(level): cell(counts.get(level, 0)) for level in LEVELS}


def whole_years(birth_date: dt.date, on: dt.date) -> int:
    """The age in whole years on a day."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


@dataclass(frozen=True)
class Band:
    """An age band in whole years, both ends included (the catalogs' bands are data)."""

    min_years: int
    max_years: int

    @property
    def label(self) -> str:
        """``"3–5 år"``."""
        return f"{self.min_years}–{self.max_years} år"


def born_by(on: dt.date, years: int) -> dt.date:
    """The latest birth date of a child who is at least ``years`` whole years old on ``on``:
    ``whole_years(b, on) >= years`` exactly when ``b <= born_by(on, years)``. Lets the
    database sort children into age bands by comparing dates."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February, and the year ``years`` before is no leap year
        return on.replace(year=on.year - years, day=28)


def band_of(birth_date: dt.date, on: dt.date, bands: Sequence[Band]) -> Band | None:
    """The band a child of ``birth_date`` is in on ``on``; None outside every band."""
    years = whole_years(birth_date, on)
    return next((b for b in bands if b.min_years <= years <= b.max_years), None)


@dataclass(frozen=True)
class Movement:
    """Of the children at level 2 or higher in the previous round: how many are on a lower
    level (moved down), the same, or a higher one in this round, and how many have not been
    assessed in this round (yet)."""

    down: int
    stayed: int
    up: int
    not_assessed: int

    @property
    def followed(self) -> int:
        """The children at level 2 or higher in the previous round."""
        return self.down + self.stayed + self.up + self.not_assessed

    def shown(self) -> dict[str, Cell]:
        """Each count with the small-cell rule."""
        return {
            "followed": cell(self.followed),
            "down": cell(self.down),
            "stayed": cell(self.stayed),
            "up": cell(self.up),
            "not_assessed": cell(self.not_assessed),
        }


def movement(previous: Mapping[int, int], current: Mapping[int, int]) -> Movement:
    """``previous`` and ``current`` map child id → level in each round; the children followed
    are those at level 2 or higher in ``previous``."""
    pairs: dict[tuple[int, int | None], int] = {}
    for child_id, before in previous.items():
        key = (before, current.get(child_id))
        pairs[key] = pairs.get(key, 0) + 1
    return movement_of(pairs)


def movement_of(pairs: Mapping[tuple[int, int | None], int]) -> Movement:
    """The movement from counts of (level in the previous round, level in this round or None
    when not assessed in it), as the database's ``GROUP BY`` of the two levels gives them."""
    down = stayed = up = missing = 0
    for (before, now), count in pairs.items():
        if before < 2:
            continue
        if now is None:
            missing += count
        elif now < before:
            down += count
        elif now == before:
            stayed += count
        else:
            up += count
    return Movement(down=down, stayed=stayed, up=up, not_assessed=missing)


@dataclass(frozen=True)
class Progress:
    """How far a round has come in one group."""

    children: int
    assessed: int

    @property
    def missing(self) -> int:
        """Children still to be assessed."""
        return self.children - self.assessed

    @property
    def percent(self) -> int:
        """The share assessed, rounded down (100 for a group without children)."""
        return 100 if self.children == 0 else self.assessed * 100 // self.children


# --- The chart: bars of a round beside the previous one, drawn by the template ---------------

CHART_TOP = 30
CHART_BASE = 190
STUB = 12
"""The height of a ``"<5"`` bar: the same for 1 to 4, so the drawing reveals no more than the
label does."""


@dataclass(frozen=True)
class Bar:
    """One bar: its level, which round (``"current"`` or ``"previous"``), the shown count, its
    top edge and height in the SVG's units (the base line is ``CHART_BASE``)."""

    level: int
    series: str
    value: Cell
    y: int
    height: int

    @property
    def small(self) -> bool:
        """True for a ``"<5"`` bar (drawn as a short stub with its label)."""
        return self.value == SMALL


def bars(current: Mapping[str, Cell], previous: Mapping[str, Cell] | None) -> list[Bar]:
    """The bars of the level chart: per level the previous round's bar (when there is one)
    and this round's; heights scale to the largest shown number, a ``"<5"`` is a stub."""
    series = [("previous", previous)] if previous is not None else []
    series.append(("current", current))
    numbers = [v for _, values in series for v in values.values() if isinstance(v, int)]
    top = max([*numbers, 5])
    result = []
    for level in LEVELS:
        for name, values in series:
            value = values[str(level)]
            height = STUB if value == SMALL else int(value) * (CHART_BASE - CHART_TOP) // top
            result.append(Bar(level, name, value, CHART_BASE - height, height))
    return result
