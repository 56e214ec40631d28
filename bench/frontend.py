"""Front-end benchmark in Debian's Chromium: what a cheap tablet on weak Wi-Fi pays.

    python -m bench.frontend [--runs 5] [--cpu-slowdown 4] [--markdown]

Starts the app on a free loopback port (tests/browser/server.py: a fresh SQLite database with
the demo data), logs a staff member in and measures, at a tablet viewport (820×1180):

- bytes on the wire for the first visit to the questionnaire in a fresh browser profile: the
  page, its assets and fonts, and what the service worker fetches to install (app shell and
  the guide content for offline use); compressed as sent, headers included;
- bytes for a repeat visit of the questionnaire (service worker and HTTP cache warm);
- bytes per HTMX tick (request and response, headers included) over an assessment of ten
  signs, split into ticks that keep the level the page shows (the answer is the rationale)
  and ticks that change it (the whole summary panel);
- the time from a tap on an indicator to the updated summary panel, online (server round
  trip over loopback) and offline (the browser's engine), with the CPU slowed down to a
  cheap tablet's.

A benchmark, not a test: it prints the figures (``--markdown``: a table for
docs/performance.md) and never fails on a target. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "benchmark-password-2026"  # noqa: S105 - a throwaway demo database
TARGETS = {"first_visit": 150 * 1024, "repeat_visit": 10 * 1024, "tick": 3 * 1024}
TICKS = 10


@contextmanager
def served(data_dir: Path) -> Iterator[str]:
    """The app on a free loopback port, stopped afterwards."""
    env = {**os.environ, "TRIVSEL_DEMO_PASSWORD": PASSWORD}
    proc = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "tests.browser.server", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("PORT "):
            raise RuntimeError(f"server did not start: {line!r}")
        base = f"http://127.0.0.1:{line.split()[1]}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@dataclass
class Meter:
    """Bytes on the wire (encoded bodies plus headers), by kind, while ``on``."""

    on: bool = False
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, int, bool]] = field(default_factory=list)

    def reset(self) -> None:
        self.total = 0
        self.by_kind = {}
        self.requests = []

    def add(self, request: Any) -> None:
        if not self.on:
            return
        try:
            response = request.response()
            sizes = request.sizes()
        except Exception:  # a request torn down with its page
            return
        if response is None or response.from_service_worker:
            return  # answered by the service worker: its own network fetch is counted instead
        if response.status == 200 and sizes.get("responseBodySize", 0) <= 0:
            return  # answered from the HTTP cache: nothing crossed the network
        size = sum(
            max(0, sizes.get(k, 0))
            for k in (
                "requestHeadersSize",
                "requestBodySize",
                "responseHeadersSize",
                "responseBodySize",
            )
        )
        kind = _kind(response.headers.get("content-type", ""), request.url)
        self.total += size
        self.by_kind[kind] = self.by_kind.get(kind, 0) + size
        self.requests.append((request.url, size, request.service_worker is not None))


def _kind(content_type: str, url: str) -> str:
    if "font" in content_type or url.endswith(".woff2"):
        return "font"
    if "css" in content_type:
        return "css"
    if "javascript" in content_type:
        return "js"
    if "html" in content_type:
        return "html"
    if "json" in content_type:
        return "json"
    return "other"


def _api(context: Any, base: str, csrf: str, method: str, path: str, body: Any) -> Any:
    response = context.request.fetch(
        base + path,
        method=method,
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
        data=json.dumps(body),
    )
    assert response.ok, response.text()
    return response.json()


def _new_draft(context: Any, base: str) -> str:
    """Log in by the API, add a child of 4 and start an assessment; its questionnaire URL."""
    login = context.request.post(
        base + "/api/v1/session", data={"username": "paedagog", "password": PASSWORD}
    )
    csrf = login.json()["csrf_token"]
    child = _api(
        context,
        base,
        csrf,
        "POST",
        "/api/v1/children",
        {"first_name": "Bench", "last_name": "Marksen", "birth_date": "2022-02-02"},
    )
    started = context.request.post(
        base + f"/children/{child['id']}/assessments",
        headers={"X-CSRF-Token": csrf},
        max_redirects=0,
    )
    return base + str(started.headers["location"])


TICK_JS = """async (args) => {
  const [index, offline] = args;
  const box = document.querySelectorAll("input[name=observed]")[index];
  window.__summaryBefore = document.getElementById("summary");
  const t0 = performance.now();
  const changed = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (document.getElementById("summary-level-badge")) {
        observer.disconnect();
        resolve();
      }
    });
    const layout = document.querySelector(".assessment-layout");
    observer.observe(layout, {childList: true, subtree: true});
  });
  box.click();
  await changed;
  return performance.now() - t0;
}"""


def measure(base: str, runs: int, cpu_slowdown: float) -> dict[str, Any]:
    """Run the measurements once; figures in bytes and milliseconds."""
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        results["browser"] = f"Chromium {browser.version}"
        context = browser.new_context(
            viewport={"width": 820, "height": 1180}, has_touch=True, service_workers="allow"
        )
        meter = Meter()
        context.on("requestfinished", meter.add)
        url = _new_draft(context, base)
        page = context.new_page()

        meter.on = True
        page.goto(url, wait_until="networkidle")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
        page.wait_for_function(
            "async () => !!(await caches.match('/api/v1/offline/guide'))", timeout=15000
        )
        page.wait_for_timeout(1000)
        meter.on = False
        results["first_visit"] = {"total": meter.total, "by_kind": dict(meter.by_kind)}
        results["first_visit_requests"] = sorted(meter.requests, key=lambda r: -r[1])
        results["first_visit_page_only"] = sum(
            size for _url, size, by_worker in meter.requests if not by_worker
        )

        repeats = []
        for _ in range(runs):
            meter.reset()
            meter.on = True
            page.goto(url, wait_until="networkidle")
            page.wait_for_timeout(300)
            meter.on = False
            repeats.append((meter.total, list(meter.requests)))
        results["repeat_visit"] = {
            "median": statistics.median(t for t, _ in repeats),
            "requests": repeats[-1][1],
        }

        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
        # An assessment of TICKS signs from across the areas; a tick that changes the level
        # the page shows carries the whole summary panel, one that keeps it only the rationale.
        ticks: list[int] = []
        tick_times: list[float] = []
        kept: list[int] = []
        changed: list[int] = []
        for index in range(TICKS):
            meter.reset()
            meter.on = True
            tick_times.append(page.evaluate(TICK_JS, [index * 3, False]))
            page.wait_for_load_state("networkidle")
            for _ in range(50):  # the finished request is reported asynchronously
                if any("/observations" in url for url, _size, _sw in meter.requests):
                    break
                page.wait_for_timeout(100)
            meter.on = False
            ticks.append(meter.total)
            whole = page.evaluate(
                "() => document.getElementById('summary') !== window.__summaryBefore"
            )
            (changed if whole else kept).append(meter.total)
        results["tick"] = {
            "median": statistics.median(ticks),
            "max": max(ticks),
            "kept": kept,
            "changed": changed,
        }
        results["tap_to_summary_online_ms"] = statistics.median(tick_times)

        context.set_offline(True)
        offline_times = [page.evaluate(TICK_JS, [40 + index * 3, True]) for index in range(runs)]
        results["tap_to_summary_offline_ms"] = statistics.median(offline_times)
        context.set_offline(False)
        results["cpu_slowdown"] = cpu_slowdown
        browser.close()
    return results


def _kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def _range(sizes: list[int]) -> str:
    if not sizes:
        return "–"
    return f"{_kb(min(sizes))} – {_kb(max(sizes))}" if len(sizes) > 1 else _kb(sizes[0])


def markdown(results: dict[str, Any]) -> str:
    """The figures as the table in docs/performance.md."""

    def verdict(name: str, value: float) -> str:
        return "met" if value < TARGETS[name] else "**not met**"

    first = results["first_visit"]["total"]
    repeat = results["repeat_visit"]["median"]
    tick = results["tick"]["median"]
    kept, changed = results["tick"]["kept"], results["tick"]["changed"]
    kinds = ", ".join(f"{k} {_kb(v)}" for k, v in sorted(results["first_visit"]["by_kind"].items()))
    return "\n".join(
        [
            "| measure | result | target | |",
            "|---|---|---|---|",
            f"| first visit to the questionnaire | {_kb(first)} ({kinds}) | < 150 KB "
            f"| {verdict('first_visit', first)} |",
            f"| … of it, what the page itself loads (without the service worker's install) "
            f"| {_kb(results['first_visit_page_only'])} | | |",
            f"| repeat visit | {_kb(repeat)} | < 10 KB | {verdict('repeat_visit', repeat)} |",
            f"| one HTMX tick (median of {TICKS}; max {_kb(results['tick']['max'])}) "
            f"| {_kb(tick)} ({tick:.0f} B) | < 3 KB | {verdict('tick', tick)} |",
            f"| … a tick that keeps the level shown ({len(kept)} of {TICKS}) "
            f"| {_range(kept)} | | |",
            f"| … a tick that changes it: the whole summary ({len(changed)} of {TICKS}) "
            f"| {_range(changed)} | < 3 KB | {verdict('tick', max(changed, default=0))} |",
            f"| tap → updated summary, online (CPU ÷{results['cpu_slowdown']:g}) "
            f"| {results['tap_to_summary_online_ms']:.0f} ms | | |",
            f"| tap → updated summary, offline (CPU ÷{results['cpu_slowdown']:g}) "
            f"| {results['tap_to_summary_offline_ms']:.0f} ms | | |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu-slowdown", type=float, default=4.0)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--requests", action="store_true", help="list the first visit's requests")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="trivsel-bench-") as tmp, served(Path(tmp)) as base:
        results = measure(base, args.runs, args.cpu_slowdown)
    print(results["browser"])
    if args.requests:
        for url, size, by_worker in results["first_visit_requests"]:
            print(f"{size:>8}  {'sw ' if by_worker else '   '}{url}")
        print("repeat:", results["repeat_visit"]["requests"])
    print(markdown(results) if args.markdown else json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
