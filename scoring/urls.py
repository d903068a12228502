from django.urls import path

from scoring import views, views_planning

app_name = "scoring"

urlpatterns = [
    path("assessments/<int:pk>/scores/", views.assessment_scores, name="assessment-scores"),
    path("assessments/<int:pk>/rescore/", views.assessment_rescore, name="assessment-rescore"),
    path("score-runs/<int:pk>/", views.run_detail, name="run-detail"),
    # Planner pages.
    path("planning/", views_planning.planner_home, name="planner-home"),
    path(
        "planning/countries/<str:alpha3>/",
        views_planning.planner_country,
        name="planner-country",
    ),
    path("planning/demand/", views_planning.planner_demand, name="planner-demand"),
    path("planning/catalogue/", views_planning.catalogue, name="catalogue"),
]

from scoring import views_matching  # noqa: E402  (matching pages, issue 22)

urlpatterns += [
    path("planning/matching/", views_matching.matching_plan, name="matching-plan"),
    path("planning/matching/gaps/", views_matching.matching_gaps, name="matching-gaps"),
    path("planning/providers/<str:code>/", views_matching.provider_detail, name="provider-detail"),
]
