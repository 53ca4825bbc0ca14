from django.utils.translation import gettext_lazy as _
from rest_framework import status

from askesos.errors import DomainError


class LpaError(DomainError):
    messages = {
        "npwp_invalid": _("The NPWP %(npwp)s is not valid: %(reason)s"),
        "npwp_taken": _("The NPWP %(npwp)s is already registered for LPA %(lpa)s."),
        "slug_invalid": _(
            "The address name must be 3 to 40 lowercase letters, digits or hyphens, "
            "starting with a letter."
        ),
        "slug_reserved": _("The address name %(slug)s is reserved."),
        "slug_taken": _("The address name %(slug)s is already used by another LPA."),
        "regency_unknown": _("Unknown regency/city code: %(code)s."),
        "legal_form_invalid": _("Unknown legal form: %(value)s."),
        "name_required": _("The LPA's name is required."),
        "template_missing": _(
            "The tenant template schema is not migrated. Run `askesos setup` first."
        ),
        "status_invalid": _("Unknown status: %(value)s."),
        "bank_purpose_invalid": _("Unknown bank account purpose: %(value)s."),
        "bank_number_invalid": _("An account number has 6 to 20 digits."),
        "bank_name_required": _("Name the bank."),
        "bank_holder_required": _("Name the account holder (the Tim Pengelola)."),
        "bank_number_taken": _("Account %(number)s is already recorded for %(lpa)s."),
        "started_after_records": _(
            "The LPA's books and registry begin on %(date)s: it joined ASKESOS on that day "
            "or before."
        ),
    }


class LpaConflict(LpaError):
    http_status = status.HTTP_409_CONFLICT


class JobError(DomainError):
    messages = {
        "job_unknown": _("Unknown job %(name)s. The daily jobs are: %(names)s."),
        "lpa_unknown": _("No LPA has the address name %(slug)s."),
        "lpa_not_ready": _("LPA %(lpa)s is still being prepared; it has no schema to run in."),
        "lpa_not_active": _("LPA %(lpa)s is %(status)s; daily jobs run only for active LPAs."),
    }
