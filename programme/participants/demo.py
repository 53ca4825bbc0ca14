"""Demo kelompok: each demo LPA's participants meet in groups by desa, led by its field
officer, so that the collection sheet's filters have something to show. Only for
`askesos demo`; safe to run twice (an LPA that has groups is left alone)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Count

from programme.participants.groups import meeting_group_create
from programme.participants.models import MeetingGroup, Participant

DEMO_GROUPS = 2  # the two desa with the most participants; the rest stay without a group


def demo_groups_create(*, lpa: Any, officer: Any) -> int:
    connection.set_tenant(lpa)
    try:
        if MeetingGroup.objects.exists():
            return 0
        villages = (
            Participant.objects.values("village_id", "village__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "village_id")[:DEMO_GROUPS]
        )
        for village in villages:
            group = meeting_group_create(
                name=f"Kelompok {village['village__name']}",
                village_code=village["village_id"],
                officer_id=officer.pk,
            )
            Participant.objects.filter(village_id=village["village_id"]).update(group=group)
        return len(villages)
    finally:
        connection.set_schema_to_public()
