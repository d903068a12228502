"""DRF permission classes: thin adapters over :mod:`surveys.permissions`, the one rule book.

Lists are narrowed by ``visible_assessments``/``visible_countries`` in the views, so a user of
another country sees empty lists and gets 404 on details, exactly as on the web pages.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from surveys import permissions
from surveys.models import Assessment


def assessment_of(obj: Any) -> Assessment:
    """The assessment an API object belongs to (an assessment, answer or score)."""
    return obj if isinstance(obj, Assessment) else obj.assessment


class CanViewAssessment(BasePermission):
    """Read access to an assessment and what belongs to it: 404 when not visible."""

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        permissions.check_assessment_action(
            request.user, assessment_of(obj), permissions.Action.VIEW
        )
        return request.method in SAFE_METHODS or getattr(view, "allows_writes", False)


class IsPlanner(BasePermission):
    """Planners and administrators (priorities, like the planner pages)."""

    message = "Priorities are available to planners and administrators."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) and permissions.can_plan(
            request.user
        )
