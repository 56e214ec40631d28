"""CPR numbers: format, date and century rules, masking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.concerns import cpr


class TestValidate:
    @pytest.mark.parametrize(
        "value", ["12345", "1201151234x", "abcdefghij", "120115-12345", "", "12-01-15-1234"]
    )
    def test_wrong_format_is_refused(self, value):
        with pytest.raises(cpr.CprError, match="10 cifre"):
            cpr.validate(value)

    @pytest.mark.parametrize("value", ["310215-4000", "320115-4000", "001315-4000"])
    def test_impossible_dates_are_refused(self, value):
        with pytest.raises(cpr.CprError, match="gyldig dato"):
            cpr.validate(value)

    def test_a_seventh_digit_that_does_not_fit_the_birth_year_says_so_plainly(self):
        with pytest.raises(cpr.CprError) as error:
            cpr.validate("040322-1234", expected_birth_date=dt.date(2022, 3, 4))
        assert str(error.value) == (
            "CPR-nummerets 7. ciffer (1) passer ikke med, at barnet er født i 2022. For et barn "
            "født i 2022 er det 7. ciffer 4, 5, 6, 7, 8 eller 9. Tjek de fire sidste cifre."
        )

    def test_a_year_no_seventh_digit_gives_is_named_without_choices(self):
        with pytest.raises(cpr.CprError) as error:
            cpr.validate("040322-1234", expected_birth_date=dt.date(1822, 3, 4))
        assert "7. ciffer (1) passer ikke med, at barnet er født i 1822." in str(error.value)
        assert "eller" not in str(error.value)

    def test_must_match_the_childs_birth_date(self):
        with pytest.raises(cpr.CprError, match="fødselsdato"):
            cpr.validate("120115-4000", expected_birth_date=dt.date(2015, 1, 13))

    @pytest.mark.parametrize(
        ("value", "born"),
        [
            ("120115-4321", dt.date(2015, 1, 12)),  # 4: 00–36 → 2000s
            ("120190-4321", dt.date(1990, 1, 12)),  # 4: 37–99 → 1900s
            ("120115-2321", dt.date(1915, 1, 12)),  # 0–3 → 1900s
            ("120120-5321", dt.date(2020, 1, 12)),  # 5–8: 00–57 → 2000s
            ("120160-5321", dt.date(1860, 1, 12)),  # 5–8: 58–99 → 1800s
            ("290216-9999", dt.date(2016, 2, 29)),  # 9: 00–36 → 2000s, a leap day
        ],
    )
    def test_century_rules(self, value, born):
        assert cpr.birth_date(value) == born

    def test_spaces_and_a_missing_hyphen_are_accepted_and_normalised(self):
        assert cpr.validate(" 1201154321 ", expected_birth_date=dt.date(2015, 1, 12)) == (
            "120115-4321"
        )


class TestMask:
    def test_only_the_date_part_is_shown(self):
        assert cpr.mask("1201154321") == "120115-XXXX"

    @given(
        st.dates(min_value=dt.date(2008, 1, 1), max_value=dt.date(2036, 12, 31)),
        st.integers(min_value=4000, max_value=4999),
    )
    def test_every_childs_number_round_trips_to_its_birth_date(self, born, serial):
        value = born.strftime("%d%m%y") + f"-{serial}"
        assert cpr.validate(value, expected_birth_date=born) == value
        assert cpr.mask(value) == value[:6] + "-XXXX"
