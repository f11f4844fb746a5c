"""The public dashboard: a published round's map and charts for anyone, signed in or not,
where the operation allows it (Operation.public_dashboard), and a 404 everywhere else.

Its cells come only from publishing's public tables: public indicators, small counts of
people blanked, no protection data. Sites show their public figures and no link.
"""

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page

from opendtm.accounts.models import Operation
from opendtm.core.errors import NotFound
from opendtm.publishing.selectors.tables import Audience, table
from opendtm.tracking.models import Round
from opendtm.tracking.selectors import dashboard as selectors
from opendtm.tracking.selectors.dashboard import Cells, Level, Reader
from opendtm.web.views.dashboard import (
    answer,
    area_csv,
    csv_query,
    file_stem,
    page_context,
    round_picked,
)


def public_cells(round: Round, level: Level, codes: list[str]) -> Cells:
    found = table(round, level, codes=codes, audience=Audience.PUBLIC)
    blanked = set(found.suppressed)
    return Cells(
        values={key: value for key, value in found.values.items() if key not in blanked},
        blanked=blanked,
        note=found.note,
    )


PUBLIC = Reader(name="public", read=public_cells)


def public_operation(slug: str) -> Operation:
    found = Operation.objects.filter(slug=slug, public_dashboard=True).first()
    if found is None:
        raise NotFound(_("No public dashboard '%(slug)s'.") % {"slug": slug})
    return found


def public_round(slug: str, assessment_type: str, number: int) -> Round:
    return selectors.dashboard_round(
        operation=public_operation(slug), assessment_type=assessment_type, number=number
    )


def public_page(
    request: HttpRequest, slug: str, assessment_type: str = "", number: int = 0
) -> HttpResponse:
    """The round's public dashboard; the latest published round without one in the URL."""
    operation = public_operation(slug)
    rounds = selectors.dashboard_rounds(operation=operation)
    if assessment_type:
        current = public_round(slug, assessment_type, number)
    else:
        current = round_picked(request, rounds)
    context = page_context(
        rounds,
        current,
        data_url=reverse(
            "public:data", args=[slug, current.assessment_type, current.number, "PART"]
        ),
        round_url=lambda item: reverse(
            "public:round", args=[slug, item.assessment_type, item.number]
        ),
    )
    context.update(
        public_operation=operation,
        csv_url=reverse("public:csv", args=[slug, current.assessment_type, current.number]),
        threshold=operation.suppression_threshold,
    )
    return render(request, "web/dashboard/public.html", context)


@gzip_page
def public_data(
    request: HttpRequest, slug: str, assessment_type: str, number: int, part: str
) -> HttpResponse:
    found = public_round(slug, assessment_type, number)
    return answer(request, reader=PUBLIC, round=found, part=part)


def public_csv(
    request: HttpRequest, slug: str, assessment_type: str, number: int
) -> HttpResponseBase:
    found = public_round(slug, assessment_type, number)
    return area_csv(PUBLIC, found, csv_query(request), file_stem(found))
