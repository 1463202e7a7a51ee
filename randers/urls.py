from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path

from . import views
from .accounts import views as account_views

admin.site.site_header = "Aftalestyring"
admin.site.site_title = "Aftalestyring"
# The admin site has no login of its own: its password-only form would skip the administrators'
# second factor. Its staff log in on /login/ like everyone else.
admin.site.login = login_not_required(  # type: ignore[method-assign]
    lambda request, extra_context=None: redirect_to_login(request.GET.get("next", "/admin/"))
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sprog/", views.set_language, name="set-language"),
    path(
        "tilgaengelighedserklaering/",
        views.accessibility_statement,
        name="accessibility-statement",
    ),
    path("", include("randers.accounts.urls")),
    path("", include("units.urls")),
    path("", include("randers.organisation.urls")),
    path("", include("randers.audit.urls")),
    path("aftaler/", include("agreements.urls")),
    path("jobs/", include("randers.jobs.urls")),
    path("varsler/", include("randers.notifications.urls")),
    path("admin/", admin.site.urls),
]
