"""The PDF summary of a tables export: the query and who made it, the area's headline
figures against the period before (reporting.dashboards.area_summary, the dashboard's
own), a line chart of the last twelve months, a bar chart per area one level below,
and the tables in the export with their rows. Drawn with reportlab, as the books'
PDFs (programme.ledger.book_output)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from askesos.money import format_number, format_rupiah
from reporting.dashboards import ChildRow, Summary, TrendPoint

BARS = 30  # the largest areas below, when there are more


def _value(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "money":
        return format_rupiah(int(value))
    if kind == "percent":
        return f"{number_format(value, 1)}%"
    if kind == "days":
        return number_format(value, 1)
    return format_number(value)


def _change(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    sign = "+" if value > 0 else ""
    if kind == "money":
        return ("+" if value > 0 else "") + format_rupiah(int(value))
    return sign + _value(value, kind)


def _axis_max(values: Sequence[float]) -> float:
    top = max([0, *values])
    return top * 1.1 if top else 1


def _line_chart(title: str, months: list[str], series: list[tuple[str, list[int]]], width: float):
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    palette = [colors.HexColor("#1f6f5c"), colors.HexColor("#d08a1e")]
    drawing = Drawing(width, 190)
    drawing.add(String(0, 178, title, fontName="Helvetica-Bold", fontSize=10))
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 60, 40, width - 80, 120
    chart.data = [values for _label, values in series]
    chart.categoryAxis.categoryNames = months
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _axis_max([v for _l, values in series for v in values])
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: format_number(int(v))
    for index, _serie in enumerate(series):
        chart.lines[index].strokeColor = palette[index % len(palette)]
        chart.lines[index].strokeWidth = 1.5
    drawing.add(chart)
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y = width - 200, 178
        legend.fontSize = 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.colorNamePairs = [
            (palette[i % len(palette)], label) for i, (label, _v) in enumerate(series)
        ]
        drawing.add(legend)
    return drawing


def _bar_chart(title: str, bars: list[tuple[str, int]], width: float):
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    drawing = Drawing(width, 230)
    drawing.add(String(0, 218, title, fontName="Helvetica-Bold", fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 60, 80, width - 80, 120
    chart.data = [[value for _name, value in bars]]
    chart.categoryAxis.categoryNames = [name[:22] for name, _value in bars]
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _axis_max([value for _name, value in bars])
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: format_number(int(v))
    chart.bars[0].fillColor = colors.HexColor("#1f6f5c")
    drawing.add(chart)
    return drawing


def summary_pdf(
    *,
    title: str,
    parameters: list[tuple[str, str]],
    summary: Summary,
    trend: list[TrendPoint],
    children: list[ChildRow],
    children_title: str,
    tables: dict[str, int],
) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="ASKESOS",
    )
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfeee8")),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]
    )
    story: list[Any] = [Paragraph(escape(title), styles["Title"])]

    story.append(Paragraph(escape(_("Query and export")), styles["Heading2"]))
    about = Table(
        [[label, Paragraph(escape(value), styles["BodyText"])] for label, value in parameters],
        colWidths=[45 * mm, doc.width - 45 * mm],
        hAlign="LEFT",
    )
    about.setStyle(
        TableStyle([("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    story += [about, Spacer(1, 4 * mm)]

    story.append(Paragraph(escape(_("Headline figures")), styles["Heading2"]))
    rows = [[_("Figure"), _("This period"), _("Period before"), _("Change")]]
    for h in summary.headlines:
        rows.append(
            [
                h.label,
                _value(h.value, h.kind),
                _value(h.previous, h.kind),
                _change(h.change, h.kind),
            ]
        )
    headlines = Table(rows, colWidths=[70 * mm, 35 * mm, 35 * mm, 35 * mm], hAlign="LEFT")
    headlines.setStyle(grid)
    story += [headlines, Spacer(1, 4 * mm)]

    months = [point.month.start.strftime("%m/%Y") for point in trend]
    story.append(
        _line_chart(
            _("Active participants, month by month"),
            months,
            [(_("Active participants"), [p.values["participants_active"] for p in trend])],
            doc.width,
        )
    )
    story.append(
        _line_chart(
            _("Premiums due and collected (Rp), month by month"),
            months,
            [
                (_("Due"), [p.values["premiums_due"] for p in trend]),
                (_("Collected"), [p.values["premiums_collected"] for p in trend]),
            ],
            doc.width,
        )
    )
    bars = sorted(
        ((child.area.name, child.values["participants_active"]) for child in children),
        key=lambda bar: (-bar[1], bar[0]),
    )[:BARS]
    if bars:
        story.append(_bar_chart(children_title, bars, doc.width))
    else:
        story.append(Paragraph(escape(_("No areas below this one.")), styles["BodyText"]))

    story.append(Paragraph(escape(_("Tables in this export")), styles["Heading2"]))
    listing = Table(
        [[_("File"), _("Rows")]]
        + [[f"{slug}.csv", format_number(count)] for slug, count in tables.items()],
        colWidths=[70 * mm, 35 * mm],
        hAlign="LEFT",
    )
    listing.setStyle(grid)
    story += [
        listing,
        Spacer(1, 4 * mm),
        Paragraph(
            escape(
                _(
                    "Every file of this export is listed in manifest.json with its SHA-256, "
                    "signed by the platform. Verify it with: askesos verify-export FILE"
                )
            ),
            styles["BodyText"],
        ),
    ]
    doc.build(story)
    return out.getvalue()
