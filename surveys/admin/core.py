from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from surveys.models import Answer, Assessment, Country, RoleAssignment, StateTransition
from surveys.services.roles import account_save, role_assignment_delete, role_assignment_save


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["alpha3", "name", "itu_region", "m49_region", "income_group"]
    list_filter = ["itu_region", "m49_region", "income_group"]
    search_fields = ["alpha3", "alpha2", "name"]
    readonly_fields = ["alpha3", "alpha2", "numeric"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "country"]
    list_filter = ["role", "country__itu_region"]
    search_fields = ["user__username", "user__email", "country__name"]
    autocomplete_fields = ["country"]

    # Roles decide who sees and edits a country's data: every change is audited.
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        role_assignment_save(assignment=obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        role_assignment_delete(assignment=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for assignment in queryset.select_related("user", "country"):
                role_assignment_delete(assignment=assignment, actor=request.user)


class StateTransitionInline(admin.TabularInline):
    model = StateTransition
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_state", "to_state", "actor", "message", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["country", "round", "framework", "state", "updated_at"]
    list_filter = ["state", "round", "country__itu_region"]
    search_fields = ["country__name"]
    inlines = [StateTransitionInline]

    # View only. Assessments are created on their own page (``assessment_create`` audits
    # them); state and answers change through the workflow and the survey, which lock and
    # audit. Round, country and framework are fixed once created: changing the country would
    # hand its answers to another country's focal points.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["assessment", "question_code", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["question_code", "assessment__country__name"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


User = get_user_model()


class AuditedUserAdmin(UserAdmin):
    """Django's user admin, with changes to the flags that grant access audited."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        account_save(user=obj, actor=request.user, created=not change)


admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)
