"""Background jobs of the tracking app; each takes ids and calls a service."""

from django_tasks import task

from opendtm.collection.models import FormVersion


@task()
def recompute_version_figures(form_version_id: int) -> int:
    """A version's mapping changed: rewrite its submissions' figures; how many submissions."""
    from opendtm.tracking.services.mapping_edits import version_figures_recompute

    version = FormVersion.objects.filter(pk=form_version_id).first()
    return 0 if version is None else version_figures_recompute(version)
