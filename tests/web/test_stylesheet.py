"""The purged DKFDS stylesheet (tools/purge_css.py): what it keeps, and that the committed file
is the one the templates need now. That it renders every main page exactly as DKFDS's complete
stylesheet does is checked in the browser (tests/browser/test_accessibility.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import purge_css

WORDS = frozenset({"button", "button-primary", "form-group", "alert"})


def _purge(css: str, words: frozenset[str] = WORDS, prefixes: tuple[str, ...] = ()) -> str:
    return purge_css.purge(css, words, prefixes).removeprefix(purge_css.HEADER).strip()


class TestPurge:
    def test_keeps_the_rules_of_used_classes_and_drops_the_rest(self):
        css = ".button{color:red}.card{color:blue}.button.button-primary{color:green}"

        assert _purge(css) == ".button{color:red}.button.button-primary{color:green}"

    def test_a_selector_list_keeps_only_its_used_selectors(self):
        assert _purge(".card,.button:hover,.tabnav .button{x:1}") == ".button:hover{x:1}"

    def test_element_attribute_and_universal_selectors_are_kept(self):
        css = "html{a:1}[hidden]{b:2}*,:after{c:3}input[type=checkbox]{d:4}"

        assert _purge(css) == css

    def test_classes_inside_not_are_not_required(self):
        assert _purge(".button:not(.card){x:1}") == ".button:not(.card){x:1}"

    def test_media_blocks_keep_their_used_rules_and_vanish_when_empty(self):
        css = "@media (min-width:768px){.card{x:1}.alert{y:2}}@media print{.card{z:3}}"

        assert _purge(css) == "@media (min-width:768px){.alert{y:2}}"

    def test_classes_built_from_a_prefix_are_kept(self):
        css = ".alert-success{x:1}.alert-info{y:2}.badge-info{z:3}"

        assert _purge(css, prefixes=("alert-",)) == ".alert-success{x:1}.alert-info{y:2}"

    def test_font_faces_and_keyframes_are_kept_with_their_urls_moved(self):
        css = "@font-face{src:url(../fonts/a.woff2)}@keyframes spin{to{x:1}}"

        assert _purge(css) == (
            "@font-face{src:url(vendor/dkfds-11.2.0/fonts/a.woff2)}@keyframes spin{to{x:1}}"
        )

    def test_image_urls_point_into_the_vendored_folder(self):
        assert _purge(".button{background:url(../img/x.svg)}") == (
            ".button{background:url(vendor/dkfds-11.2.0/img/x.svg)}"
        )

    def test_a_broken_stylesheet_is_refused(self):
        with pytest.raises(ValueError, match="line"):
            purge_css.purge(".button{x:1}}", WORDS, ())


class TestUsedWords:
    def test_words_and_runtime_prefixes_of_templates_and_scripts(self, tmp_path: Path):
        (tmp_path / "a.html").write_text('<div class="alert alert-{{ kind }}">', encoding="utf-8")
        (tmp_path / "b.js").write_text('el.className = "level-badge level-" + n;', encoding="utf-8")

        words, prefixes = purge_css.used_words([tmp_path / "a.html", tmp_path / "b.js"])

        assert {"div", "class", "alert", "level-badge"} <= words
        assert prefixes == ("alert-", "level-")


class TestCommittedFile:
    def test_is_up_to_date_with_the_templates_and_scripts(self):
        committed = purge_css.OUTPUT.read_text(encoding="utf-8")

        assert committed == purge_css.build(), "run: python -m tools.purge_css"

    def test_check_mode_fails_on_a_stale_file(self, monkeypatch, tmp_path, capsys):
        stale = tmp_path / "dkfds-used.css"
        stale.write_text("/* old */", encoding="utf-8")
        monkeypatch.setattr(purge_css, "OUTPUT", stale)
        monkeypatch.setattr(purge_css, "ROOT", tmp_path)

        assert purge_css.main(["--check"]) == 1
        assert "out of date" in capsys.readouterr().out

    def test_is_a_fraction_of_the_complete_stylesheet(self):
        assert purge_css.OUTPUT.stat().st_size < purge_css.VENDOR_CSS.stat().st_size / 4
