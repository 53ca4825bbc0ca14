from django import forms
from django.contrib import admin

from askesos.errors import DomainError
from tenants.models import Domain, JobRun, Lpa
from tenants.services import lpa_started_on_check


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class LpaAdminForm(forms.ModelForm):
    """The day the LPA joined ASKESOS through the service's rule (tenants.services)."""

    def clean_started_on(self):
        day = self.cleaned_data.get("started_on")
        if day is None:
            return None
        try:
            return lpa_started_on_check(lpa=self.instance, started_on=day)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


@admin.register(Lpa)
class LpaAdmin(admin.ModelAdmin):
    """Read-mostly: LPAs are created by provisioning (tenants.services), not here."""

    form = LpaAdminForm

    list_display = ("name", "slug", "legal_form", "regency", "status", "is_ready")
    list_filter = ("status", "legal_form", "is_ready")
    search_fields = ("name", "slug", "npwp")
    readonly_fields = ("slug", "schema_name", "npwp", "is_ready", "ready_at", "created_at")
    inlines = [DomainInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Read-only: runs are written by the jobs themselves (tenants.jobs)."""

    list_display = ("job", "lpa", "day", "state", "forced", "trigger", "started_at", "finished_at")
    list_filter = ("job", "state", "trigger", "day")
    search_fields = ("lpa__slug", "lpa__name", "error")
    date_hierarchy = "day"
    list_select_related = ("lpa",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
