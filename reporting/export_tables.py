"""The tables of an audit export ("tables" kind): the area's LPAs, their participants,
premiums, claims, reserve, the subsidy transfers, findings and report submissions for
the chosen period.

Every figure comes from the rollup facts' LPA rows (reporting.rollup), read with the
same area and filters as the dashboards (reporting.dashboards), so that a column's
sum over the LPAs is the figure the dashboard shows for the area: flows add over the
period's months, stocks are the period's last month's. Transfers, findings and
reports are read from their own public tables. No personal data.

Columns are named in Bahasa Indonesia, in snake_case, as in the registry's export
(programme/participants/exports.py), and never change with the reader's language: a
file is read by programs as well as people. Values are codes (status `active`,
legal form `yayasan`), whole rupiah, ISO dates.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from programme.participants.models import PolicyStatus, Sex
from reporting.dashboards import NATION, Area, Filters, facts_where
from reporting.figures import AGE_BANDS, median_from_counts
from reporting.models import FactLevel

Row = Sequence[Any]


@dataclass(frozen=True)
class LpaInfo:
    id: int
    slug: str
    name: str
    legal_form: str
    regency: str
    regency_name: str
    province: str
    province_name: str
    status: str
    scheme: str
    schema_name: str


@dataclass
class Table:
    slug: str  # the CSV file's and the sheet's name
    columns: tuple[str, ...]
    rows: Callable[[], Iterable[Row]]


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _facts_where(area: Area, filters: Filters) -> tuple[str, list[Any]]:
    """The area's LPA rows of the facts, with the dashboards' own filters (scheme,
    channel), as reporting.dashboards.lpa_table reads them."""
    return facts_where(area, filters, level=FactLevel.LPA)


def export_lpas(area: Area, filters: Filters) -> list[LpaInfo]:
    """The LPAs an export covers: those of the area (ready, any status), of the scheme
    when one is chosen; with a channel chosen, those the channel funded in the period
    (their facts carry it), as the dashboards count them."""
    from tenants.models import Lpa

    lpas = (
        Lpa.objects.filter(is_ready=True)
        .exclude(schema_name="public")
        .select_related("regency__province", "scheme_version")
        .order_by("slug")
    )
    if area.level == FactLevel.PROVINCE:
        lpas = lpas.filter(regency__province_id=area.code)
    elif area.level == FactLevel.REGENCY:
        lpas = lpas.filter(regency_id=area.code)
    elif area.level != NATION:
        lpas = lpas.filter(pk=area.lpa_id)
    if filters.scheme:
        lpas = lpas.filter(scheme_version__code=filters.scheme)
    if filters.channel:
        where, params = _facts_where(area, filters)
        funded = {
            row[0]
            for row in _fetch(
                f"SELECT DISTINCT lpa_id FROM reporting_fact WHERE {where} "
                "AND month BETWEEN %s AND %s",
                [*params, filters.period.start, filters.period.end],
            )
        }
        lpas = lpas.filter(pk__in=funded)
    return [
        LpaInfo(
            id=lpa.pk,
            slug=lpa.slug,
            name=lpa.name,
            legal_form=lpa.legal_form,
            regency=lpa.regency_id,
            regency_name=lpa.regency.name,
            province=lpa.regency.province_id,
            province_name=lpa.regency.province.name,
            status=lpa.status,
            scheme=lpa.scheme_version.code,
            schema_name=lpa.schema_name,
        )
        for lpa in lpas
    ]


def _values(
    area: Area, filters: Filters, keys: Sequence[str], months: Sequence[datetime.date]
) -> dict[tuple[int, datetime.date], list[int]]:
    """(LPA, month) -> the figures `keys` of the area's LPA facts in `months`."""
    where, params = _facts_where(area, filters)
    picked = ", ".join("coalesce((figures->>%s)::bigint, 0)" for _key in keys)
    rows = _fetch(
        f"SELECT lpa_id, month, {picked} FROM reporting_fact WHERE {where} AND month = ANY(%s)",
        [*keys, *params, list(months)],
    )
    return {(row[0], row[1]): [int(v) for v in row[2:]] for row in rows}


def _sums_by_key(
    area: Area, filters: Filters, prefixes: Sequence[str], first: datetime.date, last: datetime.date
) -> dict[int, dict[str, int]]:
    """LPA -> every figure whose key starts with one of `prefixes`, added over the
    months from `first` to `last`."""
    where, params = _facts_where(area, filters)
    like = " OR ".join("d.key LIKE %s" for _p in prefixes)
    rows = _fetch(
        f"""SELECT f.lpa_id, d.key, sum(d.value::bigint)
            FROM reporting_fact f, jsonb_each_text(f.figures) d
            WHERE {where} AND month BETWEEN %s AND %s AND ({like})
            GROUP BY 1, 2""",
        [*params, first, last, *(p + "%" for p in prefixes)],
    )
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for lpa_id, key, value in rows:
        result[lpa_id][key] = int(value)
    return result


def _month_code(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def _rate(collected: int, due: int) -> float | None:
    return round(collected * 100 / due, 1) if due else None


LPA_HEAD = ("lpa_slug", "lpa_nama")


def export_tables(area: Area, filters: Filters, lpas: list[LpaInfo]) -> list[Table]:
    """The tables in the order of the workbook's sheets."""
    from reporting import export_records as records

    period = filters.period
    months = period.month_starts()
    last = months[-1]

    def lpa_rows() -> Iterable[Row]:
        for x in lpas:
            yield (
                x.slug,
                x.name,
                x.legal_form,
                x.regency,
                x.regency_name,
                x.province,
                x.province_name,
                x.status,
                x.scheme,
            )

    statuses = [s.value for s in PolicyStatus]
    sexes = [s.value for s in Sex]
    bands = [band for _low, _high, band in AGE_BANDS]
    people_keys = (
        [f"participants.status:{s}" for s in statuses]
        + ["participants.open"]
        + [f"participants.sex:{s}" for s in sexes]
        + [f"participants.age:{b}" for b in bands]
    )

    def participant_rows() -> Iterable[Row]:
        values = _values(area, filters, people_keys, [last])
        for x in lpas:
            yield (
                x.slug,
                x.name,
                _month_code(last),
                *values.get((x.id, last), [0] * len(people_keys)),
            )

    premium_keys = ("premiums.due_policies", "premiums.due", "premiums.receipts")
    premium_keys += ("premiums.collected", "premiums.arrears")

    def premium_rows() -> Iterable[Row]:
        values = _values(area, filters, premium_keys, months)
        for x in lpas:
            for month in months:
                policies, due, receipts, collected, arrears = values.get(
                    (x.id, month), [0] * len(premium_keys)
                )
                yield (
                    x.slug,
                    x.name,
                    _month_code(month),
                    policies,
                    due,
                    receipts,
                    collected,
                    _rate(collected, due),
                    arrears,
                )

    def claim_rows() -> Iterable[Row]:
        flows = _sums_by_key(
            area,
            filters,
            ("claims.submitted:", "claims.paid:", "claims.paid_amount:", "claims.days:"),
            period.start,
            period.end,
        )
        stocks = _sums_by_key(area, filters, ("claims.overdue:",), last, last)
        for x in lpas:
            figures = {**flows.get(x.id, {}), **stocks.get(x.id, {})}
            days: dict[str, Counter] = defaultdict(Counter)
            types = set()
            for key, value in figures.items():
                base, rest = key.split(":", 1)
                if base == "claims.days":
                    benefit, count_days = rest.rsplit(":", 1)
                    days[benefit][int(count_days)] += value
                types.add(rest.split(":", 1)[0])
            for benefit in sorted(types):
                yield (
                    x.slug,
                    x.name,
                    benefit,
                    figures.get(f"claims.submitted:{benefit}", 0),
                    figures.get(f"claims.paid:{benefit}", 0),
                    figures.get(f"claims.paid_amount:{benefit}", 0),
                    figures.get(f"claims.overdue:{benefit}", 0),
                    median_from_counts(days.get(benefit, {})),
                )

    reserve_keys = ("reserve.opening", "reserve.subsidy_in", "reserve.claims_out")
    reserve_keys += ("reserve.charges", "reserve.interest", "reserve.other", "reserve.closing")

    def reserve_rows() -> Iterable[Row]:
        values = _values(area, filters, reserve_keys, months)
        for x in lpas:
            for month in months:
                yield (
                    x.slug,
                    x.name,
                    _month_code(month),
                    *values.get((x.id, month), [0] * len(reserve_keys)),
                )

    def transfer_rows() -> Iterable[Row]:
        return records.transfer_rows(lpas, filters)

    def finding_rows() -> Iterable[Row]:
        return records.finding_rows(lpas, filters)

    def report_rows() -> Iterable[Row]:
        return records.report_rows(area, filters, lpas)

    return [
        Table(
            "lpa",
            ("lpa_slug", "lpa_nama", "bentuk_hukum", "kode_kabupaten", "kabupaten")
            + ("kode_provinsi", "provinsi", "status", "skema"),
            lpa_rows,
        ),
        Table(
            "peserta",
            (*LPA_HEAD, "bulan")
            + tuple(f"status_{s}" for s in statuses)
            + ("tertanggung",)
            + tuple(f"jenis_kelamin_{s}" for s in sexes)
            + tuple(f"usia_{b}" for b in bands),
            participant_rows,
        ),
        Table(
            "premi",
            (*LPA_HEAD, "bulan", "polis_jatuh_tempo", "premi_jatuh_tempo", "kuitansi")
            + ("premi_terkumpul", "tingkat_penagihan_persen", "tunggakan_akhir"),
            premium_rows,
        ),
        Table(
            "klaim",
            (*LPA_HEAD, "jenis_klaim", "diajukan", "dibayar", "jumlah_dibayar")
            + ("terlambat_akhir", "median_hari_kerja"),
            claim_rows,
        ),
        Table(
            "cadangan",
            (*LPA_HEAD, "bulan", "saldo_awal", "subsidi_masuk", "klaim_keluar", "biaya_bank")
            + ("bunga", "lainnya", "saldo_akhir"),
            reserve_rows,
        ),
        Table(
            "transfer_subsidi",
            (*LPA_HEAD, "referensi", "batch", "saluran", "jumlah", "status")
            + ("tanggal_eksekusi", "tanggal_valuta", "dibukukan_pada"),
            transfer_rows,
        ),
        Table(
            "temuan",
            (*LPA_HEAD, "jenis", "subjek", "ringkasan", "jumlah", "hari", "dibuka", "selesai"),
            finding_rows,
        ),
        Table(
            "laporan",
            ("tingkat", "lpa_slug", "kode_wilayah", "nama", "periode", "jenis_periode")
            + ("status", "jatuh_tempo", "pertama_dikirim", "tepat_waktu"),
            report_rows,
        ),
    ]
