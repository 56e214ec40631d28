"""What a staff member does on the tablet, step by step, for the browser tests."""

from __future__ import annotations

import re
import uuid
from typing import Any

from app.catalogs import service as catalogs
from tests.browser.conftest import PASSWORD, Server

SAVED_ON_SERVER = "Gemt på serveren"
SAVED_ON_DEVICE = "Gemt på enheden – sendes når der er net"


def indicators(
    level: int, *, critical: bool = False, n: int = 1, catalog: str = "3-5"
) -> list[str]:
    """Indicator ids of the shipped catalog (a child of 4 gets 3-5)."""
    found = next(c for c in catalogs.shipped_guide().catalogs if c.id == catalog)
    ids = [i.id for i in found.indicators() if i.level == level and i.critical == critical]
    return ids[:n]


def text_of(indicator_id: str, catalog: str = "3-5") -> str:
    found = next(c for c in catalogs.shipped_guide().catalogs if c.id == catalog)
    return found.indicator(indicator_id).text


def login(page: Any, server: Server, username: str) -> None:
    page.goto(server.url("/login"))
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))


def logout(page: Any) -> None:
    page.get_by_role("button", name="Log ud").click()


def add_child(page: Any, first: str, last: str, birth_date: str = "2022-03-01") -> int:
    """Through the menu: Børn → Tilføj barn; returns the child's id."""
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Børn").click()
    page.get_by_label("Fornavn").fill(first)
    page.get_by_label("Efternavn").fill(last)
    page.get_by_label("Fødselsdato").fill(birth_date)
    page.get_by_role("button", name="Tilføj barn").click()
    page.wait_for_url(re.compile(r"/children/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def api_session(context: Any, server: Server, username: str = "paedagog") -> str:
    """Sign the browser context in through the JSON API; returns the CSRF token."""
    response = context.request.post(
        server.url("/api/v1/session"), data={"username": username, "password": PASSWORD}
    )
    assert response.ok, response.text()
    return str(response.json()["csrf_token"])


def finished_assessment(
    context: Any,
    server: Server,
    csrf: str,
    *,
    observed: list[str],
    first_name: str,
    last_name: str = "Hansen",
    birth_date: str = "2022-03-01",
) -> int:
    """A new child and a finished assessment of it with ``observed`` ticked, made through the
    JSON API as the context's user; returns the assessment's id."""
    headers = {"X-CSRF-Token": csrf}
    child = context.request.post(
        server.url("/api/v1/children"),
        headers=headers,
        data={"first_name": first_name, "last_name": last_name, "birth_date": birth_date},
    )
    assert child.ok, child.text()
    finished = context.request.post(
        server.url("/api/v1/assessments"),
        headers=headers,
        data={"child_id": child.json()["id"], "observed": observed},
    )
    assert finished.ok, finished.text()
    return int(finished.json()["id"])


def start_assessment(page: Any) -> int:
    page.get_by_role("button", name="Ny vurdering").click()
    page.wait_for_url(re.compile(r"/assessments/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


# Playwright's wait_for_function does not await a promise: an async predicate returns one,
# which is truthy, so the wait ends at once whatever the promise resolves to. This runs the
# async function again and again (never two at once) and ends the wait once a run resolves
# truthy; a page that navigates meanwhile starts over on the new page.
_UNTIL = """(wait) => {
  const waits = (window.__trivselWaits ??= {});
  const run = (waits[wait.key] ??= {running: false, value: false});
  if (!run.running) {
    run.running = true;
    Promise.resolve(wait.arg).then(__FUNCTION__).then(
      (value) => { run.value = value; },
      (error) => { run.value = false; console.info("trivsel test: not yet", error); },
    ).finally(() => { run.running = false; });
  }
  return run.value;
}"""


def wait_until(page: Any, async_function: str, arg: Any = None) -> Any:
    """Wait until ``async_function(arg)``, run in the page, resolves to a truthy value."""
    expression = _UNTIL.replace("__FUNCTION__", async_function)
    wait = {"key": uuid.uuid4().hex, "arg": arg}
    return page.wait_for_function(expression, arg=wait, polling=100).json_value()


def wait_for_service_worker(page: Any) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_until(page, "async () => !!(await caches.match('/api/v1/offline/guide'))")


def tap(page: Any, indicator_id: str) -> None:
    page.locator(f"label:has(> input[value='{indicator_id}'])").tap()


def expect_status(page: Any, text: str) -> None:
    page.wait_for_function(
        "(text) => document.getElementById('save-status').textContent.includes(text)", arg=text
    )


def summary_level(page: Any) -> str:
    return page.locator("#summary-level-badge .level-badge-number").inner_text()


def assessments_of(request: Any, server: Server, username: str, child_id: int) -> list[Any]:
    """The child's assessments as the server has them, read through the JSON API."""
    login_response = request.post(
        server.url("/api/v1/session"), data={"username": username, "password": PASSWORD}
    )
    assert login_response.ok, login_response.text()
    response = request.get(server.url(f"/api/v1/children/{child_id}"))
    assert response.ok, response.text()
    return list(response.json()["assessments"])
