"""The six pages and actions of issue 14 under load, on a municipality's data, beside the floor.

    python -m bench.scale --markdown [--database-url postgresql+psycopg://…/wt_scale_bench]
        [--seconds 10] [--connections 20] [--workers 1] [--one-draft] [--reuse]
        [--only NAME ...]

Generates the data (``bench.generate``'s defaults: 50 institutions, 5,000 children, 50,000
assessments, 5,000 concerns, 1,000,000 audit rows) in a fresh SQLite file or in the given
PostgreSQL database, EMPTIED first (its name must contain "bench"; ``--reuse`` keeps what an
earlier run generated there), then starts the bare FastAPI floor and Trivselsguiden as
``trivsel serve`` runs it (bench/serve.py; ``--workers K``: K worker processes each, as
``trivsel serve --workers K``, PostgreSQL only, the CPU column summing them) on loopback ports
and loads each request with wrk, 20 keep-alive connections (each scenario's user logged in
once, as a browser's tabs share a session), 10 s each after 2 s of warm-up:

- ``child list``: ``GET /children``, a staff member's institution (100 children);
- ``questionnaire``: ``GET /assessments/{id}``, the staff member's draft;
- ``htmx tick``: ``POST /assessments/{id}/observations`` as htmx sends it (a sign ticked and
  unticked in turn);
- ``finish``: ``POST /api/v1/assessments``, a finished assessment in one call;
- ``inbox``: ``GET /concerns``, a social worker's district (about 500 concerns);
- ``audit viewer``: ``GET /admin/audit?actor=…``, the newest 50 of one person's rows (about
  6,700 of the million) and their count.

The tick and the finish are 20 users at once (``--connections``): 20 staff members logged in
each with a session of their own, each ticking their own draft and finishing their own
child (bench.harness rotates the requests over them, wrk's two threads taking disjoint
halves). The data has three staff members an institution, so the 20 are those of the first
seven institutions, each on children of their own institution. ``--one-draft`` keeps the
earlier single user, draft and child, to compare with the figures measured that way.

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
from bench.harness import Request, Result, User

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


def _staff_users(users: dict[str, Any], count: int) -> list[str]:
    """The first ``count`` staff members, institution by institution (three each)."""
    names = users.get("staff_users")  # a summary generated before it listed them: the pattern
    names = names or [f"skala{n + 1:02d}{k}" for n in range(users["institutions"]) for k in "abc"]
    return list(names[:count])


def _user(base: str, username: str, nth: int) -> tuple[dict[str, str], str, str, str]:
    """Log a staff member in and start a draft of the ``nth`` pair of their institution's
    children: (headers, the draft's path, its tick without the value, the finish body for
    the pair's other child)."""
    auth = _login(base, username)
    plain = {k: v for k, v in auth.items() if k != "Accept-Encoding"}  # readable answers
    status, _, body = harness.http_json(base, "GET", "/children", headers=plain)
    assert status == 200, body[:300]
    children = [int(i) for i in re.findall(rb'href="/children/(\d+)"', body)]
    status, headers, body = harness.http_json(
        base, "POST", f"/children/{children[2 * nth]}/assessments", form="", headers=plain
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
    finish = json.dumps({"child_id": children[2 * nth + 1], "observed": []})
    return auth, draft, tick, finish


def prepare(base: str, users: dict[str, Any], count: int = 1) -> dict[str, Request]:
    """Log the three users in, start the staff member's draft; with ``count`` > 1 as many
    staff members for the tick and the finish, each with a draft; the six requests."""
    staff, draft, tick, finish = _user(base, users["staff"], 0)
    social_worker = _login(base, users["social_worker"])
    admin = _login(base, users["admin"])
    form = {"HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"}
    ticks: list[User] = []
    finishes: list[User] = []
    if count > 1:
        for n, username in enumerate(_staff_users(users, count)):
            own = (staff, draft, tick, finish) if n == 0 else _user(base, username, n % 3)
            session = {k: own[0][k] for k in ("Cookie", "X-CSRF-Token")}
            ticks.append(User(f"{own[1]}/observations", session, (own[2] + "1", own[2] + "0")))
            finishes.append(User(headers=session, bodies=(own[3],)))
    return {
        "child list": Request("GET", "/children", staff),
        "questionnaire": Request("GET", draft, staff),
        "htmx tick": Request(
            "POST",
            f"{draft}/observations",
            {**staff, **form},
            (tick + "1", tick + "0"),
            tuple(ticks),
        ),
        "finish": Request(
            "POST",
            "/api/v1/assessments",
            {**staff, "Content-Type": "application/json"},
            (finish,),
            tuple(finishes),
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
        harness.empty_postgres(url)
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
    if args.workers > 1 and url.startswith("sqlite"):
        raise SystemExit("--workers > 1 needs PostgreSQL (--database-url), as trivsel serve does")
    work.mkdir(parents=True, exist_ok=True)
    summary = generated(url, work, reuse=args.reuse)
    common = ["--database-url", url, "--data-dir", str(work)]
    workers = ["--workers", str(args.workers)]
    count = 1 if args.one_draft else args.connections
    results: dict[str, Result] = {}
    floors: list[Result] = []
    started = time.strftime("%H:%M:%S", time.gmtime())
    loads = [Path("/proc/loadavg").read_text().split()[0]]
    with (
        harness.server("floor", ["floor", *workers], log=work / "floor.log") as floor,
        harness.server(
            "project", ["project", *common, *workers], log=work / "project.log"
        ) as project,
    ):
        reqs = prepare(project.base, summary, count)
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
        serving = harness.workers_of(project.pid)
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
        "workers": serving,
        "users": count,
    }


def _users(data: dict[str, Any]) -> str:
    users = data.get("users", 1)
    return "one user and draft" if users == 1 else f"{users} users, a draft each"


def report(data: dict[str, Any], *, markdown: bool) -> str:
    floor_rps, floor_cpu = data["floor_rps"], data["floor_cpu_ms"]
    floors = " / ".join(f"{f.rps:,.0f}" for f in data["floor"])
    seconds = data["generated"].get("seconds", {}).get("total", "?")
    lines = [
        f"{data['database']}, {data['generator']}, {load._workers(data)}, tick/finish: "
        f"{_users(data)}, started {data['started']} UTC, load average "
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
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (PostgreSQL)")
    parser.add_argument("--one-draft", action="store_true", help="the earlier single user")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    print(report(run(args), markdown=args.markdown))


if __name__ == "__main__":
    main()
