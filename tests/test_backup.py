"""The backup procedure of docs/operations.md, for real: data made through the app, dumped
with tools/backup.sh, restored with tools/restore.sh into a new empty database, and read back
through the API of a real server (two uvicorn workers) started on it. Its logs, JSON, hold
neither the child's name nor the CPR number it served.

PostgreSQL only (``TEST_DATABASE_URL``), with pg_dump, pg_restore and psql on PATH."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app import db
from app.main import create_app
from app.settings import Settings
from tests.assessments.test_api import signs
from tests.conftest import POSTGRES_URL, login
from tests.factories import TEST_PASSWORD, make_org

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
BIN = Path(sys.executable).parent
SECRET = "backup-test-secret-key-0123456789-abcdefghij"
METRICS_TOKEN = "backup-test-metrics-token"
CHILD = {"first_name": "Rigmor", "last_name": "Vestergaard", "birth_date": "2021-06-07"}
CPR = "070621-4000"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL (PostgreSQL)"
    ),
    pytest.mark.skipif(
        not all(shutil.which(tool) for tool in ("pg_dump", "pg_restore", "psql")),
        reason="needs pg_dump, pg_restore and psql",
    ),
]


@pytest.fixture
def new_database() -> Iterator[Callable[[str], str]]:
    """Makes empty databases beside the test database; drops them at the end."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make(purpose: str) -> str:
        name = f"trivsel_{purpose}_{secrets.token_hex(4)}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in made:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "TRIVSEL_DATABASE_URL": url,
        "TRIVSEL_SECRET_KEY": SECRET,
    }


def _make_data(url: str) -> int:
    """An organisation, a child, a finished assessment and a notification with a CPR number,
    made through the app; the child's id."""
    db.upgrade(url)
    app = create_app(Settings(_env_file=None, database_url=url, secret_key=SECRET))
    with db.session_scope(app.state.engine) as session:
        make_org(session)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        staff = login(client, "staff")
        child = client.post("/api/v1/children", json=CHILD, headers=staff.headers).json()
        assessment = client.post(
            "/api/v1/assessments",
            json={"child_id": child["id"], "observed": signs(level=4)},
            headers=staff.headers,
        ).json()
        concern = client.post(
            "/api/v1/concerns",
            json={
                "assessment_id": assessment["id"],
                "kind": "notification",
                "message": "Bekymret.",
                "parents_informed": True,
                "cpr": CPR,
            },
            headers=staff.headers,
        )
        assert concern.status_code == 201, concern.text
    app.state.engine.dispose()
    return int(child["id"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(base: str, proc: subprocess.Popen[str], deadline: float) -> None:
    while True:
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError("the restored server did not become ready")
        time.sleep(0.1)  # polling the state, not waiting a fixed time


def test_a_dump_restored_into_an_empty_database_is_served(new_database, tmp_path):
    source = new_database("backup_source")
    child_id = _make_data(source)
    dump = tmp_path / "trivsel.dump"

    backup = subprocess.run(  # noqa: S603 - our own script
        [str(TOOLS / "backup.sh"), str(dump)], env=_env(source), capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.strip() == str(dump)
    assert dump.stat().st_mode & 0o077 == 0  # the owner's only
    assert not dump.with_name(dump.name + ".partial").exists()

    target = new_database("backup_target")
    restore = subprocess.run(  # noqa: S603
        [str(TOOLS / "restore.sh"), str(dump)], env=_env(target), capture_output=True, text=True
    )
    assert restore.returncode == 0, restore.stderr
    summary = json.loads(restore.stdout.strip().splitlines()[-2])  # retention's last line
    assert summary["dry_run"] is False
    again = subprocess.run(  # noqa: S603 - a second restore never overwrites
        [str(TOOLS / "restore.sh"), str(dump)], env=_env(target), capture_output=True, text=True
    )
    assert again.returncode == 1
    assert "restore into an empty one" in again.stderr

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**_env(target), "TRIVSEL_METRICS_TOKEN": METRICS_TOKEN, "TRIVSEL_LOG_FORMAT": "json"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path / "server.log"
    with log.open("w", encoding="utf-8") as output:
        proc = subprocess.Popen(  # noqa: S603
            [
                BIN / "trivsel",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_ready(base, proc, time.monotonic() + 60)
            with httpx.Client(base_url=base, timeout=10) as staff:
                session = staff.post(
                    "/api/v1/session", json={"username": "staff", "password": TEST_PASSWORD}
                )
                assert session.status_code == 200, session.text
                children = staff.get("/api/v1/children").json()
                assert [(c["id"], c["first_name"], c["last_name"]) for c in children] == [
                    (child_id, CHILD["first_name"], CHILD["last_name"])
                ]
            with httpx.Client(base_url=base, timeout=10) as social:
                token = social.post(
                    "/api/v1/session", json={"username": "social", "password": TEST_PASSWORD}
                ).json()["csrf_token"]
                (concern,) = social.get("/api/v1/concerns").json()
                revealed = social.post(
                    f"/api/v1/concerns/{concern['id']}/cpr",
                    json={"purpose": "Gendannelsesprøve"},
                    headers={"X-CSRF-Token": token},
                )
                assert revealed.json() == {"cpr": CPR}  # the key opens the restored numbers
            metrics = httpx.get(
                base + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
            )
            assert metrics.status_code == 200
            assert 'route="/api/v1/concerns/{concern_id}/cpr"' in metrics.text
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    access = [line for line in lines if line["logger"] == "trivsel.access"]
    assert len(access) >= 6
    assert all(line["request_id"] for line in access)
    text = log.read_text(encoding="utf-8")
    for secret in (CHILD["first_name"], CHILD["last_name"], CPR, CPR.replace("-", "")):
        assert secret not in text
