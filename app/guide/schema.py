"""The guide's content model: actions, levels and the indicator catalogs.

Pure: the standard library and pydantic only. The models check every rule a single file can
break; `check_catalog_set` checks the rules that need all catalogs together. Rule violations
are raised as pydantic errors of type `RULE_ERROR`, whose context carries each problem with
its path relative to the error's location, so that `app.guide.loader` can point at the exact
line of a YAML file.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal, NoReturn, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

MIN_AGE = 0
MAX_AGE = 17
LEVELS = (1, 2, 3, 4)
MIN_AREAS = 6
MAX_INDICATOR_TEXT = 300
MAX_SOURCE_TEXT = 600
MIN_CONTRAST = 4.5

RULE_ERROR = "content_rule"
"""The pydantic error type of a broken content rule; ctx["problems"] holds (path, message)."""

STORED_BEFORE_SOURCES = "stored_before_sources"
"""A validation context key: when true, a catalog without `sources` is accepted. Only for
versions stored before catalogs had the field (published versions never change); every file,
draft and upload must name its sources."""

Loc = tuple[str | int, ...]


class ActionKey(StrEnum):
    """What staff are advised to do; the canonical order is the order of this enum."""

    continue_universal = "continue_universal"
    parent_dialogue = "parent_dialogue"
    social_worker_consult = "social_worker_consult"
    notification = "notification"


class LevelKey(StrEnum):
    """The four levels of concern, from thriving (1) to serious problems (4)."""

    general_wellbeing = "general_wellbeing"
    declining_wellbeing = "declining_wellbeing"
    poor_wellbeing = "poor_wellbeing"
    serious_problems = "serious_problems"


ACTION_ORDER: tuple[ActionKey, ...] = tuple(ActionKey)
LEVEL_KEYS: Mapping[int, LevelKey] = dict(zip(LEVELS, LevelKey, strict=True))
MINIMUM_ACTIONS: Mapping[int, tuple[ActionKey, ...]] = {
    1: (ActionKey.continue_universal,),
    2: (ActionKey.parent_dialogue,),
    3: (ActionKey.parent_dialogue, ActionKey.social_worker_consult),
    4: (ActionKey.notification,),
}
"""The actions api.md promises at each level, at least."""

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
INDICATOR_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$"
HEX_COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
IndicatorText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_INDICATOR_TEXT)
]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
IndicatorId = Annotated[str, StringConstraints(pattern=INDICATOR_ID_PATTERN)]
HexColor = Annotated[str, StringConstraints(pattern=HEX_COLOR_PATTERN)]
SourceText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SOURCE_TEXT)
]
LevelNumber = Annotated[int, Field(ge=1, le=4)]
Age = Annotated[int, Field(ge=MIN_AGE, le=MAX_AGE)]
# YAML gives plain strings: the enums alone accept their values instead of instances.
Action = Annotated[ActionKey, Strict(False)]


def _reject(problems: Sequence[tuple[Loc, str]]) -> NoReturn:
    """Fail validation with every problem found, each at a path below the current location."""
    raise PydanticCustomError(
        RULE_ERROR,
        "{summary}",
        {"summary": "; ".join(message for _, message in problems), "problems": tuple(problems)},
    )


def _joined(items: Sequence[object]) -> str:
    """'1', '1 og 2', '1, 2 og 3' — a Danish enumeration."""
    words = [str(item) for item in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " og " + words[-1]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _NotGiven:
    """The default of `sources` before validation: tells a missing key from an empty list."""


_NOT_GIVEN = _NotGiven()
SOURCES_HINT = "titel og udgiver, og adressen, hvis kilden er offentlig"


def _sources_field(owner: str) -> Any:
    """The `sources` field: a list of texts, required (see `_check_sources`)."""
    return Field(
        default_factory=lambda: _NOT_GIVEN,
        validate_default=True,
        description=f"De offentlige kilder, som {owner} bygger på, én pr. linje: {SOURCES_HINT}",
        json_schema_extra={"minItems": 1},
    )


def _check_sources(value: object, info: ValidationInfo) -> object:
    """A missing or empty `sources` is an error, except in a version stored before the field
    existed (validation context `STORED_BEFORE_SOURCES`)."""
    stored_before = bool((info.context or {}).get(STORED_BEFORE_SOURCES))
    if value is _NOT_GIVEN:
        if stored_before:
            return []
        _reject([((), f"nøglen 'sources' mangler: skriv mindst én kilde ({SOURCES_HINT})")])
    if isinstance(value, list) and not value:
        _reject([((), f"sources er tom: skriv mindst én kilde ({SOURCES_HINT})")])
    return value


def _sources_required(schema: dict[str, Any]) -> None:
    schema.setdefault("required", []).append("sources")


# --- levels.yaml -----------------------------------------------------------------------------


class ActionDef(_Model):
    """An action's Danish name and explanation."""

    key: Action
    name: Text
    description: Text


class Guidance(_Model):
    """What staff should do, whom to involve and what to tell the parents."""

    what_to_do: Text
    who_to_involve: Text
    parents: Text


def _luminance(color: str) -> float:
    """The relative luminance of '#rrggbb' (WCAG 2.1)."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two '#rrggbb' colours, from 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class LevelDef(_Model):
    """One of the four levels: its badge, meaning, actions and guidance."""

    level: LevelNumber
    key: Annotated[LevelKey, Strict(False)]
    name: Text
    color: HexColor
    text_color: HexColor
    description: Text
    actions: list[Action] = Field(min_length=1)
    follow_up_days: Annotated[int, Field(ge=1)] | None
    guidance: Guidance

    @field_validator("text_color")
    @classmethod
    def _readable_on_color(cls, text_color: str, info: ValidationInfo) -> str:
        color = info.data.get("color")
        ratio = MIN_CONTRAST if color is None else contrast_ratio(color, text_color)
        if ratio < MIN_CONTRAST:
            _reject(
                [
                    (
                        (),
                        f"teksten er for svær at læse: kontrasten mellem {text_color} og "
                        f"{color} er {ratio:.2f}:1, men skal være mindst {MIN_CONTRAST}:1",
                    )
                ]
            )
        return text_color

    @field_validator("actions")
    @classmethod
    def _no_repeated_action(cls, actions: list[ActionKey]) -> list[ActionKey]:
        repeated = sorted({a for a in actions if actions.count(a) > 1}, key=ACTION_ORDER.index)
        if repeated:
            _reject([((), f"handlingen {_joined(repeated)} står flere gange")])
        return actions


BREADTH_LEVEL = 3
"""The only level breadth can give: level 4 is always decided by a single serious sign."""


class BreadthRule(_Model):
    """Several signs of concern across areas say more than one: at least `min_signs` observed
    signs on level 2 or above, in at least `min_areas` areas, raise a level-2 result to
    `level` (3). Never to level 4, and never lowers anything."""

    min_signs: Annotated[int, Field(ge=2)]
    min_areas: Annotated[int, Field(ge=2)]
    level: int = Field(default=BREADTH_LEVEL, description="Niveauet, bredden giver: altid 3")
    reason: Text = Field(description="Hvorfor flere tegn på flere områder hæver niveauet")

    @field_validator("min_areas")
    @classmethod
    def _areas_not_above_signs(cls, min_areas: int, info: ValidationInfo) -> int:
        min_signs = info.data.get("min_signs")
        if min_signs is not None and min_areas > min_signs:
            _reject(
                [
                    (
                        (),
                        f"{min_signs} tegn kan ikke ligge på {min_areas} områder: min_areas må "
                        "ikke være større end min_signs",
                    )
                ]
            )
        return min_areas

    @field_validator("level")
    @classmethod
    def _only_level_3(cls, level: int) -> int:
        if level != BREADTH_LEVEL:
            _reject(
                [
                    (
                        (),
                        f"bredde kan kun hæve et resultat på niveau 2 til niveau {BREADTH_LEVEL}, "
                        f"ikke til niveau {level}: niveau 4 afgøres altid af ét alvorligt tegn",
                    )
                ]
            )
        return level


class LevelsConfig(_Model):
    """The content of levels.yaml."""

    model_config = ConfigDict(json_schema_extra=_sources_required)

    sources: list[SourceText] = _sources_field("vejledningens tekster")
    actions: list[ActionDef]
    levels: list[LevelDef]
    critical_guidance: Guidance
    acute_guidance: Guidance
    breadth: BreadthRule | None = None

    _sources = field_validator("sources", mode="before")(_check_sources)

    @field_validator("actions")
    @classmethod
    def _exactly_the_four_actions(cls, actions: list[ActionDef]) -> list[ActionDef]:
        keys = [action.key for action in actions]
        if keys != list(ACTION_ORDER):
            wrong = next(
                (
                    i
                    for i, key in enumerate(keys)
                    if i >= len(ACTION_ORDER) or key != ACTION_ORDER[i]
                ),
                None,
            )
            path: Loc = () if wrong is None else (wrong, "key")
            _reject(
                [
                    (
                        path,
                        "handlingerne skal være præcis "
                        f"{_joined(list(ACTION_ORDER))}, i den rækkefølge",
                    )
                ]
            )
        return actions

    @field_validator("levels")
    @classmethod
    def _exactly_the_four_levels(cls, levels: list[LevelDef]) -> list[LevelDef]:
        problems: list[tuple[Loc, str]] = []
        if len(levels) != len(LEVELS):
            problems.append(((), f"der skal være præcis fire niveauer (fandt {len(levels)})"))
        for i, level in enumerate(levels[: len(LEVELS)]):
            number = i + 1
            if level.level != number:
                problems.append(((i, "level"), f"niveau nr. {number} skal have level: {number}"))
            if level.key != LEVEL_KEYS[number]:
                problems.append(
                    ((i, "key"), f"niveau {number} skal have key: {LEVEL_KEYS[number]}")
                )
            missing = [a for a in MINIMUM_ACTIONS[number] if a not in level.actions]
            if missing:
                problems.append(
                    (
                        (i, "actions"),
                        f"niveau {number} skal mindst have handlingen {_joined(missing)}",
                    )
                )
        if problems:
            _reject(problems)
        return levels

    def level(self, number: int) -> LevelDef:
        """The definition of level `number` (1–4)."""
        if number not in LEVELS:
            raise ValueError(f"der findes kun niveau 1–4, ikke {number}")
        return self.levels[number - 1]

    def action(self, key: ActionKey | str) -> ActionDef:
        """The definition of an action."""
        return self.actions[ACTION_ORDER.index(ActionKey(key))]


# --- catalogs/*.yaml -------------------------------------------------------------------------


class Indicator(_Model):
    """One observable sign, on one level."""

    id: IndicatorId = Field(
        description="'<katalog-id>.<område-id>.<engelsk-slug>', unikt og stabilt"
    )
    text: IndicatorText = Field(description="Det, man ser eller hører: én adfærd, 8–20 ord")
    level: LevelNumber = Field(description="1 generel trivsel … 4 svære problemer")
    critical: bool = Field(
        default=False,
        description="Kun på niveau 4 og kun efter overgrebsreglen: forældrene får det ikke "
        "at vide først",
    )
    acute: bool = Field(
        default=False,
        description="Kun på niveau 4: barnet er i fare nu, men forældrene er ikke mistænkt; "
        "handl straks, forældrene må gerne orienteres. Aldrig sammen med critical",
    )

    @model_validator(mode="after")
    def _critical_or_acute_only_at_level_4(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        if self.critical and self.level != 4:
            problems.append(
                (
                    ("critical",),
                    f"kun indikatorer på niveau 4 kan være kritiske (denne er på niveau "
                    f"{self.level})",
                )
            )
        if self.acute and self.level != 4:
            problems.append(
                (
                    ("acute",),
                    f"kun indikatorer på niveau 4 kan være akutte (denne er på niveau "
                    f"{self.level})",
                )
            )
        if self.critical and self.acute:
            problems.append(
                (
                    ("acute",),
                    "et tegn kan være kritisk (mistanke om overgreb, forældrene orienteres ikke "
                    "først) eller akut (fare nu, forældrene må orienteres), ikke begge dele",
                )
            )
        if problems:
            _reject(problems)
        return self


class Area(_Model):
    """An area of the child's life, with signs on every level."""

    id: Slug = Field(description="Områdets id, fx health")
    title: Text = Field(description="Områdets danske titel")
    description: Text | None = None
    indicators: list[Indicator] = Field(description="Tegn på alle fire niveauer, niveau 1 først")

    @field_validator("indicators")
    @classmethod
    def _every_level_present(
        cls, indicators: list[Indicator], info: ValidationInfo
    ) -> list[Indicator]:
        missing = [n for n in LEVELS if all(i.level != n for i in indicators)]
        if missing:
            area = f"området '{info.data['id']}'" if "id" in info.data else "området"
            _reject([((), f"{area} mangler indikatorer på niveau {_joined(missing)}")])
        return indicators


ThresholdLevel = Annotated[int, Field(ge=2, le=4)]
ThresholdCount = Annotated[int, Field(ge=1)]


class Catalog(_Model):
    """The indicators for one age band."""

    model_config = ConfigDict(json_schema_extra=_sources_required)

    id: Slug = Field(description='Katalogets id, fx "3-5"; filen hedder <id>.yaml')
    version: Annotated[int, Field(ge=1)]
    title: Text
    min_age_years: Age = Field(description="Yngste alder i hele år (med)")
    max_age_years: Age = Field(description="Ældste alder i hele år (med)")
    description: Text | None = None
    sources: list[SourceText] = _sources_field("katalogets tegn")
    # The reason comes first so that a raised threshold without one is reported at `thresholds`.
    thresholds_reason: Text | None = Field(
        default=None, description="Påkrævet, når en tærskel er over 1"
    )
    thresholds: dict[ThresholdLevel, ThresholdCount] = Field(
        default_factory=dict,
        description="Niveau (2–3) → antal tegn på det niveau eller højere; standard 1. "
        "Niveau 4 er altid 1",
        json_schema_extra={"propertyNames": {"enum": ["2", "3", "4"]}},
    )
    areas: list[Area] = Field(min_length=MIN_AREAS)

    _sources = field_validator("sources", mode="before")(_check_sources)

    @field_validator("max_age_years")
    @classmethod
    def _not_below_min_age(cls, max_age: int, info: ValidationInfo) -> int:
        min_age = info.data.get("min_age_years")
        if min_age is not None and max_age < min_age:
            _reject([((), f"max_age_years ({max_age}) er mindre end min_age_years ({min_age})")])
        return max_age

    @field_validator("thresholds")
    @classmethod
    def _reason_for_raised_threshold(
        cls, thresholds: dict[int, int], info: ValidationInfo
    ) -> dict[int, int]:
        if thresholds.get(4, 1) != 1:
            _reject(
                [
                    (
                        (4,),
                        "tærsklen for niveau 4 kan ikke hæves: ét alvorligt tegn er altid nok "
                        "til at underrette",
                    )
                ]
            )
        raised = {level: n for level, n in sorted(thresholds.items()) if n > 1}
        # An invalid reason is missing from info.data and is reported on its own.
        if raised and "thresholds_reason" in info.data and info.data["thresholds_reason"] is None:
            listed = _joined([f"niveau {level}: {n}" for level, n in raised.items()])
            _reject(
                [((), f"en tærskel over 1 ({listed}) kræver en begrundelse i thresholds_reason")]
            )
        return thresholds

    @field_validator("areas")
    @classmethod
    def _unique_and_prefixed_ids(cls, areas: list[Area], info: ValidationInfo) -> list[Area]:
        catalog_id = info.data.get("id")
        problems: list[tuple[Loc, str]] = []
        area_ids: set[str] = set()
        indicator_ids: set[str] = set()
        for a, area in enumerate(areas):
            if area.id in area_ids:
                problems.append(((a, "id"), f"område-id '{area.id}' er brugt mere end én gang"))
            area_ids.add(area.id)
            prefix = f"{catalog_id}.{area.id}."
            for i, indicator in enumerate(area.indicators):
                path: Loc = (a, "indicators", i, "id")
                if indicator.id in indicator_ids:
                    problems.append(
                        (path, f"indikator-id '{indicator.id}' er brugt mere end én gang")
                    )
                indicator_ids.add(indicator.id)
                if catalog_id is not None and not indicator.id.startswith(prefix):
                    problems.append(
                        (path, f"indikator-id '{indicator.id}' skal begynde med '{prefix}'")
                    )
        if problems:
            _reject(problems)
        return areas

    @cached_property
    def indicators_by_id(self) -> Mapping[str, Indicator]:
        """Every indicator by its id."""
        return {indicator.id: indicator for indicator in self.indicators()}

    def indicators(self) -> tuple[Indicator, ...]:
        """All indicators, area by area, in catalog order."""
        return tuple(indicator for area in self.areas for indicator in area.indicators)

    @property
    def person(self) -> str:
        """How the guidance speaks of the person in this band: "den unge" when the band's
        title says "Unge", else "barnet"."""
        return "den unge" if self.title.split()[0].casefold() == "unge" else "barnet"

    def speak_of(self, text: str) -> str:
        """A shared guidance text ("Barnet eller den unge …") in this band's own word."""
        person = self.person
        possessive = "den unges" if person == "den unge" else "barnets"
        for both, one in (
            ("barnets eller den unges", possessive),
            ("barnet eller den unge", person),
        ):
            text = text.replace(both, one).replace(both.capitalize(), one.capitalize())
        return text

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id; KeyError when the catalog has none."""
        return self.indicators_by_id[indicator_id]

    def threshold(self, level: int) -> int:
        """How many observed signs at `level` or above point to that level (levels 2–4)."""
        if level not in LEVELS[1:]:
            raise ValueError(f"tærskler findes kun for niveau 2–4, ikke {level}")
        return self.thresholds.get(level, 1)

    def covers(self, age: int) -> bool:
        """Whether a child of `age` whole years belongs to this catalog."""
        return self.min_age_years <= age <= self.max_age_years


# --- the catalogs together ---------------------------------------------------------------------

SetProblemKind = Literal[
    "duplicate_catalog_id", "duplicate_indicator_id", "age_gap", "age_overlap", "area_mismatch"
]


@dataclass(frozen=True)
class CatalogSetProblem:
    """A rule broken by the catalogs together; `catalog_index` is the catalog to fix, if one."""

    kind: SetProblemKind
    message: str
    catalog_index: int | None = None
    path: Loc = ()


def _ages(first: int, last: int) -> str:
    return f"alderen {first} år" if first == last else f"alderen {first}–{last} år"


def check_catalog_set(
    catalogs: Sequence[Catalog],
    *,
    names: Sequence[str] | None = None,
    also_covered: Collection[int] = (),
) -> list[CatalogSetProblem]:
    """Problems with the catalogs as a set: ids, ages 0–17 covered exactly once, and the same
    areas (ids and titles, in the same order) in every age band, so that a child's areas stay
    comparable from one band to the next.

    `names[i]` is how messages refer to `catalogs[i]` (a file name, say). Ages in
    `also_covered` belong to catalogs left out (say, files that could not be read) and are
    not reported as uncovered.
    """
    shown = list(names) if names is not None else [f"kataloget '{c.id}'" for c in catalogs]
    problems: list[CatalogSetProblem] = []

    first_with_id: dict[str, int] = {}
    owner: dict[str, int] = {}
    for index, catalog in enumerate(catalogs):
        if catalog.id in first_with_id:
            problems.append(
                CatalogSetProblem(
                    "duplicate_catalog_id",
                    f"katalog-id '{catalog.id}' er allerede brugt i "
                    f"{shown[first_with_id[catalog.id]]}",
                    index,
                    ("id",),
                )
            )
        first_with_id.setdefault(catalog.id, index)
        clashes: dict[int, list[tuple[Loc, str]]] = {}
        for a, area in enumerate(catalog.areas):
            for i, indicator in enumerate(area.indicators):
                if indicator.id in owner:
                    path: Loc = ("areas", a, "indicators", i, "id")
                    clashes.setdefault(owner[indicator.id], []).append((path, indicator.id))
        for other, found in clashes.items():
            ids = [f"'{indicator_id}'" for _, indicator_id in found]
            if len(ids) == 1:
                text = f"indikator-id {ids[0]} findes allerede i {shown[other]}"
            else:
                more = f" og {len(ids) - 3} flere" if len(ids) > 3 else ""
                listed = ", ".join(ids[:3]) + more if more else _joined(ids)
                text = f"indikator-id'erne {listed} findes allerede i {shown[other]}"
            problems.append(CatalogSetProblem("duplicate_indicator_id", text, index, found[0][0]))
        for indicator in catalog.indicators():
            owner.setdefault(indicator.id, index)

    return problems + _age_problems(catalogs, shown, also_covered) + _area_problems(catalogs, shown)


def _area_problems(catalogs: Sequence[Catalog], shown: Sequence[str]) -> list[CatalogSetProblem]:
    """Each catalog's areas against those of the youngest band (the first by age)."""
    if len(catalogs) < 2:
        return []
    ref = min(range(len(catalogs)), key=lambda i: (catalogs[i].min_age_years, i))
    expected = [(area.id, area.title) for area in catalogs[ref].areas]
    expected_ids = [area_id for area_id, _ in expected]
    titles = dict(expected)
    problems: list[CatalogSetProblem] = []
    for index, catalog in enumerate(catalogs):
        if index == ref:
            continue
        ids = [area.id for area in catalog.areas]
        found = len(problems)
        missing = [f"'{area_id}'" for area_id in expected_ids if area_id not in ids]
        if missing:
            problems.append(
                CatalogSetProblem(
                    "area_mismatch",
                    f"{'området' if len(missing) == 1 else 'områderne'} {_joined(missing)} "
                    f"mangler; alle aldersbånd skal have de samme områder som {shown[ref]}",
                    index,
                    ("areas",),
                )
            )
        for a, area in enumerate(catalog.areas):
            if area.id not in titles:
                problems.append(
                    CatalogSetProblem(
                        "area_mismatch",
                        f"området '{area.id}' findes ikke i {shown[ref]}; alle aldersbånd "
                        "skal have de samme områder",
                        index,
                        ("areas", a, "id"),
                    )
                )
            elif area.title != titles[area.id]:
                problems.append(
                    CatalogSetProblem(
                        "area_mismatch",
                        f"området '{area.id}' hedder '{titles[area.id]}' i {shown[ref]}: "
                        "brug samme titel i alle aldersbånd",
                        index,
                        ("areas", a, "title"),
                    )
                )
        if len(problems) == found and ids != expected_ids:
            problems.append(
                CatalogSetProblem(
                    "area_mismatch",
                    f"områderne står i en anden rækkefølge end i {shown[ref]}: "
                    + ", ".join(expected_ids),
                    index,
                    ("areas",),
                )
            )
    return problems


def _age_problems(
    catalogs: Sequence[Catalog], shown: Sequence[str], also_covered: Collection[int]
) -> list[CatalogSetProblem]:
    """Each run of ages covered by no catalog, or by more than one."""
    runs: list[tuple[int, int, tuple[int, ...]]] = []
    for age in range(MIN_AGE, MAX_AGE + 1):
        found_by = tuple(i for i, catalog in enumerate(catalogs) if catalog.covers(age))
        if age in also_covered and not found_by:
            found_by = (-1,)  # covered by a catalog left out
        if runs and runs[-1][2] == found_by:
            runs[-1] = (runs[-1][0], age, found_by)
        else:
            runs.append((age, age, found_by))
    problems: list[CatalogSetProblem] = []
    for first, last, found_by in runs:
        if not found_by:
            problems.append(_gap(catalogs, first, last))
        elif len(found_by) > 1:
            starts_inside = max(found_by, key=lambda i: (catalogs[i].min_age_years, i))
            problems.append(
                CatalogSetProblem(
                    "age_overlap",
                    f"{_ages(first, last)} dækkes af flere kataloger: "
                    f"{_joined([shown[i] for i in found_by])}",
                    starts_inside,
                    ("min_age_years",),
                )
            )
    return problems


def _gap(catalogs: Sequence[Catalog], first: int, last: int) -> CatalogSetProblem:
    """The gap, placed at the nearest band edge: the end of the catalog before it, or the
    start of the one after it."""
    edges = [
        (first - catalog.max_age_years, i, "max_age_years")
        for i, catalog in enumerate(catalogs)
        if catalog.max_age_years < first
    ] + [
        (catalog.min_age_years - last, i, "min_age_years")
        for i, catalog in enumerate(catalogs)
        if catalog.min_age_years > last
    ]
    message = f"intet katalog dækker {_ages(first, last)}"
    if not edges:
        return CatalogSetProblem("age_gap", message)
    _, index, key = min(edges, key=lambda edge: edge[0])
    return CatalogSetProblem("age_gap", message, index, (key,))


class Guide(BaseModel):
    """The levels and the catalogs, checked together."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    levels: LevelsConfig
    catalogs: tuple[Catalog, ...]

    @model_validator(mode="after")
    def _catalogs_form_a_set(self) -> Self:
        problems = check_catalog_set(self.catalogs)
        if problems:
            _reject([((), problem.message) for problem in problems])
        return self

    def catalog(self, catalog_id: str) -> Catalog:
        """The catalog with this id; KeyError when there is none."""
        for catalog in self.catalogs:
            if catalog.id == catalog_id:
                return catalog
        raise KeyError(catalog_id)


class NoCatalogForAge(LookupError):
    """No catalog covers the age."""

    def __init__(self, years: int) -> None:
        super().__init__(self._message(years))
        self.years = years

    @staticmethod
    def _message(years: int) -> str:
        return f"intet katalog dækker alderen {years} år"


class AgeOutOfRange(NoCatalogForAge):
    """The age is outside the guide's 0–17 years."""

    @staticmethod
    def _message(years: int) -> str:
        return f"alderen {years} år ligger uden for guidens {MIN_AGE}–{MAX_AGE} år"


def catalog_for_age(source: Guide | Iterable[Catalog], years: int) -> Catalog:
    """The catalog for a child of `years` whole years."""
    if not MIN_AGE <= years <= MAX_AGE:
        raise AgeOutOfRange(years)
    catalogs = source.catalogs if isinstance(source, Guide) else source
    for catalog in catalogs:
        if catalog.covers(years):
            return catalog
    raise NoCatalogForAge(years)


def age_in_years(birth_date: date, on: date) -> int:
    """Whole years between `birth_date` and `on`.

    A child born on 29 February turns a year older on 1 March in years without that day.
    """
    if on < birth_date:
        raise ValueError(f"{on.isoformat()} ligger før fødselsdatoen {birth_date.isoformat()}")
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a catalog file, for editors and `trivsel catalog schema`."""
    schema = Catalog.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


__all__ = [
    "ACTION_ORDER",
    "BREADTH_LEVEL",
    "LEVEL_KEYS",
    "MINIMUM_ACTIONS",
    "RULE_ERROR",
    "STORED_BEFORE_SOURCES",
    "ActionDef",
    "ActionKey",
    "AgeOutOfRange",
    "Area",
    "BreadthRule",
    "Catalog",
    "CatalogSetProblem",
    "Guidance",
    "Guide",
    "Indicator",
    "LevelDef",
    "LevelKey",
    "LevelsConfig",
    "NoCatalogForAge",
    "age_in_years",
    "catalog_for_age",
    "check_catalog_set",
    "contrast_ratio",
    "json_schema",
]
