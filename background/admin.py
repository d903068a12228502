"""The job list for administrators, next to the raw queue (``django_tasks_db``'s own admin)."""

from __future__ import annotations

from django.contrib import admin

from background.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "kind",
        "status",
        "progress_done",
        "progress_total",
        "attempts",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("key", "error")
    ordering = ["-created_at"]
    readonly_fields = [field.name for field in Job._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
