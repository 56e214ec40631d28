"""The social worker's side and the signals back to staff, as people see them on a tablet in
both orientations: the receipt after a consultation, the answer counted on "Sager", the next
step as a button with a confirmation, the urgency in the inbox and the CPR reveal."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TABLET_LANDSCAPE, TABLET_PORTRAIT, Server
from tests.browser.flows import api_session, finished_assessment, indicators, login

pytestmark = pytest.mark.browser

ORIENTATIONS = [
    pytest.param(TABLET_PORTRAIT, id="820x1180"),
    pytest.param(TABLET_LANDSCAPE, id="1180x820"),
]
_names = itertools.count(1)


def _finished_assessment(context: Any, server: Server, *, level: int, critical: bool) -> int:
    """A child of Mælkebøtten with a finished assessment (the context is signed in as
    paedagog)."""
    return finished_assessment(
        context,
        server,
        api_session(context, server),
        observed=indicators(level, critical=critical),
        first_name=f"Signe{next(_names)}",
        last_name="Holm",
        birth_date="2022-03-04",
    )


def _replies(page: Any) -> int:
    """The header's count of new replies (0 when it is not shown)."""
    count = page.locator("#count-replies")
    return int(count.inner_text().split()[0]) if count.count() else 0


@pytest.mark.parametrize("viewport", ORIENTATIONS)
def test_a_consultation_is_confirmed_answered_with_a_button_and_counted_for_staff(
    server, new_context, viewport
) -> None:
    staff_context = new_context(viewport)
    assessment_id = _finished_assessment(staff_context, server, level=3, critical=False)
    staff = staff_context.new_page()  # signed in as paedagog by the API login
    staff.goto(server.url(f"/assessments/{assessment_id}/consultation"))
    expect(staff.locator("#word-for-word")).to_contain_text("ord for ord")
    staff.get_by_label("Din besked til socialrådgiveren").fill("Barnet er trist og leger alene.")
    staff.get_by_role("button", name="Send til sparring").click()
    receipt = staff.locator("#receipt")
    expect(receipt).to_be_in_viewport()
    expect(receipt).to_contain_text("socialrådgiverne i Nord")
    expect(receipt.get_by_role("link", name="Tilbage til barnet")).to_be_visible()
    concern_path = staff.url.split(server.base_url, 1)[1].split("?", 1)[0]

    staff.goto(server.url("/"))
    before = _replies(staff)  # the demo's answered consultation counts too

    social = new_context(viewport).new_page()
    login(social, server, "raadgiver")
    social.goto(server.url(concern_path))
    expect(social.get_by_role("heading", name="Næste skridt i sagen")).to_be_visible()
    social.get_by_label("Dit svar til medarbejderen").fill("Tal med forældrene og følg op.")
    button = social.get_by_role("button", name="Send svar")
    expect(button).to_be_visible()
    button.click()
    done = social.locator("#step-done")
    expect(done).to_be_in_viewport()
    expect(done).to_contain_text("Dit svar er sendt til medarbejderen")

    staff.goto(server.url("/"))
    count = staff.locator("#count-replies")
    expect(count).to_be_visible()
    expect(count).to_have_text("1 nyt svar" if before == 0 else f"{before + 1} nye svar")
    social.goto(server.url(concern_path))
    social.get_by_role("button", name="Luk sagen").click()
    expect(social.locator("#step-done")).to_contain_text("Sagen er lukket")


@pytest.mark.parametrize("viewport", ORIENTATIONS)
def test_the_inbox_shows_urgency_and_the_social_worker_reveals_the_cpr_number(
    server, new_context, viewport
) -> None:
    staff_context = new_context(viewport)
    assessment_id = _finished_assessment(staff_context, server, level=4, critical=True)
    staff = staff_context.new_page()  # signed in as paedagog by the API login
    staff.goto(server.url(f"/assessments/{assessment_id}/notification"))
    expect(staff.get_by_label("Hvor hastende er det?")).to_have_value("urgent")
    staff.get_by_label("CPR-nummer (valgfrit)").fill("040322-4000")
    staff.get_by_label("Hvad har du set og hørt", exact=False).fill("Barnet har blå mærker.")
    staff.locator("#input-confirm").check()
    staff.get_by_role("button", name="Send underretningen").click()
    expect(staff.locator("#receipt")).to_be_in_viewport()
    expect(staff.locator("#cpr-masked")).to_have_text("040322-XXXX")
    expect(staff.get_by_role("button", name="Vis fuldt CPR-nummer")).to_have_count(0)
    concern_path = staff.url.split(server.base_url, 1)[1].split("?", 1)[0]

    social = new_context(viewport).new_page()
    login(social, server, "raadgiver")
    social.goto(server.url("/concerns"))
    concern_id = concern_path.rsplit("/", 1)[1]
    expect(social.locator(f"#concern-{concern_id} .concern-urgency")).to_have_text(
        "Hurtigst muligt"
    )
    social.goto(server.url(concern_path))
    expect(social.locator("#cpr-masked")).to_have_text("040322-XXXX")
    social.get_by_role("button", name="Vis fuldt CPR-nummer").click()
    expect(social.locator("#cpr-full")).to_have_text("040322-4000")
    expect(social.locator("#cpr-full")).to_be_visible()
