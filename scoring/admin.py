from django.contrib import admin

from scoring.models import Intervention


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    """Catalogue editing; Intervention.clean() checks codes against the framework."""

    list_display = (
        "code",
        "framework_code",
        "kind",
        "channel",
        "cost",
        "duration_months",
        "active",
    )
    list_filter = ("framework_code", "kind", "channel", "active")
    search_fields = ("code", "title")
    ordering = ("framework_code", "code")
