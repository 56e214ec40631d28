"""The six pages and actions of issue 14 under load, on a municipality's data, beside the floor.

    python -m bench.scale --markdown [--database-url postgresql+psycopg://…/wt_scale_bench]
        [--seconds 10] [--connections 20] [--reuse] [--only NAME ...]

Generates the data (``bench.generate``'s defaults: 50 institutions, 5,000 children, 50,000
assessments, 5,000 concerns, 1,000,000 audit rows) in a fresh SQLite file or in the given
PostgreSQL database, EMPTIED first (its name must contain "bench"; ``--reuse`` keeps what an
earlier run generated there), then starts the bare FastAPI floor and Trivselsguiden as
``trivsel serve`` runs it (bench/serve.py) on loopback ports and loads each request with wrk,
20 keep-alive connections (each scenario's user logged in once, as a browser's tabs share a
session), 10 s each after 2 s of warm-up:

- ``child list``: ``GET /children``, a staff member's institution (100 children);
- ``questionnaire``: ``GET /assessments/{id}``, the staff member's draft;
- ``htmx tick``: ``POST /assessments/{id}/observations`` as htmx sends it (a sign ticked and
  unticked in turn);
- ``finish``: ``POST /api/v1/assessments``, a finished assessment in one call;
- ``inbox``: ``GET /concerns``, a social worker's district (about 500 concerns);
- ``audit viewer``: ``GET /admin/audit?actor=…``, the newest 50 of one person's rows (about
  6,700 of the million) and their count.

The floor is measured before and after; shares are of their mean, and the CPU column (the
floor's CPU per request ÷ the request's, from /proc) is the figure that moves least with the
machine's load. A benchmark, not a test: it prints figures and never fails on a target.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import harness, load
from bench.generate import PASSWORD
from bench.harness import Request, Result

BROWSER = {"Sec-Fetch-Site": "same-origin", "Accept-Encoding": "gzip, deflate, br"}
#: (share of the floor, p95 ms) the issue asks for
TARGETS: dict[str, tuple[int | None, float]] = {
    "child list": (None, 100.0),
    "questionnaire": (None, 100.0),
    "htmx tick": (25, 25.0),
    "finish": (None, 100.0),
    "inbox": (None, 100.0),
    "audit viewer": (None, 100.0),
}


def _login(base: str, username: str) -> dict[str, str]:
    status, headers, body = harness.http_json(
        base, "POST", "/api/v1/session", body={"username": username, "password": PASSWORD}
    )
    assert status == 200, body
    cookie = headers["set-cookie"].split(";", 1)[0]
    return {**BROWSER, "Cookie": cookie, "X-CSRF-Token": json.loads(body)["csrf_token"]}


def prepare(base: str, users: dict[str, Any]) -> dict[str, Request]:
    """Log the three users in, start the staff member's draft; the six requests."""
    staff = _login(base, users["staff"])
    plain = {k: v for k, v in staff.items() if k != "Accept-Encoding"}  # readable answers
    status, _, body = harness.http_json(base, "GET", "/children", headers=plain)
    assert status == 200, body[:300]
    children = [int(i) for i in re.findall(rb'href="/children/(\d+)"', body)]
    status, headers, body = harness.http_json(
        base, "POST", f"/children/{children[0]}/assessments", form="", headers=plain
    )
    assert status == 303, (status, body[:300])
    draft = headers["location"]
    status, _, body = harness.http_json(base, "GET", draft, headers=plain)
    assert status == 200, body[:300]
    sign = re.search(rb'name="observed" value="([^"]+)"', body)
    assert sign, "no sign on the questionnaire"
    shown = re.search(rb'data-shown="([^"]+)"', body)
    level = shown.group(1).decode() if shown else "1:0"
    tick = f"indicator_id={sign.group(1).decode()}&shown={level}&observed="
    social_worker = _login(base, users["social_worker"])
    admin = _login(base, users["admin"])
    finish = json.dumps({"child_id": children[1], "observed": []})
    form = {**staff, "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"}
    return {
        "child list": Request("GET", "/children", staff),
        "questionnaire": Request("GET", draft, staff),
        "htmx tick": Request("POST", f"{draft}/observations", form, (tick + "1", tick + "0")),
        "finish": Request(
            "POST", "/api/v1/assessments", {**staff, "Content-Type": "application/json"}, (finish,)
        ),
        "inbox": Request("GET", "/concerns", social_worker),
        "audit viewer": Request("GET", f"/admin/audit?actor={users['staff']}", admin),
    }


def generated(url: str, work: Path, *, reuse: bool) -> dict[str, Any]:
    """Generate the data (or reuse it); ``bench.generate``'s summary."""
    summary_file = work / "generated.json"
    if reuse and summary_file.exists():
        return dict(json.loads(summary_file.read_text()))
    if not url.startswith("sqlite"):
        load._empty_postgres(url)  # the same check as bench.load
    out = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "bench.generate", "--url", url],
        cwd=harness.ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    summary_file.write_text(out.stdout)
    return dict(json.loads(out.stdout))


def run(args: argparse.Namespace) -> dict[str, Any]:
    url = args.database_url
    if url:
        harness.require_loopback(url.replace("postgresql+psycopg", "http", 1))
        if "bench" not in url.rsplit("/", 1)[-1]:
            raise SystemExit("the PostgreSQL database is emptied: its name must contain 'bench'")
        work = Path(tempfile.gettempdir()) / f"trivsel-scale-{url.rsplit('/', 1)[-1]}"
    else:
        work = Path(tempfile.gettempdir()) / "trivsel-scale-sqlite"
        url = f"sqlite:///{work / 'trivsel.db'}"
        if not args.reuse and (work / "trivsel.db").exists():
            for leftover in work.glob("trivsel.db*"):
                leftover.unlink()
    work.mkdir(parents=True, exist_ok=True)
    summary = generated(url, work, reuse=args.reuse)
    common = ["--database-url", url, "--data-dir", str(work)]
    results: dict[str, Result] = {}
    floors: list[Result] = []
    started = time.strftime("%H:%M:%S", time.gmtime())
    loads = [Path("/proc/loadavg").read_text().split()[0]]
    with (
        harness.server("floor", ["floor"], log=work / "floor.log") as floor,
        harness.server("project", ["project", *common], log=work / "project.log") as project,
    ):
        reqs = prepare(project.base, summary)
        n, secs, warm = args.connections, args.seconds, min(2.0, args.seconds)
        healthz = Request("GET", "/healthz")
        harness.load(floor.base, healthz, connections=n, seconds=warm)
        floors.append(harness.measured(floor.pid, floor.base, healthz, connections=n, seconds=secs))
        for name, req in reqs.items():
            if args.only and name not in args.only:
                continue
            harness.load(project.base, req, connections=n, seconds=warm)
            results[name] = harness.measured(
                project.pid, project.base, req, connections=n, seconds=secs
            )
        floors.append(harness.measured(floor.pid, floor.base, healthz, connections=n, seconds=secs))
    loads.append(Path("/proc/loadavg").read_text().split()[0])
    return {
        "database": "SQLite" if url.startswith("sqlite") else "PostgreSQL",
        "generator": floors[0].generator,
        "floor": floors,
        "floor_rps": sum(f.rps for f in floors) / len(floors),
        "floor_cpu_ms": sum(f.cpu_ms_per_request for f in floors) / len(floors),
        "results": results,
        "generated": summary,
        "started": started,
        "load": loads,
    }


def report(data: dict[str, Any], *, markdown: bool) -> str:
    floor_rps, floor_cpu = data["floor_rps"], data["floor_cpu_ms"]
    floors = " / ".join(f"{f.rps:,.0f}" for f in data["floor"])
    seconds = data["generated"].get("seconds", {}).get("total", "?")
    lines = [
        f"{data['database']}, {data['generator']}, started {data['started']} UTC, load average "
        f"{' → '.join(data['load'])}; data generated in {seconds} s; floor (bare FastAPI, one "
        f"sync route): {floors} req/s (before / after), p99 "
        f"{max(f.p99_ms for f in data['floor']):.1f} ms, {floor_cpu:.2f} ms CPU a request"
    ]
    lines += load.table_head(markdown=markdown)
    for name, result in data["results"].items():
        share = 100 * result.rps / floor_rps if floor_rps else 0.0
        target_share, target_p95 = TARGETS[name]
        met = result.requests > 0 and result.p95_ms < target_p95 and result.failed == 0
        wanted = [f"p95 < {target_p95:.0f} ms"]
        if target_share is not None:
            met = met and share >= target_share
            wanted.insert(0, f"≥ {target_share} %")
        lines.append(load.table_row(name, result, share, floor_cpu, met, wanted, markdown=markdown))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    print(report(run(args), markdown=args.markdown))


if __name__ == "__main__":
    main()
