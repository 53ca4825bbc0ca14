"""Reads of LPAs for government users: always limited to the user's scope."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name, schema_context

from askesos.roles import GovernmentLevel
from tenants.models import Lpa


def lpa_list_for_scope(*, scope: Any) -> QuerySet[Lpa]:
    with schema_context(get_public_schema_name()):
        lpas = Lpa.objects.select_related("regency", "scheme_version").exclude(
            schema_name=get_public_schema_name()
        )
        if scope.level == GovernmentLevel.PROVINCE:
            lpas = lpas.filter(regency__province_id=scope.province_id)
        elif scope.level == GovernmentLevel.REGENCY:
            lpas = lpas.filter(regency_id=scope.regency_id)
        return lpas


def lpa_current() -> Lpa:
    """The LPA whose schema the connection is in (tenant services run inside one)."""
    from django.db import connection

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Lpa):
        return tenant
    if connection.schema_name == get_public_schema_name():
        raise RuntimeError("not inside an LPA's schema")
    return Lpa.objects.select_related("regency").get(schema_name=connection.schema_name)


RECONNECT_EVERY = 50


def lpa_each(lpas: Iterable[Lpa], *, reconnect_every: int = RECONNECT_EVERY) -> Iterator[Lpa]:
    """Walk many LPAs in one process, opening a fresh database connection every
    `reconnect_every` of them. A PostgreSQL backend keeps catalog caches for every
    schema it touched; after 2.000 schemas each DDL statement in it cost 4,6x more
    (docs/decisions/0003)."""
    from django.db import connection

    for index, lpa in enumerate(lpas, start=1):
        if index % reconnect_every == 0:
            connection.close()
        yield lpa
