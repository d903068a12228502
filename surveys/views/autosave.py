"""Background saving of the wizard step being edited (progressive enhancement for autosave.js).

The browser posts the step's form as it is (with the CSRF token and the revision the page was
built from); the answer says when it was saved, or why not (409 with the conflicting changes,
423 when the assessment is locked, 401 when the session has ended). Without JavaScript the
wizard's buttons do the same.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from surveys import permissions
from surveys.services.answers import AssessmentLocked, framework_spec
from surveys.wizard.saving import load_answers, load_evidence_codes, pillar_for_step, step_save
from surveys.wizard.storage import DatabaseWizardStorage


def _error(message: str, status: int, **extra: object) -> JsonResponse:
    return JsonResponse({"status": "error", "message": message, **extra}, status=status)


def _question_codes(errors: dict[str, list[str]]) -> str:
    """The questions whose answers were not saved, by their codes as the page shows them."""
    codes = dict.fromkeys(
        name.removesuffix("-status").removesuffix("-justification") for name in errors
    )
    return ", ".join(codes)


@never_cache
@require_POST
def autosave(request: HttpRequest, pk: int) -> JsonResponse:
    if not request.user.is_authenticated:
        # Not a redirect to the login page: the script says the session ended and offers to
        # sign in again without leaving the page (what was typed stays in it).
        return _error(
            _("Your session has ended: sign in again to save your answers."),
            401,
            status_code="signed_out",
            login_url=reverse("login") + "?" + urlencode({"next": reverse("signed-in")}),
        )
    assessment = permissions.get_assessment_for_user(request, pk)
    if not permissions.can_contribute(request.user, assessment):
        return _error(_("You may not change this assessment."), 403)
    prefix = f"assessment_{assessment.pk}"
    pillar = pillar_for_step(
        framework_spec(assessment.framework), request.POST.get(f"{prefix}-current_step", "")
    )
    try:
        base_revision = int(request.POST.get("base_revision", ""))
    except ValueError:
        base_revision = None
    if pillar is None or base_revision is None:
        return _error(_("The form was incomplete or had been altered; nothing was saved."), 400)
    if not assessment.is_editable:
        return _error(str(AssessmentLocked(assessment)), 423, status_code="locked")
    storage = DatabaseWizardStorage(f"assessment_{assessment.pk}", request, assessment=assessment)
    try:
        outcome = step_save(
            assessment=assessment,
            spec=framework_spec(assessment.framework),
            pillar=pillar,
            data=request.POST,
            actor=request.user,
            base_revision=base_revision,
            storage=storage,
            answers=load_answers(assessment),
            evidence_codes=load_evidence_codes(assessment),
        )
    except AssessmentLocked as locked:
        return _error(str(locked), 423, status_code="locked")
    storage.save()
    if outcome.conflict is not None:
        conflict = outcome.conflict
        return JsonResponse(
            {
                "status": "conflict",
                "message": str(conflict),
                "revision": conflict.current_revision,
                "changes": [
                    {
                        "question_code": change.question_code,
                        "value": change.value,
                        "status": change.status,
                        "changed_by": change.changed_by,
                        "changed_at": change.changed_at.isoformat() if change.changed_at else None,
                    }
                    for change in conflict.changes
                ],
            },
            status=409,
        )
    result = outcome.result
    saved_at = timezone.localtime(result.saved_at)
    errors = {
        name.removeprefix(f"{pillar.code}-"): [str(message) for message in messages]
        for name, messages in outcome.form.errors.items()
    }
    return JsonResponse(
        {
            "status": "saved",
            "revision": result.revision,
            "changed": list(result.changed_codes),
            "saved_at": saved_at.isoformat(),
            "message": (
                _("Saved at %(time)s.") % {"time": time_format(saved_at, "H:i")}
                if not errors
                else _("Saved at %(time)s, except the answers to %(questions)s: see beside them.")
                % {"time": time_format(saved_at, "H:i"), "questions": _question_codes(errors)}
            ),
            "errors": errors,
        }
    )
