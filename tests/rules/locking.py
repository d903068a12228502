"""Locking rules: an approved assessment's answers, country, round and framework stay as
approved until an administrator reopens it.

Answers: ``surveys.services.answers.answers_save`` (and the evidence services) refuse writes to
an assessment that is not editable. Identity: nothing offers a change of country, round or
framework; the admin shows assessments read-only (before, it let the country be changed, which
handed the approved answers to another country's focal points).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from surveys.models import Answer, Assessment, AssessmentState
from surveys.services.answers import AssessmentLocked
from tests.factories import country
from tests.rules import Rule, World
from tests.rules.support import answer_values, api_client, csv_file


def _unchanged(world: World, before: dict) -> None:
    assert answer_values(world.approved) == before
    world.approved.refresh_from_db()
    assert world.approved.state == AssessmentState.APPROVED


def _answers_page(world: World) -> None:
    before = answer_values(world.approved)
    assessment = world.approved
    response = world.client(world.focal_point).post(
        reverse("surveys:wizard-step", kwargs={"pk": assessment.pk, "step": "GOV"}),
        {
            f"assessment_{assessment.pk}-current_step": "GOV",
            "base_revision": assessment.revision,
            "wizard_action": "save",
            "GOV-GOV.1.a": "5",
            "GOV-GOV.1.a-status": "answered",
        },
    )
    assert response.status_code == 302
    _unchanged(world, before)


def _answers_autosave(world: World) -> None:
    before = answer_values(world.approved)
    prefix = f"assessment_{world.approved.pk}"
    response = world.client(world.focal_point).post(
        reverse("surveys:autosave", kwargs={"pk": world.approved.pk}),
        {
            f"{prefix}-current_step": "GOV",
            "base_revision": world.approved.revision,
            "GOV-GOV.1.a": "5",
        },
    )
    assert response.status_code == 423
    _unchanged(world, before)


def _answers_api(world: World) -> None:
    before = answer_values(world.approved)
    response = api_client(world.focal_point).patch(
        f"/api/assessments/{world.approved.pk}/answers/",
        {
            "base_revision": world.approved.revision,
            "answers": [{"question_code": "GOV.1.a", "value": 5}],
        },
        format="json",
    )
    assert response.status_code == 409
    _unchanged(world, before)


def _answers_import(world: World) -> None:
    from exchange.imports import answers_import

    before = answer_values(world.approved)
    for dry_run in (True, False):
        with pytest.raises(AssessmentLocked):
            answers_import(
                assessment=world.approved,
                actor=world.focal_point,
                source=csv_file([("GOV.1.a", "5")]),
                name="answers.csv",
                dry_run=dry_run,
            )
    _unchanged(world, before)


def _answers_admin(world: World) -> None:
    before = answer_values(world.approved)
    client = world.client(world.administrator)
    answer = Answer.objects.get(assessment=world.approved, question_code="GOV.1.a")
    assert client.post(reverse("admin:surveys_answer_add"), {}).status_code == 403
    change = reverse("admin:surveys_answer_change", args=[answer.pk])
    assert client.post(change, {"value": "5"}).status_code == 403
    delete = reverse("admin:surveys_answer_delete", args=[answer.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    _unchanged(world, before)


def _answers_command(world: World) -> None:
    before = answer_values(world.approved)
    path = Path(world.extra["tmp_path"]) / "answers.csv"
    path.write_bytes(csv_file([("GOV.1.a", "5")]).getvalue())
    with pytest.raises(CommandError, match="cannot be changed"):
        call_command("import_answers", str(path), "--assessment", str(world.approved.pk))
    _unchanged(world, before)


def _identity(assessment: Assessment) -> tuple[int, int, int]:
    assessment.refresh_from_db()
    return (assessment.country_id, assessment.round, assessment.framework_id)


def _identity_page(world: World) -> None:
    # The only page that sets country, round and framework creates a new assessment; asking
    # for the approved one's again is refused rather than touching it.
    before = _identity(world.approved)
    response = world.client(world.administrator).post(
        reverse("surveys:assessment-create"),
        {
            "country": world.approved.country_id,
            "framework": world.approved.framework_id,
            "round": world.approved.round,
        },
    )
    assert response.status_code in (200, 400)
    assert Assessment.objects.filter(round=world.approved.round).count() == 1
    assert _identity(world.approved) == before


def _identity_autosave(world: World) -> None:
    before = _identity(world.approved)
    prefix = f"assessment_{world.approved.pk}"
    response = world.client(world.focal_point).post(
        reverse("surveys:autosave", kwargs={"pk": world.approved.pk}),
        {
            f"{prefix}-current_step": "GOV",
            "base_revision": world.approved.revision,
            "country": country("KEN").pk,
            "round": "2030",
        },
    )
    assert response.status_code == 423
    assert _identity(world.approved) == before


def _identity_api(world: World) -> None:
    before = _identity(world.approved)
    client = api_client(world.administrator)
    for method in ("patch", "put"):
        response = getattr(client, method)(
            f"/api/assessments/{world.approved.pk}/", {"country": "KEN"}, format="json"
        )
        assert response.status_code == 405
    assert _identity(world.approved) == before


def _identity_import(world: World) -> None:
    from exchange.imports import answers_import

    before = _identity(world.approved)
    with pytest.raises(AssessmentLocked):
        answers_import(
            assessment=world.approved,
            actor=world.administrator,
            source=csv_file([("country", "KEN")]),
            name="answers.csv",
            dry_run=False,
        )
    assert _identity(world.approved) == before


def _identity_admin(world: World) -> None:
    before = _identity(world.approved)
    client = world.client(world.administrator)
    change = reverse("admin:surveys_assessment_change", args=[world.approved.pk])
    response = client.post(
        change,
        {
            "country": country("KEN").pk,
            "round": "2030",
            "framework": world.approved.framework_id,
            "state": AssessmentState.APPROVED,
        },
    )
    assert response.status_code == 403
    assert client.get(change).status_code == 200  # still readable
    assert client.post(reverse("admin:surveys_assessment_add"), {}).status_code == 403
    assert _identity(world.approved) == before
    detail = reverse("surveys:assessment-detail", kwargs={"pk": world.approved.pk})
    assert world.client(world.stranger).get(detail).status_code == 404


def _identity_command(world: World) -> None:
    # import_answers finds an assessment by country and round and never changes either.
    before = _identity(world.approved)
    path = Path(world.extra["tmp_path"]) / "answers.csv"
    path.write_bytes(csv_file([("GOV.1.a", "5")]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_answers", str(path), "--country", "KEN", "--round", "2025")
    with pytest.raises(CommandError):
        call_command("import_answers", str(path), "--country", "SEN", "--round", "2025")
    assert _identity(world.approved) == before


RULES = [
    Rule(
        "approved_answers_are_locked",
        "Once submitted or approved, an assessment's answers change only after it is returned "
        "or reopened (surveys.services.answers.answers_save).",
        {
            "page": _answers_page,
            "autosave": _answers_autosave,
            "api": _answers_api,
            "import": _answers_import,
            "admin": _answers_admin,
            "command": _answers_command,
        },
    ),
    Rule(
        "assessment_identity_is_fixed",
        "An assessment's country, round and framework never change after creation, so approved "
        "answers cannot move to another country (no writer offers the change; the admin is "
        "read-only).",
        {
            "page": _identity_page,
            "autosave": _identity_autosave,
            "api": _identity_api,
            "import": _identity_import,
            "admin": _identity_admin,
            "command": _identity_command,
        },
    ),
]
