"""The ``trivsel`` command: serve, migrate, manage users, seed demo data, validate content."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from app import db
from app.accounts.passwords import password_problem
from app.settings import Settings

cli = typer.Typer(help="Trivselsguiden", no_args_is_help=True, add_completion=False)
db_cli = typer.Typer(help="Databasen", no_args_is_help=True)
users_cli = typer.Typer(help="Brugere", no_args_is_help=True)
demo_cli = typer.Typer(help="Demodata", no_args_is_help=True)
catalog_cli = typer.Typer(help="Guidens indhold (kataloger)", no_args_is_help=True)
keys_cli = typer.Typer(help="Nøgler", no_args_is_help=True)
retention_cli = typer.Typer(help="Slettefrister", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(users_cli, name="users")
cli.add_typer(demo_cli, name="demo")
cli.add_typer(catalog_cli, name="catalog")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(retention_cli, name="retention")


def _fail(message: str) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


def _demo_password(settings: Settings) -> tuple[str, bool]:
    """The demo password from TRIVSEL_DEMO_PASSWORD, or a random one (and whether random)."""
    if settings.demo_password is not None and settings.demo_password.get_secret_value():
        return settings.demo_password.get_secret_value(), False
    return secrets.token_urlsafe(9), True


def _seed_demo(settings: Settings) -> None:
    password, generated = _demo_password(settings)
    problem = password_problem(password)
    if problem:
        raise _fail(f"TRIVSEL_DEMO_PASSWORD kan ikke bruges: {problem}")
    from app import demo

    engine = db.make_engine(settings.resolved_database_url)
    with db.session_scope(engine) as session:
        demo.seed(session, password=password)
    engine.dispose()
    users = ", ".join(user.username for user in demo.USERS)
    typer.echo(f"Demodata klar. Brugere: {users}.")
    if generated:
        typer.secho(f"Adgangskode for alle demobrugere: {password}", fg=typer.colors.YELLOW)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How ``serve`` runs uvicorn (the load benchmark runs the app with the same options).

    The access log is the app's own (``trivsel.access``, one line per request from
    ``web.middleware`` with the route template, never the path's query string, which may hold
    a searched name); uvicorn's is off. Lines are JSON or plain text (``TRIVSEL_LOG_FORMAT``,
    ``app.logs``); the access lines go to stdout, everything else to stderr."""
    from app.logs import logging_config

    return {
        "proxy_headers": False,  # the app reads them, from TRIVSEL_TRUSTED_PROXIES only
        "log_level": settings.log_level,
        "log_config": logging_config(settings.log_level, settings.log_format),
        "access_log": False,
        "server_header": False,  # no "server: uvicorn": nothing to learn about the stack
    }


def _prepare_multiprocess_metrics(settings: Settings) -> None:
    """Several workers share their metrics through files in ``PROMETHEUS_MULTIPROC_DIR``
    (prometheus-client's multiprocess mode): made when unset, emptied of the last run's
    files when set. Only with a metrics token (no token: no metrics are kept)."""
    import os
    import tempfile

    if settings.metrics_token is None or not settings.metrics_token.get_secret_value():
        return
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="trivsel-metrics-")
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for kind in ("counter", "histogram", "gauge", "summary"):
        for stale in path.glob(f"{kind}_*.db"):  # prometheus-client's files, nothing else
            stale.unlink()


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Adresse at lytte på")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Demotilstand med demodata")] = False,
    force_demo: Annotated[
        bool, typer.Option("--force-demo", help="Tillad demo på en anden database end SQLite")
    ] = False,
    workers: Annotated[
        int, typer.Option(envvar="TRIVSEL_WORKERS", help="Antal processer (kun PostgreSQL)")
    ] = 1,
) -> None:
    """Start the web server (the embedded SQLite database is migrated automatically)."""
    import uvicorn

    settings = Settings(demo=True) if demo else Settings()
    if settings.demo and not settings.is_sqlite and not force_demo:
        raise _fail(
            "Demotilstand bruges kun med den indbyggede SQLite-database. Brug --force-demo, "
            "hvis du virkelig vil lægge demodata i en anden database."
        )
    if settings.is_sqlite:
        db.upgrade(settings.resolved_database_url)
    if settings.demo:
        _seed_demo(settings)
    settings.resolved_secret_key()
    if workers > 1:
        if settings.is_sqlite:
            raise _fail("Flere processer kræver PostgreSQL (TRIVSEL_DATABASE_URL).")
        _prepare_multiprocess_metrics(settings)
        uvicorn.run(
            "app.asgi:app", host=host, port=port, workers=workers, **uvicorn_options(settings)
        )
        return
    from app.logs import resolve_format
    from app.main import create_app

    if resolve_format(settings.log_format) == "plain":  # JSON logs: uvicorn's line says it
        typer.echo(f"Trivselsguiden kører på http://{host}:{port}/")
    uvicorn.run(create_app(settings), host=host, port=port, **uvicorn_options(settings))


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database (TRIVSEL_DATABASE_URL) to the newest schema."""
    settings = Settings()
    db.upgrade(settings.resolved_database_url, revision)
    engine = db.make_engine(settings.resolved_database_url)
    current, _head = db.migration_state(engine)
    engine.dispose()
    typer.echo(f"Databasen er på version {current}.")


@db_cli.command("current")
def db_current() -> None:
    """Show the database's schema version and the code's."""
    engine = db.make_engine(Settings().resolved_database_url)
    current, head = db.migration_state(engine)
    engine.dispose()
    typer.echo(f"database: {current or 'ingen'}\nkode:     {head}")
    if current != head:
        raise typer.Exit(code=1)


@users_cli.command("create")
def users_create(
    username: Annotated[str, typer.Option(prompt="Brugernavn")],
    display_name: Annotated[str, typer.Option(prompt="Fulde navn")],
    role: Annotated[str, typer.Option(prompt="Rolle (staff, leader, social_worker, admin)")],
    institution_id: Annotated[int | None, typer.Option(help="Institution (staff, leader)")] = None,
    district_id: Annotated[int | None, typer.Option(help="Distrikt (social_worker)")] = None,
    password: Annotated[
        str, typer.Option(prompt="Adgangskode", hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create a user (the password is prompted for, never given on the command line)."""
    from app.accounts import service
    from app.errors import Invalid

    engine = db.make_engine(Settings().resolved_database_url)
    try:
        with db.session_scope(engine) as session:
            user = service.create_user(
                session,
                None,
                username=username,
                display_name=display_name,
                role=role,
                password=password,
                institution_id=institution_id,
                district_id=district_id,
            )
            typer.echo(f"Bruger {user.username} oprettet (id {user.id}).")
    except Invalid as error:
        for detail in error.details:
            typer.secho(f"{detail['field']}: {detail['message']}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1) from error
    finally:
        engine.dispose()


@demo_cli.command("seed")
def demo_seed() -> None:
    """Create (or reset) the demo organisation and users."""
    settings = Settings()
    if not db.is_migrated(db.make_engine(settings.resolved_database_url)):
        raise _fail("Databasen er ikke migreret. Kør `trivsel db upgrade` først.")
    _seed_demo(settings)


@catalog_cli.command("validate")
def catalog_validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Filer eller mapper")] = None,
) -> None:
    """Validate guide content (default: the shipped guide_content/)."""
    from app.guide.loader import validate_paths

    targets = paths or [Path(__file__).resolve().parent.parent / "guide_content"]
    issues = validate_paths(targets)
    for issue in issues:
        typer.echo(str(issue))
    if issues:
        typer.secho(f"{len(issues)} fejl fundet.", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1)
    typer.echo("Indholdet er gyldigt.")


@catalog_cli.command("schema")
def catalog_schema() -> None:
    """Print the JSON Schema of a catalog file (for editors that validate as you type)."""
    import json

    from app.guide.schema import json_schema

    sys.stdout.write(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n")


def main() -> None:
    """Entry point of the ``trivsel`` script."""
    cli()


@keys_cli.command("rotate-cpr")
def keys_rotate_cpr() -> None:
    """Encrypt every stored CPR number again with the first key of TRIVSEL_CPR_KEY.

    Put the new key first and keep the old one after it (TRIVSEL_CPR_KEY="new old"), restart
    the app, run this, then remove the old key (docs/operations.md)."""
    from app.concerns import crypto, service

    settings = Settings()
    engine = db.make_engine(settings.resolved_database_url)
    try:
        if not db.is_migrated(engine):
            raise _fail("Databasen er ikke migreret. Kør `trivsel db upgrade` først.")
        secrets_ = settings.cpr_secrets()
        with db.session_scope(engine) as session:
            result = service.rotate_cpr_numbers(session, crypto.cipher_for(*secrets_))
    finally:
        engine.dispose()
    typer.echo(f"{result.rotated} CPR-numre er krypteret med den første nøgle.")
    if len(secrets_) == 1:
        typer.echo("Kun én nøgle er sat: numrene er krypteret med den samme nøgle igen.")
    if result.unreadable:
        raise _fail(
            f"{result.unreadable} CPR-numre kunne ikke åbnes med nogen af nøglerne i "
            "TRIVSEL_CPR_KEY. Tilføj den nøgle, de blev krypteret med, og kør kommandoen igen."
        )


@retention_cli.command("run")
def retention_run(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Kør som på denne dato (ÅÅÅÅ-MM-DD); standard dagens dato i Danmark"
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Tæl kun: slet intet, skriv intet i auditloggen")
    ] = False,
) -> None:
    """Delete what has passed its retention time; print a JSON summary on the last line."""
    import datetime as dt
    import json

    from app.retention import service as retention
    from app.retention.rules import RetentionPolicy

    settings = Settings()
    try:
        day = dt.date.fromisoformat(as_of) if as_of else db.local_today()
    except ValueError:
        raise _fail(f"--as-of skal være en dato som 2026-12-03, ikke {as_of!r}.") from None
    engine = db.make_engine(settings.resolved_database_url)
    if not db.is_migrated(engine):
        raise _fail("Databasen er ikke migreret. Kør `trivsel db upgrade` først.")
    policy = RetentionPolicy(
        session_days=settings.retention_session_days,
        login_attempt_days=settings.retention_login_attempt_days,
        consultation_days=settings.retention_consultation_days,
        notification_days=settings.retention_notification_days,
        child_years=settings.retention_child_years,
        audit_years=settings.retention_audit_years,
    )
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        summary = retention.run(session, policy, as_of=day, dry_run=dry_run)
    verb = "ville blive slettet" if dry_run else "slettet"
    for name, rule in summary.rules.items():
        typer.echo(f"{name}: {rule.deleted} {verb}", err=True)
    sys.stdout.write(json.dumps(summary.as_json(), ensure_ascii=False, sort_keys=True) + "\n")
