from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from askesos.accounts.models import GovernmentScope, User


@admin.register(User)
class AskesosUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("ASKESOS", {"fields": ("full_name", "phone")}))
    list_display = ("username", "full_name", "email", "is_active", "last_login")

    def has_delete_permission(self, request, obj=None) -> bool:
        # LPAs' records point at users without a database key (decision 0002):
        # a user who leaves is deactivated, never deleted.
        return False


@admin.register(GovernmentScope)
class GovernmentScopeAdmin(admin.ModelAdmin):
    list_display = ("user", "level", "role", "province", "regency", "office_name")
    list_filter = ("level", "role")
    autocomplete_fields = ()
