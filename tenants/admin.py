from django.contrib import admin

from tenants.models import Domain, Lpa


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Lpa)
class LpaAdmin(admin.ModelAdmin):
    """Read-mostly: LPAs are created by provisioning (tenants.services), not here."""

    list_display = ("name", "slug", "legal_form", "regency", "status", "is_ready")
    list_filter = ("status", "legal_form", "is_ready")
    search_fields = ("name", "slug", "npwp")
    readonly_fields = ("slug", "schema_name", "npwp", "is_ready", "ready_at", "created_at")
    inlines = [DomainInline]

    def has_add_permission(self, request) -> bool:
        return False
