"""The HTML of an answer, read with types: BeautifulSoup's ``select_one`` may find nothing
(``Tag | None``) and an attribute may be a list of values. A test that reads an element
expects it on the page, and fails naming the selector when it is not."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag

#: The header HTMX sends with every request it makes (a fragment is answered, not a page).
HX = {"HX-Request": "true"}


def soup(response: Any) -> BeautifulSoup:
    """The answer's HTML, parsed."""
    return BeautifulSoup(response.text, "html.parser")


def post(user: Any, url: str, data: dict[str, Any] | None = None, *, hx: bool = False) -> Any:
    """A form post by a logged-in test user (its CSRF token added), redirects not followed."""
    return user.client.post(
        url,
        data={"csrf_token": user.csrf_token, **(data or {})},
        headers=HX if hx else {},
        follow_redirects=False,
    )


def target(response: Any, hx: bool) -> str:
    """Where a form post sends the browser: ``HX-Redirect`` for HTMX, else ``Location``."""
    return response.headers["HX-Redirect" if hx else "location"]


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
