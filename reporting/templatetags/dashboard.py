"""Filters for the government dashboard: a rate and a number of days written the
Indonesian way (85,3% and 2,5), a dash where there is no figure."""

from django import template

from reporting.dashboard_shown import DAYS, PERCENT, shown

register = template.Library()


@register.filter
def persen(value) -> str:
    """{{ 85.3|persen }} -> 85,3%"""
    return shown(value, PERCENT)


@register.filter
def desimal(value) -> str:
    """{{ 2.5|desimal }} -> 2,5; {{ 3.0|desimal }} -> 3"""
    return shown(value, DAYS)
