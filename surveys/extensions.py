"""Where the floors above plug into the survey pages, registered in their ``AppConfig.ready()``.

``surveys`` is the lowest floor of the platform (see ``.importlinter``): it never imports
scoring, planning or reports. A survey page that shows something an upper floor computes asks
for it here; the upper floor registers the function that answers (``scoring.apps``). With
nothing registered (scoring not installed) the page simply leaves that part out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from surveys.frameworks.spec import FrameworkSpec
from surveys.models import Assessment

__all__ = ["FRAMEWORK_ANNEX", "LOW_AGREEMENT", "framework_annex", "low_agreement_by_question"]

# (framework, language) → the methodology annex shown under a published framework.
FRAMEWORK_ANNEX: list[Callable[[FrameworkSpec, str], Any]] = []
# assessment → {question code: r_wg} for the questions its latest score run flagged.
LOW_AGREEMENT: list[Callable[[Assessment], dict[str, float]]] = []


def framework_annex(spec: FrameworkSpec, language: str) -> Any:
    """The methodology annex of a framework, or None when no floor above provides one."""
    return FRAMEWORK_ANNEX[0](spec, language) if FRAMEWORK_ANNEX else None


def low_agreement_by_question(assessment: Assessment) -> dict[str, float]:
    """Question code → r_wg for questions the latest score run flagged for low agreement."""
    return LOW_AGREEMENT[0](assessment) if LOW_AGREEMENT else {}
