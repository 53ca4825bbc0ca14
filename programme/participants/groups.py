"""Meeting groups (kelompok): the participants of a desa who meet monthly with the
field officer who collects their premiums. A participant belongs to one group or none;
the collection sheet is filtered by group, by desa and by the group's officer."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from askesos.geo.models import Village
from programme.participants.errors import ParticipantConflict, ParticipantError
from programme.participants.models import MeetingGroup, Participant

GROUP_NAME_MAX = MeetingGroup._meta.get_field("name").max_length


def group_officers() -> list[Any]:
    """The LPA's active team members, who may lead a group (field officers first)."""
    from askesos.accounts.models import User
    from askesos.roles import LpaRole
    from askesos.staff.models import Membership

    memberships = list(Membership.objects.filter(is_active=True).values_list("user_id", "role"))
    users = User.objects.in_bulk([user_id for user_id, _role in memberships])
    order = {role: index for index, role in enumerate(reversed(LpaRole.values))}
    ranked = sorted(memberships, key=lambda m: (order.get(m[1], 99), users[m[0]].username))
    return [users[user_id] for user_id, _role in ranked if user_id in users]


def meeting_group_create(
    *, name: str, village_code: str, officer_id: int | None, actor: Any = None
) -> MeetingGroup:
    from askesos.staff.models import Membership

    name = " ".join((name or "").split())[:GROUP_NAME_MAX]
    if not name:
        raise ParticipantError("group_name_required", field="name")
    if not Village.objects.filter(code=village_code).exists():
        raise ParticipantError("village_unknown", field="village_code", code=village_code)
    if officer_id and not Membership.objects.filter(user_id=officer_id, is_active=True).exists():
        raise ParticipantError("group_officer_not_member", field="officer")
    try:
        with transaction.atomic():
            return MeetingGroup.objects.create(
                name=name, village_id=village_code, officer_id=officer_id or None
            )
    except IntegrityError as exc:
        raise ParticipantConflict("group_name_taken", field="name", name=name) from exc


def participant_group_set(
    *, participant: Participant, group: MeetingGroup | None, actor: Any = None
) -> Participant:
    """Put a participant in a group (or none): who collects their premiums. Saved
    through the model so that the audit log records the move."""
    participant.group = group
    participant.save(update_fields=["group"])
    return participant
