"""Template helpers: web addresses in content texts become links, everything else stays text."""

import pytest

from app.web.templating import link_parts


class TestLinkParts:
    def test_addresses_are_split_from_the_text_around_them(self) -> None:
        text = "Barnets lov, https://www.regelrytter.dk/barnets-lov ; gengivet i https://x.dk/u"

        assert link_parts(text) == [
            ("Barnets lov, ", False),
            ("https://www.regelrytter.dk/barnets-lov", True),
            (" ; gengivet i ", False),
            ("https://x.dk/u", True),
        ]

    @pytest.mark.parametrize("end", [".", ",", ")", ").", ";"])
    def test_punctuation_after_an_address_is_not_part_of_it(self, end: str) -> None:
        assert link_parts(f"(se https://x.dk/a?id=1,2{end} mere") == [
            ("(se ", False),
            ("https://x.dk/a?id=1,2", True),
            (f"{end} mere", False),
        ]

    @pytest.mark.parametrize(
        "text",
        ["Kun tekst", "javascript:alert(1)", "ftp://x.dk/fil", 'https"onmouseover=x'],
    )
    def test_only_http_and_https_addresses_are_links(self, text: str) -> None:
        assert link_parts(text) == [(text, False)]
