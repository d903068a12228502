"""The scoring service: answers → ScoreRun → Score rows, statistics, agreement, hook, verify."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scoring.influence import RANK_SHIFT
from scoring.models import (
    AgreementResult,
    AgreementScope,
    IndicatorStatistic,
    RunKind,
    RunStatus,
    RunTrigger,
    Score,
    ScoreLevel,
    ScoreRun,
)
from scoring.services import (
    ScoringError,
    latest_score_run,
    score_cohort_create,
    score_run_create,
    score_run_verify,
)
from surveys.frameworks.spec import DontKnowRule
from surveys.models import Answer, AssessmentState, AuditEvent
from surveys.models.survey import StakeholderAnswer, StakeholderInvitation
from surveys.services.workflow import assessment_transition
from tests.factories import country, make_assessment, make_focal_point, make_reviewer
from tests.scoring.helpers import (
    FULL_ANSWERS,
    NET,
    OVERALL,
    add_answers,
    large_framework,
    small_spec,
    store_spec,
)


def scores_of(run: ScoreRun) -> dict[tuple[str, str], Score]:
    return {(row.level, row.code): row for row in run.scores.all()}


class ScoreRunCreateTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)

    def test_answers_become_a_run_with_scores_at_every_level(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=3)
        rows = scores_of(run)
        assert rows[("overall", "overall")].score == pytest.approx(OVERALL)
        assert rows[("pillar", "GOV")].score == pytest.approx(35.0)
        assert rows[("pillar", "NET")].score == pytest.approx(NET)
        assert rows[("indicator", "GOV.1")].score == pytest.approx(70.0)
        assert rows[("item", "NET.2.b")].score == pytest.approx(75.0)
        assert rows[("overall", "overall")].stage == "systematic"  # 46.7 in [40, 60)
        assert rows[("pillar", "GOV")].gap == pytest.approx(65.0)
        assert run.kind == RunKind.SINGLE and run.status == RunStatus.COMPLETE
        assert run.framework_version == "1.0" and run.seed == 3
        assert len(run.config_digest) == 64 and len(run.inputs_digest) == 64

    def test_an_insufficient_pillar_has_no_number(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=1)
        skills = scores_of(run)[("pillar", "SKL")]
        assert skills.insufficient and skills.score is None and skills.gap is None
        assert skills.stage == "" and skills.interval_low is None
        assert skills.coverage == pytest.approx(0.5)
        assert scores_of(run)[("overall", "overall")].explanation["partial"] is True

    def test_not_applicable_is_left_out_rather_than_counted_as_zero(self) -> None:
        Answer.objects.filter(assessment=self.assessment, question_code="GOV.1.c").update(
            status="not_applicable", value=None
        )
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=1)
        # GOV.1 = mean(60, 100) = 80; scored as zero it would be mean(60, 100, 0) = 53.3.
        assert scores_of(run)[("indicator", "GOV.1")].score == pytest.approx(80.0)
        counts = scores_of(run)[("overall", "overall")].explanation["counts"]
        assert counts["not_applicable"] == 1

    def test_dont_know_follows_the_framework_rule(self) -> None:
        spec = dataclasses.replace(small_spec(dont_know=DontKnowRule.LOWEST), code="dk_lowest")
        framework = store_spec(spec)
        other = make_assessment("KEN", framework=framework)
        add_answers(other, FULL_ANSWERS)
        run = score_run_create(assessment=other, trigger=RunTrigger.ON_DEMAND, uncertainty=False)
        rows = scores_of(run)
        assert rows[("item", "SKL.1.b")].score == 0.0
        assert rows[("pillar", "SKL")].score == pytest.approx(50.0)

    def test_explanations_name_the_answers_and_weights(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=1)
        rows = scores_of(run)
        indicator = rows[("indicator", "GOV.1")].explanation
        assert [child["code"] for child in indicator["children"]] == [
            "GOV.1.a",
            "GOV.1.b",
            "GOV.1.c",
        ]
        assert indicator["aggregation"] == "arithmetic"
        item = rows[("item", "GOV.1.a")].explanation
        assert item["value"] == 3 and item["status"] == "answered" and item["weight"] == 1.0
        dont_know = rows[("item", "SKL.1.b")].explanation
        assert dont_know["status"] == "dont_know" and not dont_know["included"]
        shares = [rows[("pillar", code)].effective_weight for code in ("GOV", "NET", "SKL")]
        assert shares == pytest.approx([0.5, 0.5, 0.0])

    def test_uncertainty_gives_intervals_around_the_scores(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=5)
        overall = scores_of(run)[("overall", "overall")]
        assert overall.interval_low <= overall.interval_median <= overall.interval_high
        assert overall.rank_median is None  # a rank among one assessment says nothing
        assert set(run.uncertainty["inputs"]) >= {"weights:pillar", "aggregation:overall"}

    def test_the_run_stores_which_method_choice_moves_the_overall_score(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=5)
        sensitivity = run.uncertainty["sensitivity"]
        assert sensitivity["inputs"] == list(run.uncertainty["inputs"])
        indices = sensitivity["outputs"][str(self.assessment.pk)]
        assert set(indices) == set(run.uncertainty["inputs"])
        for name, values in indices.items():
            # Estimates of shares of variance, with their intervals over replicates.
            assert -0.2 <= values["first"] <= values["total"] + 0.2, name
            assert values["total_low"] <= values["total_high"], name
            assert -0.2 <= values["total"] <= 1.2, name
        # GOV.2 scores 0 ("no"): a geometric mean of GOV is 0, so how pillars average their
        # parts moves the overall score most, and how the overall score averages the pillars
        # next; the weight noise (Dirichlet, concentration 50) hardly matters.
        movers = sorted(indices, key=lambda name: -indices[name]["total"])
        assert movers[:2] == ["aggregation:pillar", "aggregation:overall"]
        assert indices["aggregation:pillar"]["total"] > 0.5
        assert all(indices[name]["total"] < 0.1 for name in indices if name.startswith("weights"))
        # Every figure rests on replicates × base points × (choices + 2) model runs.
        assert sensitivity["n_replicates"] == 8
        assert sensitivity["n_evaluations"] == 8 * sensitivity["n_base_samples"] * (
            len(indices) + 2
        )

    def test_the_same_seed_gives_the_same_intervals(self) -> None:
        first = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=9)
        second = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=9)
        pairs = zip(
            first.scores.order_by("position"), second.scores.order_by("position"), strict=True
        )
        for a, b in pairs:
            assert (a.interval_low, a.interval_high) == (b.interval_low, b.interval_high)

    def test_an_answer_that_does_not_fit_is_a_scoring_error(self) -> None:
        Answer.objects.filter(assessment=self.assessment, question_code="GOV.1.b").update(
            value="perhaps"
        )
        with pytest.raises(ScoringError, match="GOV.1.b"):
            score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND)
        assert not ScoreRun.objects.exists()

    def test_a_run_is_audited(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=1)
        event = AuditEvent.objects.get(object_type="score_run")
        assert event.object_ref == str(run.pk) and event.action == "score"

    def test_latest_score_run_is_the_newest_complete_one(self) -> None:
        old = score_run_create(assessment=self.assessment, trigger=RunTrigger.SUBMIT, seed=1)
        new = score_run_create(assessment=self.assessment, trigger=RunTrigger.APPROVE, seed=1)
        assert latest_score_run(self.assessment) == new != old


class StatisticsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        answers = {k: v for k, v in FULL_ANSWERS.items() if k not in ("NET.1.a", "NET.1.b")}
        add_answers(cls.assessment, answers)
        for year, value in ((2024, 20.0), (2025, 40.0), (2027, 90.0)):
            IndicatorStatistic.objects.create(
                country=country("SEN"), code="NET.1.a", year=year, value=value, source="ITU"
            )

    def test_the_latest_statistic_up_to_the_round_fills_an_unanswered_number(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=1)
        item = scores_of(run)[("item", "NET.1.a")]
        assert item.score == 40.0  # 2025, not 2027 (after the 2026 round)
        assert item.explanation["source"] == "statistic"
        assert item.explanation["statistic"]["year"] == 2025

    def test_an_answer_takes_precedence_over_a_statistic(self) -> None:
        add_answers(self.assessment, {"NET.1.a": 70})
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=1)
        assert scores_of(run)[("item", "NET.1.a")].score == 70.0

    def test_dont_know_takes_precedence_over_a_statistic(self) -> None:
        add_answers(self.assessment, {"NET.1.a": "dont_know"})
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=1)
        assert scores_of(run)[("item", "NET.1.a")].score is None

    def test_an_indicator_code_matches_its_only_numeric_question(self) -> None:
        IndicatorStatistic.objects.create(
            country=country("SEN"), code="NET.1", year=2026, value=5.0, source="WB"
        )
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=1)
        # NET.1 has two scored questions, so its code names neither.
        assert scores_of(run)[("item", "NET.1.b")].score is None


class ReproducibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)

    def test_rerunning_a_stored_run_gives_identical_numbers(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=11)
        result = score_run_verify(ScoreRun.objects.get(pk=run.pk))
        assert result.identical, result.differences

    def test_a_changed_number_is_reported(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=11)
        Score.objects.filter(run=run, level=ScoreLevel.PILLAR, code="GOV").update(score=36.0)
        result = score_run_verify(run)
        assert not result.identical
        assert any("GOV score" in difference for difference in result.differences)

    def test_changed_sensitivity_indices_are_reported(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=11)
        outputs = run.uncertainty["sensitivity"]["outputs"][str(self.assessment.pk)]
        outputs["weights:pillar"]["total"] = 0.99
        run.save(update_fields=["uncertainty"])
        result = score_run_verify(ScoreRun.objects.get(pk=run.pk))
        assert "the sensitivity indices differ from the stored ones" in result.differences

    def test_tampered_inputs_break_the_digest(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=11)
        run.inputs["values"][0][0] = 5.0
        run.save(update_fields=["inputs"])
        result = score_run_verify(run)
        assert "the stored inputs do not match their digest" in result.differences

    def test_changing_answers_later_does_not_change_a_stored_run(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=2)
        Answer.objects.filter(assessment=self.assessment).delete()
        assert score_run_verify(run).identical


class WorkflowHookTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.focal_point = make_focal_point("SEN")
        cls.reviewer = make_reviewer("SEN")

    def setUp(self) -> None:
        self.assessment = make_assessment("SEN")
        add_answers(self.assessment, FULL_ANSWERS)

    def transition(self, action: str, actor) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            assessment_transition(assessment=self.assessment, action=action, actor=actor)

    def test_submitting_computes_scores(self) -> None:
        self.transition("submit", self.focal_point)
        run = ScoreRun.objects.get(assessment=self.assessment)
        assert run.trigger == RunTrigger.SUBMIT and run.status == RunStatus.COMPLETE
        assert run.scores.filter(level=ScoreLevel.OVERALL).get().score == pytest.approx(OVERALL)

    def test_approving_computes_scores_again(self) -> None:
        self.transition("submit", self.focal_point)
        self.transition("start_review", self.reviewer)
        assert ScoreRun.objects.count() == 1  # starting a review changes no answer
        self.transition("approve", self.reviewer)
        assert list(
            ScoreRun.objects.order_by("created_at", "pk").values_list("trigger", flat=True)
        ) == [RunTrigger.SUBMIT, RunTrigger.APPROVE]

    def test_a_scoring_failure_is_recorded_and_does_not_undo_the_transition(self) -> None:
        Answer.objects.filter(assessment=self.assessment, question_code="GOV.1.b").update(
            value="perhaps"
        )
        self.transition("submit", self.focal_point)
        self.assessment.refresh_from_db()
        assert self.assessment.state == AssessmentState.SUBMITTED
        run = ScoreRun.objects.get(assessment=self.assessment)
        assert run.status == RunStatus.FAILED and "GOV.1.b" in run.error


class QueryCountTests(TestCase):
    def test_scoring_takes_the_same_number_of_queries_for_a_large_framework(self) -> None:
        small = make_assessment("SEN")
        add_answers(small, FULL_ANSWERS)
        framework = large_framework(pillars=7, questions_per_pillar=40)
        large = make_assessment("KEN", framework=framework)
        add_answers(
            large,
            {
                question.code: 50
                for question in framework.spec.questions
                if question.type == "percentage"
            },
        )
        reads = []
        for assessment in (small, large):
            with CaptureQueriesContext(connection) as queries:
                score_run_create(assessment=assessment, trigger=RunTrigger.ON_DEMAND, seed=1)
            # Writes are batched by the database backend; reads must not grow with questions.
            # The audit chain's head is locked once per audit write (and made by the first write
            # to a fresh database), whatever the framework: not counted here.
            reads.append(
                sum(
                    q["sql"].startswith("SELECT") and "surveys_auditchainhead" not in q["sql"]
                    for q in queries.captured_queries
                )
            )
        assert reads[0] == reads[1] <= 5, reads


class AgreementTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessment = make_assessment("SEN")
        add_answers(cls.assessment, FULL_ANSWERS)
        # Five stakeholders rate GOV.1.a (levels 0..5, a 6-point scale) 4, 4, 5, 4, 3.
        for index, level in enumerate([4, 4, 5, 4, 3]):
            invitation = StakeholderInvitation.objects.create(
                assessment=cls.assessment,
                name=f"Stakeholder {index}",
                email=f"s{index}@example.org",
                organisation_type="ministry",
                pillars=["GOV"],
                token_hash=f"{index:064d}",
                expires_at=timezone.now() + dt.timedelta(days=7),
            )
            StakeholderAnswer.objects.create(
                invitation=invitation, question_code="GOV.1.a", value=level
            )
            StakeholderAnswer.objects.create(
                invitation=invitation, question_code="GOV.1.b", value="yes" if index else "no"
            )

    def test_agreement_is_stored_per_question_pillar_and_assessment(self) -> None:
        run = score_run_create(assessment=self.assessment, trigger=RunTrigger.ON_DEMAND, seed=1)
        results = {(a.scope, a.code): a for a in AgreementResult.objects.filter(run=run)}
        # r_wg = 1 − s² / σ²_E with s² = 0.5 and σ²_E = (6² − 1) / 12 (James et al. 1984).
        assert results[(AgreementScope.QUESTION, "GOV.1.a")].rwg == pytest.approx(
            1 - 0.5 / (35 / 12)
        )
        assert results[(AgreementScope.QUESTION, "GOV.1.a")].respondents == 5
        # GOV.1.b: yes ×4, no ×1 on a 3-point scale: s² = 0.8, σ²_E = 8/12 → r_wg < 0 → 0.
        assert results[(AgreementScope.QUESTION, "GOV.1.b")].rwg == 0.0
        assert results[(AgreementScope.QUESTION, "GOV.1.b")].low_agreement
        pillar = results[(AgreementScope.PILLAR, "GOV")]
        # Alpha is computed per scale and combined: GOV.1.a (6 levels) and GOV.1.b (yes /
        # partial / no) are one question each, and a single unit cannot tell agreement from
        # chance (Krippendorff 2011), so the pillar's alpha is undefined rather than made up by
        # pooling two scales as one.
        assert pillar.respondents == 5 and pillar.alpha is None
        assert pillar.interval_low <= pillar.interval_high
        assert (AgreementScope.ASSESSMENT, "") in results


class CohortTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.assessments = []
        for code, level in (("SEN", 1), ("KEN", 3), ("GHA", 5)):
            assessment = make_assessment(code, state=AssessmentState.APPROVED)
            add_answers(assessment, FULL_ANSWERS | {"GOV.1.a": level, "GOV.1.b": "yes"})
            cls.assessments.append(assessment)

    def test_a_cohort_run_ranks_the_approved_assessments_of_a_round(self) -> None:
        framework = self.assessments[0].framework
        run = score_cohort_create(framework=framework, round=2026, seed=4, samples=400)
        assert run.kind == RunKind.COHORT and run.assessment is None
        overall = {
            row.assessment_id: row
            for row in Score.objects.filter(run=run, level=ScoreLevel.OVERALL)
        }
        assert len(overall) == 3
        best = overall[self.assessments[2].pk]
        assert best.score > overall[self.assessments[0].pk].score
        assert 1 <= best.rank_low <= best.rank_median <= best.rank_high <= 3
        probability = run.uncertainty["probability_above"]
        assert len(probability) == 3 and all(len(row) == 3 for row in probability)
        # What moves each country's score, and what moves the ranking.
        outputs = run.uncertainty["sensitivity"]["outputs"]
        assert set(outputs) == {*(str(a.pk) for a in self.assessments), RANK_SHIFT}
        assert set(outputs[RANK_SHIFT]) == set(run.uncertainty["inputs"])
        assert "normalisation" in run.uncertainty["inputs"]
        assert score_run_verify(run).identical

    def test_a_round_without_approved_assessments_cannot_be_scored(self) -> None:
        with pytest.raises(ScoringError, match="No approved assessment"):
            score_cohort_create(framework=self.assessments[0].framework, round=2030)
