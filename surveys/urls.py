from django.urls import path

from surveys.views import (
    assessments,
    autosave,
    evidence,
    frameworks,
    history,
    queues,
    review,
    stakeholders,
)
from surveys.wizard.views import wizard_view

app_name = "surveys"

urlpatterns = [
    # Review, history and work queues.
    path("work-queue/", queues.work_queue, name="work-queue"),
    path("assessments/<int:pk>/review/", review.review, name="review"),
    path("assessments/<int:pk>/queries/", review.query_open_view, name="query-open"),
    path("queries/<int:pk>/reply/", review.query_reply_view, name="query-reply"),
    path("queries/<int:pk>/resolve/", review.query_resolve_view, name="query-resolve"),
    path("assessments/<int:pk>/transition/<slug:action>/", review.transition, name="transition"),
    path("assessments/<int:pk>/history/", history.history, name="history"),
    path("assessments/<int:pk>/history.csv", history.history_csv, name="history-csv"),
    # Frameworks.
    path("frameworks/", frameworks.framework_list, name="framework-list"),
    path(
        "frameworks/<slug:code>/<str:version>/",
        frameworks.framework_detail,
        name="framework-detail",
    ),
    # Assessments, the focal-point wizard, autosave and evidence.
    path("assessments/", assessments.assessment_list, name="assessment-list"),
    path("assessments/new/", assessments.assessment_create_view, name="assessment-create"),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/edit/", wizard_view, name="wizard"),
    path("assessments/<int:pk>/edit/<str:step>/", wizard_view, name="wizard-step"),
    path("assessments/<int:pk>/autosave/", autosave.autosave, name="autosave"),
    path(
        "assessments/<int:pk>/evidence/<str:code>/",
        evidence.evidence_list,
        name="evidence-list",
    ),
    path("evidence/<int:pk>/delete/", evidence.evidence_remove, name="evidence-delete"),
    path("evidence/<int:pk>/download/", evidence.evidence_download, name="evidence-download"),
    # Stakeholder contributions.
    path(
        "assessments/<int:pk>/stakeholders/",
        stakeholders.stakeholder_list,
        name="stakeholder-list",
    ),
    path(
        "assessments/<int:pk>/stakeholders/<int:invitation>/",
        stakeholders.stakeholder_responses,
        name="stakeholder-responses",
    ),
    path(
        "assessments/<int:pk>/stakeholders/<int:invitation>/revoke/",
        stakeholders.stakeholder_revoke_view,
        name="stakeholder-revoke",
    ),
    path("s/", stakeholders.stakeholder_page, name="stakeholder-page"),
    path("s/<str:token>/", stakeholders.stakeholder_respond, name="stakeholder-respond"),
]

# The user's own API tokens (issue 16).
from surveys.views import tokens  # noqa: E402

urlpatterns += [
    path("account/api-tokens/", tokens.api_tokens, name="api-tokens"),
    path(
        "account/api-tokens/<int:pk>/revoke/",
        tokens.api_token_revoke_view,
        name="api-token-revoke",
    ),
]
