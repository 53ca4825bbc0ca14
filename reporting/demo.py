"""Demo reports: last month's report of each demo LPA, in the states people meet
first: the first LPA's submitted by its Ketua and accepted by the Dinas Sosial of its
kabupaten/kota, the second's submitted and waiting for that review, the third's a
draft for its Ketua to write. Only for `askesos demo`; running it again leaves a
report that has moved on from its draft as it is."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import connection
from django_tenants.utils import schema_context

from askesos.dates import today
from askesos.permissions import scope_of
from reporting.errors import ReportError
from reporting.models import Report, ReportState
from reporting.periods import PeriodType, period_of
from reporting.reports import lpa_report_generate, report_review, report_submit

logger = logging.getLogger(__name__)

NARRATIVE = (
    "Pengumpulan premi bulan ini berjalan lancar di sebagian besar desa. Kendala: "
    "beberapa peserta nelayan terlambat membayar karena cuaca buruk, dan dua berkas "
    "klaim menunggu surat keterangan dari desa."
)
PLANNED_ACTIONS = (
    "Kunjungan petugas lapangan ke desa pesisir pada minggu kedua; koordinasi dengan "
    "kepala desa untuk surat keterangan klaim."
)
WAITING_NARRATIVE = (
    "Jumlah peserta aktif stabil. Kendala: pencatatan setoran premi dari kelompok "
    "nelayan masih terlambat beberapa hari."
)
ACCEPT_COMMENT = "Laporan lengkap dan sesuai dengan pembukuan. Diterima."


def demo_reports_create(*, lpas: list[Any], ketua: dict[str, Any], reviewer: Any) -> None:
    """`lpas`: the three demo LPAs, in order (the first two in `reviewer`'s
    kabupaten/kota); `ketua` maps an LPA's slug to its Ketua."""
    period = period_of(PeriodType.MONTH, today().replace(day=1) - datetime.timedelta(days=1))
    reports = []
    for lpa in lpas:
        with schema_context(lpa.schema_name):
            reports.append(lpa_report_generate(lpa=lpa, period=period))
    connection.set_schema_to_public()
    accepted, waiting, _draft = reports
    try:
        _submitted(accepted, ketua[lpas[0].slug], NARRATIVE, PLANNED_ACTIONS)
        _submitted(waiting, ketua[lpas[1].slug], WAITING_NARRATIVE, "")
        accepted.refresh_from_db()
        if accepted.state == ReportState.SUBMITTED:
            report_review(
                report=accepted,
                user=reviewer,
                scope=scope_of(reviewer),
                decision="accept",
                comment=ACCEPT_COMMENT,
            )
    except ReportError as exc:  # e.g. on the 31st, last month's report has expired
        logger.warning("demo reports left as drafts: %s", exc.message)


def _submitted(report: Report, ketua: Any, narrative: str, planned_actions: str) -> None:
    if report.state == ReportState.DRAFT and not report.versions:
        report_submit(
            report=report, actor=ketua, narrative=narrative, planned_actions=planned_actions
        )
