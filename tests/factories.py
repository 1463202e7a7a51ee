"""factory_boy factories for the models; roles are given through the services, never by hand."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from units.models import Area, Committee, Council, Site, Unit, User


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    email = factory.LazyAttribute(lambda o: f"{o.username}@randers.dk")
    password = factory.django.Password("secret-password-42")


class CouncilFactory(DjangoModelFactory[Council]):
    class Meta:
        model = Council
        django_get_or_create = ("name",)

    name = "Randers Byråd"


class CommitteeFactory(DjangoModelFactory[Committee]):
    class Meta:
        model = Committee
        django_get_or_create = ("slug",)

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Udvalg {n}")
    slug = factory.Sequence(lambda n: f"udvalg-{n}")


class AreaFactory(DjangoModelFactory[Area]):
    class Meta:
        model = Area
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Område {n}")
    slug = factory.Sequence(lambda n: f"omraade-{n}")


class UnitFactory(DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Enhed {n:05d}")
    slug = factory.Sequence(lambda n: f"enhed-{n:05d}")
    kind = Unit.Kind.SCHOOL
    area = factory.SubFactory(AreaFactory)
    committee = factory.SubFactory(CommitteeFactory)
    active_from = date(2020, 1, 1)


class SiteFactory(DjangoModelFactory[Site]):
    class Meta:
        model = Site

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"Afdeling {n}")
    city = "Randers"
