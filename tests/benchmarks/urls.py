from django.urls import path

from randers.urls import urlpatterns as app_urlpatterns

from .floor import floor

urlpatterns = [path("_bench/floor/", floor), *app_urlpatterns]
