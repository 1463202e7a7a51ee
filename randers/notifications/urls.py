from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("laest/", views.mark_all_read, name="mark-all-read"),
    path("indstillinger/", views.preferences, name="preferences"),
    path("<uuid:uuid>/", views.open_notification, name="open"),
]
