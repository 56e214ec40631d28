"""What the load benchmarks share: servers on loopback ports, the load generator, profiles.

The load generator is wrk (``apt-get install wrk``) when it is installed: 2 threads, the given
connections, a Lua script for the percentiles (p50/p95/p99). Without wrk, a Python asyncio
generator stands in (keep-alive HTTP/1.1 over raw streams); it costs more CPU on the same
machine, so the figures say which one measured them. Only 127.0.0.1 is ever contacted.

A :class:`Request` with ``users`` acts as that many users rather than one: each
:class:`User` has its own path, headers (its session cookie) and bodies, and the load is
spread so that no two users' requests share a connection group: wrk's thread ``t`` of ``T``
(the Python generator's connection ``t`` of ``T``) sends for users ``t, t + T, t + 2T, …`` in
turn, each user's bodies alternating request by request of that user (a sign ticked and
unticked on each user's own draft). With fewer users than threads (connections), thread
``t`` sends for user ``t % len(users)``.

A server started with ``workers`` > 1 is a uvicorn master whose workers are its children;
:func:`cpu_seconds` adds up the master's and its children's CPU time.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def require_loopback(url: str) -> None:
    """Refuse any target that is not this machine."""
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"only loopback targets are allowed, not {host!r}")


def empty_postgres(url: str) -> None:
    """Drop everything in the PostgreSQL database ``url``: only on this machine, and only in
    a database whose name says it is a benchmark's (it contains "bench")."""
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    if (parsed.host or "127.0.0.1") not in LOOPBACK:
        raise SystemExit(f"only loopback targets are allowed, not {parsed.host!r}")
    if "bench" not in (parsed.database or ""):
        raise SystemExit('the PostgreSQL database is emptied: its name must contain "bench"')
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process on a loopback port."""

    name: str
    base: str
    proc: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.proc.pid


@contextmanager
def server(
    name: str, args: list[str], *, log: Path, ready_path: str = "/healthz"
) -> Iterator[Server]:
    """``python -m bench.serve <args> --port N``, waited for and stopped afterwards."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, "-m", "bench.serve", *args, "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} stopped: {log.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(base + ready_path, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield Server(name, base, proc)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class User:
    """One of a request's users: its path (``None``: the request's), the headers it adds to
    the request's (its cookie and CSRF token) and its bodies (empty: the request's)."""

    path: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    bodies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Request:
    """One scenario's request. ``bodies`` alternate request by request on each connection;
    with ``users``, the requests rotate over the users (see the module's doc)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    bodies: tuple[str, ...] = ()
    users: tuple[User, ...] = ()

    def rotation(self) -> list[tuple[str, dict[str, str], tuple[str, ...]]]:
        """(path, headers, bodies) of each user; the request itself when it has none."""
        if not self.users:
            return [(self.path, self.headers, self.bodies)]
        return [
            (u.path or self.path, {**self.headers, **u.headers}, u.bodies or self.bodies)
            for u in self.users
        ]


def shares(users: int, groups: int) -> list[list[int]]:
    """The users each of ``groups`` (wrk threads, Python connections) sends for, in turn."""
    return [list(range(g, users, groups)) or [g % users] for g in range(groups)]


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    failed: int  # non-2xx/3xx answers and socket errors
    generator: str
    cpu_seconds: float = 0.0  # the server process's CPU time (user + system) during the run

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.requests if self.requests else 0.0


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (field 3, the state, first)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its living children (Linux /proc): a
    uvicorn master's workers are its children."""
    fields = _stat(pid)
    ticks = int(fields[11]) + int(fields[12])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or entry.name == str(pid):
            continue
        try:
            child = _stat(entry.name)
        except OSError:  # gone meanwhile
            continue
        if int(child[1]) == pid:
            ticks += int(child[11]) + int(child[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def workers_of(pid: int) -> int:
    """How many processes serve: the children of a uvicorn master, or the process itself.
    (multiprocessing's resource tracker, a child too, is not one of them: no listening.)"""
    children = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat, cmdline = _stat(entry.name), (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[1]) == pid and b"resource_tracker" not in cmdline:
                children += 1
    return children or 1


def measured(pid: int, base: str, req: Request, *, connections: int, seconds: float) -> Result:
    """:func:`load`, with the CPU time the server ``pid`` spent on it: unlike requests/s this
    hardly depends on what else loads the machine."""
    before = cpu_seconds(pid)
    result = load(base, req, connections=connections, seconds=seconds)
    return replace(result, cpu_seconds=cpu_seconds(pid) - before)


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def _lua_table(items: list[str]) -> str:
    return "{" + ", ".join(items) + "}"


def _wrk_script(req: Request, threads: int) -> str:
    users = []
    for path, headers, bodies in req.rotation():
        lua_headers = _lua_table(
            [f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()]
        )
        lua_bodies = _lua_table([_lua_string(b) for b in bodies] or ['""'])
        users.append(_lua_table([_lua_string(path), lua_headers, lua_bodies]))
    groups = _lua_table(
        [_lua_table([str(u + 1) for u in share]) for share in shares(len(users), threads)]
    )
    return f"""
wrk.method = {_lua_string(req.method)}
local users = {_lua_table(users)}
local groups = {groups}
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local mine = nil
local sent = {{}}
local n = 0
init = function(args)
  mine = groups[id]
  for i = 1, #mine do sent[i] = 0 end
end
request = function()
  n = n + 1
  local i = ((n - 1) % #mine) + 1
  local user = users[mine[i]]
  sent[i] = sent[i] + 1
  local bodies = user[3]
  local body = nil
  if #bodies[1] > 0 then body = bodies[(sent[i] % #bodies) + 1] end
  return wrk.format(nil, user[1], user[2], body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nRESULT {{"requests":%d,"duration_us":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,' ..
    '"status":%d,"socket":%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def load(base: str, req: Request, *, connections: int = 20, seconds: float = 10) -> Result:
    """Load ``base + req.path`` with ``connections`` keep-alive connections for ``seconds``."""
    require_loopback(base)
    if not wrk_available():
        return asyncio.run(_python_load(base, req, connections=connections, seconds=seconds))
    threads = min(2, connections)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_wrk_script(req, threads))
    try:
        out = subprocess.run(  # noqa: S603
            [
                shutil.which("wrk") or "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds:g}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                base + req.path,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        max_ms=data["max"] / 1000,
        failed=data["status"] + data["socket"],
        generator="wrk",
    )


async def _python_load(base: str, req: Request, *, connections: int, seconds: float) -> Result:
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[float] = []
    failed = 0
    stop_at = time.perf_counter() + seconds

    def raw(path: str, headers: dict[str, str], body: str) -> bytes:
        lines = [f"{req.method} {path} HTTP/1.1", f"Host: {host}:{port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        data = body.encode()
        if data:
            lines.append(f"Content-Length: {len(data)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + data

    # each user's requests, one per body, in the order its bodies alternate
    prepared = [
        [raw(path, headers, b) for b in (bodies or ("",))]
        for path, headers, bodies in req.rotation()
    ]
    groups = shares(len(prepared), connections)

    async def one_connection(mine: list[int]) -> None:
        nonlocal failed
        reader, writer = await asyncio.open_connection(host, port)
        n = 0
        sent = [0] * len(mine)
        while time.perf_counter() < stop_at:
            i = n % len(mine)
            n += 1
            sent[i] += 1
            user = prepared[mine[i]]
            start = time.perf_counter()
            writer.write(user[sent[i] % len(user)])
            status_line = await reader.readline()
            headers: dict[str, str] = {}
            while (line := await reader.readline()) not in (b"\r\n", b""):
                key, _, value = line.decode("latin-1").partition(":")
                headers[key.strip().lower()] = value.strip()
            if "content-length" in headers:
                await reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding") == "chunked":
                while size := int((await reader.readline()).strip() or b"0", 16):
                    await reader.readexactly(size + 2)
                await reader.readline()
            latencies.append(time.perf_counter() - start)
            status = int(status_line.split()[1]) if status_line else 599
            failed += status >= 400
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(one_connection(mine) for mine in groups))
    elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000

    return Result(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=pct(50),
        p95_ms=pct(95),
        p99_ms=pct(99),
        max_ms=latencies[-1] * 1000,
        failed=failed,
        generator="python",
    )


# --- profiles ---------------------------------------------------------------------------


def py_spy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return found if Path(found).exists() else None


@contextmanager
def profiled(pid: int, out: Path, seconds: float) -> Iterator[None]:
    """py-spy samples ``pid`` (collapsed stacks into ``out``) while the block runs."""
    spy = py_spy()
    if spy is None:
        raise SystemExit("py-spy is not installed (pip install py-spy)")
    proc = subprocess.Popen(  # noqa: S603
        [
            spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            f"{int(seconds)}",
            "--rate",
            "250",
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
            "--gil",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield
    finally:
        _, err = proc.communicate(timeout=seconds + 60)
        if proc.returncode != 0:
            raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')[-500:]}")


#: Where the request path spends its time, as the issue grouped it: a frame whose text
#: contains the pattern counts its whole sample once (inclusive).
PROFILE_GROUPS = {
    "session lookup (current_auth)": "current_auth (",
    "published catalog (catalogs.service.reads)": "catalogs/service/reads.py",
    "middleware (app/web/middleware.py)": "web/middleware.py",
    "logging": "logging/__init__.py",
    "database driver (execute/fetch)": ("sqlite3", "psycopg"),
    "commit / rollback / close": ("commit (", "rollback (", "close (sqlalchemy"),
    "JSON body guard (input_guard)": "input_guard.py",
    "templates (jinja2)": "jinja2/",
    "the level engine (app/guide/engine.py)": "guide/engine.py",
    "pydantic validation / serialisation": "pydantic",
}


def profile_summary(path: Path, *, top: int = 12) -> dict[str, object]:
    """Shares of the busy samples: the groups above (inclusive) and the top functions by self
    time."""
    groups: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        for name, pattern in PROFILE_GROUPS.items():
            patterns = (pattern,) if isinstance(pattern, str) else pattern
            if any(p in frame for frame in frames for p in patterns):
                groups[name] += count
        self_time[frames[-1].strip()] += count

    def share(n: int) -> float:
        return round(100 * n / total, 1) if total else 0.0

    return {
        "samples": total,
        "groups": {name: share(groups[name]) for name in PROFILE_GROUPS},
        "self": [(frame, share(n)) for frame, n in self_time.most_common(top)],
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def http_json(
    base: str,
    method: str,
    path: str,
    *,
    body: object | None = None,
    form: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request (redirects not followed)."""
    require_loopback(base)
    data = None
    all_headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    elif form is not None:
        data = form.encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(  # noqa: S310 - loopback http only (checked above)
        base + path, data=data, method=method, headers=all_headers
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
