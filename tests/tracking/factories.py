import datetime

import factory
from factory.django import DjangoModelFactory

from opendtm.tracking.models import AssessmentType, Round, RoundRevision
from tests.factories import OperationFactory


class RoundFactory(DjangoModelFactory):
    class Meta:
        model = Round

    operation = factory.SubFactory(OperationFactory)
    number = factory.Sequence(lambda n: n + 1)
    assessment_type = AssessmentType.SITE
    period_start = factory.LazyAttribute(
        lambda o: datetime.date(2026, 1, 1) + datetime.timedelta(days=31 * o.number)
    )
    period_end = factory.LazyAttribute(lambda o: o.period_start + datetime.timedelta(days=27))

    @factory.post_generation
    def revision(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy's hook
        if create:
            RoundRevision.objects.create(round=obj, number=1)
