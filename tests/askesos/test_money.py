"""Rupiah: how they are written, and the one rule for every amount that comes in
(askesos.money): whole rupiah, above zero (or zero where it means something), at most
a documented ceiling, refused in words at the field at every door."""

import datetime
import importlib
import inspect
import re
from pathlib import Path

import pytest
from django import forms
from rest_framework import serializers

from askesos.money import (
    AMOUNT_CEILING,
    INCOME_CEILING,
    MoneyError,
    RupiahField,
    RupiahFormField,
    format_rupiah,
    rupiah_check,
    rupiah_input,
)
from askesos.permissions import role_may
from askesos.roles import LpaRole
from tests.askesos.test_api_walk import ENDPOINTS, Schema, assert_shape, both_languages
from tests.conftest import client_on, host_of


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "Rp 0"),
        (5000, "Rp 5.000"),
        (180000, "Rp 180.000"),
        (21000000, "Rp 21.000.000"),
        (-10400, "-Rp 10.400"),
    ],
)
def test_rupiah_is_written_as_indonesians_write_it(amount, text):
    assert format_rupiah(amount) == text


@pytest.mark.parametrize("amount", [5000.0, "5000", True])
def test_rupiah_refuses_anything_but_int(amount):
    with pytest.raises(TypeError):
        format_rupiah(amount)


# --- the one rule for amounts coming in (askesos.money) ----------------------------------

TEN_TO_THE_THIRTY = 10**30
ROOT = Path(__file__).resolve().parents[2]
MONEY_NAME = re.compile(
    r"amount|principal|(^|_)fee$|income|nominal|jumlah|rupiah|_per_(participant|month)$"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5000, 5000), ("5.000", 5000), ("Rp 5.000", 5000), (5000.0, 5000), (AMOUNT_CEILING,) * 2],
)
def test_amounts_come_in_as_people_write_them(value, expected):
    assert rupiah_input(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0, "amount_invalid"),
        (-5000, "amount_invalid"),
        ("-5.000", "amount_invalid"),
        (5000.5, "amount_not_whole"),
        (float("nan"), "amount_not_figures"),
        ("lima ribu", "amount_not_figures"),
        (True, "amount_invalid"),
        (None, "amount_invalid"),
        (AMOUNT_CEILING + 1, "amount_too_large"),
        (TEN_TO_THE_THIRTY, "amount_too_large"),
        (float(TEN_TO_THE_THIRTY), "amount_too_large"),
        ("9" * 100_000, "amount_too_large"),  # refused before Python reads 100.000 digits
    ],
)
def test_amounts_outside_the_rule_are_refused_with_a_reason(value, code):
    with pytest.raises(MoneyError) as refused:
        rupiah_input(value, field="amount")

    assert refused.value.code == code and refused.value.field == "amount"


def test_zero_is_accepted_only_where_it_means_something():
    assert rupiah_check(0, field="fee", zero_allowed=True) == 0
    with pytest.raises(MoneyError) as refused:
        rupiah_check(-1, field="fee", zero_allowed=True)
    assert refused.value.code == "amount_negative"


def test_the_ceiling_is_said_in_both_languages():
    from django.utils import translation

    error = MoneyError("amount_too_large", field="amount", limit="Rp 10.000.000.000.000")
    with translation.override("id"):
        indonesian = error.message
    with translation.override("en"):
        english = error.message
    assert english == "The amount can be at most Rp 10.000.000.000.000."
    assert indonesian != english and "Rp 10.000.000.000.000" in indonesian


def test_the_ceilings_stay_far_below_postgresqls_bigint():
    assert AMOUNT_CEILING * 100_000 < 2**63 - 1  # 100.000 amounts at the ceiling still sum
    assert INCOME_CEILING < AMOUNT_CEILING


# --- every door -------------------------------------------------------------------------


@pytest.fixture
def bendahara(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, LpaRole.BENDAHARA))
    client.raise_request_exception = False
    return client


def test_a_grant_of_ten_to_the_thirty_rupiah_is_refused_at_its_field_not_a_500(bendahara):
    """The issue's probe: POST /api/grants/ with amount 10^30 overflowed bigint (500)."""
    body = {"donor": "Dinsos", "purpose": "modal", "date": "2024-03-04", "reference": "H-30"}

    indonesian, english = both_languages(
        lambda h: bendahara.post(
            "/api/grants/",
            {**body, "amount": TEN_TO_THE_THIRTY},
            content_type="application/json",
            **h,
        ),
        status=400,
        code="amount_too_large",
        field="amount",
    )

    assert english["message"] == "The amount can be at most Rp 10.000.000.000.000."
    assert "Rp 10.000.000.000.000" in indonesian["message"]


def _money_properties(schema: Schema, body: dict) -> dict[str, object]:
    """{dotted path: value} for every rupiah property of a request body (documented by
    RupiahField with its ceiling), one level into arrays of rows."""
    found = {}
    for name, prop in body.get("properties", {}).items():
        resolved = schema.resolve(prop) if "$ref" in prop else prop
        if _is_rupiah(prop):
            found[name] = prop
        elif resolved.get("type") == "array":
            items = schema.resolve(resolved.get("items", {}))
            for sub, sub_prop in items.get("properties", {}).items():
                if _is_rupiah(sub_prop):
                    found[f"{name}.0.{sub}"] = sub_prop
    return found


def _is_rupiah(prop: dict) -> bool:
    return any(
        option.get("type") == "integer" and "maximum" in option for option in prop.get("oneOf", ())
    )


def _ceiling(prop: dict) -> int:
    return next(o["maximum"] for o in prop["oneOf"] if o.get("type") == "integer")


MONEY_ENDPOINTS = [
    "/api/grants/",
    "/api/subsidies/",
    "/api/premiums/aid/",
    "/api/loans/",
    "/api/premiums/receipts/",
    "/api/participants/",
]


def _role_for(path: str) -> LpaRole:
    """A role that may send to `path` (so that validation answers, not the permission)."""
    endpoint = next(
        e for e in ENDPOINTS if e.site == "lpa" and "/" + e.route == path and e.method == "post"
    )
    return next(r for r in LpaRole if role_may(r, endpoint.action))


def test_every_money_field_of_the_api_is_documented_with_its_range():
    """The walk below finds rupiah fields by their documented range; a money field
    without it (an IntegerField called amount) would slip past it."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator(urlconf="askesos.urls_tenant").get_schema(request=None, public=True)
    schema = Schema(document)
    found = set()
    for path in MONEY_ENDPOINTS:
        operation = document["paths"][path]["post"]
        _media, body = schema.body(operation)
        found |= {f"{path}:{name}" for name in _money_properties(schema, body)}
    assert found == {
        "/api/grants/:amount",
        "/api/subsidies/:amount",
        "/api/premiums/aid/:amount",
        "/api/loans/:principal",
        "/api/loans/:fee",
        "/api/premiums/receipts/:rows.0.amount",
        "/api/participants/:monthly_income",
    }


@pytest.mark.parametrize("path", MONEY_ENDPOINTS)
def test_every_money_field_refuses_an_amount_above_its_ceiling(path, lpa_a, make_staff):
    from drf_spectacular.generators import SchemaGenerator

    client = client_on(host_of(lpa_a), make_staff(lpa_a, _role_for(path)))
    client.raise_request_exception = False
    document = SchemaGenerator(urlconf="askesos.urls_tenant").get_schema(request=None, public=True)
    schema = Schema(document)
    _media, body = schema.body(document["paths"][path]["post"])

    for name, prop in _money_properties(schema, body).items():
        for value in (_ceiling(prop) + 1, TEN_TO_THE_THIRTY, -TEN_TO_THE_THIRTY):
            if "." in name:
                rows, _index, sub = name.split(".")
                data = {rows: [{sub: value}]}
            else:
                data = {name: value}
            response = client.post(path, data, content_type="application/json")
            answer = assert_shape(response, status=400, field=name)
            codes = {i["code"] for i in answer["errors"] if i["field"] == name}
            assert codes <= {"amount_too_large", "amount_invalid", "amount_negative"}, answer


def test_the_registration_form_refuses_an_income_above_the_ceiling(lpa_a, make_staff):
    client = client_on(host_of(lpa_a), make_staff(lpa_a, _role_for("/api/participants/")))

    response = client.post("/peserta/daftar/", {"name": "Budi", "monthly_income": "10" * 20})

    assert response.status_code == 200  # the form again, with the reason at the field
    assert "paling banyak Rp 1.000.000.000" in response.content.decode()


def test_services_refuse_an_amount_above_the_ceiling(lpa_a):
    from django.db import connection

    from programme.ledger.funds import grant_receive
    from programme.ledger.models import JournalEntry

    connection.set_tenant(lpa_a)
    with pytest.raises(MoneyError) as refused:
        grant_receive(
            donor="Dinsos",
            purpose="modal",
            amount=TEN_TO_THE_THIRTY,
            date=datetime.date(2024, 3, 4),
            reference="H-30",
        )
    assert refused.value.code == "amount_too_large"
    assert not JournalEntry.objects.filter(source_key="grant:H-30").exists()


def _input_serializers():
    """Every input serializer of the project (the project names them *Input, *IO, *Query)."""
    modules = [
        ".".join(path.relative_to(base).with_suffix("").parts)
        for base, package in (
            (ROOT / "platform", "askesos"),
            (ROOT, "programme"),
            (ROOT, "reporting"),
            (ROOT, "tenants"),
        )
        for path in (base / package).rglob("api*.py")
    ]
    for name in sorted(modules):
        module = importlib.import_module(name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, serializers.Serializer)
                and cls.__module__ == module.__name__
                and re.search(r"(Input|IO|Query)$", cls.__name__)
            ):
                yield cls


def test_every_money_input_of_the_api_is_a_rupiah_field():
    seen = []
    for serializer in _input_serializers():
        for name, field in serializer().fields.items():
            if MONEY_NAME.search(name) and not field.read_only:
                seen.append(f"{serializer.__name__}.{name}")
                assert isinstance(field, RupiahField), f"{serializer.__name__}.{name}"
    assert len(seen) >= 6, seen


def test_every_money_input_of_a_form_is_a_rupiah_form_field():
    from programme.participants.forms import ParticipantRegisterForm
    from programme.subsidies.admin import FiscalYearRatesForm

    for form in (ParticipantRegisterForm, FiscalYearRatesForm):
        for name, field in form.base_fields.items():
            if MONEY_NAME.search(name):
                assert isinstance(field, RupiahFormField), f"{form.__name__}.{name}"
    assert not isinstance(forms.CharField(), RupiahFormField)
