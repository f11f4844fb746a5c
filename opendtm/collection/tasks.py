"""Background jobs of the collection app; each takes ids and calls a service."""

from django_tasks import task

from opendtm.collection.services.forms import form_upload_run


@task()
def convert_form_upload(upload_id: int) -> str:
    return form_upload_run(upload_id).status


@task()
def run_submission_export(export_id: int) -> str:
    # Imported here so that this appended task leaves the module's imports as they were.
    from opendtm.collection.exports.services import export_run

    return export_run(export_id).status
