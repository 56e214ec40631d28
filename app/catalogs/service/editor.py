"""The form editor's rules: which drafts it can edit, one area at a time, the search over
the signs' texts, and what a saved form (with its move, add or remove) does to the draft.

Plain data in and out (the draft's YAML and the form's fields as strings): the views only
read the request and render. Forms parse strictly: a field or operation that does not fit
is ``Invalid`` with a Danish message, and nothing is changed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel

from app.catalogs.service.content import levels
from app.errors import Invalid
from app.guide.loader import dump_catalog
from app.guide.schema import Area, Catalog, Indicator

_OP_RE = re.compile(r"(add|remove|up|down):([0-9]{1,4})(?::([0-9]{1,4}))?", re.ASCII)
_WHOLE_RE = re.compile(r"[0-9]{1,3}", re.ASCII)
_CATALOG_ID_RE = re.compile(r"^id:\s*['\"]?([a-z0-9-]+)", re.MULTILINE)

OP_STALE = "Tegnet findes ikke længere i kladden. Genindlæs siden, og prøv igen."
FORM_UNAVAILABLE = (
    "Formularen kan ikke bruges, fordi kladdens fil ikke har katalogets opbygning. Ret den "
    "under »Filformat«."
)


@dataclass(frozen=True)
class FormOp:
    """A button of the form: add a sign to an area, or move or remove one."""

    kind: str
    area: int
    index: int | None


@dataclass(frozen=True)
class SearchHit:
    """A sign whose text matches the search, and where it is in the form."""

    area: int
    index: int
    area_title: str
    text: str
    level: object
    critical: bool
    acute: bool = False


def _required(model: type[BaseModel]) -> list[str]:
    return [name for name, field in model.model_fields.items() if field.is_required()]


def _has_shape(value: object, model: type[BaseModel]) -> bool:
    return isinstance(value, dict) and all(key in value for key in _required(model))


def form_data(text: str) -> dict[str, Any] | None:
    """The draft as the form edits it, or None when its YAML does not have the catalog's
    shape (a mapping with the catalog's fields, whose areas and signs are mappings with
    theirs): then only the file view can mend it."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not _has_shape(data, Catalog) or not isinstance(data["areas"], list):
        return None
    for area in data["areas"]:
        if not _has_shape(area, Area) or not isinstance(area["indicators"], list):
            return None
        if not all(_has_shape(indicator, Indicator) for indicator in area["indicators"]):
            return None
    if not isinstance(data.get("thresholds", {}), dict):
        return None
    if not isinstance(data.get("sources", []), list):
        return None
    shaped: dict[str, Any] = data
    return shaped


def level_options() -> list[tuple[int, str]]:
    """The level choices of a sign: number and name, from levels.yaml."""
    return [(level.level, f"{level.level} {level.name}") for level in levels().levels]


def search(data: Mapping[str, Any], query: str) -> list[SearchHit]:
    """The signs whose text holds every word of ``query`` (case does not matter)."""
    words = query.casefold().split()
    if not words:
        return []
    hits = []
    for a, area in enumerate(data["areas"]):
        for i, indicator in enumerate(area["indicators"]):
            text = str(indicator.get("text", ""))
            if all(word in text.casefold() for word in words):
                hits.append(
                    SearchHit(
                        area=a,
                        index=i,
                        area_title=str(area.get("title", "")),
                        text=text,
                        level=indicator.get("level"),
                        critical=bool(indicator.get("critical")),
                        acute=bool(indicator.get("acute")),
                    )
                )
    return hits


def catalog_id_of(text: str) -> str:
    """The ``id:`` of a new catalog's YAML, or "" when it names none."""
    match = _CATALOG_ID_RE.search(text)
    return match.group(1) if match else ""


def sources_of(text: str) -> list[str]:
    """The form's sources field, one source per line (blank lines left out)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def sources_text(data: Mapping[str, Any]) -> str:
    """The draft's sources as the form shows them, one per line."""
    return "\n".join(str(source) for source in data.get("sources") or [])


def parse_op(value: str) -> FormOp | None:
    """The form's operation (``add:2``, ``remove:2:5``, ``up:…``, ``down:…``), None for a
    plain save; anything else is Invalid."""
    if not value:
        return None
    match = _OP_RE.fullmatch(value)
    if match is None or (match.group(1) != "add") == (match.group(3) is None):
        raise Invalid.field("op", OP_STALE)
    index = int(match.group(3)) if match.group(3) is not None else None
    return FormOp(kind=match.group(1), area=int(match.group(2)), index=index)


def _whole_years(fields: Mapping[str, str], key: str) -> int:
    value = fields[key].strip()
    if not _WHOLE_RE.fullmatch(value):
        raise Invalid.field(key, "Skriv alderen som et helt antal år, fx 3.")
    return int(value)


def _level(fields: Mapping[str, str], key: str) -> int:
    allowed = {str(number): number for number, _name in level_options()}
    value = fields[key].strip()
    if value not in allowed:
        raise Invalid.field(key, "Vælg et af de fire niveauer.")
    return allowed[value]


def apply_form(
    data: Mapping[str, Any], fields: Mapping[str, str], *, catalog_id: str
) -> dict[str, Any]:
    """The draft with the form's fields and operation applied. Only the fields the form
    sent change (the form shows one area at a time); a sign keeps its id."""
    out = dict(data)
    for key in ("title", "description"):
        if key in fields:
            out[key] = fields[key].strip()
    if not out.get("description"):
        out.pop("description", None)
    for key in ("min_age_years", "max_age_years"):
        if key in fields:
            out[key] = _whole_years(fields, key)
    if "sources" in fields:
        out["sources"] = sources_of(fields["sources"])
    areas = []
    for a, raw_area in enumerate(data["areas"]):
        area = dict(raw_area)
        if f"area-{a}-title" in fields:
            area["title"] = fields[f"area-{a}-title"].strip()
        indicators = []
        for i, raw_indicator in enumerate(raw_area["indicators"]):
            indicator = dict(raw_indicator)
            prefix = f"ind-{a}-{i}"
            if f"{prefix}-text" in fields:
                indicator["text"] = fields[f"{prefix}-text"].strip()
                if f"{prefix}-level" in fields:
                    indicator["level"] = _level(fields, f"{prefix}-level")
                for flag in ("critical", "acute"):
                    if fields.get(f"{prefix}-{flag}") == "1":
                        indicator[flag] = True
                    else:
                        indicator.pop(flag, None)
            indicators.append(indicator)
        area["indicators"] = indicators
        areas.append(area)
    op = parse_op(fields.get("op", ""))
    if op is not None:
        _apply_op(areas, op, catalog_id=catalog_id)
    out["areas"] = areas
    return out


def _apply_op(areas: list[dict[str, Any]], op: FormOp, *, catalog_id: str) -> None:
    if op.area >= len(areas):
        raise Invalid.field("op", OP_STALE)
    indicators: list[dict[str, Any]] = areas[op.area]["indicators"]
    if op.kind == "add":
        taken = {str(i.get("id")) for area in areas for i in area["indicators"]}
        n = len(indicators) + 1
        while f"{catalog_id}.{areas[op.area].get('id', '')}.nyt-tegn-{n}" in taken:
            n += 1
        new_id = f"{catalog_id}.{areas[op.area].get('id', '')}.nyt-tegn-{n}"
        indicators.append({"id": new_id, "text": "", "level": 1})
        return
    index = op.index if op.index is not None else -1
    if not 0 <= index < len(indicators):
        raise Invalid.field("op", OP_STALE)
    if op.kind == "remove":
        indicators.pop(index)
    elif op.kind == "up" and index > 0:
        indicators[index - 1], indicators[index] = indicators[index], indicators[index - 1]
    elif op.kind == "down" and index < len(indicators) - 1:
        indicators[index + 1], indicators[index] = indicators[index], indicators[index + 1]


def _construct(model: type[BaseModel], data: Mapping[str, Any]) -> Any:
    return model.model_construct(**{k: v for k, v in data.items() if k in model.model_fields})


def form_yaml(data: Mapping[str, Any]) -> str:
    """The edited draft as YAML, written by ``dump_catalog`` like every catalog file, also
    while it is not yet valid (a new sign without text): nothing typed is lost."""
    areas = [
        _construct(
            Area,
            {**area, "indicators": [_construct(Indicator, i) for i in area["indicators"]]},
        )
        for area in data["areas"]
    ]
    catalog = _construct(Catalog, {**data, "sources": data.get("sources", []), "areas": areas})
    return dump_catalog(catalog)
