"""The ``trivsel`` command line."""

from __future__ import annotations

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from app import db
from app.accounts.models import District, Institution, User
from app.cli import cli

runner = CliRunner()


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {
        "TRIVSEL_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "TRIVSEL_DATA_DIR": str(tmp_path / "data"),
        "TRIVSEL_DEMO_PASSWORD": "demo-kodeord-123",
    }


def _session(env):
    return db.session_scope(db.make_engine(env["TRIVSEL_DATABASE_URL"]))


class TestDbUpgrade:
    def test_upgrade_migrates_an_empty_database(self, env):
        result = runner.invoke(cli, ["db", "upgrade"], env=env)
        assert result.exit_code == 0, result.output
        assert "version" in result.output
        assert runner.invoke(cli, ["db", "current"], env=env).exit_code == 0

    def test_current_fails_on_an_unmigrated_database(self, env):
        assert runner.invoke(cli, ["db", "current"], env=env).exit_code == 1


class TestDemoSeed:
    def test_refuses_an_unmigrated_database(self, env):
        result = runner.invoke(cli, ["demo", "seed"], env=env)
        assert result.exit_code == 1
        assert "trivsel db upgrade" in result.output

    def test_seeds_exactly_the_documented_organisation_and_is_repeatable(self, env):
        runner.invoke(cli, ["db", "upgrade"], env=env)
        for _ in range(2):
            result = runner.invoke(cli, ["demo", "seed"], env=env)
            assert result.exit_code == 0, result.output
        with _session(env) as s:
            districts = {d.id: d.name for d in s.exec(select(District)).all()}
            institutions = {
                i.name: districts[i.district_id] for i in s.exec(select(Institution)).all()
            }
            users = {u.username: u.role for u in s.exec(select(User)).all()}
        assert institutions == {
            "Børnehuset Mælkebøtten": "Nord",
            "Nordskolen": "Nord",
            "Vuggestuen Spiren": "Syd",
            "Sydskolen": "Syd",
        }
        assert users == {
            "paedagog": "staff",
            "laerer": "staff",
            "paedagog2": "staff",
            "leder": "leader",
            "raadgiver": "social_worker",
            "raadgiver2": "social_worker",
            "admin": "admin",
        }

    def test_short_demo_password_is_refused(self, env):
        runner.invoke(cli, ["db", "upgrade"], env=env)
        result = runner.invoke(cli, ["demo", "seed"], env={**env, "TRIVSEL_DEMO_PASSWORD": "kort"})
        assert result.exit_code == 1
        assert "TRIVSEL_DEMO_PASSWORD" in result.output


class TestServe:
    def test_demo_refuses_a_non_sqlite_database(self, env):
        result = runner.invoke(
            cli,
            ["serve", "--demo"],
            env={**env, "TRIVSEL_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/none"},
        )
        assert result.exit_code == 1
        assert "SQLite" in result.output


class TestUsersCreate:
    def test_creates_an_admin_with_a_prompted_password(self, env):
        runner.invoke(cli, ["db", "upgrade"], env=env)
        result = runner.invoke(
            cli,
            [
                "users",
                "create",
                "--username",
                "Chef",
                "--display-name",
                "Chef Admin",
                "--role",
                "admin",
            ],
            input="hemmeligt-kodeord\nhemmeligt-kodeord\n",
            env=env,
        )
        assert result.exit_code == 0, result.output
        assert "hemmeligt-kodeord" not in result.output
        with _session(env) as s:
            user = s.exec(select(User).where(User.username == "chef")).one()
            assert user.role == "admin"

    def test_invalid_user_is_refused_with_the_reason(self, env):
        runner.invoke(cli, ["db", "upgrade"], env=env)
        result = runner.invoke(
            cli,
            ["users", "create", "--username", "x y", "--display-name", "X", "--role", "staff"],
            input="kort\nkort\n",
            env=env,
        )
        assert result.exit_code == 1
        assert "username" in result.output
        assert "institution_id" in result.output


class TestCatalogCommands:
    def test_validate_accepts_the_shipped_content(self):
        result = runner.invoke(cli, ["catalog", "validate"])
        assert result.exit_code == 0, result.output
        assert "gyldigt" in result.output

    def test_validate_names_file_line_and_path_of_an_error(self, tmp_path):
        bad = tmp_path / "3-5.yaml"
        bad.write_text("id: '3-5'\nversion: 0\n", encoding="utf-8")
        result = runner.invoke(cli, ["catalog", "validate", str(bad)])
        assert result.exit_code == 1
        assert f"{bad}:2 version:" in result.output

    def test_schema_is_json_schema_of_a_catalog(self):
        import json

        result = runner.invoke(cli, ["catalog", "schema"])
        assert result.exit_code == 0
        schema = json.loads(result.output)
        assert "areas" in schema["properties"]
        assert schema["additionalProperties"] is False


class TestKeysRotateCpr:
    def test_refuses_an_unmigrated_database(self, env):
        result = runner.invoke(cli, ["keys", "rotate-cpr"], env=env)
        assert result.exit_code == 1
        assert "trivsel db upgrade" in result.output

    def test_says_what_it_did_and_fails_when_a_number_cannot_be_opened(self, env):
        from app.audit.models import AuditEvent
        from app.concerns import crypto

        assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
        env = {**env, "TRIVSEL_CPR_KEY": "new-cpr-key-0123456789abcdefghijklmnop old-cpr-key-0123"}
        result = runner.invoke(cli, ["keys", "rotate-cpr"], env=env)
        assert result.exit_code == 0, result.output
        assert "0 CPR-numre er krypteret med den første nøgle." in result.output

        # A number encrypted under a key that is not configured (any more).
        with _session(env) as session:
            _notification(session, crypto.cipher_for("a-key-nobody-has-0123456789abcdefgh"))
        result = runner.invoke(cli, ["keys", "rotate-cpr"], env=env)
        assert result.exit_code == 1
        assert "1 CPR-numre kunne ikke åbnes" in result.output
        with _session(env) as session:
            events = session.exec(select(AuditEvent).where(AuditEvent.action == "cpr:key_rotate"))
            assert len(list(events)) == 2


def _notification(session, cipher):
    """A notification about a child of the test organisation, its CPR number under ``cipher``."""
    import datetime as dt

    from app.catalogs import service as catalogs
    from app.concerns import service as concerns
    from tests.factories import id_of, make_child, make_finished_assessment, make_org, signs

    org = make_org(session)
    catalogs.import_shipped(session)
    staff = session.get_one(User, org.users["staff"])
    child = make_child(session, org.daycare_id, id_of(staff), birth_date=dt.date(2022, 3, 4))
    critical = signs(level=4, critical=True)
    finished = make_finished_assessment(session, staff, child, observed=critical)
    data = concerns.NotificationInput(
        message="Barnet fortalte i dag, at far slår.",
        parents_informed=False,
        parents_note="Ikke orienteret: mistanke om vold.",
        confirmed=True,
        cpr="0403224000",
    )
    return concerns.submit_notification(
        session, staff, assessment_id=id_of(finished), data=data, cipher=cipher
    )


class TestRetentionRun:
    def _migrated(self, env):
        assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0

    def test_prints_what_it_deleted_as_json_on_the_last_line(self, env):
        import datetime as dt
        import json

        from app.accounts.models import LoginAttempt

        self._migrated(env)
        with _session(env) as session:
            old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            session.add(LoginAttempt(username="x", client_ip="10.0.0.1", succeeded=False, at=old))

        dry = runner.invoke(
            cli, ["retention", "run", "--as-of", "2026-12-03", "--dry-run"], env=env
        )
        real = runner.invoke(cli, ["retention", "run", "--as-of", "2026-12-03"], env=env)

        assert dry.exit_code == 0, dry.output
        assert real.exit_code == 0, real.output
        dry_summary = json.loads(dry.stdout.strip().splitlines()[-1])
        summary = json.loads(real.stdout.strip().splitlines()[-1])
        assert dry_summary["dry_run"] is True
        assert dry_summary["rules"]["login_attempts"]["deleted"] == 1
        assert summary["rules"]["login_attempts"]["deleted"] == 1
        assert summary["as_of"] == "2026-12-03"
        assert "login_attempts: 1 slettet" in real.stderr
        with _session(env) as session:
            assert session.exec(select(LoginAttempt)).all() == []

    def test_a_bad_date_is_refused_with_the_reason(self, env):
        self._migrated(env)
        result = runner.invoke(cli, ["retention", "run", "--as-of", "3/12"], env=env)
        assert result.exit_code == 1
        assert "--as-of skal være en dato" in result.output

    def test_refuses_an_unmigrated_database(self, env):
        result = runner.invoke(cli, ["retention", "run"], env=env)
        assert result.exit_code == 1
        assert "ikke migreret" in result.output
