"""Helpers for posting wizard steps the way the browser does."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from surveys.models import Assessment


def step_url(assessment: Assessment, step: str) -> str:
    return reverse("surveys:wizard-step", kwargs={"pk": assessment.pk, "step": step})


def step_post(
    assessment: Assessment,
    step: str,
    answers: dict[str, Any],
    *,
    action: str = "next",
    revision: int | None = None,
    statuses: dict[str, str] | None = None,
    justifications: dict[str, str] | None = None,
    shown: list[str] | None = None,
) -> dict[str, Any]:
    """POST data of one step: ``answers`` maps question code → value (list for checkboxes).

    Every question in ``shown`` (default: those in ``answers`` and ``statuses``) posts its
    status, as the rendered page does.
    """
    statuses = statuses or {}
    justifications = justifications or {}
    data: dict[str, Any] = {
        f"assessment_{assessment.pk}-current_step": step,
        "base_revision": assessment.revision if revision is None else revision,
        "wizard_action": action,
    }
    codes = shown if shown is not None else list(dict.fromkeys([*answers, *statuses]))
    for code in codes:
        data[f"{step}-{code}-status"] = statuses.get(code, "answered")
        data[f"{step}-{code}-justification"] = justifications.get(code, "")
    for code, value in answers.items():
        data[f"{step}-{code}"] = value
    return data


GOV_COMPLETE = {"GOV.1.a": "3", "GOV.1.b": "yes", "GOV.1.c": "partial", "GOV.2.c": "no"}
NET_COMPLETE = {"NET.1.a": "55.5", "NET.1.b": "4", "NET.2.a": "fibre", "NET.2.b": ["fibre"]}
SKL_COMPLETE = {"SKL.1.a": "yes", "SKL.1.b": "20"}
