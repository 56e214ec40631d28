"""Server load benchmark: what one request costs against what the framework costs.

    python -m bench.load [--database-url postgresql+psycopg://postgres@127.0.0.1/wt_bench]
                         [--seconds 10] [--connections 20] [--workers 1] [--one-draft]
                         [--profile DIR] [--tree PATH] [--markdown]

Starts, on loopback ports, the floor (a bare FastAPI app with one sync route, bench/serve.py)
and Trivselsguiden as ``trivsel serve`` runs it (production's uvicorn options, the access log
on; ``--workers K``: K worker processes each, as ``trivsel serve --workers K``, PostgreSQL
only; the CPU column sums the workers) on a fresh SQLite file (default) or on the given
PostgreSQL database, which is EMPTIED first (its name must contain "bench"). Logs in as the
demo staff member (one session for every connection, as a browser's tabs share one) and
loads, one after another:

- ``healthz``: ``GET /healthz``;
- ``evaluate``: ``POST /api/v1/evaluate`` with three signs;
- ``child read``: ``GET /api/v1/children/{id}`` of a child with two finished assessments
  (every read writes its audit row);
- ``htmx tick``: ``POST /assessments/{id}/observations`` as htmx sends it (a sign ticked and
  unticked in turn, the answer the rationale fragment);
- ``finish``: ``POST /api/v1/assessments``, a finished assessment stored in one call.

The tick and the finish act as ``--connections`` users at once: one draft (tick) and one child
(finish) per connection, the requests rotating over them (bench.harness: wrk's two threads
take disjoint halves, each draft's sign ticked and unticked in turn). It is one staff member
with 20 drafts of 20 children, not 20 logged-in users (bench.scale has those): what the
connections would otherwise wait on is the one draft's row lock, not the session.
``--one-draft`` keeps the earlier runs' single draft and child, to compare with their figures.

The floor is measured before and after the scenarios; shares are of the mean of the two.
Requests/s and p50/p95/p99 at ``--connections`` (20). A benchmark, not a test: it prints
figures (``--markdown``: the table for docs/performance.md) and never fails on a target.
``--profile DIR`` runs each scenario once more under py-spy and prints where the time goes.
``--tree PATH`` serves another source tree's ``app`` (e.g. ``git archive main``), for before
and after.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from bench import harness
from bench.harness import Request, Result, User
from bench.serve import PASSWORD

STAFF = "paedagog"
CATALOG = "3-5"
SIGNS = ["3-5.play.plays-alone-often", "3-5.mood.often-sad", "3-5.language.speaks-little"]
BROWSER = {"Sec-Fetch-Site": "same-origin", "Accept-Encoding": "gzip, deflate, br"}
#: p95 and share targets of issue 16 (None: no target)
TARGETS = {
    "healthz": (80, None),
    "evaluate": (50, 25.0),
    "child read": (30, None),
    "htmx tick": (25, 25.0),
    "finish": (None, None),
}
P99_LIMIT_MS = 100.0


def _signs(base: str, headers: dict[str, str]) -> tuple[list[str], str]:
    """Three signs of concern and one level-1 sign of the 3–5 catalog."""
    status, _, body = harness.http_json(base, "GET", f"/api/v1/catalogs/{CATALOG}", headers=headers)
    assert status == 200, body
    indicators = [i for area in json.loads(body)["areas"] for i in area["indicators"]]
    concern = [i["id"] for i in indicators if i["level"] == 2][:3]
    calm = next(i["id"] for i in indicators if i["level"] == 1)
    return concern, calm


def _draft(base: str, auth: dict[str, str], child: int) -> int:
    status, headers, body = harness.http_json(
        base, "POST", f"/children/{child}/assessments", form="", headers=auth
    )
    assert status == 303, (status, body[:300])
    match = re.search(r"/assessments/(\d+)", headers["location"])
    assert match, headers
    return int(match.group(1))


def prepare(base: str, users: int = 1) -> dict[str, Any]:
    """Log in, register three children, finish two assessments of one, start a draft; with
    ``users`` > 1 as many drafts and children to finish (``users - 1`` more of each)."""
    status, headers, body = harness.http_json(
        base, "POST", "/api/v1/session", body={"username": STAFF, "password": PASSWORD}
    )
    assert status == 200, body
    cookie = headers["set-cookie"].split(";", 1)[0]
    csrf = json.loads(body)["csrf_token"]
    auth = {"Cookie": cookie, "X-CSRF-Token": csrf}
    concern, calm = _signs(base, auth)
    children = []
    extra = [f"Bruger{n}" for n in range(2, users + 1)]
    names = ["Alma", "Bo", "Carl", *(f"{n}a" for n in extra), *(f"{n}b" for n in extra)]
    for first in names:
        status, _, body = harness.http_json(
            base,
            "POST",
            "/api/v1/children",
            body={"first_name": first, "last_name": "Bench", "birth_date": "2022-03-01"},
            headers=auth,
        )
        assert status == 201, body
        children.append(json.loads(body)["id"])
    for observed in (concern[:1], concern):
        status, _, body = harness.http_json(
            base,
            "POST",
            "/api/v1/assessments",
            body={"child_id": children[0], "catalog_id": CATALOG, "observed": observed},
            headers=auth,
        )
        assert status == 201, body
    more = len(extra)
    drafts = [_draft(base, auth, c) for c in [children[1], *children[3 : 3 + more]]]
    return {
        "auth": auth,
        "concern": concern,
        "calm": calm,
        "read_child": children[0],
        "draft": drafts[0],
        "finish_child": children[2],
        "drafts": drafts,
        "finish_children": [children[2], *children[3 + more :]],
    }


def scenarios(ctx: dict[str, Any]) -> dict[str, Request]:
    auth = {**BROWSER, **ctx["auth"]}
    as_json = {**auth, "Content-Type": "application/json"}
    tick = f"indicator_id={ctx['calm']}&shown=1:0&observed="
    drafts, finishing = ctx.get("drafts", []), ctx.get("finish_children", [])
    ticks = tuple(User(f"/assessments/{d}/observations") for d in drafts if len(drafts) > 1)

    def finish(child: int) -> str:
        return json.dumps(
            {"child_id": child, "catalog_id": CATALOG, "observed": ctx["concern"][:2]}
        )

    finishes = tuple(User(bodies=(finish(c),)) for c in finishing if len(finishing) > 1)
    return {
        "healthz": Request("GET", "/healthz"),
        "evaluate": Request(
            "POST",
            "/api/v1/evaluate",
            as_json,
            (json.dumps({"catalog_id": CATALOG, "observed": ctx["concern"]}),),
        ),
        "child read": Request("GET", f"/api/v1/children/{ctx['read_child']}", auth),
        "htmx tick": Request(
            "POST",
            f"/assessments/{ctx['draft']}/observations",
            {**auth, "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"},
            (tick + "1", tick + "0"),
            ticks,
        ),
        "finish": Request(
            "POST", "/api/v1/assessments", as_json, (finish(ctx["finish_child"]),), finishes
        ),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="trivsel-load-"))
    url = args.database_url or f"sqlite:///{work / 'trivsel.db'}"
    if not url.startswith("sqlite"):
        harness.empty_postgres(url)
    if args.workers > 1 and url.startswith("sqlite"):
        raise SystemExit("--workers > 1 needs PostgreSQL (--database-url), as trivsel serve does")
    tree = ["--tree", str(args.tree)] if args.tree else []
    common = ["--database-url", url, "--data-dir", str(work), *tree]
    workers = ["--workers", str(args.workers)]
    import subprocess
    import sys

    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.serve", "setup", *common], cwd=harness.ROOT, check=True
    )
    results: dict[str, Result] = {}
    floors: list[Result] = []
    profiles: dict[str, Any] = {}
    with (
        harness.server("floor", ["floor", *workers], log=work / "floor.log") as floor,
        harness.server(
            "project", ["project", *common, *workers], log=work / "project.log"
        ) as project,
    ):
        ctx = prepare(project.base, 1 if args.one_draft else args.connections)
        reqs = scenarios(ctx)
        warm = min(2.0, args.seconds)
        n, secs = args.connections, args.seconds
        harness.load(floor.base, reqs["healthz"], connections=n, seconds=warm)
        floors.append(
            harness.measured(floor.pid, floor.base, reqs["healthz"], connections=n, seconds=secs)
        )
        for name, req in reqs.items():
            if args.only and name not in args.only:
                continue
            harness.load(project.base, req, connections=n, seconds=warm)
            results[name] = harness.measured(
                project.pid, project.base, req, connections=n, seconds=secs
            )
        floors.append(
            harness.measured(floor.pid, floor.base, reqs["healthz"], connections=n, seconds=secs)
        )
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            for name, req in reqs.items():
                if args.only and name not in args.only:
                    continue
                out = args.profile / f"{name.replace(' ', '-')}.txt"
                with harness.profiled(project.pid, out, secs):
                    harness.load(project.base, req, connections=n, seconds=secs)
                profiles[name] = harness.profile_summary(out)
        serving = harness.workers_of(project.pid)
    floor_rps = sum(f.rps for f in floors) / len(floors)
    floor_cpu = sum(f.cpu_ms_per_request for f in floors) / len(floors)
    return {
        "floor_cpu_ms": floor_cpu,
        "database": "SQLite" if url.startswith("sqlite") else "PostgreSQL",
        "generator": floors[0].generator,
        "floor": floors,
        "floor_rps": floor_rps,
        "results": results,
        "profiles": profiles,
        "workers": serving,
        "users": 1 if args.one_draft else args.connections,
    }


def _cpu(result: Result, floor_cpu: float) -> str:
    if not result.cpu_ms_per_request:
        return "–"
    return f"{result.cpu_ms_per_request:.2f} ({100 * floor_cpu / result.cpu_ms_per_request:.0f} %)"


def _workers(data: dict[str, Any]) -> str:
    workers = data.get("workers", 1)
    return f"{workers} worker{'s' if workers != 1 else ''}"


def _users(data: dict[str, Any]) -> str:
    users = data.get("users", 1)
    return "one draft and child" if users == 1 else f"{users} drafts and children"


def table_head(*, markdown: bool) -> list[str]:
    """The results table's header (Markdown only; the plain report has none)."""
    if not markdown:
        return []
    return [
        "",
        "| request | req/s | share of floor | p50 | p95 | p99 | failed "
        "| CPU ms/req (floor ÷ it) | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]


def table_row(
    name: str,
    result: Result,
    share: float,
    floor_cpu: float,
    met: bool,
    wanted: list[str],
    *,
    markdown: bool,
) -> str:
    """One request's row of the results table (this report's and bench.scale's)."""
    cells = [
        name,
        f"{result.rps:,.0f}",
        f"{share:.0f} %",
        f"{result.p50_ms:.1f} ms",
        f"{result.p95_ms:.1f} ms",
        f"{result.p99_ms:.1f} ms",
        str(result.failed),
        _cpu(result, floor_cpu),
        ("met" if met else "NOT met") + " (" + ", ".join(wanted) + ")",
    ]
    return ("| " + " | ".join(cells) + " |") if markdown else "  ".join(cells)


def report(data: dict[str, Any], *, markdown: bool) -> str:
    floor_rps = data["floor_rps"]
    floor_cpu = data["floor_cpu_ms"]
    floors = " / ".join(f"{f.rps:,.0f}" for f in data["floor"])
    lines = [
        f"{data['database']}, {data['generator']}, {_workers(data)}, tick/finish: "
        f"{_users(data)}; floor (bare FastAPI, one sync route): "
        f"{floors} req/s (before / after), p99 {max(f.p99_ms for f in data['floor']):.1f} ms, "
        f"{floor_cpu:.2f} ms CPU a request"
    ]
    lines += table_head(markdown=markdown)
    for name, result in data["results"].items():
        share = 100 * result.rps / floor_rps if floor_rps else 0.0
        target_share, target_p95 = TARGETS[name]
        met = result.p99_ms < P99_LIMIT_MS and result.failed == 0
        wanted = [f"p99 < {P99_LIMIT_MS:.0f} ms"]
        if target_share is not None:
            met = met and share >= target_share
            wanted.insert(0, f"≥ {target_share} %")
        if target_p95 is not None:
            met = met and result.p95_ms < target_p95
            wanted.insert(1, f"p95 < {target_p95:.0f} ms")
        lines.append(table_row(name, result, share, floor_cpu, met, wanted, markdown=markdown))
    for name, summary in data["profiles"].items():
        lines.append("")
        lines.append(f"profile of {name}: {summary['samples']} samples")
        for group, share in summary["groups"].items():
            if share:
                lines.append(f"  {share:5.1f} %  {group}")
        lines.append("  self time:")
        for frame, share in summary["self"]:
            lines.append(f"  {share:5.1f} %  {frame}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (PostgreSQL)")
    parser.add_argument("--one-draft", action="store_true", help="the earlier single draft")
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    print(report(run(args), markdown=args.markdown))


if __name__ == "__main__":
    main()
