"""Upload limits: a request body larger than REQUEST_MAX_BYTES is refused before it is read, with
a Danish page; the imports' own limits are tested with the imports (tests/units/test_imports.py,
tests/agreements/test_excel.py)."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from randers.jobs.models import Job
from units.models import Unit

pytestmark = pytest.mark.django_db


def test_the_limits_are_set():
    assert settings.UPLOAD_MAX_BYTES == 2 * 1024 * 1024
    assert settings.REQUEST_MAX_BYTES == settings.UPLOAD_MAX_BYTES + 512 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == settings.REQUEST_MAX_BYTES
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 5


@pytest.mark.parametrize("url", [reverse("units:import"), reverse("agreements:follow-up-upload")])
def test_a_file_over_the_limit_is_refused_in_danish_and_nothing_is_saved(client_for, cast, url):
    units = Unit.objects.count()
    big = SimpleUploadedFile("enheder.xlsx", b"0" * (settings.REQUEST_MAX_BYTES + 1))
    response = client_for(cast.administrator).post(url, {"file": big})
    assert response.status_code == 413
    html = response.content.decode()
    assert "Filen er for stor" in html
    assert "Der kan uploades filer på højst 2 MB. Intet er gemt." in html
    assert Unit.objects.count() == units
    assert Job.objects.count() == 0


def test_a_request_within_the_limit_reaches_the_view(client_for, cast):
    small = SimpleUploadedFile("enheder.exe", b"MZ")
    response = client_for(cast.administrator).post(reverse("units:import"), {"file": small})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Upload en Excel-projektmappe (.xlsx) eller en CSV-fil (.csv)" in html
