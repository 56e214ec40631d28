"""The children pages: the list with search, registering a child, and a child's page with
its assessments over time; and who may open them."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app import db
from app.accounts.models import User
from app.catalogs import service as catalogs
from app.children.models import Child
from app.children.service import age_text
from app.db import local_today
from tests.factories import id_of, make_child, make_finished_assessment
from tests.html import one

HX = {"HX-Request": "true"}


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _catalog():
    return next(c for c in catalogs.shipped_guide().catalogs if c.id == "3-5")


def _pick(*, level: int, critical: bool = False) -> str:
    return next(
        i.id for i in _catalog().indicators() if i.level == level and i.critical == critical
    )


@pytest.fixture
def child_id(app, org) -> int:
    with db.session_scope(app.state.engine) as s:
        return id_of(
            make_child(s, org.daycare_id, org.users["staff"], first_name="Alma", age_years=4)
        )


@pytest.fixture
def other_children(app, org) -> None:
    with db.session_scope(app.state.engine) as s:
        make_child(s, org.daycare_id, org.users["staff"], first_name="Bertil", last_name="Holm")
        make_child(s, org.other_daycare_id, org.users["staff_syd"], first_name="Sigurd")


def _finished(app, org, child_id: int, observed: list[str], username: str = "staff") -> int:
    with db.session_scope(app.state.engine) as s:
        catalogs.import_shipped(s)
        actor = s.get_one(User, org.users[username])
        child = s.get_one(Child, child_id)
        return id_of(make_finished_assessment(s, actor, child, observed=observed))


class TestAccess:
    @pytest.mark.parametrize("username", ["social", "admin"])
    @pytest.mark.parametrize("path", ["/children", "/children/{id}"])
    def test_social_workers_and_admins_are_refused(self, as_user, child_id, username, path):
        response = as_user(username).client.get(path.format(id=child_id))
        assert response.status_code == 403

    @pytest.mark.parametrize("username", ["social", "admin"])
    def test_social_workers_and_admins_cannot_add_children(self, as_user, app, username):
        user = as_user(username)
        response = user.client.post(
            "/children",
            data={
                "csrf_token": user.csrf_token,
                "first_name": "Ny",
                "last_name": "Barn",
                "birth_date": "2020-01-01",
            },
        )
        assert response.status_code == 403
        with db.session_scope(app.state.engine) as s:
            assert s.exec(select(Child).where(Child.first_name == "Ny")).first() is None

    @pytest.mark.parametrize("username", ["staff_syd", "teacher"])
    def test_another_institutions_child_is_not_found(self, as_user, child_id, username):
        assert as_user(username).client.get(f"/children/{child_id}").status_code == 404

    def test_leader_of_the_institution_sees_the_child(self, as_user, child_id):
        assert as_user("leader").client.get(f"/children/{child_id}").status_code == 200

    def test_anonymous_is_sent_to_login(self, client, child_id):
        response = client.get("/children", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=/children")


class TestNavigation:
    @pytest.mark.parametrize("username", ["staff", "leader"])
    def test_staff_and_leaders_have_the_children_link(self, as_user, username):
        soup = _soup(as_user(username).client.get("/"))
        assert one(soup, "nav a[href='/children']").get_text(strip=True) == "Børn"
        assert one(soup, "#start-children-link")["href"] == "/children"

    @pytest.mark.parametrize("username", ["social", "admin"])
    def test_others_have_no_children_link(self, as_user, username):
        soup = _soup(as_user(username).client.get("/"))
        assert soup.select_one("nav a[href='/children']") is None

    def test_the_children_link_is_current_on_the_list(self, as_user):
        soup = _soup(as_user("staff").client.get("/children"))
        assert one(soup, "nav a[href='/children']")["aria-current"] == "page"


class TestChildrenList:
    def test_lists_only_the_institutions_children(self, as_user, child_id, other_children):
        soup = _soup(as_user("staff").client.get("/children"))
        assert one(soup, "title").text == "Børn – Trivselsguiden"
        names = [a.get_text(strip=True) for a in soup.select("#children-table tbody a")]
        assert names == ["Alma Jensen", "Bertil Holm"]
        link = one(soup, f"#child-{child_id} a")
        assert link["href"] == f"/children/{child_id}"

    def test_empty_list_says_so(self, as_user):
        soup = _soup(as_user("staff").client.get("/children"))
        assert soup.select_one("#children-table") is None
        assert soup.select_one("#children-empty") is not None

    @pytest.mark.parametrize("hx", [False, True])
    def test_search_by_name(self, as_user, child_id, other_children, hx):
        response = as_user("staff").client.get(
            "/children", params={"q": "bert"}, headers=HX if hx else {}
        )
        assert response.status_code == 200
        assert "HX-Request" in response.headers["vary"]
        soup = _soup(response)
        assert (soup.select_one("html") is None) == hx  # HTMX gets only the results
        results = one(soup, "#children-results")
        names = [a.get_text(strip=True) for a in results.select("tbody a")]
        assert names == ["Bertil Holm"]

    def test_search_without_match(self, as_user, child_id):
        soup = _soup(as_user("staff").client.get("/children", params={"q": "zzz"}))
        assert soup.select_one("#children-table") is None
        assert "zzz" in one(soup, "#children-empty").text

    def test_search_field_enhances_with_htmx(self, as_user):
        soup = _soup(as_user("staff").client.get("/children"))
        search = one(soup, "#input-q")
        assert search["hx-get"] == "/children"
        assert search["hx-target"] == "#children-results"
        assert one(soup, "#children-search")["method"] == "get"


class TestAddChild:
    def _post(self, user, hx: bool, **fields):
        data = {"csrf_token": user.csrf_token, "first_name": "", "last_name": "", "birth_date": ""}
        data.update(fields)
        return user.client.post(
            "/children", data=data, headers=HX if hx else {}, follow_redirects=False
        )

    @pytest.mark.parametrize("hx", [False, True])
    def test_errors_are_shown_beside_the_fields_and_nothing_is_stored(self, as_user, app, hx):
        staff = as_user("staff")
        response = self._post(staff, hx, first_name="Carl")
        assert response.status_code == 422
        soup = _soup(response)
        assert (soup.select_one("html") is None) == hx
        form = one(soup, "#child-form")
        for field in ("last_name", "birth_date"):
            assert form.select_one(f"#error-{field}") is not None, field
            assert one(form, f"#input-{field}")["aria-invalid"] == "true"
        assert form.select_one("#error-first_name") is None
        assert one(form, "#input-first_name")["value"] == "Carl"
        assert soup.select_one("#error-summary a[href='#input-last_name']") is not None
        with db.session_scope(app.state.engine) as s:
            assert s.exec(select(Child)).first() is None

    def test_birth_date_in_the_future_is_refused(self, as_user):
        future = (local_today() + dt.timedelta(days=30)).isoformat()
        response = self._post(
            as_user("staff"), False, first_name="Carl", last_name="Berg", birth_date=future
        )
        assert response.status_code == 422
        assert "fremtiden" in one(_soup(response), "#error-birth_date").text

    def test_malformed_birth_date_is_refused(self, as_user):
        response = self._post(
            as_user("staff"), False, first_name="Carl", last_name="Berg", birth_date="31-02-2020"
        )
        assert response.status_code == 422
        assert _soup(response).select_one("#error-birth_date") is not None

    @pytest.mark.parametrize("hx", [False, True])
    def test_child_is_added_and_shown(self, as_user, app, org, hx):
        staff = as_user("staff")
        response = self._post(
            staff, hx, first_name=" Carl ", last_name="Berg", birth_date="2021-05-17"
        )
        assert response.status_code == (204 if hx else 303)
        with db.session_scope(app.state.engine) as s:
            child = s.exec(select(Child).where(Child.first_name == "Carl")).one()
            assert (child.last_name, child.birth_date) == ("Berg", dt.date(2021, 5, 17))
            assert child.institution_id == org.daycare_id
        assert response.headers["HX-Redirect" if hx else "location"] == f"/children/{child.id}"

    def test_form_without_csrf_token_is_refused(self, as_user):
        staff = as_user("staff")
        response = staff.client.post(
            "/children", data={"first_name": "A", "last_name": "B", "birth_date": "2021-01-01"}
        )
        assert response.status_code == 403


class TestChildPage:
    def test_shows_name_birth_date_and_age(self, as_user, app, child_id):
        soup = _soup(as_user("staff").client.get(f"/children/{child_id}"))
        assert one(soup, "title").text == "Barnets side – Trivselsguiden"
        assert one(soup, "#child-name").text == "Alma Jensen"
        assert one(soup, "#child-age").text == "4 år"
        assert soup.select_one("#no-assessments") is not None
        assert soup.select_one("#level-chart") is None
        form = one(soup, "#start-assessment")
        assert form["action"] == f"/children/{child_id}/assessments"
        assert one(form, "button").get_text(strip=True) == "Ny vurdering"
        assert form.select_one("input[name=csrf_token]") is not None

    def test_assessments_over_time_with_level_badges_and_chart(self, as_user, app, org, child_id):
        first = _finished(app, org, child_id, [_pick(level=2)])
        second = _finished(app, org, child_id, [_pick(level=3)], username="leader")
        soup = _soup(as_user("staff").client.get(f"/children/{child_id}"))
        rows = soup.select("#assessments-table tbody tr")
        assert [row["id"] for row in rows] == [f"assessment-{second}", f"assessment-{first}"]
        newest = rows[0]
        badge = one(newest, ".level-badge")
        assert "level-3" in badge["class"]
        assert badge.get_text(" ", strip=True) == "Niveau 3 Mistrivsel"
        assert "Lene Leder" in newest.get_text()
        assert "Afsluttet" in newest.get_text()
        assert one(newest, "a")["href"] == f"/assessments/{second}"
        chart = one(soup, "#level-chart svg")
        assert chart["role"] == "img"
        assert one(chart, "title").text == "Niveau over tid"
        points = chart.select("circle")
        assert [p["class"][-1] for p in points] == ["level-fill-2", "level-fill-3"]
        description = one(chart, "desc").text
        assert "niveau 2, Faldende trivsel" in description
        assert "niveau 3, Mistrivsel" in description
        assert description.index("niveau 2") < description.index("niveau 3")  # oldest first

    def test_a_draft_is_marked_and_only_its_author_may_open_it(self, as_user, app, org, child_id):
        staff = as_user("staff")
        staff.client.post(
            f"/children/{child_id}/assessments", data={"csrf_token": staff.csrf_token}
        )
        own = _soup(staff.client.get(f"/children/{child_id}"))
        row = one(own, "#assessments-table tbody tr")
        assert "Kladde" in row.get_text()
        assert row.select_one(".level-badge") is None
        assert row.select_one("a") is not None
        assert one(own, "#start-assessment button").get_text(strip=True) == (
            "Fortsæt din vurdering"
        )
        leader = _soup(as_user("leader").client.get(f"/children/{child_id}"))
        assert leader.select_one("#assessments-table tbody tr a") is None
        assert one(leader, "#start-assessment button").get_text(strip=True) == ("Ny vurdering")


class TestAgeText:
    @pytest.mark.parametrize(
        ("birth", "today", "expected"),
        [
            (dt.date(2024, 3, 10), dt.date(2024, 4, 9), "0 måneder"),
            (dt.date(2024, 3, 10), dt.date(2024, 4, 10), "1 måned"),
            (dt.date(2024, 3, 10), dt.date(2024, 11, 10), "8 måneder"),
            (dt.date(2023, 3, 10), dt.date(2024, 3, 10), "1 år"),
            (dt.date(2023, 3, 10), dt.date(2024, 4, 10), "1 år og 1 måned"),
            (dt.date(2023, 3, 10), dt.date(2024, 8, 10), "1 år og 5 måneder"),
            (dt.date(2019, 3, 10), dt.date(2024, 3, 9), "4 år"),
        ],
    )
    def test_months_under_two_years_then_years(self, birth, today, expected):
        assert age_text(birth, today) == expected
