"""Reading the registry: search by NIK, policy number or name."""

from __future__ import annotations

import re

from django.db.models import OuterRef, QuerySet, Subquery

from programme.participants.models import Participant, Policy

_NIK = re.compile(r"^\d{16}$")


def participant_search(*, query: str = "", status: str = "") -> QuerySet[Participant]:
    """NIK (16 digits) and policy numbers match exactly; anything else matches names
    (trigram index). Each row carries its latest policy's number and status."""
    latest = Policy.objects.filter(participant=OuterRef("pk")).order_by("-start_date", "-pk")
    participants = Participant.objects.select_related("village").annotate(
        policy_number=Subquery(latest.values("number")[:1]),
        policy_status=Subquery(latest.values("status")[:1]),
    )
    query = (query or "").strip()
    compact = query.replace(" ", "").replace(".", "")
    if _NIK.match(compact):
        participants = participants.filter(nik=compact)
    elif query.upper().startswith("AKS-"):
        participants = participants.filter(policies__number=query.upper())
    elif query:
        participants = participants.filter(name__icontains=query)
    if status:
        participants = participants.filter(policy_status=status)
    return participants.order_by("name", "pk")
