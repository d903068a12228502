"""Admin for review data: queries, evidence and the audit trail — all view only.

Queries, evidence and audit events change only through services, which respect the approval
lock and audit every change; the admin shows them and refuses to add, change or delete them
(answers get the same treatment in core.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from surveys.models import AuditEvent, Evidence, Query, QueryMessage


class ViewOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class QueryMessageInline(ViewOnlyMixin, admin.TabularInline):
    model = QueryMessage
    extra = 0
    fields = ["author", "text", "created_at"]
    readonly_fields = fields


@admin.register(Query)
class QueryAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["assessment", "question_code", "status", "opened_by", "opened_at"]
    list_filter = ["status"]
    search_fields = ["question_code", "assessment__country__name"]
    list_select_related = ["assessment__country", "opened_by"]
    inlines = [QueryMessageInline]


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_ref",
        "field",
        "assessment",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_ref", "assessment__country__name"]
    date_hierarchy = "created_at"
    list_select_related = ["assessment__country"]
    # The bulk "delete selected" action would bypass AuditEvent.delete(); it must not exist.
    actions = None


@admin.register(Evidence)
class EvidenceAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["assessment", "question_code", "kind", "label", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["question_code", "original_name", "url", "assessment__country__name"]
    list_select_related = ["assessment__country", "uploaded_by"]
    actions = None
