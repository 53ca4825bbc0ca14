import re
import threading

import pytest
from django.db import connection, connections
from django.utils import translation
from django_tenants.utils import schema_context, schema_exists

from askesos.errors import DomainError
from tenants.errors import LpaError
from tenants.models import Domain, Lpa
from tenants.schemas import disk_migrations, tenant_schemas_stale
from tenants.services import lpa_provision, lpa_register

NEW = dict(
    name="Yayasan Baru",
    slug="yayasan-baru",
    legal_form="yayasan",
    regency_code="74.71",
    npwp="04.567.891.9-741.000",
)


def _snapshot():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'lpa\\_%%'")
        schemas = cursor.fetchone()[0]
    return Lpa.objects.count(), Domain.objects.count(), schemas


def test_provisioning_twice_yields_one_ready_tenant(db):
    first = lpa_provision(**NEW)
    second = lpa_provision(**NEW)

    assert first.pk == second.pk
    assert Lpa.objects.filter(slug="yayasan-baru").count() == 1
    assert Domain.objects.filter(tenant=first).count() == 1
    assert second.is_ready and second.ready_at is not None
    assert schema_exists("lpa_yayasan_baru")


def test_cloned_schema_has_every_migration_and_the_tenant_tables(db):
    lpa = lpa_provision(**NEW)

    assert tenant_schemas_stale([lpa.schema_name]) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM %s.django_migrations" % lpa.schema_name  # noqa: UP031
        )
        assert cursor.fetchone()[0] == len(disk_migrations())
    with schema_context(lpa.schema_name):
        from askesos.staff.models import Membership

        assert Membership.objects.count() == 0


def test_old_and_new_npwp_formats_are_one_taxpayer(db):
    lpa_provision(**NEW)

    with pytest.raises(LpaError) as refused:
        lpa_provision(**{**NEW, "slug": "nama-lain", "npwp": "0045678919741000"})

    assert refused.value.code == "npwp_taken"


@pytest.mark.parametrize(
    ("change", "code", "indonesian"),
    [
        ({"npwp": "04.567.891.8-741.000"}, "npwp_invalid", "digit pemeriksanya salah"),
        ({"npwp": "12345"}, "npwp_invalid", "harus 15 atau 16 digit"),
        ({"npwp": "04.567.891.A-741.000"}, "npwp_invalid", "hanya boleh berisi angka"),
        ({"slug": "uji-a"}, "slug_taken", "sudah dipakai LPA lain"),
        ({"slug": "Bad Slug!"}, "slug_invalid", "huruf kecil"),
        ({"slug": "admin"}, "slug_reserved", "tidak boleh dipakai"),
        ({"regency_code": "99.99"}, "regency_unknown", "tidak dikenal: 99.99"),
        ({"legal_form": "pt"}, "legal_form_invalid", "Bentuk lembaga tidak dikenal"),
        ({"name": "  "}, "name_required", "wajib diisi"),
        ({"slug": "lain-lagi", "npwp": "01.234.567.4-741.000"}, "npwp_taken", "LPA Uji A"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(
    db, change, code, indonesian
):
    before = _snapshot()

    with pytest.raises(LpaError) as refused, translation.override("id"):
        lpa_provision(**{**NEW, **change})

    assert refused.value.code == code
    with translation.override("id"):
        assert indonesian in refused.value.message
    with translation.override("en"):
        assert refused.value.message  # English is available too
    assert _snapshot() == before


def test_messages_exist_in_english(db):
    with pytest.raises(LpaError) as refused:
        lpa_provision(**{**NEW, "regency_code": "99.99"})

    with translation.override("en"):
        assert refused.value.message == "Unknown regency/city code: 99.99."


def test_every_domain_error_message_has_an_indonesian_translation():
    for error_class in _all_subclasses(DomainError):
        for code, message in error_class.messages.items():
            with translation.override("en"):
                english = str(message)
            with translation.override("id"):
                indonesian = str(message)
            words = re.sub(r"%\(\w+\)\w|NPWP|NIK|LPA", "", english)
            assert indonesian != english or not re.search(r"[a-z]{3}", words), (error_class, code)


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_a_registered_but_unprovisioned_lpa_is_finished_by_the_next_call(db):
    registered = lpa_register(**NEW)
    assert not registered.is_ready and not schema_exists(registered.schema_name)

    finished = lpa_provision(**NEW)

    assert finished.pk == registered.pk and finished.is_ready


def test_concurrent_provisioning_of_one_lpa_yields_one_tenant(committed_db):
    data = {**NEW, "slug": "serentak", "npwp": "05.678.912.6-741.000"}
    committed_db.lpa_slugs.append("serentak")
    results, errors = [], []

    def provision():
        try:
            results.append(lpa_provision(**data).pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=provision) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(set(results)) == 1
    assert Lpa.objects.filter(slug="serentak").count() == 1
    assert Lpa.objects.get(slug="serentak").is_ready


def test_provisioning_refuses_when_the_template_is_behind(db, settings):
    settings.TENANT_BASE_SCHEMA = "lpa_template_absent"

    with pytest.raises(LpaError) as refused:
        lpa_provision(**NEW)

    assert refused.value.code == "template_missing"
    assert not Lpa.objects.get(slug=NEW["slug"]).is_ready
