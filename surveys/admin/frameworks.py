"""Frameworks in the admin: browsable, never edited by hand.

Frameworks come from files (``manage.py load_framework``), so the rows here are read-only
mirrors of the stored definition; the only changes offered are publishing a draft and retiring
a published version. Published and retired versions cannot be changed or deleted.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from surveys.frameworks.persistence import (
    FrameworkImmutableError,
    framework_publish,
    framework_retire,
)
from surveys.frameworks.spec import translate
from surveys.models import Framework, FrameworkStatus
from surveys.models.frameworks import Indicator, Pillar, Question, SubPillar


def _title(texts: dict[str, str]) -> str:
    return translate(texts or {}, "en")


class ReadOnlyMixin:
    """Rows mirror the stored definition: no adding, changing or deleting by hand."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PillarInline(ReadOnlyMixin, admin.TabularInline):
    model = Pillar
    fields = ["order", "code", "title_en", "weight", "min_coverage"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    @admin.display(description=_("title"))
    def title_en(self, obj: Pillar) -> str:
        return _title(obj.title)


class IndicatorInline(ReadOnlyMixin, admin.TabularInline):
    model = Indicator
    fk_name = "pillar"
    fields = ["order", "code", "title_en", "sub_pillar", "weight", "target", "aggregation"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    @admin.display(description=_("title"))
    def title_en(self, obj: Indicator) -> str:
        return _title(obj.title)


class QuestionInline(ReadOnlyMixin, admin.TabularInline):
    model = Question
    fk_name = "indicator"
    fields = ["order", "code", "type", "text_en", "scored", "required", "weight", "show_if"]
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("text"))
    def text_en(self, obj: Question) -> str:
        return _title(obj.text)


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "title_en", "status", "published_at", "created_at"]
    list_filter = ["status", "code"]
    search_fields = ["code", "version"]
    fields = [
        "code",
        "version",
        "title",
        "description",
        "methodology",
        "languages",
        "status",
        "published_at",
        "definition_digest",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [PillarInline]
    actions = ["publish_drafts", "retire_published"]

    @admin.display(description=_("title"))
    def title_en(self, obj: Framework) -> str:
        return _title(obj.title)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # load frameworks from files: manage.py load_framework

    def has_change_permission(self, request: HttpRequest, obj: Framework | None = None) -> bool:
        if obj is not None and obj.is_immutable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Framework | None = None) -> bool:
        if obj is not None and obj.is_immutable:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Publish the selected drafts (they become immutable)"))
    def publish_drafts(self, request: HttpRequest, queryset: QuerySet[Framework]) -> None:
        for framework in queryset.filter(status=FrameworkStatus.DRAFT):
            framework_publish(framework=framework)
            self.message_user(request, _("Published %s.") % framework, messages.SUCCESS)

    @admin.action(description=_("Retire the selected published versions"))
    def retire_published(self, request: HttpRequest, queryset: QuerySet[Framework]) -> None:
        for framework in queryset:
            try:
                framework_retire(framework=framework)
            except FrameworkImmutableError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(request, _("Retired %s.") % framework, messages.SUCCESS)


@admin.register(Pillar)
class PillarAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "framework", "order", "weight"]
    list_filter = ["framework"]
    search_fields = ["code"]
    inlines = [IndicatorInline]


@admin.register(SubPillar)
class SubPillarAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "framework", "pillar", "order", "weight"]
    list_filter = ["framework"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "framework", "pillar", "weight", "target", "aggregation"]
    list_filter = ["framework", "aggregation"]
    search_fields = ["code"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "framework", "type", "scored", "required", "weight"]
    list_filter = ["framework", "type", "scored"]
    search_fields = ["code"]
