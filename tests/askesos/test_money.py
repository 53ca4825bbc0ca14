import pytest

from askesos.money import format_rupiah


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
