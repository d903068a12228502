"""Official statistics in the admin, read only: a source changes only by reloading its file."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from officialstats.models import OfficialValue, SourceEconomy, SourceIndicator, StatisticsSource


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewing only: ``manage.py load_statistics`` is the one writer (all-or-nothing, checked)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StatisticsSource)
class StatisticsSourceAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "publisher", "edition", "year", "loaded_at")
    search_fields = ("code", "name", "publisher")


@admin.register(SourceIndicator)
class SourceIndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "unit", "source")
    list_filter = ("source",)
    search_fields = ("code", "name")


@admin.register(SourceEconomy)
class SourceEconomyAdmin(ReadOnlyAdmin):
    list_display = ("iso3", "name", "region", "income_group", "source")
    list_filter = ("source", "region", "income_group")
    search_fields = ("iso3", "name")


@admin.register(OfficialValue)
class OfficialValueAdmin(ReadOnlyAdmin):
    list_display = ("economy", "indicator", "year", "value", "estimate", "lagged")
    list_filter = ("indicator__source", "indicator", "year", "estimate", "lagged")
    search_fields = ("economy__iso3", "economy__name", "indicator__code")
    list_select_related = ("economy", "indicator")
