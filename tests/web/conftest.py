import pytest

from opendtm.accounts.roles import Role
from tests.factories import AdminAreaFactory, BoundedAreaFactory, SiteFactory


@pytest.fixture
def geography(operation):
    """A country, two states with shapes, an LGA, and three sites (one in the LGA)."""
    country = AdminAreaFactory(operation=operation, level=0, pcode="NG", name="Nigeria")
    borno = BoundedAreaFactory(
        operation=operation,
        level=1,
        pcode="NG008",
        name="Borno",
        parent=country,
        lon=12,
        lat=10,
        size=2,
    )
    yobe = BoundedAreaFactory(
        operation=operation,
        level=1,
        pcode="NG036",
        name="Yobe",
        parent=country,
        lon=10,
        lat=11,
        size=2,
    )
    maiduguri = BoundedAreaFactory(
        operation=operation,
        level=2,
        pcode="NG008021",
        name="Maiduguri",
        parent=borno,
        lon=13,
        lat=11,
        size=0.5,
    )
    sites = [
        SiteFactory(
            admin_area=maiduguri, code="MMC-01", name="Bakassi Camp", latitude=11.2, longitude=13.2
        ),
        SiteFactory(
            admin_area=borno,
            code="BOR-02",
            name="Dalori Host Community",
            site_type="host_community",
            latitude=10.5,
            longitude=12.5,
        ),
        SiteFactory(
            admin_area=yobe,
            code="YOB-03",
            name="Damaturu Primary School",
            site_type="collective_centre",
        ),
    ]
    return {
        "country": country,
        "borno": borno,
        "yobe": yobe,
        "maiduguri": maiduguri,
        "sites": sites,
    }


@pytest.fixture
def signed_in(client, member, operation):
    """signed_in(role) -> a test client signed in as a new user with that role."""

    def sign_in(role: str = Role.OPERATION_ADMIN):
        user = member(role, operation)
        client.force_login(user)
        client.user = user
        return client

    return sign_in
