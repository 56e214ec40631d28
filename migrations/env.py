"""Alembic environment: reads the one SQLModel metadata; batch mode on SQLite."""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from alembic import context

from app.db import UTCDateTime, make_engine
from app.models import metadata

config = context.config
target_metadata = metadata
if config.config_file_name and os.environ.get("TRIVSEL_DATABASE_URL"):
    # The alembic CLI (alembic.ini) follows the same variable as the app.
    config.set_main_option("sqlalchemy.url", os.environ["TRIVSEL_DATABASE_URL"].replace("%", "%%"))


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our UTCDateTime as a plain timezone-aware DateTime in migration files."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=render_item,
        compare_type=True,
        compare_server_default=False,
        **kwargs,
    )


def run_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    _configure(url=url, literal_binds=True, render_as_batch=str(url).startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    engine = make_engine(str(config.get_main_option("sqlalchemy.url")))
    with engine.connect() as conn:
        _run_with(conn)
    engine.dispose()


def _run_with(connection: sa.Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
