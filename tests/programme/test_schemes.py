import json

import pytest

from programme.schemes.models import SchemeVersion
from programme.schemes.rules import SchemeError
from programme.schemes.services import DATA_DIR, scheme_version_publish, schemes_load_shipped


def _document(name="buku-saku-2010.json"):
    return json.loads((DATA_DIR / name).read_text())


def test_three_schemes_ship_with_buku_saku_as_default(db):
    assert set(SchemeVersion.objects.values_list("code", flat=True)) == {
        "buku-saku-2010",
        "pola-lama-2003",
        "new-initiative-2012",
    }
    assert SchemeVersion.objects.get(is_default=True).code == "buku-saku-2010"


def test_publishing_the_shipped_schemes_again_changes_nothing(db):
    before = list(SchemeVersion.objects.values_list("pk", "rules"))

    schemes_load_shipped()

    assert list(SchemeVersion.objects.values_list("pk", "rules")) == before


def test_a_published_version_cannot_be_rewritten(db):
    document = _document()
    document["benefits"]["death"]["amount_by_policy_year"] = [1, 2, 3]

    with pytest.raises(SchemeError) as refused:
        scheme_version_publish(document=document)

    assert refused.value.code == "version_changed"


def test_a_new_version_leaves_existing_policies_on_theirs(db, lpa_a):
    from django.db import connection

    from programme.participants.services import participant_register
    from tests.programme.conftest import person

    connection.set_tenant(lpa_a)
    policy = participant_register(data=person())
    document = _document()
    document["version"] = 2
    document["benefits"]["death"]["amount_by_policy_year"] = [300000, 500000, 700000]
    v2 = scheme_version_publish(document=document)
    lpa_a.scheme_version = v2
    lpa_a.save(update_fields=["scheme_version"])

    policy.refresh_from_db()
    assert policy.scheme_version.version == 1
    assert policy.scheme_version.rules["benefits"]["death"]["amount_by_policy_year"] == [
        200000,
        400000,
        600000,
    ]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("premium", "monthly_amount"), 5000.5),
        (("eligibility", "age_min"), "20"),
        (("benefits", "sickness", "amount"), -1),
        (("benefits", "sickness", "payout"), "bank"),
        (("grace_months",), 0),
    ],
)
def test_malformed_scheme_data_is_refused(db, path, value):
    document = _document()
    document["version"] = 99
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    with pytest.raises(SchemeError) as refused:
        scheme_version_publish(document=document)

    assert refused.value.code == "rules_invalid"


def test_no_benefit_amount_is_written_in_python():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "programme"
    amounts = re.compile(r"\b(100_?000|200_?000|400_?000|600_?000|250_?000|180_?000)\b")
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        assert not amounts.search(path.read_text()), path


def test_an_lpa_may_run_another_scheme_and_registration_follows_it(db):
    from django.db import connection

    from programme.participants.errors import ParticipantError
    from programme.participants.services import participant_register
    from tenants.services import lpa_provision, lpa_scheme_set
    from tests.programme.conftest import person

    lpa = lpa_provision(
        name="LPA NI",
        slug="lpa-ni",
        legal_form="lsm",
        regency_code="74.71",
        npwp="04.567.891.9-741.000",
        scheme_code="new-initiative-2012",
    )
    assert lpa.scheme_version.code == "new-initiative-2012"
    connection.set_tenant(lpa)

    with pytest.raises(ParticipantError) as refused:
        participant_register(data=person(poverty_status="tidak_miskin"))
    assert "miskin atau rentan miskin" in refused.value.message

    lpa = lpa_scheme_set(lpa=lpa, scheme_code="buku-saku-2010")
    connection.set_tenant(lpa)
    assert participant_register(data=person(poverty_status="tidak_miskin")).scheme_version.code == (
        "buku-saku-2010"
    )


def test_an_unknown_scheme_is_refused(db):
    from tenants.services import lpa_provision

    with pytest.raises(SchemeError) as refused:
        lpa_provision(
            name="X",
            slug="lpa-x",
            legal_form="lsm",
            regency_code="74.71",
            npwp="04.567.891.9-741.000",
            scheme_code="tidak-ada",
        )

    assert refused.value.code == "unknown"
