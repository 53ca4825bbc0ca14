"""Reading the registry: search by NIK, policy number or name."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import OuterRef, QuerySet, Subquery

from programme.participants.models import OPEN_STATUSES, ImportBatch, Participant, Policy

_NIK = re.compile(r"^\d{16}$")


def cards_not_handed_over() -> QuerySet[Policy]:
    """Open policies whose member card was printed but has not reached its holder (cards
    kept in the LPA's drawer never reach people: the research found exactly that)."""
    return (
        Policy.objects.filter(status__in=OPEN_STATUSES, cards__isnull=False)
        .exclude(cards__handed_over_on__isnull=False)
        .distinct()
    )


def participant_search(
    *, query: str = "", status: str = "", card_pending: bool = False
) -> QuerySet[Participant]:
    """NIK (16 digits) and policy numbers match exactly; anything else matches the
    beginnings of the words of names. Pair a page of it with
    participants_with_latest_policy."""
    participants = Participant.objects.select_related("village")
    query = (query or "").strip()
    compact = query.replace(" ", "").replace(".", "")
    if _NIK.match(compact):
        participants = participants.filter(nik=compact)
    elif query.upper().startswith("AKS-"):
        participants = participants.filter(policies__number=query.upper())
    elif query:
        words = re.findall(r"\w+", query.lower())
        if words:
            # Every word of the query must start a word of the name: "bud san" finds
            # "Budi Santoso". The expression matches the GIN index on the name.
            prefix = SearchQuery(
                " & ".join(f"{w}:*" for w in words), search_type="raw", config="simple"
            )
            participants = participants.annotate(
                name_words=SearchVector("name", config="simple")
            ).filter(name_words=prefix)
    if status:
        latest = Policy.objects.filter(participant=OuterRef("pk")).order_by("-start_date", "-pk")
        participants = participants.annotate(
            latest_status=Subquery(latest.values("status")[:1])
        ).filter(latest_status=status)
    if card_pending:
        participants = participants.filter(policies__in=cards_not_handed_over())
    return participants.order_by("name", "pk")


def participants_with_latest_policy(participants: list[Participant]) -> list[Participant]:
    """Attach `latest_policy` to each participant of a page: one query for the page,
    instead of a subquery per matching row before the sort (which made broad name
    searches slow)."""
    latest: dict[int, Policy] = {}
    for policy in Policy.objects.filter(participant__in=participants).order_by(
        "participant_id", "-start_date", "-pk"
    ):
        latest.setdefault(policy.participant_id, policy)
    for participant in participants:
        participant.latest_policy = latest.get(participant.pk)
    return participants


def import_batches_recent(*, limit: int = 10) -> list[ImportBatch]:
    """The LPA's latest imports, newest first, without their per-row reports."""
    return list(ImportBatch.objects.defer("errors", "notes")[:limit])
