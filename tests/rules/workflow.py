"""Workflow rules: an assessment is (re)submitted only with every required answer given.

Enforced by ``surveys.services.workflow.assessment_transition`` (``Transition.
requires_complete_answers``); before, only the wizard view checked it and the API submitted
empty assessments.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from surveys.models import AssessmentState
from surveys.services.workflow import AssessmentIncomplete, assessment_transition
from tests.rules import Rule, World
from tests.rules.support import api_client, csv_file, state_of

ROOT = Path(__file__).resolve().parents[2]


def _page(world: World) -> None:
    client = world.client(world.focal_point)
    assessment = world.draft
    review = reverse("surveys:wizard-step", kwargs={"pk": assessment.pk, "step": "review"})
    response = client.post(
        review,
        {
            f"assessment_{assessment.pk}-current_step": "review",
            "base_revision": assessment.revision,
            "review-confirm": "on",
            "review-message": "Ready.",
        },
    )
    assert response.status_code == 200 and "GOV.1.b" in response.content.decode()
    # The review pages' transition button refuses too (it sends the user to the survey).
    transition = reverse("surveys:transition", kwargs={"pk": assessment.pk, "action": "submit"})
    client.post(transition, {"message": ""})
    assert state_of(assessment) == AssessmentState.DRAFT


def _autosave(world: World) -> None:
    assessment = world.draft
    prefix = f"assessment_{assessment.pk}"
    response = world.client(world.focal_point).post(
        reverse("surveys:autosave", kwargs={"pk": assessment.pk}),
        {
            f"{prefix}-current_step": "GOV",
            "base_revision": assessment.revision,
            "GOV-GOV.1.b": "yes",
            "GOV-GOV.1.b-status": "answered",
            "wizard_action": "submit",
            "review-confirm": "on",
        },
    )
    assert response.status_code == 200
    assert state_of(assessment) == AssessmentState.DRAFT


def _api(world: World) -> None:
    url = f"/api/assessments/{world.draft.pk}/transition/"
    response = api_client(world.focal_point).post(url, {"action": "submit"}, format="json")
    assert response.status_code == 409
    assert "GOV.1.b" in response.json()["missing"]
    assert state_of(world.draft) == AssessmentState.DRAFT


def _import(world: World) -> None:
    from exchange.imports import answers_import

    result = answers_import(
        assessment=world.draft,
        actor=world.focal_point,
        source=csv_file([("GOV.1.b", "yes")]),
        name="answers.csv",
        dry_run=False,
    )
    assert result.applied
    assert state_of(world.draft) == AssessmentState.DRAFT


def _admin(world: World) -> None:
    url = reverse("admin:surveys_assessment_change", args=[world.draft.pk])
    response = world.client(world.administrator).post(url, {"state": AssessmentState.SUBMITTED})
    assert response.status_code == 403
    assert state_of(world.draft) == AssessmentState.DRAFT


# Commands (seed_demo among them) change states only by calling assessment_transition; no
# command or the demo writes the state column itself.
_STATE_WRITE = re.compile(r"\.state\s*=[^=]|update\([^)]*\bstate\s*=")


def _command(world: World) -> None:
    sources = [*ROOT.glob("*/management/commands/*.py"), ROOT / "demo" / "loader.py"]
    writers = [str(path) for path in sources if _STATE_WRITE.search(path.read_text())]
    assert not writers, f"state written outside the workflow service: {writers}"
    with pytest.raises(AssessmentIncomplete):
        assessment_transition(assessment=world.draft, action="submit", actor=world.focal_point)
    path = Path(world.extra["tmp_path"]) / "answers.csv"
    path.write_bytes(csv_file([("GOV.1.b", "yes")]).getvalue())
    call_command("import_answers", str(path), "--assessment", str(world.draft.pk))
    assert state_of(world.draft) == AssessmentState.DRAFT


RULES = [
    Rule(
        "submit_needs_every_required_answer",
        "An assessment is submitted or resubmitted only when every visible required question "
        "is answered (surveys.services.workflow).",
        {
            "page": _page,
            "autosave": _autosave,
            "api": _api,
            "import": _import,
            "admin": _admin,
            "command": _command,
        },
    )
]
