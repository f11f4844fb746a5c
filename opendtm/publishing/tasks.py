"""Background jobs of the publishing app; each takes ids and calls a service."""

from django.utils import translation
from django_tasks import task

from opendtm.publishing.services.exports import series_build
from opendtm.tracking.models import Round


@task()
def build_series_file(round_id: int, level: str, format: str, language: str) -> str:
    """A multi-round file, its headers in the language of the page that asked for it."""
    round = Round.objects.select_related("operation").get(pk=round_id)
    with translation.override(language):
        return str(series_build(round=round, level=level, format=format).path)
