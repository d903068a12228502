"""Hand-written ``make_*(**overrides)`` helpers (no JSON fixtures)."""

from __future__ import annotations

from itertools import count
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from surveys.models import Assessment, Country, Framework, Role, RoleAssignment

PASSWORD = "correct horse battery staple"
_sequence = count(1)


def make_user(username: str | None = None, **overrides: Any) -> AbstractBaseUser:
    username = username or f"user{next(_sequence)}"
    fields = {"email": f"{username}@example.org", "first_name": username.title()} | overrides
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def give_role(user: AbstractBaseUser, role: str, country: Country | None = None) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, role=role, country=country)


def country(alpha3: str) -> Country:
    return Country.objects.get(alpha3=alpha3)


def make_framework(**overrides: Any) -> Framework:
    from tests.framework_fixtures import load_test_framework

    return load_test_framework(**overrides)


def make_assessment(country_code: str = "SEN", **overrides: Any) -> Assessment:
    fields: dict[str, Any] = {"round": 2026}
    fields.update(overrides)
    if "framework" not in fields:
        fields["framework"] = make_framework()
    return Assessment.objects.create(country=country(country_code), **fields)


def make_focal_point(country_code: str = "SEN", username: str | None = None) -> AbstractBaseUser:
    user = make_user(username)
    give_role(user, Role.FOCAL_POINT, country(country_code))
    return user


def make_reviewer(country_code: str = "SEN", username: str | None = None) -> AbstractBaseUser:
    user = make_user(username)
    give_role(user, Role.REVIEWER, country(country_code))
    return user


def complete_answers(assessment: Assessment) -> None:
    """Store an answer to every visible question, so the workflow lets the assessment be
    submitted. Rows are written directly (no revision, no audit): this is set-up, not a path
    under test."""
    from demo.loader import generated_answers
    from surveys.models import Answer
    from surveys.services.workflow import missing_answers

    stored = set(Answer.objects.filter(assessment=assessment).values_list("question_code"))
    answers = generated_answers(
        assessment.framework.spec, assessment.country.alpha3, 0.6, assessment.round
    )
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            question_code=answer.question_code,
            value=answer.value,
            status=answer.status,
            justification=answer.justification,
        )
        for answer in answers
        if (answer.question_code,) not in stored
    )
    assert not missing_answers(assessment), "complete_answers left required questions open"


def make_api_token(user: AbstractBaseUser, scope: str = "read_write", days: int = 30) -> str:
    """A new API token's key for ``user`` (read-and-write unless told)."""
    from surveys.services.tokens import api_token_create

    return api_token_create(user=user, name="test", scope=scope, lifetime_days=days)[1]
