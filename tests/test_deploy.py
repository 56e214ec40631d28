"""compose.yaml, the Dockerfile and the example env file say what docs/operations.md promises
(checked without Docker; .ci/run also runs ``docker compose config`` where Docker is)."""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
FINAL_STAGE = DOCKERFILE.rsplit("\nFROM ", 1)[1]


def test_the_services_start_in_order_db_migrate_then_app_and_retention():
    assert set(SERVICES) == {"db", "migrate", "app", "retention"}
    assert SERVICES["db"]["healthcheck"]["test"][0] == "CMD-SHELL"
    assert "pg_isready" in SERVICES["db"]["healthcheck"]["test"][1]
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in SERVICES["db"]["volumes"])
    assert SERVICES["migrate"]["command"] == ["trivsel", "db", "upgrade"]
    assert SERVICES["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("app", "retention"):
        assert SERVICES[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }


def test_the_app_runs_two_workers_and_requires_its_secrets():
    app = SERVICES["app"]
    assert app["environment"]["TRIVSEL_WORKERS"] == "${TRIVSEL_WORKERS:-2}"
    for name in ("TRIVSEL_SECRET_KEY", "TRIVSEL_CPR_KEY"):
        assert re.fullmatch(rf"\$\{{{name}:\?.+\}}", app["environment"][name])
    assert ":${POSTGRES_PASSWORD:?" in app["environment"]["TRIVSEL_DATABASE_URL"]
    assert app["read_only"] is True


def test_the_app_is_published_on_the_loopback_and_a_proxy_there_is_trusted():
    # Plain HTTP is for the TLS proxy on this host: not on every interface by default.
    assert SERVICES["app"]["ports"] == [
        "${TRIVSEL_BIND_ADDRESS:-127.0.0.1}:${TRIVSEL_PORT:-8000}:8000"
    ]
    # Such a proxy reaches the app from the compose network's gateway; the subnet is fixed, so
    # the example names that gateway as the trusted proxy (else all clients share one address).
    subnet = COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"]
    default_subnet = re.fullmatch(r"\$\{TRIVSEL_SUBNET:-(.+)\}", subnet)
    assert default_subnet is not None
    gateway = str(next(ipaddress.ip_network(default_subnet.group(1)).hosts()))
    example = (ROOT / "compose.env.example").read_text(encoding="utf-8").splitlines()
    assert f"TRIVSEL_TRUSTED_PROXIES={gateway}" in example
    assert f"TRIVSEL_SUBNET={default_subnet.group(1)}" in example


def test_retention_stops_at_once_and_runs_every_night():
    script = SERVICES["retention"]["command"][-1]
    assert "trivsel retention run" in script
    assert "while :" in script
    # PID 1 ignores SIGTERM without a trap; the sleep in the background lets the trap run.
    assert script.startswith("trap 'exit 0' TERM INT\n")
    assert re.search(r"sleep \$\$\(\(.+\)\) & wait \$\$!\n", script)
    # The shell's sleep until 02:30 UTC, with compose's $$ unescaped, at three times of day.
    expression = re.search(r"sleep \$\$\(\( (.+) \)\)", script)
    assert expression is not None
    for now, expected in ((0, 9001), (9000, 1), (9001, 86400)):
        arithmetic = expression.group(1).replace("$$(date -u +%s)", str(now))
        assert eval(arithmetic) == expected  # noqa: S307 - integers from this test only


def test_the_example_env_file_names_every_required_value():
    example = (ROOT / "compose.env.example").read_text(encoding="utf-8")
    names = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}
    required = set(re.findall(r"\$\{(\w+):\?", (ROOT / "compose.yaml").read_text("utf-8")))
    assert required == {"POSTGRES_PASSWORD", "TRIVSEL_SECRET_KEY", "TRIVSEL_CPR_KEY"}
    assert required <= names
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored


def test_the_image_is_multi_stage_non_root_with_a_health_check():
    assert DOCKERFILE.count("\nFROM ") == 2
    assert "AS build" in DOCKERFILE
    assert "COPY --from=build /opt/venv /opt/venv" in FINAL_STAGE
    assert re.search(r"^USER trivsel$", FINAL_STAGE, re.MULTILINE)
    assert "HEALTHCHECK" in FINAL_STAGE
    assert "/healthz" in FINAL_STAGE
    assert "# runtime libraries for WeasyPrint" in FINAL_STAGE
    for tool in ("gcc", "build-essential", "pip install"):
        assert tool not in FINAL_STAGE
    assert "rm -rf /var/lib/apt/lists/*" in FINAL_STAGE
    # fontconfig's cache on compose's /tmp tmpfs: HOME (/srv/app) is read-only.
    assert "XDG_CACHE_HOME=/tmp/.cache" in FINAL_STAGE


def _compose_command() -> list[str] | None:
    """``docker compose`` (v2) where the plugin is, else ``docker-compose``, else None."""
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"],  # noqa: S607 - the operator's tool, from PATH
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_docker_compose_accepts_the_file(tmp_path):
    command = _compose_command()
    if command is None:
        pytest.skip("neither docker compose nor docker-compose is installed")
    shutil.copy(ROOT / "compose.yaml", tmp_path)
    (tmp_path / ".env").write_text("POSTGRES_PASSWORD=a\nTRIVSEL_SECRET_KEY=b\nTRIVSEL_CPR_KEY=c\n")
    result = subprocess.run(  # noqa: S603
        [*command, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    (tmp_path / ".env").write_text("POSTGRES_PASSWORD=a\n")
    missing = subprocess.run(  # noqa: S603
        [*command, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert missing.returncode != 0
    assert "TRIVSEL_SECRET_KEY" in missing.stderr
