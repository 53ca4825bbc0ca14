from django import template

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
