"""The rounds pages: groups, starting a round, its progress, the leader's overview and the
admins' figures; each with and without HTMX, read as parsed HTML."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from app import db
from app.accounts.models import User
from app.catalogs import service as catalogs
from app.db import local_today
from tests.factories import id_of, make_assessed, make_child, make_group, make_round
from tests.html import attr, by_id, one

HX = {"HX-Request": "true"}
TODAY = local_today()


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def round_id(app, org) -> int:
    """Solstuen with 7 children (6 assessed: five on level 1, one on level 3) and the staff
    member, in a round open today; a previous round where all 7 were on level 2."""
    with db.session_scope(app.state.engine) as s:
        catalogs.import_shipped(s)
        staff = s.get_one(User, org.users["staff"])
        leader = s.get_one(User, org.users["leader"])
        children = [
            make_child(s, org.daycare_id, id_of(staff), first_name=f"Barn{i}", last_name="Holm")
            for i in range(7)
        ]
        sol = make_group(s, org.daycare_id, "Solstuen", children=children, staff=[staff])
        before = TODAY - dt.timedelta(days=200)
        make_round(s, leader, [sol], title="Efterår", starts_on=before, ends_on=before)
        for child in children:
            make_assessed(s, staff, child, level=2, on=before)
        current = make_round(s, leader, [sol], title="Forår")
        for child, level in zip(children[:6], [1, 1, 1, 1, 1, 3], strict=True):
            make_assessed(s, staff, child, level=level)
        return id_of(current)


class TestGroupsPage:
    def test_staff_get_403(self, as_user):
        assert as_user("staff").client.get("/groups").status_code == 403

    @pytest.mark.parametrize("headers", [{}, HX])
    def test_a_missing_name_is_shown_beside_the_field(self, as_user, headers):
        leader = as_user("leader")
        response = leader.client.post(
            "/groups", data={"name": " ", "csrf_token": leader.csrf_token}, headers=headers
        )
        assert response.status_code == 422
        soup = _soup(response)
        assert "Skriv gruppens navn" in one(soup, "#error-name").text
        assert (soup.title is None) == bool(headers)

    def test_leader_creates_a_group_and_assigns_children_and_staff(self, app, org, as_user):
        with db.session_scope(app.state.engine) as s:
            child = id_of(make_child(s, org.daycare_id, org.users["staff"], first_name="Alma"))
        leader = as_user("leader")
        created = leader.client.post(
            "/groups",
            data={"name": "Solstuen", "csrf_token": leader.csrf_token},
            follow_redirects=False,
        )
        assert created.status_code == 303
        page = leader.client.get(created.headers["location"])
        soup = _soup(page)
        assert one(soup, "h1").text == "Solstuen"
        assert by_id(soup, f"child-{child}").get("checked") is None
        saved = leader.client.post(
            created.headers["location"] + "/members",
            data={
                "child_ids": [str(child)],
                "user_ids": [str(org.users["staff"])],
                "csrf_token": leader.csrf_token,
            },
            headers=HX,
        )
        fragment = _soup(saved)
        assert attr(one(fragment, "form"), "id") == "members-form"
        assert by_id(fragment, f"child-{child}").get("checked") is not None
        assert by_id(fragment, f"user-{org.users['staff']}").get("checked") is not None
        listing = _soup(leader.client.get("/groups"))
        assert "Solstuen" in one(listing, "#groups-table").text


class TestStartRound:
    def test_staff_see_the_rounds_but_no_form(self, round_id, as_user):
        soup = _soup(as_user("staff").client.get("/rounds"))
        assert soup.select_one("#round-form") is None
        assert by_id(soup, f"round-{round_id}")

    @pytest.mark.parametrize("headers", [{}, HX])
    def test_errors_are_named_beside_their_fields_and_nothing_is_stored(
        self, round_id, as_user, headers
    ):
        leader = as_user("leader")
        response = leader.client.post(
            "/rounds",
            data={
                "title": "Sommer",
                "starts_on": TODAY.isoformat(),
                "ends_on": (TODAY - dt.timedelta(days=1)).isoformat(),
                "csrf_token": leader.csrf_token,
            },
            headers=headers,
        )
        assert response.status_code == 422
        soup = _soup(response)
        assert "før den første" in one(soup, "#error-ends_on").text
        assert "Vælg mindst én gruppe" in one(soup, "#error-group_ids").text
        assert len(leader.client.get("/api/v1/rounds").json()) == 2

    def test_leader_starts_a_round_and_lands_on_its_page(self, app, org, round_id, as_user):
        leader = as_user("leader")
        group_id = leader.client.get("/api/v1/groups").json()[0]["id"]
        response = leader.client.post(
            "/rounds",
            data={
                "title": "Sommer",
                "starts_on": TODAY.isoformat(),
                "ends_on": TODAY.isoformat(),
                "group_ids": [str(group_id)],
                "csrf_token": leader.csrf_token,
            },
            headers=HX,
        )
        assert response.status_code == 204
        page = _soup(leader.client.get(response.headers["HX-Redirect"]))
        assert one(page, "h1").text == "Sommer"


class TestRoundPage:
    def test_another_institution_gets_404(self, round_id, as_user):
        assert as_user("staff_syd").client.get(f"/rounds/{round_id}").status_code == 404

    def test_staff_see_assessed_missing_by_name_and_levels(self, round_id, as_user):
        soup = _soup(as_user("staff").client.get(f"/rounds/{round_id}"))
        assert "6 af 7" in one(soup, "#round-total").text
        missing = soup.select(".missing-list li")
        assert [li.text.strip() for li in missing] == ["Barn6 Holm"]
        cells = [td.text for td in soup.select("table[id^=levels-] td")]
        assert cells == ["5", "0", "<5", "0"]
        assert soup.select_one("#overview-link") is None

    def test_a_group_names_its_first_missing_and_links_to_all_of_them(
        self, round_id, as_user, monkeypatch
    ):
        from app.rounds import views

        monkeypatch.setattr(views, "MISSING_SHOWN", 0)  # Solstuen misses one: "og 1 flere"
        client = as_user("staff").client
        soup = _soup(client.get(f"/rounds/{round_id}"))
        assert soup.select(".missing-list li") == []
        more = one(soup, ".missing-more a")
        assert more.text.strip() == "og 1 flere i Solstuen"
        group = _soup(client.get(more["href"]))
        assert [li.text.strip() for li in group.select(".missing-list li")] == ["Barn6 Holm"]
        assert group.select_one(".missing-more") is None
        assert one(group, "#whole-round a")["href"] == f"/rounds/{round_id}"
        assert client.get(f"/rounds/{round_id}?gruppe=999999").status_code == 404

    def test_groups_are_shown_a_page_at_a_time(self, app, org, as_user, monkeypatch):
        from app.rounds import views

        monkeypatch.setattr(views, "GROUPS_SHOWN", 1)
        with db.session_scope(app.state.engine) as s:
            staff = s.get_one(User, org.users["staff"])
            leader = s.get_one(User, org.users["leader"])
            groups = [
                make_group(
                    s,
                    org.daycare_id,
                    name,
                    children=[make_child(s, org.daycare_id, id_of(staff), first_name=name)],
                )
                for name in ("Andestuen", "Bistuen")
            ]
            new_round = id_of(make_round(s, leader, groups, title="Sommer"))
        client = as_user("leader").client
        first = _soup(client.get(f"/rounds/{new_round}"))
        assert [h.text for h in first.select(".round-group h2")] == ["Andestuen"]
        assert "0 af 2" in one(first, "#round-total").text  # the totals are of every group
        second = _soup(client.get(f"/rounds/{new_round}{one(first, '#groups-next')['href']}"))
        assert [h.text for h in second.select(".round-group h2")] == ["Bistuen"]
        assert second.select_one("#groups-next") is None
        assert one(second, "#groups-previous")["href"] == "?side=1"

    def test_htmx_gets_the_progress_fragment_alone(self, round_id, as_user):
        response = as_user("leader").client.get(f"/rounds/{round_id}", headers=HX)
        soup = _soup(response)
        assert soup.title is None
        assert attr(one(soup, "div"), "id") == "round-progress"
        assert "HX-Request" in response.headers["vary"]


class TestOverviewPage:
    def test_staff_get_403(self, round_id, as_user):
        assert as_user("staff").client.get(f"/rounds/{round_id}/overview").status_code == 403

    @pytest.mark.parametrize("headers", [{}, HX])
    def test_chart_tables_and_movement_with_under_five(self, round_id, as_user, headers):
        soup = _soup(as_user("leader").client.get(f"/rounds/{round_id}/overview", headers=headers))
        svg = one(soup, "#round-chart svg")
        assert attr(svg, "role") == "img"
        assert one(svg, "pattern")  # the previous round's bars are hatched, not coloured
        labels = [t.text for t in svg.select("g text")]
        assert "<5" in labels
        rows = {
            tr.th.text: [td.text for td in tr.select("td")]
            for tr in one(soup, "#overview-levels").select("tbody tr")
            if tr.th
        }
        assert rows == {"Denne runde": ["5", "0", "<5", "0"], "Forrige runde": ["0", "7", "0", "0"]}
        movement = {
            row_id: one(soup, f"#movement-{row_id} td").text
            for row_id in ("down", "stayed", "up", "not-assessed")
        }
        assert movement == {"down": "5", "stayed": "0", "up": "<5", "not-assessed": "<5"}
        assert "Barn" not in soup.text  # no names on the overview

    def test_the_first_round_has_nothing_to_compare_with(self, app, org, as_user):
        with db.session_scope(app.state.engine) as s:
            leader = s.get_one(User, org.users["leader"])
            first = id_of(make_round(s, leader, [make_group(s, org.daycare_id, "Tom")]))
        soup = _soup(as_user("leader").client.get(f"/rounds/{first}/overview"))
        assert one(soup, "#movement-none")

    def test_it_tells_how_often_individual_levels_matched_the_joint_one_in_the_round(
        self, app, org, as_user
    ):
        from app.joint import service as joint
        from tests.factories import make_joint, signs, submit_individual

        with db.session_scope(app.state.engine) as s:
            catalogs.import_shipped(s)
            leader = s.get_one(User, org.users["leader"])
            staff = s.get_one(User, org.users["staff"])
            child = make_child(s, org.daycare_id, id_of(staff))
            current = id_of(make_round(s, leader, [make_group(s, org.daycare_id, "Tom")]))
            joint_id = make_joint(s, staff, child, [staff, leader])
            submit_individual(s, staff, joint_id, observed=signs(level=2))
            submit_individual(s, leader, joint_id, observed=signs(level=3))
            joint.finish(s, staff, joint_id=joint_id, observed=signs(level=2))

        soup = _soup(as_user("leader").client.get(f"/rounds/{current}/overview"))

        text = one(soup, "#round-agreement").text
        assert "fælles vurdering nåede 1 af 2 egne vurderinger samme niveau" in text
        assert "(50 %)" in text

    def test_without_joint_assessments_it_says_so(self, round_id, as_user):
        soup = _soup(as_user("leader").client.get(f"/rounds/{round_id}/overview"))
        assert "ingen afsluttede fælles vurderinger" in one(soup, "#round-agreement").text


class TestMunicipalityPage:
    def test_only_admins(self, as_user):
        assert as_user("leader").client.get("/municipality/rounds").status_code == 403

    def test_admin_sees_counts_and_no_names(self, round_id, org, as_user):
        soup = _soup(as_user("admin").client.get("/municipality/rounds"))
        row = one(soup, f"#institution-{org.daycare_id}")
        assert "Forår" in row.text
        assert [td.text for td in row.select("td")][-4:] == ["5", "0", "<5", "0"]
        assert "Barn" not in soup.text
