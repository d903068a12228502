"""Font discovery, registration and glyph-safe text for reports (charts/fonts.py)."""

from __future__ import annotations

import doctest
import logging
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.fonts import tt2ps
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

from charts import fonts
from charts.fonts import (
    FONT_DIR_ENVIRONMENT_VARIABLE,
    font_covers,
    register_fonts,
    safe_text,
)


def dejavu_directory() -> Path | None:
    """A directory with the four DejaVu Sans faces on this machine, if any."""
    for candidate in (fonts.DEBIAN_DEJAVU_DIR, fonts._matplotlib_font_dir()):
        if candidate is not None and (candidate / "DejaVuSans-BoldOblique.ttf").is_file():
            return candidate
    return None


@pytest.fixture
def only_reportlab_fonts(monkeypatch, tmp_path):
    """Hide every preferred source: an empty env directory, no Debian fonts, no matplotlib."""
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    monkeypatch.setenv(FONT_DIR_ENVIRONMENT_VARIABLE, str(empty))
    monkeypatch.setattr(fonts, "DEBIAN_DEJAVU_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(fonts, "_matplotlib_font_dir", lambda: None)


def test_register_fonts_twice_returns_the_same_family():
    assert register_fonts() is register_fonts()


def test_registered_faces_are_truetype_fonts_known_to_reportlab():
    family = register_fonts()
    for face in family.faces:
        assert getFont(face).fontName == face
        assert hasattr(getFont(face), "face")


def test_family_maps_bold_and_italic_for_platypus_markup():
    family = register_fonts()
    assert tt2ps(family.family, 0, 0) == family.regular
    assert tt2ps(family.family, 1, 0) == family.bold
    assert tt2ps(family.family, 0, 1) == family.italic
    assert tt2ps(family.family, 1, 1) == family.bold_italic


def test_dejavu_is_preferred_over_the_latin_only_fallback_when_installed(monkeypatch):
    monkeypatch.delenv(FONT_DIR_ENVIRONMENT_VARIABLE, raising=False)
    if dejavu_directory() is None:
        pytest.skip("neither fonts-dejavu-core nor matplotlib is installed")
    family = register_fonts()
    assert family.source in {"debian", "matplotlib"}
    assert not family.latin_only
    assert font_covers("Кыргызстан مصر Ελλάδα", family.regular)


def test_environment_directory_comes_first(monkeypatch, tmp_path):
    source = dejavu_directory()
    if source is None:
        pytest.skip("no DejaVu files to copy")
    for name in fonts._DEJAVU_FILES:
        (tmp_path / name).symlink_to(source / name)
    monkeypatch.setenv(FONT_DIR_ENVIRONMENT_VARIABLE, str(tmp_path))
    family = register_fonts()
    assert family.source == "environment"
    assert family.directory == str(tmp_path)
    assert register_fonts() is family


def test_matplotlib_copy_is_used_when_debian_fonts_are_missing(monkeypatch, tmp_path):
    if fonts._matplotlib_font_dir() is None:
        pytest.skip("matplotlib is not installed")
    monkeypatch.delenv(FONT_DIR_ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setattr(fonts, "DEBIAN_DEJAVU_DIR", tmp_path / "no-debian")
    family = register_fonts()
    assert family.source == "matplotlib"
    assert font_covers("Кыргызстан", family.regular)


def test_finding_matplotlib_fonts_does_not_import_matplotlib():
    if "matplotlib" in sys.modules:
        pytest.skip("matplotlib already imported by another test")
    fonts._matplotlib_font_dir()
    assert "matplotlib" not in sys.modules


def test_fallback_to_reportlab_vera_when_preferred_sources_are_hidden(only_reportlab_fonts):
    family = register_fonts()
    assert family.source == "reportlab"
    assert family.latin_only
    assert family.regular == "Vera"
    assert register_fonts() is family


def test_fallback_turns_non_latin_letters_into_visible_question_marks(only_reportlab_fonts):
    family = register_fonts()
    assert safe_text("Côte d'Ivoire", family.regular) == "Côte d'Ivoire"
    assert safe_text("Кыргыз", family.regular) == "??????"


def test_unusable_environment_directory_is_logged_and_skipped(only_reportlab_fonts, caplog):
    with caplog.at_level(logging.WARNING, logger="charts.fonts"):
        register_fonts()
    assert FONT_DIR_ENVIRONMENT_VARIABLE in caplog.text


def test_safe_text_keeps_accents_cyrillic_and_arabic():
    family = register_fonts()
    if family.latin_only:
        pytest.skip("only the Latin fallback font is available")
    text = "Côte d'Ivoire, Кыргызстан, مصر, São Tomé"
    assert safe_text(text, family.regular) == text


def test_safe_text_replaces_chinese_with_a_visible_replacement_character():
    family = register_fonts()
    shown = safe_text("中国", family.regular)
    assert shown in {"\ufffd\ufffd", "??"}


def test_safe_text_composes_decomposed_accents():
    family = register_fonts()
    assert safe_text("Co\u0302te", family.regular) == "Côte"


def test_safe_text_turns_any_whitespace_into_plain_spaces():
    family = register_fonts()
    assert safe_text("a\tb\nc\u00a0d\u2028e", family.regular) == "a b c d e"


def test_safe_text_replaces_control_characters_and_lone_surrogates():
    family = register_fonts()
    shown = safe_text("a\x00b\x1bc\ud800d", family.regular)
    assert shown[::2] == "abcd"
    assert set(shown[1::2]) <= {"\ufffd", "?"}


def test_safe_text_drops_invisible_joiners_and_variation_selectors_the_font_lacks():
    family = register_fonts()
    text = "x\u200dy\ufe0fz"
    expected = "".join(c for c in text if font_covers(c, family.regular))
    assert safe_text(text, family.regular) == expected


def test_safe_text_of_none_is_empty():
    assert safe_text(None, register_fonts().regular) == ""


def test_safe_text_rejects_a_replacement_the_font_lacks():
    with pytest.raises(ValueError, match="replacement"):
        safe_text("中", register_fonts().regular, replacement="中")


def test_safe_text_rejects_fonts_that_are_not_truetype():
    with pytest.raises(ValueError, match="Helvetica"):
        safe_text("x", "Helvetica")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_safe_text_output_is_always_drawable_by_the_font(text):
    family = register_fonts()
    shown = safe_text(text, family.bold)
    assert font_covers(shown, family.bold)
    assert stringWidth(shown, family.bold, 8) >= 0


def test_module_examples_run():
    result = doctest.testmod(fonts, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
