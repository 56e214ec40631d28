"""Stateless workers (issue 14): two real server processes (``tests/web/worker_process.py``,
the app as ``app.asgi`` builds it) on one PostgreSQL database. A login on one is valid on the
other, login throttling counts across both, an idempotent retry on the other returns the
first result, a catalog published on one is served by the other at once, and two social
workers, one on each, moving the same concern at the same moment: one wins, the other 409.

One server pair for the module; it runs only with ``TEST_DATABASE_URL`` (PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx2
import pytest
import yaml
from sqlmodel import func, select

from app import db
from app.accounts.models import District, Role
from app.assessments.models import Assessment
from app.concerns.models import ConcernEvent
from tests.conftest import POSTGRES_URL
from tests.factories import TEST_PASSWORD, Org, id_of, make_child, make_org, make_user, signs

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)"),
]

ROOT = Path(__file__).resolve().parents[2]
SECRET = "two-workers-test-secret-key-that-is-long-enough-0123456789"  # a throwaway database
MAX_FAILURES = 3
#: Generous: two workers start on a busy 2-core machine shared with other test runs.
START_SECONDS = 90.0
CHANGED = "Henvendelsen er lige blevet ændret af en anden. Se den nye status."
#: The clients a test opened, closed after it (``_close_clients``).
_open: list[httpx2.Client] = []


@dataclass
class Seeded:
    url: str
    org: Org
    child_id: int


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[str]
    base_url: str
    log: IO[bytes]

    def client(self, cookies: httpx2.Cookies | None = None) -> httpx2.Client:
        """A new browser for this worker (closed after the test)."""
        client = httpx2.Client(base_url=self.base_url, cookies=cookies, timeout=60.0)
        _open.append(client)
        return client


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _open:
        _open.pop().close()


@pytest.fixture(scope="module")
def seeded(postgres_migrated: str, empty_postgres: Callable[[], None]) -> Iterator[Seeded]:
    """The organisation (and a second social worker of Nord, and a child) in this worker's
    PostgreSQL test database; emptied again after the module."""
    engine = db.make_engine(postgres_migrated)
    try:
        with db.session_scope(engine) as s:
            org = make_org(s)
            nord = s.get_one(District, org.nord_id)
            make_user(s, "social2", Role.SOCIAL_WORKER, district=nord, display_name="Søren")
            child_id = id_of(make_child(s, org.daycare_id, org.users["staff"]))
    finally:
        engine.dispose()
    try:
        yield Seeded(url=postgres_migrated, org=org, child_id=child_id)
    finally:
        empty_postgres()


def _start(name: str, env: dict[str, str]) -> Worker:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the workers stop
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.web.worker_process"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    return Worker(name=name, process=process, base_url="", log=log)


def _ready(worker: Worker, deadline: float) -> None:
    """Read the port it listens on, then wait for ``/healthz`` (a request sent before the
    server has started waits in the listen backlog)."""
    assert worker.process.stdout is not None
    line = worker.process.stdout.readline()
    if not line.startswith("PORT "):
        worker.log.seek(0)
        pytest.fail(f"worker {worker.name} did not start: {worker.log.read().decode()[-3000:]}")
    worker.base_url = f"http://127.0.0.1:{int(line.split()[1])}"
    while True:
        try:
            response = httpx2.get(f"{worker.base_url}/healthz", timeout=START_SECONDS)
            if response.status_code == 200:
                return
        except httpx2.TransportError:
            pass
        assert worker.process.poll() is None, f"worker {worker.name} exited"
        assert time.monotonic() < deadline, f"worker {worker.name} not ready"


@pytest.fixture(scope="module")
def workers(seeded: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Worker]]:
    """Workers A and B, started together on the same database and secret, as a process
    manager starts them (no state shared but the database)."""
    data_dir = tmp_path_factory.mktemp("workers")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TRIVSEL_", "COV_", "PYTEST_"))
    }
    env |= {
        "TRIVSEL_DATABASE_URL": seeded.url,
        "TRIVSEL_SECRET_KEY": SECRET,
        "TRIVSEL_DATA_DIR": str(data_dir),
        "TRIVSEL_LOGIN_MAX_FAILURES_PER_USER": str(MAX_FAILURES),
        "TRIVSEL_LOGIN_MAX_FAILURES_PER_CLIENT": "1000",
        "TRIVSEL_LOG_LEVEL": "warning",
    }
    pair = [_start("A", env), _start("B", env)]
    try:
        deadline = time.monotonic() + START_SECONDS
        for worker in pair:
            _ready(worker, deadline)
        yield pair
    finally:
        for worker in pair:
            worker.process.terminate()
        for worker in pair:
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            if worker.process.stdout is not None:
                worker.process.stdout.close()
            worker.log.close()


@dataclass
class Session:
    client: httpx2.Client
    csrf: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}


def _login(worker: Worker, username: str) -> Session:
    client = worker.client()
    response = client.post(
        "/api/v1/session", json={"username": username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return Session(client, response.json()["csrf_token"])


def _on(worker: Worker, session: Session) -> Session:
    """The same browser session (cookies, CSRF token) sent to another worker."""
    return Session(worker.client(cookies=session.client.cookies), session.csrf)


def _count(url: str, statement: Any) -> int:
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as s:
            return int(s.exec(statement).one())
    finally:
        engine.dispose()


def test_a_login_on_one_is_valid_on_the_other(workers):
    a, b = workers
    on_a = _login(a, "staff")
    on_b = _on(b, on_a)
    me = on_b.client.get("/api/v1/session")
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "staff"
    # the CSRF token given by A is accepted by B for a change
    child = on_b.client.post(
        "/api/v1/children",
        json={"first_name": "Alma", "last_name": "Bech", "birth_date": "2021-04-05"},
        headers=on_b.headers,
    )
    assert child.status_code == 201, child.text
    assert on_a.client.get(f"/api/v1/children/{child.json()['id']}").status_code == 200
    # a logout on B ends the session on A too
    assert on_b.client.delete("/api/v1/session", headers=on_b.headers).status_code == 204
    assert on_a.client.get("/api/v1/session").status_code == 401


def test_login_throttling_counts_across_both(workers):
    a, b = workers
    wrong = {"username": "leader", "password": "not-the-password"}
    answers = []
    for attempt in range(MAX_FAILURES):
        worker = (a, b)[attempt % 2]
        answers.append(worker.client().post("/api/v1/session", json=wrong).status_code)
    assert answers == [401] * MAX_FAILURES  # never more than the limit on either worker
    for worker in (b, a):  # the next attempt is refused on both, even with the right password
        refused = worker.client().post(
            "/api/v1/session", json={"username": "leader", "password": TEST_PASSWORD}
        )
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0


def test_an_idempotent_retry_on_the_other_returns_the_first_result(workers, seeded):
    a, b = workers
    on_a = _login(a, "staff")
    on_b = _on(b, on_a)
    body = {"child_id": seeded.child_id, "observed": signs(level=2)}
    key = {"Idempotency-Key": "tablet-7-finish-1"}
    first = on_a.client.post("/api/v1/assessments", json=body, headers=on_a.headers | key)
    assert first.status_code == 201, first.text
    retry = on_b.client.post("/api/v1/assessments", json=body, headers=on_b.headers | key)
    assert retry.status_code in (200, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert retry.json() == first.json()
    stored = (
        select(func.count()).select_from(Assessment).where(Assessment.child_id == seeded.child_id)
    )
    assert _count(seeded.url, stored) == 1


def test_a_catalog_published_on_one_is_served_by_the_other(workers):
    a, b = workers
    staff_b = _login(b, "staff")
    before = staff_b.client.get("/api/v1/catalogs/3-5").json()  # B has parsed and cached it
    admin = _login(a, "admin")
    text = admin.client.get("/api/v1/admin/catalogs/3-5/yaml").text
    data = yaml.safe_load(text)
    data["areas"][0]["indicators"][0]["text"] = "Barnet leger sjældent med de andre børn."
    draft = admin.client.post(
        "/api/v1/admin/catalogs/3-5/drafts",
        json={"yaml": yaml.safe_dump(data, allow_unicode=True, sort_keys=False)},
        headers=admin.headers,
    )
    assert draft.status_code == 201, draft.text
    published = admin.client.post(
        f"/api/v1/admin/catalogs/3-5/drafts/{draft.json()['draft_id']}/publish",
        headers=admin.headers,
    )
    assert published.status_code == 200, published.text
    assert published.json()["version"] == before["version"] + 1
    after = staff_b.client.get("/api/v1/catalogs/3-5").json()
    assert after["version"] == before["version"] + 1
    assert after["areas"][0]["indicators"][0]["text"] == "Barnet leger sjældent med de andre børn."
    listed = {c["id"]: c["version"] for c in staff_b.client.get("/api/v1/catalogs").json()}
    assert listed["3-5"] == before["version"] + 1


def _at_once(*requests: Callable[[], httpx2.Response]) -> list[httpx2.Response]:
    """The requests sent from threads released together by a barrier."""
    barrier = threading.Barrier(len(requests))
    answers: list[httpx2.Response | None] = [None] * len(requests)

    def run(index: int) -> None:
        barrier.wait(timeout=60)
        answers[index] = requests[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


def test_two_social_workers_one_on_each_worker_move_the_same_concern(workers, seeded):
    a, b = workers
    staff = _login(a, "staff")
    made = staff.client.post(
        "/api/v1/assessments",
        json={"child_id": seeded.child_id, "observed": signs(level=3)},
        headers=staff.headers,
    )
    assert made.status_code == 201, made.text
    concern = staff.client.post(
        "/api/v1/concerns",
        json={"assessment_id": made.json()["id"], "kind": "consultation", "message": "Trist."},
        headers=staff.headers,
    )
    assert concern.status_code == 201, concern.text
    url = f"/api/v1/concerns/{concern.json()['id']}"
    rikke, soren = _login(a, "social"), _login(b, "social2")
    etag = rikke.client.get(url).headers["ETag"]
    assert soren.client.get(url).headers["ETag"] == etag

    # both take the version they see, at the same moment
    takes = _at_once(
        lambda: rikke.client.post(f"{url}/take", headers=rikke.headers | {"If-Match": etag}),
        lambda: soren.client.post(f"{url}/take", headers=soren.headers | {"If-Match": etag}),
    )
    assert sorted(r.status_code for r in takes) == [200, 409]
    (lost,) = [r for r in takes if r.status_code == 409]
    assert lost.json()["error"] == {"code": "concern_changed", "message": CHANGED, "details": []}
    (won,) = [r for r in takes if r.status_code == 200]
    assert rikke.client.get(url).json()["assigned_to"] == won.json()["assigned_to"]

    # both answer it at the same moment, without If-Match: still one answer
    moves = _at_once(
        lambda: rikke.client.post(
            f"{url}/transitions", json={"to": "answered", "note": "A"}, headers=rikke.headers
        ),
        lambda: soren.client.post(
            f"{url}/transitions", json={"to": "answered", "note": "B"}, headers=soren.headers
        ),
    )
    assert sorted(r.status_code for r in moves) == [200, 409]
    events = (
        select(func.count())
        .select_from(ConcernEvent)
        .where(ConcernEvent.concern_id == concern.json()["id"])
    )
    # submitted, taken once, answered once
    assert _count(seeded.url, events) == 3
    answered = rikke.client.get(url).json()
    assert answered["status"] == "answered"
    assert answered["answer"] in ("A", "B")
