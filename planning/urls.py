"""Planner pages (priorities, portfolios, demand, catalogue) and matching pages."""

from django.urls import path

from planning import views, views_matching

app_name = "planning"

urlpatterns = [
    path("planning/", views.planner_home, name="planner-home"),
    path(
        "planning/countries/<str:alpha3>/",
        views.planner_country,
        name="planner-country",
    ),
    path("planning/demand/", views.planner_demand, name="planner-demand"),
    path("planning/catalogue/", views.catalogue, name="catalogue"),
    path("planning/matching/", views_matching.matching_plan, name="matching-plan"),
    path("planning/matching/gaps/", views_matching.matching_gaps, name="matching-gaps"),
    path("planning/providers/<str:code>/", views_matching.provider_detail, name="provider-detail"),
]
