"""Questions on which stakeholders disagree are flagged in the reviewer's workspace (issue 7 §5)."""

from __future__ import annotations

from django.test import TestCase

from scoring.models import AgreementResult, ScoreRun
from surveys.models import AssessmentState
from tests.factories import PASSWORD, make_assessment, make_reviewer


class WorkspaceAgreementTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.reviewer = make_reviewer("SEN")
        cls.assessment = make_assessment("SEN", state=AssessmentState.IN_REVIEW)
        spec = cls.assessment.framework.spec
        cls.flagged, cls.calm = spec.questions[0].code, spec.questions[1].code
        run = ScoreRun.objects.create(
            assessment=cls.assessment,
            framework=cls.assessment.framework,
            framework_version=cls.assessment.framework.version,
            trigger="submit",
            engine_version="test",
        )
        AgreementResult.objects.create(
            run=run,
            assessment=cls.assessment,
            scope="question",
            code=cls.flagged,
            rwg=0.31,
            respondents=3,
            low_agreement=True,
        )
        AgreementResult.objects.create(
            run=run,
            assessment=cls.assessment,
            scope="question",
            code=cls.calm,
            rwg=0.95,
            respondents=3,
            low_agreement=False,
        )

    def test_low_agreement_is_shown_beside_the_question_and_nowhere_else(self) -> None:
        assert self.client.login(username=self.reviewer.username, password=PASSWORD)
        page = self.client.get(f"/assessments/{self.assessment.pk}/review/").content.decode()
        assert page.count("Stakeholders disagree on this question") == 1
        flagged_at = page.index(f'id="q-{self.flagged}-title"')
        calm_at = page.index(f'id="q-{self.calm}-title"')
        warning_at = page.index("Stakeholders disagree on this question")
        assert flagged_at < warning_at < calm_at
        assert "0.31" in page
