"""Routing by an index of the routes' literal paths: the same choice as the router's own walk.

FastAPI's router (Starlette's semantics) walks the app's route list in order and runs every
route's regex until one matches fully; an included router answers by walking its own routes.
With some 160 routes, a request for a route near the end paid 150–350 µs for that walk
(docs/performance.md). :class:`IndexedDispatch` sits where the router's ASGI call lands
(``Router.middleware_stack``, which is ``Router.app`` unless the router has middleware of its
own) and, for an HTTP request, tries only the routes that could match the path, in their
original order:

- a path that is some route's literal template (no parameters) maps to every route whose
  regex matches it, found when the index is built;
- any other path: the routes whose literal leading segments (up to their first parameter)
  are the path's leading segments, found in a trie of those segments.

Every other route cannot match the path at all (its regex starts with a literal the path does
not start with), so the first route that matches FULLY among the candidates is the one the
walk would pick; the index then hands the request to that route's top-level entry exactly as
the walk does. When no candidate matches fully — a wrong method (405), a slash to redirect, a
404 — the request goes through the router's own walk, so those answers are Starlette's own.
A route the index cannot read (not a plain route or mount, or a regex that is not what its
template compiles to) is a candidate for every path.

The index is built on first use and rebuilt when the routes change (the router's route
version, which counts included routers' changes, and the length of its list).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi import routing as fastapi_routing
from starlette.routing import Match, Mount, compile_path
from starlette.types import Receive, Scope, Send

logger = logging.getLogger("trivsel.routing")

# FastAPI's own steps when its walk picks a route (``APIRouter.app``); without them (another
# FastAPI version) the index is not installed and the router walks as before.
_update_scope: Callable[[Scope, Scope], None] | None = getattr(
    fastapi_routing, "_update_scope", None
)
_route_selected: Callable[..., None] | None = getattr(fastapi_routing, "_route_selected", None)
_apply_form_limits: Callable[[Scope, Any], None] | None = getattr(
    fastapi_routing, "_apply_router_form_limits", None
)

try:
    from starlette._utils import get_route_path
except ImportError:  # pragma: no cover - another Starlette version

    def get_route_path(scope: Scope) -> str:
        """The path below the root path, as Starlette's routes match it."""
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        return path[len(root_path) :] if root_path and path.startswith(root_path) else path


@dataclass(frozen=True, slots=True)
class Candidate:
    """A route the walk could try: ``leaf`` is matched, ``top`` (its entry in the router's
    list: the route itself or the included router holding it) is what the walk hands on."""

    order: int
    top: Any
    leaf: Any


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    own: list[Candidate] = field(default_factory=list)
    candidates: tuple[Candidate, ...] = ()


@dataclass(slots=True)
class RouteIndex:
    """Candidates by exact literal path, and a trie of leading literal segments."""

    exact: dict[str, tuple[Candidate, ...]]
    root: _Node

    def candidates(self, path: str) -> tuple[Candidate, ...]:
        """The routes that could match ``path``, in the router's order."""
        found = self.exact.get(path)
        if found is not None:
            return found
        node = self.root
        if path.startswith("/"):
            # Only segments followed by a slash: a route's literal segments end in one.
            for segment in path.split("/")[1:-1]:
                child = node.children.get(segment)
                if child is None:
                    break
                node = child
        return node.candidates


def _leaves(top: Any) -> Iterable[Any]:
    contexts = getattr(top, "effective_route_contexts", None)
    if contexts is None:
        return (top,)
    return tuple(contexts())


def _template(leaf: Any) -> str | None:
    """The path template the leaf's regex was compiled from, or None when the index cannot
    tell (then the leaf is tried for every path)."""
    route = getattr(leaf, "starlette_route", None) or leaf
    path = getattr(route, "path", None)
    regex = getattr(route, "path_regex", None)
    if not isinstance(path, str) or regex is None:
        return None
    template = path.rstrip("/") + "/{path:path}" if isinstance(route, Mount) else path
    if compile_path(template)[0].pattern != regex.pattern:
        return None
    return template


def _segments(template: str | None) -> tuple[str, ...]:
    """The literal segments a path must start with (each followed by a slash)."""
    if template is None or not template.startswith("/"):
        return ()
    literal = template.split("{", 1)[0]
    return tuple(literal.split("/")[1:-1])


def _literal(template: str | None) -> bool:
    return template is not None and "{" not in template


def build(routes: list[Any]) -> RouteIndex:
    """The index of ``routes`` (a router's list, included routers expanded)."""
    leaves: list[tuple[Candidate, str | None]] = []
    for top in routes:
        for leaf in _leaves(top):
            leaves.append((Candidate(len(leaves), top, leaf), _template(leaf)))
    root = _Node()
    for candidate, template in leaves:
        if _literal(template):
            continue  # its regex matches its template only (and that with a final newline)
        node = root
        for segment in _segments(template):
            node = node.children.setdefault(segment, _Node())
        node.own.append(candidate)

    def finish(node: _Node, inherited: tuple[Candidate, ...]) -> None:
        node.candidates = tuple(sorted((*inherited, *node.own), key=lambda c: c.order))
        for child in node.children.values():
            finish(child, node.candidates)

    finish(root, ())
    exact: dict[str, tuple[Candidate, ...]] = {}
    for _, template in leaves:
        if template is None or not _literal(template):
            continue
        # ``$`` in a route's regex also matches before a final newline (a path with "%0A").
        for path in (template, template + "\n"):
            exact[path] = tuple(c for c, t in leaves if t is None or _regex(c).match(path))
    return RouteIndex(exact=exact, root=root)


def _regex(candidate: Candidate) -> Any:
    route = getattr(candidate.leaf, "starlette_route", None) or candidate.leaf
    return route.path_regex


def _routers(router: Any) -> tuple[Any, ...]:
    """``router`` and the routers included in it, at any depth."""
    found: dict[int, Any] = {}
    pending = [router]
    while pending:
        current = pending.pop()
        if id(current) in found:
            continue
        found[id(current)] = current
        for route in current.routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                pending.append(included)
    return tuple(found.values())


def _version(router: Any, routers: tuple[Any, ...]) -> tuple[int, int]:
    """Changes when a route is added anywhere: FastAPI counts its routers' changes (what its
    own included routers check), and the top list's length covers a plain append."""
    return len(router.routes), sum(getattr(r, "_routes_version", 0) for r in routers)


class IndexedDispatch:
    """The router's ASGI entry: the indexed choice for a FULL match, else the router's walk."""

    def __init__(
        self,
        router: Any,
        update_scope: Callable[[Scope, Scope], None],
        route_selected: Callable[..., None],
    ) -> None:
        self.router = router
        self._update_scope = update_scope
        self._route_selected = route_selected
        self.walk = router.app
        self._index: RouteIndex | None = None
        self._routers: tuple[Any, ...] = ()
        self._version: tuple[int, int] | None = None

    def index(self) -> RouteIndex:
        """The current index (rebuilt when the routes changed since it was built)."""
        if self._index is None or _version(self.router, self._routers) != self._version:
            self._routers = _routers(self.router)
            self._version = _version(self.router, self._routers)
            self._index = build(list(self.router.routes))
        return self._index

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            chosen = self.choose(scope)
            if chosen is not None:
                await self._handle(chosen[0], chosen[1], scope, receive, send)
                return
        await self.walk(scope, receive, send)

    def choose(self, scope: Scope) -> tuple[Any, Scope] | None:
        """The top-level route the walk would pick for ``scope`` on a FULL match, and the
        scope changes that route's ``matches`` gives; None when no candidate matches fully."""
        for candidate in self.index().candidates(get_route_path(scope)):
            match, child_scope = candidate.leaf.matches(scope)
            if match == Match.FULL:
                if candidate.top is candidate.leaf:
                    return candidate.top, child_scope
                # An included router matches FULLY when one of its routes does, and its
                # ``matches`` gives no scope changes: it routes again inside when it handles.
                return candidate.top, {}
        return None

    async def _handle(
        self, route: Any, child_scope: Scope, scope: Scope, receive: Receive, send: Send
    ) -> None:
        # What APIRouter.app does before its walk and when the walk picks ``route``.
        if _apply_form_limits is not None:
            _apply_form_limits(scope, getattr(self.router, "form_limits", {}))
        if "router" not in scope:
            scope["router"] = self.router
        self._update_scope(scope, child_scope)
        self._route_selected(
            scope=scope,
            path=getattr(route, "path_format", None),
            mount=isinstance(route, Mount),
        )
        await route.handle(scope, receive, send)


def install(app: FastAPI) -> IndexedDispatch | None:
    """Route ``app``'s requests through the index (None, and the walk as before, when this
    FastAPI lacks the steps the index repeats or the router has middleware of its own)."""
    router = app.router
    if _update_scope is None or _route_selected is None:
        logger.warning("routing index not installed: FastAPI's router has changed")
        return None
    if router.middleware_stack != router.app:
        logger.warning("routing index not installed: the router has its own middleware")
        return None
    dispatch = IndexedDispatch(router, _update_scope, _route_selected)
    router.middleware_stack = dispatch
    return dispatch
