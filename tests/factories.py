"""Factories for every model the tests need; each test builds only what it uses."""

import factory
from factory.django import DjangoModelFactory

from opendtm.accounts.models import Membership, Operation, User
from opendtm.accounts.roles import Role
from opendtm.geo.models import AdminArea, AdminAreaVersion, ImportJob, Site, SiteAreaMatch


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


class BoundedAreaFactory(AdminAreaFactory):
    """An admin area with a square boundary, its bounding box and its map copy."""

    class Params:
        lon = 13.0
        lat = 11.0
        size = 1.0

    geometry = factory.LazyAttribute(lambda area: square(area.lon, area.lat, area.size))
    geometry_simplified = factory.SelfAttribute("geometry")
    min_lon = factory.SelfAttribute("lon")
    min_lat = factory.SelfAttribute("lat")
    max_lon = factory.LazyAttribute(lambda area: area.lon + area.size)
    max_lat = factory.LazyAttribute(lambda area: area.lat + area.size)


class SiteAreaMatchFactory(DjangoModelFactory):
    class Meta:
        model = SiteAreaMatch

    site = factory.SubFactory(
        SiteFactory, admin_area=None, operation=factory.SubFactory(OperationFactory)
    )
    suggested_area = factory.SubFactory(
        AdminAreaFactory, operation=factory.SelfAttribute("..site.operation")
    )
    given_name = factory.LazyAttribute(lambda match: match.suggested_area.name + " M.C.")
    score = 90.0


class AdminAreaVersionFactory(DjangoModelFactory):
    class Meta:
        model = AdminAreaVersion

    area = factory.SubFactory(AdminAreaFactory)
    name = factory.LazyAttribute(lambda version: f"Former {version.area.name}")
    source = "COD-AB 2019"


class ImportJobFactory(DjangoModelFactory):
    class Meta:
        model = ImportJob

    operation = factory.SubFactory(OperationFactory)
    kind = ImportJob.Kind.SITES
    file = factory.django.FileField(filename="sites.csv", data=b"code,name\n")
    file_name = "sites.csv"
    created_by = factory.SubFactory(UserFactory)


def api_key_for(user: User, name: str = "tests") -> str:
    """A new API token of the user; the key to send as 'Authorization: Token <key>'."""
    from opendtm.accounts.services.tokens import token_create

    _token, key = token_create(user=user, name=name)
    return key
