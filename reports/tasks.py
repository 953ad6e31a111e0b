"""The background tasks of the reports (Django's tasks API, through the django-tasks backport).

A task's arguments are stored by the backend (a database row, a Redis key) and named in the
worker's log: only the job's public id goes in, never anything personal.
"""

from django_tasks import task

from .exports import export_job_run


@task()
def household_list_task(job_id: str) -> str:
    """Write the household list of an `ExportJob` (reports.exports.export_job_run)."""
    return export_job_run(public_id=job_id)
