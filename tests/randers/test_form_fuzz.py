"""Random and oversized input to every form, and to the spreadsheet imports (hypothesis).

The forms are found, not listed: the pages below are opened as the person who uses them, and
every `<form method="post">` on them (its action and its fields, with the options of its select
elements) goes into the registry. Hypothesis then posts random values, oversized text, NUL
characters, other forms' choices, and for file fields random bytes under random names. Each
example runs in a savepoint that is rolled back. Asserted: never a 500, and a form shown again
(anything but a redirect) has written no row at all (PostgreSQL's per-transaction statistics,
sessions and django-axes' login records aside).
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from agreements import excel
from agreements.models import Agreement
from randers.jobs.models import Job
from randers.jobs.services import TASKS
from tests.randers.matrix_world import World
from units import imports

pytestmark = pytest.mark.django_db

# Whose pages: (role, route name, URL arguments for the world's objects).
PAGES: list[tuple[str, str, Callable[[World], dict[str, Any]]]] = [
    ("leader_a", "agreements:edit", lambda w: {"uuid": w.agreements["draft"].uuid}),
    ("leader_a", "agreements:add-goal", lambda w: {"uuid": w.agreements["draft"].uuid}),
    ("leader_a", "agreements:review", lambda w: {"uuid": w.agreements["draft"].uuid}),
    ("director", "agreements:return", lambda w: {"uuid": w.agreements["submitted"].uuid}),
    ("director", "agreements:detail", lambda w: {"uuid": w.agreements["submitted"].uuid}),
    ("director", "agreements:approve", lambda w: {"uuid": w.agreements["in_dialogue"].uuid}),
    ("director", "agreements:revoke", lambda w: {"uuid": w.agreements["signed"].uuid}),
    ("leader_a", "agreements:sign", lambda w: {"uuid": w.agreements["approved"].uuid}),
    ("leader_a", "agreements:follow-up", lambda w: {"uuid": w.objects["draft_report"].uuid}),
    ("director", "agreements:follow-up", lambda w: {"uuid": w.objects["submitted_report"].uuid}),
    ("leader_a", "agreements:follow-up-overview", lambda w: {}),
    ("leader_a", "agreements:book", lambda w: {}),
    (
        "leader_a",
        "agreements:start",
        lambda w: {
            "unit_slug": w.org.unit_a.slug,
            "period_slug": w.objects["free_point"].period.slug,
        },
    ),
    (
        "committee_chair",
        "agreements:plan-meeting",
        lambda w: {"committee_slug": w.org.school_committee.slug},
    ),
    ("committee_chair", "agreements:meeting", lambda w: {"uuid": w.objects["meeting"].uuid}),
    ("administrator", "agreements:common-goals", lambda w: {}),
    ("administrator", "units:person-new", lambda w: {}),
    ("administrator", "units:person", lambda w: {"uuid": w.objects["newcomer"].uuid}),
    ("administrator", "units:area", lambda w: {"slug": w.org.area_a.slug}),
    ("administrator", "units:committee", lambda w: {"slug": w.org.school_committee.slug}),
    ("administrator", "units:council", lambda w: {}),
    ("administrator", "units:leader", lambda w: {"slug": w.org.unit_a.slug}),
    ("administrator", "units:move", lambda w: {"slug": w.org.unit_a.slug}),
    ("administrator", "units:close", lambda w: {"slug": w.org.unit_a.slug}),
    ("administrator", "units:import", lambda w: {}),
    ("administrator", "organisation:merge", lambda w: {"slug": w.org.unit_a.slug}),
    ("administrator", "organisation:onboard-step", lambda w: {"step": "enheden"}),
    ("anonymous", "login", lambda w: {}),
]
# Forms left out: logging out and choosing the language change the client, not data.
SKIPPED_ACTIONS = {"/logout/", "/sprog/"}


@dataclass
class Form:
    role: str
    page: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> known values
    files: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.action} (from {self.page} as {self.role})"


class FormFinder(HTMLParser):
    def __init__(self, page: str, role: str) -> None:
        super().__init__()
        self.page, self.role = page, role
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "option" and self._form is not None and self._select is not None:
            if values.get("value"):
                self._form.fields[self._select].append(values["value"])
            return
        if tag == "form" and values.get("method", "").lower() == "post":
            self._form = Form(self.role, self.page, values.get("action") or self.page)
            self.forms.append(self._form)
        if self._form is None or "name" not in values:
            return
        name = values["name"]
        if name == "csrfmiddlewaretoken":
            return
        if tag == "input" and values.get("type") == "file":
            self._form.files.append(name)
            return
        known = self._form.fields.setdefault(name, [])
        if tag == "input" and values.get("value"):
            known.append(values["value"])
        if tag == "select":
            self._select = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


@pytest.fixture(scope="module")
def forms(world: World, django_db_blocker: Any) -> list[Form]:
    found: dict[tuple[str, str], Form] = {}
    with django_db_blocker.unblock():
        for role, name, kwargs in PAGES:
            url = reverse(name, kwargs=kwargs(world))
            response = world.clients[role].get(url)
            assert response.status_code == 200, (url, role, response.status_code)
            finder = FormFinder(url, role)
            finder.feed(response.content.decode())
            for form in finder.forms:
                if form.action not in SKIPPED_ACTIONS:
                    found.setdefault((form.role, form.action), form)
    # The follow-up upload is offered only while a period is in force (not on the tests' dates).
    upload = reverse("agreements:follow-up-upload")
    found.setdefault(
        ("leader_a", upload),
        Form("leader_a", "(follow-up overview)", upload, {"submit": ["on"]}, ["file"]),
    )
    return list(found.values())


# Sessions and the records of an attempt (a failed login, a reading of a follow-up) are written
# whether or not the form is refused: they are the logs, not the change.
_WRITES = """
    SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables
    WHERE n_tup_ins + n_tup_upd + n_tup_del > 0
    AND relname NOT IN (
        'django_session', 'axes_accesslog', 'axes_accessattempt', 'accounts_loginevent',
        'audit_accessevent'
    )
"""


def _writes() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(_WRITES)
        return dict(cursor.fetchall())


TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
OVERSIZED = st.builds(lambda part, times: part * times, TEXT.filter(bool), st.integers(500, 5000))
NUMBERISH = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["", "0", "-1", "1e999", "NaN", "2026-02-30", "99999-01-01", "1.5", "12,5"]),
)


def value_for(known: list[str]) -> st.SearchStrategy[str]:
    choices = [st.sampled_from(known)] if known else []
    return st.one_of(*choices, TEXT, OVERSIZED, NUMBERISH, st.just("\x00"))


FILE_NAMES = st.sampled_from(["enheder.xlsx", "enheder.csv", "rapport.xlsx", "x.exe", "x", ""])


def post_data(form: Form) -> st.SearchStrategy[dict[str, Any]]:
    fields = {name: st.one_of(st.none(), value_for(known)) for name, known in form.fields.items()}
    files = {
        name: st.builds(
            lambda content, file_name: SimpleUploadedFile(file_name or "upload", content),
            st.binary(max_size=3000),
            FILE_NAMES,
        )
        for name in form.files
    }
    return st.fixed_dictionaries({**fields, **files}).map(
        lambda data: {key: value for key, value in data.items() if value is not None}
    )


def fuzz(client: Client, form: Form, data: dict[str, Any]) -> None:
    with transaction.atomic():
        before = _writes()
        response = client.post(form.action, data)  # a 500 raises here
        after = _writes()
        transaction.set_rollback(True)
    assert response.status_code < 500, form
    if response.status_code not in (301, 302, 303):
        changed = {t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0)}
        assert changed == {}, f"{form}: shown again after writing {changed}"


def test_the_registry_finds_the_forms(
    forms: list[Form], capsys: pytest.CaptureFixture[str]
) -> None:
    actions = {form.action for form in forms}
    with capsys.disabled():
        print(f"\nform fuzzing: {len(forms)} forms on {len(PAGES)} pages")
    assert len(forms) >= 30, sorted(actions)
    assert reverse("units:import") in actions
    assert reverse("agreements:follow-up-upload") in actions


FUZZ = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def check_form(world: World, form: Form) -> None:
    @FUZZ
    @given(data=post_data(form))
    def check(data: dict[str, Any]) -> None:
        fuzz(world.clients[form.role], form, data)

    check()


def test_random_input_to_every_form_never_crashes_nor_writes_half(
    world: World, forms: list[Form]
) -> None:
    failures = []
    for form in forms:
        try:
            check_form(world, form)
        except Exception as error:  # each form's smallest failing example, all forms reported
            failures.append(f"{form}: {type(error).__name__}: {error}")
    assert not failures, "\n".join(failures)


# --- The spreadsheet imports, with well-formed files of random content --------------------------

CELL = st.one_of(TEXT, OVERSIZED, NUMBERISH, st.sampled_from(["Skole", "ja", "nej", "x@y.dk"]))
IMPORT_WRITES = ("units_unit", "units_site", "goals_goalfollowup", "goals_followupreport")


def run_jobs_of(response: Any) -> list[Job]:
    """Run the job a valid file queued, as the worker would (inside the probe's savepoint)."""
    jobs = list(Job.objects.filter(status=Job.Status.QUEUED).order_by("pk"))
    for job in jobs:
        import_string(TASKS[Job.Kind(job.kind)])(job.pk)
        job.refresh_from_db()
    return jobs


def import_file(client: Client, url: str, upload: SimpleUploadedFile, data: dict[str, Any]) -> None:
    """Post the file: never a 500; refused at once, nothing written; imported in the background,
    either every row or (a failed job) none."""
    with transaction.atomic():
        before = _writes()
        response = client.post(url, {**data, "file": upload})
        assert response.status_code < 500
        jobs = run_jobs_of(response) if response.status_code == 302 else []
        after = _writes()
        transaction.set_rollback(True)
    changed = {t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0)}
    if response.status_code != 302 or any(job.status == Job.Status.FAILED for job in jobs):
        assert not set(changed) & set(IMPORT_WRITES), changed


@FUZZ
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=len(imports.COLUMNS) + 2), max_size=6))
def test_random_unit_spreadsheets_import_all_or_nothing(world: World, rows: list[list[str]]):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(imports.template_header())
    writer.writerows(rows)
    upload = SimpleUploadedFile("enheder.csv", out.getvalue().encode("utf-8-sig"))
    import_file(world.clients["administrator"], reverse("units:import"), upload, {})


@FUZZ
@given(cells=st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12), CELL), max_size=12))
def test_random_follow_up_workbooks_import_all_or_nothing(
    world: World, cells: list[tuple[int, int, str]]
):
    signed = world.agreements["signed"]
    point = world.objects["signed_point"]
    content = excel.build_workbook(point, Agreement.objects.filter(pk=signed.pk))
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    for row, column, value in cells:
        # A workbook cannot hold control characters at all: leave those out.
        sheet.cell(row=row, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    out = io.BytesIO()
    workbook.save(out)
    upload = SimpleUploadedFile("opfoelgning.xlsx", out.getvalue())
    import_file(
        world.clients["leader_a"], reverse("agreements:follow-up-upload"), upload, {"submit": "on"}
    )
