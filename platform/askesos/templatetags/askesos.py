from django import template

from askesos.dates import format_date
from askesos.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(amount: int) -> str:
    """{{ 5000|rupiah }} -> Rp 5.000"""
    return format_rupiah(int(amount))


@register.filter
def angka(number: int) -> str:
    """Thousands with a dot, as Indonesians write them: 83762 -> 83.762"""
    return f"{int(number):,}".replace(",", ".")


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }}: dictionary lookup with a variable key."""
    return mapping.get(key) if mapping else None


@register.filter
def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@register.filter
def tanggal(value) -> str:
    """{{ day|tanggal }} -> 22 Nov 2026: the one way a date is shown."""
    return format_date(value)
