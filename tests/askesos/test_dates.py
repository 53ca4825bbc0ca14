"""Dates are shown one way everywhere (22 Nov 2026), computed by one helper; every date
an API body takes has the programme's range at its field (askesos.dates.PastDateField;
the services' side is tests/programme/test_date_ranges.py)."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import translation
from rest_framework import serializers

from askesos.dates import PastDateField, format_date
from tests.askesos.test_api_walk import ENDPOINTS, Schema, assert_shape

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


# --- the API's date fields ------------------------------------------------------------


def _date_fields(document: dict, endpoint) -> list[str]:
    schema = Schema(document)
    path = document["paths"].get(endpoint.openapi_path, {})
    operation = path.get(endpoint.method)
    if operation is None:
        return []
    _media, body = schema.body(operation)
    return [
        name
        for name, prop in body.get("properties", {}).items()
        if schema.resolve(prop).get("format") == "date" and not prop.get("readOnly")
    ]


DATED = [e for e in ENDPOINTS if e.method != "get"]


@pytest.mark.parametrize("endpoint", DATED, ids=[f"{e.site}:{e.name}:{e.method}" for e in DATED])
def test_every_date_field_of_the_api_refuses_a_day_outside_the_programme(endpoint, openapi, actors):
    fields = _date_fields(openapi[endpoint.site], endpoint)
    if not fields:
        pytest.skip("no date field")
    may = actors(endpoint)["may"]
    may.raise_request_exception = False

    for day in ("0001-01-01", "0149-06-01", "9999-12-31"):
        response = getattr(may, endpoint.method)(
            endpoint.unknown_path,
            {name: day for name in fields},
            content_type="application/json",
        )
        body = assert_shape(response, status={400, 404} if endpoint.has_id else 400)
        if response.status_code == 400:
            assert set(fields) <= {i["field"] for i in body["errors"]}, (day, body)


def test_every_date_an_api_body_takes_has_a_range():
    """A plain DateField in an input serializer takes 0001-01-01 and 9999-12-31."""
    from tests.askesos.test_money import _input_serializers

    plain = [
        f"{serializer.__name__}.{name}"
        for serializer in _input_serializers()
        for name, field in serializer().fields.items()
        if isinstance(field, serializers.DateField) and not isinstance(field, PastDateField)
    ]
    assert plain == []
