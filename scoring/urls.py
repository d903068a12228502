from django.urls import path

from scoring import views

app_name = "scoring"

urlpatterns = [
    path("assessments/<int:pk>/scores/", views.assessment_scores, name="assessment-scores"),
    path("assessments/<int:pk>/rescore/", views.assessment_rescore, name="assessment-rescore"),
    path("score-runs/<int:pk>/", views.run_detail, name="run-detail"),
]
