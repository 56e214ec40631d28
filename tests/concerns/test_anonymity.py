"""The consultation's anonymity check (pure): names inflected and disguised, dates in every
usual Danish form, CPR-like numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.concerns import anonymity
from app.concerns.anonymity import BIRTH_DATE, CPR_NUMBER, NAME, Finding

BORN = dt.date(2022, 6, 15)
NAMES = ["Bo", "Jensen"]


def _kinds(message: str, names: list[str] = NAMES, born: dt.date = BORN) -> set[str]:
    return {f.kind for f in anonymity.identifying_text(message, names=names, birth_date=born)}


class TestNames:
    @pytest.mark.parametrize(
        "message",
        [
            "Bos mor og Jensens far kom sammen.",  # genitive
            "Jensenfamilien er flyttet.",  # compound
            "Jensen-familien er flyttet.",
            "B.o J-e-n-s-e-n græder hver morgen.",  # separators
            "J e n s e n græder hver morgen.",  # spelt out with spaces
            "Det handler om J e n s e n",
            "Bo's storebror henter.",
            "Det er Bo.",
            "JENSENS mor ringede.",
        ],
    )
    def test_inflected_and_disguised_names_are_found(self, message):
        assert NAME in _kinds(message)

    @pytest.mark.parametrize(
        "message", ["Barnet bor hos mor.", "Borgeren ringede.", "Pigen leger i boldburet."]
    )
    def test_ordinary_words_that_merely_contain_a_short_name_are_not(self, message):
        assert _kinds(message) == set()

    def test_danish_letters_are_folded(self):
        assert NAME in _kinds("Ostergaards far ringede.", names=["Alma", "Østergaard"])
        assert NAME in _kinds("Østergårds far ringede.", names=["Alma", "Østergaard"])

    def test_the_refusal_quotes_what_was_written(self):
        found = anonymity.identifying_text("Bos mor og Jensens far", names=NAMES, birth_date=BORN)
        assert found == [Finding(NAME, "Bos"), Finding(NAME, "Jensens")]
        assert anonymity.refusal(found) == (
            "Sparring er anonym: fjern barnets navn («Bos», «Jensens») fra beskeden."
        )


class TestDates:
    @pytest.mark.parametrize(
        "message",
        [
            "født 15. juni 2022",
            "født 15 juni 22",
            "født d. 15. jun. 2022",
            "født 15. Juni",
            "født 15.06.2022, bekymret",
            "født 15.6.2022",
            "født 15-06-22",
            "født 15/6",
            "født 15/6-2022",
            "født 150622",
            "født 15062022",
            "født 2022-06-15",
        ],
    )
    def test_the_birth_date_in_every_usual_danish_form_is_found(self, message):
        assert _kinds(message) == {BIRTH_DATE}

    @pytest.mark.parametrize(
        "message",
        [
            "Mødet var 16. juni 2022.",
            "Mødet var 15. juni 2023.",
            "kl. 15.30 den 3. juni",
            "Han er 4,5 år.",
            "Mødet var 15.06.2023.",
            "Mødet var 2022-06-16.",
        ],
    )
    def test_other_dates_and_numbers_are_not(self, message):
        assert _kinds(message) == set()


class TestCprLike:
    @pytest.mark.parametrize("number", ["010203-1234", "0102031234", "010203 - 1234"])
    def test_any_cpr_like_number_is_found(self, number):
        assert CPR_NUMBER in _kinds(f"Broren har {number}.")

    def test_everything_found_is_named_in_one_sentence(self):
        found = anonymity.identifying_text(
            "Jensen, født 15.6.2022, cpr 150622-1234", names=NAMES, birth_date=BORN
        )
        assert anonymity.refusal(found) == (
            "Sparring er anonym: fjern barnets navn («Jensen») og barnets fødselsdato "
            "(«15.6.2022», «150622») og et CPR-nummer («150622-1234») fra beskeden."
        )


@given(st.text(alphabet="abcdefghijklmnoprstuvwxyzæøå .,-", max_size=80))
def test_a_message_without_the_names_or_any_digit_is_anonymous(message):
    assert anonymity.identifying_text(message, names=["Qqq"], birth_date=BORN) == []
