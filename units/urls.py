from django.urls import path

from . import views

app_name = "units"

urlpatterns = [
    path("enheder/", views.directory, name="directory"),
    path("enheder/<slug:slug>/", views.detail, name="detail"),
    path("enheder/<slug:slug>/leder/", views.unit_leader, name="leader"),
    path("enheder/<slug:slug>/flyt/", views.unit_move, name="move"),
    path("enheder/<slug:slug>/luk/", views.unit_close, name="close"),
    path("organisation/personer/", views.people, name="people"),
    path("organisation/personer/ny/", views.person_new, name="person-new"),
    path("organisation/personer/<uuid:uuid>/", views.person, name="person"),
    path("organisation/personer/<uuid:uuid>/roller/", views.person_add_role, name="add-role"),
    path(
        "organisation/personer/<uuid:uuid>/roller/fjern/",
        views.person_remove_role,
        name="remove-role",
    ),
    path("organisation/personer/<uuid:uuid>/invitation/", views.person_invite, name="invite"),
    path("organisation/omraader/<slug:slug>/", views.area, name="area"),
    path(
        "organisation/omraader/<slug:slug>/fjern-direktoer/",
        views.area_remove_director,
        name="remove-director",
    ),
    path("organisation/udvalg/<slug:slug>/", views.committee, name="committee"),
    path(
        "organisation/udvalg/<slug:slug>/fjern/<uuid:uuid>/",
        views.committee_remove_member,
        name="remove-committee-member",
    ),
    path("organisation/byraadet/", views.council, name="council"),
    path(
        "organisation/byraadet/fjern/<uuid:uuid>/",
        views.council_remove_member,
        name="remove-council-member",
    ),
    path("organisation/import/", views.import_units, name="import"),
    path(
        "organisation/import/skabelon.<str:extension>",
        views.import_template,
        name="import-template",
    ),
    path(
        "adgangskode/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set-password",
    ),
]
