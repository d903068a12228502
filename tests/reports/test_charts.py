"""Charts drawn once for the PDF and the web (charts/)."""

from __future__ import annotations

import doctest
import io
import math
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Sequence

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Rect, String
from reportlab.lib.colors import white
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate

import charts
from charts import (
    HEAT_MAP_PALETTE,
    SERIES_COLOURS,
    Chart,
    ChartText,
    contrast_ratio,
    drawing_to_pdf,
    drawing_to_svg,
    fonts,
    gap_bar_chart,
    heat_map,
    radar_chart,
    score_interval_chart,
    trend_chart,
)
from charts import base as chart_base

SVG = "{http://www.w3.org/2000/svg}"
NAN = math.nan
HOSTILE_LABELS = ("<script>alert(1)</script>", "</svg>", "R&D", "<font color=red>", "<para>")
UNICODE_LABELS = (
    "Côte d'Ivoire",
    "Кыргызстан",
    "مصر",
    "中华人民共和国",
    "Ελλάδα",
    "Tuvalu 🏝️ 👍🏽",
    "e\u0301\u200d\u202e",
)
# Elements renderSVG produces; anything else (script, foreignObject...) would be injection.
ALLOWED_ELEMENTS = {
    "svg",
    "title",
    "desc",
    "clipPath",
    "g",
    "rect",
    "text",
    "path",
    "line",
    "polyline",
    "polygon",
    "circle",
    "ellipse",
}

ChartBuilder = Callable[[Sequence[str]], Chart]


def build_radar(labels: Sequence[str]) -> Chart:
    count = max(3, len(labels))
    labels = [*labels, *[f"Pillar {index}" for index in range(count - len(labels))]]
    scores = [10.0 + 10 * index for index in range(count)]
    scores[1] = NAN
    return radar_chart(
        labels,
        scores,
        [80.0] * count,
        interval_low=[score - 5 if not math.isnan(score) else NAN for score in scores],
        interval_high=[score + 5 if not math.isnan(score) else NAN for score in scores],
    )


def build_gap(labels: Sequence[str]) -> Chart:
    gaps = [12.5 + index for index in range(len(labels))]
    gaps[-1] = NAN
    return gap_bar_chart(labels, gaps)


def build_interval(labels: Sequence[str]) -> Chart:
    medians = [40.0 + index for index in range(len(labels))]
    medians[-1] = NAN
    return score_interval_chart(
        labels, medians, [value - 7 for value in medians], [value + 9 for value in medians]
    )


def build_heat_map(labels: Sequence[str]) -> Chart:
    columns = ["People", *labels[:2]]
    matrix = [
        [(17.0 * row + 31 * column) % 101 for column in range(3)] for row in range(len(labels))
    ]
    matrix[0][1] = NAN
    return heat_map(labels, columns, matrix)


def build_trend(labels: Sequence[str]) -> Chart:
    series = {label: [20.0 + index, NAN, 40.0 + index] for index, label in enumerate(labels)}
    return trend_chart(["2022", "2024", "2026"], series)


BUILDERS: dict[str, ChartBuilder] = {
    "radar": build_radar,
    "gap": build_gap,
    "interval": build_interval,
    "heat_map": build_heat_map,
    "trend": build_trend,
}
PLAIN_LABELS = ("Infrastructure", "People", "Policy")


def parse(svg: str) -> ElementTree.Element:
    # The SVG is our own output and carries no DTD, so the stdlib parser is safe here.
    return ElementTree.fromstring(svg)  # noqa: S314


def parse_svg(chart: Chart, **kwargs) -> tuple[str, ElementTree.Element]:
    svg = chart.svg(**kwargs)
    return svg, parse(svg)


def drawn_texts(root: ElementTree.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def pdf_text(chart: Chart) -> str:
    return pypdf.PdfReader(io.BytesIO(drawing_to_pdf(chart.drawing))).pages[0].extract_text()


@pytest.mark.parametrize("name", BUILDERS)
def test_each_chart_renders_to_pdf_and_parseable_svg(name):
    chart = BUILDERS[name](PLAIN_LABELS)
    assert renderPDF.drawToString(chart.drawing).startswith(b"%PDF-")
    svg, root = parse_svg(chart)
    assert root.tag == f"{SVG}svg"
    assert svg.startswith("<svg") and svg.endswith("</svg>")


@pytest.mark.parametrize("name", BUILDERS)
def test_svg_is_labelled_by_its_title_and_description(name):
    chart = BUILDERS[name](PLAIN_LABELS)
    _, root = parse_svg(chart)
    title, description = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby").split() == [title.get("id"), description.get("id")]
    assert title.text == chart.title
    assert description.text == chart.description
    assert chart.title and chart.description


@pytest.mark.parametrize("name", BUILDERS)
def test_values_are_printed_on_the_chart_and_listed_in_the_table(name):
    chart = BUILDERS[name](PLAIN_LABELS)
    _, root = parse_svg(chart)
    shown = " ".join(drawn_texts(root))
    values = [cell for row in chart.table.rows for cell in row[1:] if cell[0].isdigit()]
    assert values
    for value in values:
        for number in re.findall(r"\d+(?:\.\d+)?", value):
            assert number in shown


@pytest.mark.parametrize("name", BUILDERS)
def test_missing_values_are_shown_as_insufficient_data(name):
    chart = BUILDERS[name](PLAIN_LABELS)
    _, root = parse_svg(chart)
    assert any("insufficient data" in text for text in drawn_texts(root))
    assert any("insufficient data" in cell for row in chart.table.rows for cell in row)
    assert "insufficient data" in pdf_text(chart)


@pytest.mark.parametrize("name", BUILDERS)
def test_hostile_labels_stay_text_in_svg(name):
    chart = BUILDERS[name](HOSTILE_LABELS)
    svg, root = parse_svg(chart)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= ALLOWED_ELEMENTS
    assert svg.count("</svg>") == 1
    assert "&lt;script&gt;" in svg
    assert set(HOSTILE_LABELS) <= {row[0] for row in chart.table.rows}


@pytest.mark.parametrize("name", ["gap", "interval", "heat_map"])
def test_hostile_labels_are_drawn_literally(name):
    chart = BUILDERS[name](HOSTILE_LABELS)
    _, root = parse_svg(chart)
    shown = drawn_texts(root)
    for label in HOSTILE_LABELS:
        assert label in shown
    assert "<font color=red>" in pdf_text(chart)


def test_hostile_title_and_description_are_escaped():
    chart = build_gap(PLAIN_LABELS)
    title = "<script>alert(1)</script> & </svg>"
    description = '<desc>"quoted" & <b>bold</b>'
    svg = drawing_to_svg(chart.drawing, title=title, description=description)
    root = parse(svg)
    assert root.find(f"{SVG}title").text == title
    assert root.find(f"{SVG}desc").text == description
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;/svg&gt;" in svg


def test_control_characters_in_the_title_still_give_well_formed_svg():
    chart = build_gap(PLAIN_LABELS)
    svg = drawing_to_svg(chart.drawing, title="a\x00b\x1bc", description="\ud800")
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "a\ufffdb\ufffdc"


@pytest.mark.parametrize("name", BUILDERS)
def test_labels_in_many_scripts_do_not_crash(name):
    chart = BUILDERS[name](UNICODE_LABELS)
    assert drawing_to_pdf(chart.drawing).startswith(b"%PDF-")
    _, root = parse_svg(chart)
    assert root.find(f"{SVG}title") is not None


def test_cyrillic_and_accented_labels_can_be_read_back_from_the_pdf():
    chart = build_gap(["Кыргызстан", "Côte d'Ivoire", "Other"])
    if fonts.register_fonts().latin_only:
        pytest.skip("only the Latin fallback font is available")
    text = pdf_text(chart)
    assert "Кыргызстан" in text
    assert "Côte d'Ivoire" in text


def test_characters_missing_from_the_font_become_visible_replacements():
    chart = build_gap(["中国", "Other", "Third"])
    _, root = parse_svg(chart)
    assert any(text in {"\ufffd\ufffd", "??"} for text in drawn_texts(root))
    assert "中国" in {row[0] for row in chart.table.rows}


@pytest.mark.parametrize("name", BUILDERS)
def test_charts_still_render_with_the_latin_only_fallback_font(name, monkeypatch, tmp_path):
    from charts import fonts

    monkeypatch.setenv(fonts.FONT_DIR_ENVIRONMENT_VARIABLE, str(tmp_path))
    monkeypatch.setattr(fonts, "DEBIAN_DEJAVU_DIR", tmp_path / "none")
    monkeypatch.setattr(fonts, "_matplotlib_font_dir", lambda: None)
    chart = BUILDERS[name](UNICODE_LABELS)
    assert drawing_to_pdf(chart.drawing).startswith(b"%PDF-")
    svg, root = parse_svg(chart)
    assert "Kyrgyz" not in svg
    assert any("??????????" in text for text in drawn_texts(root))
    assert {string.fontName for string in _strings(chart.drawing)} <= set(
        fonts.register_fonts().faces
    )


def _strings(group) -> list[String]:
    found = []
    for shape in getattr(group, "contents", []):
        found.extend([shape] if isinstance(shape, String) else _strings(shape))
    return found


@pytest.mark.parametrize("name", BUILDERS)
def test_same_data_gives_byte_identical_pdf_and_svg(name):
    first, second = BUILDERS[name](UNICODE_LABELS), BUILDERS[name](UNICODE_LABELS)
    assert drawing_to_pdf(first.drawing) == drawing_to_pdf(second.drawing)
    assert first.svg() == second.svg()


def test_different_charts_get_different_svg_ids():
    _, first = parse_svg(build_gap(PLAIN_LABELS))
    _, second = parse_svg(build_interval(PLAIN_LABELS))
    assert first.get("id") != second.get("id")


def test_clip_path_references_point_inside_the_same_svg():
    svg, root = parse_svg(build_gap(PLAIN_LABELS), element_id="gaps")
    clip_ids = {element.get("id") for element in root.iter(f"{SVG}clipPath")}
    references = set(re.findall(r"url\(#([^)]+)\)", svg))
    assert references
    assert references <= clip_ids
    assert all(identifier.startswith("gaps-") for identifier in clip_ids)
    assert root.get("id") == "gaps"


def test_invalid_element_id_is_refused():
    with pytest.raises(ValueError, match="element_id"):
        build_gap(PLAIN_LABELS).svg(element_id='x" onload="alert(1)')


def test_gap_bars_are_sorted_largest_first_with_missing_last_and_ties_in_input_order():
    chart = gap_bar_chart(["a", "b", "c", "d", "e"], [5, NAN, 30, 5, -2])
    assert [row[0] for row in chart.table.rows] == ["c", "a", "d", "e", "b"]
    assert [row[1] for row in chart.table.rows] == [
        "30.0",
        "5.0",
        "5.0",
        "-2.0",
        "insufficient data",
    ]


def test_gap_bars_keep_input_order_when_asked():
    chart = gap_bar_chart(["a", "b"], [1, 2], sort=False)
    assert [row[0] for row in chart.table.rows] == ["a", "b"]


def test_rank_intervals_use_whole_numbers_on_a_rank_axis():
    chart = score_interval_chart(
        ["Chad", "Fiji"], [1, 2], [1, 1], [2, 3], axis_min=1, axis_max=3, digits=0
    )
    assert chart.table.rows == (("Chad", "1", "1", "2"), ("Fiji", "2", "1", "3"))
    _, root = parse_svg(chart)
    assert "2 (1–3)" in drawn_texts(root)


def test_french_text_uses_decimal_commas_and_translated_words():
    text = ChartText(decimal_separator=",", insufficient_data="données insuffisantes")
    chart = gap_bar_chart(["Politique", "Personnes"], [12.5, NAN], text=text)
    _, root = parse_svg(chart)
    shown = drawn_texts(root)
    assert "12,5" in shown
    assert "données insuffisantes" in shown
    assert chart.table.rows == (("Politique", "12,5"), ("Personnes", "données insuffisantes"))


def test_long_labels_are_shortened_on_the_chart_but_kept_whole_in_the_table():
    long_label = "Digital public infrastructure " * 20
    chart = gap_bar_chart([long_label, "Short"], [10, 20])
    _, root = parse_svg(chart)
    shortened = [text for text in drawn_texts(root) if text.startswith("Digital")]
    assert len(shortened) == 1 and shortened[0].endswith("…")
    assert len(shortened[0]) < 60
    assert chart.table.rows[1][0] == long_label


def test_heat_map_cell_text_meets_wcag_contrast_on_its_cell():
    values = [[value, value + 1, NAN] for value in range(0, 100, 10)]
    chart = heat_map([str(value) for value in range(10)], ["a", "b", "c"], values)
    contents = chart.drawing.contents
    checked = 0
    for shape, following in zip(contents, contents[1:], strict=False):
        if isinstance(shape, Rect) and isinstance(following, String):
            assert contrast_ratio(following.fillColor, shape.fillColor) >= 4.5
            checked += 1
    assert checked == 30


def test_palette_classes_each_allow_text_with_wcag_contrast():
    near_black = chart_base.TEXT_COLOUR
    for colour in HEAT_MAP_PALETTE:
        assert max(contrast_ratio(near_black, colour), contrast_ratio(white, colour)) >= 4.5


def test_series_colours_are_readable_as_text_on_white():
    for colour in SERIES_COLOURS:
        assert contrast_ratio(colour, white) >= 4.5


def test_contrast_ratio_matches_the_wcag_reference_value():
    # WCAG 2.1 understanding doc: #767676 on white is the lightest grey passing 4.5:1.
    from reportlab.lib.colors import HexColor

    assert contrast_ratio(HexColor("#767676"), white) == pytest.approx(4.54, abs=0.01)


def test_trend_series_differ_by_marker_and_dash_not_only_colour():
    chart = trend_chart(["2024", "2026"], {"a": [1, 2], "b": [3, 4]})
    _, root = parse_svg(chart)
    elements = list(root.iter())
    assert any(element.get("stroke-dasharray") == "4, 2" for element in elements)
    assert any(
        element.get("stroke-dasharray") is None and element.get("stroke-width") == "1.5"
        for element in elements
    )
    assert root.find(f".//{SVG}circle") is not None
    assert root.find(f".//{SVG}rect") is not None


def test_chart_drawing_is_a_flowable_in_a_platypus_document():
    chart = build_radar(["People", "Policy", "Infrastructure"])
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, invariant=1).build([chart.drawing])
    text = pypdf.PdfReader(buffer).pages[0].extract_text()
    assert "30.0 (target 80.0)" in text
    assert "insufficient data" in text


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: gap_bar_chart(["a", "b"], [1.0]), "gap_bar_chart: gaps has 1 values for 2"),
        (lambda: gap_bar_chart("ab", [1.0, 2.0]), "not one string"),
        (lambda: gap_bar_chart([], []), "labels is empty"),
        (lambda: gap_bar_chart(["a"], [math.inf]), "infinite"),
        (lambda: gap_bar_chart(["a"], ["high"]), "not a number"),
        (lambda: gap_bar_chart(["a"], [150.0]), "outside"),
        (lambda: radar_chart(["a", "b"], [1, 2], [3, 4]), "at least 3 pillars"),
        (
            lambda: radar_chart(["a", "b", "c"], [1, 2, 3], [4, 5, 6], interval_low=[1, 2, 3]),
            "both",
        ),
        (
            lambda: radar_chart(
                ["a", "b", "c"],
                [1, 2, 3],
                [4, 5, 6],
                interval_low=[5, 2, 3],
                interval_high=[4, 5, 6],
            ),
            "interval_low\\[0\\]",
        ),
        (lambda: score_interval_chart(["a"], [50], [70], [60]), "lows <= highs"),
        (lambda: score_interval_chart(["a"], [5], [1], [9], axis_min=10, axis_max=1), "axis_min"),
        (lambda: heat_map(["a", "b"], ["x"], [[1.0]]), "one row per row label"),
        (lambda: heat_map(["a"], ["x", "y"], [[1.0]]), "matrix\\[0\\] has 1 values for 2"),
        (lambda: trend_chart(["2024"], {}), "series is empty"),
        (lambda: trend_chart(["2024"], {"a": [1, 2]}), "series\\['a'\\] has 2 values"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_place(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_none_counts_as_insufficient_data():
    chart = gap_bar_chart(["a"], [None])
    assert chart.table.rows == (("a", "insufficient data"),)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(min_value=-100, max_value=100), st.just(NAN)),
        min_size=1,
        max_size=12,
    ),
    st.text(max_size=30),
)
def test_any_gaps_and_label_give_well_formed_svg_showing_every_value(gaps, label):
    labels = [f"{label}{index}" for index in range(len(gaps))]
    chart = gap_bar_chart(labels, gaps)
    _, root = parse_svg(chart)
    shown = drawn_texts(root)
    for _, value in chart.table.rows:
        assert value in shown
    assert drawing_to_pdf(chart.drawing).startswith(b"%PDF-")


def test_module_examples_run():
    result = doctest.testmod(charts, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
