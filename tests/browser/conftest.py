"""Browser tests: Playwright driving Debian's Chromium against the app on a loopback port.

The server is ``tests/browser/server.py`` in a subprocess: a fresh SQLite database in a temp
folder, the demo organisation from the app's own seed function and a known demo password.
Every test marked ``browser`` is skipped when /usr/bin/chromium is missing, and only then.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser-demo-password-2026"
ARTIFACTS = Path(
    os.environ.get("TRIVSEL_BROWSER_ARTIFACTS", ROOT / "tests" / "browser" / "artifacts")
)
TABLET_PORTRAIT = {"width": 820, "height": 1180}
TABLET_LANDSCAPE = {"width": 1180, "height": 820}

AXE_CANDIDATES = [
    os.environ.get("AXE_JS", ""),
    str(ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"),
    str(ROOT.parent / "shared-node" / "node_modules" / "axe-core" / "axe.min.js"),
]
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
}"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install -y chromium)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


class Server:
    """The app under test, and where it keeps its files."""

    def __init__(self, base_url: str, data_dir: Path) -> None:
        self.base_url = base_url
        self.data_dir = data_dir
        self.original_version: str | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def publish_release(self, version: str) -> None:
        """Make /sw.js answer as a new release would (tests/browser/server.py watches this),
        and return once it does (``""``: the original release again)."""
        override = self.data_dir / "asset-version"
        if self.original_version is None and not override.exists():
            self.original_version = self.served_version()
        wanted = json.dumps(version) if version else self.original_version
        override.write_text(version, encoding="utf-8")
        deadline = time.monotonic() + 15
        while True:
            served = self.served_version()
            if served == wanted:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"/sw.js still serves {served}, not {version!r}")
            time.sleep(0.05)  # polling the state, not waiting a fixed time

    def served_version(self) -> str:
        """The VERSION literal that /sw.js is served with right now."""
        with urllib.request.urlopen(self.url("/sw.js"), timeout=5) as response:  # noqa: S310
            source = response.read().decode()
        found = re.search(r"^var VERSION = (.*);$", source, re.MULTILINE)
        return found.group(1) if found else ""


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    data_dir = tmp_path_factory.mktemp("browser-server")
    env = {**os.environ, "TRIVSEL_DEMO_PASSWORD": PASSWORD}
    log = (data_dir / "server.log").open("w", encoding="utf-8")
    proc = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "tests.browser.server", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("PORT "), (data_dir / "server.log").read_text(encoding="utf-8")
        base = f"http://127.0.0.1:{line.split()[1]}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield Server(base, data_dir)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
            proc.kill()
            proc.wait(timeout=10)
        proc.stdout.close() if proc.stdout else None
        log.close()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[Any]:
    instance = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=FLAGS
    )
    yield instance
    instance.close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Callable[..., Any]]:
    """A factory of fresh browser profiles at a tablet viewport; closed after the test."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] | None = None, **options: Any) -> Any:
        context = browser.new_context(
            viewport=viewport or TABLET_PORTRAIT,
            has_touch=True,
            service_workers="allow",
            locale="da-DK",
            timezone_id="Europe/Copenhagen",
            **options,
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        with contextlib.suppress(Exception):  # already closed by the test
            context.close()


@pytest.fixture
def persistent_profile(playwright_driver: Any, tmp_path: Path) -> Iterator[Callable[[], Any]]:
    """Open (and reopen) one on-disk browser profile, as a tablet keeps it between uses."""
    opened: list[Any] = []
    profile = tmp_path / "profile"

    def launch() -> Any:
        context = playwright_driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport=TABLET_PORTRAIT,
            has_touch=True,
            service_workers="allow",
            locale="da-DK",
            timezone_id="Europe/Copenhagen",
        )
        context.set_default_timeout(15000)
        opened.append(context)
        return context

    yield launch
    for context in opened:
        with contextlib.suppress(Exception):  # already closed by the test
            context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe_js() -> Path:
    for candidate in AXE_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    pytest.fail("axe-core is missing: (cd tests/browser && npm ci), or set AXE_JS")
