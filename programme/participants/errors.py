from django.utils.translation import gettext_lazy as _
from rest_framework import status

from askesos.errors import DomainError


class ParticipantError(DomainError):
    messages = {
        "nik_invalid": _("The NIK %(nik)s is not valid: %(reason)s"),
        "nik_mismatch": _(
            "The NIK does not agree with the data entered: %(details)s. Correct the data, "
            "or record why it is accepted anyway."
        ),
        "not_eligible": _("Not eligible under %(scheme)s: %(reasons)s"),
        "birth_date_future": _("The birth date is in the future; check the day, month and year."),
        "birth_date_implausible": _("The birth date is before 1900; check the year."),
        "village_unknown": _("Unknown village (desa/kelurahan) code: %(code)s."),
        "already_registered_here": _(
            "This NIK is already registered in this LPA (policy %(policy)s)."
        ),
        "active_elsewhere": _(
            "This NIK is already active as a participant of another LPA. A person may be "
            "active in one LPA only; the district office has been notified."
        ),
        "transition_refused": _("A policy that is %(current)s cannot become %(target)s."),
        "reason_required": _("A reason is required for this change (%(target)s)."),
        "reregistration_refused": _(
            "Re-registration needs the last policy to have ended (it is %(current)s)."
        ),
        "not_deceased": _("Only the policy of a deceased participant can be continued by an heir."),
        "field_invalid": _("%(label)s: %(reason)s"),
        "card_not_open": _("Only a registered or active policy gets a member card."),
        "card_already_handed_over": _("This card was already handed over on %(date)s."),
        "group_name_required": _("Give the meeting group a name."),
        "group_name_taken": _("This village already has a meeting group called %(name)s."),
        "group_officer_not_member": _(
            "The field officer must be an active member of this LPA's team."
        ),
    }


class ParticipantConflict(ParticipantError):
    http_status = status.HTTP_409_CONFLICT
