"""PURE: the comparison of the participants' individual assessments (api.md "comparison"):
each one's level, the spread, which signs each ticked, what all agree on and what is
disputed. Plain data in, plain data out; no web or database library."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SPREAD_TO_DISCUSS = 2
"""A spread of two levels or more is the meeting's first topic."""


@dataclass(frozen=True)
class Individual:
    """One participant's submitted assessment: who, the level, the observed sign ids."""

    user_id: int
    level: int
    observed: Sequence[str]


@dataclass(frozen=True)
class Comparison:
    """Side by side: levels per participant, spread, who ticked each sign, agreed, disputed."""

    levels: list[tuple[int, int]]
    level_spread: int
    ticked_by: dict[str, list[int]]
    agreed: list[str]
    disputed: list[str]

    @property
    def discuss_spread_first(self) -> bool:
        """The levels lie two or more apart: the meeting starts there."""
        return self.level_spread >= SPREAD_TO_DISCUSS


def compare(individuals: Sequence[Individual]) -> Comparison:
    """Compare the submitted individual assessments (at least one). Signs are listed in the
    order they first appear (participants in the order given, each in their own order);
    ``agreed`` are the signs every participant ticked, ``disputed`` those only some did."""
    if not individuals:
        raise ValueError("Der er ingen indsendte vurderinger at sammenligne.")
    ticked_by: dict[str, list[int]] = {}
    for person in individuals:
        for sign in dict.fromkeys(person.observed):
            ticked_by.setdefault(sign, []).append(person.user_id)
    everyone = len(individuals)
    levels = [person.level for person in individuals]
    return Comparison(
        levels=[(person.user_id, person.level) for person in individuals],
        level_spread=max(levels) - min(levels),
        ticked_by=ticked_by,
        agreed=[sign for sign, users in ticked_by.items() if len(users) == everyone],
        disputed=[sign for sign, users in ticked_by.items() if len(users) < everyone],
    )


@dataclass(frozen=True)
class Agreement:
    """How often the individual levels matched the joint level (api.md "agreement")."""

    joint_assessments: int
    individual_assessments: int
    matching_joint_level: int

    @property
    def rate(self) -> float | None:
        """The share of individual levels equal to their joint level; None without any."""
        if not self.individual_assessments:
            return None
        return self.matching_joint_level / self.individual_assessments


def agreement(results: Sequence[tuple[int, Sequence[int]]]) -> Agreement:
    """Agreement over finished joint assessments, each given as ``(joint level, the
    individual levels)``."""
    return Agreement(
        joint_assessments=len(results),
        individual_assessments=sum(len(levels) for _, levels in results),
        matching_joint_level=sum(
            1 for joint, levels in results for level in levels if level == joint
        ),
    )
