"""A handover from the daycare to the school on two tablets, in both orientations: the
pædagog sends it from the child's page with the parents' consent, the teacher sees it on the
start page, reads the child, the consent and the summary, and accepts; the child is then the
school's. Under the abuse rule the form says so and points to the notification. Every new
page on the way is axe-clean."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from app.db import local_today
from tests.browser.conftest import RUN_AXE, TABLET_LANDSCAPE, TABLET_PORTRAIT
from tests.browser.flows import api_session, finished_assessment, login
from tests.factories import signs

pytestmark = pytest.mark.browser

ORIENTATIONS = [
    pytest.param(TABLET_PORTRAIT, id="820x1180"),
    pytest.param(TABLET_LANDSCAPE, id="1180x820"),
]
_names = itertools.count(1)


def _axe_clean(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    violations = page.evaluate(RUN_AXE)
    assert violations == [], (page.url, violations)


def _child_id(context: Any, server: Any, csrf: str, assessment_id: int) -> int:
    response = context.request.get(server.url(f"/api/v1/assessments/{assessment_id}"))
    assert response.ok, response.text()
    return int(response.json()["child_id"])


@pytest.mark.parametrize("viewport", ORIENTATIONS)
def test_the_daycare_hands_over_and_the_school_accepts(server, new_context, axe_js, viewport):
    daycare = new_context(viewport)
    daycare.add_init_script(path=str(axe_js))
    csrf = api_session(daycare, server, "paedagog")
    first = f"Otto{next(_names)}"
    assessment_id = finished_assessment(
        daycare, server, csrf, observed=signs(level=2, n=1), first_name=first
    )
    child_id = _child_id(daycare, server, csrf, assessment_id)
    pia = daycare.new_page()
    pia.goto(server.url(f"/children/{child_id}"))
    pia.get_by_role("link", name="Overlevering til skole").click()
    pia.wait_for_url(re.compile(r"/handovers/new$"))
    _axe_clean(pia)
    pia.get_by_label("Modtagende skole").select_option(label="Nordskolen")
    pia.get_by_label("Samtykke givet af").fill("Maria Hansen (mor)")
    pia.get_by_label("Dato for samtykket").fill(local_today().isoformat())
    pia.get_by_label("Hvad samtykket dækker").fill("Resumé af seneste vurdering og fokuspunkter")
    pia.get_by_role("button", name="Send overleveringen").click()
    pia.wait_for_url(re.compile(r"/handovers/\d+$"))
    expect(pia.locator("#handover-status")).to_contain_text("venter på skolen")
    _axe_clean(pia)
    handover_url = pia.url

    school = new_context(viewport)
    school.add_init_script(path=str(axe_js))
    lars = school.new_page()
    login(lars, server, "laerer")
    waiting = lars.locator("#todo-handovers").get_by_role("link", name=re.compile(first))
    expect(waiting).to_be_visible()
    _axe_clean(lars)
    lars.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Overleveringer"
    ).click()
    expect(lars.locator("#incoming-handovers")).to_contain_text(first)
    _axe_clean(lars)
    lars.goto(handover_url)
    expect(lars.locator("#handover-consent")).to_contain_text("Maria Hansen (mor)")
    expect(lars.locator("#handover-summary")).to_contain_text("Faldende trivsel")
    _axe_clean(lars)
    lars.get_by_role("button", name="Acceptér").click()
    lars.wait_for_url(re.compile(rf"/children/{child_id}$"))
    expect(lars.locator("#child-name")).to_contain_text(first)
    _axe_clean(lars)

    pia.goto(server.url(f"/children/{child_id}"))
    expect(pia.locator("h1")).to_contain_text("findes ikke")


def test_the_abuse_rule_points_to_the_notification(server, new_context, axe_js):
    daycare = new_context(TABLET_PORTRAIT)
    daycare.add_init_script(path=str(axe_js))
    csrf = api_session(daycare, server, "paedagog")
    assessment_id = finished_assessment(
        daycare,
        server,
        csrf,
        observed=signs(level=4, critical=True, n=1),
        first_name=f"Ida{next(_names)}",
    )
    child_id = _child_id(daycare, server, csrf, assessment_id)
    page = daycare.new_page()
    page.goto(server.url(f"/children/{child_id}/handovers/new"))
    expect(page.locator("#handover-abuse-rule")).to_be_visible()
    expect(page.locator("#handover-form")).to_have_count(0)
    _axe_clean(page)
    page.get_by_role("link", name="Udfyld underretning").click()
    page.wait_for_url(re.compile(rf"/assessments/{assessment_id}/notification$"))
