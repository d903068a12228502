"""REST API routes, mounted at /api/ by the root URL configuration.

Route names start with ``api-`` (no namespace), e.g. ``api-assessment-list``, ``api-schema``.
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import views

router = SimpleRouter()
router.register("frameworks", views.FrameworkViewSet, basename="api-framework")
router.register("countries", views.CountryViewSet, basename="api-country")
router.register("assessments", views.AssessmentViewSet, basename="api-assessment")
router.register("answers", views.AnswerViewSet, basename="api-answer")
router.register("scores", views.ScoreViewSet, basename="api-score")
router.register("gaps", views.GapViewSet, basename="api-gap")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # A person opens the documentation in a browser: send them to log in rather than a 401.
    # The split view serves Swagger UI's start-up script from a URL, not inline (CSP).
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="surveys/api_docs.html"
            )
        ),
        name="api-docs",
    ),
    path("priorities/", views.PriorityList.as_view(), name="api-priority-list"),
    path("", include(router.urls)),
]
