"""Whom to call, in the browser: the result page of a critical assessment shows the named
social worker and the municipality's numbers as tap-to-call links beside the notification,
and the admins' contacts page refuses a bad number by its field; both tablet orientations,
no serious or critical axe-core violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import RUN_AXE, TABLET_LANDSCAPE, TABLET_PORTRAIT, Server
from tests.browser.flows import api_session, finished_assessment, indicators

pytestmark = pytest.mark.browser

ORIENTATIONS = ((TABLET_LANDSCAPE, "1180x820"), (TABLET_PORTRAIT, "820x1180"))


def _institution_of(context: Any, server: Server) -> int:
    return int(context.request.get(server.url("/api/v1/session")).json()["user"]["institution_id"])


def _axe_clean(page: Any, name: str, artifacts: Path) -> None:
    for viewport, label in ORIENTATIONS:
        page.set_viewport_size(viewport)
        assert page.evaluate(RUN_AXE) == [], (name, label)
        page.screenshot(path=str(artifacts / f"{name}-{label}.png"), full_page=True)


class TestWhomToCall:
    def test_result_page_and_admin_contacts_page(
        self, server, new_context, axe_js, artifacts
    ) -> None:
        staff_context = new_context(bypass_csp=True)
        staff_context.add_init_script(path=str(axe_js))
        staff_csrf = api_session(staff_context, server, "paedagog")
        institution_id = _institution_of(staff_context, server)

        admin_context = new_context(bypass_csp=True)
        admin_context.add_init_script(path=str(axe_js))
        admin_csrf = api_session(admin_context, server, "admin")
        users = admin_context.request.get(server.url("/api/v1/session")).json()
        assert users["user"]["role"] == "admin"
        put = admin_context.request.put(
            server.url(f"/api/v1/admin/institutions/{institution_id}/contacts"),
            headers={"X-CSRF-Token": admin_csrf},
            data={
                "contacts": [
                    {
                        "role": "social_worker",
                        "name": "Rikke Rådgiver",
                        "phone": "70 11 22 33",
                        "email": "rikke@kommune.dk",
                        "hours": "Hverdage 8-15",
                    }
                ]
            },
        )
        assert put.ok, put.text()

        assessment_id = finished_assessment(
            staff_context,
            server,
            staff_csrf,
            observed=indicators(4, critical=True),
            first_name="Carla",
        )
        page = staff_context.new_page()
        page.goto(server.url(f"/assessments/{assessment_id}"))
        alert = page.locator("#critical-alert")
        assert "Fortæl ikke forældrene om bekymringen først" in alert.inner_text()
        call = page.locator("#critical-call a[href='tel:+4570112233']")
        assert call.is_visible()
        assert page.locator("#step-call-notification a[href='tel:114']").is_visible()
        assert page.locator("#offers-note").is_visible()
        _axe_clean(page, "result-contacts", artifacts)

        admin = admin_context.new_page()
        admin.goto(server.url(f"/admin/institutions/{institution_id}/contacts"))
        assert admin.locator("#input-phone-0").input_value() == "70 11 22 33"
        admin.fill("#input-phone-0", "1234")
        admin.click("#contacts-form button[type=submit]")
        admin.wait_for_selector("#error-phone-0")
        assert "8 cifre" in admin.locator("#error-phone-0").inner_text()
        _axe_clean(admin, "admin-contacts-error", artifacts)
        admin.fill("#input-phone-0", "+45 70 11 22 34")
        admin.click("#contacts-form button[type=submit]")
        admin.wait_for_selector("#contacts-saved")
        _axe_clean(admin, "admin-contacts", artifacts)
