from celery import shared_task
from django.db import connection


@shared_task
def worker_ping() -> str:
    """Answers with the schema the task ran in: proves a worker is up and that the
    sender's tenant travelled with the task (used by `askesos demo --smoke` and tests)."""
    return connection.schema_name
