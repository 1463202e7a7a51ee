from django.urls import path

from . import views

app_name = "organisation"

urlpatterns = [
    path("organisation/", views.index, name="index"),
    path("organisation/ny-enhed/", views.onboard, name="onboard"),
    path("organisation/ny-enhed/gennemse/", views.onboard_review, name="onboard-review"),
    path("organisation/ny-enhed/opret/", views.onboard_create, name="onboard-create"),
    path("organisation/ny-enhed/annuller/", views.onboard_cancel, name="onboard-cancel"),
    path("organisation/ny-enhed/<slug:step>/", views.onboard_step, name="onboard-step"),
    path("organisation/enheder/<slug:slug>/", views.unit, name="unit"),
    path("enheder/<slug:slug>/sammenlaeg/", views.merge, name="merge"),
    path("organisation/personer/<uuid:uuid>/adgang/", views.access, name="access"),
]
