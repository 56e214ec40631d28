"""Jinja2 templates: autoescaped, with the current user, CSRF token and helpers as globals."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from fastapi.templating import Jinja2Templates
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.web import htmx

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
COPENHAGEN = ZoneInfo("Europe/Copenhagen")

ContextHook = Callable[[Request], Mapping[str, Any]]
"""Adds to every page's context; a domain registers one at app start-up (the header counts of
the concerns domain), so that ``app.web`` itself imports no domain."""

PageHook = Callable[[Request, Mapping[str, Any]], Mapping[str, Any]]
"""Adds to one page's context, given what its view put there: how a higher domain shows its
part on a lower domain's page (the concerns sent from a finished assessment on its result
page), so that the lower domain never imports the higher one."""

PAGE_DEFAULTS: dict[str, Any] = {"header_counts": None}
"""What every template may rely on even when no hook sets it."""


def local_time(value: dt.datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """A UTC timestamp shown in Danish local time."""
    if value is None:
        return ""
    return value.astimezone(COPENHAGEN).strftime(fmt)


def danish_date(value: dt.date | None) -> str:
    """A date as dd.mm.yyyy."""
    return value.strftime("%d.%m.%Y") if value else ""


_WEB_ADDRESS = re.compile(r"(https?://[^\s<>\"']+?)(?=[.,;:)]*(?:\s|$))")


def link_parts(text: str) -> list[tuple[str, bool]]:
    """A text split into its plain parts and its web addresses (http/https only), each
    (part, is_address), so a template can link the addresses and escape everything."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in _WEB_ADDRESS.finditer(text):
        if match.start() > position:
            parts.append((text[position : match.start()], False))
        parts.append((match.group(1), True))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], False))
    return parts


_UNCACHED = ""


def _url_template(app: Any, name: str, params: tuple[str, ...]) -> str:
    """The path of route ``name`` with a marker for each of ``params``, made once per app:
    finding the route walks FastAPI's route table (about 1 ms at 60 routers, so a list of 100
    children's links cost 100 ms: docs/performance.md). ``_UNCACHED`` for a route whose
    parameter is typed (``{id:int}``): those go the slow way."""
    templates: dict[tuple[str, tuple[str, ...]], str] | None = getattr(
        app.state, "url_templates", None
    )
    if templates is None:
        templates = {}
        app.state.url_templates = templates
    key = (name, params)
    if key not in templates:
        try:
            path = str(app.url_path_for(name, **{p: f"\x00{p}\x00" for p in params}))
        except (ValueError, AssertionError, TypeError):
            path = _UNCACHED
        templates[key] = path
    return templates[key]


_MEMO_LIMIT = 512
"""How many paths with text parameters :func:`path_for` keeps per app: the static files and
catalog ids a page links to are a few dozen; a cap so that no caller can grow it."""


def _memo_path(app: Any, name: str, params: tuple[tuple[str, str], ...]) -> str:
    """Starlette's ``url_path_for(name, **params)``, remembered per app for text values (the
    route table does not change after start-up; a value Starlette refuses raises each time
    and is not remembered)."""
    memo: dict[tuple[str, tuple[tuple[str, str], ...]], str] | None = getattr(
        app.state, "url_memo", None
    )
    if memo is None:
        memo = {}
        app.state.url_memo = memo
    key = (name, params)
    path = memo.get(key)
    if path is None:
        path = str(app.url_path_for(name, **dict(params)))
        if len(memo) < _MEMO_LIMIT:
            memo[key] = path
    return path


@jinja2.pass_context
def url_for(context: dict[str, Any], name: str, /, **path_params: Any) -> str:
    """A root-relative URL for a named route (never absolute: safe behind a TLS proxy)."""
    return path_for(context["request"], name, **path_params)


def path_for(request: Request, name: str, /, **path_params: Any) -> str:
    """The root-relative path of a named route, as ``request.url_for(…).path`` gives it.
    A route without parameters, or with integer ones (ids), fills a template made once per
    route; text values (a static file, a catalog id) go through Starlette's own
    ``url_path_for`` and its checks once per app and value; anything else every time.
    For a view that makes a link per row (the start page's to-do)."""
    root: str = request.scope.get("root_path", "")
    if all(type(v) is int for v in path_params.values()):
        template = _url_template(request.app, name, tuple(sorted(path_params)))
        if template:
            for key, value in path_params.items():
                template = template.replace(f"\x00{key}\x00", str(value))
            return root + template
    if all(type(v) is str or type(v) is int for v in path_params.values()):
        return root + _memo_path(request.app, name, tuple(sorted(path_params.items())))
    return root + str(request.app.url_path_for(name, **path_params))


def make_templates() -> Jinja2Templates:
    """The app's template environment."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["local_time"] = local_time
    env.filters["danish_date"] = danish_date
    env.filters["link_parts"] = link_parts
    templates = Jinja2Templates(env=env)
    env.globals["url_for"] = url_for
    return templates


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    fragment: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page, or only ``fragment`` for an HTMX request; always ``Vary: HX-Request``."""
    templates: Jinja2Templates = request.app.state.templates
    name = fragment if fragment and htmx.is_htmx(request) else template
    # A fragment (``_name.html``) has no header: the hooks' values (the header counts, a query
    # each) are for whole pages only, so an HTMX tick does not pay for them.
    ctx = base_context(request, page=not name.rpartition("/")[2].startswith("_"))
    ctx.update(context or {})
    for hook in getattr(request.app.state, "page_hooks", {}).get(template, []):
        ctx.update(hook(request, ctx))
    response = templates.TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers
    )
    htmx.add_vary(response)
    return response


def add_context_hook(app: Starlette, hook: ContextHook) -> None:
    """Register ``hook``: its values are added to the context of every page ``app`` renders."""
    hooks: list[ContextHook] = getattr(app.state, "context_hooks", [])
    app.state.context_hooks = [*hooks, hook]


def add_page_hook(app: Starlette, template: str, hook: PageHook) -> None:
    """Register ``hook`` for the page ``template``: its values are added to that page's context
    (also when an HTMX request gets only one of its fragments)."""
    hooks: dict[str, list[PageHook]] = getattr(app.state, "page_hooks", {})
    app.state.page_hooks = {**hooks, template: [*hooks.get(template, []), hook]}


def base_context(request: Request, *, page: bool = True) -> dict[str, Any]:
    """What every template may use: the user, the CSRF token, settings, and (for a whole
    ``page``) what the registered context hooks add."""
    settings = request.app.state.settings
    context: dict[str, Any] = {
        "current_user": getattr(request.state, "current_user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "demo": settings.demo,
        "municipality_name": settings.municipality_name,
        "accessibility_statement_url": settings.accessibility_statement_url,
        **PAGE_DEFAULTS,
    }
    if page:
        for hook in getattr(request.app.state, "context_hooks", []):
            context.update(hook(request))
    return context
