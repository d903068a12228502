"""Assessment creation and new rounds pre-filled from the previous round."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from surveys.frameworks.loader import load_framework_text
from surveys.frameworks.persistence import framework_load
from surveys.models import Answer, AnswerStatus, Assessment, AuditEvent, FrameworkStatus
from surveys.services.answers import AnswerInput, answers_save
from surveys.services.rounds import AssessmentCreateError, assessment_create
from tests.factories import country, make_assessment, make_focal_point, make_reviewer
from tests.framework_fixtures import SMALL_FRAMEWORK, load_test_framework


def second_version():
    """Version 2.0 of the test framework: NET.1.b was renamed NET.1.x (declared mapping)."""
    text = SMALL_FRAMEWORK.read_text(encoding="utf-8")
    text = text.replace('version: "1.0"', 'version: "2.0"').replace("NET.1.b", "NET.1.x")
    text += 'mapping: {from_version: "1.0", questions: {NET.1.b: NET.1.x}}\n'
    return framework_load(load_framework_text(text), publish=True).framework


class RoundTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")
        cls.carol = make_reviewer("SEN", "carol")

    def setUp(self) -> None:
        self.previous = make_assessment("SEN", round=2025)
        answers_save(
            assessment=self.previous,
            actor=self.alice,
            answers=[
                AnswerInput("GOV.1.a", 3, justification="Strategy adopted in 2022."),
                AnswerInput("NET.1.a", None, AnswerStatus.DONT_KNOW),
                AnswerInput("NET.1.b", 12),
            ],
            base_revision=0,
        )

    def test_a_new_round_is_pre_filled_with_the_previous_answers_and_audited(self) -> None:
        new = assessment_create(
            country=country("SEN"),
            framework=self.previous.framework,
            round=2026,
            actor=self.alice,
            previous=self.previous,
        )
        assert new.previous == self.previous
        assert new.state == "draft"
        rows = {a.question_code: a for a in Answer.objects.filter(assessment=new)}
        assert rows["GOV.1.a"].value == 3
        assert rows["GOV.1.a"].justification == "Strategy adopted in 2022."
        assert rows["NET.1.a"].status == AnswerStatus.DONT_KNOW
        assert rows["NET.1.b"].value == 12
        new.refresh_from_db()
        assert new.revision == 1
        assert AuditEvent.objects.filter(assessment=new, action="answer_create").count() >= 3
        assert AuditEvent.objects.filter(assessment=new, action="assessment_create").exists()

    def test_answers_follow_the_declared_mapping_to_a_new_framework_version(self) -> None:
        new = assessment_create(
            country=country("SEN"),
            framework=second_version(),
            round=2026,
            actor=self.alice,
            previous=self.previous,
        )
        rows = {a.question_code: a.value for a in Answer.objects.filter(assessment=new)}
        assert rows["NET.1.x"] == 12
        assert "NET.1.b" not in rows
        assert rows["GOV.1.a"] == 3

    def test_a_second_assessment_for_the_same_round_is_refused(self) -> None:
        with pytest.raises(AssessmentCreateError, match="already has"):
            assessment_create(
                country=country("SEN"),
                framework=self.previous.framework,
                round=2025,
                actor=self.alice,
            )

    def test_draft_frameworks_and_other_countries_previous_rounds_are_refused(self) -> None:
        draft = load_test_framework(version="9.9", status=FrameworkStatus.DRAFT)
        with pytest.raises(AssessmentCreateError, match="published"):
            assessment_create(country=country("SEN"), framework=draft, round=2030, actor=self.alice)
        with pytest.raises(AssessmentCreateError, match="same country"):
            assessment_create(
                country=country("KEN"),
                framework=self.previous.framework,
                round=2030,
                actor=self.alice,
                previous=self.previous,
            )

    def test_a_focal_point_starts_the_next_round_from_the_assessment_page(self) -> None:
        self.client.force_login(self.alice)
        url = reverse("surveys:assessment-create")
        page = self.client.get(url, {"previous": self.previous.pk})
        self.assertContains(page, 'value="2026"')
        response = self.client.post(
            url,
            {
                "country": country("SEN").pk,
                "framework": self.previous.framework.pk,
                "round": "2026",
                "previous": self.previous.pk,
            },
        )
        new = Assessment.objects.get(round=2026)
        self.assertRedirects(response, reverse("surveys:assessment-detail", args=[new.pk]))
        assert Answer.objects.filter(assessment=new).count() == 3

    def test_a_focal_point_cannot_create_for_another_country_and_reviewers_not_at_all(
        self,
    ) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            reverse("surveys:assessment-create"),
            {
                "country": country("KEN").pk,
                "framework": self.previous.framework.pk,
                "round": "2026",
            },
        )
        assert response.status_code == 400
        self.client.force_login(self.carol)
        assert self.client.get(reverse("surveys:assessment-create")).status_code == 403
        assert not Assessment.objects.filter(round=2026).exists()


class AssessmentPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")
        cls.kim = make_focal_point("KEN", "kim")
        cls.senegal = make_assessment("SEN", round=2026)
        cls.kenya = make_assessment("KEN", round=2026)
        make_assessment("SEN", round=2025, state="approved")

    def test_the_list_shows_only_visible_assessments_and_filters_them(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(reverse("surveys:assessment-list"))
        self.assertContains(page, reverse("surveys:assessment-detail", args=[self.senegal.pk]))
        self.assertNotContains(page, reverse("surveys:assessment-detail", args=[self.kenya.pk]))
        page = self.client.get(reverse("surveys:assessment-list"), {"state": "approved"})
        self.assertNotContains(page, reverse("surveys:assessment-detail", args=[self.senegal.pk]))
        self.assertContains(page, "Approved")

    def test_the_detail_page_shows_state_progress_and_the_way_to_edit(self) -> None:
        answers_save(
            assessment=self.senegal,
            actor=self.alice,
            answers=[AnswerInput("GOV.1.a", 1)],
            base_revision=0,
        )
        self.client.force_login(self.alice)
        page = self.client.get(reverse("surveys:assessment-detail", args=[self.senegal.pk]))
        self.assertContains(page, "Draft")
        self.assertContains(page, "1 of 7 required questions answered.")
        self.assertContains(page, reverse("surveys:wizard", args=[self.senegal.pk]))
        self.client.force_login(self.kim)
        detail = reverse("surveys:assessment-detail", args=[self.senegal.pk])
        assert self.client.get(detail).status_code == 404
