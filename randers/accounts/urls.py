from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/kode/", views.totp, name="totp"),
    path("login/sso/", views.SSOStartView.as_view(), name="oidc-start"),
    path("login/sso/svar/", views.SSOCallbackView.as_view(), name="oidc-callback"),
    path("login/godkendelsesapp/", views.authenticator, name="authenticator"),
    path("organisation/login/", views.login_settings, name="settings"),
    path("organisation/login/log/", views.login_events, name="events"),
]
