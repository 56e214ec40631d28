"""The questionnaire's lists of signs: the catalog's part rendered once per catalog version.

An area's list is some 12 signs, each a checkbox with the sign's text and its level's marker
(two Jinja macro calls); for the 85 signs of a catalog that was about a third of the page's
CPU (docs/performance.md, issue 14). What a sign's item looks like depends only on the
catalog, so its HTML is made once per parsed catalog (the catalogs service keeps one object
per stored content, so a newly published version is a new object and gets its own) with the
page's own macro, in two halves around the one per-draft part, `` checked``; a page joins the
halves with the draft's ticks. The cache holds nothing but catalog content: no child, draft or
user ever reaches it (``tests/assessments/test_sign_list.py``).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import jinja2
from markupsafe import Markup, escape

from app.guide.schema import Catalog

MACROS = "_macros/levels.html"
CHECKED = " checked"


@dataclass(frozen=True)
class SignItem:
    """One sign's ``<li>`` as the questionnaire renders it, around its ``checked``."""

    indicator_id: str
    head: str
    tail: str


#: id(catalog) → (a weak reference to it, its areas' items); an entry goes with its catalog.
_items: dict[int, tuple[weakref.ref[Catalog], dict[str, tuple[SignItem, ...]]]] = {}
_lock = threading.Lock()


def _build(catalog: Catalog, env: jinja2.Environment) -> dict[str, tuple[SignItem, ...]]:
    marker = env.get_template(MACROS).module.marker  # type: ignore[attr-defined]
    return {
        area.id: tuple(
            SignItem(
                indicator.id,
                f'<li><label><input type="checkbox" name="observed" value="{escape(indicator.id)}"',
                f">\n<span><span>{escape(indicator.text)}</span> "
                f"<span>{marker(indicator.level, indicator.critical, indicator.acute)}</span>"
                "</span></label></li>\n",
            )
            for indicator in area.indicators
        )
        for area in catalog.areas
    }


def catalog_items(catalog: Catalog, env: jinja2.Environment) -> dict[str, tuple[SignItem, ...]]:
    """area id → its signs' items, made once per catalog object."""
    key = id(catalog)
    with _lock:
        hit = _items.get(key)
    if hit is not None and hit[0]() is catalog:
        return hit[1]
    items = _build(catalog, env)

    def forget(_: object, key: int = key) -> None:
        with _lock:
            _items.pop(key, None)

    with _lock:
        _items[key] = (weakref.ref(catalog, forget), items)
    return items


def area_lists(catalog: Catalog, env: jinja2.Environment, observed: set[str]) -> dict[str, Markup]:
    """area id → the ``<li>`` items of its signs, those in ``observed`` ticked: what the
    questionnaire's ``{% for indicator in area.indicators %}`` loop rendered."""
    return {
        area_id: Markup(  # noqa: S704 - the ids and texts were escaped in _build
            "".join(
                item.head + CHECKED + item.tail
                if item.indicator_id in observed
                else item.head + item.tail
                for item in items
            )
        )
        for area_id, items in catalog_items(catalog, env).items()
    }


def cached_catalogs() -> int:
    """How many catalogs have items made (for the tests)."""
    with _lock:
        return len(_items)
