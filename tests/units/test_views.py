import pytest
from django.urls import reverse

from tests.agreements.conftest import make_period
from tests.factories import SiteFactory, UnitFactory
from units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cast_for_module")]

DIRECTORY = reverse("units:directory")


def names_in(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [unit.name for unit in response.context["page"].object_list]


def main_of(response) -> str:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def test_anonymous_visitor_is_sent_to_login_from_directory(client, organisation):
    response = client.get(DIRECTORY)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={DIRECTORY}"


def test_anonymous_visitor_is_sent_to_login_from_unit_page(client, organisation):
    url = organisation.unit_a.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    "person",
    [
        "leader_a",
        "leader_b",
        "director",
        "other_director",
        "council_member",
        "committee_chair",
        "administrator",
    ],
)
def test_every_signed_in_role_reads_the_directory_and_unit_pages(
    client_for, cast, organisation, person
):
    client = client_for(cast.all()[person])
    assert client.get(DIRECTORY).status_code == 200
    response = client.get(organisation.unit_c.get_absolute_url())
    assert response.status_code == 200
    assert "Affaldscentret" in response.content.decode()


def test_directory_lists_units_alphabetically(client_for, cast, organisation):
    response = client_for(cast.leader_a).get(DIRECTORY)
    assert names_in(response) == ["Affaldscentret", "Havndal Skole", "Tirsdalens Skole"]


def test_directory_filters_by_area(client_for, cast, organisation):
    response = client_for(cast.leader_a).get(DIRECTORY, {"area": "miljoe-og-teknik"})
    assert names_in(response) == ["Affaldscentret"]


def test_directory_filters_by_committee(client_for, cast, organisation):
    response = client_for(cast.leader_a).get(
        DIRECTORY, {"committee": "skole-og-uddannelsesudvalget"}
    )
    assert names_in(response) == ["Havndal Skole", "Tirsdalens Skole"]


def test_directory_filters_by_kind(client_for, cast, organisation):
    response = client_for(cast.leader_a).get(DIRECTORY, {"kind": Unit.Kind.TECHNICAL})
    assert names_in(response) == ["Affaldscentret"]


def test_directory_searches_by_name_ignoring_case(client_for, cast, organisation):
    response = client_for(cast.leader_a).get(DIRECTORY, {"q": "havndal"})
    assert names_in(response) == ["Havndal Skole"]


def test_directory_hides_closed_units(client_for, cast, organisation):
    organisation.unit_b.closed_at = organisation.unit_b.active_from
    organisation.unit_b.save()
    response = client_for(cast.leader_a).get(DIRECTORY)
    assert "Havndal Skole" not in names_in(response)


def test_directory_explains_an_unknown_filter_value_and_shows_all_units(
    client_for, cast, organisation
):
    client = client_for(cast.leader_a)
    response = client.get(DIRECTORY, {"area": "findes-ikke"}, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 200
    assert "Vælg et af områderne på listen." in response.content.decode()
    assert len(names_in(response)) == 3


def test_directory_answers_htmx_with_the_results_fragment_only(client_for, cast, organisation):
    response = client_for(cast.leader_a).get(DIRECTORY, {"q": "skole"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body
    assert names_in(response) == ["Havndal Skole", "Tirsdalens Skole"]


def test_directory_results_come_from_the_cache_until_what_they_show_changes(
    client_for, cast, organisation, django_assert_num_queries
):
    client = client_for(cast.leader_a)
    first = main_of(client.get(DIRECTORY))
    with django_assert_num_queries(5):  # user, version, areas, roles, committees: no units
        assert main_of(client.get(DIRECTORY)) == first
    Unit.objects.filter(pk=organisation.unit_b.pk).update(name="Havndal Skole og SFO")
    assert "Havndal Skole og SFO" in main_of(client.get(DIRECTORY))
    cast.leader_b.last_name = "Nørgaard"
    cast.leader_b.save(update_fields=["last_name"])
    assert "Berit Nørgaard" in main_of(client.get(DIRECTORY))
    organisation.unit_b.closed_at = organisation.unit_b.active_from
    organisation.unit_b.save(update_fields=["closed_at"])
    assert "Havndal Skole" not in main_of(client.get(DIRECTORY))


def test_directory_results_are_cached_for_each_filter_and_language_apart(
    client_for, cast, organisation
):
    client = client_for(cast.leader_a)
    assert "Havndal Skole" in main_of(client.get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="da"))
    assert "Havndal Skole" not in main_of(client.get(DIRECTORY, {"q": "tirsdal"}))
    danish = main_of(client.get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="da"))
    english = main_of(client.get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="en"))
    assert "3 enheder" in danish
    assert "3 units" in english


def test_directory_paginates_fifty_per_page(client_for, cast, organisation):
    UnitFactory.create_batch(60, area=organisation.area_a, committee=organisation.school_committee)
    client = client_for(cast.leader_a)
    first = client.get(DIRECTORY)
    second = client.get(DIRECTORY, {"side": 2})
    assert len(names_in(first)) == 50
    assert len(names_in(second)) == 13
    assert set(names_in(first)).isdisjoint(names_in(second))


def test_unit_page_shows_facts_leader_and_sites(client_for, cast, organisation):
    SiteFactory.create(unit=organisation.unit_a, name="Afdeling Vorup", city="Randers NØ")
    response = client_for(cast.council_member).get(organisation.unit_a.get_absolute_url())
    body = response.content.decode()
    assert "Tirsdalens Skole" in body
    assert "Lars Bach" in body
    assert "Afdeling Vorup" in body
    assert "Skole- og Uddannelsesudvalget" in body
    assert "Børn og Skole" in body
    assert "Hanne Vestergaard" in body


def test_closed_unit_page_says_where_it_went(client_for, cast, organisation):
    unit_b = organisation.unit_b
    unit_b.closed_at = unit_b.active_from
    unit_b.successor = organisation.unit_a
    unit_b.save()
    response = client_for(cast.leader_a).get(unit_b.get_absolute_url())
    body = response.content.decode()
    assert "Enheden lukkede" in body
    assert organisation.unit_a.get_absolute_url() in body


def test_unknown_unit_answers_404(client_for, cast):
    response = client_for(cast.administrator).get(reverse("units:detail", args=["findes-ikke"]))
    assert response.status_code == 404


@pytest.mark.parametrize("unit_count", [20, 200])
def test_directory_query_count_does_not_grow_with_units(
    client_for, cast, organisation, django_assert_num_queries, unit_count
):
    UnitFactory.create_batch(
        unit_count,
        area=organisation.area_a,
        committee=organisation.school_committee,
        leader=cast.leader_b,
    )
    client = client_for(cast.leader_a)
    # 1 user, 2 the data's version, 3 the filter's areas (the chosen one is found among them),
    # 4 count of units, 5 the page of units with area, committee and leader, 6 the reader's
    # roles (for the menu), 7 the filter's committees, 8-10 session renewal for the 30-minute
    # idle timeout (savepoint, update, release)
    with django_assert_num_queries(10):
        response = client.get(DIRECTORY, {"area": "boern-og-skole"})
    assert response.status_code == 200
    # then the results (4-5) come from the cache, and the session is not renewed again
    with django_assert_num_queries(5):
        again = client.get(DIRECTORY, {"area": "boern-og-skole"})
    assert main_of(again) == main_of(response)


@pytest.mark.parametrize("site_count", [1, 30])
def test_unit_page_query_count_does_not_grow_with_sites(
    client_for, cast, organisation, django_assert_num_queries, site_count
):
    SiteFactory.create_batch(site_count, unit=organisation.unit_a)
    make_period("2026", 2026)
    client = client_for(cast.leader_a)
    # 1 user, 2 unit with area, director, committee, leader and successor,
    # 3 its sites, 4 the reader's roles, 5 the unit's agreements the reader may open,
    # 6 the current period, 7-9 session renewal (savepoint, update, release)
    with django_assert_num_queries(9):
        response = client.get(organisation.unit_a.get_absolute_url())
    assert response.status_code == 200
