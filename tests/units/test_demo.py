import pytest
from django.core.management import CommandError, call_command

from tests.conftest import demo_for_module
from units import permissions
from units.models import Area, Committee, Council, Unit, User

pytestmark = pytest.mark.django_db


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with demo_for_module(django_db_blocker, units=220, stdout=None):
        yield


def test_seed_builds_the_municipality_after_randers(seeded):
    assert Council.objects.get().memberships.count() == 31
    assert set(Committee.objects.values_list("name", flat=True)) == {
        "Økonomiudvalget",
        "Skole- og Uddannelsesudvalget",
        "Børne- og Familieudvalget",
        "Omsorgsudvalget",
        "Sundheds-, Idræts- og Kulturudvalget",
        "Socialudvalget",
        "Beskæftigelsesudvalget",
        "Miljø- og Teknikudvalget",
    }
    assert set(Area.objects.values_list("name", flat=True)) == {
        "Børn og Skole",
        "Sundhed, Kultur og Omsorg",
        "Social og Arbejdsmarked",
        "Miljø og Teknik",
        "Stabene",
    }
    assert Unit.objects.count() == 220
    assert Unit.objects.filter(leader__isnull=True).count() == 0
    assert set(Unit.objects.values_list("kind", flat=True)) == set(Unit.Kind.values)
    assert Unit.objects.filter(sites__isnull=False).distinct().count() > 20
    for committee in Committee.objects.all():
        assert committee.memberships.filter(role="chair").count() == 1


def test_seed_creates_the_demo_accounts_with_their_roles(seeded):
    accounts = {
        user.username: user
        for user in User.objects.filter(username__in=["admin", "council", "director", "leader"])
    }
    for user in accounts.values():
        assert user.check_password("demo")
    assert permissions.is_administrator(accounts["admin"])
    assert permissions.is_council_member(accounts["council"])
    assert [c.name for c in permissions.committees_of(accounts["council"])] == [
        "Skole- og Uddannelsesudvalget"
    ]
    assert [a.name for a in permissions.areas_directed_by(accounts["director"])] == [
        "Børn og Skole"
    ]
    assert [u.name for u in permissions.units_led_by(accounts["leader"])] == ["Tirsdalens Skole"]


def test_other_people_cannot_log_in_with_a_password(seeded):
    assert not User.objects.get(username="leder00001").has_usable_password()


def test_seed_is_idempotent(seeded):
    counts = (User.objects.count(), Unit.objects.count(), Area.objects.count())
    call_command("seed_demo", units=220)
    assert (User.objects.count(), Unit.objects.count(), Area.objects.count()) == counts


def test_seed_grows_to_a_larger_municipality(seeded):
    call_command("seed_demo", units=400)
    assert Unit.objects.count() == 400
    assert Unit.objects.filter(name="Tirsdalens Skole").count() == 1


def test_seed_if_empty_leaves_an_existing_municipality(seeded):
    Unit.objects.filter(name="Havndal Skole").update(name="Havndal Skole og Børnehus")
    call_command("seed_demo", if_empty=True)
    assert not Unit.objects.filter(name="Havndal Skole").exists()


@pytest.mark.parametrize("units", [0, 5001])
def test_seed_refuses_a_size_out_of_range(db, units):
    with pytest.raises(CommandError, match="between 1 and 5000"):
        call_command("seed_demo", units=units)
