"""Charts on pages mirrored in Arabic (issue 21, item 2), in real Chromium.

On a right-to-left page the charts are mirrored (charts.svg.mirrored_drawing): a gap
bar's category label sits right of its bar and the bar grows leftwards, its value label left of
the bar's end; the radar's legend is on the right. Numbers stay left to right. Checked against
the same charts in English by the bounding boxes Chromium lays out, at 1280 and 390 px, with
axe-core.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    axe_violations,
    describe_violations,
    horizontal_overflow,
)
from tests.factories import make_focal_point
from tests.reports.support import scored_assessment

# Geometry of the gap chart's row for ``label``: the label's box, its bar's box and the value's
# box (the text of the same row drawn in bold), in page coordinates.
ROW_BOXES = """([chart, label]) => {
  const svg = document.getElementById(chart);
  const box = (element) => {
    const r = element.getBoundingClientRect();
    const mid = (r.top + r.bottom) / 2;
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, mid};
  };
  const texts = [...svg.querySelectorAll('text')];
  const name = texts.find((t) => t.textContent.trim() === label);
  const row = box(name);
  const sameRow = (b) => Math.abs(b.mid - row.mid) < 4;
  const bar = [...svg.querySelectorAll('g rect')].map(box)
    .find((b) => sameRow(b) && b.right - b.left > 2);
  const value = texts.filter((t) => t !== name && t.getAttribute('font-weight') === 'bold')
    .map(box).find(sameRow);
  return {label: row, bar, value, svg: box(svg)};
}"""


def _gap_row(page: Any, label: str) -> dict[str, Any]:
    return page.evaluate(ROW_BOXES, ["gap-chart", label])


def test_gap_bars_and_radar_are_mirrored_in_arabic_and_fit_every_width(
    transactional_db: Any, sign_in: Any
) -> None:
    assessment, _run = scored_assessment("SEN")
    reader = make_focal_point("SEN", "chart_reader")
    address = reverse("scoring:assessment-scores", args=[assessment.pk])

    english = sign_in(reader, language="en")
    english.goto(address)
    # The small test framework has English and French texts only: the Arabic page shows the
    # same (English) category names, so the two pages' rows can be matched by their label.
    left_to_right = _gap_row(english, "Strategy")
    english.close()

    arabic = sign_in(reader, language="ar")
    arabic.goto(address)
    assert arabic.locator("html").get_attribute("dir") == "rtl"
    right_to_left = _gap_row(arabic, "Strategy")

    # English: label | bar → value.  Arabic: value ← bar | label.
    assert left_to_right["label"]["right"] <= left_to_right["bar"]["left"] + 1
    assert left_to_right["value"]["left"] >= left_to_right["bar"]["right"] - 1
    assert right_to_left["label"]["left"] >= right_to_left["bar"]["right"] - 1
    assert right_to_left["value"]["right"] <= right_to_left["bar"]["left"] + 1
    # Same bar length, mirrored about the chart's centre.
    width = lambda box: box["right"] - box["left"]  # noqa: E731
    assert abs(width(right_to_left["bar"]) - width(left_to_right["bar"])) < 1
    centre = lambda row: (row["svg"]["left"] + row["svg"]["right"]) / 2  # noqa: E731
    assert (
        abs(
            (centre(right_to_left) - right_to_left["bar"]["right"])
            - (left_to_right["bar"]["left"] - centre(left_to_right))
        )
        < 2
    )
    # Numbers keep their digits in order: the value reads "30.0", not "0.03".
    values = arabic.evaluate(
        "[...document.querySelectorAll('#gap-chart text[font-weight=bold]')]"
        ".map((t) => t.textContent)"
    )
    assert "30.0" in values

    # Radar: its legend ("Score", "Target") sits in the chart's right half when mirrored.
    legend = arabic.evaluate(
        """() => {
          const svg = document.getElementById('radar-chart').getBoundingClientRect();
          const texts = [...document.querySelectorAll('#radar-chart text')];
          const last = texts[texts.length - 1].getBoundingClientRect();
          return {svgMid: (svg.left + svg.right) / 2, legend: last.left};
        }"""
    )
    assert legend["legend"] > legend["svgMid"]

    # Number cells keep ranges in left-to-right order ("0.0–40.7", not "–0.0 40.7").
    directions = arabic.evaluate(
        "[...document.querySelectorAll('td.num')].map((td) => getComputedStyle(td).direction)"
    )
    assert directions and set(directions) == {"ltr"}

    for size in (DESKTOP, PHONE):
        arabic.set_viewport_size(size)
        arabic.goto(address)
        assert horizontal_overflow(arabic) == 0, size
    violations = axe_violations(arabic)
    assert violations == [], describe_violations(violations)


def test_the_country_dashboard_charts_are_mirrored_too(transactional_db: Any, sign_in: Any) -> None:
    scored_assessment("SEN")
    reader = make_focal_point("SEN", "dashboard_reader")
    address = reverse("reports:country-dashboard", args=["SEN"])
    arabic = sign_in(reader, language="ar")
    for size in (DESKTOP, PHONE):
        arabic.set_viewport_size(size)
        arabic.goto(address)
        assert horizontal_overflow(arabic) == 0, size
    row = _gap_row(arabic, "Government") if arabic.locator("#gap-chart").count() else None
    if row is not None and row["bar"] is not None:
        assert row["label"]["left"] >= row["bar"]["right"] - 1
    mirrored = arabic.evaluate(
        "[...document.querySelectorAll('main svg[role=img]')]"
        ".map((svg) => svg.getAttribute('unicode-bidi'))"
    )
    assert mirrored and all(value == "plaintext" for value in mirrored)
    violations = axe_violations(arabic)
    assert violations == [], describe_violations(violations)
