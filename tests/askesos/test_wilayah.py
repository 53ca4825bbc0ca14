import csv

from askesos.geo.models import Regency, Village
from askesos.geo.services import DATA_DIR, wilayah_counts, wilayah_load


def _csv_rows(name: str) -> int:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return sum(1 for _ in csv.DictReader(f))


def test_wilayah_counts_equal_the_vendored_csvs(db):
    counts = wilayah_counts()

    assert (counts.provinces, counts.regencies, counts.districts, counts.villages) == (
        38,
        514,
        7285,
        83762,
    )
    assert counts.villages == _csv_rows("villages.csv")
    assert counts.districts == _csv_rows("districts.csv")


def test_loading_wilayah_twice_changes_nothing(db):
    before = wilayah_counts()

    after = wilayah_load()

    assert after == before


def test_reload_restores_a_renamed_village(db):
    village = Village.objects.get(code="11.01.01.2001")
    Village.objects.filter(pk=village.pk).update(name="Salah Ketik")

    wilayah_load()

    assert Village.objects.get(code="11.01.01.2001").name == village.name


def test_regency_belongs_to_its_province(db):
    kendari = Regency.objects.select_related("province").get(code="74.71")

    assert kendari.name == "Kota Kendari"
    assert kendari.province.name == "Sulawesi Tenggara"


def test_licence_and_attribution_ship_with_the_data():
    assert (DATA_DIR / "LICENSE-ODbL.md").exists()
    assert "idn-area-data" in (DATA_DIR / "ATTRIBUTION.md").read_text()
