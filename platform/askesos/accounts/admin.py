from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from askesos.accounts.models import GovernmentScope, User
from askesos.accounts.second_factor import SecondFactorError, second_factor_reset

# django-otp registers its devices in the admin, where an administrator could read a
# user's key (and so type their codes) or give them a device with a key of their own:
# the admin only resets a second factor, with a logged reason (the action below).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class AskesosUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("ASKESOS", {"fields": ("full_name", "phone")}))
    list_display = ("username", "full_name", "email", "is_active", "last_login")
    actions = ["reset_second_factor"]

    @admin.action(description=gettext_lazy("Reset the second factor (lost phone)"))
    def reset_second_factor(self, request, queryset):
        """Asks for the reason first; each reset is logged with it and the admin's
        name (askesos.accounts.second_factor.second_factor_reset)."""
        reason = request.POST.get("reason", "")
        error = None
        if "confirm" in request.POST:
            try:
                for user in queryset:
                    second_factor_reset(user=user, actor=request.user, reason=reason)
            except SecondFactorError as refused:
                error = refused.message
            else:
                self.message_user(
                    request,
                    _("Second factor reset for %(n)s user(s); they enrol at their next sign-in.")
                    % {"n": queryset.count()},
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "users": queryset,
            "reason": reason,
            "error": error,
            "action": "reset_second_factor",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/second_factor_reset.html", context)

    def has_delete_permission(self, request, obj=None) -> bool:
        # LPAs' records point at users without a database key (decision 0002):
        # a user who leaves is deactivated, never deleted.
        return False


@admin.register(GovernmentScope)
class GovernmentScopeAdmin(admin.ModelAdmin):
    list_display = ("user", "level", "role", "province", "regency", "office_name")
    list_filter = ("level", "role")
    autocomplete_fields = ()
