from django import forms
from django.contrib import admin

from askesos.money import RupiahFormField
from programme.subsidies.models import FiscalYearRates


class FiscalYearRatesForm(forms.ModelForm):
    """The year's amounts through the one money rule (askesos.money)."""

    reserve_aid_per_participant = RupiahFormField(
        label=FiscalYearRates._meta.get_field("reserve_aid_per_participant").verbose_name
    )
    premium_aid_per_month = RupiahFormField(
        label=FiscalYearRates._meta.get_field("premium_aid_per_month").verbose_name
    )

    class Meta:
        model = FiscalYearRates
        fields = [
            "year",
            "reserve_aid_per_participant",
            "premium_aid_per_month",
            "premium_aid_months",
            "honorarium_bp",
            "source",
        ]


@admin.register(FiscalYearRates)
class FiscalYearRatesAdmin(admin.ModelAdmin):
    """The ministry's amounts and rates per fiscal year (seeded by `askesos setup`;
    a year edited here is never overwritten by the seed)."""

    form = FiscalYearRatesForm
    list_display = (
        "year",
        "reserve_aid_per_participant",
        "premium_aid_per_month",
        "premium_aid_months",
        "honorarium_bp",
    )
    ordering = ("-year",)
