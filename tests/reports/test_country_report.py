"""The country report PDF read back: its numbers and words match the database, in both languages."""

from __future__ import annotations

import hashlib
import io

from django.test import TestCase
from pypdf import PdfReader

from charts.texts import format_number
from reports.data import ReportError, country_report_data
from reports.pdf import country_report_pdf
from scoring.models import Score, ScoreLevel
from surveys.models import Country
from tests.factories import country
from tests.reports.support import EVIDENCE_LABEL, pdf_text, scored_world, squeeze


class CountryReportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = scored_world()
        cls.senegal = country("SEN")
        cls.report_en = country_report_data(country=cls.senegal, language="en")
        cls.pdf_en = country_report_pdf(cls.report_en)
        cls.text_en = squeeze(pdf_text(cls.pdf_en))
        cls.report_fr = country_report_data(country=cls.senegal, language="fr")
        cls.pdf_fr = country_report_pdf(cls.report_fr)
        cls.text_fr = squeeze(pdf_text(cls.pdf_fr))

    def _scores(self, level: str) -> list[Score]:
        return list(
            Score.objects.filter(run=self.world["senegal_run"], level=level).order_by("position")
        )

    def test_english_report_prints_the_overall_and_pillar_scores_stored_in_the_database(self):
        overall = self._scores(ScoreLevel.OVERALL)[0]
        assert f"Senegal scores {overall.score:.1f} out of 100" in self.text_en
        assert (
            f"likely between {overall.interval_low:.1f} and {overall.interval_high:.1f}".lower()
            in self.text_en.lower()
        )
        for pillar in self._scores(ScoreLevel.PILLAR):
            if pillar.score is None:
                continue
            summary = (
                f"Score {pillar.score:.1f} ({pillar.interval_low:.1f}–{pillar.interval_high:.1f})"
            )
            assert summary in self.text_en, summary

    def test_a_pillar_without_enough_answers_reads_insufficient_data_not_zero(self):
        skills = Score.objects.get(
            run=self.world["senegal_run"], level=ScoreLevel.PILLAR, code="SKL"
        )
        assert skills.score is None
        assert "Score insufficient data" in self.text_en
        assert "Score données insuffisantes" in self.text_fr

    def test_indicator_rows_show_score_target_and_gap_from_the_database(self):
        for row in self._scores(ScoreLevel.INDICATOR):
            if row.score is None:
                continue
            cells = f"{row.score:.1f} {row.target:.1f} {row.gap:.1f}"
            assert cells in self.text_en, (row.code, cells)

    def test_french_report_uses_french_words_and_decimal_commas(self):
        overall = self._scores(ScoreLevel.OVERALL)[0]
        score = format_number(overall.score, {"decimal_separator": ","})
        assert f"Sénégal obtient {score} sur 100" in self.text_fr
        for heading in ("Synthèse", "Table des matières", "Méthodologie", "Piliers"):
            assert heading in self.text_fr
        assert "Executive summary" not in self.text_fr
        assert "Page 2 sur" in self.text_fr

    def test_methodology_annex_names_the_run_seed_framework_version_and_digests(self):
        run = self.world["senegal_run"]
        assert f"Score run {run.pk}" in self.text_en
        assert f"Random seed {run.seed}" in self.text_en
        assert "Test framework 1.0" in self.text_en
        assert run.config_digest in self.text_en.replace(" ", "")

    def test_methodology_annex_says_which_method_choice_moves_the_score_most(self):
        lines = self.report_en.influence
        assert lines and lines == tuple(
            sorted(lines, key=lambda line: (line.total is None, -(line.total or 0)))
        )
        stored = self.world["senegal_run"].uncertainty["sensitivity"]
        top = lines[0]
        assert top.total == stored["outputs"][str(self.world["senegal"].pk)][top.input]["total"]
        assert "What moves the overall score" in self.text_en
        assert f"{stored['n_evaluations']} recomputations" in self.text_en
        share = f"{min(max(top.total, 0), 1) * 100:.0f} %"
        assert f"{top.label} " in self.text_en and share in self.text_en
        assert "Ce qui fait varier le score global" in self.text_fr
        # The uncertainty line of the annex names the varied choices in words too.
        assert "vary: Averaging of the pillars (arithmetic or geometric); " in self.text_en

    def test_rank_interval_comes_from_the_cohort_run(self):
        row = Score.objects.get(
            run=self.world["cohort"], assessment=self.world["senegal"], level=ScoreLevel.OVERALL
        )
        assert self.report_en.rank_median == row.rank_median
        assert f"Rank {row.rank_median:.0f} of 2 countries" in self.text_en

    def test_recommended_portfolio_lists_interventions_within_the_budget(self):
        chosen = [line for line in self.report_en.portfolio if line.selected]
        assert chosen, "the test catalogue has affordable interventions"
        assert sum(line.cost for line in chosen) == self.report_en.portfolio_cost
        assert self.report_en.portfolio_cost <= self.report_en.budget
        for line in chosen:
            assert line.title in self.text_en

    def test_hostile_user_text_is_printed_as_typed_without_injecting_markup(self):
        # Table cells wrap, so the justification is checked piece by piece.
        assert '<font name="Courier"' in self.text_en
        assert 'size="40">big</font> & <para> </b> <unclosed' in self.text_en
        assert "Привет мир" in self.text_en
        assert "Côte d'Ivoire" in self.text_en
        assert "Second line" in self.text_en
        # Chinese and emoji are not in DejaVu: a visible replacement, never a crash or a gap.
        assert "中文" not in self.text_en and "\ufffd" in self.text_en
        assert EVIDENCE_LABEL in self.text_en
        assert "https://example.org/plan?a=1&b=2" in self.text_en

    def test_document_metadata_carries_title_author_subject_and_language(self):
        reader = PdfReader(io.BytesIO(self.pdf_fr))
        assert reader.metadata.title == self.report_fr.title
        assert reader.metadata.title.startswith("Évaluation des besoins")
        assert reader.metadata.author == self.report_fr.author
        assert "Sénégal" in reader.metadata.subject
        assert reader.trailer["/Root"]["/Lang"] == "fr"
        assert PdfReader(io.BytesIO(self.pdf_en)).trailer["/Root"]["/Lang"] == "en"

    def test_table_of_contents_bookmarks_and_page_numbers_are_present(self):
        reader = PdfReader(io.BytesIO(self.pdf_en))
        titles = [item.title for item in reader.outline if not isinstance(item, list)]
        assert titles[:2] == ["Executive summary", "Pillar scores and gaps"]
        assert "Methodology" in titles
        pages = len(reader.pages)
        assert f"Page {pages} of {pages}" in self.text_en
        assert "Contents Executive summary" in self.text_en

    def test_the_same_data_gives_a_byte_identical_pdf(self):
        again = country_report_pdf(country_report_data(country=self.senegal, language="en"))
        assert hashlib.sha256(again).hexdigest() == hashlib.sha256(self.pdf_en).hexdigest()

    def test_a_country_without_scores_is_refused_with_a_clear_error(self):
        with self.assertRaisesMessage(ReportError, "has no scored assessment"):
            country_report_data(country=Country.objects.get(alpha3="FRA"), language="en")
        with self.assertRaisesMessage(ReportError, "in round 1999"):
            country_report_data(country=self.senegal, language="en", round=1999)

    def test_an_unknown_language_is_refused(self):
        with self.assertRaisesMessage(ReportError, "Unknown report language 'de'"):
            country_report_data(country=self.senegal, language="de")
