from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

admin.site.site_header = "Aftalestyring"
admin.site.site_title = "Aftalestyring"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links (after a history push, for one).
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    ),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sprog/", views.set_language, name="set-language"),
    path(
        "tilgaengelighedserklaering/",
        views.accessibility_statement,
        name="accessibility-statement",
    ),
    path("enheder/", include("units.urls")),
    path("aftaler/", include("agreements.urls")),
    path("jobs/", include("randers.jobs.urls")),
    path("admin/", admin.site.urls),
]
