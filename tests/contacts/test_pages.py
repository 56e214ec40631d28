"""Whom to call, beside each recommended action: the summary panel, the result page, the
critical and acute alerts and the notification form, with tap-to-call links in E.164."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from app import db
from app.accounts import service as accounts
from app.accounts.models import User
from app.children.models import Child
from app.contacts import service as contacts
from app.contacts.schemas import ContactInput
from tests.factories import id_of, make_child, make_draft, make_finished_assessment, signs
from tests.html import attr, by_id, one

HTMX = {"HX-Request": "true"}


@pytest.fixture
def staff(as_user):
    """Logged in first: the app's start imports the shipped catalogs the factories need."""
    return as_user("staff")


def _with_contacts(s: Session, org) -> Child:
    admin = s.get(User, org.users["admin"])
    assert admin is not None
    contacts.replace_institution_contacts(
        s,
        admin,
        institution_id=org.daycare_id,
        contacts=[
            ContactInput(
                role="social_worker",
                name="Rikke Rådgiver",
                phone="70 11 22 33",
                email="rikke@kommune.dk",
                hours="Hverdage 8-15",
                user_id=org.users["social"],
            ),
            ContactInput(role="family_therapist", name="Frida Familiebehandler", phone="22334455"),
        ],
    )
    return make_child(s, org.daycare_id, org.users["staff"])


def _finished(app, org, observed: list[str]) -> int:
    with db.session_scope(app.state.engine) as s:
        child = _with_contacts(s, org)
        staff = s.get(User, org.users["staff"])
        assert staff is not None
        return id_of(make_finished_assessment(s, staff, child, observed=observed))


def _tels(node) -> list[str]:
    return [attr(a, "href") for a in node.select("a[href^='tel:']")]


class TestResultPage:
    @pytest.mark.parametrize("headers", [{}, HTMX])
    def test_each_step_shows_whom_to_call_with_tel_links(self, app, staff, org, headers):
        assessment_id = _finished(app, org, signs(level=3, n=3))
        response = staff.client.get(f"/assessments/{assessment_id}", headers=headers)
        assert response.status_code == 200
        soup = BeautifulSoup(response.text, "html.parser")
        consult = by_id(soup, "step-call-social_worker_consult")
        assert _tels(consult) == ["tel:+4570112233"]
        assert attr(one(consult, "a[href^='mailto:']"), "href") == "mailto:rikke@kommune.dk"
        assert "Hverdage 8-15" in consult.get_text()
        dialogue = by_id(soup, "step-call-parent_dialogue")
        assert "tel:+4522334455" in _tels(dialogue)
        for link in soup.select("a[href^='tel:']"):
            href = attr(link, "href")
            assert href in ("tel:112", "tel:114") or (
                href.startswith("tel:+45") and len(href) == 15
            )

    def test_a_critical_result_keeps_the_abuse_rule_and_names_the_numbers(self, app, staff, org):
        assessment_id = _finished(app, org, signs(level=4, critical=True))
        soup = BeautifulSoup(staff.client.get(f"/assessments/{assessment_id}").text, "html.parser")
        alert = by_id(soup, "critical-alert")
        text = alert.get_text(" ", strip=True)
        assert "Fortæl ikke forældrene om bekymringen først" in text
        call = by_id(alert, "critical-call")
        assert _tels(call) == ["tel:+4570112233", "tel:114", "tel:112"]
        assert "erstatter den ikke" in call.get_text()
        step = by_id(soup, "step-call-notification")
        assert "erstatter den ikke" in step.get_text()
        # the notification is still the first step, its button beside the numbers
        first = soup.select("#next-steps li.next-step")[0]
        assert attr(first, "id") == "next-step-notification"

    def test_an_acute_result_names_the_numbers_in_its_alert(self, app, staff, org):
        from app.catalogs import service as catalogs

        acute = [i.id for i in catalogs.shipped_guide().catalog("3-5").indicators() if i.acute][:1]
        assert acute
        assessment_id = _finished(app, org, acute)
        soup = BeautifulSoup(staff.client.get(f"/assessments/{assessment_id}").text, "html.parser")
        assert _tels(by_id(by_id(soup, "acute-alert"), "acute-call"))[-2:] == ["tel:114", "tel:112"]

    def test_without_named_contacts_the_municipality_numbers_still_show(self, app, staff, org):
        with db.session_scope(app.state.engine) as s:
            child = make_child(s, org.daycare_id, org.users["staff"])
            author = s.get(User, org.users["staff"])
            assert author is not None
            assessment = make_finished_assessment(s, author, child, observed=signs(level=4))
            assessment_id = id_of(assessment)
        soup = BeautifulSoup(staff.client.get(f"/assessments/{assessment_id}").text, "html.parser")
        assert _tels(by_id(soup, "step-call-notification")) == ["tel:114", "tel:112"]
        assert soup.select("#step-call-social_worker_consult") == []


class TestSummaryPanel:
    def test_the_questionnaire_names_whom_to_call_beside_each_action(self, app, staff, org):
        with db.session_scope(app.state.engine) as s:
            child = _with_contacts(s, org)
            author = s.get(User, org.users["staff"])
            assert author is not None
            draft_id = id_of(make_draft(s, author, child, observed=signs(level=3, n=3)))
        soup = BeautifulSoup(staff.client.get(f"/assessments/{draft_id}").text, "html.parser")
        assert _tels(by_id(soup, "call-social_worker_consult")) == ["tel:+4570112233"]

    def test_a_tick_that_changes_the_level_sends_the_contacts_with_the_panel(self, app, staff, org):
        with db.session_scope(app.state.engine) as s:
            child = _with_contacts(s, org)
            author = s.get(User, org.users["staff"])
            assert author is not None
            draft_id = id_of(make_draft(s, author, child))
        staff_client = staff
        response = staff_client.client.post(
            f"/assessments/{draft_id}/observations",
            data={
                "csrf_token": staff_client.csrf_token,
                "indicator_id": signs(level=4, critical=True)[0],
                "observed": "1",
                "shown": "1:0",
            },
            headers=HTMX,
        )
        soup = BeautifulSoup(response.text, "html.parser")
        assert "tel:114" in _tels(by_id(soup, "critical-call"))


class TestNotificationForm:
    @pytest.mark.parametrize("headers", [{}, HTMX])
    def test_shows_whom_to_call_and_that_a_call_does_not_replace_it(self, app, staff, org, headers):
        assessment_id = _finished(app, org, signs(level=4, critical=True))
        response = staff.client.get(f"/assessments/{assessment_id}/notification", headers=headers)
        soup = BeautifulSoup(response.text, "html.parser")
        call = by_id(soup, "notification-call")
        assert _tels(call) == ["tel:+4570112233", "tel:114", "tel:112"]
        assert "erstatter den ikke" in call.get_text()
        assert by_id(soup, "abuse-rule")
        assert by_id(soup, "notification-form")


def test_one_statement_gives_the_institutions_then_the_districts_contacts(app, org, staff):
    """``contacts_for_institution`` (the summary panel's, and ``contacts_of``'s) gives the
    institution's own, its district's and the municipality's entries, as the admin pages
    list them, in that order; another institution's and district's left out."""
    with db.session_scope(app.state.engine) as s:
        admin = s.get(User, org.users["admin"])
        assert admin is not None
        _with_contacts(s, org)
        district = [
            ContactInput(role="psychologist", name="Pia Psykolog", phone="33445566"),
            ContactInput(role="health_visitor", name="Sus Sundhedsplejerske", phone="44556677"),
        ]
        contacts.replace_district_contacts(s, admin, district_id=org.nord_id, contacts=district)
        contacts.replace_district_contacts(
            s,
            admin,
            district_id=org.syd_id,
            contacts=[ContactInput(role="psychologist", name="Syds Psykolog", phone="55667788")],
        )
        contacts.replace_institution_contacts(
            s,
            admin,
            institution_id=org.school_id,
            contacts=[ContactInput(role="other", name="Skolens kontakt", phone="66778899")],
        )
    settings = app.state.settings
    with db.session_scope(app.state.engine) as s:
        for institution_id in (org.daycare_id, org.school_id, org.other_daycare_id):
            institution = accounts.get_institution(s, institution_id=institution_id)
            expected = (
                contacts.institution_contacts(s, institution_id=institution_id)
                + contacts.district_contacts(s, district_id=institution.district_id)
                + contacts.municipality_contacts(settings)
            )
            got = contacts.contacts_for_institution(
                s, institution_id=institution_id, settings=settings
            )
            assert got == expected
            assert contacts.contacts_of(s, institution, settings) == expected
        names = [
            e.name
            for e in contacts.contacts_for_institution(
                s, institution_id=org.daycare_id, settings=settings
            )
        ]
    assert names[:4] == [
        "Rikke Rådgiver",
        "Frida Familiebehandler",
        "Pia Psykolog",
        "Sus Sundhedsplejerske",
    ]
    assert "Syds Psykolog" not in names
    assert "Skolens kontakt" not in names
