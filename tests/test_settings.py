"""Settings: the secret key is generated once and kept; the database defaults to SQLite."""

from __future__ import annotations

import stat

from app.settings import Settings


class TestSecretKey:
    def test_generated_on_first_start_kept_after_and_private(self, tmp_path):
        settings = Settings(_env_file=None, data_dir=tmp_path / "d")
        first = settings.resolved_secret_key()
        assert len(first) >= 32
        assert settings.resolved_secret_key() == first
        key_file = tmp_path / "d" / "secret_key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    def test_configured_key_wins_and_nothing_is_written(self, tmp_path):
        settings = Settings(
            _env_file=None,
            data_dir=tmp_path,
            secret_key="x" * 40,
        )
        assert settings.resolved_secret_key() == "x" * 40
        assert not (tmp_path / "secret_key").exists()

    def test_two_installations_get_different_keys(self, tmp_path):
        a = Settings(_env_file=None, data_dir=tmp_path / "a")
        b = Settings(_env_file=None, data_dir=tmp_path / "b")
        assert a.resolved_secret_key() != b.resolved_secret_key()


class TestDatabaseUrl:
    def test_default_is_sqlite_under_the_data_dir(self, tmp_path):
        settings = Settings(_env_file=None, data_dir=tmp_path)
        assert settings.resolved_database_url == f"sqlite:///{tmp_path.as_posix()}/trivsel.db"
        assert settings.is_sqlite

    def test_postgres_url_is_used_as_given(self, tmp_path):
        url = "postgresql+psycopg://app@db.internal/trivsel"
        settings = Settings(_env_file=None, database_url=url)
        assert settings.resolved_database_url == url
        assert not settings.is_sqlite


class TestCprKeys:
    def test_without_a_cpr_key_the_secret_key_is_used(self, tmp_path):
        settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="s" * 40)
        assert settings.cpr_secrets() == ["s" * 40]

    def test_several_keys_the_first_encrypts(self, tmp_path):
        settings = Settings(
            _env_file=None,
            data_dir=tmp_path,
            cpr_key=" new-key, old-key  older-key ",
        )
        assert settings.cpr_secrets() == ["new-key", "old-key", "older-key"]

    def test_an_empty_cpr_key_means_the_secret_key(self, tmp_path):
        settings = Settings(_env_file=None, data_dir=tmp_path, secret_key="s" * 40, cpr_key=" ")
        assert settings.cpr_secrets() == ["s" * 40]
