"""Ministry audit exports: the tables hold the dashboards' own figures (and so the
facts'), only the LPAs of the requester's area, in every sheet and CSV; the manifest
verifies and any changed byte or field fails; the same request while one runs joins
it; an empty region gives an empty, valid file set; participants one by one only for
the ministry's auditors, without NIK; a name like a formula stays text. The Celery
path through a real worker: tests/reporting/test_export_worker.py."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import Counter

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from askesos.permissions import AccessDenied, scope_of
from programme.registry.models import NationalParticipant
from reporting.errors import AreaNotFound, ReportError
from reporting.export_job import export_build
from reporting.exports import export_request, export_zip_path
from reporting.manifest import export_verify
from reporting.models import AuditExport, ExportState, Fact
from reporting.periods import period_parse
from tenants.models import Lpa
from tests.conftest import client_on
from tests.reporting.export_helpers import (
    FORMULA_NAME,
    OCTOBER,
    csv_rows,
    people_make,
    zip_entries,
    zip_rewrite,
    zip_tables,
)
from tests.reporting.test_report_pages import in_id

TABLES = ("lpa", "peserta", "premi", "klaim", "cadangan", "transfer_subsidi", "temuan", "laporan")
NIK_LIKE = re.compile(rb"(?<![0-9A-Fa-f])[0-9]{16}(?![0-9A-Fa-f])")


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def exported(user, *, level="nation", area="", period="2026-10", kind="tables", **filters):
    export = export_request(
        user=user,
        scope=scope_of(user),
        kind=kind,
        period=period,
        level=level,
        area=area,
        filters=filters,
    )
    return export_build(export)


def total(rows, column, **where) -> int:
    return sum(int(row[column] or 0) for row in rows if all(row[k] == v for k, v in where.items()))


def test_a_kabupaten_user_cannot_export_another_area_nor_the_nation(
    lpa_a, make_government_user, portal_host
):
    kendari = make_government_user("regency", regency="74.71")
    for level, area in (("regency", "74.02"), ("province", "74"), ("nation", "")):
        with pytest.raises(AreaNotFound):
            exported(kendari, level=level, area=area)
    page = client_on(portal_host, kendari).post(
        "/ekspor/", {"period": "2026-10", "area": "regency:74.02", "kind": "tables"}
    )
    assert page.status_code == 404
    assert in_id("No such area in your scope.") in page.content.decode()
    assert not AuditExport.objects.exists()


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"period": "2099-01"}, "period"),  # not begun
        ({"period": "2026-13"}, "period"),
        ({"period": "kemarin"}, "period"),
        ({"period": ""}, "period"),
        ({"scheme": "tidak-ada"}, "scheme"),
        ({"channel": "hibah"}, "channel"),
        ({"kind": "semua"}, "kind"),
        ({"area": "lpa:uji-a"}, "area"),
    ],
)
def test_bad_input_answers_a_clear_400_page_and_queues_nothing(
    form, field, make_government_user, portal_host
):
    ministry = make_government_user("ministry")
    data = {"period": "2026-10", "area": "nation", "kind": "tables", **form}
    page = client_on(portal_host, ministry).post("/ekspor/", data)
    assert page.status_code == 400
    assert f'id="{field}-error"' in page.content.decode()
    assert not AuditExport.objects.exists()
    level, _sep, code = data["area"].partition(":")
    with pytest.raises(ReportError) as refused:
        export_request(
            user=ministry,
            scope=scope_of(ministry),
            kind=data["kind"],
            period=data["period"],
            level=level,
            area=code,
            filters={k: data[k] for k in ("scheme", "channel") if data.get(k)},
        )
    assert refused.value.field == field and refused.value.http_status == 400


def test_the_same_request_while_one_runs_joins_it(make_government_user):
    ministry = make_government_user("ministry")
    other = make_government_user("ministry")

    def request(user, **changes):
        args = {"kind": "tables", "period": "2026-10", "level": "province", "area": "74"}
        return export_request(user=user, scope=scope_of(user), **(args | changes))

    first = request(ministry)
    assert request(ministry).pk == first.pk  # queued: joined
    AuditExport.objects.filter(pk=first.pk).update(state=ExportState.RUNNING)
    assert request(ministry).pk == first.pk  # running: joined
    assert request(ministry, area="73").pk != first.pk  # another area
    assert request(ministry, filters={"scheme": "buku-saku-2010"}).pk != first.pk  # a filter
    assert request(other).pk != first.pk  # someone else's is their own
    export_build(AuditExport.objects.get(pk=first.pk))
    assert request(ministry).pk != first.pk  # done: a new one
    joined = LogEntry.objects.filter(
        object_pk=str(first.pk), additional_data__event="export_joined"
    )
    assert joined.count() == 2


def test_an_export_of_a_region_without_data_is_an_empty_valid_file_set(make_government_user):
    export = exported(make_government_user("ministry"), level="province", area="11")  # Aceh
    path = export_zip_path(export)
    tables = zip_tables(path)
    assert sorted(tables) == sorted(TABLES)
    assert all(rows == [] for rows in tables.values())
    assert {name for name in zip_entries(path)} == {f"{t}.csv" for t in TABLES} | {
        "tabel.xlsx",
        "ringkasan.pdf",
        "manifest.json",
    }
    manifest = json.loads(zip_entries(path)["manifest.json"])
    assert manifest["tables"] == dict.fromkeys(TABLES, 0) and manifest["lpas"] == 0
    assert export_verify(path).ok
    assert zip_entries(path)["ringkasan.pdf"].startswith(b"%PDF")


def test_the_manifest_verifies_and_any_changed_byte_or_field_fails(
    lpa_a, lpa_b, lpa_c, make_government_user, tmp_path, capsys
):
    people_make(lpa_a, lpa_b, lpa_c)
    user = make_government_user("province", province="74")
    user.full_name = "Rina Auditor"
    user.save()
    export = exported(user, level="province", area="74")
    path = export_zip_path(export)
    manifest = json.loads(zip_entries(path)["manifest.json"])
    assert manifest["exported_by"]["username"] == user.username
    assert manifest["exported_by"]["name"] == "Rina Auditor"
    assert "Sulawesi Tenggara" in manifest["exported_by"]["office"]
    assert manifest["query"] == {
        "kind": "tables",
        "period": "2026-10",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "level": "province",
        "area": "74",
        "area_name": "Sulawesi Tenggara",
        "filters": {"scheme": "", "channel": ""},
    }
    assert manifest["exported_at"].endswith("+07:00")
    assert manifest["tables"]["lpa"] == 2 and manifest["platform"]["version"]
    assert export.sha256 and export.size == path.stat().st_size

    call_command("verify_export", str(path))
    out = capsys.readouterr().out
    assert "signature OK" in out and "premi.csv OK" in out and "Verified" in out

    # One byte changed in any file fails that file, and the command exits with 1.
    for name in [f["name"] for f in manifest["files"]]:
        changed = tmp_path / f"changed-{name}.zip"
        zip_rewrite(
            path,
            changed,
            lambda entry, data, name=name: (
                data[:-1] + bytes([data[-1] ^ 1]) if entry == name else data
            ),
        )
        result = export_verify(changed)
        assert result.signature_ok and not result.ok
        assert [c.name for c in result.files if not c.ok] == [name]
        with pytest.raises(CommandError) as failed:
            call_command("verify_export", str(changed))
        assert failed.value.returncode == 1
        assert f"{name} FAILED" in capsys.readouterr().out

    # A changed manifest field (who exported it) fails the signature.
    forged = tmp_path / "forged.zip"

    def forge(entry, data):
        if entry != "manifest.json":
            return data
        body = json.loads(data)
        body["exported_by"]["username"] = "orang-lain"
        return json.dumps(body).encode()

    zip_rewrite(path, forged, forge)
    result = export_verify(forged)
    assert not result.signature_ok and all(c.ok for c in result.files)
    assert "changed after it was signed" in result.signature_reason
    with pytest.raises(CommandError):
        call_command("verify_export", str(forged))

    # A file slipped into the ZIP fails too.
    extra = tmp_path / "extra.zip"
    zip_rewrite(path, extra, lambda entry, data: data)
    with zipfile.ZipFile(extra, "a") as archive:
        archive.writestr("catatan.csv", b"x")
    assert not export_verify(extra).ok

    # A manifest.json with its files beside it verifies the same way.
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(folder)
    assert export_verify(folder / "manifest.json").ok
    (folder / "premi.csv").write_bytes((folder / "premi.csv").read_bytes() + b"\n")
    assert not export_verify(folder / "manifest.json").ok

    # Another server's key: said so.
    from django.test import override_settings

    with override_settings(EXPORT_SIGNING_KEY="kunci-lain"):
        result = export_verify(path)
    assert not result.signature_ok and "another key" in result.signature_reason


def test_participants_one_by_one_only_for_the_ministrys_auditors(
    lpa_a, make_government_user, portal_host
):
    refused = [
        make_government_user("ministry", role="officer"),
        make_government_user("province", role="auditor", province="74"),
        make_government_user("regency", role="auditor", regency="74.71"),
    ]
    for user in refused:
        level, area = (
            ("nation", "")
            if user.username.startswith("gov-ministry")
            else (
                "regency",
                "74.71",
            )
        )
        with pytest.raises(AccessDenied):
            exported(user, kind="persons", level=level, area=area)
    officer = client_on(portal_host, refused[0])
    assert 'value="persons"' not in officer.get("/ekspor/").content.decode()
    answer = officer.post("/ekspor/", {"period": "2026-10", "area": "nation", "kind": "persons"})
    assert answer.status_code == 403
    auditor = client_on(portal_host, make_government_user("ministry", role="auditor"))
    assert 'value="persons"' in auditor.get("/ekspor/").content.decode()
    assert not AuditExport.objects.exists()


def test_the_person_level_export_holds_no_nik_and_the_national_index_key(
    lpa_a, lpa_b, lpa_c, make_government_user, portal_host
):
    policies = people_make(lpa_a, lpa_b, lpa_c)
    niks = []
    for lpa in (lpa_a, lpa_b, lpa_c):
        connection.set_tenant(lpa)
        niks += [p.participant.nik for p in policies[lpa.slug]]
    connection.set_schema_to_public()
    auditor = make_government_user("ministry", role="auditor")
    page = client_on(portal_host, auditor).post(
        "/ekspor/", {"period": "2026-10", "area": "province:74", "kind": "persons"}
    )
    export = AuditExport.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/ekspor/{export.pk}/"
    export = export_build(export)
    path = export_zip_path(export)
    entries = zip_entries(path)
    assert sorted(entries) == ["manifest.json", "peserta_perorangan.csv"]
    rows = csv_rows(entries["peserta_perorangan.csv"])
    # Province 74: A's three and B's two; C is in Sulawesi Selatan.
    assert sorted(r["nama"] for r in rows) == sorted(
        ["Siti Ekspor", "'" + FORMULA_NAME, "Budi Ekspor", "Wa Ode Ekspor", "La Ode Ekspor"]
    )
    assert "nik" not in rows[0]
    raw = path.read_bytes()
    for nik in niks:
        assert nik.encode() not in raw
        assert all(nik.encode() not in data for data in entries.values())
    for data in (raw, *entries.values()):
        assert not NIK_LIKE.search(data)
    index = {
        (lpa_id, ref): digest
        for lpa_id, ref, digest in NationalParticipant.objects.values_list(
            "lpa__slug", "participant_ref", "nik_digest"
        )
    }
    assert all(r["nik_hmac"] == index[(r["lpa_slug"], int(r["nomor_peserta"]))] for r in rows)
    siti = next(r for r in rows if r["nama"] == "Siti Ekspor")
    assert (siti["status_polis"], siti["bulan_premi_dibayar"], siti["kode_desa"]) == (
        "active",
        "2",
        "74.71.01.1005",
    )
    # The counts per status are the facts' for the period's last month.
    for lpa in (lpa_a, lpa_b):
        fact = Fact.objects.get(level="lpa", lpa=lpa, month=OCTOBER.start)
        mine = Counter(r["status_polis"] for r in rows if r["lpa_slug"] == lpa.slug)
        assert mine == {
            k.split(":", 1)[1]: v
            for k, v in fact.figures.items()
            if k.startswith("participants.status:")
        }
    manifest = json.loads(entries["manifest.json"])
    assert manifest["tables"] == {"peserta_perorangan": 5} and "No NIK" in manifest["identity"]
    assert export_verify(path).ok

    # The request and the download are in the audit log.
    client_on(portal_host, auditor).get(f"/ekspor/{export.pk}/unduh/")
    events = set(
        LogEntry.objects.filter(object_pk=str(export.pk), actor=auditor).values_list(
            "additional_data__event", flat=True
        )
    )
    assert events == {"export_requested", "export_downloaded"}


def test_a_name_like_a_formula_stays_text_in_the_workbook_and_the_csv(lpa_a, make_government_user):
    Lpa.objects.filter(pk=lpa_a.pk).update(name=FORMULA_NAME)
    export = exported(make_government_user("ministry"), level="regency", area="74.71")
    entries = zip_entries(export_zip_path(export))
    row = csv_rows(entries["lpa.csv"])[0]
    assert row["lpa_nama"] == "'" + FORMULA_NAME
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(entries["tabel.xlsx"]))["lpa"]
    cell = sheet["B2"]
    assert cell.value == "'" + FORMULA_NAME and cell.data_type == "s"
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)


def test_only_the_requester_and_the_ministrys_auditors_see_and_download_an_export(
    make_government_user, portal_host
):
    owner = make_government_user("province", province="74")
    export = exported(owner, level="province", area="74")
    pages = [f"/ekspor/{export.pk}/", f"/ekspor/{export.pk}/status/", f"/ekspor/{export.pk}/unduh/"]
    mine = client_on(portal_host, owner)
    assert [mine.get(p).status_code for p in pages] == [200, 200, 200]
    assert b"".join(mine.get(pages[2]).streaming_content) == export_zip_path(export).read_bytes()
    status = mine.get(pages[1]).json()
    assert status["state"] == "done" and status["percent"] == 100
    assert status["download"] == pages[2]
    auditor = client_on(portal_host, make_government_user("ministry", role="auditor"))
    assert [auditor.get(p).status_code for p in pages] == [200, 200, 200]
    for stranger in (
        make_government_user("province", province="74"),  # same office, not theirs
        make_government_user("ministry"),  # a ministry officer, not an auditor
    ):
        client = client_on(portal_host, stranger)
        assert [client.get(p).status_code for p in pages] == [404, 404, 404]
        assert f"#{export.pk}" not in client.get("/ekspor/").content.decode()
    pengendali = client_on(portal_host, make_government_user("ministry", role="pengendali"))
    assert pengendali.get(pages[0]).status_code == 403
    assert client_on(portal_host).get(pages[0]).status_code == 302  # sign in first


def test_the_page_shows_the_progress_and_reloads_itself_without_javascript(
    make_government_user, portal_host
):
    owner = make_government_user("ministry")
    client = client_on(portal_host, owner)
    answer = client.post("/ekspor/", {"period": "2026-10", "area": "province:74", "kind": "tables"})
    export = AuditExport.objects.get()
    page = client.get(answer["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and 'id="export-bar"' in page
    assert "<script>" not in page and "export_progress.js" in page
    assert client.get(f"/ekspor/{export.pk}/unduh/").status_code == 404  # not done yet
    AuditExport.objects.filter(pk=export.pk).update(state=ExportState.RUNNING, done=3, steps=12)
    assert client.get(f"/ekspor/{export.pk}/status/").json()["percent"] == 25
    export_build(AuditExport.objects.get(pk=export.pk))
    page = client.get(f"/ekspor/{export.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page and "premi.csv" in page
    assert f"/ekspor/{export.pk}/unduh/" in page
    assert period_parse("2026-10").code in client.get("/ekspor/").content.decode()


def test_an_empty_region_gives_an_empty_participants_file_too(make_government_user):
    auditor = make_government_user("ministry", role="auditor")
    export = exported(auditor, kind="persons", level="province", area="11")
    path = export_zip_path(export)
    rows = csv_rows(zip_entries(path)["peserta_perorangan.csv"])
    assert rows == [] and export.manifest["tables"] == {"peserta_perorangan": 0}
    assert export_verify(path).ok


def test_a_failed_build_says_so_keeps_no_file_and_does_not_block_the_next_request(
    make_government_user, portal_host, monkeypatch, export_root
):
    from reporting import export_job
    from reporting.export_job import export_run

    owner = make_government_user("ministry")
    export = export_request(
        user=owner, scope=scope_of(owner), kind="tables", period="2026-10", level="nation", area=""
    )

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_job, "tables_write", broken)
    assert export_run(export.pk) == ExportState.FAILED
    export.refresh_from_db()
    assert export.state == ExportState.FAILED and "disk full" in export.error
    assert not (export_root / str(export.pk)).exists()
    client = client_on(portal_host, owner)
    assert client.get(f"/ekspor/{export.pk}/status/").json()["state"] == "failed"
    assert 'role="alert"' in client.get(f"/ekspor/{export.pk}/").content.decode()
    assert client.get(f"/ekspor/{export.pk}/unduh/").status_code == 404
    again = export_request(
        user=owner, scope=scope_of(owner), kind="tables", period="2026-10", level="nation", area=""
    )
    assert again.pk != export.pk and again.state == ExportState.QUEUED
    assert export_run(export.pk) == ExportState.FAILED  # a failed export is never redone


def test_a_queued_export_whose_message_was_lost_is_sent_again_when_asked_again(
    make_government_user, django_capture_on_commit_callbacks, monkeypatch
):
    import datetime

    from django.utils import timezone

    from reporting import exports

    sent = []
    monkeypatch.setattr(exports, "_send", sent.append)
    owner = make_government_user("ministry")

    def ask():
        with django_capture_on_commit_callbacks(execute=True):
            return export_request(
                user=owner,
                scope=scope_of(owner),
                kind="tables",
                period="2026-10",
                level="nation",
                area="",
            )

    export = ask()
    assert sent == [export.pk]
    ask()
    assert sent == [export.pk]  # just queued: joined, not sent again
    AuditExport.objects.filter(pk=export.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert ask().pk == export.pk and sent == [export.pk, export.pk]
