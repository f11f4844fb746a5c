"""Background jobs of the publishing app; each takes ids and calls a service."""

from django.utils import translation
from django_tasks import task

from opendtm.publishing.services.exports import round_files_prepare, series_build
from opendtm.tracking.models import Round


@task()
def build_series_file(round_id: int, level: str, format: str, language: str) -> str:
    """A multi-round file, its headers in the language of the page that asked for it."""
    round = Round.objects.select_related("operation").get(pk=round_id)
    with translation.override(language):
        return str(series_build(round=round, level=level, format=format).path)


@task()
def prepare_round_files(round_id: int) -> int:
    """A round was published: its public files, written ahead of the first download."""
    round = Round.objects.select_related("operation").get(pk=round_id)
    with translation.override(round.operation.default_language):
        return round_files_prepare(round=round)


def round_published_received(round_id: int, **_kwargs: object) -> None:
    prepare_round_files.enqueue(round_id)
