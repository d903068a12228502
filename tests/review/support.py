"""People and assessments for review tests.

alice is Senegal's focal point, rita Senegal's reviewer, ken Kenya's reviewer (a stranger to
Senegal), ada an administrator, paul a planner.
"""

from __future__ import annotations

from typing import Any

from django.test import TestCase

from surveys.models import Answer, Assessment, AssessmentState, Role, StateTransition
from tests.factories import give_role, make_assessment, make_focal_point, make_reviewer, make_user


def make_in_state(state: str, country_code: str = "SEN", **overrides: Any) -> Assessment:
    return make_assessment(country_code, state=state, **overrides)


def make_answer(assessment: Assessment, code: str, value: Any, **overrides: Any) -> Answer:
    return Answer.objects.create(
        assessment=assessment, question_code=code, value=value, **overrides
    )


def transitions_of(assessment: Assessment) -> list[tuple[str, str, str]]:
    return list(
        StateTransition.objects.filter(assessment=assessment).values_list(
            "action", "from_state", "to_state"
        )
    )


class ReviewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = make_focal_point("SEN", "alice")
        cls.rita = make_reviewer("SEN", "rita")
        cls.ken = make_reviewer("KEN", "ken")
        cls.ada = make_user("ada", is_staff=True, is_superuser=True)
        cls.paul = make_user("paul")
        give_role(cls.paul, Role.PLANNER)
        cls.draft = make_in_state(AssessmentState.DRAFT)
        cls.in_review = make_in_state(AssessmentState.IN_REVIEW, round=2025)
