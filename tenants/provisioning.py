"""Provisioning an LPA appointed through the API: the schema is cloned by the worker,
and nothing is lost when the broker is down.

- `lpa_provision_request` sends the clone task once the registration commits. If the
  broker cannot be reached the request still succeeds: the LPA is committed, not
  ready (`is_ready` false is "provisioning pending"), and the sweep finishes it.
- `lpa_provision_sweep` (beat, every minute) provisions every LPA that has been
  waiting longer than SWEEP_AFTER, in the worker itself. One it cannot provision
  raises an `lpa_not_ready` finding with the reason, which the province and the
  ministry see on their page of today's state (`/dasbor/sekarang/`) and in their
  strip's count, and an error in the log; the finding is resolved when the LPA
  becomes ready, however it does.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from askesos.availability import send_on_commit
from tenants.models import Lpa
from tenants.services import lpa_provision_schema

logger = logging.getLogger(__name__)

# The clone task normally runs within seconds; an LPA waiting longer lost its task (a
# broker down when it was sent, or restarted before a worker took it).
SWEEP_AFTER = datetime.timedelta(minutes=2)
# LPAs provisioned by one sweep at most (oldest first): about 0,1 s each.
SWEEP_BATCH = 50
FINDING_SUBJECT = "provisioning"


@dataclass
class SweepResult:
    provisioned: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"provisioned": self.provisioned, "failed": self.failed}


def lpa_provision_request(*, lpa: Lpa) -> None:
    """Queue the clone of a registered LPA's schema for when the registration commits."""
    from tenants.tasks import lpa_provision_task  # the tasks import this module

    if not lpa.is_ready:
        send_on_commit(lpa_provision_task, lpa.pk)


def lpa_provision_finish(*, lpa: Lpa) -> Lpa:
    """Clone and mark ready (idempotent), then close the LPA's `lpa_not_ready` finding."""
    lpa = lpa_provision_schema(lpa=lpa)
    _finding_resolve(lpa)
    return lpa


def lpas_waiting(*, older_than: datetime.timedelta = SWEEP_AFTER) -> list[Lpa]:
    with schema_context(get_public_schema_name()):
        return list(
            Lpa.objects.filter(is_ready=False, created_at__lte=timezone.now() - older_than)
            .exclude(schema_name=get_public_schema_name())
            .order_by("created_at", "pk")[:SWEEP_BATCH]
        )


def lpa_provision_sweep(*, older_than: datetime.timedelta = SWEEP_AFTER) -> SweepResult:
    """Provision every LPA waiting longer than `older_than`; report those that fail."""
    result = SweepResult()
    for lpa in lpas_waiting(older_than=older_than):
        try:
            lpa_provision_finish(lpa=lpa)
        except Exception as exc:  # one LPA's failure must not stop the others
            reason = str(exc) or type(exc).__name__
            logger.error("LPA %s (%s) could not be provisioned: %s", lpa.slug, lpa.pk, reason)
            _finding_raise(lpa, reason)
            result.failed[lpa.slug] = reason
        else:
            logger.info("LPA %s (%s) provisioned by the sweep", lpa.slug, lpa.pk)
            result.provisioned.append(lpa.slug)
    return result


# Findings live in reporting, which builds on tenants: imported when used.


def _finding_raise(lpa: Lpa, reason: str) -> None:
    from reporting.findings import finding_raise
    from reporting.models import Finding

    summary = _("Its schema could not be prepared: %(reason)s") % {"reason": reason}
    with schema_context(get_public_schema_name()):
        finding_raise(
            lpa=lpa,
            kind=Finding.Kind.LPA_NOT_READY,
            subject=FINDING_SUBJECT,
            summary=summary[:300],
            days=(timezone.now() - lpa.created_at).days,
        )


def _finding_resolve(lpa: Lpa) -> None:
    from reporting.findings import finding_resolve
    from reporting.models import Finding

    with schema_context(get_public_schema_name()):
        finding_resolve(lpa=lpa, kind=Finding.Kind.LPA_NOT_READY, subject=FINDING_SUBJECT)
