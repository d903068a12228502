"""The regional report read back: heat-map values, ranks and demand match the database."""

from __future__ import annotations

import io

from django.test import TestCase
from pypdf import PdfReader

from reports.data import regional_report_data
from reports.figures import regional_charts
from reports.pdf import regional_report_pdf
from scoring.influence import RANK_SHIFT
from scoring.models import Score, ScoreLevel
from surveys.models import Country
from tests.reports.support import pdf_text, scored_world, squeeze


class RegionalReportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        cls.report = regional_report_data(
            countries=Country.objects.all(), language="en", round=2026
        )
        cls.pdf = regional_report_pdf(cls.report)
        cls.text = squeeze(pdf_text(cls.pdf))

    def test_rows_hold_each_countrys_pillar_scores_from_its_latest_run(self):
        assert [row.alpha3 for row in self.report.rows] == sorted(
            ["SEN", "KEN"],
            key=lambda code: -next(r.overall.score for r in self.report.rows if r.alpha3 == code),
        )
        for row in self.report.rows:
            run = self.world["senegal_run"] if row.alpha3 == "SEN" else self.world["kenya_run"]
            stored = {
                score.code: score.score
                for score in Score.objects.filter(run=run, level=ScoreLevel.PILLAR)
            }
            assert row.pillar_scores == (stored["GOV"], stored["NET"], stored["SKL"])

    def test_heat_map_cells_and_text_alternative_print_the_rounded_scores(self):
        chart = regional_charts(self.report).heat_maps[0]
        for row, table_row in zip(self.report.rows, chart.table.rows, strict=True):
            assert table_row[0] == row.name
            expected = ["insufficient data" if v is None else f"{v:.0f}" for v in row.pillar_scores]
            assert list(table_row[1:]) == expected

    def test_ranking_prints_scores_and_rank_intervals_of_the_cohort_run(self):
        for row in self.report.rows:
            stored = Score.objects.get(
                run=self.world["cohort"],
                assessment__country__alpha3=row.alpha3,
                level=ScoreLevel.OVERALL,
            )
            assert (row.rank_low, row.rank_median, row.rank_high) == (
                stored.rank_low,
                stored.rank_median,
                stored.rank_high,
            )
            assert f"{row.name}" in self.text
            assert f"{row.overall.score:.1f}" in self.text
        assert f"Ranks from score run {self.world['cohort'].pk}." in self.text

    def test_the_ranking_section_says_which_method_choice_moves_the_ranking(self):
        stored = self.world["cohort"].uncertainty["sensitivity"]["outputs"][RANK_SHIFT]
        lines = self.report.ranking_influence
        assert {line.input for line in lines} == set(stored)
        assert [line.total for line in lines] == sorted(
            (values["total"] for values in stored.values()), reverse=True
        )
        assert "What moves the ranking" in self.text
        assert lines[0].label in self.text

    def test_demand_is_aggregated_by_region_and_income_group(self):
        assert self.report.demand, "both countries have gaps the catalogue addresses"
        assert sum(line.countries for line in self.report.demand) == 2
        for line in self.report.demand:
            assert line.region == "Africa"
            assert line.cost >= 0
        assert "Demand for interventions by region and income group" in self.text

    def test_only_the_countries_given_appear(self):
        report = regional_report_data(
            countries=Country.objects.filter(alpha3="SEN"), language="fr", round=2026
        )
        assert [row.alpha3 for row in report.rows] == ["SEN"]
        text = squeeze(pdf_text(regional_report_pdf(report)))
        assert "Sénégal" in text and "Kenya" not in text

    def test_a_region_filter_without_countries_gives_an_empty_but_valid_report(self):
        report = regional_report_data(
            countries=Country.objects.all(), language="en", round=2026, region="Europe"
        )
        assert report.rows == ()
        text = squeeze(pdf_text(regional_report_pdf(report)))
        assert "No country in this scope has scores for this round." in text

    def test_regional_pdf_is_deterministic_and_declares_its_language(self):
        again = regional_report_pdf(
            regional_report_data(countries=Country.objects.all(), language="en", round=2026)
        )
        assert again == self.pdf
        assert PdfReader(io.BytesIO(self.pdf)).trailer["/Root"]["/Lang"] == "en"
