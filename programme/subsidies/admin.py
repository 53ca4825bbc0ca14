from django.contrib import admin

from programme.subsidies.models import FiscalYearRates


@admin.register(FiscalYearRates)
class FiscalYearRatesAdmin(admin.ModelAdmin):
    """The ministry's amounts and rates per fiscal year (seeded by `askesos setup`;
    a year edited here is never overwritten by the seed)."""

    list_display = (
        "year",
        "reserve_aid_per_participant",
        "premium_aid_per_month",
        "premium_aid_months",
        "honorarium_bp",
    )
    ordering = ("-year",)
