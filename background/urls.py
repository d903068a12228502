from django.urls import path

from background import views

app_name = "background"

urlpatterns = [
    path("jobs/<int:pk>/status/", views.job_status, name="job-status"),
]
