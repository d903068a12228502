"""An assessment's audit trail cannot disappear with it."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from surveys.models import AuditEvent
from surveys.services.workflow import assessment_transition
from tests.factories import complete_answers, make_assessment, make_focal_point


@pytest.mark.django_db
def test_an_assessment_with_history_cannot_be_deleted() -> None:
    assessment = make_assessment("SEN")
    focal_point = make_focal_point("SEN")
    complete_answers(assessment)
    assessment_transition(assessment=assessment, action="submit", actor=focal_point)
    assert AuditEvent.objects.filter(assessment=assessment).exists()
    with pytest.raises(ProtectedError):
        assessment.delete()
    assert AuditEvent.objects.filter(assessment=assessment).exists()


@pytest.mark.django_db
def test_the_admin_refuses_to_delete_an_audited_assessment(admin_client) -> None:
    assessment = make_assessment("SEN")
    focal_point = make_focal_point("SEN")
    complete_answers(assessment)
    assessment_transition(assessment=assessment, action="submit", actor=focal_point)
    url = f"/admin/surveys/assessment/{assessment.pk}/delete/"
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200  # the page explains what protects it
    assert AuditEvent.objects.filter(assessment=assessment).exists()
