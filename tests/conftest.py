"""The shared cast of every access test, and the organisation they work in.

Two areas (A: Børn og Skole with units A and B; other: Miljø og Teknik with unit C), two
committees (the school committee holding units A and B, the technical committee holding unit C),
and the people:

- leader_a leads unit A, leader_b leads unit B
- director directs area A, other_director directs the other area
- council_member sits on the council (and on the school committee as a member)
- committee_chair sits on the council and chairs the school committee
- administrator administers everything
- anonymous is the Django test client without a login
"""

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from randers.notifications.services import UNREAD_KEY
from tests.factories import AreaFactory, CommitteeFactory, CouncilFactory, UnitFactory, UserFactory
from units import services
from units.models import Area, Committee, CommitteeMembership, Council, Unit, User


@dataclass
class Organisation:
    council: Council
    school_committee: Committee
    technical_committee: Committee
    area_a: Area
    other_area: Area
    unit_a: Unit
    unit_b: Unit
    unit_c: Unit


@dataclass
class Cast:
    leader_a: User
    leader_b: User
    director: User
    other_director: User
    council_member: User
    committee_chair: User
    administrator: User

    def all(self) -> dict[str, User]:
        return dict(self.__dict__)


@pytest.fixture(autouse=True)
def _data_version_of_its_own(request: pytest.FixtureRequest) -> None:
    """Each test reads what is cached under the data's version (`randers.versions`) under a
    number no earlier test had: the rollbacks between tests take the version back, and what an
    earlier test cached at that number would otherwise answer in its place."""
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db and request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE data_version SET number = nextval('data_version_seq');"
            "UPDATE search_version SET number = nextval('data_version_seq')"
        )


@pytest.fixture
def organisation(request: pytest.FixtureRequest, db: None) -> Organisation:
    if "cast_for_module" in request.fixturenames:
        return request.getfixturevalue("_cast_copy")[0]
    return build_organisation()


@pytest.fixture
def cast(request: pytest.FixtureRequest, organisation: Organisation) -> Cast:
    if "cast_for_module" in request.fixturenames:
        return request.getfixturevalue("_cast_copy")[1]
    return build_cast(organisation)


@pytest.fixture(scope="module")
def cast_for_module(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[tuple[Organisation, Cast]]:
    """The organisation and the cast built once for a module, as Django's `setUpTestData` does. A
    module whose tests are all marked django_db (never transaction=True) opts in with
    `pytest.mark.usefixtures("cast_for_module")` in its `pytestmark`. They are made in a
    transaction that is rolled back after the module, while each test rolls back its own changes
    to a savepoint inside it; every test of the module sees them in the database. PostgreSQL's
    now() (the audit rows' time) is the module's start then, as it was each test's start before.
    Building the cast through the services takes about a tenth of a second, which hundreds of
    tests paid each."""
    with django_db_blocker.unblock(), transaction.atomic():
        org = build_organisation()
        yield org, build_cast(org)
        transaction.set_rollback(True)


@pytest.fixture
def _cast_copy(cast_for_module: tuple[Organisation, Cast]) -> tuple[Organisation, Cast]:
    """Each test's own copy of the module's organisation and cast (as Django's TestData gives):
    what one test changes on the Python objects never reaches the next. Their unread counts are
    dropped from the cache, which the rollbacks do not reach, so that each test starts as cold
    as with a cast of its own."""
    org, people = copy.deepcopy(cast_for_module)
    cache.delete_many([UNREAD_KEY.format(person.pk) for person in people.all().values()])
    return org, people


def build_organisation() -> Organisation:
    """The two areas, two committees and three units (also for module-scoped fixtures)."""
    council = CouncilFactory.create()
    school_committee = CommitteeFactory.create(
        council=council, name="Skole- og Uddannelsesudvalget", slug="skole-og-uddannelsesudvalget"
    )
    technical_committee = CommitteeFactory.create(
        council=council, name="Miljø- og Teknikudvalget", slug="miljoe-og-teknikudvalget"
    )
    area_a = AreaFactory.create(name="Børn og Skole", slug="boern-og-skole")
    other_area = AreaFactory.create(name="Miljø og Teknik", slug="miljoe-og-teknik")
    return Organisation(
        council=council,
        school_committee=school_committee,
        technical_committee=technical_committee,
        area_a=area_a,
        other_area=other_area,
        unit_a=UnitFactory.create(
            name="Tirsdalens Skole",
            slug="tirsdalens-skole",
            area=area_a,
            committee=school_committee,
        ),
        unit_b=UnitFactory.create(
            name="Havndal Skole", slug="havndal-skole", area=area_a, committee=school_committee
        ),
        unit_c=UnitFactory.create(
            name="Affaldscentret",
            slug="affaldscentret",
            kind=Unit.Kind.TECHNICAL,
            area=other_area,
            committee=technical_committee,
        ),
    )


def build_cast(org: Organisation) -> Cast:
    """The cast, with their roles granted through the services."""
    people = Cast(
        leader_a=UserFactory.create(username="leader_a", first_name="Lars", last_name="Bach"),
        leader_b=UserFactory.create(username="leader_b", first_name="Berit", last_name="Holm"),
        director=UserFactory.create(
            username="director", first_name="Hanne", last_name="Vestergaard"
        ),
        other_director=UserFactory.create(
            username="other_director", first_name="Ole", last_name="Dam"
        ),
        council_member=UserFactory.create(
            username="council_member", first_name="Søren", last_name="Kjær"
        ),
        committee_chair=UserFactory.create(
            username="committee_chair", first_name="Karen", last_name="Lund"
        ),
        administrator=UserFactory.create(
            username="administrator", first_name="Mette", last_name="Holm"
        ),
    )
    services.assign_leader(org.unit_a, leader=people.leader_a, by=None)
    services.assign_leader(org.unit_b, leader=people.leader_b, by=None)
    services.assign_director(org.area_a, director=people.director, by=None)
    services.assign_director(org.other_area, director=people.other_director, by=None)
    for person in (people.council_member, people.committee_chair):
        services.add_council_member(org.council, person=person, by=None)
    services.add_committee_member(
        org.school_committee,
        person=people.council_member,
        role=CommitteeMembership.Role.MEMBER,
        by=None,
    )
    services.add_committee_member(
        org.school_committee,
        person=people.committee_chair,
        role=CommitteeMembership.Role.CHAIR,
        by=None,
    )
    services.make_administrator(people.administrator, by=None)
    return people


@pytest.fixture
def client_for(client: Client):  # type: ignore[no-untyped-def]
    """A test client logged in as the given person (None: anonymous)."""

    def login(user: User | None) -> Client:
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture
def run_queued_jobs():  # type: ignore[no-untyped-def]
    """Run the queued jobs' tasks here and now, as a worker would (for tests of what a job does;
    the real worker is tested in tests/agreements/test_worker.py)."""
    from django.utils.module_loading import import_string

    from randers.jobs.models import Job
    from randers.jobs.services import TASKS

    def run(kind: str | None = None) -> list[Job]:
        queued = Job.objects.filter(status=Job.Status.QUEUED).order_by("pk")
        jobs = list(queued.filter(kind=kind) if kind else queued)
        for job in jobs:
            import_string(TASKS[Job.Kind(job.kind)])(job.pk)
            job.refresh_from_db()
        return jobs

    return run


@contextmanager
def demo_for_module(django_db_blocker, **options: Any) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The demo municipality seeded once for a module's tests, for a module-scoped fixture: seeded
    in a transaction that is rolled back after the module, while each test (marked django_db)
    rolls back its own changes to a savepoint inside it. Seeding takes seconds; once per module
    rather than per test keeps the suite fast."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", **options)
        yield
        transaction.set_rollback(True)
