from django import template
from django.urls import resolve, reverse
from django.utils.html import format_html

from askesos.dates import format_date
from askesos.errors import DomainError
from askesos.money import format_number, format_rupiah
from askesos.permissions import may_open

register = template.Library()


@register.filter
def rupiah(amount: int) -> str:
    """{{ 5000|rupiah }} -> Rp 5.000"""
    return format_rupiah(int(amount))


@register.filter
def angka(number: int) -> str:
    """Thousands with a dot, as Indonesians write them: 83762 -> 83.762"""
    return format_number(number)


@register.filter
def subtract(amount: int, other: int | None) -> int:
    """{{ budget|subtract:allocated }}: what is left (an empty `other` is nothing)."""
    return int(amount) - int(other or 0)


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }}: dictionary lookup with a variable key."""
    return mapping.get(key) if mapping else None


@register.filter
def tanggal(value) -> str:
    """{{ day|tanggal }} -> 22 Nov 2026: the one way a date is shown."""
    return format_date(value)


@register.simple_tag
def field_error(error, field: str) -> str:
    """{% field_error error "paid_on" %}: a refusal's message beside the field it names."""
    if not isinstance(error, DomainError) or error.field != field:
        return ""
    return format_html('<p class="error" role="alert" id="{}-error">{}</p>', field, error.message)


@register.simple_tag
def form_error(error, fields: str) -> str:
    """{% form_error error "paid_on reference" %}: at the top of a form, a refusal that
    names none of the form's fields (those show beside their field)."""
    if not isinstance(error, DomainError) or error.field in fields.split():
        return ""
    return format_html('<p class="error" role="alert">{}</p>', error.message)


@register.simple_tag(takes_context=True)
def url_if_may(context, name: str, *args) -> str:
    """{% url_if_may 'premium-handover' as url %}{% if url %}<a href="{{ url }}">…: the
    address of a page only for a user who may open it, so no link answers 403. The
    view's own `require` check decides (askesos.permissions.may_open)."""
    request = context.get("request")
    if request is None:
        return ""
    url = reverse(name, args=args)
    cache = request.__dict__.setdefault("_askesos_may", {})  # one check per action a page
    return url if may_open(request.user, resolve(url).func, cache=cache) else ""
