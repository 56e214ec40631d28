"""The audit log: what is written, that it cannot be changed, and the admins' viewer."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from app import db
from app.audit.models import AuditEvent
from tests.conftest import login


def events(app, action: str) -> list[AuditEvent]:
    with db.session_scope(app.state.engine) as s:
        return list(
            s.exec(
                select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
            ).all()
        )


class TestAuditRecording:
    def test_login_is_audited_with_who_and_from_where(self, app, client, org):
        login(client, "staff")
        [event] = events(app, "auth:login")
        assert (event.actor_id, event.actor_username, event.actor_role) == (
            org.users["staff"],
            "staff",
            "staff",
        )
        assert event.client_ip == "testclient"
        assert event.request_id

    def test_failed_login_is_audited_even_though_the_request_failed(self, app, client, org):
        client.post("/api/v1/session", json={"username": "staff", "password": "forkert"})
        client.post("/api/v1/session", json={"username": "ukendt", "password": "forkert"})
        failed = events(app, "auth:login_failed")
        assert [(e.actor_id, e.actor_username) for e in failed] == [
            (None, "staff"),
            (None, "ukendt"),
        ]

    def test_logout_is_audited(self, app, client, org):
        user = login(client, "leader")
        client.delete("/api/v1/session", headers=user.headers)
        [event] = events(app, "auth:logout")
        assert event.actor_username == "leader"

    def test_reading_a_persons_data_is_audited(self, app, as_user, org):
        as_user("admin").client.get(f"/admin/users/{org.users['staff']}")
        [event] = events(app, "user:view")
        assert (event.actor_username, event.object_type, event.object_id) == (
            "admin",
            "user",
            str(org.users["staff"]),
        )

    def test_refused_change_leaves_no_audit_row(self, app, as_user, org):
        admin = as_user("admin")
        admin.client.post(
            "/admin/users", data={"csrf_token": admin.csrf_token, "username": "x", "role": "staff"}
        )
        assert events(app, "user:create") == []


class TestAuditIsAppendOnly:
    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE audit_event SET actor_username = 'someone-else'",
            "DELETE FROM audit_event",
        ],
    )
    def test_database_refuses_to_change_audit_rows(self, app, client, org, statement):
        login(client, "staff")
        with pytest.raises(DBAPIError), app.state.engine.begin() as conn:
            conn.execute(sa.text(statement))
        assert [e.actor_username for e in events(app, "auth:login")] == ["staff"]


class TestAuditViewer:
    def test_admin_filters_by_action_and_user(self, app, as_user, org, client):
        login(client, "staff")
        client.post("/api/v1/session", json={"username": "leader", "password": "forkert"})
        admin = as_user("admin")
        page = admin.client.get("/admin/audit", params={"action": "auth:login_failed"})
        rows = BeautifulSoup(page.text, "html.parser").select("#audit-table tbody tr[id]")
        assert [r["data-action"] for r in rows] == ["auth:login_failed"]
        page = admin.client.get("/admin/audit", params={"actor": "staff"})
        rows = BeautifulSoup(page.text, "html.parser").select("#audit-table tbody tr[id]")
        assert {r["data-action"] for r in rows} == {"auth:login"}

    @pytest.mark.parametrize("hx", [False, True])
    def test_htmx_filter_gets_only_the_table(self, as_user, hx):
        admin = as_user("admin")
        headers = {"HX-Request": "true"} if hx else {}
        page = admin.client.get("/admin/audit", headers=headers)
        soup = BeautifulSoup(page.text, "html.parser")
        assert soup.select_one("#audit-table") is not None
        assert (soup.select_one("#audit-filter") is None) == hx
        assert page.headers["Vary"] == "HX-Request"

    def test_viewing_the_log_is_itself_audited(self, app, as_user):
        as_user("admin").client.get("/admin/audit")
        assert len(events(app, "audit:view")) == 1

    def test_csv_export_neutralises_spreadsheet_formulas(self, app, as_user, client, org):
        client.post("/api/v1/session", json={"username": "=HYPERLINK(1)", "password": "x"})
        response = as_user("admin").client.get(
            "/admin/audit.csv", params={"action": "auth:login_failed"}
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        lines = response.text.strip().splitlines()
        assert lines[0].startswith("tidspunkt,bruger")
        assert "'=hyperlink(1)" in lines[1]

    def test_bad_date_filter_is_422_and_changes_nothing(self, as_user):
        response = as_user("admin").client.get("/admin/audit", params={"since": "i går"})
        assert response.status_code == 422


class TestAuditPages:
    """The viewer counts what matches up to ``COUNT_CAP`` (an exact count of a municipality's
    whole log read a million rows on every view) and pages on beyond it."""

    @staticmethod
    def _page(admin, **params):
        page = admin.client.get("/admin/audit", params={"action": "auth:login_failed", **params})
        assert page.status_code == 200
        soup = BeautifulSoup(page.text, "html.parser")
        pager = {a.get_text(strip=True): a["href"] for a in soup.select(".pager a")}
        rows = [r["id"] for r in soup.select("#audit-table tbody tr[id]")]
        total = soup.select_one("#audit-total")
        assert total is not None
        return total.get_text(" ", strip=True), rows, pager

    def test_beyond_the_cap_it_says_more_than_and_pages_on(self, app, as_user, client, monkeypatch):
        from app.audit import service, views

        monkeypatch.setattr(service, "COUNT_CAP", 3)
        monkeypatch.setattr(views, "PER_PAGE", 2)
        for _ in range(5):
            client.post("/api/v1/session", json={"username": "leader", "password": "forkert"})
        admin = as_user("admin")
        total, first, pager = self._page(admin)
        assert total.startswith("Mere end 3 hændelser · side 1")
        assert list(pager) == ["Ældre"]
        _, second, pager = self._page(admin, page=2)
        assert list(pager) == ["Nyere", "Ældre"]
        total, third, pager = self._page(admin, page=3)
        assert total.startswith("Mere end 3 hændelser · side 3")
        assert list(pager) == ["Nyere"]  # the fifth and last row: no older page
        assert len(set(first + second + third)) == 5 == len(first + second + third)

    def test_up_to_the_cap_the_count_is_exact(self, app, as_user, client, monkeypatch):
        from app.audit import service, views

        monkeypatch.setattr(service, "COUNT_CAP", 3)
        monkeypatch.setattr(views, "PER_PAGE", 2)
        for _ in range(3):
            client.post("/api/v1/session", json={"username": "leader", "password": "forkert"})
        total, rows, pager = self._page(as_user("admin"))
        assert total == "3 hændelser · side 1 af 2"
        assert len(rows) == 2
        assert list(pager) == ["Ældre"]

    def test_the_export_has_every_row_beyond_the_cap(self, app, as_user, client, monkeypatch):
        from app.audit import service

        monkeypatch.setattr(service, "COUNT_CAP", 3)
        for _ in range(5):
            client.post("/api/v1/session", json={"username": "leader", "password": "forkert"})
        response = as_user("admin").client.get(
            "/admin/audit.csv", params={"action": "auth:login_failed"}
        )
        assert len(response.text.strip().splitlines()) == 1 + 5


class TestAuditFilters:
    def test_filters_by_object_and_date_range(self, app, as_user, org):
        admin = as_user("admin")
        admin.client.get(f"/admin/users/{org.users['staff']}")
        admin.client.get(f"/admin/users/{org.users['leader']}")
        import datetime as dt

        from app.db import local_today

        today = local_today().isoformat()  # the viewer's dates are Danish calendar days
        page = admin.client.get(
            "/admin/audit",
            params={
                "object_type": "user",
                "object_id": str(org.users["leader"]),
                "action": "user:view",
                "since": today,
                "until": today,
                "child_id": "",
            },
        )
        rows = BeautifulSoup(page.text, "html.parser").select("#audit-table tbody tr[id]")
        assert len(rows) == 1
        yesterday = (local_today() - dt.timedelta(days=2)).isoformat()
        page = admin.client.get("/admin/audit", params={"until": yesterday})
        assert BeautifulSoup(page.text, "html.parser").select("#audit-table tbody tr[id]") == []


def test_a_stored_action_is_labelled_in_danish_and_an_unknown_one_kept_as_it_is():
    from app.audit.tags import label_of

    assert label_of("auth:login") == "Login"
    assert label_of("child:access_log") == "child:access_log"
