import pytest

from randers.organisation import selectors
from tests.factories import UserFactory
from units import services as unit_services

pytestmark = pytest.mark.django_db

EVERY_STATE = [
    "Kladde",
    "Indsendt",
    "I dialog med udvalget",
    "Godkendt af udvalget",
    "Underskrevet",
]


def table(grant: selectors.Grant) -> dict[str, object]:
    return {
        ability.key: ("alle" if ability.everywhere else ability.states)
        for ability in grant.abilities
    }


def test_a_leader_may_write_submit_and_sign_their_units_agreement(cast, organisation, period):
    access = selectors.access_of(cast.leader_a)
    (grant,) = access.grants
    assert (grant.role, grant.scope, grant.signs_as) == (
        "Leder af Tirsdalens Skole",
        "Tirsdalens Skole",
        "Leder af enheden",
    )
    assert table(grant) == {
        "read": "alle",
        "edit": ["Kladde"],
        "return": [],
        "send": [],
        "approve": [],
        "sign": ["Godkendt af udvalget"],
        "amend": ["Underskrevet"],
        "revoke": [],
        "history": "alle",
        "start": "alle",
    }


def test_a_director_reviews_approves_signs_and_revokes_in_the_area(cast, organisation, period):
    (grant,) = selectors.access_of(cast.director).grants
    assert (grant.role, grant.scope, grant.signs_as) == (
        "Direktør for Børn og Skole",
        "Enhederne i Børn og Skole: 2 åbne enheder",
        "Direktør, på vegne af byrådet",
    )
    assert table(grant) == {
        "read": "alle",
        "edit": [],
        "return": ["Indsendt", "I dialog med udvalget"],
        "send": ["Indsendt"],
        "approve": ["I dialog med udvalget"],
        "sign": ["Godkendt af udvalget"],
        "amend": [],
        "revoke": "alle",
        "history": "alle",
        "start": [],
    }


def test_a_chair_on_the_council_holds_two_roles_each_with_its_grants(cast, organisation, period):
    chair, council = selectors.access_of(cast.committee_chair).grants
    assert (chair.role, council.role) == (
        "Formand for Skole- og Uddannelsesudvalget",
        "Medlem af byrådet",
    )
    assert table(chair)["approve"] == ["I dialog med udvalget"]
    assert table(council)["approve"] == []
    assert table(council)["read"] == [
        "I dialog med udvalget",
        "Godkendt af udvalget",
        "Underskrevet",
    ]
    assert chair.signs_as == ""  # the period's required signers are the leader and the director


def test_an_administrator_may_do_everything_but_sign(cast, organisation, period):
    (grant,) = selectors.access_of(cast.administrator).grants
    assert grant.scope == "Alle enheder: 3 åbne enheder"
    assert table(grant)["sign"] == []
    assert table(grant)["edit"] == ["Kladde"]
    administer = grant.ability("administer")
    assert administer is not None
    assert administer.everywhere


def test_someone_without_roles_is_granted_nothing(cast, organisation, period, in_state):
    in_state("signed")
    access = selectors.access_of(UserFactory.create())
    assert (access.grants, access.visible_agreements) == ([], 1)


def test_the_leader_of_a_closed_unit_may_only_read(cast, organisation, period):
    unit_services.close_unit(organisation.unit_a, by=None)
    (grant,) = selectors.access_of(cast.leader_a).grants
    assert grant.scope == "Tirsdalens Skole (lukket)"
    assert {key for key, value in table(grant).items() if value} == {"read", "history"}


def test_who_may_do_what_with_a_units_agreements(cast, organisation, period):
    grants = selectors.access_to_unit(organisation.unit_a)
    assert [(g.role, g.holders) for g in grants] == [
        ("Leder", "Lars Bach"),
        ("Direktør for Børn og Skole", "Hanne Vestergaard"),
        ("Formand for Skole- og Uddannelsesudvalget", "Karen Lund"),
        ("Medlemmer af Skole- og Uddannelsesudvalget", "Søren Kjær"),
        ("Byrådets medlemmer", "2 personer"),
        ("Administratorer", "1 person"),
    ]
    rows = dict(selectors.ability_rows(grants))
    assert [a is not None and a.allowed for a in rows["Registrere udvalgets godkendelse"]] == [
        False,
        True,
        True,
        False,
        False,
        True,
    ]
    assert [a.states if a else None for a in rows["Læse aftalen"]][3] == [
        "I dialog med udvalget",
        "Godkendt af udvalget",
        "Underskrevet",
    ]
