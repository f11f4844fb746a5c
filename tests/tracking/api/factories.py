"""Figures and issues written straight to a round, for tests about who may read them; how
submissions give figures and issues is tested in tests/tracking/services."""

import factory
from factory.django import DjangoModelFactory

from opendtm.tracking.models import Figure, Indicator, ValidationIssue


class SiteFigureFactory(DjangoModelFactory):
    """A figure of a site in an admin2 area; pass revision and site."""

    class Meta:
        model = Figure

    indicator = factory.LazyFunction(lambda: Indicator.objects.get(code="idp_individuals"))
    admin_area = factory.SelfAttribute("site.admin_area")
    admin2 = factory.SelfAttribute("site.admin_area")
    admin1 = factory.SelfAttribute("site.admin_area.parent")
    value = 50


class IssueFactory(DjangoModelFactory):
    """An open blocking issue of a site; pass round and site."""

    class Meta:
        model = ValidationIssue

    rule = "sex_sum"
    field = "idp_individuals"
    message = factory.LazyAttribute(lambda issue: f"{issue.site.code}: 45 + 60 is not 100")
    severity = ValidationIssue.Severity.BLOCKING
