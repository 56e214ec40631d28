"""A leader runs a well-being round on a tablet, in both orientations: starts it from the
rounds page, sees who is missing, and sees the progress move once a staff member has assessed
a child of the group. The round page and its overview have no serious axe violations."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from app.db import local_today
from tests.browser.conftest import RUN_AXE, TABLET_LANDSCAPE, TABLET_PORTRAIT, Server
from tests.browser.flows import api_session, login

pytestmark = pytest.mark.browser

ORIENTATIONS = [
    pytest.param(TABLET_PORTRAIT, id="820x1180"),
    pytest.param(TABLET_LANDSCAPE, id="1180x820"),
]
_titles = itertools.count(1)


def _assess_first_missing(context: Any, server: Server, round_id: int, group: str) -> int:
    """As paedagog, through the JSON API: a finished assessment of the first child still
    missing in ``group``; returns the child's id."""
    csrf = api_session(context, server, "paedagog")
    progress = context.request.get(server.url(f"/api/v1/rounds/{round_id}")).json()
    child_id = next(p for p in progress["progress"] if p["name"] == group)["missing"][0]
    response = context.request.post(
        server.url("/api/v1/assessments"),
        headers={"X-CSRF-Token": csrf},
        data={"child_id": child_id, "observed": []},
    )
    assert response.ok, response.text()
    return int(child_id)


def _count(page: Any, group_id: str) -> int:
    return int(page.locator(f"#progress-group-{group_id}-count .assessed").inner_text())


@pytest.mark.parametrize("viewport", ORIENTATIONS)
def test_a_leader_starts_a_round_and_sees_progress_move(
    server, new_context, axe_js, viewport
) -> None:
    context = new_context(viewport, bypass_csp=True)
    context.add_init_script(path=str(axe_js))
    leader = context.new_page()
    login(leader, server, "leder")
    leader.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Trivselsrunder"
    ).click()
    title = f"Testrunde {next(_titles)}"
    today = local_today()
    leader.get_by_label("Titel").fill(title)
    leader.get_by_label("Første dag").fill(today.isoformat())
    leader.get_by_label("Sidste dag").fill((today + dt.timedelta(days=14)).isoformat())
    leader.get_by_label(re.compile(r"Solstuen \(")).check()
    leader.get_by_role("button", name="Start runden").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text(title)
    round_id = int(re.search(r"/rounds/(\d+)", leader.url).group(1))  # type: ignore[union-attr]

    section = leader.locator("section.round-group")
    expect(section).to_have_count(1)
    group_id = section.get_attribute("id").rsplit("-", 1)[1]
    before = _count(leader, group_id)
    assert leader.evaluate(RUN_AXE) == []

    staff_context = new_context(viewport)
    child_id = _assess_first_missing(staff_context, server, round_id, "Solstuen")
    expect(leader.locator(f"#missing-{group_id}-{child_id}")).to_be_visible()

    leader.get_by_role("button", name="Opdater").click()
    expect(leader.locator(f"#progress-group-{group_id}-count .assessed")).to_have_text(
        str(before + 1)
    )
    expect(leader.locator(f"#missing-{group_id}-{child_id}")).to_have_count(0)
    assert leader.evaluate(RUN_AXE) == []

    # The page names the first five missing children; the group's own list names them all.
    expect(leader.locator(f"#missing-{group_id} li")).to_have_count(5)
    leader.get_by_role("link", name=re.compile(r"^og \d+ flere i Solstuen$")).click()
    expect(leader.get_by_role("link", name="Hele runden")).to_be_visible()
    assert leader.locator(f"#missing-{group_id} li").count() > 5
    assert leader.evaluate(RUN_AXE) == []
    leader.get_by_role("link", name="Hele runden").click()

    leader.get_by_role("link", name="Overblik og sammenligning med forrige runde").click()
    expect(leader.locator("#round-chart svg")).to_be_visible()
    expect(leader.get_by_role("heading", name="Virker det, vi gør?")).to_be_visible()
    assert leader.evaluate(RUN_AXE) == []
