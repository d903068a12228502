"""Object-level permissions, in one place, used by every view, the API and the services.

The rules:
- administrators (role or superuser) see and manage everything;
- planners read every country's assessments, scores and plans, and change nothing in them;
- focal points read their own countries' assessments and contribute to them (answers,
  evidence, imports, stakeholder invitations); whether the assessment still accepts changes is
  the services' rule (``AssessmentLocked``), so every path gets the same answer;
- reviewers read and review their own countries' assessments;
- anybody else asking for a country's object gets 404, so the object's existence is not revealed;
  a user who may see an object but not perform an action on it gets 403.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from surveys.models import (
    ApiToken,
    Assessment,
    Country,
    Framework,
    FrameworkStatus,
    Role,
    RoleAssignment,
)

AnyUser = AbstractBaseUser | AnonymousUser


class Action(StrEnum):
    VIEW = "view"
    #: Contribute answers, evidence and invitations (a focal point of the country), in any
    #: state: the services refuse changes to a locked assessment with a clear message.
    CONTRIBUTE = "contribute"
    EDIT = "edit"
    REVIEW = "review"
    ADMINISTER = "administer"
    PLAN = "plan"


def _roles(user: AnyUser) -> list[tuple[str, int | None]]:
    # Cached on the user object: a page asks several questions but pays one query.
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        if not user.is_authenticated or not user.is_active:
            cached = []
        else:
            cached = list(
                RoleAssignment.objects.filter(user=user).values_list("role", "country_id")
            )
        user._role_cache = cached  # type: ignore[union-attr]
    return cached


def is_administrator(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser) or any(
        role == Role.ADMINISTRATOR for role, _ in _roles(user)
    )


def requires_two_factor(user: AnyUser, required_roles: list[str]) -> bool:
    """Whether ``user`` must sign in with a second factor (settings.TWO_FACTOR_REQUIRED_ROLES).

    Superusers count as administrators.
    """
    if not user.is_authenticated or not required_roles:
        return False
    if Role.ADMINISTRATOR in required_roles and is_administrator(user):
        return True
    return any(role in required_roles for role, _ in _roles(user))


def is_planner(user: AnyUser) -> bool:
    return any(role == Role.PLANNER for role, _ in _roles(user))


def reads_everything(user: AnyUser) -> bool:
    """Administrators and planners see every country."""
    return is_administrator(user) or is_planner(user)


def country_ids_with_role(user: AnyUser, *roles: str) -> set[int]:
    return {country for role, country in _roles(user) if role in roles and country is not None}


def user_roles(user: AnyUser) -> set[str]:
    roles = {role for role, _ in _roles(user)}
    if user.is_authenticated and user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return roles


def visible_country_ids(user: AnyUser) -> set[int] | None:
    """Countries whose assessments the user may read; ``None`` means all of them."""
    if reads_everything(user):
        return None
    return country_ids_with_role(user, Role.FOCAL_POINT, Role.REVIEWER)


def visible_countries(user: AnyUser) -> QuerySet[Country]:
    ids = visible_country_ids(user)
    countries = Country.objects.all()
    return countries if ids is None else countries.filter(pk__in=ids)


def visible_assessments(user: AnyUser) -> QuerySet[Assessment]:
    """Every assessment the user may read."""
    ids = visible_country_ids(user)
    assessments = Assessment.objects.select_related("country", "framework")
    return assessments if ids is None else assessments.filter(country_id__in=ids)


def can_view_assessment(user: AnyUser, assessment: Assessment) -> bool:
    ids = visible_country_ids(user)
    return ids is None or assessment.country_id in ids


def can_edit_assessment(user: AnyUser, assessment: Assessment) -> bool:
    """May change answers now: a focal point of the country, while the assessment is editable."""
    return assessment.is_editable and assessment.country_id in country_ids_with_role(
        user, Role.FOCAL_POINT
    )


def is_focal_point_for(user: AnyUser, assessment: Assessment) -> bool:
    return assessment.country_id in country_ids_with_role(user, Role.FOCAL_POINT)


def can_contribute(user: AnyUser, assessment: Assessment) -> bool:
    """May answer, attach evidence, import answers and invite stakeholders (:attr:`Action.
    CONTRIBUTE`): the focal points of the assessment's country."""
    return is_focal_point_for(user, assessment)


def can_discuss_queries(user: AnyUser, assessment: Assessment) -> bool:
    """May read and reply to reviewers' queries: reviewers and the country's focal points."""
    return can_review_assessment(user, assessment) or can_contribute(user, assessment)


def can_use_admin_site(user: AnyUser) -> bool:
    """Django's own admin-site check (active staff), in the one permissions module."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_review_assessment(user: AnyUser, assessment: Assessment) -> bool:
    return is_administrator(user) or assessment.country_id in country_ids_with_role(
        user, Role.REVIEWER
    )


def can_plan(user: AnyUser) -> bool:
    return is_planner(user) or is_administrator(user)


def check_assessment_action(user: AnyUser, assessment: Assessment, action: Action) -> None:
    """Raise 404 when the user may not see the assessment, 403 when they may not act on it."""
    if not can_view_assessment(user, assessment):
        raise Http404("No assessment matches the given query.")
    allowed = {
        Action.VIEW: True,
        Action.CONTRIBUTE: can_contribute(user, assessment),
        Action.EDIT: can_edit_assessment(user, assessment),
        Action.REVIEW: can_review_assessment(user, assessment),
        Action.ADMINISTER: is_administrator(user),
        Action.PLAN: can_plan(user),
    }[action]
    if not allowed:
        raise PermissionDenied


def get_assessment_for_user(
    request: HttpRequest, pk: int, action: Action = Action.VIEW
) -> Assessment:
    """Load an assessment for the request's user, enforcing country scope and the action."""
    try:
        assessment = Assessment.objects.select_related("country", "framework").get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("No assessment matches the given query.") from None
    check_assessment_action(request.user, assessment, action)
    return assessment


def get_country_for_user(request: HttpRequest, alpha3: str) -> Country:
    """Load a country the request's user may see, or 404."""
    ids = visible_country_ids(request.user)
    try:
        country = Country.objects.get(alpha3=alpha3.upper())
    except Country.DoesNotExist:
        raise Http404("No country matches the given query.") from None
    if ids is not None and country.pk not in ids:
        raise Http404("No country matches the given query.")
    return country


def require_planner(request: HttpRequest) -> None:
    """Planner pages: planners and administrators only."""
    if not can_plan(request.user):
        raise PermissionDenied


def get_api_token_for_user(request: HttpRequest, pk: int) -> ApiToken:
    """One of the request user's own API tokens, or 404 (nobody manages another's tokens here;
    administrators revoke any token in the admin)."""
    try:
        return ApiToken.objects.get(pk=pk, user_id=request.user.pk)
    except ApiToken.DoesNotExist:
        raise Http404("No token matches the given query.") from None


def visible_frameworks(user: AnyUser) -> QuerySet[Framework]:
    """The framework versions ``user`` may read: published and retired ones for everyone,
    drafts only for administrators (and staff, who see them in the admin site anyway)."""
    frameworks = Framework.objects.all()
    if not (is_administrator(user) or can_use_admin_site(user)):
        frameworks = frameworks.exclude(status=FrameworkStatus.DRAFT)
    return frameworks


def get_framework_for_user(request: HttpRequest, code: str, version: str) -> Framework:
    """A framework version the user may read (:func:`visible_frameworks`), or 404."""
    frameworks = visible_frameworks(request.user)
    try:
        return frameworks.get(code=code, version=version)
    except Framework.DoesNotExist:
        raise Http404("No framework matches the given query.") from None
