"""A staff member on a tablet: an assessment done by taps, online and with the network gone
halfway; a closed tab; a shared tablet; an expired session. The server must end up with
exactly one finished assessment holding everything entered, and nobody else's eyes on it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from app.db import local_today
from tests.browser.conftest import (
    PASSWORD,
    RUN_AXE,
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    Server,
)
from tests.browser.flows import (
    SAVED_ON_DEVICE,
    SAVED_ON_SERVER,
    add_child,
    assessments_of,
    expect_status,
    indicators,
    login,
    logout,
    start_assessment,
    summary_level,
    tap,
    text_of,
    wait_for_service_worker,
    wait_until,
)

pytestmark = pytest.mark.browser
#: Generous: a state on a busy 2-core machine (the checks run in the page, no network).
STATE_WAIT_MS = 30_000
SESSION_ENDED = "Du er blevet logget ud – log ind igen, så gemmes det, du har skrevet"
BOTH_ORIENTATIONS = pytest.mark.parametrize(
    ("viewport", "label"),
    [(TABLET_PORTRAIT, "820x1180"), (TABLET_LANDSCAPE, "1180x820")],
    ids=["portrait", "landscape"],
)

OPEN_DB = """
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open("trivselsguiden", 1);
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  const outbox = (method) => new Promise((ok) => {
    const r = db.transaction("outbox").objectStore("outbox")[method]();
    r.onsuccess = () => ok(r.result);
  });
"""
OUTBOX_COUNT = f"""async () => {{
  {OPEN_DB}
  const n = await outbox("count");
  db.close();
  return n;
}}"""

DECRYPT_ALL_WITH_MY_KEY = f"""async () => {{
  const key = await (await fetch("/api/v1/offline/device-key")).json();
  const b64 = key.key.replace(/-/g, "+").replace(/_/g, "/") + "=";
  const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const aes = await crypto.subtle.importKey("raw", raw, {{name: "AES-GCM"}}, false, ["decrypt"]);
  {OPEN_DB}
  const records = await outbox("getAll");
  db.close();
  const results = [];
  for (const record of records) {{
    const mine = record.owner === key.owner;
    try {{
      const aad = new TextEncoder().encode(record.owner + "|" + record.id);
      const how = {{name: "AES-GCM", iv: record.iv, additionalData: aad}};
      await crypto.subtle.decrypt(how, aes, record.data);
      results.push({{mine, opened: true}});
    }} catch (e) {{
      results.push({{mine, opened: false}});
    }}
  }}
  const bytes = records.map((r) => Array.from(r.data || []));
  return {{records: results, text: JSON.stringify(bytes)}};
}}"""


@pytest.fixture
def api(playwright_driver: Any) -> Iterator[Any]:
    """A separate HTTP client for checking what the server stored."""
    contexts: list[Any] = []

    class Api:
        def assessments(self, server: Server, username: str, child_id: int) -> list[Any]:
            request = playwright_driver.request.new_context()
            contexts.append(request)
            return assessments_of(request, server, username, child_id)

        def finish_elsewhere(self, server: Server, username: str, draft_id: int) -> None:
            """Finish the draft from another device, with nothing ticked."""
            request = playwright_driver.request.new_context()
            contexts.append(request)
            session = request.post(
                server.url("/api/v1/session"), data={"username": username, "password": PASSWORD}
            )
            response = request.post(
                server.url(f"/api/v1/offline/assessments/{draft_id}/sync"),
                headers={
                    "X-CSRF-Token": session.json()["csrf_token"],
                    "Idempotency-Key": "another-tablet",
                },
                data={"observed": [], "finish": {"level": 1}},
            )
            assert response.ok, response.text()

    yield Api()
    for request in contexts:
        request.dispose()


def _wait_for_outbox(page: Any, count: int) -> None:
    wait_until(page, f"async (count) => (await ({OUTBOX_COUNT})()) === count", count)


def _finished(api: Any, server: Server, username: str, child_id: int, page: Any) -> list[Any]:
    for _ in range(60):
        found = api.assessments(server, username, child_id)
        if found and all(a["status"] == "finished" for a in found):
            return found
        page.wait_for_timeout(250)
    return api.assessments(server, username, child_id)


def _finish_offline(
    context: Any,
    page: Any,
    server: Server,
    child: tuple[str, str],
    sign: str,
    notes: str = "",
    plan: bool = False,
) -> tuple[int, int]:
    """Pia adds the child and starts an assessment online; then the network goes, and she
    ticks ``sign``, writes ``notes`` and finishes on the tablet (with ``plan``: also who does
    the focus point and a parents' note of today). (child id, draft id)"""
    login(page, server, "paedagog")
    child_id = add_child(page, *child)
    draft_id = start_assessment(page)
    wait_for_service_worker(page)
    context.set_offline(True)
    tap(page, sign)
    if notes:
        page.get_by_label("Observationer og noter").fill(notes)
    # Level 2 or higher: the finish step asks for a focus point, offline too (issue 13).
    page.locator("#input-fp-text-0").fill("En fast voksen tager imod om morgenen")
    if plan:
        page.locator("#input-fp-who-0").fill("Pia")
        page.locator("#input-parents-informed").check()
        page.locator("#input-parents-on").fill(local_today().isoformat())
        page.locator("#input-parents-how").fill("Samtale ved afhentning")
    page.get_by_role("button", name="Afslut vurdering").click()
    page.wait_for_selector("#finish-state")
    _wait_for_outbox(page, 1)
    return child_id, draft_id


class TestOnlineAssessmentByTaps:
    @BOTH_ORIENTATIONS
    def test_tap_see_the_level_finish_and_ask_for_a_consultation(
        self, server, new_context, api, viewport, label
    ) -> None:
        page = new_context(viewport).new_page()
        login(page, server, "paedagog")
        child_id = add_child(page, "Emma", "Online")
        start_assessment(page)
        [level2] = indicators(2)
        [level3] = indicators(3)

        tap(page, level2)
        expect_status(page, SAVED_ON_SERVER)
        page.wait_for_function(
            "() => document.querySelector('#summary-level-badge').textContent.includes('Niveau 2')"
        )
        tap(page, level3)
        page.wait_for_function(
            "() => document.querySelector('#summary-level-badge').textContent.includes('Niveau 3')"
        )
        assert page.locator("#action-social_worker_consult").is_visible()
        # The finish form follows the computed level (static/app.js).
        assert page.locator("#input-level").input_value() == "3"
        assert "beregnet niveau 3" in page.locator("#hint-level").inner_text()
        assert "(beregnet)" in page.locator("#input-level option[value='3']").inner_text()
        assert page.locator("#input-follow_up_on").input_value() != ""
        page.get_by_label("Observationer og noter").fill("Sover ofte til middag og virker trist.")
        page.get_by_label("Observationer og noter").blur()
        expect_status(page, SAVED_ON_SERVER)
        # Level 2 or higher: the finish step asks for a focus point (issue 13).
        page.locator("#input-fp-text-0").fill("En fast voksen tager imod om morgenen")
        page.get_by_role("button", name="Afslut vurdering").click()
        # Finishing is final, so the page asks first (issue 10).
        page.get_by_role("button", name="Ja, afslut vurderingen").click()
        page.wait_for_selector("#next-steps")
        assert "Niveau 3" in page.locator("#summary-level-badge").inner_text()

        page.get_by_role("link", name="Søg anonym sparring").first.click()
        page.get_by_label("Din besked til socialrådgiveren").fill(
            "Barnet virker trist og træt. Hvad kan vi gøre i hverdagen?"
        )
        page.get_by_role("button", name="Send til sparring").click()
        page.wait_for_url(re.compile(r"/concerns/\d+(\?sent=1)?$"))
        assert page.get_by_role("heading", level=1).inner_text().startswith("Anonym sparring")

        [stored] = api.assessments(server, "paedagog", child_id)
        assert (stored["status"], stored["level"]) == ("finished", 3)
        assert set(stored["observed"]) == {level2, level3}


class TestNetworkGoneHalfway:
    @BOTH_ORIENTATIONS
    def test_finished_offline_is_stored_once_with_everything(
        self, server, new_context, api, artifacts, viewport, label
    ) -> None:
        context = new_context(viewport)
        page = context.new_page()
        login(page, server, "paedagog")
        child_id = add_child(page, "Oskar", "Offline")
        start_assessment(page)
        wait_for_service_worker(page)
        level2 = indicators(2, n=2)
        [level3] = indicators(3)

        tap(page, level2[0])
        expect_status(page, SAVED_ON_SERVER)
        context.set_offline(True)
        tap(page, level2[1])
        tap(page, level3)
        expect_status(page, SAVED_ON_DEVICE)
        assert summary_level(page) == "Niveau 3"  # computed in the browser
        assert text_of(level3) in page.locator("#rationale").inner_text()
        page.get_by_label("Observationer og noter").fill("Noteret uden net.")
        page.get_by_label("Barnets ressourcer (det der går godt)").fill("Elsker at bygge.")
        page.get_by_label("Barnets ressourcer (det der går godt)").blur()
        assert page.locator("#outbox").is_visible()
        assert "Vurdering af Oskar" in page.locator("#outbox-list").inner_text()
        # Level 3 without a focus point: the tablet refuses it as the server would, in Danish,
        # beside the focus points, and keeps the questionnaire open.
        page.get_by_role("button", name="Afslut vurdering").click()
        expect(page.locator("#error-focus-points")).to_contain_text(
            "Skriv mindst ét fokuspunkt", timeout=STATE_WAIT_MS
        )
        expect(page.locator("#focus-points")).to_have_class(re.compile("form-error"))
        expect(page.locator("#input-fp-text-0")).to_be_focused()
        assert page.locator("#finish-state").count() == 0
        # A parents' note dated in the future is refused too.
        later = (local_today() + dt.timedelta(days=2)).isoformat()
        page.locator("#input-fp-text-0").fill("En fast voksen tager imod om morgenen")
        page.locator("#input-fp-who-0").fill("Pia")
        page.locator("#input-parents-informed").check()
        page.locator("#input-parents-on").fill(later)
        page.locator("#input-parents-how").fill("Samtale ved afhentning")
        page.get_by_role("button", name="Afslut vurdering").click()
        expect(page.locator("#error-parents")).to_contain_text(
            "ikke en dato i fremtiden", timeout=STATE_WAIT_MS
        )
        expect(page.locator("#error-focus-points")).to_have_count(0)
        page.locator("#input-parents-on").fill(local_today().isoformat())
        page.get_by_role("button", name="Afslut vurdering").click()
        page.wait_for_selector("#finish-state")
        assert SAVED_ON_DEVICE in page.locator("#finish-state").inner_text()
        assert api.assessments(server, "paedagog", child_id)[0]["status"] == "draft"
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts / f"offline-outbox-{label}.png"))
        page.locator(".assessment-side").screenshot(
            path=str(artifacts / f"offline-summary-{label}.png")
        )
        page.locator("#finish").screenshot(path=str(artifacts / f"offline-finished-{label}.png"))

        context.set_offline(False)
        page.wait_for_function(
            "() => document.getElementById('finish-state').textContent.includes('Gemt på serveren')"
        )
        _wait_for_outbox(page, 0)

        [stored] = _finished(api, server, "paedagog", child_id, page)
        assert (stored["status"], stored["level"], stored["computed_level"]) == ("finished", 3, 3)
        assert set(stored["observed"]) == {*level2, level3}
        assert (stored["notes"], stored["resources"]) == ("Noteret uden net.", "Elsker at bygge.")
        # the focus point and the parents' note went with the queued finish
        assert [(p["text"], p["who"]) for p in stored["focus_points"]] == [
            ("En fast voksen tager imod om morgenen", "Pia")
        ]
        assert stored["focus_points"][0]["due_on"] == stored["follow_up_on"]
        assert (stored["parents"]["involvement"], stored["parents"]["how"]) == (
            "informed",
            "Samtale ved afhentning",
        )
        page.get_by_role("link", name="Se resultatet").click()
        page.wait_for_selector("#next-steps")


class TestClosedWhileOffline:
    def test_a_queued_assessment_is_sent_when_the_tablet_is_back(
        self, server, persistent_profile, api
    ) -> None:
        context = persistent_profile()
        page = context.new_page()
        [sign] = indicators(2)
        child_id, _draft = _finish_offline(
            context, page, server, ("Karl", "Lukket"), sign, "Skrevet lige før tabletten døde."
        )
        context.close()  # the tab and the browser are gone, the profile stays

        context = persistent_profile()
        context.set_offline(True)
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(server.url("/"))
        page.wait_for_selector("#outbox-list li")
        assert SAVED_ON_DEVICE in page.locator("#outbox-list").inner_text()
        context.set_offline(False)
        # The offline page already has the URL "/": wait until it has given way to the
        # front page itself (logged in, from the kept profile), which sends the outbox.
        page.wait_for_selector("body[data-session]", state="attached")
        _wait_for_outbox(page, 0)

        [stored] = _finished(api, server, "paedagog", child_id, page)
        assert stored["status"] == "finished"
        assert stored["observed"] == [sign]
        assert stored["notes"] == "Skrevet lige før tabletten døde."


class TestSharedTablet:
    def test_the_next_user_neither_reads_nor_wipes_it_and_the_owner_sends_it(
        self, server, new_context, api
    ) -> None:
        context = new_context()
        page = context.new_page()
        [sign] = indicators(3)
        child_id, _draft = _finish_offline(
            context, page, server, ("Alfa", "Delt"), sign, "Kun for Pias øjne."
        )

        logout(page)  # offline: ended on the server at the first connection
        page.wait_for_selector("#offline-logged-out", state="visible")
        context.set_offline(False)
        page.wait_for_selector("#login-form")

        login(page, server, "leder")
        page.wait_for_load_state("networkidle")
        assert page.locator("#outbox").is_hidden()
        body = page.locator("body").inner_text()
        assert "Alfa" not in body
        assert "Kun for Pias øjne" not in body
        _wait_for_outbox(page, 1)  # not wiped by the second login
        seen = page.evaluate(DECRYPT_ALL_WITH_MY_KEY)
        assert seen["records"] == [{"mine": False, "opened": False}]
        assert "Pia" not in seen["text"]
        logout(page)
        page.wait_for_selector("#login-form")
        _wait_for_outbox(page, 1)

        login(page, server, "paedagog")
        _wait_for_outbox(page, 0)
        [stored] = _finished(api, server, "paedagog", child_id, page)
        assert (stored["status"], stored["notes"]) == ("finished", "Kun for Pias øjne.")


class TestExpiredSession:
    def test_work_waits_for_the_next_login(self, server, new_context, api) -> None:
        context = new_context()
        page = context.new_page()
        [sign] = indicators(2)
        child_id, _draft = _finish_offline(context, page, server, ("Sigurd", "Udløbet"), sign)
        context.clear_cookies()  # the session ran out while the tablet was offline

        context.set_offline(False)
        expect_status(page, SESSION_ENDED)
        assert page.locator("#session-ended").is_visible()
        _wait_for_outbox(page, 1)
        assert api.assessments(server, "paedagog", child_id)[0]["status"] == "draft"

        login(page, server, "paedagog")
        _wait_for_outbox(page, 0)
        [stored] = _finished(api, server, "paedagog", child_id, page)
        assert stored["observed"] == [sign]


class TestRefusedByTheServer:
    def test_the_owner_reads_it_and_deletes_it_after_a_second_yes(
        self, server, new_context, api, artifacts, axe_js
    ) -> None:
        context = new_context(bypass_csp=True)  # for axe-core, injected below
        context.add_init_script(path=str(axe_js))
        page = context.new_page()
        child_id, draft_id = _finish_offline(
            context,
            page,
            server,
            ("Rita", "Afvist"),
            indicators(3)[0],
            "Skrevet på tabletten.",
            plan=True,
        )
        api.finish_elsewhere(server, "paedagog", draft_id)  # meanwhile, on another tablet

        context.set_offline(False)
        page.goto(server.url("/"))
        item = page.locator("#outbox-list li")
        item.get_by_role("button", name="Slet fra tabletten").wait_for()
        assert "Fejl – prøv igen" in item.inner_text()
        item.get_by_text("Se det indtastede").click()
        details = item.locator(".outbox-details")
        expect(details).to_contain_text("Fokuspunkt 1: En fast voksen tager imod om morgenen")
        assert "Noter: Skrevet på tabletten." in item.inner_text()
        assert "1 tegn er markeret." in item.inner_text()
        # The queued finish's focus point (who does it) and the parents' note, to copy.
        today = local_today().strftime("%d.%m.%Y")
        assert "(Hvem gør det: Pia)" in details.inner_text()
        assert f"Forældrene: Orienteret, {today}, Samtale ved afhentning" in details.inner_text()

        item.get_by_role("button", name="Slet fra tabletten").click()
        item.get_by_role("button", name="Fortryd").click()
        _wait_for_outbox(page, 1)  # nothing deleted on the first click
        item.get_by_role("button", name="Slet fra tabletten").click()
        assert "kan ikke hentes igen" in item.locator(".outbox-confirm").inner_text()
        page.locator("#outbox").screenshot(path=str(artifacts / "outbox-refused-820x1180.png"))
        assert page.evaluate(RUN_AXE) == []  # the list, the details and the question
        item.get_by_role("button", name="Ja, slet det").click()
        _wait_for_outbox(page, 0)
        page.wait_for_function(
            "() => document.getElementById('outbox-status').textContent.startsWith('Slettet')"
        )
        assert page.locator("#outbox-list li").count() == 0

        [stored] = api.assessments(server, "paedagog", child_id)
        assert (stored["status"], stored["level"], stored["observed"]) == ("finished", 1, [])


def _end_the_session_elsewhere(context: Any, page: Any) -> None:
    """The session ends on the server (logged out on another device, or timed out); this
    browser still has its cookie."""
    cookies = context.cookies()
    page.evaluate(
        """async () => {
          const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
          const headers = {"X-CSRF-Token": token};
          const r = await fetch("/api/v1/session", {method: "DELETE", headers});
          if (r.status !== 204) { throw new Error("logout: " + r.status); }
        }"""
    )
    context.add_cookies(cookies)


class TestSessionEndsWhileTheQuestionnaireIsOpen:
    @BOTH_ORIENTATIONS
    def test_nothing_typed_is_lost_and_it_is_sent_after_the_login(
        self, server, new_context, api, artifacts, viewport, label
    ) -> None:
        context = new_context(viewport)
        page = context.new_page()
        login(page, server, "paedagog")
        child_id = add_child(page, "Ulla", "Udlogget")
        draft_id = start_assessment(page)
        first, second = indicators(2, n=2)
        tap(page, first)
        expect_status(page, SAVED_ON_SERVER)

        _end_the_session_elsewhere(context, page)
        tap(page, second)
        expect_status(page, SESSION_ENDED)
        banner = page.locator("#session-ended")
        banner.wait_for(state="visible")
        assert banner.is_visible()
        assert page.evaluate(  # in view at once, wherever she is on the page
            """() => {
              const r = document.getElementById("session-ended").getBoundingClientRect();
              return r.top >= 0 && r.bottom <= window.innerHeight;
            }"""
        )
        # The tick is not undone, and the note typed afterwards is kept.
        assert page.locator(f"input[value='{second}']").is_checked()
        notes = page.get_by_label("Observationer og noter")
        notes.fill("Skrevet efter at sessionen udløb.")
        notes.blur()
        page.locator("#input-fp-text-0").fill("Vi taler med forældrene i næste uge")
        page.get_by_role("button", name="Afslut vurdering").click()
        page.wait_for_selector("#finish-state")
        assert SESSION_ENDED in page.locator("#finish-state").inner_text()
        _wait_for_outbox(page, 1)
        assert page.get_by_role("heading", name="Sikkerhedstjekket fejlede").count() == 0
        page.screenshot(path=str(artifacts / f"session-ended-{label}.png"))
        assert api.assessments(server, "paedagog", child_id)[0]["status"] == "draft"

        banner.get_by_role("link", name="Log ind igen").click()
        page.get_by_label("Brugernavn").fill("paedagog")
        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_url(re.compile(rf"/assessments/{draft_id}$"))
        _wait_for_outbox(page, 0)

        [stored] = _finished(api, server, "paedagog", child_id, page)
        assert set(stored["observed"]) == {first, second}
        assert stored["notes"] == "Skrevet efter at sessionen udløb."
        assert [p["text"] for p in stored["focus_points"]] == [
            "Vi taler med forældrene i næste uge"
        ]


class TestIdleWarning:
    @BOTH_ORIENTATIONS
    def test_a_page_with_unsaved_work_warns_before_the_idle_timeout(
        self, server, new_context, viewport, label
    ) -> None:
        page = new_context(viewport).new_page()
        page.clock.install()
        login(page, server, "paedagog")
        page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Børn").click()
        # The clock may only run once the children page's scripts count its idle time: a
        # click returns before the navigation, and time run on the page before would not count.
        page.wait_for_url(re.compile(r"/children$"))
        page.get_by_label("Fornavn").wait_for()
        idle = int(page.locator("body").get_attribute("data-idle-seconds") or "0")
        assert idle > 0
        warning = page.locator("#idle-warning")

        page.clock.run_for((idle - 240) * 1000)  # nothing typed: no warning
        assert warning.is_hidden()
        page.get_by_label("Fornavn").fill("Halv")  # typed, not sent
        page.clock.run_for(200 * 1000)  # two minutes and some seconds before the timeout
        warning.wait_for(state="visible")
        assert "ikke gemt" in warning.inner_text()

        warning.get_by_role("button", name="Bliv logget ind").click()
        warning.wait_for(state="hidden")
        assert page.locator("#session-ended").is_hidden()
        assert page.get_by_label("Fornavn").input_value() == "Halv"
