"""Dates are shown one way everywhere (22 Nov 2026), computed by one helper."""

import datetime
import re
from pathlib import Path

from django.utils import translation

from askesos.dates import format_date

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("platform", "programme", "reporting", "tenants")
# A day written by a template's date filter instead of `tanggal` (machine formats for
# form fields, Y-m-d and Y-m, and month names, F Y, are fine).
DAY_IN_TEMPLATE = re.compile(r"""\|date:["'][^"']*[jd][^"']*["']""")
DAY_IN_PYTHON = re.compile(r"""date_format\([^()"']*["']([^"']*)["']\)""")


def _files(pattern: str):
    for package in PACKAGES:
        yield from (p for p in (ROOT / package).rglob(pattern) if "migrations" not in p.parts)


def test_one_indonesian_format_for_a_day():
    day = datetime.date(2026, 11, 22)
    assert format_date(day) == "22 Nov 2026"
    assert format_date(datetime.date(2026, 8, 17)) == "17 Agu 2026"
    with translation.override("en"):
        assert format_date(datetime.date(2026, 8, 17)) == "17 Aug 2026"


def test_no_template_writes_a_day_its_own_way():
    offenders = [
        f"{path.relative_to(ROOT)}: {match}"
        for path in _files("*.html")
        for match in DAY_IN_TEMPLATE.findall(path.read_text())
        if match not in ('|date:"Y-m-d"', "|date:'Y-m-d'")
    ]
    assert offenders == []


def test_no_python_writes_a_day_its_own_way():
    offenders = [
        f"{path.relative_to(ROOT)}: {match}"
        for path in _files("*.py")
        for match in DAY_IN_PYTHON.findall(path.read_text())
        if re.search("[jd]", match)
    ]
    assert offenders == []
