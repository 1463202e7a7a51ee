from decimal import Decimal

import pytest
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, AgreementSection, Signature
from tests.factories import UserFactory

from .conftest import complete, make_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

State = Agreement.State
PEOPLE = [
    "anonymous",
    "leader_a",
    "leader_b",
    "director",
    "other_director",
    "council_member",
    "committee_chair",
    "administrator",
]
# Who may open unit A's agreement page, by state (DESIGN.md): everyone else gets 404.
READERS = {
    State.DRAFT: {"leader_a", "director", "administrator"},
    State.SUBMITTED: {"leader_a", "director", "administrator"},
    State.IN_DIALOGUE: {
        "leader_a",
        "director",
        "administrator",
        "council_member",
        "committee_chair",
    },
    State.APPROVED: {"leader_a", "director", "administrator", "council_member", "committee_chair"},
    State.SIGNED: set(PEOPLE),
}


def person(cast, name):  # type: ignore[no-untyped-def]
    return None if name == "anonymous" else cast.all()[name]


def url(name: str, agreement: Agreement, *args: object) -> str:
    return reverse(f"agreements:{name}", args=[agreement.uuid, *args])


@pytest.mark.parametrize("state", list(READERS))
@pytest.mark.parametrize("name", PEOPLE)
def test_agreement_page_is_readable_exactly_by_those_design_allows(
    client_for, cast, in_state, state, name
):
    agreement = in_state(state)
    response = client_for(person(cast, name)).get(agreement.get_absolute_url())
    assert response.status_code == (200 if name in READERS[state] else 404)


@pytest.mark.parametrize("name", ["council_member", "committee_chair", "director"])
def test_an_agreement_revoked_before_signing_shows_its_last_text_to_the_council(
    client_for, cast, in_state, name
):
    agreement = in_state(State.IN_DIALOGUE)
    services.revoke_agreement(agreement, reason="Enheden lukker.", by=None)
    client = client_for(person(cast, name))
    section = agreement.sections.order_by("order").first()
    assert section is not None
    for page in (agreement.get_absolute_url(), url("review", agreement)):
        response = client.get(page)
        assert response.status_code == 200, page
        assert section.title in response.content.decode()


@pytest.mark.parametrize("name", PEOPLE)
def test_editor_is_for_the_leader_and_administrators(client_for, cast, draft, name):
    response = client_for(person(cast, name)).get(url("edit", draft))
    expected = {"leader_a": 200, "administrator": 200, "director": 403, "anonymous": 302}.get(
        name, 404
    )
    assert response.status_code == expected


def test_an_action_on_a_readable_agreement_without_the_right_answers_403(
    client_for, cast, in_state
):
    agreement = in_state(State.IN_DIALOGUE)
    client = client_for(cast.council_member)
    assert client.post(url("send-to-committee", agreement)).status_code == 403
    assert client.post(url("submit", agreement)).status_code == 403
    assert client.get(url("sign", agreement)).status_code == 403
    agreement.refresh_from_db()
    assert agreement.state == State.IN_DIALOGUE


def test_an_action_on_an_unreadable_agreement_answers_404(client_for, cast, draft):
    response = client_for(cast.leader_b).post(url("submit", draft))
    assert response.status_code == 404


def test_the_page_shows_sections_goals_budget_and_state(client_for, cast, draft):
    complete(draft)
    body = client_for(cast.leader_a).get(draft.get_absolute_url()).content.decode()
    for text in (
        "Indledning",
        "Tekst til Indledning.",
        "Flere børn trives i overgangen til skole",
        "85 % af forældrene svarer positivt.",
        "Kladde",
        "MED-udvalget bakker op.",
    ):
        assert text in body


def test_markdown_is_rendered_and_sanitised(client_for, cast, draft):
    section = draft.sections.first()
    services.update_section(
        section,
        body="**Vigtigt** <script>alert(1)</script> [link](javascript:alert(1))",
        expected_revision=1,
        by=cast.leader_a,
    )
    body = client_for(cast.leader_a).get(draft.get_absolute_url()).content.decode()
    assert "<strong>Vigtigt</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert 'href="javascript:' not in body


# --- The editor ------------------------------------------------------------------------------


def section_post(section: AgreementSection, body: str, revision: int, **extra: object) -> dict:
    prefix = f"section-{section.pk}"
    data = {f"{prefix}-body": body, f"{prefix}-revision": revision}
    data.update({f"{prefix}-{k}": v for k, v in extra.items()})
    return data


def test_autosave_saves_the_section_and_returns_the_new_revision(client_for, cast, draft):
    section = draft.sections.first()
    response = client_for(cast.leader_a).post(
        url("save-section", draft, section.pk),
        section_post(section, "Ny tekst.", 1),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Gemt" in body
    assert f'id="id_section-{section.pk}-revision" value="2"' in body
    section.refresh_from_db()
    assert (section.body, section.revision) == ("Ny tekst.", 2)


def test_a_concurrent_edit_is_shown_to_the_second_writer_and_nothing_is_lost(
    client_for, cast, draft
):
    section = draft.sections.first()
    services.update_section(
        section, body="Administratorens tekst.", expected_revision=1, by=cast.administrator
    )
    client = client_for(cast.leader_a)
    response = client.post(
        url("save-section", draft, section.pk),
        section_post(section, "Lederens tekst.", 1),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "Mette Holm gemte en nyere tekst" in body
    assert "Administratorens tekst." in body
    assert f'name="section-{section.pk}-overwrite_revision" value="2"' in body
    section.refresh_from_db()
    assert section.body == "Administratorens tekst."

    # The leader deliberately saves over it.
    response = client.post(
        url("save-section", draft, section.pk),
        section_post(section, "Lederens tekst.", 1, overwrite_revision=2),
        HTTP_HX_REQUEST="true",
    )
    section.refresh_from_db()
    assert (section.body, section.revision) == ("Lederens tekst.", 3)


def test_without_javascript_a_conflict_reloads_the_editor_with_the_writers_text(
    client_for, cast, draft
):
    section = draft.sections.first()
    services.update_section(section, body="Første.", expected_revision=1, by=cast.administrator)
    response = client_for(cast.leader_a).post(
        url("save-section", draft, section.pk), section_post(section, "Min tekst, ikke tabt.", 1)
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Min tekst, ikke tabt." in body
    assert "Første." in body


def test_submitting_an_incomplete_draft_names_each_problem_next_to_its_field(
    client_for, cast, draft
):
    response = client_for(cast.leader_a).post(url("submit", draft))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Aftalen kan ikke sendes ind endnu" in body
    first = draft.sections.order_by("order").first()
    section_html = body[body.index(f'id="section-{first.pk}"') :]
    assert "Afsnittet »Indledning« er tomt." in section_html[:3000]
    assert "Aftalen skal have mindst ét mål." in body
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_the_leader_submits_a_complete_draft(client_for, cast, draft):
    complete(draft)
    response = client_for(cast.leader_a).post(url("submit", draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED


def test_a_goal_is_added_with_an_indicator(client_for, cast, draft):
    response = client_for(cast.leader_a).post(
        url("add-goal", draft),
        {
            "title": "Mindre fravær",
            "kind": "local",
            "description": "",
            "success_criterion": "Fraværet falder til 5 %.",
            "indicators-TOTAL_FORMS": "1",
            "indicators-INITIAL_FORMS": "0",
            "indicators-0-name": "Elevfravær",
            "indicators-0-unit_of_measure": "%",
            "indicators-0-direction": "decrease",
            "indicators-0-baseline": "7,5",
            "indicators-0-target": "5",
        },
    )
    assert response.status_code == 302
    goal = draft.goals.get()
    indicator = goal.indicators.get()
    assert (goal.title, indicator.name, str(indicator.baseline)) == (
        "Mindre fravær",
        "Elevfravær",
        "7.50",
    )


def test_a_goal_without_title_is_refused_in_danish_and_nothing_is_saved(client_for, cast, draft):
    response = client_for(cast.leader_a).post(
        url("add-goal", draft),
        {
            "title": "",
            "kind": "local",
            "indicators-TOTAL_FORMS": "0",
            "indicators-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert "Dette felt er påkrævet." in response.content.decode()
    assert not draft.goals.exists()


def test_a_consultation_without_statement_is_refused(client_for, cast, draft):
    response = client_for(cast.leader_a).post(
        url("save-consultation", draft, "med"),
        {"med-status": "consulted", "med-held_on": "2026-10-01", "med-statement": ""},
    )
    assert response.status_code == 400
    assert "Skriv deres udtalelse." in response.content.decode()
    assert not draft.consultations.exists()


# --- Review, signing, verification -----------------------------------------------------------


def test_returning_without_reason_is_refused_and_changes_nothing(client_for, cast, in_state):
    agreement = in_state(State.SUBMITTED)
    response = client_for(cast.director).post(url("return", agreement), {"reason": ""})
    assert response.status_code == 400
    assert "Skriv begrundelsen; lederen får den at se." in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.state == State.SUBMITTED


def test_the_leader_sees_the_reason_of_a_return(client_for, cast, in_state):
    agreement = in_state(State.SUBMITTED)
    client_for(cast.director).post(url("return", agreement), {"reason": "Målene skal skærpes."})
    body = client_for(cast.leader_a).get(url("edit", agreement)).content.decode()
    assert "Målene skal skærpes." in body


def test_signing_shows_the_exact_version_and_its_hash(client_for, cast, in_state):
    agreement = in_state(State.APPROVED)
    version = agreement.versions.get()
    body = client_for(cast.leader_a).get(url("sign", agreement)).content.decode()
    assert version.content_hash in body
    assert "Tekst til Indledning." in body


def test_signing_with_a_wrong_password_signs_nothing(client_for, cast, in_state):
    agreement = in_state(State.APPROVED)
    response = client_for(cast.leader_a).post(
        url("sign", agreement), {"role": "unit_leader", "password": "forkert"}
    )
    assert response.status_code == 400
    assert "Adgangskoden er forkert. Der er ikke underskrevet noget." in response.content.decode()
    assert not Signature.objects.exists()


def test_signing_with_the_password_records_the_signature(client_for, cast, in_state):
    agreement = in_state(State.APPROVED)
    response = client_for(cast.leader_a).post(
        url("sign", agreement), {"role": "unit_leader", "password": "secret-password-42"}
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.signer, signature.role) == (cast.leader_a, "unit_leader")


def test_anyone_verifies_a_signed_version(client, in_state):
    version = in_state(State.SIGNED).signed_version
    response = client.get(reverse("agreements:verify", args=[version.uuid]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Indholdet svarer til det, der blev underskrevet" in body
    assert version.content_hash in body


def test_an_unsigned_version_cannot_be_verified_by_the_public(client, in_state):
    version = in_state(State.SUBMITTED).versions.get()
    assert client.get(reverse("agreements:verify", args=[version.uuid])).status_code == 404


def test_during_an_amendment_the_public_read_the_signed_version(client_for, cast, in_state):
    agreement = in_state(State.SIGNED)
    services.amend_agreement(agreement, by=cast.leader_a)
    section = agreement.sections.get(title="Indledning")
    services.update_section(
        section, body="Hemmeligt udkast.", expected_revision=section.revision, by=cast.leader_a
    )
    public = client_for(None).get(agreement.get_absolute_url()).content.decode()
    assert "Tekst til Indledning." in public
    assert "Hemmeligt udkast." not in public
    assert "Dette er den gældende underskrevne aftale." in public
    leader = client_for(cast.leader_a).get(agreement.get_absolute_url()).content.decode()
    assert "Hemmeligt udkast." in leader


def test_history_compares_word_by_word_with_the_submitted_version(client_for, cast, in_state):
    agreement = in_state(State.SUBMITTED)
    services.return_agreement(agreement, reason="Uddyb.", by=cast.director)
    section = agreement.sections.get(title="Indledning")
    services.update_section(
        section,
        body="Tekst til Indledning, uddybet.",
        expected_revision=section.revision,
        by=cast.leader_a,
    )
    client = client_for(cast.leader_a)
    assert client.get(url("history", agreement)).status_code == 200
    body = client.get(url("compare", agreement), {"fra": "1", "til": "kladde"}).content.decode()
    assert '<del><span class="sr-only">[fjernet: </span>Indledning.' in body
    assert '<ins><span class="sr-only">[tilføjet: </span>Indledning, uddybet.' in body


def test_history_is_hidden_from_those_who_may_not_read_the_working_copy(client_for, in_state):
    agreement = in_state(State.SIGNED)
    assert client_for(None).get(url("history", agreement)).status_code == 302  # login first
    assert client_for(UserFactory.create()).get(url("history", agreement)).status_code == 403


# --- Query budgets -----------------------------------------------------------------------------


def add_goals(agreement: Agreement, count: int) -> None:
    for number in range(count):
        services.add_goal(
            agreement,
            data=services.GoalData(
                title=f"Mål {number}",
                success_criterion="Nået.",
                indicators=[services.IndicatorData(name="Indikator", target=Decimal(1))],
            ),
            by=None,
        )


@pytest.mark.parametrize("goals", [1, 12])
def test_agreement_page_query_count_is_constant_in_goals_and_versions(
    client_for, cast, in_state, django_assert_num_queries, goals
):
    agreement = in_state(State.DRAFT)
    add_goals(agreement, goals - 1)
    for _ in range(goals):  # as many versions as goals: submit and return again
        services.submit_agreement(agreement, by=None)
        services.return_agreement(agreement, reason="Igen.", by=None)
    client = client_for(cast.leader_a)
    # 1 user, 2 agreement with unit, area, committee, leader, period, its content's version and
    # the data's version, 3 the reader's roles, 4 sections, 5 goals with common goal and their
    # council goals' titles, 6 their indicators, 7 consultations, 8 the last return, 9 the
    # committee's decisions, 10 the access log's row (the agreement is not signed), 11-13
    # session renewal
    with django_assert_num_queries(13):
        assert client.get(agreement.get_absolute_url()).status_code == 200
    # then the content (4-7), the last return and the decisions (8-9) come from the cache, and
    # the session is not renewed again
    with django_assert_num_queries(4):
        assert client.get(agreement.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("goals", [1, 12])
def test_editor_query_count_is_constant_in_goals(
    client_for, cast, draft, django_assert_num_queries, goals
):
    add_goals(draft, goals)
    client = client_for(cast.leader_a)
    # 1 user, 2 agreement with unit, area and period, 3 the reader's roles,
    # 4 open comment threads, 5 sections with their last writer, 6 goals, 7 their council goals,
    # 8 their indicators, 9 consultations, 10 the last return, 11 the access log's row,
    # 12-14 session renewal (savepoint, update, release)
    with django_assert_num_queries(14):
        assert client.get(url("edit", draft)).status_code == 200


def test_the_leader_starts_next_periods_agreement_from_the_signed_one_keeping_chosen_goals(
    client_for, cast, in_state, organisation
):
    signed = in_state(State.SIGNED)
    next_period = make_period("2028", 2028)
    client = client_for(cast.leader_a)
    start = reverse("agreements:start", args=[organisation.unit_a.slug, next_period.slug])
    page = client.get(start)
    assert page.status_code == 200
    assert "Flere børn trives i overgangen til skole" in page.content.decode()
    response = client.post(start, {"source": "rollover", "keep_goals": []})
    assert response.status_code == 302
    new = Agreement.objects.get(unit=organisation.unit_a, period=next_period)
    assert (new.source, new.previous) == (Agreement.Source.ROLLOVER, signed)
    assert not new.goals.exists()
    assert new.sections.get(title="Indledning").body == "Tekst til Indledning."


def test_others_cannot_start_a_units_agreement(client_for, cast, organisation, period):
    start = reverse("agreements:start", args=[organisation.unit_a.slug, period.slug])
    assert client_for(cast.leader_b).get(start).status_code == 403
    assert client_for(cast.director).post(start, {"source": "template"}).status_code == 403
    assert not Agreement.objects.exists()


def test_amending_a_signed_agreement_opens_a_new_draft(client_for, cast, in_state):
    agreement = in_state(State.SIGNED)
    response = client_for(cast.leader_a).post(url("amend", agreement))
    assert response.status_code == 302
    assert response["Location"] == url("edit", agreement)
    agreement.refresh_from_db()
    assert agreement.state == State.DRAFT
    assert agreement.signed_version is not None
