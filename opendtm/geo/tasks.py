from django_tasks import task

from opendtm.geo.services.imports import import_job_run


@task()
def run_import_job(job_id: int) -> str:
    return import_job_run(job_id).status
