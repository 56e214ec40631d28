"""create_app(settings): middleware, routers, error handling."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app import db, runtime
from app.accounts import api as accounts_api
from app.accounts import views as accounts_views
from app.accounts.oidc import OidcClient
from app.assessments import api as assessments_api
from app.assessments import views as assessments_views
from app.audit import views as audit_views
from app.catalogs import api as catalogs_api
from app.catalogs import service as catalogs
from app.catalogs import views as catalogs_views
from app.children import api as children_api
from app.children import views as children_views
from app.concerns import api as concerns_api
from app.concerns import views as concerns_views
from app.concerns.crypto import cipher_for
from app.contacts import api as contacts_api
from app.contacts import service as contacts_service
from app.contacts import views as contacts_views
from app.handovers import api as handovers_api
from app.handovers import views as handovers_views
from app.joint import api as joint_api
from app.joint import views as joint_views
from app.meetings import api as meetings_api
from app.meetings import views as meetings_views
from app.offline import api as offline_api
from app.offline import assets as offline_assets
from app.offline import views as offline_views
from app.rounds import api as rounds_api
from app.rounds import views as rounds_views
from app.settings import Settings
from app.start import views as start_views
from app.web import errors, health, metrics, route_index
from app.web.deps import csrf_protect
from app.web.middleware import Compression, SecurityMiddleware
from app.web.templating import make_templates

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
logger = logging.getLogger("trivsel")


class NotMigratedError(RuntimeError):
    """The database is not at the code's schema version."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The Trivselsguiden ASGI app for ``settings`` (default: from the environment)."""
    settings = settings or Settings()
    engine = db.make_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        current, head = db.migration_state(engine)
        if current != head:
            raise NotMigratedError(
                f"Databasen er ikke migreret (er på {current or 'ingen version'}, koden kræver "
                f"{head}). Kør `trivsel db upgrade` før appen startes."
            )
        with db.session_scope(engine) as session:
            imported = catalogs.import_shipped(session)
        if imported:
            logger.info("imported shipped catalogs: %s", ", ".join(imported))
        # Last: what start-up built (catalogs, templates, mappers) is frozen out of the
        # collector's walks, and the thresholds are raised (app.runtime, once per process).
        runtime.tune_garbage_collector(enabled=settings.gc_tuning)
        yield
        engine.dispose()

    app = FastAPI(
        title="Trivselsguiden",
        version="1",
        summary="Trivsels- og bekymringsguide for kommunens børn",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(csrf_protect)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = sessionmaker(engine, class_=Session, expire_on_commit=False)
    app.state.read_only_session_factory = sessionmaker(
        db.read_only_engine(engine), class_=Session, expire_on_commit=False
    )
    app.state.secret_key = settings.resolved_secret_key()
    app.state.cpr_cipher = cipher_for(*settings.cpr_secrets())
    app.state.templates = make_templates()
    token = settings.metrics_token
    # No token: nothing is counted, and /metrics answers 404 (api.md).
    app.state.metrics = (
        metrics.Metrics(engine) if token is not None and token.get_secret_value() else None
    )
    app.state.oidc_client = OidcClient.from_settings(settings)
    app.state.asset_version = offline_assets.asset_version()
    app.state.templates.env.globals["asset_version"] = app.state.asset_version
    # The page warns before the idle timeout when work is unsaved (static/js/session.js).
    app.state.templates.env.globals["oidc_enabled"] = settings.oidc_enabled
    app.state.templates.env.globals["password_login"] = settings.password_login
    app.state.templates.env.globals["session_idle_seconds"] = settings.session_idle_minutes * 60
    catalogs.shipped_guide()  # parse and validate the shipped content once, at start
    contacts_service.shipped_offers()

    app.add_middleware(
        SecurityMiddleware,
        max_body_bytes=settings.max_body_bytes,
        hsts=settings.cookie_secure,
        trusted_proxies=settings.trusted_proxy_networks,
        compression=Compression(),
        form_action_origins=settings.oidc_origins(),
        metrics=app.state.metrics,
    )
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in (
        health.router,
        metrics.router,
        start_views.router,
        accounts_views.router,
        accounts_api.router,
        audit_views.router,
        catalogs_api.router,
        catalogs_views.router,
        contacts_api.router,
        contacts_views.router,
        children_views.router,
        children_api.router,
        joint_api.children_router,
        assessments_views.router,
        assessments_api.router,
        joint_views.router,
        joint_api.router,
        handovers_views.router,
        handovers_api.router,
        meetings_views.router,
        meetings_api.router,
        concerns_views.router,
        concerns_api.router,
        rounds_views.router,
        rounds_api.router,
        offline_views.router,
        offline_api.router,
    ):
        app.include_router(router)
    concerns_views.install(app)
    joint_views.install(app)
    handovers_views.install(app)
    meetings_views.install(app)
    offline_views.install(app)
    # The router's walk by an index of literal paths (app/web/route_index.py); rebuilt on
    # first use after the routes change, so a route added later is routed too.
    route_index.install(app)
    return app
