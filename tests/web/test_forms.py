"""The form-field parsers shared by the views."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import Invalid
from app.web.forms import DATE_FORMAT_MESSAGE, form_date


class TestFormDate:
    def test_an_iso_date_with_spaces_around_it(self):
        assert form_date(" 2026-11-25 ", "since") == dt.date(2026, 11, 25)

    @pytest.mark.parametrize("empty", [None, "", "   "])
    def test_an_empty_optional_field_is_none(self, empty):
        assert form_date(empty, "since") is None

    def test_an_empty_required_field_names_the_field(self):
        with pytest.raises(Invalid) as raised:
            form_date("", "held_on", required=True)
        assert raised.value.field_messages() == {"held_on": "Skriv en dato."}

    @pytest.mark.parametrize("text", ["25.11.2026", "2026-02-30", "i morgen"])
    def test_a_text_that_is_no_date_is_refused_in_danish(self, text):
        with pytest.raises(Invalid) as raised:
            form_date(text, "until")
        assert raised.value.field_messages() == {"until": DATE_FORMAT_MESSAGE}

    def test_the_message_can_name_the_field(self):
        with pytest.raises(Invalid) as raised:
            form_date("x", "follow_up_on", message="Skriv opfølgningsdatoen som en dato.")
        assert raised.value.message == "Skriv opfølgningsdatoen som en dato."
