from django.contrib import admin

from surveys.models import Answer, Assessment, Country, RoleAssignment, StateTransition


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
    # State and answers change only through the workflow and the survey, which lock and audit.
    readonly_fields = ["state", "revision", "state_changed_at", "created_by"]
    inlines = [StateTransitionInline]


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
