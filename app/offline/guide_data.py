"""The guide content as plain JSON for the browser's engine (static/guide-engine.js).

One shape for the service worker's cache, the questionnaire's offline summary and the
JS-parity test, so that the JavaScript rules run on exactly what the Python rules run on.
Catalog content is public guidance: nothing here is personal data.
"""

from __future__ import annotations

from typing import Any

from app.guide.schema import LEVELS, Catalog, Guidance, LevelsConfig


def _guidance(guidance: Guidance) -> dict[str, str]:
    return {
        "what_to_do": guidance.what_to_do,
        "who_to_involve": guidance.who_to_involve,
        "parents": guidance.parents,
    }


def levels_data(levels: LevelsConfig) -> dict[str, Any]:
    """levels.yaml as JSON: actions, the four levels, the guidance for critical and for acute
    signs, and the breadth rule (null when there is none)."""
    return {
        "actions": [
            {"key": a.key.value, "name": a.name, "description": a.description}
            for a in levels.actions
        ],
        "levels": [
            {
                "level": level.level,
                "key": level.key.value,
                "name": level.name,
                "color": level.color,
                "text_color": level.text_color,
                "description": level.description,
                "actions": [action.value for action in level.actions],
                "follow_up_days": level.follow_up_days,
                "guidance": _guidance(level.guidance),
            }
            for level in levels.levels
        ],
        "critical_guidance": _guidance(levels.critical_guidance),
        "acute_guidance": _guidance(levels.acute_guidance),
        "breadth": None if levels.breadth is None else levels.breadth.model_dump(),
    }


def catalog_data(catalog: Catalog) -> dict[str, Any]:
    """One catalog version as JSON, with every threshold spelled out."""
    return {
        "id": catalog.id,
        "version": catalog.version,
        "title": catalog.title,
        "min_age_years": catalog.min_age_years,
        "max_age_years": catalog.max_age_years,
        "thresholds": {str(level): catalog.threshold(level) for level in LEVELS[1:]},
        "areas": [
            {
                "id": area.id,
                "title": area.title,
                "indicators": [
                    {
                        "id": i.id,
                        "text": i.text,
                        "level": i.level,
                        "critical": i.critical,
                        "acute": i.acute,
                    }
                    for i in area.indicators
                ],
            }
            for area in catalog.areas
        ],
    }
