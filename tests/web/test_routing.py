"""The routing index picks what the router's own walk picks (app/web/route_index.py).

For every route of the app and paths made from it (sample parameters, a slash more or less, a
final newline, unknown paths, static files) and every method, a request dispatched through the
index and one through FastAPI's walk end in the same route with the same endpoint and path
parameters, or in the same 404, 405 or redirect. The routes' handlers are replaced by one that
records what it was given, so no view runs and no database is needed."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from app.main import create_app
from app.settings import Settings
from app.web import route_index
from app.web.route_index import IndexedDispatch
from bench.asgi import http_scope

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")
SAMPLES = {"int": ("7", "x"), "path": ("a/b.css",), "str": ("abc",), None: ("abc",)}
UNKNOWN = (
    "/",
    "/nope",
    "/api/v1/nope",
    "/api/v1/children/7/nope",
    "/static/app.css",
    "/static/",
    "/static",
    "/staticx",
    "/healthz/",
    "//healthz",
    "/api//v1/evaluate",
)


@pytest.fixture(scope="module")
def routed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app as create_app builds it (its database is never opened here)."""
    data = tmp_path_factory.mktemp("routing")
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{data / 'unused.db'}",
        data_dir=data,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
    )
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


def _templates(app: FastAPI) -> list[str]:
    return [path for context in iter_route_contexts(app.routes) if (path := context.path)]


def _paths(template: str) -> set[str]:
    paths = {""}
    parts = PARAM.split(template)  # literal, name, type, literal, ...
    for index in range(0, len(parts), 3):
        literal = parts[index]
        paths = {p + literal for p in paths}
        if index + 1 < len(parts):
            samples = SAMPLES.get(parts[index + 2], ("abc",))
            paths = {p + s for p in paths for s in samples}
    variants = set()
    for path in paths:
        variants |= {path, path + "/", path.rstrip("/") or "/", path + "\n"}
    return variants


def _recording(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every route answers 299 with what it was dispatched with (no view runs)."""

    async def handle(self: Any, scope: Scope, receive: Receive, send: Send) -> None:
        record = repr(
            (
                id(self),
                getattr(scope.get("endpoint"), "__qualname__", None),
                sorted(scope.get("path_params", {}).items()),
                scope.get("route") is self if isinstance(self, APIRoute) else None,
            )
        )
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": record.encode()})

    for cls in (APIRoute, Route, Mount):
        monkeypatch.setattr(cls, "handle", handle)


def _dispatch(app_call: Any, method: str, path: str) -> tuple[int, str, str]:
    scope = http_scope(method, path)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def run() -> None:
        try:
            await app_call(scope, receive, send)
        except Exception as exc:  # the walk raises HTTPException for a 404/405 in an app
            status = getattr(exc, "status_code", None)
            sent.append({"type": "http.response.start", "status": status, "headers": []})
            sent.append({"type": "http.response.body", "body": repr(exc).encode()})

    # In a thread of its own: a browser test before this one in the same worker may leave
    # an event loop running in this thread (Playwright's sync API), and asyncio.run refuses
    # to start a second one there.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = dict(start.get("headers") or [])
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers.get(b"location", b"").decode(), body.decode()


def _compare(app: FastAPI, monkeypatch: pytest.MonkeyPatch, extra: set[str]) -> int:
    """Dispatch every generated request both ways, assert the same outcome, and count the
    requests the index chose a route for (the rest went through the walk)."""
    _recording(monkeypatch)
    router = app.router
    indexed = router.middleware_stack
    assert isinstance(indexed, IndexedDispatch)
    walk = indexed.walk
    fallbacks = 0

    async def counted_walk(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal fallbacks
        fallbacks += 1
        await walk(scope, receive, send)

    monkeypatch.setattr(indexed, "walk", counted_walk)
    paths = set(extra)
    for template in _templates(app):
        paths |= _paths(template)
    requests = 0
    for path in sorted(paths):
        for method in METHODS:
            walked = _dispatch(router.app, method, path)
            assert _dispatch(indexed, method, path) == walked, (method, path)
            requests += 1
    return requests - fallbacks


def _overlapping_app() -> FastAPI:
    """Routes that shadow each other: a parameter before a literal, a mount before a route,
    one path with two methods in two routers, a nested router, a route with a literal tail."""
    app = FastAPI()

    @app.get("/a/{name}")
    async def a_name(name: str) -> str:
        return name

    @app.get("/a/new")
    async def a_new() -> str:
        return "new"  # pragma: no cover - shadowed

    @app.post("/a/new")
    async def a_new_post() -> str:
        return "post"

    app.mount("/m", app=FastAPI())

    @app.get("/m/x")
    async def m_x() -> str:
        return "x"  # pragma: no cover - shadowed

    outer, inner = APIRouter(), APIRouter()

    @inner.get("/c")
    async def inner_c() -> str:
        return "c"

    @inner.get("/{anything:path}")
    async def inner_any(anything: str) -> str:
        return anything

    outer.include_router(inner, prefix="/b")

    @outer.put("/b/c")
    async def outer_c() -> str:
        return "put"

    @outer.get("/q{suffix}")
    async def q_suffix(suffix: str) -> str:
        return suffix

    app.include_router(outer)

    # Shadowing across the app's own list: a route before an included router, an included
    # router before a route whose literal segments go deeper.
    @app.get("/r/{x}")
    async def r_x(x: str) -> str:
        return x

    rest, deep = APIRouter(), APIRouter()

    @rest.get("/r/{y:path}")
    async def r_y(y: str) -> str:
        return y

    @rest.get("/s/{x:path}")
    async def s_x(x: str) -> str:
        return x

    app.include_router(rest)

    @deep.get("/s/t/{y}")
    async def s_t(y: str) -> str:
        return y  # pragma: no cover - shadowed

    app.include_router(deep)

    @app.get("/q")
    async def q() -> str:
        return "q"

    route_index.install(app)
    return app


class TestIndexedDispatch:
    def test_the_app_routes_through_the_index(self, routed_app: FastAPI) -> None:
        assert isinstance(routed_app.router.middleware_stack, IndexedDispatch)

    def test_every_route_and_method_is_dispatched_as_the_walk_dispatches_it(
        self, routed_app: FastAPI, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        by_index = _compare(routed_app, monkeypatch, set(UNKNOWN))
        assert by_index > 300  # the index chose the route itself, without the walk

    def test_overlapping_routes_are_tried_in_their_order(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        extra = {"/a/new", "/b/c", "/m/x", "/q", "/s/t/u"}
        by_index = _compare(_overlapping_app(), monkeypatch, extra)
        assert by_index > 20

    def test_a_path_the_index_answers_costs_a_few_candidates(self, routed_app: FastAPI) -> None:
        dispatch = routed_app.router.middleware_stack
        assert isinstance(dispatch, IndexedDispatch)
        index = dispatch.index()
        assert len(index.candidates("/api/v1/evaluate")) == 1
        assert len(index.candidates("/api/v1/children/7")) < 10


class TestRoutesAddedLater:
    def test_a_router_included_after_the_first_request_is_routed(self, client: TestClient) -> None:
        assert client.get("/healthz").status_code == 200
        later = APIRouter()

        @later.get("/later/{item}")
        async def later_item(item: int) -> dict[str, int]:
            return {"item": item}

        assert client.get("/later/3").status_code == 404
        client.app.include_router(later)  # type: ignore[attr-defined]
        assert client.get("/later/3").json() == {"item": 3}

    def test_a_route_added_to_an_included_router_is_routed(self, client: TestClient) -> None:
        assert client.get("/healthz").status_code == 200
        child = APIRouter()
        client.app.include_router(child, prefix="/child")  # type: ignore[attr-defined]
        assert client.get("/child/x").status_code == 404

        @child.get("/x")
        async def child_x() -> dict[str, str]:
            return {"x": "y"}

        assert client.get("/child/x").json() == {"x": "y"}


class TestOrdinaryRequests:
    def test_health_answers_and_a_wrong_method_is_refused(self, client: TestClient) -> None:
        assert client.get("/healthz").json()["status"] == "ok"
        assert client.post("/healthz").status_code == 405

    def test_a_static_file_is_served_and_an_unknown_page_is_a_404(self, client: TestClient) -> None:
        assert client.get("/static/app.css").status_code == 200
        assert client.get("/ingen-side").status_code == 404


class TestInstall:
    def test_a_router_with_middleware_of_its_own_keeps_its_walk(self) -> None:
        app = FastAPI()

        async def own(scope: Scope, receive: Receive, send: Send) -> None:
            await app.router.app(scope, receive, send)  # pragma: no cover - never called

        app.router.middleware_stack = own
        assert route_index.install(app) is None
        assert app.router.middleware_stack is own

    def test_a_fastapi_without_the_steps_it_repeats_keeps_its_walk(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(route_index, "_route_selected", None)
        app = FastAPI()
        assert route_index.install(app) is None
        assert app.router.middleware_stack == app.router.app
