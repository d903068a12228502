from django.contrib import admin

from planning.models import DemandRule, Intervention, Offer, Provider


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


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "region", "country", "sample", "active")
    list_filter = ("kind", "region", "sample", "active")
    search_fields = ("code", "name")


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    """Offer editing; Offer.clean() checks topics and languages like manage.py load_offers."""

    list_display = ("code", "provider", "mode", "seats", "cost", "level", "active")
    list_filter = ("mode", "level", "active", "provider__region")
    search_fields = ("code", "title", "provider__name")


@admin.register(DemandRule)
class DemandRuleAdmin(admin.ModelAdmin):
    list_display = ("country", "languages", "mode", "participants_per_point")
