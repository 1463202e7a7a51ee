from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("organisation/revisionsspor/", views.audit_log, name="log"),
    path("organisation/adgangslog/", views.access_log, name="access"),
    path("organisation/adgangslog.csv", views.access_log_csv, name="access-csv"),
]
