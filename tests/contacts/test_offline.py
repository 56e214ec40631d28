"""The contacts of the user's institution travel with the cached guide data (no child data)."""

from __future__ import annotations

from tests.contacts.test_api import RIKKE, _put


class TestOfflineGuideCalls:
    def test_staff_get_their_institutions_calls_by_action(self, as_user, org):
        _put(as_user("admin"), org.daycare_id, [RIKKE | {"user_id": org.users["social"]}])
        body = as_user("staff").client.get("/api/v1/offline/guide").json()
        consult = body["calls"]["social_worker_consult"]
        assert consult == [
            {
                "role": "social_worker",
                "role_label": "Forebyggende socialrådgiver",
                "name": "Rikke Rådgiver",
                "phone": "+4570112233",
                "phone_shown": "70 11 22 33",
                "tel": "tel:+4570112233",
                "email": "rikke@kommune.dk",
                "hours": "Mandag-torsdag 8-15",
                "scope": "institution",
            }
        ]
        assert [c["tel"] for c in body["calls"]["notification"]] == [
            "tel:+4570112233",
            "tel:114",
            "tel:112",
        ]

    def test_another_institution_does_not_get_them(self, as_user, org):
        _put(as_user("admin"), org.daycare_id, [RIKKE])
        body = as_user("staff_syd").client.get("/api/v1/offline/guide").json()
        names = [c["name"] for found in body["calls"].values() for c in found]
        assert "Rikke Rådgiver" not in names

    def test_social_workers_get_none(self, as_user, org):
        assert as_user("social").client.get("/api/v1/offline/guide").json()["calls"] == {}
