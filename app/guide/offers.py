"""The municipality's offers (indsatstrappen): ``guide_content/offers.yaml``.

Pure: the standard library and pydantic only, validated like the catalogs (every problem with
its path, so that :mod:`app.guide.loader` points at its line)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from app.guide.schema import (
    LevelNumber,
    Slug,
    SourceText,
    Text,
    _check_sources,
    _Model,
    _reject,
    _sources_field,
)

MAX_OFFERS = 60


class Offer(_Model):
    """One offer: for which levels, who may refer to it, how, and whom to contact."""

    id: Slug = Field(description="Fast id med små bogstaver, tal og bindestreger")
    title: Text
    description: Text
    levels: list[LevelNumber] = Field(description="De niveauer (1-4), tilbuddet passer til")
    who_can_refer: Text = Field(description="Hvem der kan henvise (eller: familien selv)")
    how: Text = Field(description="Sådan henviser man eller tager kontakt")
    contact: Text = Field(description="Hvem man kontakter: enhed, telefon eller mail")
    legal_basis: Text | None = Field(default=None, description="Hjemlen, hvis der er en")

    @field_validator("levels")
    @classmethod
    def _levels_once(cls, levels: list[int]) -> list[int]:
        if not levels:
            _reject([((), "levels er tom: skriv mindst ét niveau (1-4)")])
        if len(set(levels)) != len(levels):
            _reject([((), "et niveau står flere gange i levels")])
        return sorted(levels)


class OfferLadder(_Model):
    """The whole file: a version, the sources and the offers in the order staff see them."""

    version: int = Field(ge=1)
    title: Text
    sources: list[SourceText] = _sources_field("tilbuddenes beskrivelser")
    offers: list[Offer] = Field(max_length=MAX_OFFERS)

    _sources = field_validator("sources", mode="before")(_check_sources)

    @model_validator(mode="after")
    def _unique_and_covering(self) -> OfferLadder:
        problems = []
        seen: dict[str, int] = {}
        for index, offer in enumerate(self.offers):
            if offer.id in seen:
                problems.append(
                    (
                        ("offers", index, "id"),
                        f"id'et '{offer.id}' er allerede brugt (tilbud nr. {seen[offer.id] + 1})",
                    )
                )
            seen.setdefault(offer.id, index)
        if problems:
            _reject(problems)
        return self

    def for_level(self, level: int | None) -> list[Offer]:
        """The offers for ``level`` (every offer for None), in the file's order."""
        return [o for o in self.offers if level is None or level in o.levels]
