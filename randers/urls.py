from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

admin.site.site_header = "Aftalestyring"
admin.site.site_title = "Aftalestyring"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sprog/", views.set_language, name="set-language"),
    path(
        "tilgaengelighedserklaering/",
        views.accessibility_statement,
        name="accessibility-statement",
    ),
    path("", include("units.urls")),
    path("", include("randers.organisation.urls")),
    path("", include("randers.audit.urls")),
    path("aftaler/", include("agreements.urls")),
    path("jobs/", include("randers.jobs.urls")),
    path("varsler/", include("randers.notifications.urls")),
    path("admin/", admin.site.urls),
]
