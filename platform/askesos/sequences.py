"""Taking a row's id before inserting it, so that a number built from the id (a
policy or claim number) is written in the same INSERT as the row."""

from __future__ import annotations

from django.db import connection
from django.db.models import Model


def next_id(model: type[Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s))",
            [model._meta.db_table, model._meta.pk.column],
        )
        return cursor.fetchone()[0]
