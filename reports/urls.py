from django.urls import path

from reports import views, views_batches

app_name = "reports"

urlpatterns = [
    path("reports/countries/<str:alpha3>/", views.country_dashboard, name="country-dashboard"),
    path("reports/countries/<str:alpha3>/pdf/", views.country_pdf, name="country-pdf"),
    path("reports/regional/", views.regional_dashboard, name="regional-dashboard"),
    path("reports/regional/pdf/", views.regional_pdf, name="regional-pdf"),
    path("reports/batches/", views_batches.batch_create, name="batch-create"),
    path("reports/batches/<int:pk>/", views_batches.batch_detail, name="batch-detail"),
    path("reports/batches/<int:pk>/download/", views_batches.batch_download, name="batch-download"),
]
