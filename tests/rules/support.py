"""Building the matrix's world and the small helpers its checks share."""

from __future__ import annotations

import io
from typing import Any

from rest_framework.test import APIClient

from surveys.models import Answer, Assessment, AssessmentState, Role
from tests.factories import (
    complete_answers,
    give_role,
    make_api_token,
    make_assessment,
    make_focal_point,
    make_reviewer,
    make_user,
)
from tests.rules import World


def build_world() -> World:
    focal_point = make_focal_point("SEN", "rule_focal")
    reviewer = make_reviewer("SEN", "rule_reviewer")
    administrator = make_user("rule_admin", is_staff=True, is_superuser=True)
    give_role(administrator, Role.ADMINISTRATOR)
    stranger = make_focal_point("KEN", "rule_stranger")
    draft = make_assessment("SEN", round=2026)
    Answer.objects.create(assessment=draft, question_code="GOV.1.a", value=2)
    approved = make_assessment("SEN", round=2025, state=AssessmentState.APPROVED)
    Answer.objects.create(assessment=approved, question_code="GOV.1.a", value=2)
    complete_answers(approved)
    return World(
        focal_point=focal_point,
        reviewer=reviewer,
        administrator=administrator,
        stranger=stranger,
        draft=draft,
        approved=approved,
    )


def api_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def csv_file(rows: list[tuple[str, str]]) -> io.BytesIO:
    text = "question_code,value\n" + "".join(f"{code},{value}\n" for code, value in rows)
    return io.BytesIO(text.encode("utf-8"))


def answer_values(assessment: Assessment) -> dict[str, Any]:
    return dict(Answer.objects.filter(assessment=assessment).values_list("question_code", "value"))


def state_of(assessment: Assessment) -> str:
    assessment.refresh_from_db()
    return assessment.state
