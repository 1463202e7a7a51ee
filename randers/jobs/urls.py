from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/proev-igen/", views.retry, name="retry"),
]
