"""What the latest score run says about an assessment's answers, for the reviewers' workspace.

Registered in ``surveys.extensions.LOW_AGREEMENT`` by :mod:`scoring.apps`, so the review page
(on the floor below) shows the flags without importing scoring.
"""

from __future__ import annotations

from scoring.models import AgreementResult, ScoreRun
from surveys.models import Assessment


def low_agreement_by_question(assessment: Assessment) -> dict[str, float]:
    """Question code → r_wg for questions the latest score run flagged for low agreement."""
    latest = (
        ScoreRun.objects.filter(assessment=assessment, agreements__isnull=False)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None:
        return {}
    flagged = AgreementResult.objects.filter(
        run_id=latest, scope="question", low_agreement=True
    ).values_list("code", "rwg")
    return {code: rwg for code, rwg in flagged}
