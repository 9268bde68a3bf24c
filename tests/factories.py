"""Factories and personas for tests. Names are obviously fictional."""

import datetime as dt

import factory

from parcours.accounts.models import Membership, Organisation, User
from parcours.core.models import Departement
from parcours.people.models import Person


def departement(code: str) -> Departement:
    return Departement.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = "Agent"
    last_name = factory.Sequence(lambda n: f"Test{n}")
    password = factory.django.Password("mot-de-passe-de-test")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    kind = "association"
    name = factory.Sequence(lambda n: f"Association fictive {n}")
    departement = factory.LazyFunction(lambda: departement("30"))
    approval_number = factory.Sequence(lambda n: f"AGR-{n:04d}")
    approval_start = dt.date(2024, 1, 15)

    @factory.post_generation
    def served(self, create, extracted, **kwargs):
        if create and self.kind == "association":
            self.departements_served.add(*(extracted or [self.departement]))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "social_worker"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    association = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Prénomfictif{n}")
    last_name = factory.Sequence(lambda n: f"Nomfictif{n}")
    birth_date = dt.date(1995, 5, 17)
    nationality = "NG"
    gender = "woman"
    departement = factory.LazyAttribute(lambda p: p.association.departement)


def commission(code: str = "30") -> Organisation:
    return Organisation.objects.get_or_create(
        kind="commission",
        departement=departement(code),
        defaults={"name": f"Commission départementale {code}"},
    )[0]


def prefecture(code: str = "30") -> Organisation:
    return Organisation.objects.get_or_create(
        kind="prefecture", departement=departement(code), defaults={"name": f"Préfecture {code}"}
    )[0]
