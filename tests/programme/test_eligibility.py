"""Each eligibility rule of each shipped scheme, read from the scheme data."""

import datetime

import pytest

from programme.schemes.models import SchemeVersion
from programme.schemes.rules import Applicant, eligibility_check

ON = datetime.date(2026, 6, 1)


def applicant(**changes):
    base = dict(
        birth_date=datetime.date(1990, 1, 1),  # 36 on ON
        marital_status="kawin",
        monthly_income=500_000,
        is_breadwinner=True,
        poverty_status="miskin",
        documents=frozenset({"ktp_or_domicile", "willingness_statement"}),
    )
    base.update(changes)
    return Applicant(**base)


def born_aged(years: int, *, days_before_birthday: int = 0) -> datetime.date:
    """A birth date making the person exactly `years` old on ON (or a day short of it)."""
    birthday = ON.replace(year=ON.year - years)
    return birthday + datetime.timedelta(days=days_before_birthday)


def codes(scheme_code, **changes):
    rules = SchemeVersion.objects.get(code=scheme_code).rules
    return {v.code for v in eligibility_check(rules, applicant(**changes), on=ON)}


# (scheme, min age, max age, status that waives the minimum, minimum income)
AGE_RULES = [
    ("buku-saku-2010", 20, 59, "belum_kawin", 300_000),
    ("pola-lama-2003", 21, 60, "kawin", 300_000),
    ("new-initiative-2012", 18, 55, "kawin", None),
]


@pytest.mark.parametrize(("scheme", "low", "high", "waiver", "income"), AGE_RULES)
def test_age_limits_are_inclusive(db, scheme, low, high, waiver, income):
    other = "cerai_hidup"
    assert codes(scheme, birth_date=born_aged(low), marital_status=other) == set()
    assert codes(scheme, birth_date=born_aged(high), marital_status=other) == set()
    assert codes(
        scheme, birth_date=born_aged(low, days_before_birthday=1), marital_status=other
    ) == {"age_below_min"}
    assert codes(scheme, birth_date=born_aged(high + 1), marital_status=other) == {"age_above_max"}


@pytest.mark.parametrize(("scheme", "low", "high", "waiver", "income"), AGE_RULES)
def test_the_marital_alternative_waives_the_minimum_age_only(db, scheme, low, high, waiver, income):
    young = born_aged(low - 2)
    assert codes(scheme, birth_date=young, marital_status=waiver) == set()
    assert codes(scheme, birth_date=born_aged(high + 1), marital_status=waiver) == {"age_above_max"}


@pytest.mark.parametrize(("scheme", "low", "high", "waiver", "income"), AGE_RULES)
def test_minimum_income(db, scheme, low, high, waiver, income):
    if income is None:
        assert codes(scheme, monthly_income=0) == set()
    else:
        assert codes(scheme, monthly_income=income) == set()
        assert codes(scheme, monthly_income=income - 1) == {"income_below_min"}


@pytest.mark.parametrize("scheme", [s for s, *_ in AGE_RULES])
def test_only_the_main_breadwinner(db, scheme):
    assert codes(scheme, is_breadwinner=False) == {"not_breadwinner"}


def test_new_initiative_covers_only_the_poor_and_near_poor(db):
    assert codes("new-initiative-2012", poverty_status="rentan_miskin") == set()
    assert codes("new-initiative-2012", poverty_status="tidak_miskin") == {"poverty_status"}
    assert codes("buku-saku-2010", poverty_status="tidak_miskin") == set()


@pytest.mark.parametrize(
    ("scheme", "documents", "missing"),
    [
        ("buku-saku-2010", frozenset(), True),
        ("buku-saku-2010", frozenset({"ktp_or_domicile"}), False),
        ("new-initiative-2012", frozenset({"ktp_or_domicile"}), True),
        ("new-initiative-2012", frozenset({"ktp_or_domicile", "willingness_statement"}), False),
    ],
)
def test_required_documents(db, scheme, documents, missing):
    assert ("documents_missing" in codes(scheme, documents=documents)) is missing


def test_all_violations_are_reported_at_once(db):
    found = codes(
        "buku-saku-2010",
        birth_date=born_aged(70),
        monthly_income=100_000,
        is_breadwinner=False,
        documents=frozenset(),
    )

    assert found == {"age_above_max", "income_below_min", "not_breadwinner", "documents_missing"}
