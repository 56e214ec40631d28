"""The HTML of an answer, read with types: BeautifulSoup's ``select_one`` may find nothing
(``Tag | None``) and an attribute may be a list of values. A test that reads an element
expects it on the page, and fails naming the selector when it is not."""

from __future__ import annotations

from bs4 import Tag


def one(node: Tag, selector: str) -> Tag:
    """The first element under ``node`` that ``selector`` matches."""
    found = node.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def by_id(node: Tag, element_id: str) -> Tag:
    """The element under ``node`` with this id (any characters: no CSS selector is parsed)."""
    found = node.find(id=element_id)
    assert isinstance(found, Tag), f"no element has the id {element_id!r}"
    return found


def attr(tag: Tag, name: str) -> str:
    """The value of the attribute ``name`` (a list-valued one, as ``class``, space-joined)."""
    value = tag.get(name)
    assert value is not None, f"<{tag.name}> has no {name!r} attribute"
    return value if isinstance(value, str) else " ".join(value)
