"""A report's figures for people: sections of labelled rows (a count, an amount, or a
derived value such as a rate), the same for the page, the PDF and the spreadsheet.
The PDF and the spreadsheet are the books' (programme.ledger.book_output), with the
report's signature lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from askesos.dates import format_date
from programme.claims.checks import benefit_label
from programme.ledger.book_output import book_pdf, book_xlsx
from programme.ledger.books import MONEY, NUMBER, TEXT, Book, Column, Section
from programme.participants.models import Occupation, PolicyStatus, Sex
from reporting.figures import AGE_BANDS, derived
from reporting.models import Report, ReportLevel, ReportVersion
from reporting.periods import Period


@dataclass
class Row:
    label: str
    count: int | str | None = None
    amount: int | None = None


@dataclass
class FigureSection:
    title: str
    rows: list[Row] = field(default_factory=list)


def _by(figures: Mapping[str, int], prefix: str) -> dict[str, int]:
    start = prefix + ":"
    return {k[len(start) :]: v for k, v in figures.items() if k.startswith(start)}


def _days(value: float | None) -> str:
    return "-" if value is None else number_format(value, decimal_pos=1 if value % 1 else 0)


def _regency_names(codes: list[str]) -> dict[str, str]:
    from askesos.geo.models import Regency

    return dict(Regency.objects.filter(code__in=codes).values_list("code", "name"))


def figure_sections(figures: Mapping[str, int]) -> list[FigureSection]:
    """Every section of a report, in the order of the programme's pocket book."""
    f = figures
    more = derived(f)
    sections = []

    people = FigureSection(_("Participants at the end of the period"))
    for status in PolicyStatus:
        people.rows.append(Row(str(status.label), f.get(f"participants.status:{status}", 0)))
    people.rows.append(Row(_("Covered (registered or active)"), f.get("participants.open", 0)))
    sections.append(people)

    breakdown = FigureSection(_("Covered participants by sex, age and occupation"))
    for sex in Sex:
        breakdown.rows.append(Row(str(sex.label), f.get(f"participants.sex:{sex}", 0)))
    for _low, _high, band in AGE_BANDS:
        breakdown.rows.append(
            Row(_("Age %(band)s") % {"band": band}, f.get(f"participants.age:{band}", 0))
        )
    for occupation in Occupation:
        count = f.get(f"participants.occupation:{occupation}", 0)
        if count:
            breakdown.rows.append(Row(str(occupation.label), count))
    sections.append(breakdown)

    regencies = _by(f, "participants.regency")
    if regencies:
        names = _regency_names(list(regencies))
        place = FigureSection(_("Covered participants by kabupaten/kota of residence"))
        for code, count in sorted(regencies.items()):
            place.rows.append(Row(f"{names.get(code, code)} ({code})", count))
        sections.append(place)

    moves = FigureSection(_("Movements in the period"))
    for key, label in (
        ("movements.new", _("New participants")),
        ("movements.reregistered", _("Re-registered")),
        ("movements.activated", _("First premium paid (active)")),
        ("movements.lapsed", _("Lapsed")),
        ("movements.matured", _("Matured")),
        ("movements.withdrawn", _("Withdrawn")),
        ("movements.deceased", _("Deceased")),
    ):
        moves.rows.append(Row(label, f.get(key, 0)))
    sections.append(moves)

    rate = more["collection_rate"]
    premiums = FigureSection(_("Premiums"))
    premiums.rows += [
        Row(
            _("Due (policies x monthly premium)"),
            f.get("premiums.due_policies", 0),
            f.get("premiums.due", 0),
        ),
        Row(
            _("Collected (receipts)"), f.get("premiums.receipts", 0), f.get("premiums.collected", 0)
        ),
        Row(_("Collection rate"), "-" if rate is None else f"{number_format(rate, 1)}%"),
        Row(
            _("Arrears at the end (policies)"),
            f.get("premiums.arrears_policies", 0),
            f.get("premiums.arrears", 0),
        ),
    ]
    sections.append(premiums)

    claims = FigureSection(_("Claims by type"))
    types = sorted({k.split(":")[1] for k in f if k.startswith("claims.")})
    for benefit in types:
        name = benefit_label(benefit)
        claims.rows += [
            Row(_("%(type)s: submitted") % {"type": name}, f.get(f"claims.submitted:{benefit}", 0)),
            Row(
                _("%(type)s: paid") % {"type": name},
                f.get(f"claims.paid:{benefit}", 0),
                f.get(f"claims.paid_amount:{benefit}", 0),
            ),
            Row(
                _("%(type)s: median working days to payment") % {"type": name},
                _days(more["median_days"].get(benefit)),
            ),
            Row(
                _("%(type)s: overdue at the end") % {"type": name},
                f.get(f"claims.overdue:{benefit}", 0),
            ),
        ]
    if not types:
        claims.rows.append(Row(_("No claims in the period."), 0))
    sections.append(claims)

    reserve = FigureSection(_("Claim reserve (account 1201)"))
    reserve.rows += [
        Row(_("Opening balance"), None, f.get("reserve.opening", 0)),
        Row(_("Subsidy received"), None, f.get("reserve.subsidy_in", 0)),
        Row(_("Claims paid out"), None, f.get("reserve.claims_out", 0)),
        Row(_("Bank charges"), None, f.get("reserve.charges", 0)),
        Row(_("Bank interest"), None, f.get("reserve.interest", 0)),
        Row(_("Other movements"), None, f.get("reserve.other", 0)),
        Row(_("Closing balance"), None, f.get("reserve.closing", 0)),
    ]
    for state, label in (
        ("agrees", _("Reconciliation: books and bank agree")),
        ("difference", _("Reconciliation: difference open")),
        ("no_statement", _("Reconciliation: no statement")),
    ):
        count = f.get(f"reconciliation.state:{state}", 0)
        if count:
            reserve.rows.append(Row(label, count))
    if f.get("reconciliation.difference"):
        reserve.rows.append(
            Row(_("Difference, bank less books"), None, f["reconciliation.difference"])
        )
    sections.append(reserve)

    funds = FigureSection(_("Savings, revolving fund and grants"))
    for reason, label in (
        ("maturity", _("Savings paid back at maturity")),
        ("withdrawal", _("Savings paid back on withdrawal")),
    ):
        funds.rows.append(
            Row(
                label, f.get(f"savings.paid:{reason}", 0), f.get(f"savings.paid_amount:{reason}", 0)
            )
        )
    funds.rows += [
        Row(_("Savings owed to participants at the end"), None, f.get("savings.owed", 0)),
        Row(
            _("Bridging loans disbursed"),
            f.get("revolving.loans", 0),
            f.get("revolving.disbursed", 0),
        ),
        Row(_("Loan principal repaid"), None, f.get("revolving.repaid", 0)),
        Row(_("Loan fees received"), None, f.get("revolving.fees", 0)),
        Row(_("Loans outstanding at the end"), None, f.get("revolving.outstanding", 0)),
        Row(_("Grants received"), f.get("grants.count", 0), f.get("grants.received", 0)),
        Row(_("Grants spent"), None, f.get("grants.spent", 0)),
        Row(_("Grants bank balance at the end"), None, f.get("grants.balance", 0)),
    ]
    sections.append(funds)

    books = FigureSection(_("Cards and books"))
    books.rows += [
        Row(_("Member cards handed over"), f.get("cards.handed_over", 0)),
        Row(_("Member cards printed, not yet handed over"), f.get("cards.waiting", 0)),
        Row(_("Months in the period"), f.get("closing.months", 0)),
        Row(_("Months closed and signed by the Ketua"), f.get("closing.closed", 0)),
        Row(_("Months prepared, awaiting the Ketua"), f.get("closing.prepared", 0)),
    ]
    sections.append(books)
    return sections


def report_issuer_name(report: Report) -> str:
    """Whose report it is: the LPA, the kabupaten/kota, the province."""
    if report.level == ReportLevel.LPA:
        return report.lpa.name
    return (report.regency if report.level == ReportLevel.REGENCY else report.province).name


def report_title(report: Report) -> str:
    period = Period(report.period_type, report.period_start).label
    return _("Report %(period)s: %(who)s") % {"period": period, "who": report_issuer_name(report)}


def report_book(report: Report, version: ReportVersion | None = None) -> Book:
    """The report (a version, or the draft) as a book: one section per figure section,
    then the narrative."""
    figures = version.figures if version is not None else report.figures
    columns = [
        Column(pgettext("report", "Item"), TEXT),
        Column(pgettext("report", "Number"), NUMBER),
        Column(pgettext("report", "Rupiah"), MONEY),
    ]
    book = Book(
        slug="laporan",
        title=report_title(report),
        month=report.period_start,
        columns=columns,
        period_label=Period(report.period_type, report.period_start).label,
    )
    for section in figure_sections(figures):
        book.sections.append(
            Section(
                title=section.title,
                rows=[[row.label, row.count, row.amount] for row in section.rows],
            )
        )
    narrative = version.narrative if version is not None else report.narrative
    planned = version.planned_actions if version is not None else report.planned_actions
    notes = [
        [_("Problems met (kendala)"), None, None],
        [narrative or "-", None, None],
        [_("Planned actions"), None, None],
        [planned or "-", None, None],
    ]
    if version is not None:
        notes.append(
            [
                _("Version %(n)s, submitted %(day)s")
                % {"n": version.number, "day": format_date(version.submitted_at)},
                None,
                None,
            ]
        )
    book.sections.append(Section(title=_("Narrative"), rows=notes))
    return book


def _signatures(report: Report) -> tuple[str, str]:
    if report.level == ReportLevel.LPA:
        return pgettext("report", "Prepared by the Sekretaris"), pgettext(
            "report", "Submitted by the Ketua"
        )
    return pgettext("report", "Prepared by"), pgettext("report", "Head of the Dinas Sosial")


def _issuer(report: Report) -> str:
    if report.level == ReportLevel.LPA:
        return report.lpa.name
    area = report.regency if report.level == ReportLevel.REGENCY else report.province
    return _("Dinas Sosial %(area)s") % {"area": area.name}


def report_pdf(report: Report, version: ReportVersion | None = None) -> bytes:
    return book_pdf(report_book(report, version), _issuer(report), signatures=_signatures(report))


def report_xlsx(report: Report, version: ReportVersion | None = None) -> bytes:
    return book_xlsx(report_book(report, version), _issuer(report))


FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_file_name(report: Report, version: ReportVersion | None) -> str:
    if report.level == ReportLevel.LPA:
        who = report.lpa.slug
    elif report.level == ReportLevel.REGENCY:
        who = f"kab-{report.regency_id}"
    else:
        who = f"prov-{report.province_id}"
    suffix = f"-v{version.number}" if version is not None else ""
    period = Period(report.period_type, report.period_start).code
    return f"laporan-{who}-{period}{suffix}"


def report_file_response(report: Report, version: ReportVersion | None, kind: str) -> HttpResponse:
    """The report (a version, or the draft) as a printable PDF with its signature
    lines (shown in the browser), or as a spreadsheet (downloaded)."""
    content = (report_pdf if kind == "pdf" else report_xlsx)(report, version)
    response = HttpResponse(content, content_type=FILE_TYPES[kind])
    disposition = "inline" if kind == "pdf" else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{report_file_name(report, version)}.{kind}"'
    )
    return response


def report_as_dict(report: Report, version: ReportVersion | None = None) -> dict[str, Any]:
    figures = version.figures if version is not None else report.figures
    return {"figures": figures, "derived": derived(figures)}
