"""The pure claims mapping: an identity provider's claims → role and organisation unit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.accounts.claims import (
    ROLE_ORDER,
    ClaimConfig,
    Identity,
    Refusal,
    Refused,
    claim_values,
    map_claims,
    parse_role_mapping,
)

DEFAULT = ClaimConfig()


class TestParseRoleMapping:
    @pytest.mark.parametrize("text", ["paedagog", "x=rektor", "=staff", "x=staff,y"])
    def test_an_entry_without_a_value_or_a_known_role_is_refused(self, text):
        with pytest.raises(ValueError, match="claim value=role"):
            parse_role_mapping(text)

    def test_pairs_separated_by_commas_with_urn_values(self):
        text = " urn:dk:kombit:jobfunktion:paedagog = staff, urn:dk:kombit:leder=leader,, "
        assert parse_role_mapping(text) == {
            "urn:dk:kombit:jobfunktion:paedagog": "staff",
            "urn:dk:kombit:leder": "leader",
        }

    def test_empty_text_is_no_mapping(self):
        assert parse_role_mapping("") == {}


class TestClaimValues:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("staff", ("staff",)),
            (["staff", " leader ", "", 7, "staff"], ("staff", "leader")),
            (None, ()),
            (42, ()),
            ({"role": "staff"}, ()),
            ("   ", ()),
        ],
    )
    def test_a_string_is_one_value_a_list_many_anything_else_none(self, raw, expected):
        assert claim_values({"roles": raw}, "roles") == expected


class TestMapClaims:
    def test_no_subject_is_refused(self):
        assert map_claims({"roles": ["admin"]}, DEFAULT) == Refused("", Refusal.NO_SUBJECT)

    def test_no_known_role_is_refused(self):
        claims = {"sub": "s1", "roles": ["vikar"], "institution": "u1"}
        assert map_claims(claims, DEFAULT) == Refused("s1", Refusal.NO_ROLE)

    def test_a_role_without_its_unit_is_refused(self):
        assert map_claims({"sub": "s1", "roles": "staff"}, DEFAULT) == Refused(
            "s1", Refusal.NO_UNIT
        )

    def test_two_institutions_are_refused_as_ambiguous(self):
        claims = {"sub": "s1", "roles": ["leader"], "institution": ["u1", "u2"]}
        assert map_claims(claims, DEFAULT) == Refused("s1", Refusal.AMBIGUOUS_UNIT)

    def test_staff_gets_the_institution_and_the_names(self):
        claims = {
            "sub": "s1",
            "roles": ["staff"],
            "institution": "u1",
            "district": "d1",
            "preferred_username": "sofie",
            "name": " Sofie Sørensen ",
            "email": "sofie@example.dk",
        }
        assert map_claims(claims, DEFAULT) == Identity(
            subject="s1",
            role="staff",
            institution_unit="u1",
            district_unit=None,
            username="sofie",
            display_name="Sofie Sørensen",
            email="sofie@example.dk",
        )

    def test_a_social_worker_gets_the_district(self):
        found = map_claims({"sub": "s1", "roles": "social_worker", "district": "d1"}, DEFAULT)
        assert isinstance(found, Identity)
        assert (found.role, found.institution_unit, found.district_unit) == (
            "social_worker",
            None,
            "d1",
        )

    def test_an_admin_needs_no_unit(self):
        found = map_claims({"sub": "s1", "roles": ["admin"], "institution": ["a", "b"]}, DEFAULT)
        assert isinstance(found, Identity)
        assert (found.role, found.institution_unit, found.district_unit) == ("admin", None, None)

    def test_the_most_powerful_role_with_its_unit_wins(self):
        claims = {"sub": "s1", "roles": ["staff", "leader", "social_worker"], "institution": "u"}
        found = map_claims(claims, DEFAULT)
        assert isinstance(found, Identity)
        assert found.role == "leader"

    def test_a_role_with_an_ambiguous_unit_gives_way_to_a_lower_one_with_a_unit(self):
        claims = {
            "sub": "s1",
            "roles": ["leader", "social_worker"],
            "institution": ["u1", "u2"],
            "district": "d1",
        }
        found = map_claims(claims, DEFAULT)
        assert isinstance(found, Identity)
        assert found.role == "social_worker"

    def test_a_mapping_translates_the_providers_values_and_only_those(self):
        config = ClaimConfig(
            role_claim="groups",
            institution_claim="ou",
            role_mapping={"urn:paedagog": "staff"},
        )
        assert isinstance(
            map_claims({"sub": "s", "groups": ["urn:paedagog"], "ou": "u"}, config), Identity
        )
        assert map_claims({"sub": "s", "groups": ["staff"], "ou": "u"}, config) == Refused(
            "s", Refusal.NO_ROLE
        )

    @given(
        roles=st.lists(st.sampled_from([*ROLE_ORDER, "vikar"]), max_size=5),
        institution=st.sampled_from([None, "u1", ["u1", "u2"]]),
        district=st.sampled_from([None, "d1", ["d1", "d2"]]),
    )
    def test_a_granted_role_always_has_exactly_the_unit_it_needs(
        self, roles, institution, district
    ):
        claims = {"sub": "s", "roles": roles, "institution": institution, "district": district}
        found = map_claims(claims, DEFAULT)
        if isinstance(found, Refused):
            assert found.reason in set(Refusal)
            return
        assert found.role in roles
        assert (found.institution_unit is not None) == (found.role in ("staff", "leader"))
        assert (found.district_unit is not None) == (found.role == "social_worker")


class TestSettings:
    def test_a_bad_role_mapping_stops_the_start(self, tmp_path):
        from pydantic import ValidationError

        from app.settings import Settings

        with pytest.raises(ValidationError, match="claim value=role"):
            Settings(_env_file=None, data_dir=tmp_path, oidc_role_mapping="x=rektor")

    def test_the_providers_origin_only_when_configured(self, tmp_path):
        from app.settings import Settings

        assert Settings(_env_file=None, data_dir=tmp_path).oidc_origins() == ()
        configured = Settings(
            _env_file=None,
            data_dir=tmp_path,
            oidc_issuer="https://login.kommune.example/realms/trivsel",
            oidc_client_id="trivselsguiden",
            oidc_role_mapping="urn:a=staff",
        )
        assert configured.oidc_origins() == ("https://login.kommune.example",)
        assert configured.oidc_claim_config().role_mapping == {"urn:a": "staff"}
