"""The admins' contact pages: no JavaScript needed, errors by field, nothing stored on a
refusal; with and without HTMX."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import col, select

from app import db
from app.contacts.models import Contact
from tests.html import attr, by_id, one

HTMX = {"HX-Request": "true"}


def _form(user, rows):
    data: dict[str, list[str]] = {
        "csrf_token": [user.csrf_token],
        **{f: [] for f in ("role", "name", "phone", "email", "hours", "user_id")},
    }
    for row in rows:
        for f in ("role", "name", "phone", "email", "hours", "user_id"):
            data[f].append(row.get(f, ""))
    return data


class TestInstitutionContactsPage:
    @pytest.mark.parametrize("username", ["staff", "leader", "social"])
    def test_other_roles_are_refused(self, as_user, org, username):
        user = as_user(username)
        assert user.client.get(f"/admin/institutions/{org.daycare_id}/contacts").status_code == 403
        response = user.client.post(
            f"/admin/institutions/{org.daycare_id}/contacts",
            data=_form(user, [{"role": "other", "name": "X"}]),
        )
        assert response.status_code == 403

    def test_shows_empty_rows_and_the_districts_social_workers(self, as_user, org):
        response = as_user("admin").client.get(f"/admin/institutions/{org.daycare_id}/contacts")
        soup = BeautifulSoup(response.text, "html.parser")
        assert len(soup.select("fieldset.contact-row")) == 3
        users = [o.get_text(strip=True) for o in soup.select("#input-user_id-0 option")]
        assert users == ["Ingen", "Rikke Rådgiver"]
        assert one(soup, "input[name=csrf_token]")

    @pytest.mark.parametrize("headers", [{}, HTMX])
    def test_saves_and_shows_the_contacts(self, app, as_user, org, headers):
        admin = as_user("admin")
        rows = [
            {
                "role": "social_worker",
                "name": "Rikke Rådgiver",
                "phone": "70 11 22 33",
                "hours": "Hverdage 8-15",
                "user_id": str(org.users["social"]),
            },
            {"role": "social_worker"},
            {"role": "psychologist", "name": "Per Psykolog", "email": "per@kommune.dk"},
        ]
        response = admin.client.post(
            f"/admin/institutions/{org.daycare_id}/contacts",
            data=_form(admin, rows),
            headers=headers,
            follow_redirects=False,
        )
        if headers:
            assert response.headers["HX-Redirect"].endswith("/contacts?saved=1")
        else:
            assert response.status_code == 303
        with db.session_scope(app.state.engine) as s:
            stored = s.exec(select(Contact).order_by(col(Contact.position))).all()
            assert [(c.name, c.phone) for c in stored] == [
                ("Rikke Rådgiver", "+4570112233"),
                ("Per Psykolog", ""),
            ]
        page = admin.client.get(f"/admin/institutions/{org.daycare_id}/contacts?saved=1")
        soup = BeautifulSoup(page.text, "html.parser")
        assert by_id(soup, "contacts-saved")
        assert attr(by_id(soup, "input-phone-0"), "value") == "70 11 22 33"
        assert len(soup.select("fieldset.contact-row")) == 5

    @pytest.mark.parametrize("headers", [{}, HTMX])
    def test_a_bad_phone_is_shown_by_its_field_and_nothing_is_stored(
        self, app, as_user, org, headers
    ):
        admin = as_user("admin")
        rows = [
            {"role": "other"},
            {
                "role": "other",
                "name": "Lise",
                "phone": "1234",
                "user_id": str(org.users["social_syd"]),
            },
        ]
        response = admin.client.post(
            f"/admin/institutions/{org.daycare_id}/contacts",
            data=_form(admin, rows),
            headers=headers,
        )
        assert response.status_code == 422
        soup = BeautifulSoup(response.text, "html.parser")
        assert "8 cifre" in by_id(soup, "error-phone-1").get_text()
        assert by_id(soup, "error-user_id-1")
        assert attr(by_id(soup, "input-phone-1"), "value") == "1234"
        assert one(soup, "#error-summary a[href='#input-phone-1']")
        with db.session_scope(app.state.engine) as s:
            assert s.exec(select(Contact)).all() == []


class TestDistrictContactsPage:
    def test_the_organisation_page_links_to_it(self, as_user, org):
        soup = BeautifulSoup(as_user("admin").client.get("/admin/organisation").text, "html.parser")
        assert attr(by_id(soup, f"district-contacts-{org.nord_id}"), "href").endswith(
            f"/admin/districts/{org.nord_id}/contacts"
        )
        assert by_id(soup, f"institution-contacts-{org.daycare_id}")

    def test_saves_the_districts_contacts(self, app, as_user, org):
        admin = as_user("admin")
        response = admin.client.post(
            f"/admin/districts/{org.nord_id}/contacts",
            data=_form(
                admin, [{"role": "health_visitor", "name": "Hanne", "phone": "+45 22 33 44 55"}]
            ),
        )
        assert response.status_code == 200
        body = as_user("staff").client.get(f"/api/v1/institutions/{org.daycare_id}/contacts").json()
        assert body[0] == {
            "role": "health_visitor",
            "name": "Hanne",
            "phone": "+4522334455",
            "email": None,
            "hours": None,
            "user_id": None,
            "scope": "district",
        }
