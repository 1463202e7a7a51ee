from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agreements import permissions, selectors, services
from agreements.models import Agreement, Comment, MeetingItem
from randers import versions
from tests.factories import UnitFactory

from .conftest import complete, make_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

State = Agreement.State
OVERVIEW = reverse("agreements:overview")


def bring(agreement: Agreement, state: str, cast) -> Agreement:  # type: ignore[no-untyped-def]
    """Move a completed draft forward to `state` through the services."""
    if state == State.DRAFT:
        return agreement
    steps: list[str] = [State.SUBMITTED, State.IN_DIALOGUE, State.APPROVED, State.SIGNED]
    actions: dict[str, Callable[[Agreement], object]] = {
        State.SUBMITTED: lambda a: services.submit_agreement(a, by=None),
        State.IN_DIALOGUE: lambda a: services.send_to_committee(a, by=None),
        State.APPROVED: lambda a: services.approve_agreement(a, by=None),
        State.SIGNED: lambda a: (
            services.sign_agreement(a, role="unit_leader", by=a.unit.leader),  # type: ignore[arg-type]
            services.sign_agreement(a, role="director", by=a.unit.area.director),  # type: ignore[arg-type]
        ),
    }
    start = steps.index(agreement.state) + 1 if agreement.state in steps else 0
    for step in steps[start : steps.index(state) + 1]:
        actions[step](agreement)
    agreement.refresh_from_db()
    return agreement


@pytest.fixture
def agreements(organisation, cast, period):  # type: ignore[no-untyped-def]
    """Unit A submitted, unit B in dialogue, unit C (the other area) a draft."""
    a = complete(services.create_agreement(organisation.unit_a, period, by=None))
    b = complete(services.create_agreement(organisation.unit_b, period, by=None))
    c = complete(services.create_agreement(organisation.unit_c, period, by=None))
    return {
        "a": bring(a, State.SUBMITTED, cast),
        "b": bring(b, State.IN_DIALOGUE, cast),
        "c": c,
    }


def listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The units of the overview's rows (values) or of the public list's (agreements)."""
    return [
        row["unit_name"] if isinstance(row, dict) else row.unit.name
        for row in response.context["page"].object_list
    ]


# --- The overview ------------------------------------------------------------------------------


def test_the_director_lands_on_the_area(client_for, cast, agreements):
    response = client_for(cast.director).get(OVERVIEW)
    assert response.status_code == 302
    assert response["Location"] == f"{OVERVIEW}?omraade=boern-og-skole"


def test_the_council_member_lands_on_the_committee(client_for, cast, agreements):
    response = client_for(cast.council_member).get(OVERVIEW)
    assert response["Location"] == f"{OVERVIEW}?udvalg=skole-og-uddannelsesudvalget"


def test_the_administrator_sees_all_and_counts_per_state_and_area(client_for, cast, agreements):
    response = client_for(cast.administrator).get(OVERVIEW)
    assert response.status_code == 200
    assert listed(response) == ["Affaldscentret", "Havndal Skole", "Tirsdalens Skole"]
    counts = {state: count for state, _label, count in response.context["by_state"]}
    assert (counts["draft"], counts["submitted"], counts["in_dialogue"]) == (1, 1, 1)
    areas = {row.area: (row.submitted, row.total) for row in response.context["by_area"]}
    assert areas == {"Børn og Skole": (2, 2), "Miljø og Teknik": (0, 1)}
    assert "2 af 2 indsendt" in response.content.decode()


def test_a_council_member_never_lists_drafts_or_submitted_ones(client_for, cast, agreements):
    response = client_for(cast.council_member).get(OVERVIEW, {"periode": "aftaler-2027"})
    assert listed(response) == ["Havndal Skole"]


def test_the_overview_filters_by_state_and_area(client_for, cast, agreements):
    client = client_for(cast.administrator)
    assert listed(client.get(OVERVIEW, {"status": "submitted"})) == ["Tirsdalens Skole"]
    assert listed(client.get(OVERVIEW, {"omraade": "miljoe-og-teknik"})) == ["Affaldscentret"]


def test_overdue_agreements_are_marked_against_the_deadlines(client_for, cast, agreements):
    # The period's submission is due 1 Nov 2026, the dialogue starts 15 Nov.
    with time_machine.travel(date(2026, 11, 20)):
        response = client_for(cast.administrator).get(OVERVIEW, {"overskredet": "on"})
    overdue = {a["unit_name"]: a["missed"] for a in response.context["page"].object_list}
    assert overdue == {"Affaldscentret": "submit", "Tirsdalens Skole": "review"}


def test_an_unknown_filter_value_is_explained_in_danish(client_for, cast, agreements):
    response = client_for(cast.administrator).get(OVERVIEW, {"status": "findes-ikke"})
    assert "Vælg en af statusserne på listen." in response.content.decode()


def test_the_overview_exports_to_excel(client_for, cast, agreements):
    response = client_for(cast.administrator).get(reverse("agreements:overview-export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:6] == ("Enhed", "Type", "Område", "Udvalg", "Periode", "Status")
    assert sorted(row[0] for row in rows[1:]) == [
        "Affaldscentret",
        "Havndal Skole",
        "Tirsdalens Skole",
    ]


def test_the_overview_listing_is_rendered_once_and_shows_a_change_at_once(
    client_for, cast, organisation, agreements, period, django_assert_num_queries
):
    client = client_for(cast.administrator)

    def shown() -> str:
        body = client.get(OVERVIEW, {"periode": period.slug}).content.decode()
        return body[body.index("<main") : body.index("</main>")]

    first = shown()
    with django_assert_num_queries(3):  # user, roles, the data's version
        assert shown() == first
    organisation.unit_b.name = "Havndal Skole og SFO"
    organisation.unit_b.save(update_fields=["name"])
    assert "Havndal Skole og SFO" in shown()
    organisation.other_area.slug = "teknik-og-miljoe"
    organisation.other_area.save(update_fields=["slug"])
    assert 'value="teknik-og-miljoe"' in shown()  # the area filter's choice


def test_the_overview_listing_is_cached_for_each_set_of_roles_apart(
    client_for, cast, agreements, period
):
    query = {"periode": period.slug}
    assert listed(client_for(cast.administrator).get(OVERVIEW, query)) == [
        "Affaldscentret",
        "Havndal Skole",
        "Tirsdalens Skole",
    ]
    body = client_for(cast.council_member).get(OVERVIEW, query).content.decode()
    assert "Havndal Skole" in body
    assert "Tirsdalens Skole" not in body


def test_the_overview_marks_missed_deadlines_of_the_day_it_is_read(client_for, cast, agreements):
    client = client_for(cast.administrator)
    # The period's submission is due 1 Nov 2026.
    with time_machine.travel(date(2026, 10, 20)):
        assert "indsendelse, 1. Nov" not in client.get(OVERVIEW).content.decode()
    with time_machine.travel(date(2026, 11, 2)):
        assert "indsendelse, 1. Nov" in client.get(OVERVIEW).content.decode()


@pytest.mark.parametrize("extra", [1, 30])
def test_overview_query_count_does_not_grow_with_agreements(
    client_for, cast, organisation, period, django_assert_num_queries, extra
):
    for _ in range(extra):
        unit = UnitFactory.create(area=organisation.area_a, committee=organisation.school_committee)
        services.create_agreement(unit, period, by=None)
    client = client_for(cast.administrator)
    # 1 user, 2 the filter's periods (the chosen one is found among them), 3 the reader's roles,
    # 4 counts per state, 5 counts per area, 6 count of rows, 7-8 the filter's areas and
    # committees, 9 the page of agreements, 10-12 session renewal
    with django_assert_num_queries(12):
        assert client.get(OVERVIEW, {"periode": period.slug}).status_code == 200


# --- Review of one agreement -------------------------------------------------------------------


def test_the_review_shows_changes_since_last_periods_signed_agreement(
    client_for, cast, organisation
):
    old_period, new_period = make_period("2026", 2026), make_period("2027", 2027)
    signed = bring(
        complete(services.create_agreement(organisation.unit_a, old_period, by=None)),
        State.SIGNED,
        cast,
    )
    new = services.create_agreement(
        organisation.unit_a,
        new_period,
        by=cast.leader_a,
        rollover=signed,
        keep_goals=list(signed.goals.all()),
    )
    section = new.sections.get(title="Indledning")
    services.update_section(
        section,
        body="Tekst til Indledning for 2027.",
        expected_revision=section.revision,
        by=cast.leader_a,
    )
    body = client_for(cast.director).get(reverse("agreements:review", args=[new.uuid]))
    html = body.content.decode()
    assert '<ins><span class="sr-only">[tilføjet: </span>Indledning for 2027.' in html
    assert "uændret" in html
    section.refresh_from_db()
    services.update_section(
        section,
        body="Tekst til Indledning og svømning for 2027.",
        expected_revision=section.revision,
        by=cast.leader_a,
    )
    html = client_for(cast.director).get(reverse("agreements:review", args=[new.uuid]))
    assert "svømning for 2027." in html.content.decode()  # the comparison of the new text


def test_the_review_leads_to_the_next_and_previous_agreement_of_the_list(
    client_for, cast, agreements
):
    client = client_for(cast.administrator)
    query = {"periode": "aftaler-2027", "sortering": "enhed"}
    middle = client.get(reverse("agreements:review", args=[agreements["b"].uuid]), query)
    assert middle.context["before"] == agreements["c"].uuid  # Affaldscentret
    assert middle.context["after"] == agreements["a"].uuid  # Tirsdalens Skole
    first = client.get(reverse("agreements:review", args=[agreements["c"].uuid]), query)
    assert first.context["before"] is None


@pytest.mark.parametrize("comments", [1, 12])
def test_review_query_count_does_not_grow_with_comments(
    client_for, cast, agreements, django_assert_num_queries, comments
):
    agreement = agreements["a"]
    for number in range(comments):
        services.add_comment(agreement, body=f"Bemærkning {number}", by=cast.director)
    client = client_for(cast.director)
    url = reverse("agreements:review", args=[agreement.uuid])
    # 1 user, 2 agreement with its content's version and the data's version, 3 roles, 4-7
    # content (sections, goals with their council goals' titles, indicators, consultations; the
    # sections and goals are also what comments attach to), 8 the period before (none, so no
    # signed agreement of it is looked for), 9 the filter's periods, 10 the neighbours in the
    # overview, 11 threads, 12 their replies, 13 the goals' latest follow-ups, 14 decisions,
    # 15 the access log's row (the agreement is not signed), 16-18 session renewal
    with django_assert_num_queries(18):
        assert client.get(url, {"periode": "aftaler-2027"}).status_code == 200
    # then the content (4-7), the period before (8), the neighbours (9-10), the threads,
    # follow-ups and decisions (11-14) come from the cache, and the session is not renewed again
    with django_assert_num_queries(4):
        assert client.get(url, {"periode": "aftaler-2027"}).status_code == 200


# --- Comments ------------------------------------------------------------------------------------


def test_a_council_member_comments_only_while_in_dialogue(client_for, cast, agreements):
    client = client_for(cast.council_member)
    url_b = reverse("agreements:add-comment", args=[agreements["b"].uuid])
    assert client.post(url_b, {"body": "Spørgsmål til dialogmødet."}).status_code == 302
    assert Comment.objects.get().written_in_state == State.IN_DIALOGUE
    url_a = reverse("agreements:add-comment", args=[agreements["a"].uuid])
    assert client.post(url_a, {"body": "Nej."}).status_code == 404  # cannot even see it


def test_a_council_member_never_sees_a_drafts_comments(client_for, cast, agreements):
    agreement = agreements["b"]
    services.return_agreement(agreement, reason="Ret", by=cast.director)
    services.add_comment(agreement, body="Intern bemærkning om udkastet.", by=cast.director)
    services.submit_agreement(agreement, by=None)
    services.send_to_committee(agreement, by=None)
    services.add_comment(agreement, body="Til udvalget.", by=cast.director)
    review = reverse("agreements:review", args=[agreement.uuid])
    council = client_for(cast.council_member).get(review).content.decode()
    assert "Til udvalget." in council
    assert "Intern bemærkning om udkastet." not in council
    leader = (
        client_for(cast.leader_a if agreement.unit.leader == cast.leader_a else cast.leader_b)
        .get(review)
        .content.decode()
    )
    assert "Intern bemærkning om udkastet." in leader


def test_anonymous_visitors_never_see_comments(client_for, cast, agreements):
    agreement = bring(agreements["b"], State.SIGNED, cast)
    services.add_comment(agreement, body="Godt arbejde.", by=cast.director)
    page = client_for(None).get(agreement.get_absolute_url()).content.decode()
    assert "Godt arbejde." not in page
    assert (
        client_for(None).get(reverse("agreements:review", args=[agreement.uuid])).status_code == 302
    )


def test_an_empty_comment_is_refused_in_danish(client_for, cast, agreements):
    response = client_for(cast.director).post(
        reverse("agreements:add-comment", args=[agreements["a"].uuid]), {"body": " "}, follow=True
    )
    assert "Skriv kommentaren." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_comment_on_a_goal_and_a_reply_form_a_thread(client_for, cast, agreements):
    agreement = agreements["a"]
    goal = agreement.goals.get()
    client = client_for(cast.director)
    client.post(
        reverse("agreements:add-comment", args=[agreement.uuid]),
        {"body": "Gør målet målbart.", "sted": f"goal-{goal.uuid}"},
    )
    thread = Comment.objects.get()
    client_for(cast.leader_a).post(
        reverse("agreements:add-comment", args=[agreement.uuid]),
        {"body": "Det gør vi.", "svar_paa": str(thread.uuid)},
    )
    reply = Comment.objects.exclude(pk=thread.pk).get()
    assert (thread.goal, reply.parent, reply.goal) == (goal, thread, goal)


def test_the_leader_sees_open_comments_in_the_editor_where_they_apply(client_for, cast, agreements):
    agreement = agreements["a"]
    services.return_agreement(agreement, reason="Se kommentarerne.", by=cast.director)
    section = agreement.sections.get(title="Udviklingsmål")
    services.add_comment(agreement, body="Uddyb opfølgningen.", by=cast.director, section=section)
    html = client_for(cast.leader_a).get(reverse("agreements:edit", args=[agreement.uuid]))
    body = html.content.decode()
    section_html = body[body.index(f'id="section-{section.pk}"') :]
    assert "Uddyb opfølgningen." in section_html[:6000]


@pytest.mark.parametrize(
    ("person", "allowed"),
    [
        ("leader_a", True),
        ("director", True),
        ("administrator", True),
        ("council_member", False),
        ("other_director", False),
    ],
)
def test_who_resolves_a_thread(client_for, cast, agreements, person, allowed):
    agreement = bring(agreements["a"], State.IN_DIALOGUE, cast)
    comment = services.add_comment(agreement, body="Hvad med budgettet?", by=cast.committee_chair)
    response = client_for(cast.all()[person]).post(
        reverse("agreements:resolve-comment", args=[comment.uuid])
    )
    comment.refresh_from_db()
    assert (comment.resolved_at is not None) == allowed
    if not allowed:
        assert response.status_code in (403, 404)


# --- Dialogue meetings ---------------------------------------------------------------------------


def plan(cast, agreements, by):  # type: ignore[no-untyped-def]
    return services.plan_meeting(
        agreements["b"].unit.committee,
        title="Dialogmøde december",
        starts_at=timezone.now(),
        location="Rådhuset",
        agreements=[agreements["b"]],
        by=by,
    )


def test_the_chair_plans_a_meeting_and_a_member_may_not(client_for, cast, agreements):
    committee = agreements["b"].unit.committee
    url = reverse("agreements:plan-meeting", args=[committee.slug])
    data = {
        "title": "Dialogmøde",
        "starts_at": "2026-12-01T16:00",
        "location": "Rådhuset",
        "agreements": [agreements["b"].pk],
    }
    assert client_for(cast.council_member).post(url, data).status_code == 403
    response = client_for(cast.committee_chair).post(url, data)
    assert response.status_code == 302
    assert MeetingItem.objects.get().agreement == agreements["b"]


def test_only_agreements_sent_to_the_committee_go_on_the_agenda(cast, agreements):
    with pytest.raises(services.AgreementError, match="ikke sendt til udvalget"):
        services.plan_meeting(
            agreements["a"].unit.committee,
            title="Møde",
            starts_at=timezone.now(),
            location="",
            agreements=[agreements["a"]],
            by=cast.committee_chair,
        )


def test_minutes_and_decisions_are_recorded_and_shown_on_the_agreement(
    client_for, cast, agreements
):
    meeting = plan(cast, agreements, cast.administrator)
    item = meeting.items.get()
    response = client_for(cast.committee_chair).post(
        meeting.get_absolute_url(),
        {
            "minutes": "Udvalget drøftede aftalen.",
            f"item-{item.pk}-decision": "approved",
            f"item-{item.pk}-note": "Godkendt uden ændringer.",
        },
    )
    assert response.status_code == 302
    page = client_for(cast.council_member).get(agreements["b"].get_absolute_url())
    assert "Dialogmøde december" in page.content.decode()
    assert "Godkendt uden ændringer." in page.content.decode()


def test_the_meeting_pack_holds_each_agreement_on_the_agenda(client_for, cast, agreements):
    meeting = plan(cast, agreements, cast.administrator)
    body = (
        client_for(cast.council_member)
        .get(reverse("agreements:meeting-pack", args=[meeting.uuid]))
        .content.decode()
    )
    assert "Havndal Skole" in body
    assert "Tekst til Indledning." in body


@pytest.mark.parametrize("page", ["agreements:meeting", "agreements:meeting-pack"])
def test_a_director_of_another_area_reads_no_agreement_outside_the_area_in_a_meeting(
    client_for, cast, agreements, page
):
    meeting = plan(cast, agreements, cast.administrator)
    url = reverse(page, args=[meeting.uuid])
    other = client_for(cast.other_director).get(url).content.decode()
    assert "Havndal Skole" not in other
    assert str(agreements["b"].uuid) not in other
    own = client_for(cast.director).get(url).content.decode()
    assert "Havndal Skole" in own


def test_leaders_do_not_read_meeting_packs(client_for, cast, agreements):
    meeting = plan(cast, agreements, cast.administrator)
    url = reverse("agreements:meeting-pack", args=[meeting.uuid])
    assert client_for(cast.leader_a).get(url).status_code == 403


@pytest.mark.parametrize("extra", [0, 6])
def test_meeting_pack_query_count_does_not_grow_with_the_agenda(
    client_for, cast, organisation, period, agreements, django_assert_num_queries, extra
):
    on_agenda = [agreements["b"]]
    for _ in range(extra):
        unit = UnitFactory.create(area=organisation.area_a, committee=organisation.school_committee)
        on_agenda.append(
            bring(
                complete(services.create_agreement(unit, period, by=None)), State.IN_DIALOGUE, cast
            )
        )
    meeting = services.plan_meeting(
        organisation.school_committee,
        title="Møde",
        starts_at=timezone.now(),
        location="",
        agreements=on_agenda,
        by=None,
    )
    client = client_for(cast.council_member)
    # 1 user, 2 roles, 3 meeting, 4 items with agreements, 5-8 their contents (sections, goals
    # with their council goals' titles, indicators, consultations), 9 the previous period's
    # signed contents, 10 every item's goals and 11 their latest follow-ups, 12-14 session renewal
    with django_assert_num_queries(14):
        client.get(reverse("agreements:meeting-pack", args=[meeting.uuid]))


# --- Search and public pages ---------------------------------------------------------------------

SEARCH = reverse("agreements:search")


def hits(response) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted({hit.document.agreement.unit.name for hit in response.context["hits"]})


def test_search_is_danish_so_skoler_finds_skole(client_for, cast, agreements):
    section = agreements["c"].sections.get(title="Indledning")
    services.update_section(
        section,
        body="Samarbejdet med skolen om affald og genbrug.",
        expected_revision=section.revision,
        by=None,
    )
    response = client_for(cast.administrator).get(SEARCH, {"q": "skoler"})
    assert "Affaldscentret" in hits(response)


def test_search_finds_only_what_the_searcher_may_read(client_for, cast, organisation, period):
    states = {"unit_a": State.SUBMITTED, "unit_b": State.IN_DIALOGUE, "unit_c": State.DRAFT}
    for unit, state in states.items():
        agreement = complete(
            services.create_agreement(getattr(organisation, unit), period, by=None)
        )
        section = agreement.sections.get(title="Indledning")
        services.update_section(
            section, body="Hemmelig plan for trivsel.", expected_revision=section.revision, by=None
        )
        bring(agreement, state, cast)
    assert hits(client_for(cast.administrator).get(SEARCH, {"q": "trivsel"})) == [
        "Affaldscentret",
        "Havndal Skole",
        "Tirsdalens Skole",
    ]
    assert hits(client_for(cast.council_member).get(SEARCH, {"q": "trivsel"})) == ["Havndal Skole"]
    assert hits(client_for(cast.leader_a).get(SEARCH, {"q": "trivsel"})) == ["Tirsdalens Skole"]
    assert hits(client_for(None).get(SEARCH, {"q": "trivsel"})) == []


def test_anonymous_search_finds_signed_agreements_with_highlights(client_for, cast, agreements):
    bring(agreements["b"], State.SIGNED, cast)
    response = client_for(None).get(SEARCH, {"q": "forældrene"})
    assert hits(response) == ["Havndal Skole"]
    assert "<mark>forældrene</mark>" in response.content.decode()


def test_search_snippets_escape_what_leaders_wrote(client_for, cast, agreements):
    section = agreements["c"].sections.get(title="Indledning")
    services.update_section(
        section,
        body="<script>alert('x')</script> trivsel",
        expected_revision=section.revision,
        by=None,
    )
    response = client_for(cast.administrator).get(SEARCH, {"q": "trivsel"})
    assert hits(response) == ["Affaldscentret"]
    assert "<script>alert" not in response.content.decode()


@pytest.mark.parametrize("extra", [0, 20])
def test_search_query_count_does_not_grow_with_hits(
    client_for, cast, organisation, period, django_assert_num_queries, extra
):
    for _ in range(extra + 1):
        unit = UnitFactory.create(area=organisation.area_a, committee=organisation.school_committee)
        complete(services.create_agreement(unit, period, by=None))
    client = client_for(cast.administrator)
    # 1 user, 2 roles, 3 the versions, 4 the hits with their agreements, units and periods,
    # 5-7 session renewal
    with django_assert_num_queries(7):
        client.get(SEARCH, {"q": "forældrene"})


def test_search_hits_come_from_the_cache_until_a_search_document_changes(
    client_for, cast, agreements, django_assert_num_queries
):
    client = client_for(cast.administrator)

    def shown() -> str:
        body = client.get(SEARCH, {"q": "svømmehallen"}).content.decode()
        return body[body.index('role="status"') : body.index("</section>")]

    first = shown()
    with django_assert_num_queries(3):  # user, roles, versions: no hits query
        assert shown() == first
    assert "Affaldscentret" not in first
    section = agreements["c"].sections.get(title="Indledning")
    before = versions.search_version()
    services.update_section(
        section, body="Svømmehallen åbner igen.", expected_revision=section.revision, by=None
    )
    data, search = versions.search_version()
    assert data == before[0]  # the counts cached under the data version stay cached
    assert search != before[1]
    assert "Affaldscentret: Indledning" in shown()


def test_search_hits_are_cached_for_each_selection_apart(client_for, cast, agreements):
    section = agreements["c"].sections.get(title="Indledning")
    services.update_section(
        section, body="Hemmelig plan for trivsel.", expected_revision=section.revision, by=None
    )
    assert "Affaldscentret" in hits(client_for(cast.administrator).get(SEARCH, {"q": "trivsel"}))
    assert "Affaldscentret" not in hits(client_for(None).get(SEARCH, {"q": "trivsel"}))


def test_the_public_list_shows_only_signed_agreements(client_for, cast, agreements):
    bring(agreements["b"], State.SIGNED, cast)
    response = client_for(None).get(reverse("agreements:public-list"))
    assert response.status_code == 200
    assert [a.unit.name for a in response.context["page"].object_list] == ["Havndal Skole"]
    assert "Tirsdalens Skole" not in response.content.decode()


@time_machine.travel(date(2026, 6, 1))
def test_the_public_list_shows_the_period_in_force_unless_another_is_chosen(
    client_for, cast, organisation, agreements, period
):
    in_force = make_period("2026", 2026)
    bring(agreements["b"], State.SIGNED, cast)  # period 2027, not yet begun
    current = complete(services.create_agreement(organisation.unit_a, in_force, by=None))
    bring(current, State.SIGNED, cast)
    client = client_for(None)

    response = client.get(reverse("agreements:public-list"))
    assert listed(response) == ["Tirsdalens Skole"]
    assert '<option value="aftaler-2026" selected>' in response.content.decode()
    response = client.get(reverse("agreements:public-list"), {"periode": period.slug})
    assert listed(response) == ["Havndal Skole"]
    assert '<option value="aftaler-2027" selected>' in response.content.decode()


def test_the_goals_export_shows_each_goal_with_its_latest_follow_up(client_for, cast, agreements):
    response = client_for(cast.administrator).get(
        reverse("agreements:overview-export"), {"indhold": "maal"}
    )
    from io import BytesIO

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:6] == ("Enhed", "Område", "Udvalg", "Periode", "Status", "Mål")
    assert sorted((row[0], row[5]) for row in rows[1:]) == [
        ("Affaldscentret", "Flere børn trives i overgangen til skole"),
        ("Havndal Skole", "Flere børn trives i overgangen til skole"),
        ("Tirsdalens Skole", "Flere børn trives i overgangen til skole"),
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"sted": "goal-0"},
        {"sted": "section-abc"},
        {"sted": "section-"},
        {"svar_paa": "not-a-uuid"},
    ],
)
def test_a_comment_on_a_place_that_is_no_key_answers_404(client_for, cast, agreements, data):
    response = client_for(cast.director).post(
        reverse("agreements:add-comment", args=[agreements["a"].uuid]), {"body": "Hej.", **data}
    )
    assert response.status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize("target", ["0", "review", "//evil.example/", "https://evil.example/"])
def test_a_comment_goes_back_only_to_a_path_of_this_site(client_for, cast, agreements, target):
    agreement = agreements["a"]
    response = client_for(cast.director).post(
        reverse("agreements:add-comment", args=[agreement.uuid]), {"body": "Hej.", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:review", args=[agreement.uuid])


@pytest.mark.parametrize("sort", list(selectors.SORTS))
def test_the_neighbours_follow_the_reviewers_list_in_each_order(organisation, cast, period, sort):
    org = organisation
    for name in ("Bjerregrav Skole", "Havndal Skole", "Bjerregrav Skole", "Aldershvile"):
        unit = UnitFactory.create(name=name, area=org.area_a, committee=org.school_committee)
        services.create_agreement(unit, period, by=None)
    services.create_agreement(org.unit_a, period, by=None)
    visible = permissions.agreements_visible_to(cast.director)
    chosen = selectors.OverviewFilter(period=period, area=org.area_a, sort=sort)
    listed = list(selectors.overview(visible, chosen))
    assert len(listed) == 5
    for index, agreement in enumerate(listed):
        agreement = Agreement.objects.select_related("unit").get(pk=agreement.pk)
        expected = (
            listed[index - 1].uuid if index > 0 else None,
            listed[index + 1].uuid if index + 1 < len(listed) else None,
        )
        assert selectors.neighbours(visible, chosen, agreement) == expected
    outside = services.create_agreement(org.unit_c, period, by=None)  # another area
    outside = Agreement.objects.select_related("unit").get(pk=outside.pk)
    assert selectors.neighbours(visible, chosen, outside) == (None, None)
