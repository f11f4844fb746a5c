"""Factories for every model the tests need; each test builds only what it uses."""

import factory
from factory.django import DjangoModelFactory

from opendtm.accounts.models import Membership, Operation, User
from opendtm.accounts.roles import Role
from opendtm.geo.models import AdminArea, Site


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("pass-word-123")


class OperationFactory(DjangoModelFactory):
    class Meta:
        model = Operation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Operation {n}")
    slug = factory.Sequence(lambda n: f"operation-{n}")
    country_iso3 = "NGA"
    country_iso2 = "NG"
    country_name = "Nigeria"
    admin_level_names = ["Country", "State", "LGA", "Ward"]


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    operation = factory.SubFactory(OperationFactory)
    role = Role.VIEWER


def square(lon: float, lat: float, size: float = 1.0) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


class AdminAreaFactory(DjangoModelFactory):
    class Meta:
        model = AdminArea

    operation = factory.SubFactory(OperationFactory)
    level = 1
    pcode = factory.Sequence(lambda n: f"NG{n + 1:03d}")
    name = factory.Sequence(lambda n: f"State {n}")


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    operation = factory.SelfAttribute("admin_area.operation")
    admin_area = factory.SubFactory(AdminAreaFactory)
    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"Site {n}")
    site_type = Site.Type.CAMP
