"""The migrations produce exactly the models' schema, and the app refuses an un-migrated one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient

from app import db
from app.main import NotMigratedError, create_app
from app.models import metadata


class TestMigrations:
    def test_migrations_match_the_models(self, app):
        with app.state.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []

    def test_database_is_at_head(self, app):
        current, head = db.migration_state(app.state.engine)
        assert current == head is not None

    def test_downgrade_and_upgrade_round_trip_on_sqlite(self, tmp_path):
        url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
        db.upgrade(url)
        db.upgrade(url)  # idempotent
        from alembic import command

        command.downgrade(db.alembic_config(url), "base")
        engine = db.make_engine(url)
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        db.upgrade(url)
        assert "audit_event" in sa.inspect(engine).get_table_names()
        engine.dispose()


class TestUnmigratedDatabase:
    def test_app_refuses_to_start_with_a_clear_message(self, settings, tmp_path):
        empty = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'x.db'}"})
        app = create_app(empty)
        with pytest.raises(NotMigratedError, match="trivsel db upgrade"), TestClient(app):
            pass

    def test_readyz_reports_ready_on_a_migrated_database(self, client):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["database"] == "ok"

    def test_healthz_needs_no_database(self, client):
        assert client.get("/healthz").json() == {"status": "ok"}
