"""Unicode fonts for reports and charts, registered once with reportlab.

The PDF core fonts (Helvetica, Times) only cover Latin-1, so French text survives but Arabic,
Cyrillic or Greek country and stakeholder names do not. DejaVu Sans covers Latin, Greek,
Cyrillic, Arabic, Hebrew and Armenian. It is looked for, in this order:

1. the directory named by the ``NEEDS_ASSESSMENT_FONT_DIR`` environment variable;
2. Debian's ``fonts-dejavu-core`` package (``/usr/share/fonts/truetype/dejavu``);
3. the copy bundled with matplotlib (``matplotlib/mpl-data/fonts/ttf``), found without
   importing matplotlib;
4. the documented fallback: Bitstream Vera, bundled with reportlab itself. Vera covers Latin
   only; every other character is replaced by a visible ``?`` (see :func:`safe_text`).

No font covers everything (DejaVu has no Chinese and only some emoji), so every piece of user
text goes through :func:`safe_text` before it is drawn: characters the font lacks become a
visible replacement character instead of crashing reportlab or printing empty boxes.

Examples
--------
>>> family = register_fonts()
>>> family is register_fonts()
True
>>> safe_text("Côte d'Ivoire", family.regular)
"Côte d'Ivoire"
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = [
    "DEBIAN_DEJAVU_DIR",
    "RIGHT_TO_LEFT_LANGUAGES",
    "FONT_DIR_ENVIRONMENT_VARIABLE",
    "FontFamily",
    "FontSource",
    "covering_face",
    "display_line",
    "font_covers",
    "is_right_to_left",
    "register_fonts",
    "safe_text",
    "shape",
]

logger = logging.getLogger(__name__)

FONT_DIR_ENVIRONMENT_VARIABLE = "NEEDS_ASSESSMENT_FONT_DIR"
DEBIAN_DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")

FontSource = Literal["environment", "debian", "matplotlib", "reportlab"]

# File names per style, in the order regular, bold, italic, bold italic.
_DEJAVU_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
)
_VERA_FILES = ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf")

# Browsers draw the SVG charts with their own fonts: name DejaVu first and close
# metric-compatible relatives after it, so labels keep roughly the widths measured here.
_CSS_FALLBACKS = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif"


@dataclass(frozen=True)
class FontFamily:
    """A registered four-style font family and where its files came from.

    Attributes
    ----------
    family : str
        Name registered with ``registerFontFamily``; use it as ``fontName`` in Platypus styles
        so that ``<b>`` and ``<i>`` in paragraphs pick the bold and italic faces.
    regular, bold, italic, bold_italic : str
        reportlab font names of each face.
    source : {"environment", "debian", "matplotlib", "reportlab"}
        Which place in the search order supplied the files.
    directory : str
        Directory the TTF files were read from.
    latin_only : bool
        True for the Vera fallback, which has no Cyrillic, Greek or Arabic glyphs.
    css_font_family : str
        CSS ``font-family`` value used in the SVG output.
    """

    family: str
    regular: str
    bold: str
    italic: str
    bold_italic: str
    source: FontSource
    directory: str
    latin_only: bool
    css_font_family: str

    @property
    def faces(self) -> tuple[str, str, str, str]:
        """The four face names: regular, bold, italic, bold italic."""
        return (self.regular, self.bold, self.italic, self.bold_italic)


_registered: dict[tuple[str, str], FontFamily] = {}
_lock = threading.Lock()


def _has_files(directory: Path | None, file_names: tuple[str, ...]) -> bool:
    return directory is not None and all((directory / name).is_file() for name in file_names)


def _matplotlib_font_dir() -> Path | None:
    """Directory of the TTF files bundled with matplotlib, if matplotlib is installed.

    Importing matplotlib costs about half a second and may touch a user config directory, so
    only its package location is looked up.
    """
    try:
        spec = importlib.util.find_spec("matplotlib")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "mpl-data" / "fonts" / "ttf"
        if candidate.is_dir():
            return candidate
    return None


def _reportlab_font_dir() -> Path:
    import reportlab

    return Path(reportlab.__file__).resolve().parent / "fonts"


def _find_font_files() -> tuple[FontSource, Path, tuple[str, ...]]:
    environment_dir = os.environ.get(FONT_DIR_ENVIRONMENT_VARIABLE, "").strip()
    if environment_dir:
        directory = Path(environment_dir)
        if _has_files(directory, _DEJAVU_FILES):
            return "environment", directory, _DEJAVU_FILES
        logger.warning(
            "%s=%s does not contain %s; looking elsewhere for fonts",
            FONT_DIR_ENVIRONMENT_VARIABLE,
            environment_dir,
            ", ".join(_DEJAVU_FILES),
        )
    if _has_files(DEBIAN_DEJAVU_DIR, _DEJAVU_FILES):
        return "debian", DEBIAN_DEJAVU_DIR, _DEJAVU_FILES
    matplotlib_dir = _matplotlib_font_dir()
    if matplotlib_dir is not None and _has_files(matplotlib_dir, _DEJAVU_FILES):
        return "matplotlib", matplotlib_dir, _DEJAVU_FILES
    reportlab_dir = _reportlab_font_dir()
    if _has_files(reportlab_dir, _VERA_FILES):
        logger.warning(
            "DejaVu fonts not found; falling back to reportlab's Vera (Latin only). "
            "Install fonts-dejavu-core or matplotlib, or set %s.",
            FONT_DIR_ENVIRONMENT_VARIABLE,
        )
        return "reportlab", reportlab_dir, _VERA_FILES
    raise RuntimeError(
        f"No usable TTF fonts: set {FONT_DIR_ENVIRONMENT_VARIABLE} to a directory holding "
        f"{', '.join(_DEJAVU_FILES)}, or install fonts-dejavu-core or matplotlib."
    )


def register_fonts() -> FontFamily:
    """Register the best available Unicode font family with reportlab and return its names.

    Safe to call as often as wanted: files are read and registered once per source
    directory, and later calls return the same :class:`FontFamily` object.

    Returns
    -------
    FontFamily
        Registered face names, the family name for Platypus styles, and the source used.

    Raises
    ------
    RuntimeError
        If not even reportlab's bundled Vera fonts can be found.

    Examples
    --------
    >>> family = register_fonts()
    >>> family.source in {"environment", "debian", "matplotlib", "reportlab"}
    True
    >>> from reportlab.pdfbase.pdfmetrics import getFont
    >>> getFont(family.bold).fontName == family.bold
    True
    """
    source, directory, file_names = _find_font_files()
    key = (source, str(directory))
    with _lock:
        cached = _registered.get(key)
        if cached is not None:
            return cached
        is_vera = file_names == _VERA_FILES
        base = "Vera" if is_vera else "DejaVuSans"
        # The environment directory may hold a different DejaVu build from Debian's, so its
        # faces get their own names instead of silently replacing already registered ones.
        if source == "environment":
            base = "NeedsAssessmentSans"
        face_names = (base, f"{base}-Bold", f"{base}-Oblique", f"{base}-BoldOblique")
        for face_name, file_name in zip(face_names, file_names, strict=True):
            pdfmetrics.registerFont(TTFont(face_name, str(directory / file_name)))
        pdfmetrics.registerFontFamily(
            base,
            normal=face_names[0],
            bold=face_names[1],
            italic=face_names[2],
            boldItalic=face_names[3],
        )
        family = FontFamily(
            family=base,
            regular=face_names[0],
            bold=face_names[1],
            italic=face_names[2],
            bold_italic=face_names[3],
            source=source,
            directory=str(directory),
            latin_only=is_vera,
            css_font_family=_CSS_FALLBACKS,
        )
        _registered[key] = family
        return family


def _character_map(font_name: str) -> dict[int, int]:
    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    char_to_glyph = getattr(face, "charToGlyph", None)
    if char_to_glyph is None:
        raise ValueError(
            f"safe_text: font {font_name!r} is not a registered TrueType font; "
            "call register_fonts() and pass one of its face names"
        )
    return char_to_glyph


def font_covers(text: str, font_name: str) -> bool:
    """Whether every character of ``text`` has a glyph in the registered TTF ``font_name``.

    Examples
    --------
    >>> family = register_fonts()
    >>> font_covers("Kenya", family.regular)
    True
    >>> font_covers("\\u4e2d\\u6587", family.regular)
    False
    """
    char_to_glyph = _character_map(font_name)
    return all(ord(character) in char_to_glyph for character in text)


def covering_face(text: str, preferred: str, fallback: str) -> str:
    """``preferred`` if it has every glyph of ``text``, else ``fallback``.

    DejaVu Sans Oblique has no Arabic: an italic note in Arabic is drawn upright rather than
    as replacement characters.

    Examples
    --------
    >>> family = register_fonts()
    >>> covering_face("Kenya", family.italic, family.regular) == family.italic
    True
    """
    return preferred if font_covers(text, preferred) else fallback


def safe_text(text: object, font_name: str, *, replacement: str | None = None) -> str:
    """Return ``text`` with every character the font cannot draw made visible and harmless.

    - Text is normalised to NFC, so a letter typed as base + combining accent uses the
      precomposed glyph the font has.
    - Whitespace of any kind (tab, newline, no-break space...) becomes a plain space, since
      a chart label is one line.
    - Invisible format characters (zero-width joiners, variation selectors, direction marks)
      are kept when the font has them, since browsers use them for shaping and emoji, and
      dropped otherwise: they carry no visible content of their own.
    - Any other character without a glyph, including control characters, lone surrogates
      and characters that XML forbids, becomes ``replacement``: U+FFFD if the font has it,
      otherwise ``?``.

    The result contains only characters present in the font's character map, so it can be
    drawn by reportlab and written into SVG or PDF without error. It is *not* escaped for
    markup: graphics strings are drawn literally, SVG text is escaped by the serialiser, and a
    Platypus ``Paragraph`` needs ``xml.sax.saxutils.escape`` on top.

    Parameters
    ----------
    text : object
        Text to draw; ``None`` becomes the empty string, other objects go through ``str``.
    font_name : str
        A TTF face registered with reportlab, e.g. ``register_fonts().regular``.
    replacement : str, optional
        Character to show for missing glyphs. Must itself be in the font.

    Examples
    --------
    >>> family = register_fonts()
    >>> safe_text("Tab\\there", family.regular)
    'Tab here'
    >>> safe_text("ok \\u4e2d", family.regular, replacement="?")
    'ok ?'
    """
    if text is None:
        return ""
    char_to_glyph = _character_map(font_name)
    if replacement is None:
        replacement = "\ufffd" if 0xFFFD in char_to_glyph else "?"
    elif not all(ord(character) in char_to_glyph for character in replacement):
        raise ValueError(f"safe_text: replacement {replacement!r} is not in font {font_name!r}")
    normalised = unicodedata.normalize("NFC", str(text).encode("utf-8", "replace").decode())
    pieces: list[str] = []
    for character in normalised:
        category = unicodedata.category(character)
        is_invisible_format = category == "Cf" or 0xFE00 <= ord(character) <= 0xFE0F
        if character == " " or (
            ord(character) in char_to_glyph and (character.isprintable() or is_invisible_format)
        ):
            pieces.append(character)
        elif character.isspace():
            pieces.append(" ")
        elif is_invisible_format:
            continue
        else:
            pieces.append(replacement)
    return "".join(pieces)


# Languages written right to left (Django's LANGUAGES_BIDI, without importing Django here).
RIGHT_TO_LEFT_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


def is_right_to_left(language: str) -> bool:
    """Whether ``language`` (``"ar"``, ``"ar-eg"``...) is written right to left.

    Examples
    --------
    >>> is_right_to_left("ar"), is_right_to_left("ar-EG"), is_right_to_left("fr")
    (True, True, False)
    """
    return language.lower().replace("_", "-").split("-")[0] in RIGHT_TO_LEFT_LANGUAGES


def shape(text: str) -> str:
    """Arabic letters replaced by their contextual (initial, medial, final, isolated) forms.

    reportlab draws one glyph per character and knows nothing of Arabic joining, so the
    Arabic Presentation Forms-B characters (U+FE70–U+FEFF, which DejaVu Sans has) are chosen
    here with arabic-reshaper; ligatures such as lam-alef become their single character. The
    text stays in logical order, so it can still be wrapped into lines; other scripts, and
    markup (ASCII), are unchanged. Text extracted from the PDF gives the original letters back
    after NFKC normalisation.

    Examples
    --------
    >>> shape("Kenya")
    'Kenya'
    >>> [hex(ord(c)) for c in shape("في")]
    ['0xfed3', '0xfef2']
    """
    return arabic_reshaper.reshape(text)


def display_line(text: str, *, right_to_left: bool) -> str:
    """One line of text shaped and put in display (visual) order for drawing left to right.

    The Unicode bidirectional algorithm (UAX #9, python-bidi) reverses the Arabic runs and
    keeps numbers, codes and URLs left to right, with ``right_to_left`` as the paragraph
    direction, and mirrors brackets in right-to-left runs (rule L4). python-bidi's pure-Python
    implementation is used: its default Rust one leaves brackets unmirrored. Apply it to a
    line after wrapping, never to a whole paragraph: wrapping visual text would put the
    paragraph's last words on its first line.

    Examples
    --------
    >>> display_line("ISO 3166", right_to_left=True)
    'ISO 3166'
    >>> display_line("رمز ISO", right_to_left=True) == "ISO " + shape("رمز")[::-1]
    True
    >>> display_line("(ب)", right_to_left=True) == "(" + shape("ب") + ")"
    True
    """
    return get_display(shape(text), base_dir="R" if right_to_left else "L")
