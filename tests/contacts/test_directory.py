"""The pure parts: Danish phone numbers and whom to call beside which action."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.contacts.directory import ContactRole, roles_for_action
from app.phones import PhoneError, normalise_phone, phone_display, tel_href


class TestPhones:
    @pytest.mark.parametrize(
        "typed", ["70112233", "70 11 22 33", "+4570112233", "+45 70 11 22 33", " 7011 2233 "]
    )
    def test_danish_numbers_become_e164(self, typed):
        assert normalise_phone(typed) == "+4570112233"

    @pytest.mark.parametrize("typed", ["", "7011223", "0045 70112233", "+46 70112233", "1234567a"])
    def test_other_text_is_refused_in_danish(self, typed):
        with pytest.raises(PhoneError, match="8 cifre"):
            normalise_phone(typed)

    @given(st.from_regex(r"[2-9][0-9]{7}", fullmatch=True))
    def test_display_and_link_round_trip(self, digits):
        stored = normalise_phone(digits)
        assert tel_href(stored) == f"tel:+45{digits}"
        assert phone_display(stored).replace(" ", "") == digits
        assert normalise_phone(phone_display(stored)) == stored

    def test_short_numbers_are_shown_and_dialled_as_they_are(self):
        assert phone_display("114") == "114"
        assert tel_href("112") == "tel:112"


class TestRolesForAction:
    def test_a_consultation_is_with_the_social_worker(self):
        assert roles_for_action("social_worker_consult") == (ContactRole.SOCIAL_WORKER,)

    def test_an_unknown_action_shows_everyone(self):
        assert set(roles_for_action("something_new")) == set(ContactRole)

    def test_every_role_has_a_danish_label(self):
        assert all(role.label for role in ContactRole)
