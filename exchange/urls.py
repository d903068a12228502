"""Exports, import templates, imports and their background jobs, XLSForm, the offline
workbook. Mounted at the site root beside ``surveys.urls``: the addresses are those the
pages always had.
"""

from django.urls import path

from exchange import views, views_interchange, views_jobs

app_name = "exchange"

urlpatterns = [
    path("exports/", views.export, name="export"),
    path("exports/download/", views.export_download, name="export-download"),
    path(
        "frameworks/<slug:code>/<str:version>/templates/<slug:kind>.<slug:file_format>",
        views.import_template,
        name="import-template",
    ),
    path("assessments/<int:pk>/import/", views.answers_import, name="answers-import"),
    path("statistics/import/", views.statistics_import, name="statistics-import"),
    path(
        "frameworks/<slug:code>/<str:version>/xlsform.xlsx",
        views_interchange.framework_xlsform,
        name="framework-xlsform",
    ),
    path(
        "assessments/<int:pk>/offline/",
        views_interchange.offline_workbook_page,
        name="offline-workbook",
    ),
    path(
        "assessments/<int:pk>/offline/workbook.xlsx",
        views_interchange.offline_workbook_download,
        name="offline-workbook-download",
    ),
    path(
        "assessments/<int:pk>/submissions/import/",
        views_interchange.submissions_import_page,
        name="submissions-import",
    ),
    path(
        "frameworks/import-xlsform/", views_interchange.xlsform_import_page, name="xlsform-import"
    ),
    path("imports/<int:pk>/", views_jobs.import_detail, name="import-detail"),
]
