"""Admin pages for users, districts and institutions, and who may open them."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app import db
from app.accounts.models import Institution, User
from tests.html import one

ADMIN_PAGES = ["/admin/users", "/admin/organisation", "/admin/audit", "/admin/audit.csv"]
NON_ADMINS = ["staff", "leader", "social"]


class TestAdminPagesAccess:
    @pytest.mark.parametrize("username", NON_ADMINS)
    @pytest.mark.parametrize("path", ADMIN_PAGES)
    def test_other_roles_are_refused(self, as_user, username, path):
        response = as_user(username).client.get(path)
        assert response.status_code == 403
        assert "Ingen adgang" in response.text

    @pytest.mark.parametrize("username", NON_ADMINS)
    def test_other_roles_cannot_create_users(self, as_user, org, username):
        user = as_user(username)
        response = user.client.post(
            "/admin/users",
            data={
                "csrf_token": user.csrf_token,
                "username": "ny",
                "display_name": "Ny",
                "role": "admin",
                "password": "langt-nok-kodeord",
            },
        )
        assert response.status_code == 403
        assert user.client.get("/api/v1/session").json()["user"]["role"] != "admin"

    @pytest.mark.parametrize("path", ADMIN_PAGES)
    def test_admin_may_open_them(self, as_user, path):
        assert as_user("admin").client.get(path).status_code == 200


class TestStartPages:
    @pytest.mark.parametrize(
        ("username", "expected"),
        [
            ("staff", "Børnehuset Solsikken"),
            ("leader", "Børnehuset Solsikken"),
            ("social", "distrikt Nord"),
            ("admin", "Administration"),
        ],
    )
    def test_each_role_sees_its_own_start_page(self, as_user, username, expected):
        response = as_user(username).client.get("/")
        assert response.status_code == 200
        main = one(BeautifulSoup(response.text, "html.parser"), "main")
        assert expected in main.get_text(" ", strip=True)

    def test_only_admins_see_the_admin_menu(self, as_user):
        staff_nav = BeautifulSoup(as_user("staff").client.get("/").text, "html.parser")
        admin_nav = BeautifulSoup(as_user("admin").client.get("/").text, "html.parser")
        assert staff_nav.select_one("nav a[href='/admin/users']") is None
        assert admin_nav.select_one("nav a[href='/admin/users']") is not None


class TestCreateUser:
    def _post(self, admin, hx: bool, **fields):
        data = {
            "csrf_token": admin.csrf_token,
            "username": "",
            "display_name": "",
            "email": "",
            "role": "",
            "institution_id": "",
            "district_id": "",
            "password": "",
        }
        data.update(fields)
        headers = {"HX-Request": "true"} if hx else {}
        return admin.client.post("/admin/users", data=data, headers=headers, follow_redirects=False)

    @pytest.mark.parametrize("hx", [False, True])
    def test_missing_fields_are_shown_beside_the_fields_and_nothing_is_stored(
        self, as_user, app, hx
    ):
        admin = as_user("admin")
        response = self._post(admin, hx, username="Ugyldigt Navn", role="staff", password="kort")
        assert response.status_code == 422
        soup = BeautifulSoup(response.text, "html.parser")
        form = one(soup, "#user-form")
        assert form is not None
        assert (soup.select_one("html") is None) == hx  # HTMX gets only the form fragment
        for field in ("username", "display_name", "institution_id", "password"):
            assert form.select_one(f"#error-{field}") is not None, field
        with db.session_scope(app.state.engine) as s:
            assert s.exec(select(User).where(User.username == "ugyldigt navn")).first() is None

    @pytest.mark.parametrize("hx", [False, True])
    def test_staff_member_is_created_in_an_institution(self, as_user, org, app, hx):
        admin = as_user("admin")
        response = self._post(
            admin,
            hx,
            username="Maja",
            display_name="Maja Pædagog",
            role="staff",
            institution_id=str(org.daycare_id),
            district_id=str(org.nord_id),
            password="et-godt-kodeord",
        )
        assert response.status_code == (204 if hx else 303)
        with db.session_scope(app.state.engine) as s:
            user = s.exec(select(User).where(User.username == "maja")).one()
            assert (user.institution_id, user.district_id) == (org.daycare_id, None)
            assert user.password_hash.startswith("$argon2id$")
        location = response.headers["HX-Redirect" if hx else "location"]
        assert location == f"/admin/users/{user.id}"

    def test_duplicate_username_is_refused(self, as_user, org):
        admin = as_user("admin")
        response = self._post(
            admin,
            False,
            username="staff",
            display_name="Igen",
            role="admin",
            password="et-godt-kodeord",
        )
        assert response.status_code == 422
        assert "allerede i brug" in response.text

    def test_social_worker_needs_a_district(self, as_user, org):
        admin = as_user("admin")
        response = self._post(
            admin,
            False,
            username="nyraadgiver",
            display_name="Ny",
            role="social_worker",
            password="et-godt-kodeord",
        )
        assert response.status_code == 422
        assert BeautifulSoup(response.text, "html.parser").select_one("#error-district_id")

    def test_new_user_can_log_in(self, as_user, org, client):
        admin = as_user("admin")
        self._post(
            admin,
            False,
            username="ny-admin",
            display_name="Ny Admin",
            role="admin",
            password="et-godt-kodeord",
        )
        response = client.post(
            "/api/v1/session", json={"username": "ny-admin", "password": "et-godt-kodeord"}
        )
        assert response.status_code == 200


class TestDeactivateUser:
    def test_admin_cannot_deactivate_themself(self, as_user, org):
        admin = as_user("admin")
        response = admin.client.post(
            f"/admin/users/{org.users['admin']}/active",
            data={"active": "0", "csrf_token": admin.csrf_token},
        )
        assert response.status_code == 409
        assert admin.client.get("/api/v1/session").status_code == 200

    def test_reactivated_user_can_log_in_again(self, as_user, org, client):
        admin = as_user("admin")
        url = f"/admin/users/{org.users['teacher']}/active"
        admin.client.post(url, data={"active": "0", "csrf_token": admin.csrf_token})
        detail = admin.client.get(f"/admin/users/{org.users['teacher']}")
        assert "Deaktiveret" in one(BeautifulSoup(detail.text, "html.parser"), "#user-status").text
        admin.client.post(url, data={"active": "1", "csrf_token": admin.csrf_token})
        response = client.post(
            "/api/v1/session", json={"username": "teacher", "password": "korrekt-hest-batteri"}
        )
        assert response.status_code == 200

    def test_unknown_user_is_404(self, as_user):
        admin = as_user("admin")
        assert admin.client.get("/admin/users/999999").status_code == 404

    def test_password_reset_ends_sessions_and_short_passwords_are_refused(self, as_user, org):
        admin = as_user("admin")
        teacher = as_user("teacher")
        url = f"/admin/users/{org.users['teacher']}/password"
        short = admin.client.post(url, data={"password": "kort", "csrf_token": admin.csrf_token})
        assert short.status_code == 422
        assert teacher.client.get("/api/v1/session").status_code == 200
        ok = admin.client.post(
            url, data={"password": "helt-nyt-kodeord", "csrf_token": admin.csrf_token}
        )
        assert ok.status_code == 200
        assert teacher.client.get("/api/v1/session").status_code == 401


class TestOrganisation:
    def test_admin_creates_district_and_institution(self, as_user, org, app):
        admin = as_user("admin")
        r = admin.client.post(
            "/admin/districts", data={"name": "Øst", "csrf_token": admin.csrf_token}
        )
        assert r.status_code == 200  # followed the redirect back to the page
        page = BeautifulSoup(r.text, "html.parser")
        assert "Øst" in one(page, "#district-list").text
        with db.session_scope(app.state.engine) as s:
            from app.accounts.models import District

            east = s.exec(select(District).where(District.name == "Øst")).one()
            east_id = east.id
        r = admin.client.post(
            "/admin/institutions",
            data={
                "name": "Østskolen",
                "kind": "school",
                "district_id": str(east_id),
                "address": "Østvej 1",
                "csrf_token": admin.csrf_token,
            },
        )
        assert r.status_code == 200
        with db.session_scope(app.state.engine) as s:
            school = s.exec(select(Institution).where(Institution.name == "Østskolen")).one()
            assert (school.kind, school.district_id) == ("school", east_id)

    def test_duplicate_district_name_is_refused(self, as_user, org):
        admin = as_user("admin")
        r = admin.client.post(
            "/admin/districts", data={"name": "nord", "csrf_token": admin.csrf_token}
        )
        assert r.status_code == 422
        assert "allerede i brug" in r.text
        # Beside the new district's field only, with what was typed kept.
        soup = BeautifulSoup(r.text, "html.parser")
        errors = soup.select(".form-error-message")
        assert len(errors) == 1
        form = errors[0].find_parent("form")
        assert form is not None
        assert one(form, "input[name=name]")["value"] == "nord"

    def test_institution_with_unknown_district_is_refused(self, as_user, org, app):
        admin = as_user("admin")
        r = admin.client.post(
            "/admin/institutions",
            data={
                "name": "Luftslottet",
                "kind": "daycare",
                "district_id": "999",
                "csrf_token": admin.csrf_token,
            },
        )
        assert r.status_code == 422
        with db.session_scope(app.state.engine) as s:
            assert (
                s.exec(select(Institution).where(Institution.name == "Luftslottet")).first() is None
            )

    def test_closing_an_institution_keeps_it_but_refuses_new_staff(self, as_user, org):
        admin = as_user("admin")
        r = admin.client.post(
            f"/admin/institutions/{org.school_id}",
            data={
                "name": "Nordbyskolen",
                "kind": "school",
                "district_id": str(org.nord_id),
                "address": "",
                "is_active": "0",
                "csrf_token": admin.csrf_token,
            },
        )
        assert r.status_code == 200
        r = admin.client.post(
            "/admin/users",
            data={
                "csrf_token": admin.csrf_token,
                "username": "nylaerer",
                "display_name": "Ny Lærer",
                "role": "staff",
                "institution_id": str(org.school_id),
                "password": "et-godt-kodeord",
            },
        )
        assert r.status_code == 422


class TestRenameDistrict:
    def test_admin_renames_a_district(self, as_user, org):
        admin = as_user("admin")
        r = admin.client.post(
            f"/admin/districts/{org.nord_id}",
            data={"name": "Nordvest", "csrf_token": admin.csrf_token},
        )
        assert r.status_code == 200
        assert (
            one(BeautifulSoup(r.text, "html.parser"), f"#district-{org.nord_id} input[name=name]")[
                "value"
            ]
            == "Nordvest"
        )

    def test_taken_name_is_refused_beside_the_district(self, as_user, org):
        admin = as_user("admin")
        r = admin.client.post(
            f"/admin/districts/{org.nord_id}", data={"name": "Syd", "csrf_token": admin.csrf_token}
        )
        assert r.status_code == 422
        soup = BeautifulSoup(r.text, "html.parser")
        assert soup.select_one(f"#error-district-name-{org.nord_id}") is not None
        assert len(soup.select(".form-error-message")) == 1  # not beside the other forms

    def test_staff_cannot_rename(self, as_user, org):
        staff = as_user("staff")
        r = staff.client.post(
            f"/admin/districts/{org.nord_id}", data={"name": "X", "csrf_token": staff.csrf_token}
        )
        assert r.status_code == 403


class TestUserList:
    """The admin's list of users: a municipality has thousands, so it is searched, filtered
    and shown 50 a page."""

    @staticmethod
    def _list(admin, hx: bool = False, **params):
        headers = {"HX-Request": "true"} if hx else {}
        page = admin.client.get("/admin/users", params=params, headers=headers)
        assert page.status_code == 200, page.text
        soup = BeautifulSoup(page.text, "html.parser")
        names = [
            row.select("td")[1].get_text(strip=True) for row in soup.select("#users-table tbody tr")
        ]
        count = soup.select_one("#users-count")
        assert count is not None
        return names, count.get_text(" ", strip=True), soup

    @pytest.mark.parametrize("q", ["rådgiver", "RÅDGIVER", "rune", "social_syd"])
    def test_search_by_name_or_user_name_in_any_case(self, as_user, org, q):
        names, count, _ = self._list(as_user("admin"), q=q)
        expected = (
            {"Rune Rådgiver"}
            if q in ("rune", "social_syd")
            else {"Rikke Rådgiver", "Rune Rådgiver"}
        )
        assert set(names) == expected
        word = "bruger" if len(expected) == 1 else "brugere"
        assert count.startswith(f"{len(expected)} {word} passer til søgningen")

    def test_filter_by_role_place_and_status(self, as_user, org):
        admin = as_user("admin")
        names, _, _ = self._list(admin, rolle="staff")
        assert set(names) == {"Sofie Pædagog", "Torben Lærer", "Signe Syd"}
        names, _, _ = self._list(admin, sted=f"institution:{org.daycare_id}")
        assert set(names) == {"Sofie Pædagog", "Lene Leder"}
        names, _, soup = self._list(admin, rolle="social_worker", sted=f"district:{org.nord_id}")
        assert names == ["Rikke Rådgiver"]
        selected = soup.select_one("#input-sted option[selected]")
        assert selected is not None
        assert selected["value"] == f"district:{org.nord_id}"

    def test_deactivated_users_are_listed_last_and_filtered(self, as_user, org, app):
        with db.session_scope(app.state.engine) as s:
            teacher = s.get(User, org.users["teacher"])
            assert teacher is not None
            teacher.is_active = False
        admin = as_user("admin")
        names, _, _ = self._list(admin)
        assert names[-1] == "Torben Lærer"
        assert self._list(admin, status="deaktiverede")[0] == ["Torben Lærer"]
        assert "Torben Lærer" not in self._list(admin, status="aktive")[0]

    def test_fifty_a_page_with_a_pager(self, as_user, org, monkeypatch):
        from app.accounts.views import users as views

        monkeypatch.setattr(views, "PER_PAGE", 3)
        admin = as_user("admin")
        seen = []
        for page in (1, 2, 3):
            names, count, soup = self._list(admin, page=page)
            seen += names
            links = [a.get_text(strip=True) for a in soup.select(".pager a")]
            assert count.endswith(f"side {page} af 3")
            assert links == (
                ["Næste"] if page == 1 else ["Forrige"] if page == 3 else ["Forrige", "Næste"]
            )
        assert len(seen) == len(set(seen)) == len(org.users)
        pager = soup.select_one(".pager a")
        assert pager is not None
        assert "page=2" in pager["href"]

    def test_a_page_past_the_end_shows_the_last(self, as_user, org, monkeypatch):
        from app.accounts.views import users as views

        monkeypatch.setattr(views, "PER_PAGE", 3)
        names, count, _ = self._list(as_user("admin"), page=99)
        assert count.endswith("side 3 af 3")
        assert len(names) == len(org.users) - 6

    def test_htmx_gets_only_the_results(self, as_user, org):
        _, _, soup = self._list(as_user("admin"), hx=True, q="lene")
        assert soup.select_one("#users-results") is not None
        assert soup.select_one("#users-search") is None

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"rolle": "superuser"}, "rolle"),
            ({"sted": "institution:x"}, "sted"),
            ({"sted": "kommune:1"}, "sted"),
            ({"status": "slettede"}, "status"),
        ],
    )
    def test_a_value_no_option_sends_is_422_in_danish(self, as_user, org, params, field):
        response = as_user("admin").client.get("/admin/users", params=params)
        assert response.status_code == 422
        assert "Vælg" in response.text

    def test_no_match_says_so(self, as_user, org):
        _, count, soup = self._list(as_user("admin"), q="findesikke")
        assert count.startswith("0 brugere")
        assert soup.select_one("#users-empty") is not None
