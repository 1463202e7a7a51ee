"""The XSS corpus (tests/data/xss_payloads.txt) saved through the services into every kind of text
people write (sections, goals, consultations, budget note, comments, unit names and facts), then
the rendered pages and the PDF's HTML hold no active content (tests/hostile.py)."""

import copy
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agreements import pdf, selectors, services
from agreements.models import Consultation
from randers.templatetags.randers import markdown
from tests.agreements.conftest import make_period
from tests.hostile import active_content, payloads
from units import services as unit_services
from units.models import Unit

PAYLOADS = payloads()


def test_the_corpus_holds_at_least_fifty_payloads():
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_the_checker_finds_what_it_looks_for():
    assert active_content(
        '<p onclick="x()">a</p><a href=" JaVa&#x09;script:x()">b</a><script>x()</script>'
        '<div style="background:url(x)"></div><script src="/static/js/app.js"></script>'
    ) == [
        "<p onclick='x()'>",
        "<a href=' JaVa\\tscript:x()'>",
        "<script {}>",
        "inline script: 'x()'",
        "<div style='background:url(x)'>",
    ]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_leaves_no_active_content(payload):
    assert active_content(str(markdown(payload))) == []


# The database tests share the organisation and the cast of the module (tests.conftest), and the
# hostile agreement, built once: every payload through the services takes seconds.
SHARED = pytest.mark.usefixtures("cast_for_module")


@pytest.fixture(scope="module")
def _hostile_for_module(cast_for_module, django_db_blocker):  # type: ignore[no-untyped-def]
    """Built in the module's transaction (tests.conftest.cast_for_module), rolled back with it."""
    organisation, cast = copy.deepcopy(cast_for_module)
    with django_db_blocker.unblock():
        return build_hostile_agreement(organisation, cast)


@pytest.fixture
def hostile_agreement(_hostile_for_module):  # type: ignore[no-untyped-def]
    """Each test's own copy of the module's hostile agreement."""
    return copy.deepcopy(_hostile_for_module)


def build_hostile_agreement(organisation, cast):  # type: ignore[no-untyped-def]
    """Unit A's draft with a payload in each goal (title, description, success criterion), each
    section, the consultation statement, the budget note, and a comment per payload."""
    period = make_period("2027", 2027)
    agreement = services.create_agreement(organisation.unit_a, period, by=cast.leader_a)
    leader = cast.leader_a
    for payload in PAYLOADS:
        services.add_goal(
            agreement,
            data=services.GoalData(
                title=payload[:200], description=payload, success_criterion=payload
            ),
            by=leader,
        )
        services.add_comment(agreement, body=payload, by=leader)
    sections = list(agreement.sections.order_by("order"))
    for index, section in enumerate(sections):
        body = "\n\n".join(PAYLOADS[index :: len(sections)])
        services.update_section(section, body=body, expected_revision=section.revision, by=leader)
    services.record_consultation(
        agreement,
        body=Consultation.Body.MED,
        status=Consultation.Status.CONSULTED,
        held_on=date(2026, 10, 1),
        statement="\n\n".join(PAYLOADS),
        reason="",
        by=leader,
    )
    agreement.refresh_from_db()
    services.update_budget(
        agreement,
        amount=None,
        note="\n\n".join(PAYLOADS),
        expected_revision=agreement.revision,
        by=leader,
    )
    agreement.refresh_from_db()
    return agreement


@SHARED
@pytest.mark.parametrize(
    "page", ["agreements:detail", "agreements:edit", "agreements:review", "agreements:history"]
)
def test_agreement_pages_show_the_payloads_as_text(client_for, cast, hostile_agreement, page):
    response = client_for(cast.leader_a).get(reverse(page, args=[hostile_agreement.uuid]))
    assert response.status_code == 200
    html = response.content.decode()
    assert active_content(html) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text


@SHARED
def test_the_pdf_html_shows_the_payloads_as_text(organisation, cast, hostile_agreement):
    source = selectors.pdf_source_for_reader(hostile_agreement, cast.leader_a)
    html = pdf.agreement_html(source)
    # The print template's own style sheet and style element, as in any agreement's PDF.
    plain = services.create_agreement(organisation.unit_b, hostile_agreement.period, by=None)
    own = active_content(
        pdf.agreement_html(selectors.pdf_source_for_reader(plain, cast.administrator))
    )
    assert own == [
        "<link {'rel': 'stylesheet', 'href': 'static/css/pdf.css'}>",
        own[1],
    ]
    assert own[1].startswith("style element: ")
    assert active_content(html) == own
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@SHARED
@pytest.mark.django_db
def test_unit_names_and_facts_show_the_payloads_as_text(client_for, organisation, cast):
    for number, payload in enumerate(PAYLOADS):
        unit_services.create_unit(
            unit_services.UnitData(
                name=f"Enhed {number} {payload}"[:200],
                kind=Unit.Kind.SCHOOL,
                area=organisation.area_a,
                committee=organisation.school_committee,
                main_task=payload,
                target_group=payload,
                legal_basis=payload,
                address=payload[:200],
            ),
            by=cast.administrator,
        )
    client = client_for(cast.administrator)
    pages = [reverse("units:directory") + "?q=Enhed", reverse("units:directory") + "?side=2"]
    pages += [
        reverse("units:detail", args=[unit.slug])
        for unit in Unit.objects.filter(name__startswith="Enhed ")[:10]
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert active_content(response.content.decode()) == [], url


@SHARED
@pytest.mark.django_db
@pytest.mark.parametrize(
    "website", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//x"]
)
def test_a_unit_website_must_be_a_web_address(organisation, cast, website):
    with pytest.raises(ValidationError):
        unit_services.create_unit(
            unit_services.UnitData(
                name="Ny Skole",
                kind=Unit.Kind.SCHOOL,
                area=organisation.area_a,
                committee=organisation.school_committee,
                website=website,
            ),
            by=cast.administrator,
        )
    assert not Unit.objects.filter(name="Ny Skole").exists()
